//! The query string of `GET /search`, read into a [`SearchRequest`] with the same names and
//! meanings as the command line's options, and bounded so one request cannot ask for too much.

use crate::output;
use crate::search::{self, SearchRequest, Sort};

/// The longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 1000;
/// The most hits one page may hold.
pub const MAX_LIMIT: usize = 100;
/// How deep paging may go (`offset + limit`), as Elasticsearch's `max_result_window`.
pub const MAX_WINDOW: usize = 10_000;
/// The most passages per hit.
pub const MAX_FRAGMENTS: usize = 10;

/// A search asked for over HTTP: the request and the keys each hit carries.
#[derive(Debug)]
pub struct HttpSearch {
    pub request: SearchRequest,
    pub fields: Option<Vec<String>>,
}

/// Reads `q`, `limit`, `offset`, `since`, `until`, `section` and `source` (repeatable), `sort`,
/// `facets`, `fuzzy`, `fragments`, `like` and `fields` (comma-separated); anything else, or a
/// value out of bounds, is refused with the reason in words.
pub fn parse(query_string: &str) -> Result<HttpSearch, String> {
    let mut request = SearchRequest {
        limit: 10,
        ..SearchRequest::default()
    };
    let mut fields = None;
    for (key, value) in form_urlencoded::parse(query_string.as_bytes()) {
        let value = value.trim();
        match key.as_ref() {
            "q" => {
                if value.chars().count() > MAX_QUERY_CHARS {
                    return Err(format!("`q` is longer than {MAX_QUERY_CHARS} characters"));
                }
                request.query = value.to_string();
            }
            "limit" => request.limit = number(&key, value, MAX_LIMIT)?,
            "offset" => request.offset = number(&key, value, MAX_WINDOW)?,
            "fragments" => request.fragments = number(&key, value, MAX_FRAGMENTS)?,
            "since" if !value.is_empty() => {
                request.since = Some(
                    search::parse_date_bound(value, false)
                        .map_err(|e| format!("`since`: {}", e.0))?,
                )
            }
            "until" if !value.is_empty() => {
                request.until = Some(
                    search::parse_date_bound(value, true)
                        .map_err(|e| format!("`until`: {}", e.0))?,
                )
            }
            "since" | "until" => {}
            "section" if !value.is_empty() => request.sections.push(value.to_string()),
            "source" if !value.is_empty() => request.sources.push(value.to_string()),
            "section" | "source" => {}
            "sort" => request.sort = Sort::from_name(value)?,
            "facets" => request.facets = flag(&key, value)?,
            "fuzzy" => request.fuzzy = flag(&key, value)?,
            "like" if !value.is_empty() => request.like = Some(value.to_string()),
            "like" => {}
            "fields" => {
                let keys: Vec<String> = value.split(',').map(|k| k.trim().to_string()).collect();
                output::json::check_fields(&keys)?;
                fields = Some(keys);
            }
            other => {
                return Err(format!(
                    "unknown parameter `{other}`; the parameters are q, limit, offset, since, until, section, source, sort, facets, fuzzy, fragments, like, fields"
                ));
            }
        }
    }
    if request.query.is_empty() && request.like.is_none() {
        return Err("no query: give `q` (or `like` with an article id)".into());
    }
    if request.offset + request.limit > MAX_WINDOW {
        return Err(format!(
            "`offset` + `limit` is more than {MAX_WINDOW}; narrow the search instead"
        ));
    }
    request.snippets = output::json::wants_snippets(fields.as_deref());
    Ok(HttpSearch { request, fields })
}

fn number(key: &str, value: &str, max: usize) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n) if n <= max => Ok(n),
        Ok(_) => Err(format!("`{key}` is at most {max}")),
        Err(_) => Err(format!("`{key}` must be a whole number, not `{value}`")),
    }
}

/// A boolean parameter: present with no value, `true`/`1` or `false`/`0`.
fn flag(key: &str, value: &str) -> Result<bool, String> {
    match value {
        "" | "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        other => Err(format!("`{key}` is true or false, not `{other}`")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_option() {
        let parsed = parse(
            "q=missili+Corea&limit=5&offset=10&since=2023-09&until=2024&section=esteri&section=Cronaca&sort=date&facets=true&fuzzy&fragments=2&fields=id,snippet",
        )
        .unwrap();
        let r = parsed.request;
        assert_eq!(r.query, "missili Corea");
        assert_eq!((r.limit, r.offset, r.fragments), (5, 10, 2));
        assert_eq!(r.since, chrono::NaiveDate::from_ymd_opt(2023, 9, 1));
        assert_eq!(r.until, chrono::NaiveDate::from_ymd_opt(2024, 12, 31));
        assert_eq!(r.sections, ["esteri", "Cronaca"]);
        assert_eq!(r.sort, Sort::Date);
        assert!(r.facets && r.fuzzy && r.snippets);
        assert_eq!(parsed.fields.unwrap(), ["id", "snippet"]);
    }

    #[test]
    fn empty_filters_are_no_filters() {
        let r = parse("q=Kim&since=&until=&section=&like=").unwrap().request;
        assert_eq!(
            (r.since, r.until, r.sections.len(), r.like),
            (None, None, 0, None)
        );
    }

    #[test]
    fn refuses_what_is_out_of_bounds_or_unknown() {
        let long = "a".repeat(MAX_QUERY_CHARS + 1);
        for bad in [
            "",
            "limit=3",
            &format!("q={long}"),
            "q=Kim&limit=101",
            "q=Kim&limit=-1",
            "q=Kim&offset=9995&limit=10",
            "q=Kim&since=ieri",
            "q=Kim&sort=random",
            "q=Kim&facets=yes",
            "q=Kim&fields=id,colour",
            "q=Kim&colour=red",
        ] {
            assert!(parse(bad).is_err(), "{bad} was accepted");
        }
        assert!(!parse("q=Kim&fields=id,title").unwrap().request.snippets);
    }
}
