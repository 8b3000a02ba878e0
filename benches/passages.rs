//! Passage search on real Italian text: which article holds this passage?
//!
//!     cargo bench --bench passages -- [--work DIR]
//!
//! The articles are the relevance benchmark's (Debian's Italian documentation, prepared by
//! `benches/relevance/prepare.py`). 500 passages of 20 to 200 words are cut from articles of 40
//! words or more; half of them are edited as republished text is: a word changed, a word dropped,
//! two sentences swapped, a byline added, letters misread as by OCR, the other apostrophe. Each is
//! searched with `--passage` in process, and, beside it, pasted as a plain query. The table gives
//! how often the source comes first (or an article with the same share of the passage, a page
//! repeated word for word), whether shares ever rise down a list, and the median time.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use emeroteca::search::{self, SearchRequest};

#[path = "support/random.rs"]
mod random;
#[path = "support/real_text.rs"]
mod real_text;

use random::Random;

const PASSAGES: usize = 500;

struct Article {
    id: String,
    body: String,
}

struct Passage {
    source: String,
    text: String,
    edited: bool,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let work = real_text::prepared(&args)?;
    let articles = read_articles(&work.join("corpus"))?;
    let index = work.join("passages-index");
    real_text::index(&work.join("corpus"), &index)?;
    let opened = emeroteca::index::open(&index)?;
    let passages = cut(&articles);
    eprintln!("{} articles, {} passages", articles.len(), passages.len());

    println!("| search | passages | source first | source in top 10 | shares rising | p50 |");
    println!("|---|---|---|---|---|---|");
    for edited in [false, true] {
        let chosen: Vec<&Passage> = passages.iter().filter(|p| p.edited == edited).collect();
        let kind = if edited { "edited" } else { "as cut" };
        for mode in ["--passage", "pasted as a query"] {
            let (mut first, mut top10, mut rising, mut times) = (0, 0, 0, Vec::new());
            for passage in &chosen {
                let request = SearchRequest {
                    query: if mode == "--passage" {
                        String::new()
                    } else {
                        passage.text.clone()
                    },
                    passage: (mode == "--passage").then(|| passage.text.clone()),
                    limit: 10,
                    all_copies: true,
                    ..SearchRequest::default()
                };
                let started = Instant::now();
                let results = search::search(&opened, &request)?;
                times.push(started.elapsed().as_secs_f64() * 1000.0);
                let at = results.hits.iter().position(|h| h.id == passage.source);
                let tied = |rank: usize| {
                    results.hits.first().and_then(|h| h.shared) == results.hits[rank].shared
                        && results.hits[rank].shared.is_some()
                };
                first += usize::from(at.is_some_and(|at| at == 0 || tied(at)));
                top10 += usize::from(at.is_some());
                let shares: Vec<f32> = results.hits.iter().filter_map(|h| h.shared).collect();
                rising += usize::from(shares.windows(2).any(|w| w[1] > w[0]));
            }
            times.sort_by(f64::total_cmp);
            let n = chosen.len().max(1) as f64;
            println!(
                "| {mode}, {kind} | {} | {:.3} | {:.3} | {rising} | {:.2} ms |",
                chosen.len(),
                first as f64 / n,
                top10 as f64 / n,
                times.get(times.len() / 2).copied().unwrap_or_default()
            );
        }
    }
    Ok(())
}

fn read_articles(corpus: &Path) -> anyhow::Result<Vec<Article>> {
    let mut files: Vec<PathBuf> = fs::read_dir(corpus)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.sort();
    let mut articles = Vec::new();
    for file in files {
        for line in fs::read_to_string(&file)?.lines() {
            let value: serde_json::Value = serde_json::from_str(line)?;
            let text = |key: &str| value[key].as_str().unwrap_or_default().to_string();
            articles.push(Article {
                id: text("id"),
                body: text("body"),
            });
        }
    }
    Ok(articles)
}

/// [`PASSAGES`] passages of 20 to 200 words, every other one edited.
fn cut(articles: &[Article]) -> Vec<Passage> {
    let long: Vec<&Article> = articles
        .iter()
        .filter(|a| a.body.split_whitespace().count() >= 40)
        .collect();
    let mut random = Random(0x2545_f491_4f6c_dd1d);
    (0..PASSAGES)
        .map(|n| {
            let article = long[random.below(long.len())];
            let words: Vec<&str> = article.body.split_whitespace().collect();
            let length = (20 + random.below(181)).min(words.len());
            let start = random.below(words.len() - length + 1);
            let mut text: Vec<String> = words[start..start + length]
                .iter()
                .map(|w| w.to_string())
                .collect();
            let edited = n % 2 == 1;
            if edited {
                edit(&mut text, &mut random);
            }
            Passage {
                source: article.id.clone(),
                text: text.join(" "),
                edited,
            }
        })
        .collect()
}

/// Two or three of the edits republished text goes through.
fn edit(words: &mut Vec<String>, random: &mut Random) {
    for _ in 0..2 + random.below(2) {
        let at = random.below(words.len());
        match random.below(6) {
            0 => words[at] = "comunque".into(),
            1 if words.len() > 20 => {
                words.remove(at);
            }
            2 => {
                let half = words.len() / 2;
                words.rotate_left(half);
            }
            3 => words.insert(0, "di Anna Neri —".into()),
            4 => {
                // OCR: one letter misread in a few words.
                for _ in 0..3 {
                    let at = random.below(words.len());
                    words[at] = words[at].replacen('e', "c", 1).replacen('l', "1", 1);
                }
            }
            _ => {
                for word in words.iter_mut() {
                    *word = word.replace('\'', "’");
                }
            }
        }
    }
}
