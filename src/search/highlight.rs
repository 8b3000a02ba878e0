//! What snippets mark: the analysed terms, phrases and prefixes a query looked for, a value the
//! compiler returns with the query.

use std::collections::{BTreeMap, HashSet};

use tantivy::postings::Postings;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::Token;
use tantivy::{DocId, DocSet, SegmentReader, Term};

use super::query::Target;
use super::typo::{edit_distance, typos_allowed};
use crate::analysis;

/// What the snippets mark: the analysed terms, phrases and prefixes a query looks for.
#[derive(Debug, Default, Clone)]
pub(crate) struct Highlight {
    pub body_terms: HashSet<String>,
    pub title_terms: HashSet<String>,
    /// Unstemmed terms (`=word`), matched against the exact analysis of the text.
    pub exact_terms: HashSet<String>,
    pub prefixes: Vec<String>,
    pub phrases: Vec<Phrase>,
    /// Words matched with typos (`--fuzzy`) are marked too.
    pub fuzzy: bool,
}

/// A phrase to mark: its terms with positions relative to the first, and where it was searched.
#[derive(Debug, Clone)]
pub(crate) struct Phrase {
    pub terms: Vec<(usize, String)>,
    pub in_title: bool,
    pub in_body: bool,
}

impl Highlight {
    /// Records the analysed tokens of a word or phrase searched in `target` (all text if none).
    pub fn record(&mut self, target: Option<Target>, tokens: &[Token], slop: u32) {
        let in_title = target != Some(Target::Body);
        let in_body = target != Some(Target::Title);
        let words = analysis::first_at_each_position(tokens);
        if words.len() > 1 && slop == 0 {
            let start = words[0].position;
            let terms = words
                .iter()
                .map(|t| (t.position - start, t.text.clone()))
                .collect();
            self.phrases.push(Phrase {
                terms,
                in_title,
                in_body,
            });
            return;
        }
        for token in tokens {
            if in_body {
                self.body_terms.insert(token.text.clone());
            }
            if in_title {
                self.title_terms.insert(token.text.clone());
            }
        }
    }

    /// Where in an indexed article's `field` (token positions) the words to mark stand, read
    /// from the index's postings: each term's positions, and a phrase's where its terms line
    /// up. `None` when the marks depend on terms the query does not name (prefixes, typos,
    /// exact forms), which only analysing the text again finds.
    pub fn positions(
        &self,
        segment: &SegmentReader,
        field: Field,
        doc: DocId,
    ) -> tantivy::Result<Option<BTreeMap<u32, String>>> {
        if !self.prefixes.is_empty() || self.fuzzy || !self.exact_terms.is_empty() {
            return Ok(None);
        }
        let index = segment.inverted_index(field)?;
        let of_term = |term: &str| -> tantivy::Result<Vec<u32>> {
            let term = Term::from_field_text(field, term);
            let mut positions = Vec::new();
            if let Some(mut postings) =
                index.read_postings(&term, IndexRecordOption::WithFreqsAndPositions)?
                && postings.seek(doc) == doc
            {
                postings.positions(&mut positions);
            }
            Ok(positions)
        };
        let mut marked = BTreeMap::new();
        for term in &self.body_terms {
            for position in of_term(term)? {
                marked.entry(position).or_insert_with(|| term.clone());
            }
        }
        for phrase in self.phrases.iter().filter(|p| p.in_body) {
            let mut terms = Vec::with_capacity(phrase.terms.len());
            for (offset, term) in &phrase.terms {
                let at: HashSet<u32> = of_term(term)?.into_iter().collect();
                terms.push((*offset as u32, term, at));
            }
            let Some((_, _, firsts)) = terms.first() else {
                continue;
            };
            for &start in firsts {
                if terms
                    .iter()
                    .all(|(offset, _, at)| at.contains(&(start + offset)))
                {
                    for (offset, term, _) in &terms {
                        marked.insert(start + offset, (*term).clone());
                    }
                }
            }
        }
        Ok(Some(marked))
    }

    pub fn marks(&self, term: &str, in_title: bool) -> bool {
        let terms = if in_title {
            &self.title_terms
        } else {
            &self.body_terms
        };
        terms.contains(term)
            || self.prefixes.iter().any(|p| term.starts_with(p.as_str()))
            || (self.fuzzy
                && terms
                    .iter()
                    .any(|t| edit_distance(t, term, typos_allowed(t).into()).is_some()))
    }
}
