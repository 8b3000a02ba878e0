//! `search --passage`: which articles hold this text? A paragraph of a wire story, a quote, a
//! page of OCR'd print: the articles holding most of its runs of three words, ranked by how much
//! of the passage they hold (`shared`), the stretch they share marked.
//!
//! Candidates come from the passage's rarest words (a misspelled word, which no article holds,
//! is no probe); each is then measured by its runs of three words (case, accents, punctuation
//! and the kind of apostrophe aside), so that a word changed costs the three runs it is in, a
//! sentence cut or moved costs its own runs, and a byline added costs nothing.

use std::collections::{BTreeMap, HashSet};

use anyhow::Context;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::Token;
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};
use xxhash_rust::xxh3::xxh3_64;

use super::facets::{self, Facets, UNKNOWN};
use super::{
    FieldMatch, Hit, Piece, SearchRequest, SearchResults, Snippet, Sort, snippet, stories,
};
use crate::analysis::{self, fold_accents};
use crate::error::QueryError;
use crate::index::{self, Fields, OpenIndex};

/// The longest passage searched, in characters: a long article, not a book.
pub(crate) const MAX_PASSAGE_CHARS: usize = 100_000;

/// Words in a run; a passage needs at least this many.
const RUN: usize = 3;

/// The share of the passage's runs an article must hold to be shown.
pub(crate) const MIN_SHARED: f32 = 0.3;

/// The runs of the passage searched as phrases, its rarest words searched besides, and how many
/// candidates are measured.
const PHRASES: usize = 3;
const PROBES: usize = 24;
const CANDIDATES: usize = 64;

/// Characters of context shown around the shared stretch, and of the stretch itself at most.
const CONTEXT_CHARS: usize = 60;
const STRETCH_CHARS: usize = 300;

/// The articles that hold `passage`, for `request` (its filters, order, page, facets and
/// copies).
pub(crate) fn search(
    opened: &OpenIndex,
    request: &SearchRequest,
    passage: &str,
    filters: Box<dyn Query>,
) -> anyhow::Result<SearchResults> {
    let started = std::time::Instant::now();
    let searcher = opened.reader.searcher();
    let fields = opened.schema.fields;
    let runs: HashSet<u64> = runs(passage).into_iter().collect();
    if runs.is_empty() {
        return Err(QueryError(format!("a passage needs at least {RUN} words")).into());
    }
    let probe = probe(&searcher, &fields, passage)?;
    let query = BooleanQuery::new(vec![(Occur::Must, probe), (Occur::Must, filters)]);
    let top = searcher.search(&query, &TopDocs::with_limit(CANDIDATES).order_by_score())?;
    let mut found = Vec::new();
    for (_, address) in top {
        let doc: TantivyDocument = searcher.doc(address).context("cannot read an article")?;
        let article = index::stored_article(&doc, &fields);
        let shared = Shared::of(&article.body, &runs);
        if shared.fraction >= MIN_SHARED {
            found.push((address, article, shared));
        }
    }
    found.sort_by(|a, b| match request.sort {
        Sort::Relevance => b.2.fraction.total_cmp(&a.2.fraction),
        Sort::Date => b.1.date.cmp(&a.1.date),
        Sort::Oldest => a.1.date.cmp(&b.1.date),
    });
    let total_hits = found.len();
    if !request.all_copies {
        let mut seen = HashSet::new();
        found.retain(
            |(address, _, _)| match stories::story_of(&searcher, *address) {
                Some(story) => seen.insert(story),
                None => true,
            },
        );
    }
    let facets = request.facets.then(|| facets_of(&found, request));
    let mut hits = Vec::new();
    let page = found.into_iter().skip(request.offset).take(request.limit);
    for (i, (address, article, shared)) in page.enumerate() {
        hits.push(hit(
            &searcher,
            &fields,
            address,
            article,
            shared,
            request.offset + i + 1,
        )?);
    }
    Ok(SearchResults {
        query: String::new(),
        read_as: None,
        total_hits,
        took: started.elapsed(),
        relaxed: false,
        partial_hits: 0,
        suggestion: None,
        unknown_words: 0,
        facets,
        hits,
    })
}

/// The hashes of a text's runs of [`RUN`] words.
fn runs(text: &str) -> Vec<u64> {
    let words: Vec<u64> = word_spans(text).into_iter().map(|(word, _)| word).collect();
    words.windows(RUN).map(run_hash).collect()
}

