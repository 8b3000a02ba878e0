//! Turns a parsed query into a value: the tantivy query that finds and ranks the articles, the
//! bonuses its best candidates gain, and what snippets should mark.

use std::collections::HashSet;
use std::ops::Bound;

use chrono::NaiveDate;
use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, PhraseQuery, Query,
    RangeQuery, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::{TextAnalyzer, Token};

use super::highlight::Highlight;
use super::query::{Node, Target, is_plain_word, name_key, plain_words};
use super::typo::typos_allowed;
use crate::analysis::{self, fold_accents};
use crate::error::QueryError;
use crate::index::{self, Fields};

/// How much a title word weighs against a body word.
const TITLE_WEIGHT: f32 = 2.0;
/// How far apart two consecutive query words may stand in the body to count as close, and what
/// an article gains for each such pair (a BM25 score of its own, scaled).
const NEAR_SLOP: u32 = 1;
const NEAR_BOOST: f32 = 0.2;
/// How much more a body holding the query's words in a row weighs (their phrase's BM25).
const BODY_PHRASE_BOOST: f32 = 1.0;
/// How much more a title holding every word of the query weighs (its BM25 again, scaled).
const TITLE_COVERED_BOOST: f32 = 1.0;
/// What the article gains whose title the query repeats as typed: about a rare word matched
/// in a title, bounded like every other bonus.
const HEADLINE_BONUS: f32 = 5.0;
/// How much the exact form of a word weighs over its stem's other forms: Snowball folds rare
/// words into common stems (`partita` into `part`, with `parte`), and the form the user typed
/// should rank first.
const EXACT_BOOST: f32 = 0.5;
/// What an article gains where it writes a query word written as a name (`Conte` mid-query, not
/// `conti`) with a capital too: bounded, about one good title match.
const NAME_BONUS: f32 = 1.0;
/// The score a word matched only with typos (`--fuzzy`) adds: below any exact match.
const FUZZY_SCORE: f32 = 0.05;

/// From how many distinct plain words a question rewards the body's window holding most of them.
const NEAR_WORDS: usize = 3;

/// What the best candidates gain besides BM25: the bonus queries' scores, and, for a question,
/// how much of its words (`near`, body terms) one window of the body holds.
#[derive(Default)]
pub struct Bonuses {
    pub queries: Vec<Box<dyn Query>>,
    pub near: Vec<Term>,
}

/// Which of a query's plain words (see [`Compiled::optional_words`]) an article must have.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Words {
    #[default]
    All,
    /// Every one but one: the articles a search adds after those with every word.
    AllButOne,
    /// At least one, ranked by how many match: when no article has every word.
    Any,
}

/// How to compile a query.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Tolerate typos in plain words.
    pub fuzzy: bool,
    pub words: Words,
    /// The query's words written as names (see [`super::query::name_words`]).
    pub names: HashSet<String>,
    /// The query as typed, which a title may repeat.
    pub typed: String,
    /// The query is a question: the body's window holding most of its words is rewarded.
    pub question: bool,
}

/// A compiled query: what finds and ranks the articles, what the best of them gain besides, and
/// what their snippets mark.
pub struct Compiled {
    /// BM25 over title and body, each field with its own statistics, the title weighed more.
    pub query: Box<dyn Query>,
    /// Scores added to the best candidates (the form typed, names, words close together): as
    /// clauses of the query they would make tantivy score every match of every signal, which
    /// costs most on the most common words.
    pub bonuses: Bonuses,
    pub highlight: Highlight,
    /// How many of the query's top-level plain words search for something (stop words do
    /// not): the words [`Words`] lets an article miss.
    pub optional_words: usize,
}

