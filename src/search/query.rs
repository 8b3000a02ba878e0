//! The query language: plain words (all required), `OR`, `-word`/`NOT word`, `"phrases"`,
//! `"phrases"~N` (words within N positions), `(groups)`, `field:word`, `prefix*`, `=word` (this
//! form only, unstemmed), `date:2023-09` and `date:[2023-01-01 TO 2023-06-30]`. Parsed here
//! rather than by tantivy's QueryParser, which reads the apostrophe of `l'Italia` as syntax:
//! every word reaches the Italian analyzer whole, elisions included.

use chrono::NaiveDate;

use super::parse_date_bound;
use crate::error::QueryError;

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A word, in a field or in title and body. `prefix` for `word*`, `exact` for `=word`.
    Word {
        field: Option<Target>,
        text: String,
        prefix: bool,
        exact: bool,
    },
    /// A quoted phrase; with `slop`, its words within that many extra positions (`"a b"~5`).
    Phrase {
        field: Option<Target>,
        text: String,
        slop: u32,
    },
    /// Published between these days, inclusive (`date:`).
    Dates {
        since: NaiveDate,
        until: NaiveDate,
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
    Date,
}

impl Target {
    const NAMES: &'static str = "title:, body:, section:, source:, author:, date:";

    fn from_name(name: &str) -> Option<Target> {
        Some(match name.to_ascii_lowercase().as_str() {
            "title" => Target::Title,
            "body" => Target::Body,
            "section" => Target::Section,
            "source" => Target::Source,
            "author" => Target::Author,
            "date" => Target::Date,
            _ => return None,
        })
    }
}

const QUOTES: [char; 5] = ['"', '“', '”', '«', '»'];

#[derive(Debug, Clone, PartialEq)]
enum Lexeme {
    Word(String),
    Phrase(String, u32),
    /// `[2023-01-01 TO 2023-06-30]`
    Range(String),
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
            c if QUOTES.contains(&c) => {
                chars.next();
                let mut phrase = String::new();
                loop {
                    match chars.next() {
                        Some(c) if QUOTES.contains(&c) => break,
                        Some(c) => phrase.push(c),
                        None => {
                            return Err(QueryError(format!(
                                "the phrase \"{phrase} has no closing quote"
                            )));
                        }
                    }
                }
                let mut slop = 0;
                if chars.peek() == Some(&'~') {
                    chars.next();
                    let mut digits = String::new();
                    while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                        digits.push(*d);
                        chars.next();
                    }
                    slop = digits.parse().map_err(|_| {
                        QueryError(format!(
                            "`\"{phrase}\"~` needs a number of positions, as in ~5"
                        ))
                    })?;
                }
                out.push(Lexeme::Phrase(phrase, slop));
            }
            '[' => {
                chars.next();
                let range: String = chars.by_ref().take_while(|&c| c != ']').collect();
                if !query.contains(']') {
                    return Err(QueryError(format!("the range [{range} has no closing `]`")));
                }
                out.push(Lexeme::Range(range));
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
                match (target, self.next()) {
                    (Some(Target::Date), Some(Lexeme::Word(text))) => Ok(Node::Dates {
                        since: parse_date_bound(&text, false)?,
                        until: parse_date_bound(&text, true)?,
                    }),
                    (Some(Target::Date), Some(Lexeme::Range(range))) => date_range(&range),
                    (Some(Target::Date), _) => Err(QueryError(
                        "`date:` needs a date (2023-09-13, 2023-09, 2023) or a range [2023-01-01 TO 2023-06-30]".into(),
                    )),
                    (_, Some(Lexeme::Word(text))) => Ok(word(target, text)),
                    (_, Some(Lexeme::Phrase(text, slop))) => Ok(Node::Phrase {
                        field: target,
                        text,
                        slop,
                    }),
                    _ => Err(QueryError(format!(
                        "`{name}:` needs a word or a \"phrase\" after it"
                    ))),
                }
            }
            Some(Lexeme::Word(text)) => Ok(word(None, text)),
            Some(Lexeme::Phrase(text, slop)) => Ok(Node::Phrase {
                field: None,
                text,
                slop,
            }),
            Some(Lexeme::Range(range)) => Err(QueryError(format!(
                "a range [{range}] needs a field, as in date:[2023-01-01 TO 2023-06-30]"
            ))),
            Some(Lexeme::Close) => Err(QueryError("a `)` has no matching `(`".into())),
            _ => Err(QueryError(
                "the query ends where a word was expected".into(),
            )),
        }
    }
}

