//! `search`, `get` and `stats` answered by a cluster, in the same values the local index gives,
//! so that every renderer and the JSON contract stay the same.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::{Cluster, dsl, hits, total};
use crate::archive::Stats;
use crate::error::QueryError;
use crate::ingest::Article;
use crate::search::compile::Bonuses;
use crate::search::facets::{Facets, UNKNOWN};
use crate::search::home::{self, Home, RESCORE_WINDOW};
use crate::search::snippet::Snippeter;
use crate::search::typo::Suggestion;
use crate::search::{Clause, Hit, SearchRequest, SearchResults, Sort};
use crate::{analysis, export};

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
    let filters: Vec<Value> = home::filters(request).iter().map(dsl::query).collect();
    let like_it = request
        .like
        .as_deref()
        .map(|id| like(cluster, id))
        .transpose()?;
    // The article and its copies are the same story, not like it.
    let must_not: Vec<Value> = request.like.iter().map(|id| {
        json!({ "terms": { "story": { "index": cluster.name, "id": id, "path": "story" } } })
    }).collect();
    let on_cluster = OnCluster {
        cluster,
        filters,
        must_not,
        like: like_it,
    };
    let (mut ranked, softened) = match &mut parsed {
        Some(parsed) => home::read_and_rank(&on_cluster, parsed, request)?,
        None => (home::every(&on_cluster, request)?, false),
    };
    let found = sources(cluster, std::mem::take(&mut ranked.found), request.snippets)?;
    let mut snippeter = Snippeter::new(std::mem::take(&mut ranked.highlight));
    let mut hits: Vec<Hit> = found
        .iter()
        .enumerate()
        .map(|(i, found)| {
            let mut hit = Hit::of(
                article(&found["_source"]),
                request.offset + i + 1,
                // Ordered by date, a hit may carry no score.
                found["_score"].as_f64().unwrap_or(0.0) as f32,
                Vec::new(),
            );
            if request.snippets {
                // Every document is sent with its body; one without shows no passage.
                let body = found["_source"]["body"].as_str().unwrap_or_default();
                hit.mark(body, &mut snippeter, None, request.fragments);
            }
            hit
        })
        .collect();
    copies(cluster, &found, &mut hits)?;
    // No `did you mean` on a cluster: its term dictionaries are not at hand.
    let none = Suggestion::default();
    Ok(home::results(
        request, parsed, softened, ranked, hits, none, started,
    ))
}

/// The page's hits with their articles, read in one request (the body only for snippets).
fn sources(cluster: &Cluster, mut found: Vec<Value>, body: bool) -> anyhow::Result<Vec<Value>> {
    if found.is_empty() {
        return Ok(found);
    }
    let ids: Vec<&Value> = found.iter().map(|hit| &hit["_id"]).collect();
    let excludes = if body { "bands" } else { "bands,body" };
    let path = format!("/_mget?_source_excludes={excludes}");
    let answer = cluster
        .call("POST", &path, Some(&json!({ "ids": ids })), &[])?
        .1;
    // An answer without its list of documents is one of the wrong length: an error below.
    let docs = answer["docs"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if docs.len() != found.len() {
        anyhow::bail!(
            "the cluster gave {} of {} articles: {answer}",
            docs.len(),
            found.len()
        );
    }
    for (hit, doc) in found.iter_mut().zip(docs) {
        hit["_source"] = doc["_source"].clone();
    }
    // An article deleted between the search and this read (a run of `index --to` under way)
    // is no longer there to show.
    let present = docs.iter().map(|doc| doc["found"] == json!(true));
    Ok(found
        .into_iter()
        .zip(present)
        .filter_map(|(hit, present)| present.then_some(hit))
        .collect())
}

/// Why a cluster searches no passage.
pub(crate) fn passage_refused() -> anyhow::Error {
    anyhow::anyhow!(
        "a passage is searched in the local index only: its runs of words are compared with each article's stored text, which a cluster would have to send whole"
    )
}

/// The articles like the one with `id`: a MoreLikeThis over the terms emeroteca's analyzer
/// makes of its title and body, as the local index's over its title and body.
fn like(cluster: &Cluster, id: &str) -> anyhow::Result<Value> {
    let Some(article) = get(cluster, id)? else {
        return Err(QueryError(format!("no article with id `{id}`")).into());
    };
    let mut italian = analysis::italian();
    let text = [&article.title, &article.body].map(|text| export::analysed(&mut italian, text));
    Ok(json!({ "more_like_this": {
        "fields": ["title_terms", "body_terms"],
        "like": text,
        "min_term_freq": 1,
        "min_doc_freq": 1,
        "max_query_terms": 30,
        // As locally: any of the terms finds an article, and likeness ranks it (Lucene's
        // default wants 30% of them).
        "minimum_should_match": 1,
    }}))
}

/// The cluster as a home for searches: a page is one `_search`, under the request's filters.
struct OnCluster<'a> {
    cluster: &'a Cluster,
    filters: Vec<Value>,
    must_not: Vec<Value>,
    /// `--like`: it ranks, with the query when there is one.
    like: Option<Value>,
}

