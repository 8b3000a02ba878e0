//! Snippets: the best passages of an article's body (or its whole title) with every word the
//! query matched marked, in any inflected form: the stored text is analysed again with the
//! Italian analyzer and each token whose term the query looked for is marked. A phrase is marked
//! where it occurs as a phrase, not word by word wherever its words appear.

use std::collections::{BTreeMap, HashMap};

use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

use super::highlight::Highlight;
use crate::analysis;

/// About how many characters of body text a snippet shows.
pub(crate) const SNIPPET_CHARS: usize = 200;

/// How far back (in characters) a passage may start before its first match, to give context.
const LEAD_CHARS: usize = 60;

/// How far back (in characters) a passage may reach for the start of its sentence.
const SENTENCE_CHARS: usize = 120;

/// A piece of text, marked or not: renderers escape, colour or wrap the marked pieces.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    pub text: String,
    pub marked: bool,
}

/// A passage of text with its marked words, as pieces in order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snippet {
    pub pieces: Vec<Piece>,
}

impl Snippet {
    /// The passage as HTML: text escaped, matched words in `<mark>…</mark>`.
    pub fn to_html(&self) -> String {
        let mut html = String::new();
        for piece in &self.pieces {
            if piece.marked {
                html.push_str("<mark>");
                html.push_str(&escape_html(&piece.text));
                html.push_str("</mark>");
            } else {
                html.push_str(&escape_html(&piece.text));
            }
        }
        html
    }

    /// The passage as plain text.
    #[cfg(test)]
    pub fn plain(&self) -> String {
        self.pieces.iter().map(|p| p.text.as_str()).collect()
    }

    fn push(&mut self, text: &str, marked: bool) {
        if text.is_empty() {
            return;
        }
        match self.pieces.last_mut() {
            Some(last) if !last.marked && !marked => last.text.push_str(text),
            _ => self.pieces.push(Piece {
                text: text.to_string(),
                marked,
            }),
        }
    }
}

pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A matched word: byte range in the text, and its term (to count distinct words).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Match {
    pub start: usize,
    pub end: usize,
    term: String,
}

/// Makes snippets for one query.
pub(crate) struct Snippeter {
    analyzer: TextAnalyzer,
    exact: TextAnalyzer,
    highlight: Highlight,
}

impl Snippeter {
    pub fn new(highlight: Highlight) -> Self {
        Snippeter {
            analyzer: analysis::italian(),
            exact: analysis::italian_exact(),
            highlight,
        }
    }

    /// What this query marks.
    pub fn highlight(&self) -> &Highlight {
        &self.highlight
    }

    /// The words of `text` the query matched, in order.
    pub fn matches(&mut self, text: &str, in_title: bool) -> Vec<Match> {
        let tokens = analysis::tokens(&mut self.analyzer, text);
        let mut marked: Vec<bool> = tokens
            .iter()
            .map(|t| self.highlight.marks(&t.text, in_title))
            .collect();
        for phrase in &self.highlight.phrases {
            if (in_title && phrase.in_title) || (!in_title && phrase.in_body) {
                mark_phrase(&tokens, &phrase.terms, &mut marked);
            }
        }
        let mut matches: Vec<Match> = tokens
            .into_iter()
            .zip(marked)
            .filter(|(_, marked)| *marked)
            .map(|(t, _)| Match {
                start: t.offset_from,
                end: t.offset_to,
                term: t.text,
            })
            .collect();
        if !self.highlight.exact_terms.is_empty() {
            let exact = analysis::tokens(&mut self.exact, text);
            matches.extend(
                exact
                    .into_iter()
                    .filter(|t| self.highlight.exact_terms.contains(&t.text))
                    .map(|t| Match {
                        start: t.offset_from,
                        end: t.offset_to,
                        term: t.text,
                    }),
            );
        }
        // A word and its lemma's stem share a range: mark it once.
        matches.sort_by_key(|m| m.start);
        matches.dedup_by_key(|m| m.start);
        matches
    }

