//! The query language: plain words (all required), `OR`, `-word`/`NOT word`, `"phrases"`,
//! `(groups)`, `field:word`, `prefix*`. Parsed here rather than by tantivy's QueryParser, which
//! reads the apostrophe of `l'Italia` as syntax: every word goes through the Italian analyzer
//! whole, elisions included.

use std::collections::HashSet;

use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RegexQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;

use crate::analysis::{self, fold_accents};
use crate::error::QueryError;
use crate::index::Fields;

/// How much an article whose title holds every query word gains, over its BM25F score.
const TITLE_BONUS: f32 = 0.5;

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A word (`prefix` for `word*`), in a field or in title and body.
    Word {
        field: Option<Target>,
        text: String,
        prefix: bool,
    },
    /// A quoted phrase.
    Phrase {
        field: Option<Target>,
        text: String,
    },
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
}

/// The fields a query can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Title,
    Body,
    Section,
    Source,
    Author,
}

impl Target {
    const NAMES: &'static str = "title:, body:, section:, source:, author:";

    fn from_name(name: &str) -> Option<Target> {
        Some(match name.to_ascii_lowercase().as_str() {
            "title" => Target::Title,
            "body" => Target::Body,
            "section" => Target::Section,
            "source" => Target::Source,
            "author" => Target::Author,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Lexeme {
    Word(String),
    Phrase(String),
    Field(String),
    Open,
    Close,
    Or,
    Not,
}

fn lex(query: &str) -> Result<Vec<Lexeme>, QueryError> {
    let mut out = Vec::new();
    let mut chars = query.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Lexeme::Open);
            }
            ')' => {
                chars.next();
                out.push(Lexeme::Close);
            }
            '"' | '“' | '”' | '«' | '»' => {
                chars.next();
                let mut phrase = String::new();
                loop {
                    match chars.next() {
                        Some('"' | '“' | '”' | '«' | '»') => break,
                        Some(c) => phrase.push(c),
                        None => {
                            return Err(QueryError(format!(
                                "the phrase \"{phrase} has no closing quote"
                            )));
                        }
                    }
                }
                out.push(Lexeme::Phrase(phrase));
            }
            '-' | '+' if out.last().is_none_or(|l| !matches!(l, Lexeme::Field(_))) => {
                chars.next();
                if c == '-' {
                    out.push(Lexeme::Not);
                }
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | '"' | '“' | '”' | '«' | '»')
                    {
                        break;
                    }
                    chars.next();
                    // `title:` ends a field name; `10:30` is a word.
                    if c == ':' && !word.is_empty() && word.chars().all(char::is_alphabetic) {
                        word.push(c);
                        break;
                    }
                    word.push(c);
                }
                match word.strip_suffix(':') {
                    Some(name) if !name.is_empty() && name.chars().all(char::is_alphabetic) => {
                        if Target::from_name(name).is_none() {
                            return Err(QueryError(format!(
                                "unknown field `{name}:`; the fields are {}",
                                Target::NAMES
                            )));
                        }
                        out.push(Lexeme::Field(name.to_string()));
                    }
                    _ => match word.as_str() {
                        "OR" | "|" => out.push(Lexeme::Or),
                        "NOT" => out.push(Lexeme::Not),
                        "AND" | "&&" => {}
                        _ => out.push(Lexeme::Word(word)),
                    },
                }
            }
        }
    }
    Ok(out)
}

/// Parses a query into its tree; the error says what is wrong.
pub fn parse(query: &str) -> Result<Node, QueryError> {
    let lexemes = lex(query)?;
    let mut parser = Parser { lexemes, at: 0 };
    let node = parser.and()?;
    match parser.peek() {
        None => Ok(node),
        Some(Lexeme::Close) => Err(QueryError("a `)` has no matching `(`".into())),
        Some(other) => Err(QueryError(format!("unexpected {other:?}"))),
    }
}

struct Parser {
    lexemes: Vec<Lexeme>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Lexeme> {
        self.lexemes.get(self.at)
    }

    fn next(&mut self) -> Option<Lexeme> {
        let lexeme = self.lexemes.get(self.at).cloned();
        self.at += 1;
        lexeme
    }