/// Each word of `text` as compared (lower case, accents and punctuation aside), hashed, and
/// where it is in `text` (bytes).
fn word_spans(text: &str) -> Vec<(u64, std::ops::Range<usize>)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (at, c) in text.char_indices().chain([(text.len(), ' ')]) {
        if c.is_alphanumeric() {
            start.get_or_insert(at);
        } else if let Some(first) = start.take() {
            let word = &text[first..at];
            let hash = if word
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            {
                xxh3_64(word.as_bytes())
            } else {
                xxh3_64(fold_accents(&word.to_lowercase()).as_bytes())
            };
            spans.push((hash, first..at));
        }
    }
    spans
}

fn run_hash(run: &[u64]) -> u64 {
    let mixed = run[0] ^ run[1].rotate_left(21) ^ run[2].rotate_left(42);
    mixed.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// What finds the candidates: the passage's rarest runs of words as phrases, so that the
/// articles holding the passage rank first however common its words; and its rarest words, so
/// that a passage whose runs were all edited still finds its article.
fn probe(searcher: &Searcher, fields: &Fields, passage: &str) -> anyhow::Result<Box<dyn Query>> {
    let mut italian = analysis::italian();
    let tokens = analysis::tokens(&mut italian, passage);
    let words = analysis::first_at_each_position(&tokens);
    let term = |text: &str| Term::from_field_text(fields.body, text);
    let mut frequency = std::collections::HashMap::new();
    for word in &words {
        if !frequency.contains_key(word.text.as_str()) {
            frequency.insert(word.text.as_str(), searcher.doc_freq(&term(&word.text))?);
        }
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    // A run costs and finds by its commonest word; runs with a word no article holds find
    // nothing.
    let mut runs: Vec<(u64, &[&Token])> = words
        .windows(RUN)
        .map(|run| {
            (
                run.iter()
                    .map(|t| frequency[t.text.as_str()])
                    .max()
                    .unwrap_or(0),
                run,
            )
        })
        .filter(|(_, run)| run.iter().all(|t| frequency[t.text.as_str()] > 0))
        .collect();
    runs.sort_by_key(|(commonest, _)| *commonest);
    for (_, run) in runs.into_iter().take(PHRASES) {
        let first = run[0].position;
        let terms = run
            .iter()
            .map(|t| (t.position - first, term(&t.text)))
            .collect();
        clauses.push((Occur::Should, Box::new(PhraseQuery::new_with_offset(terms))));
    }
    let mut rare: Vec<(u64, &str)> = frequency
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(text, n)| (n, text))
        .collect();
    rare.sort();
    for (_, text) in rare.into_iter().take(PROBES) {
        let query = TermQuery::new(term(text), IndexRecordOption::WithFreqs);
        clauses.push((Occur::Should, Box::new(query)));
    }
    Ok(Box::new(BooleanQuery::new(clauses)))
}

/// How much of a passage an article's body holds, and its longest stretch of shared runs.
struct Shared {
    fraction: f32,
    /// Bytes of the body.
    stretch: Option<std::ops::Range<usize>>,
}

impl Shared {
    fn of(body: &str, runs: &HashSet<u64>) -> Shared {
        let spans = word_spans(body);
        let words: Vec<u64> = spans.iter().map(|(word, _)| *word).collect();
        let mut held = HashSet::new();
        // The longest stretch of consecutive shared runs, by word: (first, last).
        let mut best: Option<(usize, usize)> = None;
        let mut current: Option<(usize, usize)> = None;
        for (i, run) in words.windows(RUN).enumerate() {
            let hash = run_hash(run);
            if runs.contains(&hash) {
                held.insert(hash);
                let (first, _) = current.unwrap_or((i, i));
                current = Some((first, i + RUN - 1));
                let length = |s: Option<(usize, usize)>| s.map_or(0, |(a, b)| b - a);
                if length(current) > length(best) {
                    best = current;
                }
            } else {
                current = None;
            }
        }
        Shared {
            fraction: held.len() as f32 / runs.len() as f32,
            stretch: best.map(|(first, last)| spans[first].1.start..spans[last].1.end),
        }
    }
}

fn hit(
    searcher: &Searcher,
    fields: &Fields,
    address: DocAddress,
    article: crate::ingest::Article,
    shared: Shared,
    rank: usize,
) -> anyhow::Result<Hit> {
    let (snippet, matches) = match &shared.stretch {
        Some(stretch) => marked(&article.body, stretch.clone()),
        None => (Snippet::default(), Vec::new()),
    };
    let title = Snippet {
        pieces: vec![Piece {
            text: article.title.clone(),
            marked: false,
        }],
    };
    let copies = stories::copies(searcher, fields, address)?;
    Ok(Hit {
        title_snippet: title,
        snippet,
        matches,
        shared: Some(shared.fraction),
        ..Hit::of(article, rank, shared.fraction, copies)
    })
}

/// The shared stretch of `body`, marked, with some context: the snippet and where it is.
fn marked(body: &str, stretch: std::ops::Range<usize>) -> (Snippet, Vec<FieldMatch>) {
    let (head, inside, rest) = (
        &body[..stretch.start],
        &body[stretch.clone()],
        &body[stretch.end..],
    );
    let before = last_chars(head, CONTEXT_CHARS);
    let before = if before.len() < head.len() {
        format!("… {}", before.trim_start())
    } else {
        before.to_string()
    };
    let shown = first_chars(inside, STRETCH_CHARS);
    let after = match first_chars(rest, CONTEXT_CHARS) {
        _ if shown.len() < inside.len() => " …".to_string(),
        after if after.len() < rest.len() => format!("{} …", after.trim_end()),
        after => after.to_string(),
    };
    let start = head.chars().count();
    let matches = vec![FieldMatch {
        field: "body",
        start,
        end: start + inside.chars().count(),
    }];
    let pieces = [(before, false), (shown.to_string(), true), (after, false)]
        .into_iter()
        .filter(|(text, _)| !text.is_empty())
        .map(|(text, marked)| Piece { text, marked })
        .collect();
    (Snippet { pieces }, matches)
}

/// At most the first `most` characters of `text`, ending where a word ends.
fn first_chars(text: &str, most: usize) -> &str {
    let end = snippet::forward_chars(text, 0, most);
    &text[..snippet::word_end(text, end)]
}

/// At most the last `most` characters of `text`, starting where a word starts.
fn last_chars(text: &str, most: usize) -> &str {
    let start = snippet::back_chars(text, text.len(), most);
    &text[snippet::word_start(text, start)..]
}

/// Sections and months of the articles found (each story once, unless every copy is asked for).
fn facets_of(
    found: &[(DocAddress, crate::ingest::Article, Shared)],
    request: &SearchRequest,
) -> Facets {
    let (mut section, mut month) = (BTreeMap::new(), BTreeMap::new());
    for (_, article, _) in found {
        let name = article
            .section
            .clone()
            .unwrap_or_else(|| UNKNOWN.to_string());
        *section.entry(name).or_insert(0) += 1;
        let when = article
            .date
            .map_or(UNKNOWN.to_string(), |d| d.format("%Y-%m").to_string());
        *month.entry(when).or_insert(0) += 1;
    }
    Facets {
        interval: facets::interval(&month, request.interval),
        section,
        month,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_stretch_is_measured_and_marked() {
        let passage =
            "Il consiglio dei ministri ha approvato nella notte il decreto sulle bollette";
        let runs: HashSet<u64> = runs(passage).into_iter().collect();
        let body = "Roma. Il Consiglio dei ministri ha approvato, nella notte, il decreto sulle \
            bollette. Le opposizioni protestano.";
        let shared = Shared::of(body, &runs);
        assert!((shared.fraction - 1.0).abs() < 1e-6, "{}", shared.fraction);
        let (snippet, matches) = marked(body, shared.stretch.unwrap());
        let stretch = "Il Consiglio dei ministri ha approvato, nella notte, il decreto sulle \
            bollette";
        assert_eq!(
            snippet.to_html(),
            format!("Roma. <mark>{stretch}</mark>. Le opposizioni protestano.")
        );
        let start = "Roma. ".len();
        assert_eq!(
            (matches[0].start, matches[0].end),
            (start, start + stretch.chars().count())
        );
        // The context around a long body's stretch is cut where words end and start.
        let long = format!(
            "{} {body} {}",
            "Nella capitale si discute da settimane. ".repeat(3),
            "Domani la parola passa alle Camere. ".repeat(3)
        );
        let (snippet, _) = marked(&long, Shared::of(&long, &runs).stretch.unwrap());
        let html = snippet.to_html();
        let (before, after) = html.split_once("<mark>").unwrap();
        let after = after.split_once("</mark>").unwrap().1;
        assert!(before.starts_with("… ") && after.ends_with(" …"), "{html}");
        let bare = |word: &str| {
            word.trim_matches(|c: char| !c.is_alphanumeric())
                .to_string()
        };
        let words: HashSet<String> = long.split_whitespace().map(bare).collect();
        for word in before.split_whitespace().chain(after.split_whitespace()) {
            let word = bare(word);
            assert!(word.is_empty() || words.contains(&word), "{word} in {html}");
        }
        let other = Shared::of("Il decreto sulle bollette non basta, dicono.", &runs);
        assert!(other.fraction < MIN_SHARED, "{}", other.fraction);
    }
}
