//! The query language: plain words (all required), `OR`, `-word`/`NOT word`, `"phrases"`,
//! `"phrases"~N` (words within N positions), `(groups)`, `field:word`, `prefix*`, `=word` (this
//! form only, unstemmed), `date:2023-09` and `date:[2023-01-01 TO 2023-06-30]`. Parsed here
//! rather than by tantivy's QueryParser, which reads the apostrophe of `l'Italia` as syntax:
//! every word reaches the Italian analyzer whole, elisions included.

use std::collections::HashSet;

use chrono::NaiveDate;

use super::dates::parse_date_bound;
use crate::error::QueryError;

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
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

impl std::fmt::Display for Node {
    /// The query as it was read, in the query language: what `read_as` reports.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let field = |f: &mut std::fmt::Formatter<'_>, field: &Option<Target>| match field {
            Some(target) => write!(f, "{}:", target.name()),
            None => Ok(()),
        };
        match self {
            Node::Word {
                field: target,
                text,
                prefix,
                exact,
            } => {
                field(f, target)?;
                let (exact, prefix) = (
                    if *exact { "=" } else { "" },
                    if *prefix { "*" } else { "" },
                );
                write!(f, "{exact}{text}{prefix}")
            }
            Node::Phrase {
                field: target,
                text,
                slop,
            } => {
                field(f, target)?;
                write!(f, "\"{text}\"")?;
                if *slop > 0 {
                    write!(f, "~{slop}")?;
                }
                Ok(())
            }
            Node::Dates { since, until } if since == until => write!(f, "date:{since}"),
            Node::Dates { since, until } => {
                let bound = |date: &NaiveDate, open: NaiveDate| {
                    if *date == open {
                        "*".to_string()
                    } else {
                        date.to_string()
                    }
                };
                let (since, until) = (bound(since, NaiveDate::MIN), bound(until, NaiveDate::MAX));
                write!(f, "date:[{since} TO {until}]")
            }
            Node::And(children) => joined(f, children, " "),
            Node::Or(alternatives) => joined(f, alternatives, " OR "),
            Node::Not(inner) => {
                f.write_str("-")?;
                joined(f, std::slice::from_ref(inner), "")
            }
        }
    }
}

/// `nodes` written one after the other, groups in parentheses.
fn joined(f: &mut std::fmt::Formatter<'_>, nodes: &[Node], separator: &str) -> std::fmt::Result {
    for (i, node) in nodes.iter().enumerate() {
        if i > 0 {
            f.write_str(separator)?;
        }
        match node {
            Node::And(_) | Node::Or(_) => write!(f, "({node})")?,
            _ => write!(f, "{node}")?,
        }
    }
    Ok(())
}

/// The fields a query can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    Title,
    Body,
    Section,
    Source,
    Author,
    Date,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Title => "title",
            Target::Body => "body",
            Target::Section => "section",
            Target::Source => "source",
            Target::Author => "author",
            Target::Date => "date",
        }
    }

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

/// A parsed query, and whether any of its punctuation that looks like syntax was read as plain
/// text (an unknown `Word:`, a spaced dash, an unclosed quote or bracket…).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Parsed {
    pub tree: Node,
    pub forgiven: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Lexeme {
    Word(String),
    Phrase(String, u32),
    /// `date:` followed by a date or a range; the value is kept whole.
    Dates(String),
    Field(Target),
    Open,
    Close,
    Or,
    Not,
}

