//! Turns a parsed query into a value either home runs (see [`Clause`]): what finds and ranks
//! the articles, the bonuses its best candidates gain, and what snippets should mark.

use std::collections::HashSet;

use chrono::NaiveDate;
use tantivy::tokenizer::{TextAnalyzer, Token};

use super::clause::{Clause, Occurs, On};
use super::highlight::Highlight;
use super::query::{Node, Target, is_plain_word, name_key, plain_words};
use super::typo::typos_allowed;
use crate::analysis::{self, fold_accents};
use crate::error::QueryError;

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
/// how much of its words (`near`, body terms) one window of the body holds and how rare among
/// the candidates the words they hold are (see [`super::near`]).
#[derive(Default)]
pub(crate) struct Bonuses {
    pub queries: Vec<Clause>,
    pub near: Vec<String>,
}

/// Which of a query's plain words (see [`Compiled::optional_words`]) an article must have.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Words {
    #[default]
    All,
    /// Every one but one: the articles a search adds after those with every word.
    AllButOne,
    /// At least one, ranked by how many match: when no article has every word.
    Any,
}

/// How to compile a query.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
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
pub(crate) struct Compiled {
    /// BM25 over title and body, each field with its own statistics, the title weighed more.
    pub query: Clause,
    /// Scores added to the best candidates (the form typed, names, words close together): as
    /// clauses of the query they would make the index score every match of every signal, which
    /// costs most on the most common words.
    pub bonuses: Bonuses,
    pub highlight: Highlight,
    /// How many of the query's top-level plain words search for something (stop words do
    /// not): the words [`Words`] lets an article miss.
    pub optional_words: usize,
}

/// Compiles `tree`. An error when nothing searchable is left (only stop words, only excluded
/// words).
pub(crate) fn compile(tree: &Node, options: &Options) -> Result<Compiled, QueryError> {
    let mut compiler = Compiler::new(options);
    let query = compiler.node(tree, true)?.ok_or_else(|| {
        QueryError("only stop words (il, di, che…) or punctuation: nothing to search for".into())
    })?;
    // The plain words in a row, analysed: stop words leave their positions empty, and a
    // word's lemma stands at its position beside its stem.
    let in_a_row = analysis::tokens(&mut compiler.italian, &plain_words(tree).join(" "));
    let words = analysis::first_at_each_position(&in_a_row);
    let mut bonuses = compiler.bonuses;
    bonuses.extend(proximity(&words));
    bonuses.extend(title_coverage(&in_a_row));
    bonuses.extend(same_headline(&options.typed));
    bonuses.extend(body_phrase(&words));
    let mut near: Vec<String> = words.iter().map(|token| token.text.clone()).collect();
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
fn proximity(words: &[&Token]) -> Vec<Clause> {
    words
        .windows(2)
        .filter(|pair| pair[0].text != pair[1].text)
        .map(|pair| {
            let near = Clause::Phrase {
                on: On::Body,
                terms: vec![(0, pair[0].text.clone()), (1, pair[1].text.clone())],
                slop: NEAR_SLOP,
            };
            near.boosted(NEAR_BOOST)
        })
        .collect()
}

/// A body holding the query's plain words as written, one after the other (stop words between
/// them in their places): its BM25 as a phrase, once. Words of a sentence remembered, or a
/// pasted passage, find their article.
fn body_phrase(words: &[&Token]) -> Option<Clause> {
    if words.len() < 2 {
        return None;
    }
    Some(phrase(words, On::Body, 0)?.boosted(BODY_PHRASE_BOOST))
}

/// A title holding every one of two or more plain words (their `tokens`, a word's stem and
/// lemma at one position), in any of their forms: its BM25 once more. The title of `Scala
/// livello` answers `scalano livelli` better than `Scala immagine`, whose body repeats `scalano`.
fn title_coverage(tokens: &[Token]) -> Option<Clause> {
    let words: Vec<&[Token]> = tokens.chunk_by(|a, b| a.position == b.position).collect();
    if words.len() < 2 {
        return None;
    }
    let every = words
        .into_iter()
        .map(|forms| any_term(forms, On::Title))
        .collect::<Option<Vec<_>>>()?;
    Some(Clause::all(every).boosted(TITLE_COVERED_BOOST))
}

/// The article whose title the query repeats as typed (see [`analysis::headline`]).
fn same_headline(typed: &str) -> Option<Clause> {
    let headline = analysis::tokens(&mut analysis::headline(), typed).pop()?;
    let same = Clause::Term {
        on: On::Headline,
        term: headline.text,
    };
    Some(same.scored_at(HEADLINE_BONUS))
}

/// Builds clauses from parsed queries, collecting bonuses and highlights on the way.
struct Compiler<'a> {
    options: &'a Options,
    italian: TextAnalyzer,
    exact: TextAnalyzer,
    keyword: TextAnalyzer,
    highlight: Highlight,
    bonuses: Vec<Clause>,
    /// The searchable plain words of the top-level `And`, counted as it is compiled.
    optional_words: usize,
}

