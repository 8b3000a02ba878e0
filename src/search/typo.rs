//! Typo tolerance: edit distances, and suggestions for words the index does not hold.

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Searcher, TantivyDocument, Term};

use super::query::Node;
use crate::analysis;
use crate::index::Fields;

/// The typos `--fuzzy` and `did you mean` tolerate in a word, by the length of its analysed
/// form, as Meilisearch users expect: none in short words, one from four letters, two from
/// eight. None in a word with a digit: `2023` is a year, not a typo of `2013`.
pub(crate) fn typos_allowed(term: &str) -> u8 {
    if term.contains(|c: char| c.is_ascii_digit()) {
        return 0;
    }
    match term.chars().count() {
        0..4 => 0,
        4..8 => 1,
        _ => 2,
    }
}

/// Unknown words a query may have for `did you mean` to be offered: correcting a few words
/// can change the answer, and each costs a walk of the dictionaries; a pasted text full of
/// unknown words gets none, and is told so.
pub(crate) const MAX_CORRECTED: usize = 3;

/// What `did you mean` found: the corrected query, and the query's words that match nothing.
#[derive(Debug, Default)]
pub(crate) struct Suggestion {
    pub query: Option<String>,
    pub unknown: usize,
}

/// `did you mean`: the query with each word that matches nothing replaced by the closest word of
/// the index (edit distance 1 or 2 on the analysed form; two only from eight letters), written
/// as an article writes it. No query when every word matches, no close word exists, or more
/// than [`MAX_CORRECTED`] words match nothing.
pub(crate) fn suggest(
    searcher: &Searcher,
    fields: &Fields,
    query: &str,
    tree: &Node,
) -> tantivy::Result<Suggestion> {
    let mut italian = analysis::italian();
    let mut unknown = Vec::new();
    for word in words(tree) {
        let tokens = analysis::tokens(&mut italian, word);
        let [token] = analysis::first_at_each_position(&tokens)[..] else {
            continue;
        };
        let in_title = searcher.doc_freq(&Term::from_field_text(fields.title, &token.text))?;
        if in_title + searcher.doc_freq(&Term::from_field_text(fields.body, &token.text))? == 0 {
            unknown.push((word, token.text.clone()));
        }
    }
    if unknown.is_empty() || unknown.len() > MAX_CORRECTED {
        return Ok(Suggestion {
            query: None,
            unknown: unknown.len(),
        });
    }
    let mut suggestion = query.to_string();
    let mut changed = false;
    for (word, term) in &unknown {
        let Some(term) = closest_term(searcher, fields, term)?.0 else {
            continue;
        };
        let Some(mut surface) = surface_form(searcher, fields, &term, word)? else {
            continue;
        };
        if !word.starts_with(char::is_uppercase) {
            surface = surface.to_lowercase();
        }
        suggestion = suggestion.replacen(word, &surface, 1);
        changed = true;
    }
    Ok(Suggestion {
        query: changed.then_some(suggestion),
        unknown: unknown.len(),
    })
}

/// The plain words of a query (not fielded, prefixed or excluded).
fn words(node: &Node) -> Vec<&str> {
    match node {
        Node::Word {
            field: None,
            text,
            prefix: false,
            exact: false,
        } => vec![text.as_str()],
        Node::And(children) | Node::Or(children) => children.iter().flat_map(words).collect(),
        _ => vec![],
    }
}

/// The indexed term closest to `term`, among equally close ones the most frequent, and how many
/// terms were visited to find it. Each segment's dictionary is walked by a Levenshtein
/// automaton, which visits only the terms within the distance: the cost grows with the word, not
/// with the dictionary.
fn closest_term(
    searcher: &Searcher,
    fields: &Fields,
    term: &str,
) -> tantivy::Result<(Option<String>, usize)> {
    let max = typos_allowed(term);
    if max == 0 {
        return Ok((None, 0));
    }
    let near = FuzzyTermQuery::new(Term::from_field_text(fields.body, term), max, false);
    let mut best: Option<(usize, u64, String)> = None;
    let mut visited = 0;
    for segment in searcher.segment_readers() {
        let index = segment.inverted_index(fields.body)?;
        let mut terms = index.terms().search(near.automaton()?).into_stream()?;
        while terms.advance() {
            visited += 1;
            let Ok(candidate) = std::str::from_utf8(terms.key()) else {
                continue;
            };
            let Some(distance) = edit_distance(term, candidate, usize::from(max)) else {
                continue;
            };
            let frequency = u64::from(terms.value().doc_freq);
            let better = best.as_ref().is_none_or(|(d, f, _)| {
                (distance, std::cmp::Reverse(frequency)) < (*d, std::cmp::Reverse(*f))
            });
            if distance > 0 && better {
                best = Some((distance, frequency, candidate.to_string()));
            }
        }
    }
    Ok((best.map(|(_, _, term)| term), visited))
}