    /// The words of an indexed text at these token positions (see [`Highlight::positions`]),
    /// found by the tokenizer alone: a long body is not stemmed again. A word keeps the range
    /// the analyzer gives it (`dell’Ucraina` is marked from `Ucraina`).
    pub fn matches_at(&mut self, text: &str, positions: &BTreeMap<u32, String>) -> Vec<Match> {
        let Some(&last) = positions.keys().next_back() else {
            return Vec::new();
        };
        let mut matches = Vec::with_capacity(positions.len());
        let mut tokenizer = analysis::WordTokenizer;
        let mut words = tokenizer.token_stream(text);
        while words.advance() {
            let word = words.token();
            let position = word.position as u32;
            if let Some(term) = positions.get(&position) {
                let (from, to) = (word.offset_from, word.offset_to);
                // The analyzer moves a word's start past an elided article.
                let start = analysis::tokens(&mut self.exact, &text[from..to])
                    .first()
                    .map_or(from, |t| from + t.offset_from);
                matches.push(Match {
                    start,
                    end: to,
                    term: term.clone(),
                });
            }
            if position >= last {
                break;
            }
        }
        matches
    }

    /// The best passage of a body (the search makes its passages from the same matches it
    /// reports, with [`passages`]).
    #[cfg(test)]
    fn body(&mut self, body: &str) -> Snippet {
        let matches = self.matches(body, false);
        passages(body, &matches, 1).pop().unwrap_or_default()
    }
}

/// The whole of a short text (a title), its matches marked.
pub(crate) fn whole(text: &str, matches: &[Match]) -> Snippet {
    build(text, 0, text.len(), matches)
}

/// Up to `count` passages of about [`SNIPPET_CHARS`] characters, best first, not overlapping:
/// the windows holding the most distinct matched words (then the most matches), starting at the
/// sentence when it is close, cut at word boundaries, with `…` where text was cut. Without
/// matches, the text's opening.
pub(crate) fn passages(text: &str, matches: &[Match], count: usize) -> Vec<Snippet> {
    if matches.is_empty() {
        let end = word_end(text, forward_chars(text, 0, SNIPPET_CHARS));
        return vec![render(text, 0, end, &[])];
    }
    let mut windows: Vec<((usize, usize), usize, usize)> = (0..matches.len())
        .map(|first| {
            let limit = forward_chars(text, matches[first].start, SNIPPET_CHARS);
            let mut distinct: Vec<&str> = Vec::new();
            let mut last = first;
            for (i, m) in matches.iter().enumerate().skip(first) {
                if m.end > limit {
                    break;
                }
                last = i;
                if !distinct.contains(&m.term.as_str()) {
                    distinct.push(&m.term);
                }
            }
            ((distinct.len(), last - first + 1), first, last)
        })
        .collect();
    // Best score first; among equals, the earliest.
    windows.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut chosen: Vec<(usize, usize)> = Vec::new();
    for (_, first, last) in windows {
        if chosen.len() == count {
            break;
        }
        let (start, end) = span(text, &matches[first], &matches[last]);
        if chosen.iter().all(|&(s, e)| end <= s || start >= e) {
            chosen.push((start, end));
        }
    }
    chosen
        .into_iter()
        .map(|(start, end)| {
            let inside: Vec<Match> = matches
                .iter()
                .filter(|m| m.start >= start && m.end <= end)
                .cloned()
                .collect();
            render(text, start, end, &inside)
        })
        .collect()
}

/// The byte range of a passage from match `first` to match `last`.
fn span(text: &str, first: &Match, last: &Match) -> (usize, usize) {
    let width = char_count(&text[first.start..last.end]);
    let start = match sentence_start(text, first.start) {
        Some(sentence) if char_count(&text[sentence..last.end]) <= SNIPPET_CHARS => sentence,
        _ => {
            let lead = LEAD_CHARS.min(SNIPPET_CHARS.saturating_sub(width) / 2);
            word_start(text, back_chars(text, first.start, lead))
        }
    };
    let end = word_end(text, forward_chars(text, start, SNIPPET_CHARS)).max(last.end);
    (start, end)
}

