//! `search`, `get` and `stats` answered by a cluster, in the same values the local index gives,
//! so that every renderer and the JSON contract stay the same.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::{Cluster, dsl, hits, total};
use crate::index::Stats;
use crate::ingest::Article;
use crate::search::facets::{self, Facets, UNKNOWN};
use crate::search::query::{self, optional_words};
use crate::search::sentence;
use crate::search::snippet::{Piece, SNIPPET_CHARS, Snippet};
use crate::search::{FieldMatch, Hit, Reading, SearchRequest, SearchResults, Sort};

/// What the cluster's highlighter puts around a matched word: characters no article holds.
const MARK_START: &str = "\u{2}";
const MARK_END: &str = "\u{3}";

/// Scores are computed with the whole index's term statistics, not each shard's: a title query
/// finds the same article first whatever shard it landed on (one more round trip).
const SEARCH: &str = "/_search?search_type=dfs_query_then_fetch";

/// Runs `request` on the cluster: the strict query, then, when it finds nothing and the query
/// has two plain words or more, any of them (as locally).
pub fn search(cluster: &Cluster, request: &SearchRequest) -> anyhow::Result<SearchResults> {
    let started = Instant::now();
    if request.passage.is_some() {
        anyhow::bail!(
            "a passage is searched in the local index only: its runs of words are compared with each article's stored text, which a cluster would have to send whole"
        );
    }
    let mut parsed = if request.query.trim().is_empty() && request.like.is_some() {
        None
    } else {
        Some(query::parse(&request.query)?)
    };
    // A question is read as a sentence, as locally.
    let mut softened = false;
    if let Some(parsed) = &mut parsed
        && sentence::is_question(&request.query)
        && let Some(read) = sentence::as_sentence(&parsed.tree, true)
    {
        parsed.tree = read;
        softened = true;
    }
    let strict = match &parsed {
        Some(parsed) => dsl::query(&parsed.tree, request.fuzzy, false)?,
        None => json!({ "match_all": {} }),
    };
    let mut answer = cluster
        .call("POST", SEARCH, Some(&body(cluster, strict, request)), &[])?
        .1;
    let mut relaxed = false;
    let mut total_hits = total(&answer)?;
    if let Some(parsed) = &parsed
        && total_hits == 0
        && optional_words(&parsed.tree) >= 2
    {
        let loose = dsl::query(&parsed.tree, request.fuzzy, true)?;
        answer = cluster
            .call("POST", SEARCH, Some(&body(cluster, loose, request)), &[])?
            .1;
        total_hits = total(&answer)?;
        relaxed = total_hits > 0;
    }
    let found = hits(&answer)?;
    let mut hits: Vec<Hit> = found
        .iter()
        .enumerate()
        .map(|(i, found)| hit(found, request.offset + i + 1, request))
        .collect();
    copies(cluster, found, &mut hits)?;
    Ok(SearchResults {
        query: request.query.clone(),
        read_as: parsed.map(|parsed| Reading {
            query: parsed.tree.to_string(),
            forgiven: parsed.forgiven,
            softened,
        }),
        total_hits,
        took: started.elapsed(),
        relaxed,
        partial_hits: 0,
        suggestion: None,
        unknown_words: 0,
        facets: request
            .facets
            .then(|| facets_of(&answer["aggregations"], request)),
        hits,
    })
}

/// The `_search` body: the query under the filters, the page, the order, the highlighter, one
/// hit per story (the others named by [`copies`]), and the facets as aggregations.
fn body(cluster: &Cluster, query: Value, request: &SearchRequest) -> Value {
    let mut filters = dsl::filters(request);
    let mut must_not = Vec::new();
    if let Some(id) = &request.like {
        filters.push(json!({ "more_like_this": {
            "fields": ["title", "body"],
            "like": [{ "_index": cluster.name, "_id": id }],
            "min_term_freq": 1,
            "min_doc_freq": 1,
            "max_query_terms": 30,
        }}));
        // The article and its copies are the same story, not like it.
        must_not.push(
            json!({ "terms": { "story": { "index": cluster.name, "id": id, "path": "story" } } }),
        );
    }
    let fragments = request.fragments.max(1);
    let mut body = json!({
        "query": { "bool": { "must": query, "filter": filters, "must_not": must_not } },
        "from": request.offset,
        "size": request.limit,
        "track_total_hits": true,
        "track_scores": true,
        "_source": { "excludes": if request.snippets { json!(["bands"]) } else { json!(["bands", "body"]) } },
    });
    body["sort"] = match request.sort {
        Sort::Relevance => json!(["_score"]),
        Sort::Date => json!([{ "date": { "order": "desc", "missing": "_last" } }, "_score"]),
        Sort::Oldest => json!([{ "date": { "order": "asc", "missing": "_last" } }, "_score"]),
    };
    if request.snippets {
        body["highlight"] = json!({
            "pre_tags": [MARK_START],
            "post_tags": [MARK_END],
            "encoder": "default",
            "fields": {
                "title": { "number_of_fragments": 0 },
                "body": {
                    // Passages of about the snippet's length around the matches: the unified
                    // highlighter cutting at words gives each matched word alone, and cutting
                    // at sentences costs it most on news-length articles.
                    "type": "plain",
                    "fragment_size": SNIPPET_CHARS,
                    "number_of_fragments": fragments,
                    "no_match_size": SNIPPET_CHARS,
                },
            },
        });
    }
    if !request.all_copies {
        body["collapse"] = json!({ "field": "story" });
    }
    if request.facets {
        body["aggs"] = json!({
            "section": { "terms": { "field": "section.raw", "size": 10000, "missing": UNKNOWN } },
            "month": { "date_histogram": {
                "field": "date", "calendar_interval": "month", "format": "yyyy-MM", "min_doc_count": 1,
            }},
            "undated": { "missing": { "field": "date" } },
        });
    }
    body
}