    /// Clauses side by side: all required.
    fn and(&mut self) -> Result<Node, QueryError> {
        let mut clauses = Vec::new();
        while let Some(lexeme) = self.peek() {
            if matches!(lexeme, Lexeme::Close) {
                break;
            }
            if matches!(lexeme, Lexeme::Or) {
                return Err(QueryError("OR needs a word on each side".into()));
            }
            clauses.push(self.or()?);
        }
        match clauses.len() {
            0 => Err(QueryError("nothing to search for".into())),
            1 => Ok(clauses.remove(0)),
            _ => Ok(Node::And(clauses)),
        }
    }

    /// `a OR b OR c`: binds tighter than the implicit AND (`missili OR razzi Corea`).
    fn or(&mut self) -> Result<Node, QueryError> {
        let mut alternatives = vec![self.unary()?];
        while matches!(self.peek(), Some(Lexeme::Or)) {
            self.next();
            if matches!(self.peek(), None | Some(Lexeme::Close) | Some(Lexeme::Or)) {
                return Err(QueryError("OR needs a word on each side".into()));
            }
            alternatives.push(self.unary()?);
        }
        if alternatives.len() > 1 && alternatives.iter().any(|n| matches!(n, Node::Not(_))) {
            return Err(QueryError(
                "an excluded word cannot be one side of OR".into(),
            ));
        }
        Ok(if alternatives.len() == 1 {
            alternatives.remove(0)
        } else {
            Node::Or(alternatives)
        })
    }

    fn unary(&mut self) -> Result<Node, QueryError> {
        if matches!(self.peek(), Some(Lexeme::Not)) {
            self.next();
            if matches!(self.peek(), None | Some(Lexeme::Close) | Some(Lexeme::Or)) {
                return Err(QueryError("`-` or NOT needs a word to exclude".into()));
            }
            return Ok(Node::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Node, QueryError> {
        match self.next() {
            Some(Lexeme::Open) => {
                let inner = self.and()?;
                match self.next() {
                    Some(Lexeme::Close) => Ok(inner),
                    _ => Err(QueryError("a `(` has no matching `)`".into())),
                }
            }
            Some(Lexeme::Field(name)) => {
                let target = Target::from_name(&name);
                match self.next() {
                    Some(Lexeme::Word(text)) => Ok(word(target, text)),
                    Some(Lexeme::Phrase(text)) => Ok(Node::Phrase {
                        field: target,
                        text,
                    }),
                    _ => Err(QueryError(format!(
                        "`{name}:` needs a word or a \"phrase\" after it"
                    ))),
                }
            }
            Some(Lexeme::Word(text)) => Ok(word(None, text)),
            Some(Lexeme::Phrase(text)) => Ok(Node::Phrase { field: None, text }),
            Some(Lexeme::Close) => Err(QueryError("a `)` has no matching `(`".into())),
            _ => Err(QueryError(
                "the query ends where a word was expected".into(),
            )),
        }
    }
}

fn word(field: Option<Target>, text: String) -> Node {
    match text.strip_suffix('*') {
        Some(stem) if !stem.is_empty() => Node::Word {
            field,
            text: stem.to_string(),
            prefix: true,
        },
        _ => Node::Word {
            field,
            text,
            prefix: false,
        },
    }
}

/// What the snippets mark: the analysed terms (and prefixes) a query looks for.
#[derive(Debug, Default, Clone)]
pub struct Highlight {
    pub body_terms: HashSet<String>,
    pub title_terms: HashSet<String>,
    pub prefixes: Vec<String>,
}

impl Highlight {
    pub fn marks(&self, term: &str, in_title: bool) -> bool {
        let terms = if in_title {
            &self.title_terms
        } else {
            &self.body_terms
        };
        terms.contains(term) || self.prefixes.iter().any(|p| term.starts_with(p.as_str()))
    }
}

/// Turns a parsed query into a tantivy query.
pub struct Compiler<'a> {
    fields: &'a Fields,
    italian: TextAnalyzer,
    keyword: TextAnalyzer,
    pub highlight: Highlight,
}

impl<'a> Compiler<'a> {
    pub fn new(fields: &'a Fields) -> Self {
        Compiler {
            fields,
            italian: analysis::italian(),
            keyword: analysis::keyword(),
            highlight: Highlight::default(),
        }
    }

    /// The query for `node`; `any` relaxes top-level words from all required to any (ranked by
    /// how many match). `None` when nothing searchable is left (only stop words).
    pub fn compile(&mut self, node: &Node, any: bool) -> Result<Box<dyn Query>, QueryError> {
        let query = self.node(node, any)?;
        let query = query.ok_or_else(|| {
            QueryError("only stop words (il, di, che…): nothing to search for".into())
        })?;
        // The title bonus: plain words all found in the title.
        let title_terms: Vec<Box<dyn Query>> = plain_words(node)
            .into_iter()
            .filter_map(|text| self.analysed(text, self.fields.title))
            .collect();
        if title_terms.is_empty() {
            return Ok(query);
        }
        let all_in_title =
            BooleanQuery::new(title_terms.into_iter().map(|q| (Occur::Must, q)).collect());
        Ok(Box::new(BooleanQuery::new(vec![
            (Occur::Must, query),
            (
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(all_in_title), TITLE_BONUS)),
            ),
        ])))
    }

