//! The search options, in one place for the command line, `--batch` lines and `GET /search`:
//! their names, how each is read from text, their defaults, bounds and error messages. A front
//! end gathers what it was given into [`Given`]; [`Given::resolve`] checks it once and returns the
//! [`Resolved`] search that the rest of the program sees.

use serde::{Deserialize, Deserializer};

use crate::error::OptionError;
use crate::output;
use crate::search::facets::Interval;
use crate::search::{self, SearchRequest, Sort, passage};

/// Hits per page when none is asked for.
pub const DEFAULT_LIMIT: usize = 10;

/// The option names, as `--batch` lines and the HTTP API spell them (`q` is also `query`).
pub const NAMES: &str = "q, limit, offset, since, until, section, source, sort, facets, fuzzy, fragments, like, \
     passage, interval, all_copies, fields";

/// The search options as given, not yet checked: absent is `None` (or empty).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Given {
    #[serde(default, alias = "q")]
    pub query: String,
    pub limit: Option<usize>,
    pub offset: Option<usize>,
    pub since: Option<String>,
    pub until: Option<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub section: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub source: Vec<String>,
    pub sort: Option<Sort>,
    pub fuzzy: Option<bool>,
    pub facets: Option<bool>,
    pub fragments: Option<usize>,
    pub like: Option<String>,
    pub interval: Option<Interval>,
    pub all_copies: Option<bool>,
    /// The keys each hit carries in JSON.
    #[serde(default, deserialize_with = "some_of_many")]
    pub fields: Option<Vec<String>>,
    /// A text to find the articles of, instead of a query.
    pub passage: Option<String>,
}

/// How much one search may ask for: a public server bounds what a person at a terminal may not.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub query_chars: usize,
    pub passage_chars: usize,
    pub limit: usize,
    /// How deep paging may go (`offset + limit`), as Elasticsearch's `max_result_window`.
    pub window: usize,
    pub fragments: usize,
}

impl Limits {
    pub const NONE: Limits = Limits {
        query_chars: usize::MAX,
        passage_chars: passage::MAX_PASSAGE_CHARS,
        limit: usize::MAX,
        window: usize::MAX,
        fragments: usize::MAX,
    };
    pub const HTTP: Limits = Limits {
        query_chars: 1000,
        passage_chars: 10_000,
        limit: 100,
        window: 10_000,
        fragments: 10,
    };
}

/// A checked search: the request and the keys each hit carries in JSON.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub request: SearchRequest,
    pub fields: Option<Vec<String>>,
}

impl Given {
    /// The options of a query string (`q=missili&limit=5&section=esteri&section=cronaca`).
    pub fn from_query_string(text: &str) -> Result<Given, OptionError> {
        let mut given = Given::default();
        for (name, value) in form_urlencoded::parse(text.as_bytes()) {
            given.set(&name, &value)?;
        }
        Ok(given)
    }

