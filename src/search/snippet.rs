//! Snippets: the best passage of an article's body (or its whole title) with every word the
//! query matched marked, in any inflected form: the stored text is analysed again with the
//! Italian analyzer and each token whose term the query looked for is marked.

use tantivy::tokenizer::TextAnalyzer;

use super::query::Highlight;
use crate::analysis;

/// About how many characters of body text a snippet shows.
pub const SNIPPET_CHARS: usize = 200;

/// How far back (in characters) a passage may start before its first match, to give context.
const LEAD_CHARS: usize = 60;

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
    pub fn plain(&self) -> String {
        self.pieces.iter().map(|p| p.text.as_str()).collect()
    }

    fn push(&mut self, text: &str, marked: bool) {
        if text.is_empty() {
            return;
        }
        match self.pieces.last_mut() {
            Some(last) if last.marked == marked && !marked => last.text.push_str(text),
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

/// Makes snippets for one query.
pub struct Snippeter {
    analyzer: TextAnalyzer,
    highlight: Highlight,
}

impl Snippeter {
    pub fn new(highlight: Highlight) -> Self {
        Snippeter {
            analyzer: analysis::italian(),
            highlight,
        }
    }

    /// Byte ranges of the words of `text` the query matched.
    fn matches(&mut self, text: &str, in_title: bool) -> Vec<(usize, usize, String)> {
        analysis::tokens(&mut self.analyzer, text)
            .into_iter()
            .filter(|t| self.highlight.marks(&t.text, in_title))
            .map(|t| (t.offset_from, t.offset_to, t.text))
            .collect()
    }

    /// The whole title, its matched words marked.
    pub fn title(&mut self, title: &str) -> Snippet {
        let matches = self.matches(title, true);
        build(title, 0, title.len(), &matches)
    }

    /// The best passage of the body: the window of about [`SNIPPET_CHARS`] characters holding the
    /// most distinct matched words (then the most matches), cut at word boundaries, with `…`
    /// where text was cut. Without matches, the body's opening.
    pub fn body(&mut self, body: &str) -> Snippet {
        let matches = self.matches(body, false);
        let (start, end) = match best_window(body, &matches) {
            Some((first, last)) => {
                let span = char_count(&body[matches[first].0..matches[last].1]);
                let lead = LEAD_CHARS.min(SNIPPET_CHARS.saturating_sub(span) / 2);
                let start = word_start(body, back_chars(body, matches[first].0, lead));
                let end =
                    word_end(body, forward_chars(body, start, SNIPPET_CHARS)).max(matches[last].1);
                (start, end)
            }
            None => (0, word_end(body, forward_chars(body, 0, SNIPPET_CHARS))),
        };
        let mut snippet = Snippet::default();
        if start > 0 {
            snippet.push("… ", false);
        }
        let inner: Vec<_> = matches
            .into_iter()
            .filter(|m| m.0 >= start && m.1 <= end)
            .collect();
        snippet
            .pieces
            .extend(build(body, start, end, &inner).pieces);
        if end < body.trim_end().len() {
            snippet.push(" …", false);
        }
        snippet
    }
}

/// The indexes of the first and last match of the best window, if any match.
fn best_window(text: &str, matches: &[(usize, usize, String)]) -> Option<(usize, usize)> {
    let mut best: Option<((usize, usize), (usize, usize))> = None;
    for first in 0..matches.len() {
        let limit = forward_chars(text, matches[first].0, SNIPPET_CHARS);
        let mut distinct: Vec<&str> = Vec::new();
        let mut last = first;
        for (i, m) in matches.iter().enumerate().skip(first) {
            if m.1 > limit {
                break;
            }
            last = i;
            if !distinct.contains(&m.2.as_str()) {
                distinct.push(&m.2);
            }
        }
        let score = (distinct.len(), last - first + 1);
        if best.is_none_or(|(s, _)| score > s) {
            best = Some((score, (first, last)));
        }
    }
    best.map(|(_, window)| window)
}

/// `text[start..end]` as pieces, whitespace runs squeezed to one space, `matches` marked.
fn build(text: &str, start: usize, end: usize, matches: &[(usize, usize, String)]) -> Snippet {
    let mut snippet = Snippet::default();
    let mut at = start;
    for &(from, to, _) in matches {
        if from < at {
            continue;
        }
        snippet.push(&squeeze(&text[at..from]), false);
        snippet.push(&text[from..to], true);
        at = to;
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

fn back_chars(text: &str, from: usize, n: usize) -> usize {
    text[..from]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i)
        .min(from)
}

fn forward_chars(text: &str, from: usize, n: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| from + i)
}

/// The start of the word at `at`: moves forward past a partial word, unless at the text's start.
fn word_start(text: &str, at: usize) -> usize {
    if at == 0 || text[..at].ends_with(char::is_whitespace) {
        return at;
    }
    match text[at..].find(char::is_whitespace) {
        Some(space) => at + space,
        None => at,
    }
}

/// The end of the word before `at`: moves back to the last whitespace, unless at the text's end.
fn word_end(text: &str, at: usize) -> usize {
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
            for token in analysis::tokens(&mut analyzer, word) {
                highlight.body_terms.insert(token.text.clone());
                highlight.title_terms.insert(token.text);
            }
        }
        Snippeter::new(highlight)
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
        assert!(plain.starts_with("… parola"), "{plain}");
        assert!(plain.ends_with("parola …"), "{plain}");
        assert!(
            plain.chars().count() <= SNIPPET_CHARS + 10,
            "{}",
            plain.len()
        );
        let marked: Vec<&str> = snippet
            .pieces
            .iter()
            .filter(|p| p.marked)
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(marked, vec!["missili", "Corea"]);
    }

    #[test]
    fn without_a_match_the_opening_is_shown() {
        let body = "Prima frase. ".repeat(40);
        let plain = snippeter(&["assente"]).body(&body).plain();
        assert!(plain.starts_with("Prima frase."));
        assert!(plain.ends_with('…'));
    }
}
