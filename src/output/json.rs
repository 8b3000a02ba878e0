//! The JSON that scripts parse (docs/CONTRACT.md). These wire structs exist only here, declared in
//! the contract's key order, apart from the domain types they are filled from.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::archive::Stats;
use crate::index::IndexReport;
use crate::ingest::Article;
use crate::search::{Hit, SearchResults};

#[derive(Serialize)]
struct Results<'a> {
    query: &'a str,
    total_hits: usize,
    took_ms: f64,
    hits: Vec<serde_json::Value>,
    /// Added key: no article had every word; these have some of them.
    relaxed: bool,
    /// Added key: the query with its unknown words corrected, or null.
    suggestion: Option<&'a str>,
    /// Added key: articles missing one of the words, shown after the `total_hits` with them all.
    partial_hits: usize,
    /// Added key: the query as it was read, in the query language (null for `--like` alone).
    read_as: Option<&'a str>,
    /// Added key: a question that found nothing as typed was searched with typos tolerated.
    typos_tolerated: bool,
    /// Added key, with `--facets`: matching articles per section and per month.
    #[serde(skip_serializing_if = "Option::is_none")]
    facets: Option<FacetsJson<'a>>,
}

#[derive(Serialize)]
struct FacetsJson<'a> {
    section: &'a BTreeMap<String, u64>,
    month: &'a BTreeMap<String, u64>,
    /// Added key: the period the text output's timeline gathers the months by.
    interval: &'static str,
}

#[derive(Serialize)]
struct MatchJson {
    field: &'static str,
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct HitJson<'a> {
    rank: usize,
    score: f64,
    id: &'a str,
    path: &'a str,
    title: &'a str,
    section: Option<&'a str>,
    date: Option<String>,
    url: Option<&'a str>,
    snippet: String,
    /// Added key: the title, HTML-escaped, with its matched words in `<mark>`.
    title_snippet: String,
    /// Added key: where the matched words are, in characters into the stored title and body.
    matches: Vec<MatchJson>,
    /// Added key, with `--fragments`: the best passages, best first.
    #[serde(skip_serializing_if = "Option::is_none")]
    fragments: Option<Vec<String>>,
    /// Added key: the ids of the other articles of its story (copies with small edits, or
    /// exact), shown once; empty when it has none.
    copies: &'a [String],
    /// Added key, with a passage: the share of the passage this article holds.
    #[serde(skip_serializing_if = "Option::is_none")]
    shared: Option<f32>,
}

/// The keys a hit may carry, for `--fields`.
pub const HIT_KEYS: &[&str] = &[
    "rank",
    "score",
    "id",
    "path",
    "title",
    "section",
    "date",
    "url",
    "snippet",
    "title_snippet",
    "matches",
    "fragments",
    "copies",
    "shared",
];

/// Refuses a `--fields` list naming a key hits do not have.
pub fn check_fields(fields: &[String]) -> Result<(), String> {
    match fields.iter().find(|f| !HIT_KEYS.contains(&f.as_str())) {
        Some(unknown) => Err(format!(
            "unknown key `{unknown}` in fields; the keys are {}",
            HIT_KEYS.join(", ")
        )),
        None => Ok(()),
    }
}

/// Whether hits shown with these keys need snippets (a caller that shows none pays for none).
pub fn wants_snippets(fields: Option<&[String]>) -> bool {
    fields.is_none_or(|keys| {
        keys.iter().any(|k| {
            matches!(
                k.as_str(),
                "snippet" | "title_snippet" | "matches" | "fragments"
            )
        })
    })
}

/// A hit as a JSON object, with only the keys in `fields` when given.
fn hit_value(h: &Hit, fields: Option<&[String]>) -> serde_json::Value {
    // The wire struct holds strings, numbers and lists only: it always serialises.
    let mut value = serde_json::to_value(hit(h)).unwrap_or_default();
    if let (Some(fields), serde_json::Value::Object(map)) = (fields, &mut value) {
        map.retain(|key, _| fields.iter().any(|f| f == key));
    }
    value
}