/// Reads a query into lexemes. Syntax acts only where it is well formed: anything else is read
/// as words (and `forgiven` says so), so a pasted headline is never refused for punctuation.
fn lex(query: &str) -> (Vec<Lexeme>, bool) {
    let chars: Vec<char> = query.chars().collect();
    let balanced = balanced_parentheses(&chars);
    let mut forgiven = false;
    let mut out = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        if c.is_whitespace() {
            at += 1;
        } else if c == '(' || c == ')' {
            if balanced[at] {
                out.push(if c == '(' {
                    Lexeme::Open
                } else {
                    Lexeme::Close
                });
            } else {
                forgiven = true;
            }
            at += 1;
        } else if QUOTES.contains(&c) {
            let (phrase, next, closed) = quoted(&chars, at);
            forgiven |= !closed;
            at = next;
            if matches!(&phrase, Lexeme::Phrase(text, _) if !text.trim().is_empty()) {
                out.push(phrase);
            }
        } else {
            let end = (at..chars.len())
                .find(|&i| {
                    let c = chars[i];
                    c.is_whitespace() || QUOTES.contains(&c) || (balanced[i] && "()".contains(c))
                })
                .unwrap_or(chars.len());
            let token: String = chars[at..end].iter().collect();
            at = end;
            let next_is_quote = chars.get(end).is_some_and(|c| QUOTES.contains(c));
            forgiven |= token_lexemes(&token, next_is_quote, &chars, &mut at, &mut out);
        }
    }
    (out, forgiven)
}

/// Which parentheses have a partner; the others are punctuation.
fn balanced_parentheses(chars: &[char]) -> Vec<bool> {
    let mut balanced = vec![false; chars.len()];
    let mut open = Vec::new();
    let mut in_quote = false;
    for (i, &c) in chars.iter().enumerate() {
        match c {
            c if QUOTES.contains(&c) => in_quote = !in_quote,
            '(' if !in_quote => open.push(i),
            ')' if !in_quote => {
                if let Some(start) = open.pop() {
                    balanced[start] = true;
                    balanced[i] = true;
                }
            }
            _ => {}
        }
    }
    balanced
}

/// The phrase opening at `at`, to its closing quote or to the end of the query, with its
/// `~N`; the position after it; whether it was closed.
fn quoted(chars: &[char], at: usize) -> (Lexeme, usize, bool) {
    let close = (at + 1..chars.len()).find(|&i| QUOTES.contains(&chars[i]));
    let end = close.unwrap_or(chars.len());
    let phrase: String = chars[at + 1..end].iter().collect();
    let mut next = (end + 1).min(chars.len());
    let mut slop = 0;
    if close.is_some() && chars.get(next) == Some(&'~') {
        let digits: String = chars[next + 1..]
            .iter()
            .take_while(|d| d.is_ascii_digit())
            .collect();
        next += 1 + digits.len();
        slop = digits.parse().unwrap_or(0);
    }
    (Lexeme::Phrase(phrase, slop), next, close.is_some())
}