impl Home for OnCluster<'_> {
    type Found = Value;

    fn collect(
        &self,
        query: Option<&Clause>,
        bonuses: &Bonuses,
        request: &SearchRequest,
    ) -> anyhow::Result<(usize, Vec<Value>, Option<Facets>)> {
        // Copies shown once: more candidates than the page are ranked, so that the page still
        // holds as many stories, as locally; the window grows until it does or holds every
        // match (Lucene cannot rescore a collapsed search).
        let wanted = request.offset + request.limit;
        let mut window = if request.all_copies {
            wanted
        } else {
            wanted * 2
        }
        .max(1);
        let mut facets = None;
        loop {
            let body = self.body(query, bonuses, request, window, facets.is_none());
            let answer = self.cluster.call("POST", SEARCH, Some(&body), &[])?.1;
            if request.facets && facets.is_none() {
                facets = Some(facets_of(&answer["aggregations"]));
            }
            let total = total(&answer)?;
            let mut found = hits(&answer)?.to_vec();
            // Every match is ranked once the window held fewer than it allowed, or all of them.
            let exhausted = found.len() < window || window >= total;
            if !request.all_copies {
                found = self.one_per_story(found);
            }
            if found.len() >= wanted || exhausted {
                let page = found.into_iter().skip(request.offset).take(request.limit);
                return Ok((total, page.collect(), facets));
            }
            // Invariant: the window grows strictly and never past the matches, so the loop ends.
            window = (window * 4).min(total);
        }
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

impl OnCluster<'_> {
    /// The `_search` body: the query under the filters, the first `window` matches in the order
    /// asked for, the bonuses reordering the best of them (as locally, by rescoring), and the
    /// facets as aggregations when asked and `with_facets`.
    fn body(
        &self,
        query: Option<&Clause>,
        bonuses: &Bonuses,
        request: &SearchRequest,
        window: usize,
        with_facets: bool,
    ) -> Value {
        let mut must: Vec<Value> = query.map(dsl::query).into_iter().collect();
        must.extend(self.like.clone());
        if must.is_empty() {
            must.push(json!({ "match_all": {} }));
        }
        let mut body = json!({
            "query": { "bool": { "must": must, "filter": self.filters, "must_not": self.must_not } },
            "size": window,
            "track_total_hits": true,
            "track_scores": true,
            // The stories only: the page's articles are read once it is known (see [`sources`]).
            "_source": ["story"],
        });
        body["sort"] = match request.sort {
            Sort::Relevance => json!(["_score"]),
            Sort::Date => json!([{ "date": { "order": "desc", "missing": "_last" } }, "_score"]),
            Sort::Oldest => json!([{ "date": { "order": "asc", "missing": "_last" } }, "_score"]),
        };
        if request.sort == Sort::Relevance && !bonuses.queries.is_empty() {
            let should: Vec<Value> = bonuses.queries.iter().map(dsl::query).collect();
            body["rescore"] = json!({
                "window_size": window.max(RESCORE_WINDOW),
                "query": {
                    "rescore_query": { "bool": { "should": should } },
                    "query_weight": 1.0,
                    "rescore_query_weight": 1.0,
                    "score_mode": "total",
                },
            });
        }
        if request.facets && with_facets {
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

fn facets_of(aggregations: &Value) -> Facets {
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
    // The timeline's period is chosen with the answer (see `home::results`).
    Facets {
        section,
        month,
        ..Facets::default()
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