fn hit(found: &Value, rank: usize, request: &SearchRequest) -> Hit {
    let source = &found["_source"];
    let text = |name: &str| source[name].as_str().map(str::to_string);
    let id = text("id").unwrap_or_default();
    let title = text("title").unwrap_or_default();
    let body = text("body").unwrap_or_default();
    let highlight = &found["highlight"];
    let title_snippet = highlight["title"][0]
        .as_str()
        .map(marked)
        .unwrap_or_else(|| Snippet {
            pieces: vec![Piece {
                text: title.clone(),
                marked: false,
            }],
        });
    let mut passages: Vec<Snippet> = highlight["body"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(Value::as_str)
        .map(marked)
        .collect();
    let mut matches = char_ranges("title", &title, &title_snippet);
    for passage in &passages {
        matches.extend(char_ranges("body", &body, passage));
    }
    matches.sort_by_key(|m| (m.field != "title", m.start));
    matches.dedup();
    let snippet = passages.first().cloned().unwrap_or_default();
    if request.fragments == 0 {
        passages.clear();
    }
    Hit {
        rank,
        score: found["_score"].as_f64().unwrap_or(0.0) as f32,
        path: text("path").unwrap_or_default(),
        section: text("section"),
        date: text("date").and_then(|d| d.parse().ok()),
        url: text("url"),
        id,
        title,
        title_snippet,
        snippet,
        fragments: passages,
        matches,
        copies: Vec::new(),
        shared: None,
    }
}

/// Names the other articles of each hit's story, with one more request for the whole page
/// (`inner_hits` would make one per hit).
fn copies(cluster: &Cluster, found: &[Value], hits: &mut [Hit]) -> anyhow::Result<()> {
    let stories: Vec<&str> = found
        .iter()
        .filter_map(|hit| hit["_source"]["story"].as_str())
        .collect();
    if stories.is_empty() {
        return Ok(());
    }
    let mut by_story: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let query = json!({ "terms": { "story": stories } });
    cluster.search_all(query, json!(["id", "story"]), |member| {
        let source = &member["_source"];
        if let (Some(story), Some(id)) = (source["story"].as_str(), source["id"].as_str()) {
            by_story
                .entry(story.to_string())
                .or_default()
                .push(id.to_string());
        }
    })?;
    for (hit, found) in hits.iter_mut().zip(found) {
        let members = found["_source"]["story"]
            .as_str()
            .and_then(|story| by_story.get(story));
        hit.copies = members
            .into_iter()
            .flatten()
            .filter(|id| **id != hit.id)
            .cloned()
            .collect();
        hit.copies.sort();
    }
    Ok(())
}

/// A highlighted passage as pieces: the text between the marks marked.
fn marked(highlighted: &str) -> Snippet {
    let mut pieces = Vec::new();
    for (i, part) in highlighted.split(MARK_START).enumerate() {
        let (inside, after) = match part.split_once(MARK_END) {
            Some((inside, after)) if i > 0 => (inside, after),
            _ => ("", part),
        };
        for (text, marked) in [(inside, true), (after, false)] {
            if !text.is_empty() {
                pieces.push(Piece {
                    text: text.to_string(),
                    marked,
                });
            }
        }
    }
    Snippet { pieces }
}

/// Where a passage's marked words are in `text`, in characters: the passage is found in the
/// text (the highlighter cuts passages out of it unchanged).
fn char_ranges(field: &'static str, text: &str, passage: &Snippet) -> Vec<FieldMatch> {
    let plain = passage.plain();
    let Some(at) = text.find(&plain) else {
        return Vec::new();
    };
    let mut chars = text[..at].chars().count();
    let mut ranges = Vec::new();
    for piece in &passage.pieces {
        let length = piece.text.chars().count();
        if piece.marked {
            ranges.push(FieldMatch {
                field,
                start: chars,
                end: chars + length,
            });
        }
        chars += length;
    }
    ranges
}

fn facets_of(aggregations: &Value, request: &SearchRequest) -> Facets {
    let buckets = |name: &str, key: &str| -> BTreeMap<String, u64> {
        aggregations[name]["buckets"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|b| Some((b[key].as_str()?.to_string(), b["doc_count"].as_u64()?)))
            .collect()
    };
    let section = buckets("section", "key");
    let mut month = buckets("month", "key_as_string");
    let undated = aggregations["undated"]["doc_count"].as_u64().unwrap_or(0);
    if undated > 0 {
        month.insert(UNKNOWN.to_string(), undated);
    }
    Facets {
        interval: facets::interval(&month, request.interval),
        section,
        month,
    }
}

/// The article with `id`, if the cluster holds one.
pub fn get(cluster: &Cluster, id: &str) -> anyhow::Result<Option<Article>> {
    let (status, answer) = cluster.call("GET", &format!("/_doc/{}", encode(id)), None, &[404])?;
    if status == 404 || answer["found"] != json!(true) {
        return Ok(None);
    }
    Ok(Some(article(&answer["_source"])))
}

/// An article from a document's source.
pub fn article(source: &Value) -> Article {
    let text = |name: &str| source[name].as_str().map(str::to_string);
    Article {
        id: text("id").unwrap_or_default(),
        path: text("path").unwrap_or_default(),
        title: text("title").unwrap_or_default(),
        section: text("section"),
        date: text("date").and_then(|d| d.parse().ok()),
        url: text("url"),
        body: text("body").unwrap_or_default(),
        source: text("source"),
        author: text("author"),
    }
}

/// A path segment with everything but unreserved characters percent-encoded.
pub fn encode(segment: &str) -> String {
    const RESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(segment, RESERVED).to_string()
}

/// The articles the index holds.
pub fn count(cluster: &Cluster) -> anyhow::Result<u64> {
    let answer = cluster.call("GET", "/_count", None, &[])?.1;
    answer["count"]
        .as_u64()
        .ok_or_else(|| anyhow::anyhow!("the cluster gave no count: {answer}"))
}

/// The index's statistics, as `stats` shows them for a local index.
pub fn stats(cluster: &Cluster) -> anyhow::Result<Stats> {
    let request = json!({
        "size": 0,
        "track_total_hits": true,
        "aggs": {
            "section": { "terms": { "field": "section.raw", "size": 10000 } },
            "first": { "min": { "field": "date", "format": "yyyy-MM-dd" } },
            "last": { "max": { "field": "date", "format": "yyyy-MM-dd" } },
            "undated": { "missing": { "field": "date" } },
            "stories": { "cardinality": { "field": "story", "precision_threshold": 40000 } },
        },
    });
    let answer = cluster.call("POST", "/_search", Some(&request), &[])?.1;
    let aggregations = &answer["aggregations"];
    let articles = total(&answer)? as u64;
    let day = |name: &str| -> Option<NaiveDate> {
        aggregations[name]["value_as_string"]
            .as_str()
            .and_then(|d| d.parse().ok())
    };
    let index_stats = cluster.call("GET", "/_stats/store,segments", None, &[])?.1;
    let primaries = &index_stats["_all"]["primaries"];
    let mapping = cluster.call("GET", "/_mapping", None, &[])?.1;
    let schema_version = mapping
        .as_object()
        .and_then(|indices| indices.values().next())
        .and_then(|index| index["mappings"]["_meta"]["emeroteca_schema"].as_u64())
        .unwrap_or(0) as u32;
    let stories = aggregations["stories"]["value"]
        .as_u64()
        .unwrap_or(articles);
    Ok(Stats {
        articles,
        segments: primaries["segments"]["count"].as_u64().unwrap_or(0) as usize,
        size_bytes: primaries["store"]["size_in_bytes"].as_u64().unwrap_or(0),
        schema_version,
        sections: aggregations["section"]["buckets"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|b| Some((b["key"].as_str()?.to_string(), b["doc_count"].as_u64()?)))
            .collect(),
        first_date: day("first"),
        last_date: day("last"),
        undated: aggregations["undated"]["doc_count"].as_u64().unwrap_or(0),
        duplicates: articles.saturating_sub(stories),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlighted_passages_become_marked_pieces_placed_in_the_text() {
        let snippet = marked("I \u{2}missili\u{3} della \u{2}Corea\u{3}");
        assert_eq!(
            snippet.to_html(),
            "I <mark>missili</mark> della <mark>Corea</mark>"
        );
        let text = "Città: I missili della Corea del Nord";
        let ranges = char_ranges("body", text, &snippet);
        assert_eq!(ranges.len(), 2);
        assert_eq!(&text.chars().collect::<String>()[..], text);
        let chars: Vec<char> = text.chars().collect();
        let word = |r: &FieldMatch| chars[r.start..r.end].iter().collect::<String>();
        assert_eq!(word(&ranges[0]), "missili");
        assert_eq!(word(&ranges[1]), "Corea");
    }

    #[test]
    fn ids_are_encoded_as_path_segments() {
        assert_eq!(encode("2023/09 a#b"), "2023%2F09%20a%23b");
    }
}
