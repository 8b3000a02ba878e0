//! Copies with small edits, grouped into stories: precision and recall on real Italian text.
//!
//!     cargo bench --bench copies -- [--work DIR]
//!
//! The articles are the relevance benchmark's (real Italian documentation that nobody on the
//! project wrote, `benches/relevance/prepare.py`, run when `DIR` has none): pages of one manual
//! share phrases, menus and warnings the way articles on one event do, and must not be grouped.
//! Pages that are themselves near-copies of an earlier page (a Jaccard similarity of their
//! four-word shingles of 0.3 or more: templated manual pages) are left out, so that every
//! article kept is a story of its own; those sharing 0.1 to 0.3 stay, as hard cases.
//! A third of the articles of 60 words or more are republished one to three times, each copy
//! with two to four edits a newspaper makes to a wire story: another headline, a byline, one to
//! three sentences added (from another article) or cut, the first sentence rewritten,
//! punctuation changed. The archive is indexed by the binary; then every pair of articles the
//! index puts in one story is checked against the truth.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use tantivy::TantivyDocument;
use tantivy::schema::Value;

#[path = "support/random.rs"]
mod random;
#[path = "support/real_text.rs"]
mod real_text;

use random::Random;

struct Original {
    title: String,
    body: String,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let work = real_text::prepared(&args)?;
    let (originals, hard_pairs) = distinct(read_originals(&work.join("corpus"))?);
    let archive = work.join("copies");
    let _ = fs::remove_dir_all(&archive);
    fs::create_dir_all(archive.join("corpus"))?;
    let (lines, copies) = republish(&originals);
    fs::write(archive.join("corpus/archive.jsonl"), lines)?;
    eprintln!(
        "{} distinct articles of 60 words or more ({hard_pairs} pairs sharing 10–30% of their \
         shingles), {copies} copies of them",
        originals.len()
    );

    let index = archive.join("index");
    let started = Instant::now();
    real_text::index(&archive.join("corpus"), &index)?;
    let seconds = started.elapsed().as_secs_f64();

    let stories: HashMap<String, u64> = stories_by_id(&index)?
        .into_iter()
        .map(|(id, (story, _))| (id, story))
        .collect();
    let truth = |id: &str| id.split('c').next().unwrap_or(id).to_string();
    let ids: Vec<&String> = stories.keys().collect();
    let (mut both, mut predicted, mut actual) = (0u64, 0u64, 0u64);
    for (i, a) in ids.iter().enumerate() {
        for b in &ids[i + 1..] {
            let same_story = stories[*a] == stories[*b];
            let same_original = truth(a) == truth(b);
            predicted += u64::from(same_story);
            actual += u64::from(same_original);
            both += u64::from(same_story && same_original);
        }
    }
    let ratio = |n: u64, d: u64| if d == 0 { 1.0 } else { n as f64 / d as f64 };
    println!("| articles | copies | pairs grouped | true pairs | precision | recall | indexing |");
    println!("|---|---|---|---|---|---|---|");
    println!(
        "| {} | {copies} | {predicted} | {actual} | {:.3} | {:.3} | {seconds:.2} s |",
        stories.len(),
        ratio(both, predicted),
        ratio(both, actual),
    );
    println!();
    templated(&work)?;
    Ok(())
}

/// Every page of the real text as it is, templated pages included: each pair the index groups
/// is checked by how much of the shorter body's four-word shingles the other holds.
fn templated(work: &Path) -> anyhow::Result<()> {
    let index = work.join("copies-templated-index");
    real_text::index(&work.join("corpus"), &index)?;
    let articles = stories_by_id(&index)?;
    let mut by_story: HashMap<u64, Vec<&String>> = HashMap::new();
    for (id, (story, _)) in &articles {
        by_story.entry(*story).or_default().push(id);
    }
    let shingles: HashMap<&String, HashSet<Vec<String>>> = articles
        .iter()
        .map(|(id, (_, body))| (id, shingle_set(body)))
        .collect();
    let (mut pairs, mut under_half, mut under_08) = (0u64, 0u64, 0u64);
    for members in by_story.values() {
        for (i, a) in members.iter().enumerate() {
            for b in &members[i + 1..] {
                let overlap = containment(&shingles[a], &shingles[b]);
                pairs += 1;
                under_half += u64::from(overlap < 0.5);
                under_08 += u64::from(overlap < 0.8);
            }
        }
    }
    let share = |n: u64| {
        if pairs == 0 {
            0.0
        } else {
            n as f64 / pairs as f64
        }
    };
    println!("Every page as it is (templated pages included):");
    println!();
    println!("| articles | pairs grouped | containment < 0.5 | containment < 0.8 |");
    println!("|---|---|---|---|");
    println!(
        "| {} | {pairs} | {under_half} ({:.1}%) | {under_08} ({:.1}%) |",
        articles.len(),
        100.0 * share(under_half),
        100.0 * share(under_08),
    );
    Ok(())
}

/// The share of the smaller set that the other holds.
fn containment(a: &HashSet<Vec<String>>, b: &HashSet<Vec<String>>) -> f64 {
    let (shorter, longer) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if shorter.is_empty() {
        return 1.0;
    }
    shorter.intersection(longer).count() as f64 / shorter.len() as f64
}