/// The start of the sentence holding `at`, if it begins at most [`SENTENCE_CHARS`] before.
fn sentence_start(text: &str, at: usize) -> Option<usize> {
    let earliest = back_chars(text, at, SENTENCE_CHARS);
    match text[earliest..at].rfind(['.', '!', '?', '\n']) {
        Some(end) => {
            let after = earliest + end + 1;
            Some(after + (text[after..at].len() - text[after..at].trim_start().len()))
        }
        None => (earliest == 0).then_some(0),
    }
}

/// `text[start..end]` with `…` where it was cut.
fn render(text: &str, start: usize, end: usize, matches: &[Match]) -> Snippet {
    let mut snippet = Snippet::default();
    if start > 0 {
        snippet.push("… ", false);
    }
    snippet
        .pieces
        .extend(build(text, start, end, matches).pieces);
    if end < text.trim_end().len() {
        snippet.push(" …", false);
    }
    snippet
}

/// Marks the tokens of every occurrence of `phrase` (terms at their relative positions).
fn mark_phrase(tokens: &[Token], phrase: &[(usize, String)], marked: &mut [bool]) {
    let at: HashMap<(usize, &str), usize> = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| ((t.position, t.text.as_str()), i))
        .collect();
    let Some((_, first)) = phrase.first() else {
        return;
    };
    for token in tokens.iter().filter(|t| &t.text == first) {
        let found: Option<Vec<usize>> = phrase
            .iter()
            .map(|(offset, term)| at.get(&(token.position + offset, term.as_str())).copied())
            .collect();
        for i in found.into_iter().flatten() {
            marked[i] = true;
        }
    }
}

/// `text[start..end]` as pieces, whitespace runs squeezed to one space, `matches` marked.
fn build(text: &str, start: usize, end: usize, matches: &[Match]) -> Snippet {
    let mut snippet = Snippet::default();
    let mut at = start;
    for m in matches {
        if m.start < at {
            continue;
        }
        snippet.push(&squeeze(&text[at..m.start]), false);
        snippet.push(&text[m.start..m.end], true);
        at = m.end;
    }
    snippet.push(&squeeze(&text[at..end]), false);
    if let Some(first) = snippet.pieces.first_mut().filter(|p| !p.marked) {
        first.text = first.text.trim_start().to_string();
    }
    if let Some(last) = snippet.pieces.last_mut().filter(|p| !p.marked) {
        last.text = last.text.trim_end().to_string();
    }
    snippet.pieces.retain(|p| !p.text.is_empty());
    snippet
}

/// Whitespace runs (newlines between paragraphs included) as one space, ends kept.
fn squeeze(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

fn char_count(text: &str) -> usize {
    text.chars().count()
}

pub(crate) fn back_chars(text: &str, from: usize, n: usize) -> usize {
    text[..from]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i)
        .min(from)
}

pub(crate) fn forward_chars(text: &str, from: usize, n: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| from + i)
}

/// The start of the word at `at`: moves forward past a partial word, unless at the text's start.
pub(crate) fn word_start(text: &str, at: usize) -> usize {
    if at == 0 || text[..at].ends_with(char::is_whitespace) {
        return at;
    }
    match text[at..].find(char::is_whitespace) {
        Some(space) => at + space,
        None => at,
    }
}

