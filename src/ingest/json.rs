//! JSON articles: one object per `.json` file (or a list of them), or one per line of a
//! `.jsonl`/`.ndjson` dump. Field names follow docs/CONTRACT.md, with the aliases scrapers
//! commonly write, in English and in Italian.

use serde_json::{Map, Value};

use super::{Article, FileOutcome, Origin, ParseError, SkipReason, extract, parse_date};

const ID: &[&str] = &["id"];
const URL: &[&str] = &["url"];
const TITLE: &[&str] = &["title", "headline", "titolo"];
const SECTION: &[&str] = &["section", "category", "sezione", "categoria"];
const DATE: &[&str] = &["date", "published", "datePublished", "data"];
const BODY: &[&str] = &["body", "text", "content", "articleBody", "testo", "corpo"];
const SOURCE: &[&str] = &["source", "fonte"];
const AUTHOR: &[&str] = &["author", "autore"];

/// A `.json` file: one article object, or a list of them (each a record `FILE#N`, as the
/// lines of a dump; a bad one is reported and skipped, the good ones kept).
pub(crate) fn parse(text: &str, origin: &Origin) -> FileOutcome {
    let value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(e) => return FileOutcome::failed(malformed(&origin.path, &e)),
    };
    let Value::Array(items) = value else {
        return FileOutcome::of(article(&value, &origin.path, origin.file_id()));
    };
    if items.is_empty() {
        return FileOutcome::failed(ParseError::new(
            &origin.path,
            SkipReason::NoText,
            "an empty list",
        ));
    }
    let mut outcome = FileOutcome::default();
    for (index, item) in items.into_iter().enumerate() {
        outcome.add(record(origin, index + 1, Ok(item)));
    }
    outcome
}

/// A JSON Lines dump: one article per non-blank line. A bad line is reported as `FILE#LINE` and
/// skipped; the good lines are kept.
pub(crate) fn parse_lines(text: &str, origin: &Origin) -> FileOutcome {
    let mut outcome = FileOutcome::default();
    for (index, line) in text.lines().enumerate() {
        if !line.trim().is_empty() {
            outcome.add(record(origin, index + 1, serde_json::from_str(line)));
        }
    }
    outcome
}

/// Record `number` (1-based) of a file holding several: its path is `FILE#N`, its id, when it
/// has none, `stem-N`.
fn record(
    origin: &Origin,
    number: usize,
    value: serde_json::Result<Value>,
) -> Result<Article, ParseError> {
    let path = format!("{}#{number}", origin.path);
    let value = value.map_err(|e| malformed(&path, &e))?;
    article(&value, &path, format!("{}-{number}", origin.stem))
}

fn malformed(path: &str, error: &serde_json::Error) -> ParseError {
    ParseError::new(
        path,
        SkipReason::MalformedJson,
        format!("malformed JSON: {error}"),
    )
}

fn article(value: &Value, path: &str, fallback_id: String) -> Result<Article, ParseError> {
    let Value::Object(object) = value else {
        return Err(ParseError::new(
            path,
            SkipReason::MalformedJson,
            "not a JSON object (an article) nor a list of them",
        ));
    };
    let raw_body = text(object, BODY).unwrap_or_default();
    // Some dumps keep the page's markup in `content`.
    let body = if raw_body.contains('<') && raw_body.contains('>') {
        extract::fragment_text(&raw_body)
    } else {
        raw_body.trim().to_string()
    };
    if body.is_empty() {
        return Err(ParseError::new(
            path,
            SkipReason::NoText,
            format!("no article text (`{}`)", BODY.join("`, `")),
        ));
    }
    Ok(Article {
        id: text(object, ID).unwrap_or(fallback_id),
        path: path.to_string(),
        title: text(object, TITLE).unwrap_or_default(),
        section: text(object, SECTION),
        date: text(object, DATE).and_then(|d| parse_date(&d)),
        url: text(object, URL),
        body,
        source: text(object, SOURCE),
        author: text(object, AUTHOR),
    })
}

