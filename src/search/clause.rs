//! A compiled query as a value either home can run: the local index turns it into tantivy
//! queries ([`Clause::to_tantivy`]), a cluster into Query DSL (`cluster::dsl`). Both index the
//! same analysed terms, so a clause means the same in each.

use std::ops::Bound;

use chrono::NaiveDate;
use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query,
    RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use super::union::AnyOf;
use crate::index::{self, Fields};

/// A field a clause searches, by what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum On {
    /// The title's Italian terms (stems, and lemmas' stems at the same positions).
    Title,
    Body,
    /// The unstemmed forms of title and body, and names marked as such.
    Exact,
    /// The whole title as one term.
    Headline,
    Section,
    Source,
    Author,
}

impl On {
    fn field(self, fields: &Fields) -> Field {
        match self {
            On::Title => fields.title,
            On::Body => fields.body,
            On::Exact => fields.exact,
            On::Headline => fields.headline,
            On::Section => fields.section,
            On::Source => fields.source,
            On::Author => fields.author,
        }
    }

    /// Whether a term's frequency in the field counts (labels and headlines are there or not).
    fn counts_frequency(self) -> bool {
        matches!(self, On::Title | On::Body | On::Exact)
    }
}

/// Which way a clause of a [`Clause::Bool`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Occurs {
    Must,
    Should,
    MustNot,
}

#[derive(Debug, Clone)]
pub(crate) enum Clause {
    /// The articles holding an analysed term, ranked by BM25.
    Term { on: On, term: String },
    /// Terms at positions relative to the first (stop words leave their places empty), within
    /// `slop` extra positions.
    Phrase {
        on: On,
        terms: Vec<(usize, String)>,
        slop: u32,
    },
    /// Terms within `typos` edits of `term` (transpositions count one), at a score of 1.
    Fuzzy { on: On, term: String, typos: u8 },
    /// Terms starting with `prefix`, at a score of 1.
    Prefix { on: On, prefix: String },
    /// Published between two days, inclusive (either may be open), at a score of 0.
    Dates {
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
    },
    /// Every `Must`, no `MustNot`, and at least `minimum` of the `Should` (at least one when
    /// there is nothing else); the scores add up.
    Bool {
        clauses: Vec<(Occurs, Clause)>,
        minimum: usize,
    },
    /// The clause's score times a factor.
    Boost(Box<Clause>, f32),
    /// The clause's matches, each at this score.
    Constant(Box<Clause>, f32),
}

impl Clause {
    pub(crate) fn boosted(self, by: f32) -> Clause {
        if by == 1.0 {
            self
        } else {
            Clause::Boost(Box::new(self), by)
        }
    }

    pub(crate) fn scored_at(self, score: f32) -> Clause {
        Clause::Constant(Box::new(self), score)
    }

    /// Any of the clauses, ranked by how many match; a single one as it is.
    pub(crate) fn any(mut clauses: Vec<Clause>) -> Option<Clause> {
        match clauses.len() {
            0 => None,
            1 => clauses.pop(),
            _ => Some(Clause::Bool {
                clauses: clauses.into_iter().map(|c| (Occurs::Should, c)).collect(),
                minimum: 0,
            }),
        }
    }

    /// Every one of the clauses.
    pub(crate) fn all(clauses: Vec<Clause>) -> Clause {
        Clause::Bool {
            clauses: clauses.into_iter().map(|c| (Occurs::Must, c)).collect(),
            minimum: 0,
        }
    }

    /// This clause's matches that `other` does not match.
    pub(crate) fn without(self, other: Clause) -> Clause {
        Clause::Bool {
            clauses: vec![(Occurs::Must, self), (Occurs::MustNot, other)],
            minimum: 0,
        }
    }

    /// The tantivy query that means the same in the local index.
    pub(crate) fn to_tantivy(&self, fields: &Fields) -> Box<dyn Query> {
        self.tantivy(fields, false)
    }

    /// The same, for a query that filters will narrow (an intersection seeks it).
    pub(crate) fn to_tantivy_filtered(&self, fields: &Fields) -> Box<dyn Query> {
        self.tantivy(fields, true)
    }

    /// `sought`: other clauses drive this one, seeking it to the documents they match (an
    /// intersection), rather than walking through its matches; a union is then an [`AnyOf`],
    /// which seeks without scoring a window ahead.
    fn tantivy(&self, fields: &Fields, sought: bool) -> Box<dyn Query> {
        match self {
            Clause::Term { on, term } => {
                let record = if on.counts_frequency() {
                    IndexRecordOption::WithFreqs
                } else {
                    IndexRecordOption::Basic
                };
                let term = Term::from_field_text(on.field(fields), term);
                Box::new(TermQuery::new(term, record))
            }
            Clause::Phrase { on, terms, slop } => {
                let field = on.field(fields);
                let terms = terms
                    .iter()
                    .map(|(at, term)| (*at, Term::from_field_text(field, term)))
                    .collect();
                Box::new(PhraseQuery::new_with_offset_and_slop(terms, *slop))
            }
            Clause::Fuzzy { on, term, typos } => {
                let term = Term::from_field_text(on.field(fields), term);
                Box::new(FuzzyTermQuery::new(term, *typos, true))
            }
            Clause::Prefix { on, prefix } => {
                let pattern = format!("{}.*", regex_escape(prefix));
                // An escaped literal followed by `.*` is always a valid expression.
                let query = RegexQuery::from_pattern(&pattern, on.field(fields))
                    .expect("an escaped prefix makes a valid expression");
                Box::new(query)
            }
            Clause::Dates { since, until } => {
                let bound = |date: &Option<NaiveDate>| match date {
                    None => Bound::Unbounded,
                    Some(date) => Bound::Included(Term::from_field_date(
                        fields.date,
                        index::indexed_date(*date),
                    )),
                };
                let range = Box::new(RangeQuery::new(bound(since), bound(until)));
                Box::new(ConstScoreQuery::new(range, 0.0))
            }
            Clause::Bool {
                clauses,
                minimum: 0,
            } if sought && clauses.iter().all(|(occurs, _)| *occurs == Occurs::Should) => {
                let any = clauses
                    .iter()
                    .map(|(_, clause)| clause.tantivy(fields, true));
                Box::new(AnyOf(any.collect()))
            }
            Clause::Bool { clauses, minimum } => {
                let musts = clauses.iter().filter(|(o, _)| *o == Occurs::Must).count();
                let clauses = clauses
                    .iter()
                    .map(|(occurs, clause)| {
                        let (occur, sought) = match occurs {
                            Occurs::Must => (Occur::Must, sought || musts >= 2),
                            Occurs::Should => (Occur::Should, sought || musts >= 1),
                            Occurs::MustNot => (Occur::MustNot, true),
                        };
                        (occur, clause.tantivy(fields, sought))
                    })
                    .collect();
                Box::new(match minimum {
                    0 => BooleanQuery::new(clauses),
                    n => BooleanQuery::with_minimum_required_clauses(clauses, *n),
                })
            }
            Clause::Boost(clause, by) => {
                Box::new(BoostQuery::new(clause.tantivy(fields, sought), *by))
            }
            Clause::Constant(clause, score) => {
                Box::new(ConstScoreQuery::new(clause.tantivy(fields, sought), *score))
            }
        }
    }
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = !c.is_alphanumeric();
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}