    fn node(&mut self, node: &Node, any: bool) -> Result<Option<Box<dyn Query>>, QueryError> {
        Ok(match node {
            Node::Word {
                field,
                text,
                prefix,
            } => {
                if *prefix {
                    self.prefix(*field, text)?
                } else {
                    self.text(*field, text)
                }
            }
            Node::Phrase { field, text } => self.text(*field, text),
            Node::Or(alternatives) => {
                let clauses: Vec<(Occur, Box<dyn Query>)> = alternatives
                    .iter()
                    .map(|n| self.node(n, false))
                    .collect::<Result<Vec<_>, _>>()?
                    .into_iter()
                    .flatten()
                    .map(|q| (Occur::Should, q))
                    .collect();
                (!clauses.is_empty())
                    .then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
            }
            Node::And(children) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for child in children {
                    let (occur, child) = match child {
                        Node::Not(inner) => (Occur::MustNot, self.excluded(inner)?),
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
                    return Err(QueryError(
                        "a query needs at least one word that is not excluded".into(),
                    ));
                }
                Some(Box::new(BooleanQuery::new(clauses)))
            }
            Node::Not(_) => {
                return Err(QueryError(
                    "a query needs at least one word that is not excluded".into(),
                ));
            }
        })
    }

    /// An excluded clause: searched like any other, but never highlighted.
    fn excluded(&mut self, node: &Node) -> Result<Option<Box<dyn Query>>, QueryError> {
        let saved = self.highlight.clone();
        let query = self.node(node, false);
        self.highlight = saved;
        query
    }

    fn fields_for(&self, target: Option<Target>) -> (Field, bool) {
        match target {
            None => (self.fields.text, true),
            Some(Target::Title) => (self.fields.title, true),
            Some(Target::Body) => (self.fields.body, true),
            Some(Target::Section) => (self.fields.section, false),
            Some(Target::Source) => (self.fields.source, false),
            Some(Target::Author) => (self.fields.author, false),
        }
    }

    /// A word or phrase: its analysed terms, one term query or a phrase query.
    fn text(&mut self, target: Option<Target>, text: &str) -> Option<Box<dyn Query>> {
        let (field, italian) = self.fields_for(target);
        if !italian {
            let value = analysis::tokens(&mut self.keyword, text.trim()).pop()?;
            return Some(Box::new(TermQuery::new(
                Term::from_field_text(field, &value.text),
                IndexRecordOption::Basic,
            )));
        }
        let tokens = analysis::tokens(&mut self.italian, text);
        for token in &tokens {
            if target != Some(Target::Title) {
                self.highlight.body_terms.insert(token.text.clone());
            }
            if target != Some(Target::Body) {
                self.highlight.title_terms.insert(token.text.clone());
            }
        }
        self.analysed_tokens(tokens, field)
    }

    /// The query for `text` analysed into `field`, without recording highlights.
    fn analysed(&mut self, text: &str, field: Field) -> Option<Box<dyn Query>> {
        let tokens = analysis::tokens(&mut self.italian, text);
        self.analysed_tokens(tokens, field)
    }