fn word(field: Option<Target>, text: String) -> Node {
    let (text, exact) = match text.strip_prefix('=') {
        Some(rest) if !rest.is_empty() => (rest.to_string(), true),
        _ => (text, false),
    };
    match text.strip_suffix('*') {
        Some(stem) if !stem.is_empty() => Node::Word {
            field,
            text: stem.to_string(),
            prefix: true,
            exact,
        },
        _ => Node::Word {
            field,
            text,
            prefix: false,
            exact,
        },
    }
}

/// `2023-01-01 TO 2023-06-30`, either side a day, a month or a year, or `*` for open.
fn date_range(range: &str) -> Result<Node, QueryError> {
    let bad = || {
        QueryError(format!(
            "`[{range}]` is not a date range: write [2023-01-01 TO 2023-06-30]"
        ))
    };
    let (from, to) = range.split_once(" TO ").ok_or_else(bad)?;
    let bound = |text: &str, end: bool| match text.trim() {
        "*" if end => Ok(NaiveDate::MAX),
        "*" => Ok(NaiveDate::MIN),
        text => parse_date_bound(text, end),
    };
    let (since, until) = (bound(from, false)?, bound(to, true)?);
    if since > until {
        return Err(QueryError(format!(
            "the range [{range}] ends before it starts"
        )));
    }
    Ok(Node::Dates { since, until })
}

/// The plain (unfielded, not excluded) words and phrases of the top level of a query.
pub fn plain_words(node: &Node) -> Vec<&str> {
    match node {
        Node::Word {
            field: None,
            text,
            prefix: false,
            exact: false,
        }
        | Node::Phrase {
            field: None,
            text,
            slop: 0,
        } => vec![text.as_str()],
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

#[cfg(test)]
mod tests {
    use super::*;

    fn w(text: &str) -> Node {
        Node::Word {
            field: None,
            text: text.into(),
            prefix: false,
            exact: false,
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
                    text: "Corea del Nord".into(),
                    slop: 0
                },
                Node::Word {
                    field: Some(Target::Section),
                    text: "Esteri".into(),
                    prefix: false,
                    exact: false
                },
                Node::Word {
                    field: None,
                    text: "missil".into(),
                    prefix: true,
                    exact: false
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
    fn proximity_exact_forms_and_dates() {
        assert_eq!(
            parse("\"Putin Kim\"~5").unwrap(),
            Node::Phrase {
                field: None,
                text: "Putin Kim".into(),
                slop: 5
            }
        );
        assert_eq!(
            parse("=Conte").unwrap(),
            Node::Word {
                field: None,
                text: "Conte".into(),
                prefix: false,
                exact: true
            }
        );
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            parse("date:2023-09").unwrap(),
            Node::Dates {
                since: day(2023, 9, 1),
                until: day(2023, 9, 30)
            }
        );
        assert_eq!(
            parse("date:[2023-01-01 TO 2023-06-30] Kim").unwrap(),
            Node::And(vec![
                Node::Dates {
                    since: day(2023, 1, 1),
                    until: day(2023, 6, 30)
                },
                w("Kim")
            ])
        );
        assert!(parse("date:[2023 TO *]").is_ok());
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
        assert!(message("date:ieri").contains("not a date"));
        assert!(message("date:[2023-06 TO 2023-01]").contains("ends before it starts"));
        assert!(message("date:[2023-01").contains("no closing `]`"));
        assert!(message("\"Kim Putin\"~").contains("needs a number"));
    }
}