    /// Sets the option `name` from its text, as a query string carries it. An empty filter
    /// (`since=`, `section=`, `like=`) is no filter; a flag with no value is true.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), OptionError> {
        let value = value.trim();
        let text = || (!value.is_empty()).then(|| value.to_string());
        match name {
            "q" | "query" => self.query = value.to_string(),
            "limit" => self.limit = Some(number(name, value)?),
            "offset" => self.offset = Some(number(name, value)?),
            "fragments" => self.fragments = Some(number(name, value)?),
            "since" => self.since = text(),
            "until" => self.until = text(),
            "section" => self.section.extend(text()),
            "source" => self.source.extend(text()),
            "like" => self.like = text(),
            "passage" => self.passage = Some(value.to_string()),
            "sort" => self.sort = Some(value.parse().map_err(OptionError)?),
            "interval" => self.interval = Some(interval(value)?),
            "facets" => self.facets = Some(flag(name, value)?),
            "fuzzy" => self.fuzzy = Some(flag(name, value)?),
            "all_copies" => self.all_copies = Some(flag(name, value)?),
            "fields" => self.fields = Some(value.split(',').map(str::to_string).collect()),
            other => {
                return Err(OptionError(format!(
                    "unknown parameter `{other}`; the parameters are {NAMES}"
                )));
            }
        }
        Ok(())
    }

    /// These options, with `base`'s where these have none (a `--batch` line over the command
    /// line's options).
    pub fn over(self, base: &Given) -> Given {
        let list = |mine: Vec<String>, theirs: &Vec<String>| match mine.is_empty() {
            true => theirs.clone(),
            false => mine,
        };
        Given {
            query: self.query,
            limit: self.limit.or(base.limit),
            offset: self.offset.or(base.offset),
            since: self.since.or_else(|| base.since.clone()),
            until: self.until.or_else(|| base.until.clone()),
            section: list(self.section, &base.section),
            source: list(self.source, &base.source),
            sort: self.sort.or(base.sort),
            fuzzy: self.fuzzy.or(base.fuzzy),
            facets: self.facets.or(base.facets),
            fragments: self.fragments.or(base.fragments),
            like: self.like.or_else(|| base.like.clone()),
            interval: self.interval.or(base.interval),
            all_copies: self.all_copies.or(base.all_copies),
            fields: self.fields.or_else(|| base.fields.clone()),
            passage: self.passage.or_else(|| base.passage.clone()),
        }
    }

    /// Checks every option against `limits` and fills in the defaults; a search needs a query
    /// or `like`.
    pub fn resolve(&self, limits: Limits) -> Result<Resolved, OptionError> {
        if self.query.trim().is_empty() && self.like.is_none() && self.passage.is_none() {
            return Err(OptionError(
                "no query: give a query, `like` with an article id, or a passage".into(),
            ));
        }
        self.check(limits)
    }

    /// [`Given::resolve`] without asking for a query: the options that `--batch` lines build on.
    pub fn check(&self, limits: Limits) -> Result<Resolved, OptionError> {
        if let Some(passage) = &self.passage {
            let chars = passage.chars().count();
            if chars > limits.passage_chars {
                return Err(OptionError(format!(
                    "the passage is {chars} characters long; at most {} are searched",
                    limits.passage_chars
                )));
            }
            if passage.trim().is_empty() {
                return Err(OptionError("the passage is empty".into()));
            }
        }
        if self.query.chars().count() > limits.query_chars {
            let most = limits.query_chars;
            return Err(OptionError(format!(
                "the query is longer than {most} characters"
            )));
        }
        let limit = at_most("limit", self.limit.unwrap_or(DEFAULT_LIMIT), limits.limit)?;
        let offset = self.offset.unwrap_or(0);
        if offset.saturating_add(limit) > limits.window {
            return Err(OptionError(format!(
                "`offset` + `limit` is more than {}; narrow the search instead",
                limits.window
            )));
        }
        let fragments = at_most("fragments", self.fragments.unwrap_or(0), limits.fragments)?;
        let date = |name: &str, text: &Option<String>, end: bool| {
            text.as_deref()
                .map(|text| search::parse_date_bound(text, end))
                .transpose()
                .map_err(|e| OptionError(format!("`{name}`: {}", e.0)))
        };
        let (since, until) = (
            date("since", &self.since, false)?,
            date("until", &self.until, true)?,
        );
        if let (Some(since), Some(until)) = (since, until)
            && since > until
        {
            return Err(OptionError(format!(
                "`since` {since} is after `until` {until}"
            )));
        }
        // `id, title` and `id,title,` mean what `id,title` does.
        let fields: Option<Vec<String>> = self.fields.as_ref().map(|fields| {
            fields
                .iter()
                .map(|key| key.trim().to_string())
                .filter(|key| !key.is_empty())
                .collect()
        });
        if let Some(fields) = &fields {
            output::json::check_fields(fields).map_err(OptionError)?;
        }
        let request = SearchRequest {
            query: self.query.clone(),
            limit,
            offset,
            since,
            until,
            sections: self.section.clone(),
            sources: self.source.clone(),
            sort: self.sort.unwrap_or_default(),
            fuzzy: self.fuzzy.unwrap_or(false),
            facets: self.facets.unwrap_or(false),
            interval: self.interval,
            fragments,
            like: self.like.clone(),
            snippets: output::json::wants_snippets(fields.as_deref()),
            all_copies: self.all_copies.unwrap_or(false),
            passage: self.passage.clone(),
        };
        Ok(Resolved { request, fields })
    }
}

fn number(name: &str, value: &str) -> Result<usize, OptionError> {
    value
        .parse()
        .map_err(|_| OptionError(format!("`{name}` must be a whole number, not `{value}`")))
}

fn at_most(name: &str, value: usize, most: usize) -> Result<usize, OptionError> {
    match value <= most {
        true => Ok(value),
        false => Err(OptionError(format!("`{name}` is at most {most}"))),
    }
}

