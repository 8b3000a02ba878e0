//! Turns a parsed query into a tantivy query, and records what snippets should mark.

use std::ops::Bound;

use chrono::NaiveDate;
use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query,
    RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::{TextAnalyzer, Token};

use super::query::{Node, Target, plain_words};
use super::snippet::Highlight;
use crate::analysis::{self, fold_accents};
use crate::error::QueryError;
use crate::index::{self, Fields};

/// How much an article whose title holds every query word gains, over its BM25F score.
const TITLE_BONUS: f32 = 0.5;
/// How much the exact form of a word weighs over its stem's other forms: Snowball folds rare
/// words into common stems (`partita` into `part`, with `parte`), and the form the user typed
/// should rank first.
const EXACT_BOOST: f32 = 0.5;
/// What an article gains where it writes a capitalised query word (a name: `Conte`, not
/// `conti`) with a capital too: a constant, larger than any BM25 score, so that those articles
/// come first and rank among themselves as they would without it.
const NAME_SCORE: f32 = 100.0;
/// The score a word matched only with typos (`--fuzzy`) adds: below any exact match.
const FUZZY_SCORE: f32 = 0.05;

/// The typos `--fuzzy` tolerates in a word, by the length of its analysed form, as Meilisearch
/// users expect: none in short words, one from four letters, two from eight.
pub fn typos_allowed(term: &str) -> u8 {
    match term.chars().count() {
        0..4 => 0,
        4..8 => 1,
        _ => 2,
    }
}

/// Builds tantivy queries from parsed ones.
pub struct Compiler<'a> {
    fields: &'a Fields,
    italian: TextAnalyzer,
    exact: TextAnalyzer,
    keyword: TextAnalyzer,
    /// Tolerate typos in plain words.
    pub fuzzy: bool,
    pub highlight: Highlight,
    /// Scores added to the best candidates of the last compiled query; see [`Compiler::compile`].
    pub bonuses: Vec<Box<dyn Query>>,
}

impl<'a> Compiler<'a> {
    pub fn new(fields: &'a Fields) -> Self {
        Compiler {
            fields,
            italian: analysis::italian(),
            exact: analysis::italian_exact(),
            keyword: analysis::keyword(),
            fuzzy: false,
            highlight: Highlight::default(),
            bonuses: Vec::new(),
        }
    }

    /// The query for `node`; `any` relaxes top-level words from all required to any (ranked by
    /// how many match). An error when nothing searchable is left (only stop words).
    ///
    /// The query ranks by BM25F alone; the other signals (the form typed, names, the title
    /// holding every word) are left in [`Compiler::bonuses`], for the search to add to its best
    /// candidates: as clauses of the query they would make tantivy score every match of every
    /// signal, which costs most on the most common words.
    pub fn compile(&mut self, node: &Node, any: bool) -> Result<Box<dyn Query>, QueryError> {
        // What to mark and reward belongs to this query alone (a relaxed query compiles again).
        self.highlight = Highlight {
            fuzzy: self.fuzzy,
            ..Highlight::default()
        };
        self.bonuses.clear();
        let query = self.node(node, any)?.ok_or_else(|| {
            QueryError(
                "only stop words (il, di, che…) or punctuation: nothing to search for".into(),
            )
        })?;
        // The title bonus: plain words all found in the title.
        let title_terms: Vec<Box<dyn Query>> = plain_words(node)
            .into_iter()
            .filter_map(|text| {
                let tokens = analysis::tokens(&mut self.italian, text);
                terms_query(tokens, self.fields.title)
            })
            .collect();
        if !title_terms.is_empty() {
            let all_in_title =
                BooleanQuery::new(title_terms.into_iter().map(|q| (Occur::Must, q)).collect());
            self.bonuses
                .push(boost(Box::new(all_in_title), TITLE_BONUS));
        }
        Ok(query)
    }