/// The lexemes of one whitespace-delimited token; true when syntax-like punctuation in it was
/// read as text. `at` moves on when the token's value runs further (`date:[… TO …]`).
fn token_lexemes(
    token: &str,
    next_is_quote: bool,
    chars: &[char],
    at: &mut usize,
    out: &mut Vec<Lexeme>,
) -> bool {
    match token {
        "OR" | "|" | "||" => {
            out.push(Lexeme::Or);
            return false;
        }
        "NOT" => {
            out.push(Lexeme::Not);
            return false;
        }
        "AND" | "&&" => return false,
        _ => {}
    }
    if token.chars().all(|c| !c.is_alphanumeric()) {
        // A lone `-`, `–`, `*`, `/`, `?`… is punctuation. `-"phrase"` excludes the phrase.
        if token == "-" && next_is_quote {
            out.push(Lexeme::Not);
            return false;
        }
        return true;
    }
    if let Some(rest) = token
        .strip_prefix('-')
        .filter(|r| r.starts_with(char::is_alphanumeric))
    {
        out.push(Lexeme::Not);
        return token_lexemes(rest, next_is_quote, chars, at, out);
    }
    // `+word` is required even where articles missing a word are shown: a phrase of one word.
    if let Some(rest) = token
        .strip_prefix('+')
        .filter(|r| r.chars().all(char::is_alphanumeric))
    {
        out.push(Lexeme::Phrase(rest.to_string(), 0));
        return false;
    }
    if let Some((name, value)) = token.split_once(':')
        && let Some(target) = Target::from_name(name)
    {
        if target == Target::Date {
            if let Some(dates) = date_value(value, chars, at) {
                out.push(Lexeme::Field(target));
                out.push(Lexeme::Dates(dates));
                return false;
            }
        } else if value.chars().any(char::is_alphanumeric) || (value.is_empty() && next_is_quote) {
            out.push(Lexeme::Field(target));
            if !value.is_empty() {
                return token_lexemes(value, next_is_quote, chars, at, out);
            }
            return false;
        }
        // `Date: …`, `Title: …` at the head of a pasted line: words, not fields.
        out.push(Lexeme::Word(name.to_string()));
        if value.chars().any(char::is_alphanumeric) {
            out.push(Lexeme::Word(value.to_string()));
        }
        return true;
    }
    // Brackets and a trailing colon are punctuation (`[VBA]`, `Ucraina:`, an unmatched `)`); the
    // analyzer drops the rest (`?`, `!`, `#`, `@`).
    let word =
        token.trim_matches(|c| matches!(c, '[' | ']' | '(' | ')' | '{' | '}' | ':' | ',' | ';'));
    let forgiven = word.len() != token.len();
    if !word.is_empty() {
        out.push(Lexeme::Word(word.to_string()));
    }
    forgiven
}

/// The value of `date:`: a date as typed, or a range `[… TO …]` which may span spaces (then
/// `at` moves past its `]`). `None` when it is not a date: the token is then read as words.
fn date_value(value: &str, chars: &[char], at: &mut usize) -> Option<String> {
    if !value.starts_with('[') {
        return parse_date_bound(value, false)
            .is_ok()
            .then(|| value.to_string());
    }
    let well_formed = |range: &str| {
        let inner = range.trim_start_matches('[').trim_end_matches(']');
        inner.split_once(" TO ").is_some_and(|(from, to)| {
            let bound = |text: &str, end| text.trim() == "*" || parse_date_bound(text, end).is_ok();
            bound(from, false) && bound(to, true)
        })
    };
    if value.ends_with(']') {
        return well_formed(value).then(|| value.to_string());
    }
    let rest: String = chars[*at..].iter().collect();
    let close = rest.find(']')?;
    let range = format!("{value}{}", &rest[..=close]);
    if !well_formed(&range) {
        return None;
    }
    *at += rest[..=close].chars().count();
    Some(range)
}

/// Parses a query into its tree. Only a query with nothing to search for is an error.
pub(crate) fn parse(query: &str) -> Result<Parsed, QueryError> {
    let (lexemes, mut forgiven) = lex(query);
    let mut parser = Parser {
        lexemes,
        at: 0,
        forgiven: false,
    };
    let mut clauses = Vec::new();
    while parser.peek().is_some() {
        if let Some(node) = parser.and()? {
            clauses.push(node);
        }
        // A `)` that the and-clause stopped at: already balanced, so only an empty group.
        if matches!(parser.peek(), Some(Lexeme::Close)) {
            parser.next();
        }
    }
    forgiven |= parser.forgiven;
    let tree = match clauses.len() {
        0 => return Err(QueryError("nothing to search for".into())),
        1 => clauses.remove(0),
        _ => Node::And(clauses),
    };
    Ok(Parsed { tree, forgiven })
}

struct Parser {
    lexemes: Vec<Lexeme>,
    at: usize,
    /// Operators with nothing to act on were dropped.
    forgiven: bool,
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