impl<'a> Compiler<'a> {
    fn new(options: &'a Options) -> Self {
        Compiler {
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

    /// The clause for `node`; `top` for the query's top level, where plain words may be
    /// optional (see [`Words`]).
    fn node(&mut self, node: &Node, top: bool) -> Result<Option<Clause>, QueryError> {
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
            Node::Dates { since, until } => {
                let open = |date: NaiveDate, end: NaiveDate| (date != end).then_some(date);
                Some(Clause::Dates {
                    since: open(*since, NaiveDate::MIN),
                    until: open(*until, NaiveDate::MAX),
                })
            }
            Node::Or(alternatives) => {
                let mut clauses = Vec::new();
                for alternative in alternatives {
                    clauses.extend(self.node(alternative, false)?);
                }
                Clause::any(clauses)
            }
            Node::And(children) => self.and(children, top)?,
            Node::Not(_) => return Err(not_only_excluded()),
        })
    }

    /// Every child, the plain words of the top level as [`Words`] asks, none of the excluded.
    fn and(&mut self, children: &[Node], top: bool) -> Result<Option<Clause>, QueryError> {
        let words = if top { self.options.words } else { Words::All };
        let mut optional = 0;
        let mut clauses = Vec::new();
        for child in children {
            let is_optional = is_plain_word(child);
            let (occurs, child) = match child {
                // Searched like any other clause, but never marked nor rewarded.
                Node::Not(inner) => (
                    Occurs::MustNot,
                    Compiler::new(self.options).node(inner, false)?,
                ),
                other if is_optional && words != Words::All => {
                    (Occurs::Should, self.node(other, false)?)
                }
                other => (Occurs::Must, self.node(other, false)?),
            };
            if let Some(clause) = child {
                optional += usize::from(is_optional);
                clauses.push((occurs, clause));
            }
        }
        if top {
            self.optional_words = optional;
        }
        if !clauses.iter().any(|(occurs, _)| *occurs != Occurs::MustNot) {
            if clauses.is_empty() {
                return Ok(None);
            }
            return Err(not_only_excluded());
        }
        let minimum = match words {
            Words::All => 0,
            Words::AllButOne => optional.saturating_sub(1).max(1),
            Words::Any => 1,
        };
        Ok(Some(Clause::Bool { clauses, minimum }))
    }

    /// The fields a target searches with their weights, and whether they hold Italian text
    /// (else labels). Plain words search title and body, each scored with its own statistics
    /// (its own lengths and frequencies), the title weighing [`TITLE_WEIGHT`] times the body.
    fn fields_for(target: Option<Target>) -> (Vec<(On, f32)>, bool) {
        match target {
            None => (vec![(On::Title, TITLE_WEIGHT), (On::Body, 1.0)], true),
            Some(Target::Title) => (vec![(On::Title, 1.0)], true),
            Some(Target::Body) => (vec![(On::Body, 1.0)], true),
            Some(Target::Section) => (vec![(On::Section, 1.0)], false),
            Some(Target::Source) => (vec![(On::Source, 1.0)], false),
            Some(Target::Author) => (vec![(On::Author, 1.0)], false),
            // A date is read as a range, never as a word.
            Some(Target::Date) => (Vec::new(), false),
        }
    }