/// Compiles `tree`. An error when nothing searchable is left (only stop words, only excluded
/// words).
pub fn compile(tree: &Node, fields: &Fields, options: &Options) -> Result<Compiled, QueryError> {
    let mut compiler = Compiler::new(fields, options);
    let query = compiler.node(tree, true)?.ok_or_else(|| {
        QueryError("only stop words (il, di, che…) or punctuation: nothing to search for".into())
    })?;
    // The plain words in a row, analysed: stop words leave their positions empty, and a
    // word's lemma stands at its position beside its stem.
    let in_a_row = analysis::tokens(&mut compiler.italian, &plain_words(tree).join(" "));
    let words = analysis::first_at_each_position(&in_a_row);
    let mut bonuses = compiler.bonuses;
    bonuses.extend(proximity(fields, &words));
    bonuses.extend(title_coverage(fields, &in_a_row));
    bonuses.extend(same_headline(fields, &options.typed));
    bonuses.extend(body_phrase(fields, &words));
    let mut near: Vec<Term> = words
        .iter()
        .map(|token| Term::from_field_text(fields.body, &token.text))
        .collect();
    near.sort();
    near.dedup();
    let bonuses = Bonuses {
        queries: bonuses,
        near: if options.question && near.len() >= NEAR_WORDS {
            near
        } else {
            Vec::new()
        },
    };
    let optional_words = match tree {
        Node::And(_) => compiler.optional_words,
        single => usize::from(is_plain_word(single)),
    };
    Ok(Compiled {
        query,
        bonuses,
        highlight: compiler.highlight,
        optional_words,
    })
}

/// Pairs of consecutive plain words (their stems) close together in the body (within
/// [`NEAR_SLOP`]).
fn proximity(fields: &Fields, words: &[&Token]) -> Vec<Box<dyn Query>> {
    words
        .windows(2)
        .filter(|pair| pair[0].text != pair[1].text)
        .map(|pair| {
            let body = |token: &Token| Term::from_field_text(fields.body, &token.text);
            let near = PhraseQuery::new_with_offset_and_slop(
                vec![(0, body(pair[0])), (1, body(pair[1]))],
                NEAR_SLOP,
            );
            boost(Box::new(near), NEAR_BOOST)
        })
        .collect()
}

/// A body holding the query's plain words as written, one after the other (stop words between
/// them in their places): its BM25 as a phrase, once. Words of a sentence remembered, or a
/// pasted passage, find their article.
fn body_phrase(fields: &Fields, words: &[&Token]) -> Option<Box<dyn Query>> {
    if words.len() < 2 {
        return None;
    }
    Some(boost(phrase(words, fields.body, 0)?, BODY_PHRASE_BOOST))
}

/// A title holding every one of two or more plain words (their `tokens`, a word's stem and
/// lemma at one position), in any of their forms: its BM25 once more. The title of `Scala
/// livello` answers `scalano livelli` better than `Scala immagine`, whose body repeats `scalano`.
fn title_coverage(fields: &Fields, tokens: &[Token]) -> Option<Box<dyn Query>> {
    let words: Vec<&[Token]> = tokens.chunk_by(|a, b| a.position == b.position).collect();
    if words.len() < 2 {
        return None;
    }
    let clauses = words
        .into_iter()
        .map(|forms| Some((Occur::Must, any_term(forms, fields.title)?)))
        .collect::<Option<Vec<_>>>()?;
    Some(boost(
        Box::new(BooleanQuery::new(clauses)),
        TITLE_COVERED_BOOST,
    ))
}

/// The article whose title the query repeats as typed (see [`analysis::headline`]).
fn same_headline(fields: &Fields, typed: &str) -> Option<Box<dyn Query>> {
    let headline = analysis::tokens(&mut analysis::headline(), typed).pop()?;
    let term = Term::from_field_text(fields.headline, &headline.text);
    let same = Box::new(TermQuery::new(term, IndexRecordOption::Basic));
    Some(Box::new(ConstScoreQuery::new(same, HEADLINE_BONUS)))
}

/// Builds tantivy queries from parsed ones, collecting bonuses and highlights on the way.
struct Compiler<'a> {
    fields: &'a Fields,
    options: &'a Options,
    italian: TextAnalyzer,
    exact: TextAnalyzer,
    keyword: TextAnalyzer,
    highlight: Highlight,
    bonuses: Vec<Box<dyn Query>>,
    /// The searchable plain words of the top-level `And`, counted as it is compiled.
    optional_words: usize,
}

