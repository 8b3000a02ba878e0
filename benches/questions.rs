//! Questions in plain Italian, beside the plain tantivy pipeline, in one run:
//!
//!     cargo bench --bench questions -- [--qa DIR] [--work DIR] [--misses]
//!
//! The data is `../shared/qa-dev` by default (SQuAD-it, CC BY-SA 4.0; see its README): the
//! paragraphs of Wikipedia articles, and questions each written on one paragraph. The paragraphs
//! are indexed by the binary, and every question is searched **as typed** (quotes, brackets and
//! question marks included) through one `search --batch` process, top 100; a paragraph shown as
//! a copy of a hit counts at the hit's rank. The plain pipeline (tantivy's `SimpleTokenizer` +
//! `LowerCaser` + Snowball Italian, title ×2 and body) gets each question's words ORed.
//! The table gives MRR@10, R@1, R@10, R@100, the questions with no hit, and emeroteca's time
//! per question in the batch.

use std::collections::HashMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, ensure};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

#[path = "support/plain.rs"]
mod plain;

const BIN: &str = env!("CARGO_BIN_EXE_emeroteca");
const DEPTH: usize = 100;

struct Question {
    id: String,
    text: String,
    /// The paragraph it was written on, and any paragraph written twice word for word (the
    /// file lists them comma-separated): either answers.
    gold: Vec<String>,
}

/// For each question, the rank (1-based, within [`DEPTH`]) of its paragraph, and whether the
/// engine gave no hit at all.
type Ranks = Vec<(Option<usize>, bool)>;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let option = |name: &str| {
        let at = args.iter().position(|a| a == name)?;
        args.get(at + 1).map(PathBuf::from)
    };
    let qa = option("--qa")
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/qa-dev"));
    let work = option("--work").unwrap_or_else(|| std::env::temp_dir().join("emeroteca-qa"));
    fs::create_dir_all(&work)?;
    let questions = read_questions(&qa.join("questions-dev.tsv"))?;
    let corpus = qa.join("corpus");
    eprintln!("{} questions", questions.len());

    let (ranks, seconds) = emeroteca_ranks(&work, &corpus, &questions)?;
    let plain = plain_ranks(&corpus, &questions)?;
    println!(
        "| engine, questions as typed | MRR@10 | R@1 | R@10 | R@100 | no hit | per question |"
    );
    println!("|---|---|---|---|---|---|---|");
    let per_question = 1000.0 * seconds / questions.len().max(1) as f64;
    row("emeroteca", &ranks, &format!("{per_question:.2} ms"));
    row("plain tantivy + Snowball, OR", &plain, "");
    if args.iter().any(|a| a == "--misses") {
        for (question, (rank, _)) in questions.iter().zip(&ranks) {
            if rank.is_none_or(|r| r > 10) {
                println!(
                    "{} {:?} {} | {}",
                    question.id,
                    rank,
                    question.gold.join(","),
                    question.text
                );
            }
        }
    }
    Ok(())
}

fn row(engine: &str, ranks: &Ranks, time: &str) {
    let n = ranks.len().max(1) as f64;
    let within = |depth: usize| {
        ranks
            .iter()
            .filter(|(r, _)| r.is_some_and(|r| r <= depth))
            .count() as f64
            / n
    };
    let mrr = ranks
        .iter()
        .filter_map(|(r, _)| r.filter(|&r| r <= 10).map(|r| 1.0 / r as f64))
        .sum::<f64>()
        / n;
    let empty = ranks.iter().filter(|(_, empty)| *empty).count();
    println!(
        "| {engine} | {mrr:.3} | {:.3} | {:.3} | {:.3} | {empty} | {time} |",
        within(1),
        within(10),
        within(100)
    );
}

fn read_questions(path: &Path) -> anyhow::Result<Vec<Question>> {
    let text =
        fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(text
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut parts = line.split('\t');
            Some(Question {
                id: parts.next()?.to_string(),
                text: parts.next()?.to_string(),
                gold: parts.next()?.split(',').map(str::to_string).collect(),
            })
        })
        .collect())
}

