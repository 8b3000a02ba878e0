//! `search`, `get` and `stats` answered by a cluster, in the same values the local index gives,
//! so that every renderer and the JSON contract stay the same.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::{Cluster, dsl, hits, total};
use crate::index::Stats;
use crate::ingest::Article;
use crate::search::compile::Bonuses;
use crate::search::facets::{self, Facets, UNKNOWN};
use crate::search::home::{self, Home};
use crate::search::snippet::Snippeter;
use crate::search::{Clause, Hit, Reading, SearchRequest, SearchResults, Sort};

/// Scores are computed with the whole index's term statistics, not each shard's: a title query
/// finds the same article first whatever shard it landed on (one more round trip).
const SEARCH: &str = "/_search?search_type=dfs_query_then_fetch";

/// Runs `request` on the cluster, on the local index's road (see [`home`]): the same reading,
/// compiled query, tiers and snippets; only collecting a page is the cluster's.
pub fn search(cluster: &Cluster, request: &SearchRequest) -> anyhow::Result<SearchResults> {
    let started = Instant::now();
    if request.passage.is_some() {
        return Err(passage_refused());
    }
    let mut parsed = crate::search::parse(request)?;
    let on_cluster = OnCluster { cluster };
    let (ranked, softened) = match &mut parsed {
        Some(parsed) => home::read_and_rank(&on_cluster, parsed, request)?,
        None => (home::every(&on_cluster, request)?, false),
    };
    let mut snippeter = Snippeter::new(ranked.highlight);
    let mut hits: Vec<Hit> = ranked
        .found
        .iter()
        .enumerate()
        .map(|(i, found)| {
            let mut hit = Hit::of(
                article(&found["_source"]),
                request.offset + i + 1,
                found["_score"].as_f64().unwrap_or(0.0) as f32,
                Vec::new(),
            );
            if request.snippets {
                let body = found["_source"]["body"].as_str().unwrap_or_default();
                hit.mark(body, &mut snippeter, None, request.fragments);
            }
            hit
        })
        .collect();
    copies(cluster, &ranked.found, &mut hits)?;
    Ok(SearchResults {
        query: request.query.clone(),
        read_as: parsed.map(|parsed| Reading {
            query: parsed.tree.to_string(),
            forgiven: parsed.forgiven,
            softened,
        }),
        total_hits: ranked.total_hits,
        took: started.elapsed(),
        relaxed: ranked.relaxed,
        partial_hits: ranked.partial_hits,
        suggestion: None,
        unknown_words: 0,
        facets: ranked.facets,
        hits,
    })
}

/// Why a cluster searches no passage.
pub(crate) fn passage_refused() -> anyhow::Error {
    anyhow::anyhow!(
        "a passage is searched in the local index only: its runs of words are compared with each article's stored text, which a cluster would have to send whole"
    )
}

/// The cluster as a home for searches: a page is one `_search`.
struct OnCluster<'a> {
    cluster: &'a Cluster,
}

impl Home for OnCluster<'_> {
    type Found = Value;

    fn collect(
        &self,
        query: Option<&Clause>,
        bonuses: &Bonuses,
        request: &SearchRequest,
    ) -> anyhow::Result<(usize, Vec<Value>, Option<Facets>)> {
        let body = body(self.cluster, query, bonuses, request);
        let answer = self.cluster.call("POST", SEARCH, Some(&body), &[])?.1;
        let facets = request
            .facets
            .then(|| facets_of(&answer["aggregations"], request));
        Ok((total(&answer)?, hits(&answer)?.to_vec(), facets))
    }

    fn one_per_story(&self, found: Vec<Value>) -> Vec<Value> {
        let mut seen = std::collections::HashSet::new();
        found
            .into_iter()
            .filter(|hit| match hit["_source"]["story"].as_str() {
                Some(story) => seen.insert(story.to_string()),
                None => true,
            })
            .collect()
    }
}

/// The `_search` body: the query and its bonuses under the filters, the page, the order, one
/// hit per story (the others named by [`copies`]), and the facets as aggregations. The bonuses
/// score every match rather than the best hundred, as Lucene's rescoring cannot go with
/// collapsing.
fn body(
    cluster: &Cluster,
    query: Option<&Clause>,
    bonuses: &Bonuses,
    request: &SearchRequest,
) -> Value {
    let mut filters: Vec<Value> = home::filters(request).iter().map(dsl::query).collect();
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
    let must = match query {
        Some(query) => dsl::query(query),
        None => json!({ "match_all": {} }),
    };
    let should: Vec<Value> = bonuses.queries.iter().map(dsl::query).collect();
    let mut body = json!({
        "query": { "bool": { "must": must, "should": should, "filter": filters, "must_not": must_not } },
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
    fn ids_are_encoded_as_path_segments() {
        assert_eq!(encode("2023/09 a#b"), "2023%2F09%20a%23b");
    }
}