/// A boolean: present with no value, `true`/`1` or `false`/`0`.
fn flag(name: &str, value: &str) -> Result<bool, OptionError> {
    match value {
        "" | "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        other => Err(OptionError(format!(
            "`{name}` is true or false, not `{other}`"
        ))),
    }
}

fn interval(value: &str) -> Result<Interval, OptionError> {
    <Interval as clap::ValueEnum>::from_str(value, true).map_err(|_| {
        OptionError(format!(
            "unknown interval `{value}`: month, quarter or year"
        ))
    })
}

/// A JSON string or list of strings (`"section": "Esteri"` or `["Esteri", "Cronaca"]`).
fn one_or_many<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(one) => vec![one],
        OneOrMany::Many(many) => many,
    })
}

fn some_of_many<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<String>>, D::Error> {
    one_or_many(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query_string(text: &str) -> Result<Resolved, OptionError> {
        Given::from_query_string(text)?.resolve(Limits::HTTP)
    }

    #[test]
    fn a_query_string_sets_every_option() {
        let resolved = query_string(
            "q=missili+Corea&limit=5&offset=10&since=2023-09&until=2024&section=esteri&section=Cronaca&sort=date&facets=true&fuzzy&fragments=2&interval=year&fields=id,snippet",
        )
        .unwrap();
        let r = resolved.request;
        assert_eq!(r.query, "missili Corea");
        assert_eq!((r.limit, r.offset, r.fragments), (5, 10, 2));
        assert_eq!(r.since, chrono::NaiveDate::from_ymd_opt(2023, 9, 1));
        assert_eq!(r.until, chrono::NaiveDate::from_ymd_opt(2024, 12, 31));
        assert_eq!(r.sections, ["esteri", "Cronaca"]);
        assert_eq!(r.sort, Sort::Date);
        assert_eq!(r.interval, Some(Interval::Year));
        assert!(r.facets && r.fuzzy && r.snippets);
        assert_eq!(resolved.fields.unwrap(), ["id", "snippet"]);
    }

    #[test]
    fn empty_filters_are_no_filters() {
        let r = query_string("q=Kim&since=&until=&section=&like=")
            .unwrap()
            .request;
        assert_eq!(
            (r.since, r.until, r.sections.len(), r.like, r.limit),
            (None, None, 0, None, DEFAULT_LIMIT)
        );
    }

    #[test]
    fn what_is_out_of_bounds_or_unknown_is_refused_in_words() {
        let long = "a".repeat(Limits::HTTP.query_chars + 1);
        for (bad, says) in [
            ("", "no query"),
            ("limit=3", "no query"),
            (&format!("q={long}"), "longer than 1000"),
            ("q=Kim&limit=101", "`limit` is at most 100"),
            ("q=Kim&limit=-1", "whole number"),
            ("q=Kim&offset=9995&limit=10", "`offset` + `limit`"),
            ("q=Kim&since=ieri", "`since`"),
            ("q=Kim&since=2024&until=2023", "is after `until`"),
            ("q=Kim&sort=random", "unknown sort"),
            ("q=Kim&interval=week", "unknown interval"),
            ("q=Kim&facets=yes", "true or false"),
            ("q=Kim&fields=id,colour", "unknown key `colour`"),
            ("q=Kim&colour=red", "unknown parameter `colour`"),
        ] {
            let error = query_string(bad).unwrap_err().to_string();
            assert!(
                error.starts_with("bad option: ") && error.contains(says),
                "{bad}: {error}"
            );
        }
        assert!(
            !query_string("q=Kim&fields=id,title")
                .unwrap()
                .request
                .snippets
        );
    }

    #[test]
    fn a_batch_line_lies_over_the_command_line() {
        let base = Given {
            limit: Some(3),
            section: vec!["Esteri".into()],
            ..Given::default()
        };
        let line: Given = serde_json::from_str(
            r#"{"query": "Kim", "sort": "oldest", "since": "2023", "source": "ANSA"}"#,
        )
        .unwrap();
        let r = line.over(&base).resolve(Limits::NONE).unwrap().request;
        assert_eq!((r.limit, r.sort), (3, Sort::Oldest));
        assert_eq!(
            (r.sections, r.sources),
            (vec!["Esteri".into()], vec!["ANSA".into()])
        );
        assert_eq!(r.since, chrono::NaiveDate::from_ymd_opt(2023, 1, 1));
        let unknown = serde_json::from_str::<Given>(r#"{"query": "Kim", "colour": "red"}"#);
        assert!(unknown.is_err());
    }
}