/// The first of `keys` with a usable value: a string, a number (ids), or the first string of
/// an array (`"category": ["Esteri", "Asia"]`).
fn text(object: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|key| {
        let value = match object.get(*key)? {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            Value::Array(items) => items.iter().find_map(|v| v.as_str())?.trim().to_string(),
            _ => return None,
        };
        (!value.is_empty()).then_some(value)
    })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use std::path::Path;

    fn origin(path: &str) -> Origin {
        Origin::new(Path::new(path))
    }

    /// The one article of a `.json` file, or the error that left it out.
    fn one(text: &str) -> Result<Article, ParseError> {
        let mut outcome = parse(text, &origin("d/x.json"));
        match (outcome.articles.pop(), outcome.errors.pop()) {
            (Some(article), None) if outcome.articles.is_empty() => Ok(article),
            (None, Some(error)) if outcome.errors.is_empty() => Err(error),
            _ => panic!("not one article nor one error"),
        }
    }

    #[test]
    fn an_object_with_contract_fields() {
        let text = r#"{"id": "a1", "url": "https://x.it/a1", "title": "Titolo",
            "section": "Esteri", "date": "2023-09-13", "body": "Il testo.",
            "source": "Agenzia", "author": "Redazione"}"#;
        let article = one(text).unwrap();
        assert_eq!(article.id, "a1");
        assert_eq!(article.section.as_deref(), Some("Esteri"));
        assert_eq!(article.date, NaiveDate::from_ymd_opt(2023, 9, 13));
        assert_eq!(article.body, "Il testo.");
        assert_eq!(article.source.as_deref(), Some("Agenzia"));
    }

    #[test]
    fn aliases_numbers_and_markup() {
        let text = r#"{"id": 42, "title": "T", "category": ["Sport"],
            "published": "2023-09-13T23:30:00+02:00", "content": "<p>Uno.</p><p>Due &amp; tre.</p>"}"#;
        let article = one(text).unwrap();
        assert_eq!(article.id, "42");
        assert_eq!(article.section.as_deref(), Some("Sport"));
        assert_eq!(article.date, NaiveDate::from_ymd_opt(2023, 9, 13));
        assert_eq!(article.body, "Uno.\n\nDue & tre.");
    }

    #[test]
    fn malformed_json_and_missing_body_are_errors() {
        let e = one("{\"title\": ").unwrap_err();
        assert_eq!(e.reason, SkipReason::MalformedJson);
        let e = one(r#"{"title": "Solo titolo"}"#).unwrap_err();
        assert_eq!(e.reason, SkipReason::NoText);
        let e = one("[]").unwrap_err();
        assert_eq!(e.reason, SkipReason::NoText);
        let e = one("\"testo\"").unwrap_err();
        assert_eq!(e.reason, SkipReason::MalformedJson);
    }

    #[test]
    fn a_list_of_articles_keeps_the_good_ones_and_names_the_bad_ones() {
        let text = r#"[{"titolo": "Elezioni regionali", "testo": "Affluenza in calo.",
            "data": "2024-02-25", "sezione": "Politica"},
            2,
            {"headline": "Borsa in rialzo", "articleBody": "Milano chiude in rialzo."}]"#;
        let outcome = parse(text, &origin("d/dump.json"));
        let titles: Vec<&str> = outcome.articles.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(titles, ["Elezioni regionali", "Borsa in rialzo"]);
        let first = &outcome.articles[0];
        assert_eq!(
            (first.path.as_str(), first.id.as_str()),
            ("d/dump.json#1", "dump-1")
        );
        assert_eq!(first.date, NaiveDate::from_ymd_opt(2024, 2, 25));
        assert_eq!(first.section.as_deref(), Some("Politica"));
        assert_eq!(outcome.articles[1].path, "d/dump.json#3");
        assert_eq!(outcome.errors.len(), 1);
        assert_eq!(outcome.errors[0].path, "d/dump.json#2");
    }

    #[test]
    fn lines_keep_the_good_records_and_name_the_bad_ones() {
        let text = "{\"title\": \"A\", \"body\": \"uno\"}\n\n{broken\n{\"title\": \"C\", \"text\": \"tre\"}\n";
        let outcome = parse_lines(text, &origin("d/dump.jsonl"));
        let titles: Vec<&str> = outcome.articles.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(titles, vec!["A", "C"]);
        assert_eq!(outcome.articles[1].path, "d/dump.jsonl#4");
        assert_eq!(outcome.articles[1].id, "dump-4");
        assert_eq!(outcome.errors.len(), 1);
        assert_eq!(outcome.errors[0].path, "d/dump.jsonl#3");
    }
}
