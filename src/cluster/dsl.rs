//! A compiled query (see [`Clause`]) as OpenSearch's Query DSL. The cluster's documents hold
//! the terms emeroteca's analyzers made (see [`crate::export::document`]), so each clause
//! becomes the query that looks for the same terms: `term`, `match_phrase` over the terms with
//! their gaps, `fuzzy`, `prefix`, `range`, `bool`, `constant_score`.

use serde_json::{Value, json};

use crate::export::analysed_positions;
use crate::search::{Clause, Occurs, On};

/// Lucene's BM25 leaves out the `k1 + 1` factor tantivy's keeps, so its scores are this much
/// smaller: constant scores are scaled alike, to weigh against BM25 as they do locally.
const BM25_SCALE: f32 = 2.2;

/// The cluster field holding what `on` names locally.
fn field(on: On) -> &'static str {
    match on {
        On::Title => "title_terms",
        On::Body => "body_terms",
        On::Exact => "exact_terms",
        On::Headline => "headline",
        On::Section => "section",
        On::Source => "source",
        On::Author => "author",
    }
}

/// The Query DSL of `clause`.
pub(crate) fn query(clause: &Clause) -> Value {
    match clause {
        Clause::Term { on, term } => json!({ "term": { field(*on): term } }),
        Clause::Phrase { on, terms, slop } => {
            let text = analysed_positions(terms.iter().map(|(at, term)| (*at, term.as_str())));
            json!({ "match_phrase": { field(*on): { "query": text, "slop": slop } } })
        }
        Clause::Fuzzy { on, term, typos } => json!({ "fuzzy": { field(*on): {
            "value": term,
            "fuzziness": typos,
            "transpositions": true,
            "boost": 1.0 / BM25_SCALE,
        }}}),
        Clause::Prefix { on, prefix } => json!({ "prefix": { field(*on): {
            "value": prefix,
            "boost": 1.0 / BM25_SCALE,
        }}}),
        Clause::Dates { since, until } => {
            let mut range = serde_json::Map::new();
            if let Some(since) = since {
                range.insert("gte".into(), since.to_string().into());
            }
            if let Some(until) = until {
                range.insert("lte".into(), until.to_string().into());
            }
            json!({ "constant_score": { "filter": { "range": { "date": range } }, "boost": 0.0 } })
        }
        Clause::Bool { clauses, minimum } => {
            let of = |wanted: Occurs| -> Vec<Value> {
                clauses
                    .iter()
                    .filter(|(occurs, _)| *occurs == wanted)
                    .map(|(_, clause)| query(clause))
                    .collect()
            };
            let mut bool = json!({
                "must": of(Occurs::Must),
                "should": of(Occurs::Should),
                "must_not": of(Occurs::MustNot),
            });
            if *minimum > 0 {
                bool["minimum_should_match"] = (*minimum).into();
            }
            json!({ "bool": bool })
        }
        Clause::Boost(clause, by) => json!({ "bool": { "must": query(clause), "boost": by } }),
        Clause::Constant(clause, score) => json!({ "constant_score": {
            "filter": query(clause),
            "boost": score / BM25_SCALE,
        }}),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::NO_TERM;
    use crate::search::compile::{Options, compile};
    use crate::search::query;

    fn compiled(text: &str) -> Value {
        let tree = query::parse(text).unwrap().tree;
        query(&compile(&tree, &Options::default()).unwrap().query)
    }

    #[test]
    fn a_word_looks_for_its_stem_and_its_lemmas_in_title_and_body() {
        let q = compiled("alza");
        let fields: Vec<String> = q.to_string().matches("_terms").map(String::from).collect();
        assert!(!fields.is_empty());
        let text = q.to_string();
        assert!(text.contains(r#"{"term":{"body_terms":"alz"}}"#), "{text}");
        assert!(text.contains(r#""title_terms""#), "{text}");
        assert!(text.contains(r#""boost":2.0"#), "{text}");
    }

    #[test]
    fn a_phrase_keeps_the_gap_a_stop_word_leaves() {
        let text = compiled("\"Corea del Nord\"").to_string();
        assert!(
            text.contains(&format!(r#""query":"cor {NO_TERM} nord""#)),
            "{text}"
        );
    }

    #[test]
    fn excluded_words_and_dates_keep_their_meaning() {
        let q = compiled("missili -Giappone date:2023-09");
        let text = q.to_string();
        assert!(
            q["bool"]["must_not"][0].to_string().contains("giappon"),
            "{text}"
        );
        assert!(text.contains(r#""gte":"2023-09-01""#), "{text}");
        assert!(text.contains(r#""lte":"2023-09-30""#), "{text}");
    }
}
