//! Article extraction from real web pages, beside trafilatura, in one run:
//!
//!     cargo bench --bench extraction -- [--pages DIR] [--worst N]
//!
//! `DIR` (by default `../shared/extraction-dev/scrapinghub`, next to the project) holds a
//! benchmark in the layout of Scrapinghub's article-extraction-benchmark: `html/ID.html.gz` and
//! `ground-truth.json` (`{ID: {"articleBody": …}}`). Its measure, per page: the words of the
//! extracted and of the true text (`\w+`), shingles of four words, precision, recall and F1 of
//! the shingles in common; then the mean and the median over pages, and the pages below F1 0.5.
//!
//! Rows: emeroteca (the vote of `ingest::extract`), each of its three voters alone, and
//! trafilatura itself (Python, run by `benches/extraction/trafilatura_reference.py` when `python3` can
//! import it; the row says so when it cannot). `--worst N` lists emeroteca's N worst pages.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::Context;
use emeroteca::ingest::{Origin, extract, html};
use scraper::Html;

struct Page {
    id: String,
    html: String,
    truth: String,
}

/// One extractor's text for every page, in the order of the pages, and its time per page.
struct Row {
    name: &'static str,
    texts: Vec<String>,
    ms_per_page: Option<f64>,
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|at| args.get(at + 1))
    };
    let dir = value("--pages").map(PathBuf::from).unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/extraction-dev/scrapinghub")
    });
    let worst: usize = value("--worst").map_or(Ok(0), |n| n.parse())?;
    let pages = read_pages(&dir)?;
    eprintln!("{} pages from {}", pages.len(), dir.display());

    let origin = Origin::new(Path::new("page.html"));
    let mut rows = vec![
        timed("emeroteca", &pages, |page| {
            html::parse(&page.html, &origin)
                .map(|article| article.body)
                .unwrap_or_default()
        }),
        timed("  its structure reading", &pages, |page| {
            extract::structure(&Html::parse_document(&page.html))
        }),
        timed("  trafilatura crate", &pages, |page| {
            extract::trafilatura_text(&page.html)
        }),
        timed("  dom_smoothie (Readability)", &pages, |page| {
            extract::readability_text(&page.html)
        }),
    ];
    match python_trafilatura(&dir, &pages) {
        Ok(texts) => rows.push(Row {
            name: "trafilatura (Python)",
            texts,
            ms_per_page: None,
        }),
        Err(why) => eprintln!("trafilatura (Python) row skipped: {why:#}"),
    }

    println!("| extractor | mean F1 | median F1 | precision | recall | pages < 0.5 | ms/page |");
    println!("|---|---|---|---|---|---|---|");
    for row in &rows {
        let scores: Vec<Score> = pages
            .iter()
            .zip(&row.texts)
            .map(|(page, text)| Score::of(text, &page.truth))
            .collect();
        let mut f1: Vec<f64> = scores.iter().map(|s| s.f1).collect();
        f1.sort_by(f64::total_cmp);
        let mean =
            |get: fn(&Score) -> f64| scores.iter().map(get).sum::<f64>() / scores.len() as f64;
        println!(
            "| {} | {:.3} | {:.3} | {:.3} | {:.3} | {} | {} |",
            row.name,
            mean(|s| s.f1),
            f1[f1.len() / 2],
            mean(|s| s.precision),
            mean(|s| s.recall),
            f1.iter().filter(|&&f| f < 0.5).count(),
            row.ms_per_page.map_or("".into(), |ms| format!("{ms:.1}")),
        );
    }
    let mut by_f1: Vec<(f64, &Page)> = pages
        .iter()
        .zip(&rows[0].texts)
        .map(|(page, text)| (Score::of(text, &page.truth).f1, page))
        .collect();
    by_f1.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (f1, page) in by_f1.iter().take(worst) {
        println!("{f1:.3} {}", page.id);
    }
    Ok(())
}

fn read_pages(dir: &Path) -> anyhow::Result<Vec<Page>> {
    let truth_file = dir.join("ground-truth.json");
    let truth: HashMap<String, serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(&truth_file)
            .with_context(|| format!("reading {}", truth_file.display()))?,
    )?;
    let mut pages = Vec::with_capacity(truth.len());
    for (id, entry) in truth {
        let mut bytes = Vec::new();
        let file = std::fs::File::open(dir.join("html").join(format!("{id}.html.gz")))?;
        flate2::read::GzDecoder::new(file).read_to_end(&mut bytes)?;
        pages.push(Page {
            id,
            html: String::from_utf8_lossy(&bytes).into_owned(),
            truth: entry["articleBody"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        });
    }
    pages.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(pages)
}

fn timed(name: &'static str, pages: &[Page], extract: impl Fn(&Page) -> String) -> Row {
    let start = Instant::now();
    let texts: Vec<String> = pages.iter().map(&extract).collect();
    let ms_per_page = start.elapsed().as_secs_f64() * 1000.0 / pages.len() as f64;
    Row {
        name,
        texts,
        ms_per_page: Some(ms_per_page),
    }
}

fn python_trafilatura(dir: &Path, pages: &[Page]) -> anyhow::Result<Vec<String>> {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/extraction/trafilatura_reference.py");
    let output = Command::new("python3").arg(script).arg(dir).output()?;
    anyhow::ensure!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
            .lines()
            .last()
            .unwrap_or("failed")
    );
    let mut texts: HashMap<String, String> = HashMap::new();
    for line in String::from_utf8(output.stdout)?.lines() {
        let record: serde_json::Value = serde_json::from_str(line)?;
        texts.insert(
            record["id"].as_str().unwrap_or_default().to_string(),
            record["text"].as_str().unwrap_or_default().to_string(),
        );
    }
    Ok(pages
        .iter()
        .map(|page| texts.remove(&page.id).unwrap_or_default())
        .collect())
}

/// The benchmark's measure of one page.
struct Score {
    precision: f64,
    recall: f64,
    f1: f64,
}

impl Score {
    fn of(extracted: &str, truth: &str) -> Score {
        let (found, wanted) = (extract::shingles(extracted), extract::shingles(truth));
        let common = f64::from(extract::common(&found, &wanted));
        let count = |s: &extract::Shingles| f64::from(s.values().sum::<u32>());
        let (n_found, n_wanted) = (count(&found), count(&wanted));
        let precision = if n_found > 0.0 { common / n_found } else { 0.0 };
        let recall = if n_wanted > 0.0 {
            common / n_wanted
        } else {
            0.0
        };
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Score {
            precision,
            recall,
            f1,
        }
    }
}