    /// A word or phrase: its analysed terms, as one term query or a phrase query (with `slop`,
    /// a proximity query), in each field the target searches. A plain word also rewards its
    /// exact form, and a word written as a name the articles that write it with a capital.
    fn text(&mut self, target: Option<Target>, text: &str, slop: u32) -> Option<Clause> {
        let (fields, italian) = Compiler::fields_for(target);
        if !italian {
            let (on, _) = *fields.first()?;
            let value = analysis::tokens(&mut self.keyword, text.trim()).pop()?;
            return Some(Clause::Term {
                on,
                term: value.text,
            });
        }
        let tokens = analysis::tokens(&mut self.italian, text);
        self.highlight.record(target, &tokens, slop);
        let words = analysis::first_at_each_position(&tokens);
        // One word: its stem, or its lemma's stem. Several: a phrase of their own stems.
        let single = (words.len() == 1).then(|| words[0].text.clone());
        let in_each_field = fields.iter().filter_map(|&(on, weight)| {
            let clause = match (&single, self.options.fuzzy && target.is_none()) {
                (Some(term), true) => Some(fuzzy_term(on, term)),
                (Some(_), false) => any_term(&tokens, on),
                (None, _) => phrase(&words, on, slop),
            };
            clause.map(|c| c.boosted(weight))
        });
        let clause = Clause::any(in_each_field.collect())?;
        if target.is_some() || single.is_none() {
            return Some(clause);
        }
        let exact = analysis::tokens(&mut self.exact, text);
        if let [form] = exact.as_slice() {
            // The word as written ranks above other words of its stem (partita above parte).
            let exact_form = Clause::Term {
                on: On::Exact,
                term: form.text.clone(),
            };
            self.bonuses.push(exact_form.boosted(EXACT_BOOST));
            if self.options.names.contains(name_key(text)) {
                let name = Clause::Term {
                    on: On::Exact,
                    term: name_term(&form.text),
                };
                self.bonuses.push(name.scored_at(NAME_BONUS));
            }
        }
        Some(clause)
    }

    /// `=word`: this form only, unstemmed; `=Word`, this form written with a capital. These
    /// fields keep no positions, so the words of `=nord-coreano` are each required rather than
    /// adjacent.
    fn exact_word(&mut self, text: &str) -> Option<Clause> {
        let name = is_capitalised(text);
        let every: Vec<Clause> = analysis::tokens(&mut self.exact, text)
            .into_iter()
            .map(|token| {
                let term = if name {
                    name_term(&token.text)
                } else {
                    token.text.clone()
                };
                self.highlight.exact_terms.insert(token.text);
                Clause::Term {
                    on: On::Exact,
                    term,
                }
            })
            .collect();
        (!every.is_empty()).then(|| Clause::all(every))
    }

    /// `word*`: every term that starts like the word. The stem is used when it is a prefix of the
    /// word (`missili*` looks for `missil…`), so the prefix meets the stemmed terms of the index.
    fn prefix(&mut self, target: Option<Target>, text: &str) -> Result<Clause, QueryError> {
        let (fields, italian) = Compiler::fields_for(target);
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
        let in_each_field = fields.into_iter().map(|(on, weight)| {
            let clause = Clause::Prefix {
                on,
                prefix: prefix.clone(),
            };
            clause.boosted(weight)
        });
        Clause::any(in_each_field.collect())
            .ok_or_else(|| QueryError(format!("cannot search `{text}*`")))
    }
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

/// One analysed term, ranked by BM25, or, within its allowed typos, found at a small constant
/// score: an exact match always ranks above a fuzzy one.
fn fuzzy_term(on: On, term: &str) -> Clause {
    let exact = Clause::Term {
        on,
        term: term.to_string(),
    };
    let typos = typos_allowed(term);
    if typos == 0 {
        return exact;
    }
    let fuzzy = Clause::Fuzzy {
        on,
        term: term.to_string(),
        typos,
    };
    Clause::Bool {
        clauses: vec![
            (Occurs::Should, exact),
            (Occurs::Should, fuzzy.scored_at(FUZZY_SCORE)),
        ],
        minimum: 0,
    }
}

/// Any of the terms of one word (its stem, its lemma's stem) in the field.
fn any_term(tokens: &[Token], on: On) -> Option<Clause> {
    let terms = tokens.iter().map(|token| Clause::Term {
        on,
        term: token.text.clone(),
    });
    Clause::any(terms.collect())
}

/// The words in the field as a phrase (within `slop` extra positions).
fn phrase(words: &[&Token], on: On, slop: u32) -> Option<Clause> {
    let start = words.first()?.position;
    let terms = words
        .iter()
        .map(|t| (t.position - start, t.text.clone()))
        .collect();
    Some(Clause::Phrase { on, terms, slop })
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
        compile(&parse(query).unwrap().tree, options)
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
        let query = compiled(query, &options).unwrap().query.to_tantivy(&f);
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