/// A word as an article writes it that analyses to `term` (`missil` → `missili`): of the forms
/// the best few articles write, the one closest to what was typed (`missli` → `missili`, not
/// `missile`).
fn surface_form(
    searcher: &Searcher,
    fields: &Fields,
    term: &str,
    typed: &str,
) -> tantivy::Result<Option<String>> {
    // Preferably from titles, which are written with care.
    let in_field = |field| -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, term),
            IndexRecordOption::Basic,
        ))
    };
    let query = BooleanQuery::new(vec![
        (
            Occur::Should,
            Box::new(BoostQuery::new(in_field(fields.title), 2.0)),
        ),
        (Occur::Should, in_field(fields.body)),
    ]);
    let typed = typed.to_lowercase();
    let mut italian = analysis::italian();
    let mut best: Option<(usize, String)> = None;
    for (_, address) in searcher.search(&query, &TopDocs::with_limit(5).order_by_score())? {
        let doc: TantivyDocument = searcher.doc(address)?;
        for field in [fields.title, fields.body] {
            let text = doc
                .get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            for token in analysis::tokens(&mut italian, text) {
                if token.text != term {
                    continue;
                }
                let surface = &text[token.offset_from..token.offset_to];
                let distance = edit_distance(&typed, &surface.to_lowercase(), usize::MAX)
                    .unwrap_or(usize::MAX);
                if best.as_ref().is_none_or(|(d, _)| distance < *d) {
                    best = Some((distance, surface.to_string()));
                }
            }
        }
    }
    Ok(best.map(|(_, surface)| surface))
}

/// The Levenshtein distance between `a` and `b` in characters, if it is at most `max`.
pub(crate) fn edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        let mut row_min = current[0];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
            row_min = row_min.min(current[j + 1]);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    Some(previous[b.len()]).filter(|&d| d <= max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index;
    use crate::search::query;

    /// An index of articles whose bodies hold many distinct words (`voce1x…`), and `missili`.
    fn index_of_many_words() -> (tempfile::TempDir, index::OpenIndex) {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir_all(&corpus).unwrap();
        for article in 0..40 {
            let words: Vec<String> = (0..250)
                .map(|n| format!("voce{}x{}", article, n * 7919 % 100_003))
                .collect();
            let text = format!("Notizia {article}\n\nI missili {}\n", words.join(" "));
            std::fs::write(corpus.join(format!("a{article}.txt")), text).unwrap();
        }
        let opened = index::index_for_test(&corpus, &dir.path().join("index"));
        (dir, opened)
    }

    #[test]
    fn a_close_word_is_found_without_walking_the_dictionary() {
        let (_dir, opened) = index_of_many_words();
        let searcher = opened.reader.searcher();
        let fields = opened.schema.fields;
        let dictionary: u64 = searcher
            .segment_readers()
            .iter()
            .map(|s| s.inverted_index(fields.body).unwrap().terms().num_terms() as u64)
            .sum();
        assert!(dictionary > 10_000, "{dictionary}");
        let (found, visited) = closest_term(&searcher, &fields, "missilx").unwrap();
        assert_eq!(found.as_deref(), Some("missil"));
        assert!(visited < 20, "{visited} of {dictionary} terms visited");

        // A pasted text of a hundred unknown words looks none of them up.
        let pasted: Vec<String> = (0..100).map(|n| format!("sconosciut{n}parola")).collect();
        let pasted = pasted.join(" ");
        let tree = query::parse(&pasted).unwrap().tree;
        let suggestion = suggest(&searcher, &fields, &pasted, &tree).unwrap();
        assert_eq!((suggestion.query, suggestion.unknown), (None, 100));
    }

    #[test]
    fn distances_within_the_bound() {
        assert_eq!(edit_distance("pyongyang", "pyongnyang", 2), Some(1));
        assert_eq!(edit_distance("missil", "missil", 2), Some(0));
        assert_eq!(edit_distance("città", "citta", 1), Some(1));
        assert_eq!(edit_distance("governo", "giornale", 2), None);
        assert_eq!(edit_distance("ab", "abcd", 1), None);
    }
}