/// The end of the word before `at`: moves back to the last whitespace, unless at the text's end.
pub(crate) fn word_end(text: &str, at: usize) -> usize {
    if at >= text.len() || text[at..].starts_with(char::is_whitespace) {
        return at;
    }
    text[..at].rfind(char::is_whitespace).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snippeter(terms: &[&str]) -> Snippeter {
        let mut highlight = Highlight::default();
        let mut analyzer = analysis::italian();
        for word in terms {
            highlight.record(None, &analysis::tokens(&mut analyzer, word), 0);
        }
        Snippeter::new(highlight)
    }

    fn marked(snippet: &Snippet) -> Vec<&str> {
        snippet
            .pieces
            .iter()
            .filter(|p| p.marked)
            .map(|p| p.text.as_str())
            .collect()
    }

    #[test]
    fn every_inflected_form_is_marked() {
        let html = snippeter(&["missile"])
            .body("Un missile, poi altri due missili.")
            .to_html();
        assert_eq!(
            html,
            "Un <mark>missile</mark>, poi altri due <mark>missili</mark>."
        );
    }

    #[test]
    fn the_elided_article_is_not_marked() {
        let html = snippeter(&["Ucraina"])
            .body("La guerra contro l’Ucraina.")
            .to_html();
        assert_eq!(html, "La guerra contro l’<mark>Ucraina</mark>.");
    }

    #[test]
    fn text_is_escaped() {
        let html = snippeter(&["borsa"])
            .body("Borsa <ok> & \"altro\"")
            .to_html();
        assert_eq!(
            html,
            "<mark>Borsa</mark> &lt;ok&gt; &amp; &quot;altro&quot;"
        );
    }

    #[test]
    fn a_long_body_is_cut_at_words_around_the_best_passage() {
        let filler = "parola ".repeat(80);
        let body = format!("{filler}Qui il vertice sui missili e sulla Corea. {filler}");
        let snippet = snippeter(&["missili", "Corea"]).body(&body);
        let plain = snippet.plain();
        assert!(
            plain.starts_with("… parola") || plain.starts_with("Qui il vertice"),
            "{plain}"
        );
        assert!(plain.ends_with("parola …"), "{plain}");
        assert!(
            plain.chars().count() <= SNIPPET_CHARS + 10,
            "{}",
            plain.len()
        );
        assert_eq!(marked(&snippet), vec!["missili", "Corea"]);
    }

    #[test]
    fn without_a_match_the_opening_is_shown() {
        let body = "Prima frase. ".repeat(40);
        let plain = snippeter(&["assente"]).body(&body).plain();
        assert!(plain.starts_with("Prima frase."));
        assert!(plain.ends_with('…'));
    }

    #[test]
    fn a_phrase_is_marked_where_it_occurs_not_word_by_word() {
        let mut highlight = Highlight::default();
        let tokens = analysis::tokens(&mut analysis::italian(), "Corea del Nord");
        highlight.record(None, &tokens, 0);
        let mut snippeter = Snippeter::new(highlight);
        let snippet =
            snippeter.body("Vento dal nord sulla Corea. Poi la Corea del Nord ha lanciato.");
        assert_eq!(marked(&snippet), vec!["Corea", "Nord"]);
        assert!(
            snippet
                .to_html()
                .contains("la <mark>Corea</mark> del <mark>Nord</mark>")
        );
    }

    #[test]
    fn passages_start_at_their_sentence_and_do_not_overlap() {
        let mut highlight = Highlight::default();
        highlight.record(
            None,
            &analysis::tokens(&mut analysis::italian(), "grano"),
            0,
        );
        let filler = "Una frase qualunque che non dice nulla di utile. ".repeat(8);
        let body = format!(
            "{filler}Il prezzo del grano sale. {filler}Le scorte di grano calano. {filler}"
        );
        let mut snippeter = Snippeter::new(highlight);
        let matches = snippeter.matches(&body, false);
        let found = passages(&body, &matches, 3);
        assert_eq!(found.len(), 2);
        assert!(
            found[0].plain().starts_with("… Il prezzo del grano"),
            "{}",
            found[0].plain()
        );
        assert!(
            found[1].plain().starts_with("… Le scorte di grano"),
            "{}",
            found[1].plain()
        );
    }
}
