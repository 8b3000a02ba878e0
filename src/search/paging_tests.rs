//! Every search returns, and its page holds as many hits as the stories allow: checked over many
//! small generated indexes of stories and their word-for-word copies.

use std::sync::mpsc;
use std::time::Duration;

use super::{SearchRequest, Sort, search};
use crate::index;

/// A small deterministic generator (xorshift), so that a failing case can be run again.
struct Draw(u64);

impl Draw {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// A story's text: `governo` and, for even stories, `bilancio`, among words of its own.
fn story_text(draw: &mut Draw, story: usize) -> String {
    let mut words = vec!["governo".to_string()];
    if story.is_multiple_of(2) {
        words.push("bilancio".into());
    }
    for _ in 0..60 {
        words.push(format!("voce{}x{}", story, draw.below(100_000)));
    }
    words.join(" ")
}

/// Indexes `stories` stories, each written `copies[i]` times, and returns the index's folder.
fn build(draw: &mut Draw, copies: &[usize]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    for (story, &n) in copies.iter().enumerate() {
        let text = story_text(draw, story);
        let section = ["Esteri", "Politica"][story % 2];
        for copy in 0..n {
            let name = format!("2023-0{}-1{copy}_s{story}c{copy}.txt", 1 + story % 9);
            let article = format!("Notizia {story} – {section}\n\n{text}\n");
            std::fs::write(corpus.join(name), article).unwrap();
        }
    }
    index::index_for_test(&corpus, &dir.path().join("index"));
    dir
}

/// Runs `request`, failing if it does not return within a few seconds.
fn search_or_hang(index: &std::path::Path, request: SearchRequest) -> super::SearchResults {
    let (sender, receiver) = mpsc::channel();
    let path = index.to_path_buf();
    let described = format!("{request:?}");
    std::thread::spawn(move || {
        let opened = index::open(&path).unwrap();
        // The receiver is gone only when the test has already failed.
        let _ = sender.send(search(&opened, &request).unwrap());
    });
    receiver
        .recv_timeout(Duration::from_secs(20))
        .unwrap_or_else(|_| panic!("the search never returned: {described}"))
}

#[test]
fn every_search_returns_a_full_page() {
    let mut draw = Draw(0x9e37_79b9_7f4a_7c15);
    for case in 0..24 {
        let stories = 1 + draw.below(5);
        let copies: Vec<usize> = (0..stories).map(|_| 1 + draw.below(6)).collect();
        let dir = build(&mut draw, &copies);
        for _ in 0..6 {
            let (query, matching): (&str, Vec<usize>) = if draw.below(2) == 0 {
                ("governo", (0..stories).collect())
            } else {
                ("bilancio", (0..stories).step_by(2).collect())
            };
            let all_copies = draw.below(2) == 0;
            let request = SearchRequest {
                query: query.into(),
                limit: draw.below(12),
                offset: draw.below(8),
                sort: [Sort::Relevance, Sort::Date, Sort::Oldest][draw.below(3)],
                facets: draw.below(2) == 0,
                all_copies,
                ..SearchRequest::default()
            };
            let shown: usize = if all_copies {
                matching.iter().map(|&s| copies[s]).sum()
            } else {
                matching.len()
            };
            let expected = request.limit.min(shown.saturating_sub(request.offset));
            let context = format!("case {case}, copies {copies:?}, {request:?}");
            let results = search_or_hang(&dir.path().join("index"), request);
            assert_eq!(results.hits.len(), expected, "{context}");
            let articles: usize = matching.iter().map(|&s| copies[s]).sum();
            assert_eq!(results.total_hits, articles, "{context}");
        }
    }
}