    /// Clauses side by side, up to a `)` or the end: all required.
    fn and(&mut self) -> Result<Option<Node>, QueryError> {
        let mut clauses = Vec::new();
        while let Some(lexeme) = self.peek() {
            if matches!(lexeme, Lexeme::Close) {
                break;
            }
            if matches!(lexeme, Lexeme::Or) {
                // An OR with no word before it.
                self.next();
                self.forgiven = true;
                continue;
            }
            if let Some(node) = self.or()? {
                clauses.push(node);
            }
        }
        Ok(match clauses.len() {
            0 => None,
            1 => Some(clauses.remove(0)),
            _ => Some(Node::And(clauses)),
        })
    }

    /// `a OR b OR c`: binds tighter than the implicit AND (`missili OR razzi Corea`).
    fn or(&mut self) -> Result<Option<Node>, QueryError> {
        let Some(first) = self.unary()? else {
            return Ok(None);
        };
        let mut alternatives = vec![first];
        while matches!(self.peek(), Some(Lexeme::Or)) {
            self.next();
            match self.unary()? {
                Some(node) => alternatives.push(node),
                None => self.forgiven = true,
            }
        }
        Ok(Some(match alternatives.len() {
            1 => alternatives.remove(0),
            // An excluded word cannot be an alternative: `a OR -b` is read as `a -b`.
            _ if alternatives.iter().any(|n| matches!(n, Node::Not(_))) => {
                self.forgiven = true;
                Node::And(alternatives)
            }
            _ => Node::Or(alternatives),
        }))
    }

