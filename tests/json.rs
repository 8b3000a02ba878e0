//! The JSON outputs, parsed into strict mirrors of docs/CONTRACT.md.

use serde::Deserialize;
use std::collections::BTreeMap;

use crate::util::*;

#[test]
fn search_json_has_every_contract_key() {
    let json = expect_code(
        sample(&["search", "missili Giappone", "--format", "json"]),
        0,
    );
    let results = parse_results(&json);
    assert_eq!(results.query, "missili Giappone");
    assert!(results.took_ms >= 0.0);
    assert_eq!(results.total_hits, results.hits.len());
    let first = &results.hits[0];
    assert_eq!(first.rank, 1);
    assert!(first.score > 0.0);
    assert!(first.snippet.contains("<mark>"));
    // Keys with no value are present as null, not missing.
    let raw: serde_json::Value = serde_json::from_str(&json).unwrap();
    for key in [
        "rank", "score", "id", "path", "title", "section", "date", "url", "snippet",
    ] {
        assert!(raw["hits"][0].get(key).is_some(), "missing {key}");
    }
    let txt = results
        .hits
        .iter()
        .find(|h| h.path.ends_with(".txt"))
        .unwrap();
    assert_eq!(txt.url, None);
    let html = search_sample("Caravaggio", &[]);
    assert_eq!(
        html.hits[0].url.as_deref(),
        Some("https://notizie.example.it/cultura/mostra-caravaggio-napoli")
    );
    assert_eq!(html.hits[0].date.as_deref(), Some("2023-11-21"));
}

#[test]
fn jsonl_paths_name_the_line_and_jsonl_output_is_one_hit_per_line() {
    let out = expect_code(sample(&["search", "pensioni", "--format", "jsonl"]), 0);
    let hits: Vec<Hit> = out
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is a hit"))
        .collect();
    assert_eq!(hits[0].id, "wire-1215-01");
    assert_eq!(
        hits[0].path,
        "sample_corpus/dumps/wire-2023-12-15.jsonl.gz#1"
    );
}

#[test]
fn snippets_are_html_escaped() {
    let results = search_sample("Corea", &[]);
    for hit in &results.hits {
        let without_marks = hit.snippet.replace("<mark>", "").replace("</mark>", "");
        assert!(
            !without_marks.contains('<') && !without_marks.contains('>'),
            "{}",
            hit.snippet
        );
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stats {
    articles: u64,
    segments: u64,
    size_bytes: u64,
    schema_version: u32,
    sections: BTreeMap<String, u64>,
    first_date: Option<String>,
    last_date: Option<String>,
    undated: u64,
    duplicates: u64,
}

#[test]
fn stats_json_describes_the_sample_corpus() {
    let json = expect_code(sample(&["stats", "--format", "json"]), 0);
    let stats: Stats = serde_json::from_str(&json).unwrap();
    assert_eq!(stats.articles, 54);
    assert!(stats.segments >= 1);
    assert!(stats.size_bytes > 0);
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../schema/emeroteca.schema.json")).unwrap();
    assert_eq!(
        Some(u64::from(stats.schema_version)),
        schema["version"].as_u64()
    );
    assert_eq!(stats.sections.values().sum::<u64>(), 54);
    assert_eq!(stats.sections["Esteri"], 8);
    assert_eq!(stats.first_date.as_deref(), Some("2003-06-11"));
    assert_eq!(stats.last_date.as_deref(), Some("2024-03-12"));
    assert_eq!(stats.undated, 0);
    assert_eq!(stats.duplicates, 0);
}
