//! Any of a few queries, as a union that moves its members only when asked.
//!
//! tantivy's union of scored clauses buffers the next 4,096 documents of every member and scores
//! them all. Iterated whole, that is fast; but a word of a query is a union (title and body,
//! each its stem and its lemma's stem), and an intersection with a rarer word or a filter seeks
//! it far ahead at every match, so each seek refills and scores a window of a common word's
//! documents, most of which the intersection never looks at. This union seeks each member to
//! the target and scores only the document it stands on.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

/// Any of `queries`; a document's score is the sum of the scores of those it matches.
#[derive(Debug)]
pub(crate) struct AnyOf(pub(crate) Vec<Box<dyn Query>>);

impl Clone for AnyOf {
    fn clone(&self) -> AnyOf {
        AnyOf(self.0.iter().map(|query| query.box_clone()).collect())
    }
}

impl Query for AnyOf {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .0
            .iter()
            .map(|query| query.weight(scoring))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(AnyOfWeight(weights)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for query in &self.0 {
            query.query_terms(visitor);
        }
    }
}

struct AnyOfWeight(Vec<Box<dyn Weight>>);

impl Weight for AnyOfWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut members = Vec::with_capacity(self.0.len());
        for weight in &self.0 {
            let scorer = weight.scorer(reader, boost)?;
            if scorer.doc() != TERMINATED {
                members.push(scorer);
            }
        }
        if members.len() == 1 {
            return Ok(members.remove(0));
        }
        let doc = first(&members);
        Ok(Box::new(AnyOfScorer { members, doc }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        let mut explanation = Explanation::new("any of", scorer.score());
        for weight in &self.0 {
            // A member that does not match the document has nothing to explain.
            if let Ok(member) = weight.explain(reader, doc) {
                explanation.add_detail(member);
            }
        }
        Ok(explanation)
    }
}

struct AnyOfScorer {
    members: Vec<Box<dyn Scorer>>,
    doc: DocId,
}

/// The first document any member stands on.
fn first(members: &[Box<dyn Scorer>]) -> DocId {
    members
        .iter()
        .map(|member| member.doc())
        .min()
        .unwrap_or(TERMINATED)
}

impl DocSet for AnyOfScorer {
    fn advance(&mut self) -> DocId {
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        for member in &mut self.members {
            if member.doc() == self.doc {
                member.advance();
            }
        }
        self.doc = first(&self.members);
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        for member in &mut self.members {
            if member.doc() < target {
                member.seek(target);
            }
        }
        self.doc = first(&self.members);
        self.doc
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.members
            .iter()
            .fold(0, |sum: u32, member| sum.saturating_add(member.size_hint()))
    }

    fn cost(&self) -> u64 {
        self.members.iter().map(|member| member.cost()).sum()
    }
}

impl Scorer for AnyOfScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        self.members
            .iter_mut()
            .filter(|member| member.doc() == doc)
            .map(|member| member.score())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{Index, doc};

    #[test]
    fn a_union_sought_by_an_intersection_finds_and_scores_what_tantivys_does() {
        let mut builder = Schema::builder();
        let text = builder.add_text_field("text", TEXT);
        let index = Index::create_in_ram(builder.build());
        let mut writer = index.writer(15_000_000).unwrap();
        for i in 0..5_000u32 {
            let mut words = vec!["governo"];
            if i % 3 == 0 {
                words.push("crisi");
            }
            if i % 7 == 0 {
                words.extend(["crisi", "crisi"]);
            }
            if i % 11 == 0 {
                words.push("ministro");
            }
            if i % 997 == 0 {
                words.push("ambasciatore");
            }
            writer.add_document(doc!(text => words.join(" "))).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = |word: &str| -> Box<dyn Query> {
            let term = Term::from_field_text(text, word);
            Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
        };
        let with = |union: Box<dyn Query>, rare: &str| {
            let query = BooleanQuery::new(vec![(Occur::Must, union), (Occur::Must, term(rare))]);
            searcher
                .search(&query, &TopDocs::with_limit(100).order_by_score())
                .unwrap()
        };
        for rare in ["ambasciatore", "ministro"] {
            let ours = with(Box::new(AnyOf(vec![term("crisi"), term("ministro")])), rare);
            let theirs = with(
                Box::new(BooleanQuery::new(vec![
                    (Occur::Should, term("crisi")),
                    (Occur::Should, term("ministro")),
                ])),
                rare,
            );
            assert!(!ours.is_empty());
            assert_eq!(ours.len(), theirs.len());
            for ((a, at), (b, bt)) in ours.iter().zip(&theirs) {
                assert_eq!(at, bt);
                assert!((a - b).abs() < 1e-5, "{a} against {b}");
            }
        }
    }
}