    fn analysed_tokens(
        &self,
        tokens: Vec<tantivy::tokenizer::Token>,
        field: Field,
    ) -> Option<Box<dyn Query>> {
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
                Some(Box::new(PhraseQuery::new_with_offset(terms)))
            }
        }
    }

    /// `word*`: every term that starts like the word. The stem is used when it is a prefix of the
    /// word (`missili*` looks for `missil…`), so the prefix meets the stemmed terms of the index.
    fn prefix(
        &mut self,
        target: Option<Target>,
        text: &str,
    ) -> Result<Option<Box<dyn Query>>, QueryError> {
        let (field, italian) = self.fields_for(target);
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
        Ok(Some(Box::new(query)))
    }
}

/// The plain (unfielded, not excluded) words and phrases of the top level of a query.
pub fn plain_words(node: &Node) -> Vec<&str> {
    match node {
        Node::Word {
            field: None,
            text,
            prefix: false,
        }
        | Node::Phrase { field: None, text } => vec![text.as_str()],
        Node::And(children) => children.iter().flat_map(plain_words).collect(),
        _ => vec![],
    }
}

/// Whether a query is only plain words side by side, so that it may be relaxed to any word.
pub fn is_plain_words(node: &Node) -> bool {
    match node {
        Node::And(children) => children.iter().all(|c| {
            matches!(
                c,
                Node::Word {
                    field: None,
                    prefix: false,
                    ..
                }
            )
        }),
        _ => false,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn w(text: &str) -> Node {
        Node::Word {
            field: None,
            text: text.into(),
            prefix: false,
        }
    }

    #[test]
    fn words_side_by_side_are_all_required() {
        assert_eq!(
            parse("missili Corea").unwrap(),
            Node::And(vec![w("missili"), w("Corea")])
        );
    }

    #[test]
    fn or_binds_tighter_than_and() {
        assert_eq!(
            parse("missili OR razzi Corea").unwrap(),
            Node::And(vec![Node::Or(vec![w("missili"), w("razzi")]), w("Corea")])
        );
    }

    #[test]
    fn exclusion_phrases_fields_prefixes_and_groups() {
        assert_eq!(
            parse("Kim -Putin NOT Trump").unwrap(),
            Node::And(vec![
                w("Kim"),
                Node::Not(Box::new(w("Putin"))),
                Node::Not(Box::new(w("Trump")))
            ])
        );
        assert_eq!(
            parse("title:\"Corea del Nord\" section:Esteri missil*").unwrap(),
            Node::And(vec![
                Node::Phrase {
                    field: Some(Target::Title),
                    text: "Corea del Nord".into()
                },
                Node::Word {
                    field: Some(Target::Section),
                    text: "Esteri".into(),
                    prefix: false
                },
                Node::Word {
                    field: None,
                    text: "missil".into(),
                    prefix: true
                },
            ])
        );
        assert_eq!(
            parse("(Kim OR Putin) vertice").unwrap(),
            Node::And(vec![Node::Or(vec![w("Kim"), w("Putin")]), w("vertice")])
        );
    }

    #[test]
    fn apostrophes_and_hyphens_are_part_of_words() {
        assert_eq!(parse("dell'Ucraina").unwrap(), w("dell'Ucraina"));
        assert_eq!(parse("nord-coreano").unwrap(), w("nord-coreano"));
        assert_eq!(
            parse("ore 10:30").unwrap(),
            Node::And(vec![w("ore"), w("10:30")])
        );
    }

    #[test]
    fn malformed_queries_say_what_is_wrong() {
        let message = |q: &str| parse(q).unwrap_err().0;
        assert!(message("\"Corea del").contains("no closing quote"));
        assert!(message("(Kim OR Putin").contains("no matching `)`"));
        assert!(message("Kim)").contains("no matching `(`"));
        assert!(message("Kim OR").contains("OR needs a word"));
        assert!(message("OR Kim").contains("OR needs a word"));
        assert!(message("autore:Rossi").contains("unknown field `autore:`"));
        assert!(message("title:").contains("needs a word"));
        assert!(message("   ").contains("nothing to search for"));
    }
}