/// Indexes the corpus and runs every question through one `search --batch`; the ranks and the
/// seconds the batch took.
fn emeroteca_ranks(
    work: &Path,
    corpus: &Path,
    questions: &[Question],
) -> anyhow::Result<(Ranks, f64)> {
    let index = work.join("index");
    let _ = fs::remove_dir_all(&index);
    let status = Command::new(BIN)
        .arg("index")
        .arg(corpus)
        .arg("--index")
        .arg(&index)
        .arg("--quiet")
        .status()?;
    ensure!(status.success(), "emeroteca index failed");
    let mut lines = String::new();
    for question in questions {
        let line =
            serde_json::json!({ "q": question.text, "limit": DEPTH, "fields": ["id", "copies"] });
        lines.push_str(&line.to_string());
        lines.push('\n');
    }
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .args(["search", "--batch", "--format", "jsonl", "--index"])
        .arg(&index)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let mut stdin = child.stdin.take().context("no stdin")?;
    let writer = std::thread::spawn(move || stdin.write_all(lines.as_bytes()));
    let output = child.wait_with_output()?;
    writer.join().expect("the writer thread")?;
    let seconds = started.elapsed().as_secs_f64();
    ensure!(output.status.success(), "search --batch failed");
    let answers: Vec<serde_json::Value> = String::from_utf8(output.stdout)?
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    ensure!(answers.len() == questions.len(), "one answer per question");
    let ranks = questions
        .iter()
        .zip(&answers)
        .map(|(question, answer)| {
            let hits = answer["hits"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            let answers = |id: &serde_json::Value| question.gold.iter().any(|gold| id == gold);
            let rank = hits.iter().position(|hit| {
                answers(&hit["id"])
                    || hit["copies"]
                        .as_array()
                        .is_some_and(|copies| copies.iter().any(answers))
            });
            (rank.map(|at| at + 1), hits.is_empty())
        })
        .collect();
    Ok((ranks, seconds))
}

/// The plain pipeline, in memory: title ×2 and body, the question's words ORed.
fn plain_ranks(corpus: &Path, questions: &[Question]) -> anyhow::Result<Ranks> {
    let (index, id, title, body) = plain::title_and_body_index();
    let mut writer = index.writer::<TantivyDocument>(100_000_000)?;
    let mut files: Vec<PathBuf> = fs::read_dir(corpus)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.sort();
    let mut same_text: HashMap<String, Vec<String>> = HashMap::new();
    for file in files {
        for line in fs::read_to_string(&file)?.lines() {
            let value: serde_json::Value = serde_json::from_str(line)?;
            let field = |key: &str| value[key].as_str().unwrap_or_default().to_string();
            let mut doc = TantivyDocument::new();
            doc.add_text(id, field("id"));
            doc.add_text(title, field("title"));
            doc.add_text(body, field("body"));
            same_text
                .entry(field("body"))
                .or_default()
                .push(field("id"));
            writer.add_document(doc)?;
        }
    }
    writer.commit()?;
    // A paragraph written twice word for word: either copy answers, as for emeroteca.
    let twins: HashMap<String, Vec<String>> = same_text
        .into_values()
        .flat_map(|ids| ids.clone().into_iter().map(move |id| (id, ids.clone())))
        .collect();
    let searcher = index.reader()?.searcher();
    let mut analyzer = index.tokenizer_for_field(body)?;
    questions
        .iter()
        .map(|question| {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            let mut stream = analyzer.token_stream(&question.text);
            while let Some(token) = stream.next() {
                for (field, boost) in [(title, 2.0), (body, 1.0)] {
                    let term = TermQuery::new(
                        Term::from_field_text(field, &token.text),
                        IndexRecordOption::WithFreqs,
                    );
                    clauses.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(term), boost)),
                    ));
                }
            }
            let query = BooleanQuery::new(clauses);
            let top = searcher.search(&query, &TopDocs::with_limit(DEPTH).order_by_score())?;
            let answers: Vec<&String> = question
                .gold
                .iter()
                .flat_map(|gold| twins.get(gold).into_iter().flatten())
                .collect();
            let mut rank = None;
            for (at, (_, address)) in top.iter().enumerate() {
                let doc: TantivyDocument = searcher.doc(*address)?;
                let found = doc
                    .get_first(id)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default();
                if answers.iter().any(|a| *a == found) {
                    rank = Some(at + 1);
                    break;
                }
            }
            Ok((rank, top.is_empty()))
        })
        .collect()
}
