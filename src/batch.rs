//! `search --batch`: one query per line on stdin, plain text or a JSON object, and one JSON
//! result per line on stdout, in order, with the index opened once. A line that fails says why
//! in its own result line (`{"query": …, "error": …}`), and the batch goes on.

use std::io::{BufRead, Write};

use serde::Deserialize;

use crate::index::OpenIndex;
use crate::output;
use crate::search::{self, SearchRequest, Sort};

/// A JSON line of a batch: the query and any of the command line's options.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchLine {
    #[serde(default)]
    query: String,
    limit: Option<usize>,
    offset: Option<usize>,
    since: Option<String>,
    until: Option<String>,
    section: Option<OneOrMany>,
    source: Option<OneOrMany>,
    sort: Option<String>,
    fuzzy: Option<bool>,
    facets: Option<bool>,
    fragments: Option<usize>,
    like: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(one) => vec![one],
            OneOrMany::Many(many) => many,
        }
    }
}

/// The request a batch line asks for, on top of the command line's `base`.
fn request(line: &str, base: &SearchRequest) -> Result<SearchRequest, String> {
    let mut request = base.clone();
    if !line.trim_start().starts_with('{') {
        request.query = line.to_string();
        return Ok(request);
    }
    let parsed: BatchLine =
        serde_json::from_str(line).map_err(|e| format!("bad JSON line: {e}"))?;
    request.query = parsed.query;
    if parsed.like.is_some() {
        request.like = parsed.like;
    }
    request.limit = parsed.limit.unwrap_or(request.limit);
    request.offset = parsed.offset.unwrap_or(request.offset);
    request.fuzzy = parsed.fuzzy.unwrap_or(request.fuzzy);
    request.facets = parsed.facets.unwrap_or(request.facets);
    request.fragments = parsed.fragments.unwrap_or(request.fragments);
    if let Some(since) = parsed.since {
        request.since = Some(search::parse_date_bound(&since, false).map_err(|e| e.0)?);
    }
    if let Some(until) = parsed.until {
        request.until = Some(search::parse_date_bound(&until, true).map_err(|e| e.0)?);
    }
    if let Some(sections) = parsed.section {
        request.sections = sections.into_vec();
    }
    if let Some(sources) = parsed.source {
        request.sources = sources.into_vec();
    }
    if let Some(sort) = parsed.sort {
        request.sort = Sort::from_name(&sort)?;
    }
    if request.query.trim().is_empty() && request.like.is_none() {
        return Err("no `query`".into());
    }
    Ok(request)
}

/// Runs every line of `input` against `opened`.
pub fn run(
    opened: &OpenIndex,
    base: &SearchRequest,
    input: impl BufRead,
    fields: Option<&[String]>,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let result = request(&line, base)
            .and_then(|request| search::search(opened, &request).map_err(|e| format!("{e:#}")));
        match result {
            Ok(results) => output::json::results(&results, fields, out)?,
            Err(error) => output::json::batch_error(&line, &error, out)?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_json_lines() {
        let base = SearchRequest {
            limit: 10,
            ..SearchRequest::default()
        };
        assert_eq!(
            request("missili Corea", &base).unwrap().query,
            "missili Corea"
        );
        let r = request(
            r#"{"query": "Kim", "limit": 3, "section": "Esteri", "sort": "oldest", "since": "2023"}"#,
            &base,
        )
        .unwrap();
        assert_eq!(
            (r.limit, r.sort, r.sections),
            (3, Sort::Oldest, vec!["Esteri".to_string()])
        );
        assert_eq!(r.since, chrono::NaiveDate::from_ymd_opt(2023, 1, 1));
        assert!(request(r#"{"query": "Kim", "colour": "red"}"#, &base).is_err());
        assert!(request(r#"{"limit": 3}"#, &base).is_err());
        assert!(request(r#"{"query": "Kim", "sort": "random"}"#, &base).is_err());
    }
}