    fn unary(&mut self) -> Result<Option<Node>, QueryError> {
        if matches!(self.peek(), Some(Lexeme::Not)) {
            self.next();
            return Ok(match self.unary()? {
                Some(node) => Some(Node::Not(Box::new(node))),
                None => {
                    self.forgiven = true;
                    None
                }
            });
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Option<Node>, QueryError> {
        Ok(match self.peek() {
            None | Some(Lexeme::Close) | Some(Lexeme::Or) => None,
            _ => match self.next() {
                Some(Lexeme::Open) => {
                    let inner = self.and()?;
                    // The lexer let through only balanced parentheses.
                    if matches!(self.peek(), Some(Lexeme::Close)) {
                        self.next();
                    }
                    inner
                }
                Some(Lexeme::Field(target)) => match self.next() {
                    Some(Lexeme::Dates(value)) => Some(dates(&value)?),
                    Some(Lexeme::Word(text)) => Some(word(Some(target), text)),
                    Some(Lexeme::Phrase(text, slop)) => Some(Node::Phrase {
                        field: Some(target),
                        text,
                        slop,
                    }),
                    _ => {
                        self.at -= 1;
                        self.forgiven = true;
                        None
                    }
                },
                Some(Lexeme::Word(text)) => Some(word(None, text)),
                Some(Lexeme::Phrase(text, slop)) => Some(Node::Phrase {
                    field: None,
                    text,
                    slop,
                }),
                _ => None,
            },
        })
    }
}

fn word(field: Option<Target>, text: String) -> Node {
    let (text, exact) = match text.strip_prefix('=') {
        Some(rest) if !rest.is_empty() => (rest.to_string(), true),
        _ => (text, false),
    };
    let letters = |stem: &str| stem.chars().filter(|c| c.is_alphanumeric()).count();
    match text.strip_suffix('*') {
        // A prefix needs two letters; `a*` is the word `a`.
        Some(stem) if letters(stem) >= 2 => Node::Word {
            field,
            text: stem.to_string(),
            prefix: true,
            exact,
        },
        _ => Node::Word {
            field,
            text: text.trim_end_matches('*').to_string(),
            prefix: false,
            exact,
        },
    }
}

/// The value of `date:`: a day, a month, a year or a range.
fn dates(value: &str) -> Result<Node, QueryError> {
    match value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
        Some(range) => date_range(range),
        None => Ok(Node::Dates {
            since: parse_date_bound(value, false)?,
            until: parse_date_bound(value, true)?,
        }),
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

/// A word as [`name_words`] knows it: without the punctuation around it (`Conte,` → `Conte`).
pub(crate) fn name_key(word: &str) -> &str {
    word.trim_matches(|c: char| !c.is_alphanumeric())
}

/// The words of a typed query written as names: capitalised where a capital is not simply the
/// start of a sentence (not the first word, nor after `.`, `:`, `?`, `!`), in a query not typed
/// in Title Case or ALL CAPS as headlines are. A query of one capitalised word is a name too.
pub(crate) fn name_words(query: &str) -> HashSet<String> {
    let words: Vec<(&str, bool)> = query
        .split_whitespace()
        .scan(true, |sentence_start, token| {
            let starts = *sentence_start;
            *sentence_start = token.ends_with(['.', ':', '?', '!']);
            Some((name_key(token), starts))
        })
        .filter(|(word, _)| word.chars().any(char::is_alphabetic))
        .collect();
    let capitalised = |word: &str| word.starts_with(char::is_uppercase);
    let content: Vec<&str> = words
        .iter()
        .map(|(word, _)| *word)
        .filter(|word| word.chars().count() > 3)
        .collect();
    let all_caps = words
        .iter()
        .all(|(w, _)| !w.chars().any(char::is_lowercase));
    let title_case = content.len() >= 2 && content.iter().all(|w| capitalised(w));
    if words.len() == 1 && capitalised(words[0].0) && !all_caps {
        return HashSet::from([words[0].0.to_string()]);
    }
    if all_caps || title_case {
        return HashSet::new();
    }
    words
        .into_iter()
        .filter(|(word, sentence_start)| !sentence_start && capitalised(word))
        .map(|(word, _)| word.to_string())
        .collect()
}

/// The plain (unfielded, not excluded) words and phrases of the top level of a query.
pub(crate) fn plain_words(node: &Node) -> Vec<&str> {
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

/// A word without field, prefix or `=`.
pub(crate) fn is_plain_word(node: &Node) -> bool {
    matches!(
        node,
        Node::Word {
            field: None,
            prefix: false,
            exact: false,
            ..
        }
    )
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
            parse("missili Corea").unwrap().tree,
            Node::And(vec![w("missili"), w("Corea")])
        );
    }

    #[test]
    fn or_binds_tighter_than_and() {
        assert_eq!(
            parse("missili OR razzi Corea").unwrap().tree,
            Node::And(vec![Node::Or(vec![w("missili"), w("razzi")]), w("Corea")])
        );
    }

    #[test]
    fn exclusion_phrases_fields_prefixes_and_groups() {
        assert_eq!(
            parse("Kim -Putin NOT Trump").unwrap().tree,
            Node::And(vec![
                w("Kim"),
                Node::Not(Box::new(w("Putin"))),
                Node::Not(Box::new(w("Trump")))
            ])
        );
        assert_eq!(
            parse("title:\"Corea del Nord\" section:Esteri missil*")
                .unwrap()
                .tree,
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
            parse("(Kim OR Putin) vertice").unwrap().tree,
            Node::And(vec![Node::Or(vec![w("Kim"), w("Putin")]), w("vertice")])
        );
    }

    #[test]
    fn apostrophes_and_hyphens_are_part_of_words() {
        assert_eq!(parse("dell'Ucraina").unwrap().tree, w("dell'Ucraina"));
        assert_eq!(parse("nord-coreano").unwrap().tree, w("nord-coreano"));
        assert_eq!(
            parse("ore 10:30").unwrap().tree,
            Node::And(vec![w("ore"), w("10:30")])
        );
    }

    #[test]
    fn proximity_exact_forms_and_dates() {
        assert_eq!(
            parse("\"Putin Kim\"~5").unwrap().tree,
            Node::Phrase {
                field: None,
                text: "Putin Kim".into(),
                slop: 5
            }
        );
        assert_eq!(
            parse("=Conte").unwrap().tree,
            Node::Word {
                field: None,
                text: "Conte".into(),
                prefix: false,
                exact: true
            }
        );
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            parse("date:2023-09").unwrap().tree,
            Node::Dates {
                since: day(2023, 9, 1),
                until: day(2023, 9, 30)
            }
        );
        assert_eq!(
            parse("date:[2023-01-01 TO 2023-06-30] Kim").unwrap().tree,
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

    /// The reading of a query, in the query language, and whether punctuation was forgiven.
    fn read(query: &str) -> (String, bool) {
        let parsed = parse(query).unwrap();
        (parsed.tree.to_string(), parsed.forgiven)
    }

    #[test]
    fn pasted_headlines_are_read_as_words() {
        let cases = [
            (
                "Ucraina: Zelensky chiede aiuti all'Europa",
                "Ucraina Zelensky chiede aiuti all'Europa",
            ),
            ("Funzione MIRR [VBA]", "Funzione MIRR VBA"),
            (
                "Maltempo - allerta rossa in Liguria",
                "Maltempo allerta rossa in Liguria",
            ),
            ("Maltempo – allerta (rossa", "Maltempo allerta rossa"),
            ("\"Corea del Nord", "\"Corea del Nord\""),
            ("Kim)", "Kim"),
            ("OR Kim OR", "Kim"),
            ("Kim NOT", "Kim"),
            ("Title: il prompt", "Title il prompt"),
            ("title:, «", "title"),
            ("date:ieri", "date ieri"),
            ("date:[2023 2024] Kim", "date [2023 2024 Kim"),
            ("a* ! ? & / * +", "a"),
        ];
        for (query, reading) in cases {
            assert_eq!(read(query), (reading.to_string(), true), "{query}");
        }
        // Read as words, no syntax involved: the analyzer takes them apart.
        for query in [
            "https://www.ansa.it/notizie/2023",
            "redazione@ansa.it",
            "inflazione al 3,5%",
            "12/05/2023",
            "#Sanremo2024 @utente",
            "ore 10:30",
            "autore:Rossi",
        ] {
            assert_eq!(read(query), (query.to_string(), false), "{query}");
        }
    }

    #[test]
    fn well_formed_syntax_still_acts() {
        let cases = [
            "Kim -Putin -\"Corea del Sud\"",
            "title:\"Corea del Nord\" section:Esteri missil*",
            "(Kim OR Putin) vertice",
            "\"Putin Kim\"~5 =Conte",
            "Kim -Putin \"vertice\"",
            "date:[2023-01-01 TO 2023-06-30] Kim",
            "date:2023-09-13",
        ];
        for query in cases {
            assert_eq!(read(query), (query.to_string(), false), "{query}");
        }
        assert_eq!(read("Kim +vertice").0, "Kim \"vertice\"");
        assert_eq!(
            read("date:[2023 TO *] Kim NOT Trump").0,
            "date:[2023-01-01 TO *] Kim -Trump"
        );
    }

    #[test]
    fn names_are_capitals_that_do_not_start_a_sentence() {
        let names = |query: &str| {
            let mut names: Vec<String> = name_words(query).into_iter().collect();
            names.sort();
            names
        };
        assert_eq!(names("Aree di stampa"), Vec::<String>::new());
        assert_eq!(names("governo Conte crisi"), ["Conte"]);
        assert_eq!(names("Crisi di governo: Conte e Draghi"), ["Draghi"]);
        assert_eq!(names("Il Governo Conte Cade"), Vec::<String>::new());
        assert_eq!(names("IL GOVERNO CONTE"), Vec::<String>::new());
        assert_eq!(names("Conte"), ["Conte"]);
    }

    #[test]
    fn only_an_empty_query_or_a_reversed_range_is_refused() {
        let message = |q: &str| parse(q).unwrap_err().0;
        assert!(message("   ").contains("nothing to search for"));
        assert!(message("- – ! ?").contains("nothing to search for"));
        assert!(message("date:[2023-06 TO 2023-01]").contains("ends before it starts"));
    }
}