fn hit(hit: &Hit) -> HitJson<'_> {
    HitJson {
        rank: hit.rank,
        score: (f64::from(hit.score) * 1000.0).round() / 1000.0,
        id: &hit.id,
        path: &hit.path,
        title: &hit.title,
        section: hit.section.as_deref(),
        date: hit.date.map(|d| d.format("%Y-%m-%d").to_string()),
        url: hit.url.as_deref(),
        snippet: hit.snippet.to_html(),
        title_snippet: hit.title_snippet.to_html(),
        matches: hit
            .matches
            .iter()
            .map(|m| MatchJson {
                field: m.field,
                start: m.start,
                end: m.end,
            })
            .collect(),
        fragments: (!hit.fragments.is_empty())
            .then(|| hit.fragments.iter().map(|f| f.to_html()).collect()),
        copies: &hit.copies,
        shared: hit.shared.map(|s| (s * 1000.0).round() / 1000.0),
    }
}

fn took_ms(results: &SearchResults) -> f64 {
    (results.took.as_secs_f64() * 1e5).round() / 100.0
}

/// `search --format json`: one object (one line).
pub fn results(
    results: &SearchResults,
    fields: Option<&[String]>,
    out: &mut impl Write,
) -> io::Result<()> {
    let wire = Results {
        query: &results.query,
        total_hits: results.total_hits,
        took_ms: took_ms(results),
        hits: results.hits.iter().map(|h| hit_value(h, fields)).collect(),
        relaxed: results.relaxed,
        suggestion: results.suggestion.as_deref(),
        partial_hits: results.partial_hits,
        read_as: results.read_as.as_ref().map(|r| r.query.as_str()),
        typos_tolerated: results.read_as.as_ref().is_some_and(|r| r.typos),
        facets: results.facets.as_ref().map(|f| FacetsJson {
            section: &f.section,
            month: &f.month,
            interval: f.interval.name(),
        }),
    };
    serde_json::to_writer(&mut *out, &wire)?;
    writeln!(out)
}

/// `search --format jsonl`: one hit object per line, nothing else.
pub fn hits_lines(
    results: &SearchResults,
    fields: Option<&[String]>,
    out: &mut impl Write,
) -> io::Result<()> {
    for h in &results.hits {
        serde_json::to_writer(&mut *out, &hit_value(h, fields))?;
        writeln!(out)?;
    }
    Ok(())
}

/// A query of a `--batch` that failed: its line says why, and the batch goes on.
pub fn batch_error(query: &str, error: &str, out: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer(
        &mut *out,
        &serde_json::json!({ "query": query, "error": error }),
    )?;
    writeln!(out)
}

#[derive(Serialize)]
struct ArticleJson<'a> {
    id: &'a str,
    path: &'a str,
    title: &'a str,
    section: Option<&'a str>,
    date: Option<String>,
    url: Option<&'a str>,
    source: Option<&'a str>,
    author: Option<&'a str>,
    body: &'a str,
}

/// `get --format json`: the stored article.
pub fn article(article: &Article, out: &mut impl Write) -> io::Result<()> {
    let wire = ArticleJson {
        id: &article.id,
        path: &article.path,
        title: &article.title,
        section: article.section.as_deref(),
        date: article.date.map(|d| d.to_string()),
        url: article.url.as_deref(),
        source: article.source.as_deref(),
        author: article.author.as_deref(),
        body: &article.body,
    };
    serde_json::to_writer(&mut *out, &wire)?;
    writeln!(out)
}

#[derive(Serialize)]
struct ReportJson<'a> {
    articles: u64,
    new: u64,
    changed: u64,
    unchanged: u64,
    removed: u64,
    duplicates: u64,
    skipped: &'a BTreeMap<&'static str, u64>,
    seconds: f64,
    files: u64,
    indexed: u64,
}

