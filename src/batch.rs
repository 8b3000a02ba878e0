//! `search --batch`: one query per line on stdin, plain text or a JSON object, and one JSON
//! result per line on stdout, in order, with the index opened once. A line that fails says why
//! in its own result line (`{"query": …, "error": …}`), and the batch goes on.

use std::io::{BufRead, Write};

use crate::archive::Archive;
use crate::options::{Given, Limits, Resolved};
use crate::output;

/// The search a line asks for, over the command line's options (`base`).
fn resolve(line: &str, base: &Given) -> Result<Resolved, String> {
    let given = if line.trim_start().starts_with('{') {
        serde_json::from_str::<Given>(line).map_err(|e| format!("bad JSON line: {e}"))?
    } else {
        Given {
            query: line.to_string(),
            ..Given::default()
        }
    };
    given
        .over(base)
        .resolve(Limits::NONE)
        .map_err(|e| e.to_string())
}

/// Runs every line of `input` against `archive`.
pub fn run(
    archive: &Archive,
    base: &Given,
    input: impl BufRead,
    out: &mut impl Write,
) -> anyhow::Result<()> {
    for line in input.lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let result = resolve(&line, base).and_then(|resolved| {
            let results = archive
                .search(&resolved.request)
                .map_err(|e| format!("{e:#}"));
            results.map(|results| (results, resolved.fields))
        });
        match result {
            Ok((results, fields)) => output::json::results(&results, fields.as_deref(), out)?,
            Err(error) => output::json::batch_error(&line, &error, out)?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::Sort;

    #[test]
    fn plain_and_json_lines() {
        let base = Given::default();
        let resolved = resolve("missili Corea", &base).unwrap();
        assert_eq!(resolved.request.query, "missili Corea");
        let r = resolve(
            r#"{"query": "Kim", "limit": 3, "section": "Esteri", "sort": "oldest", "since": "2023"}"#,
            &base,
        )
        .unwrap()
        .request;
        assert_eq!(
            (r.limit, r.sort, r.sections),
            (3, Sort::Oldest, vec!["Esteri".to_string()])
        );
        assert_eq!(r.since, chrono::NaiveDate::from_ymd_opt(2023, 1, 1));
        assert!(resolve(r#"{"query": "Kim", "colour": "red"}"#, &base).is_err());
        assert!(resolve(r#"{"limit": 3}"#, &base).is_err());
        assert!(resolve(r#"{"query": "Kim", "sort": "random"}"#, &base).is_err());
    }
}