fn read_originals(corpus: &Path) -> anyhow::Result<Vec<Original>> {
    let mut files: Vec<PathBuf> = fs::read_dir(corpus)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    let mut originals = Vec::new();
    for file in files {
        for line in fs::read_to_string(&file)?.lines() {
            let record: serde_json::Value = serde_json::from_str(line)?;
            let body = record["body"].as_str().unwrap_or_default().to_string();
            if body.split_whitespace().count() >= 60 {
                originals.push(Original {
                    title: record["title"].as_str().unwrap_or_default().to_string(),
                    body,
                });
            }
        }
    }
    Ok(originals)
}

/// The articles that are not near-copies of an earlier one, and how many pairs of them are
/// alike without being copies.
fn distinct(articles: Vec<Original>) -> (Vec<Original>, usize) {
    let mut kept: Vec<Original> = Vec::new();
    let mut hard = 0;
    for article in articles {
        let mine = shingle_set(&article.body);
        let likeness: Vec<f64> = kept
            .iter()
            .map(|k| jaccard(&mine, &shingle_set(&k.body)))
            .collect();
        if likeness.iter().all(|&j| j < 0.3) {
            hard += likeness.iter().filter(|&&j| j >= 0.1).count();
            kept.push(article);
        }
    }
    (kept, hard)
}

fn shingle_set(text: &str) -> HashSet<Vec<String>> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.windows(4).map(<[String]>::to_vec).collect()
}

fn jaccard(a: &HashSet<Vec<String>>, b: &HashSet<Vec<String>>) -> f64 {
    let common = a.intersection(b).count();
    let all = a.len() + b.len() - common;
    if all == 0 {
        0.0
    } else {
        common as f64 / all as f64
    }
}

/// The archive as JSON Lines (ids `oN` for originals, `oNcK` for their copies) and the number
/// of copies.
fn republish(originals: &[Original]) -> (String, usize) {
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    let mut lines = String::new();
    let mut copies = 0;
    let mut record = |id: String, title: &str, body: &str| {
        let json = serde_json::json!({"id": id, "title": title, "body": body});
        let _ = writeln!(lines, "{json}");
    };
    for (n, original) in originals.iter().enumerate() {
        record(format!("o{n}"), &original.title, &original.body);
        if random.below(3) != 0 {
            continue;
        }
        for k in 1..=1 + random.below(3) {
            let other = &originals[random.below(originals.len())];
            let (title, body) = edit(original, other, &mut random);
            record(format!("o{n}c{k}"), &title, &body);
            copies += 1;
        }
    }
    (lines, copies)
}

/// A copy of `original` with two to four of a newspaper's edits.
fn edit(original: &Original, other: &Original, random: &mut Random) -> (String, String) {
    let mut title = original.title.clone();
    let mut sentences = sentences(&original.body);
    let theirs = sentences_of(&other.body);
    let edits = 2 + random.below(3);
    for _ in 0..edits {
        match random.below(6) {
            0 => {
                title = format!(
                    "{}: {}",
                    theirs[0]
                        .split_whitespace()
                        .take(4)
                        .collect::<Vec<_>>()
                        .join(" "),
                    title
                )
            }
            1 => sentences.insert(
                0,
                format!(
                    "di {} —",
                    ["Anna Neri", "Luca Bianchi", "Redazione"][random.below(3)]
                ),
            ),
            2 => {
                for _ in 0..1 + random.below(3) {
                    let at = random.below(sentences.len() + 1);
                    sentences.insert(at, theirs[random.below(theirs.len())].clone());
                }
            }
            3 => {
                for _ in 0..1 + random.below(3) {
                    if sentences.len() > 3 {
                        sentences.remove(random.below(sentences.len()));
                    }
                }
            }
            4 => sentences[0] = theirs[random.below(theirs.len())].clone(),
            _ => {
                for sentence in &mut sentences {
                    *sentence = sentence.replace(',', ";").replace('"', "«");
                }
            }
        }
    }
    (title, sentences.join(" "))
}

fn sentences(text: &str) -> Vec<String> {
    let mut out = sentences_of(text);
    if out.is_empty() {
        out.push(text.to_string());
    }
    out
}

fn sentences_of(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text
        .split_inclusive(['.', '!', '?'])
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if out.is_empty() {
        out.push(text.to_string());
    }
    out
}

/// Every article's id, story and body, read from the index.
fn stories_by_id(index: &Path) -> anyhow::Result<HashMap<String, (u64, String)>> {
    let opened = emeroteca::index::open(index)?;
    let searcher = opened.reader.searcher();
    let fields = opened.schema.fields;
    let mut stories = HashMap::new();
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let story = segment
            .fast_fields()
            .u64("story")
            .context("no story column")?;
        for doc in segment.doc_ids_alive() {
            let stored: TantivyDocument =
                searcher.doc(tantivy::DocAddress::new(ord as u32, doc))?;
            let text = |field| {
                let value = stored.get_first(field).and_then(|v| v.as_str());
                value.unwrap_or_default().to_string()
            };
            let story = story.first(doc).context("an article without a story")?;
            stories.insert(text(fields.id), (story, text(fields.body)));
        }
    }
    Ok(stories)
}