    fn node(&mut self, node: &Node, any: bool) -> Result<Option<Box<dyn Query>>, QueryError> {
        Ok(match node {
            Node::Word {
                field,
                text,
                prefix: true,
                ..
            } => Some(self.prefix(*field, text)?),
            Node::Word {
                field: None,
                text,
                exact: true,
                ..
            } => self.exact_word(text),
            Node::Word { field, text, .. } => self.text(*field, text, 0),
            Node::Phrase { field, text, slop } => self.text(*field, text, *slop),
            Node::Dates { since, until } => Some(self.dates(*since, *until)),
            Node::Or(alternatives) => {
                let mut clauses = Vec::new();
                for alternative in alternatives {
                    if let Some(query) = self.node(alternative, false)? {
                        clauses.push((Occur::Should, query));
                    }
                }
                (!clauses.is_empty())
                    .then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
            }
            Node::And(children) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for child in children {
                    let (occur, child) = match child {
                        Node::Not(inner) => (Occur::MustNot, self.excluded(inner)?),
                        // Dates filter even when words are relaxed.
                        dates @ Node::Dates { .. } => (Occur::Must, self.node(dates, false)?),
                        other if any => (Occur::Should, self.node(other, false)?),
                        other => (Occur::Must, self.node(other, false)?),
                    };
                    if let Some(query) = child {
                        clauses.push((occur, query));
                    }
                }
                if !clauses.iter().any(|(occur, _)| *occur != Occur::MustNot) {
                    if clauses.is_empty() {
                        return Ok(None);
                    }
                    return Err(not_only_excluded());
                }
                Some(Box::new(BooleanQuery::new(clauses)))
            }
            Node::Not(_) => return Err(not_only_excluded()),
        })
    }

    /// An excluded clause: searched like any other, but never highlighted nor rewarded.
    fn excluded(&mut self, node: &Node) -> Result<Option<Box<dyn Query>>, QueryError> {
        let saved = self.highlight.clone();
        let bonuses = self.bonuses.len();
        let query = self.node(node, false);
        self.highlight = saved;
        self.bonuses.truncate(bonuses);
        query
    }

    /// The field a target searches, and whether it holds Italian text (else labels).
    fn field_for(&self, target: Option<Target>) -> (Field, bool) {
        match target {
            None => (self.fields.text, true),
            Some(Target::Title) => (self.fields.title, true),
            Some(Target::Body) => (self.fields.body, true),
            Some(Target::Section) => (self.fields.section, false),
            Some(Target::Source) => (self.fields.source, false),
            Some(Target::Author) => (self.fields.author, false),
            Some(Target::Date) => (self.fields.date, false),
        }
    }

    /// A word or phrase: its analysed terms, as one term query or a phrase query (with `slop`,
    /// a proximity query). A capitalised plain word also looks for its exact form, which ranks
    /// first: `Conte` the name before `conti` the accounts.
    fn text(&mut self, target: Option<Target>, text: &str, slop: u32) -> Option<Box<dyn Query>> {
        let (field, italian) = self.field_for(target);
        if !italian {
            let value = analysis::tokens(&mut self.keyword, text.trim()).pop()?;
            return Some(Box::new(TermQuery::new(
                Term::from_field_text(field, &value.text),
                IndexRecordOption::Basic,
            )));
        }
        let tokens = analysis::tokens(&mut self.italian, text);
        self.highlight.record(target, &tokens, slop);
        let single = (tokens.len() == 1).then(|| tokens[0].text.clone());
        let query = match (&single, self.fuzzy && target.is_none()) {
            (Some(term), true) => fuzzy_term(field, term),
            _ => terms_query_with_slop(tokens, field, slop)?,
        };
        if target.is_some() || single.is_none() {
            return Some(query);
        }
        let exact = analysis::tokens(&mut self.exact, text);
        if let [form] = exact.as_slice() {
            // The word as written ranks above other words of its stem (partita above parte).
            let exact_form = Term::from_field_text(self.fields.exact, &form.text);
            let exact_form = TermQuery::new(exact_form, IndexRecordOption::WithFreqs);
            self.bonuses.push(boost(Box::new(exact_form), EXACT_BOOST));
            if is_capitalised(text) {
                let name = Term::from_field_text(self.fields.exact, &name_term(&form.text));
                let name = Box::new(TermQuery::new(name, IndexRecordOption::Basic));
                self.bonuses
                    .push(Box::new(ConstScoreQuery::new(name, NAME_SCORE)));
            }
        }
        Some(query)
    }

    /// `=word`: this form only, unstemmed; `=Word`, this form written with a capital. These
    /// fields keep no positions, so the words of `=nord-coreano` are each required rather than
    /// adjacent.
    fn exact_word(&mut self, text: &str) -> Option<Box<dyn Query>> {
        let name = is_capitalised(text);
        let clauses: Vec<(Occur, Box<dyn Query>)> = analysis::tokens(&mut self.exact, text)
            .into_iter()
            .map(|token| {
                let term = if name {
                    name_term(&token.text)
                } else {
                    token.text.clone()
                };
                let term = Term::from_field_text(self.fields.exact, &term);
                self.highlight.exact_terms.insert(token.text);
                (
                    Occur::Must,
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)) as Box<dyn Query>,
                )
            })
            .collect();
        (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
    }

    fn dates(&self, since: NaiveDate, until: NaiveDate) -> Box<dyn Query> {
        let open = |date: NaiveDate, end: NaiveDate| (date != end).then_some(date);
        published_between(
            self.fields,
            open(since, NaiveDate::MIN),
            open(until, NaiveDate::MAX),
        )
    }

    /// `word*`: every term that starts like the word. The stem is used when it is a prefix of the
    /// word (`missili*` looks for `missil…`), so the prefix meets the stemmed terms of the index.
    fn prefix(&mut self, target: Option<Target>, text: &str) -> Result<Box<dyn Query>, QueryError> {
        let (field, italian) = self.field_for(target);
        let folded: String = fold_accents(&text.to_lowercase())
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        if folded.chars().count() < 2 {
            return Err(QueryError(format!(
                "`{text}*` is too short: a prefix needs at least two letters"
            )));
        }
        let prefix = match analysis::tokens(&mut self.italian, text).as_slice() {
            [token] if italian && folded.starts_with(token.text.as_str()) => token.text.clone(),
            _ => folded,
        };
        self.highlight.prefixes.push(prefix.clone());
        let pattern = format!("{}.*", regex_escape(&prefix));
        let query = RegexQuery::from_pattern(&pattern, field)
            .map_err(|e| QueryError(format!("cannot search `{text}*`: {e}")))?;
        Ok(Box::new(query))
    }
}