impl<'a> Compiler<'a> {
    fn new(fields: &'a Fields, options: &'a Options) -> Self {
        Compiler {
            fields,
            options,
            italian: analysis::italian(),
            exact: analysis::italian_exact(),
            keyword: analysis::keyword(),
            highlight: Highlight {
                fuzzy: options.fuzzy,
                ..Highlight::default()
            },
            bonuses: Vec::new(),
            optional_words: 0,
        }
    }

    /// The query for `node`; `top` for the query's top level, where plain words may be optional
    /// (see [`Words`]).
    fn node(&mut self, node: &Node, top: bool) -> Result<Option<Box<dyn Query>>, QueryError> {
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
                let words = if top { self.options.words } else { Words::All };
                let mut optional = 0;
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for child in children {
                    let is_optional = is_plain_word(child);
                    let (occur, child) = match child {
                        // Searched like any other clause, but never marked nor rewarded.
                        Node::Not(inner) => (
                            Occur::MustNot,
                            Compiler::new(self.fields, self.options).node(inner, false)?,
                        ),
                        other if is_optional && words != Words::All => {
                            (Occur::Should, self.node(other, false)?)
                        }
                        other => (Occur::Must, self.node(other, false)?),
                    };
                    if let Some(query) = child {
                        optional += usize::from(is_optional);
                        clauses.push((occur, query));
                    }
                }
                if top {
                    self.optional_words = optional;
                }
                if !clauses.iter().any(|(occur, _)| *occur != Occur::MustNot) {
                    if clauses.is_empty() {
                        return Ok(None);
                    }
                    return Err(not_only_excluded());
                }
                let required = match words {
                    Words::All => 0,
                    Words::AllButOne => optional.saturating_sub(1).max(1),
                    Words::Any => 1,
                };
                Some(Box::new(match required {
                    0 => BooleanQuery::new(clauses),
                    n => BooleanQuery::with_minimum_required_clauses(clauses, n),
                }))
            }
            Node::Not(_) => return Err(not_only_excluded()),
        })
    }

    /// The fields a target searches with their weights, and whether they hold Italian text
    /// (else labels). Plain words search title and body, each scored with its own statistics
    /// (its own lengths and frequencies), the title weighing [`TITLE_WEIGHT`] times the body.
    fn fields_for(&self, target: Option<Target>) -> (Vec<(Field, f32)>, bool) {
        let f = self.fields;
        let (fields, italian) = match target {
            None => (vec![(f.title, TITLE_WEIGHT), (f.body, 1.0)], true),
            Some(Target::Title) => (vec![(f.title, 1.0)], true),
            Some(Target::Body) => (vec![(f.body, 1.0)], true),
            Some(Target::Section) => (vec![(f.section, 1.0)], false),
            Some(Target::Source) => (vec![(f.source, 1.0)], false),
            Some(Target::Author) => (vec![(f.author, 1.0)], false),
            Some(Target::Date) => (vec![(f.date, 1.0)], false),
        };
        (fields, italian)
    }

    /// A word or phrase: its analysed terms, as one term query or a phrase query (with `slop`,
    /// a proximity query), in each field the target searches. A plain word also rewards its
    /// exact form, and a word written as a name the articles that write it with a capital.
    fn text(&mut self, target: Option<Target>, text: &str, slop: u32) -> Option<Box<dyn Query>> {
        let (fields, italian) = self.fields_for(target);
        if !italian {
            let value = analysis::tokens(&mut self.keyword, text.trim()).pop()?;
            return Some(Box::new(TermQuery::new(
                Term::from_field_text(fields[0].0, &value.text),
                IndexRecordOption::Basic,
            )));
        }
        let tokens = analysis::tokens(&mut self.italian, text);
        self.highlight.record(target, &tokens, slop);
        let words = analysis::first_at_each_position(&tokens);
        // One word: its stem, or its lemma's stem. Several: a phrase of their own stems.
        let single = (words.len() == 1).then(|| words[0].text.clone());
        let query = any_field(fields.iter().map(|&(field, weight)| {
            let query = match (&single, self.options.fuzzy && target.is_none()) {
                (Some(term), true) => Some(fuzzy_term(field, term)),
                (Some(_), false) => any_term(&tokens, field),
                (None, _) => phrase(&words, field, slop),
            };
            query.map(|q| (q, weight))
        }))?;
        if target.is_some() || single.is_none() {
            return Some(query);
        }
        let exact = analysis::tokens(&mut self.exact, text);
        if let [form] = exact.as_slice() {
            // The word as written ranks above other words of its stem (partita above parte).
            let exact_form = Term::from_field_text(self.fields.exact, &form.text);
            let exact_form = TermQuery::new(exact_form, IndexRecordOption::WithFreqs);
            self.bonuses.push(boost(Box::new(exact_form), EXACT_BOOST));
            if self.options.names.contains(name_key(text)) {
                let name = Term::from_field_text(self.fields.exact, &name_term(&form.text));
                let name = Box::new(TermQuery::new(name, IndexRecordOption::Basic));
                self.bonuses
                    .push(Box::new(ConstScoreQuery::new(name, NAME_BONUS)));
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
        let (fields, italian) = self.fields_for(target);
        let folded: String = fold_accents(&text.to_lowercase())
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        if folded.chars().count() < 2 {
            return Err(QueryError(format!(
                "`{text}*` is too short: a prefix needs at least two letters"
            )));
        }
        let tokens = analysis::tokens(&mut self.italian, text);
        let prefix = match analysis::first_at_each_position(&tokens).as_slice() {
            [token] if italian && folded.starts_with(token.text.as_str()) => token.text.clone(),
            _ => folded,
        };
        self.highlight.prefixes.push(prefix.clone());
        let pattern = format!("{}.*", regex_escape(&prefix));
        let mut queries = Vec::new();
        for (field, weight) in fields {
            let query = RegexQuery::from_pattern(&pattern, field)
                .map_err(|e| QueryError(format!("cannot search `{text}*`: {e}")))?;
            queries.push(Some((Box::new(query) as Box<dyn Query>, weight)));
        }
        any_field(queries.into_iter()).ok_or_else(|| QueryError(format!("cannot search `{text}*`")))
    }
}

/// One query per field, weighted, as alternatives (a single field's query as it is).
fn any_field(
    queries: impl Iterator<Item = Option<(Box<dyn Query>, f32)>>,
) -> Option<Box<dyn Query>> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = queries
        .flatten()
        .map(|(query, weight)| {
            let query = if weight == 1.0 {
                query
            } else {
                boost(query, weight)
            };
            (Occur::Should, query)
        })
        .collect();
    match clauses.len() {
        0 => None,
        1 => Some(clauses.remove(0).1),
        _ => Some(Box::new(BooleanQuery::new(clauses))),
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

/// A word written with a capital: `=Word` looks for it written so.
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

/// Any of the terms of one word (its stem, its lemma's stem) in `field`.
fn any_term(tokens: &[Token], field: Field) -> Option<Box<dyn Query>> {
    let mut terms: Vec<Box<dyn Query>> = tokens
        .iter()
        .map(|token| {
            let term = Term::from_field_text(field, &token.text);
            Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)) as Box<dyn Query>
        })
        .collect();
    match terms.len() {
        0 => None,
        1 => terms.pop(),
        _ => Some(Box::new(BooleanQuery::new(
            terms.into_iter().map(|t| (Occur::Should, t)).collect(),
        ))),
    }
}