/// `index --json`: the run's summary as one object.
pub fn report(report: &IndexReport, out: &mut impl Write) -> io::Result<()> {
    let wire = ReportJson {
        articles: report.articles,
        new: report.new,
        changed: report.changed,
        unchanged: report.unchanged,
        removed: report.removed,
        duplicates: report.duplicates,
        skipped: &report.skipped,
        seconds: (report.seconds * 1000.0).round() / 1000.0,
        files: report.files,
        indexed: report.indexed,
    };
    serde_json::to_writer(&mut *out, &wire)?;
    writeln!(out)
}

#[derive(Serialize)]
struct StatsJson<'a> {
    articles: u64,
    segments: usize,
    size_bytes: u64,
    schema_version: u32,
    sections: &'a BTreeMap<String, u64>,
    first_date: Option<String>,
    last_date: Option<String>,
    undated: u64,
    duplicates: u64,
}

/// `stats --format json`.
pub fn stats(stats: &Stats, out: &mut impl Write) -> io::Result<()> {
    let wire = StatsJson {
        articles: stats.articles,
        segments: stats.segments,
        size_bytes: stats.size_bytes,
        schema_version: stats.schema_version,
        sections: &stats.sections,
        first_date: stats.first_date.map(|d| d.to_string()),
        last_date: stats.last_date.map(|d| d.to_string()),
        undated: stats.undated,
        duplicates: stats.duplicates,
    };
    serde_json::to_writer(&mut *out, &wire)?;
    writeln!(out)
}

#[derive(Serialize)]
struct AnalyzeJson<'a> {
    text: &'a str,
    tokens: Vec<TokenJson<'a>>,
}

#[derive(Serialize)]
struct TokenJson<'a> {
    token: &'a str,
    start_offset: usize,
    end_offset: usize,
    position: usize,
    original: &'a str,
}

/// `analyze --format json`, shaped like Elasticsearch's `_analyze`; offsets count characters.
pub fn tokens(
    text: &str,
    tokens: &[tantivy::tokenizer::Token],
    out: &mut impl Write,
) -> io::Result<()> {
    let chars = |byte: usize| text[..byte].chars().count();
    let tokens = tokens
        .iter()
        .map(|t| TokenJson {
            token: &t.text,
            start_offset: chars(t.offset_from),
            end_offset: chars(t.offset_to),
            position: t.position,
            original: &text[t.offset_from..t.offset_to],
        })
        .collect();
    serde_json::to_writer(&mut *out, &AnalyzeJson { text, tokens })?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::text::tests::sample_results;

    #[test]
    fn search_results_in_json_whole() {
        let mut out = Vec::new();
        results(&sample_results(), None, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            concat!(
                r#"{"query":"Corea: missili","total_hits":1,"took_ms":1.5,"hits":[{"rank":1,"#,
                r#""score":7.25,"id":"ab12","path":"c/2023/09/14/000_ab12.txt","#,
                r#""title":"Pyongyang lancia due missili","section":"Esteri","date":"2023-09-14","#,
                r#""url":null,"snippet":"All’alba due <mark>missili</mark> balistici "#,
                r#"&lt;corto raggio&gt; …","title_snippet":"Pyongyang lancia due "#,
                r#"<mark>missili</mark>","matches":[{"field":"title","start":21,"end":28}],"#,
                r#""copies":["c0ffee","beef"]}],"#,
                r#""relaxed":false,"suggestion":null,"partial_hits":2,"read_as":"Corea missili","typos_tolerated":false}"#,
                "\n"
            )
        );
        let mut chosen = Vec::new();
        let fields = ["id".to_string(), "score".to_string()];
        hits_lines(&sample_results(), Some(&fields), &mut chosen).unwrap();
        assert_eq!(
            String::from_utf8(chosen).unwrap(),
            "{\"score\":7.25,\"id\":\"ab12\"}\n"
        );
    }
}