/// Articles published between two days, inclusive (either may be open); a filter, scoring 0.
pub fn published_between(
    fields: &Fields,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> Box<dyn Query> {
    let bound = |date: Option<NaiveDate>| match date {
        None => Bound::Unbounded,
        Some(date) => Bound::Included(Term::from_field_date(
            fields.date,
            index::indexed_date(date),
        )),
    };
    Box::new(ConstScoreQuery::new(
        Box::new(RangeQuery::new(bound(since), bound(until))),
        0.0,
    ))
}

/// The term of the `exact` field marking `form` written with a capital.
fn name_term(form: &str) -> String {
    format!("{}{form}", analysis::NAME_MARK)
}

/// A word written with a capital: a name, matched first in its exact form.
fn is_capitalised(text: &str) -> bool {
    text.starts_with(char::is_uppercase)
}

fn not_only_excluded() -> QueryError {
    QueryError("a query needs at least one word that is not excluded".into())
}

fn boost(query: Box<dyn Query>, by: f32) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, by))
}

/// One analysed term, ranked by BM25, or, within its allowed typos, found at a small constant
/// score: an exact match always ranks above a fuzzy one.
fn fuzzy_term(field: Field, term: &str) -> Box<dyn Query> {
    let exact = Term::from_field_text(field, term);
    let typos = typos_allowed(term);
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
        Occur::Should,
        Box::new(TermQuery::new(exact.clone(), IndexRecordOption::WithFreqs)),
    )];
    if typos > 0 {
        let fuzzy = FuzzyTermQuery::new(exact, typos, true);
        clauses.push((
            Occur::Should,
            Box::new(ConstScoreQuery::new(Box::new(fuzzy), FUZZY_SCORE)),
        ));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// The query for analysed `tokens` in `field`: a term, or a phrase (positions kept).
fn terms_query(tokens: Vec<Token>, field: Field) -> Option<Box<dyn Query>> {
    terms_query_with_slop(tokens, field, 0)
}

fn terms_query_with_slop(tokens: Vec<Token>, field: Field, slop: u32) -> Option<Box<dyn Query>> {
    match tokens.as_slice() {
        [] => None,
        [token] => Some(Box::new(TermQuery::new(
            Term::from_field_text(field, &token.text),
            IndexRecordOption::WithFreqs,
        ))),
        [first, ..] => {
            let start = first.position;
            let terms = tokens
                .iter()
                .map(|t| (t.position - start, Term::from_field_text(field, &t.text)))
                .collect();
            Some(Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop)))
        }
    }
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let special = !c.is_alphanumeric();
            special
                .then_some('\\')
                .into_iter()
                .chain(std::iter::once(c))
        })
        .collect()
}