/// The words in `field` as a phrase (within `slop` extra positions).
fn phrase(words: &[&Token], field: Field, slop: u32) -> Option<Box<dyn Query>> {
    let start = words.first()?.position;
    let terms = words
        .iter()
        .map(|t| (t.position - start, Term::from_field_text(field, &t.text)))
        .collect();
    Some(Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop)))
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

#[cfg(test)]
mod tests {
    use tantivy::collector::DocSetCollector;
    use tantivy::schema::Value;
    use tantivy::{Index, TantivyDocument};

    use super::*;
    use crate::index::IndexSchema;
    use crate::search::query::parse;

    fn compiled(query: &str, options: &Options) -> Result<Compiled, QueryError> {
        let fields = IndexSchema::load().fields;
        compile(&parse(query).unwrap().tree, &fields, options)
    }

    /// The ids of the articles (id, title, body) that `query` finds with `words`.
    fn found(articles: &[(&str, &str, &str)], query: &str, words: Words) -> Vec<String> {
        let schema = IndexSchema::load();
        let f = schema.fields;
        let index = Index::create_in_ram(schema.schema.clone());
        analysis::register(&index);
        let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
        for (id, title, body) in articles {
            let mut doc = TantivyDocument::new();
            doc.add_text(f.id, id);
            doc.add_text(f.title, title);
            doc.add_text(f.body, body);
            writer.add_document(doc).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let options = Options {
            words,
            ..Options::default()
        };
        let query = compiled(query, &options).unwrap().query;
        let mut ids: Vec<String> = searcher
            .search(&query, &DocSetCollector)
            .unwrap()
            .into_iter()
            .map(|address| {
                let doc: TantivyDocument = searcher.doc(address).unwrap();
                doc.get_first(f.id).unwrap().as_str().unwrap().to_string()
            })
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn plain_words_are_all_required_then_all_but_one_then_any() {
        let articles = [
            ("a", "Grano dal porto di Odessa", "Navi cariche."),
            ("b", "Grano dal porto", "Navi cariche di grano."),
            ("c", "Grano in Puglia", "Raccolto scarso."),
            ("d", "Teatro", "Un concerto al porto."),
        ];
        let query = "grano porto Odessa";
        assert_eq!(found(&articles, query, Words::All), ["a"]);
        assert_eq!(found(&articles, query, Words::AllButOne), ["a", "b"]);
        assert_eq!(found(&articles, query, Words::Any), ["a", "b", "c", "d"]);
        // A quoted word and an excluded one stay what they are.
        assert_eq!(
            found(&articles, "grano porto \"Odessa\"", Words::AllButOne),
            ["a"]
        );
        assert_eq!(
            found(&articles, "grano porto -Odessa", Words::Any),
            ["b", "c", "d"]
        );
        // A word in title or body; a field keeps to its field.
        assert_eq!(found(&articles, "navi", Words::All), ["a", "b"]);
        assert_eq!(
            found(&articles, "title:navi", Words::All),
            Vec::<String>::new()
        );
    }

    #[test]
    fn what_is_marked_and_rewarded_is_a_value_of_the_query() {
        let plain = compiled("missili Corea", &Options::default()).unwrap();
        assert!(plain.highlight.body_terms.contains("missil"));
        assert!(plain.highlight.title_terms.contains("cor"));
        // The form typed of each word, the two words close together, a title holding both, a
        // body holding them in a row.
        assert_eq!(plain.bonuses.queries.len(), 5);
        let typed = Options {
            typed: "missili Corea".to_string(),
            ..Options::default()
        };
        // And a title repeating the query.
        assert_eq!(
            compiled("missili Corea", &typed)
                .unwrap()
                .bonuses
                .queries
                .len(),
            6
        );

        let names = Options {
            names: HashSet::from(["Conte".to_string()]),
            ..Options::default()
        };
        assert_eq!(
            compiled("governo Conte", &names)
                .unwrap()
                .bonuses
                .queries
                .len(),
            6
        );

        let excluded = compiled("Kim -Putin", &Options::default()).unwrap();
        assert!(!excluded.highlight.body_terms.contains("putin"));
        assert_eq!(excluded.bonuses.queries.len(), 1);

        let phrase = compiled("\"Corea del Nord\"", &Options::default()).unwrap();
        assert_eq!(phrase.highlight.phrases.len(), 1);
        assert!(phrase.highlight.body_terms.is_empty());
    }

    #[test]
    fn nothing_searchable_is_an_error() {
        let message = |q: &str| compiled(q, &Options::default()).err().unwrap().0;
        assert!(message("il di che").contains("only stop words"));
        assert!(message("-Putin").contains("not excluded"));
    }
}
