//! Relevance on real Italian text, beside a plain tantivy pipeline, in one run:
//!
//!     cargo bench --bench relevance -- [--work DIR] [--engine http://HOST:PORT]
//!
//! `benches/relevance/prepare.py` (run by this bench when the work folder has no queries yet)
//! fetches Italian documentation from Debian's packages, cuts it into articles and makes
//! known-item queries of five kinds (see that script). Each query is searched in emeroteca's
//! index and in the plain pipeline's (tantivy's `SimpleTokenizer` + `LowerCaser` + Snowball
//! Italian, words ORed by tantivy's query parser): in one field holding title and body, and in
//! title and body as two fields with the title boosted ×2. The table gives MRR@10 (the mean of
//! 1/rank of the known article within the top 10) and success@1 per kind; a query emeroteca
//! refuses counts as a miss and as an error. With `--engine`, the same archive is also indexed
//! into the cluster index `emeroteca-relevance` there (`index --to`), and its row searched with
//! `--engine` stands beside the local index's.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use emeroteca::archive::Archive;
use emeroteca::search::SearchRequest;
use tantivy::TantivyDocument;
use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{Field, Value};

#[path = "support/plain.rs"]
mod plain;
#[path = "support/real_text.rs"]
mod real_text;

const KINDS: [&str; 5] = ["exact", "reinflected", "lazy", "pasted", "body"];

struct Known {
    kind: String,
    id: String,
    text: String,
}

/// The rank (1-based, within the top 10) of the known article for each query; `None` when it
/// is not there, `Err` when the engine refused the query.
type Ranks = Vec<Result<Option<usize>, String>>;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let work = real_text::prepared(&args)?;
    let queries_file = work.join("queries.tsv");
    let queries: Vec<Known> = fs::read_to_string(&queries_file)?
        .lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, '\t');
            Some(Known {
                kind: parts.next()?.to_string(),
                id: parts.next()?.to_string(),
                text: parts.next()?.to_string(),
            })
        })
        .collect();
    let corpus = work.join("corpus");
    let articles = read_corpus(&corpus)?;
    eprintln!("{} articles, {} queries", articles.len(), queries.len());

    let index = work.join("emeroteca-index");
    real_text::index(&corpus, &index)?;
    let mut table = vec![("emeroteca", ranks(&Archive::open(&index, None)?, &queries))];
    if let Some(engine) = value(&args, "--engine") {
        let url = format!("{}/emeroteca-relevance", engine.trim_end_matches('/'));
        real_text::index_into_cluster(&corpus, &url, &work.join("cluster-state"))?;
        let cluster = Archive::open(&index, Some(&url))?;
        table.push(("emeroteca on the cluster", ranks(&cluster, &queries)));
    }
    for (name, boost) in [("plain, title ×2", Some(2.0)), ("plain, one field", None)] {
        table.push((name, plain_ranks(&articles, &queries, boost)?));
    }
    print_table(&queries, &table);
    if args.iter().any(|a| a == "--misses") {
        for (known, rank) in queries.iter().zip(&table[0].1) {
            if rank.as_ref().map_or(true, |r| *r != Some(1)) {
                println!(
                    "{:<12} {:?} {} | {}",
                    known.kind, rank, known.id, known.text
                );
            }
        }
    }
    Ok(())
}

/// The value following `name` among the arguments.
fn value(args: &[String], name: &str) -> Option<String> {
    let at = args.iter().position(|a| a == name)?;
    args.get(at + 1).cloned()
}

fn ranks(archive: &Archive, queries: &[Known]) -> Ranks {
    queries
        .iter()
        .map(|known| {
            let request = SearchRequest {
                query: known.text.clone(),
                limit: 10,
                ..SearchRequest::default()
            };
            match archive.search(&request) {
                Ok(results) => Ok(results
                    .hits
                    .iter()
                    .position(|hit| hit.id == known.id)
                    .map(|at| at + 1)),
                Err(error) => Err(error.to_string()),
            }
        })
        .collect()
}

struct Article {
    id: String,
    title: String,
    body: String,
}

fn read_corpus(corpus: &Path) -> anyhow::Result<Vec<Article>> {
    let mut articles = Vec::new();
    let mut files: Vec<PathBuf> = fs::read_dir(corpus)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.sort();
    for file in files {
        for line in fs::read_to_string(&file)?.lines() {
            let value: serde_json::Value = serde_json::from_str(line)
                .with_context(|| format!("a line of {}", file.display()))?;
            let text = |key: &str| value[key].as_str().unwrap_or_default().to_string();
            articles.push(Article {
                id: text("id"),
                title: text("title"),
                body: text("body"),
            });
        }
    }
    Ok(articles)
}

/// The plain pipeline, in memory: title and body in two fields (the title boosted), or in one.
fn plain_ranks(
    articles: &[Article],
    queries: &[Known],
    title_boost: Option<f32>,
) -> anyhow::Result<Ranks> {
    let (index, id, title, body) = plain::title_and_body_index();
    let mut writer = index.writer::<TantivyDocument>(100_000_000)?;
    for article in articles {
        let mut doc = TantivyDocument::new();
        doc.add_text(id, &article.id);
        if title_boost.is_some() {
            doc.add_text(title, &article.title);
            doc.add_text(body, &article.body);
        } else {
            doc.add_text(body, format!("{}\n{}", article.title, article.body));
        }
        writer.add_document(doc)?;
    }
    writer.commit()?;
    let searcher = index.reader()?.searcher();
    let fields: Vec<Field> = match title_boost {
        Some(_) => vec![title, body],
        None => vec![body],
    };
    let mut parser = QueryParser::for_index(&index, fields);
    if let Some(boost) = title_boost {
        parser.set_field_boost(title, boost);
    }
    queries
        .iter()
        .map(|known| {
            let (query, _errors) = parser.parse_query_lenient(&known.text);
            let top = searcher.search(&query, &TopDocs::with_limit(10).order_by_score())?;
            let mut rank = None;
            for (at, (_, address)) in top.iter().enumerate() {
                let doc: TantivyDocument = searcher.doc(*address)?;
                if doc.get_first(id).and_then(|v| v.as_str()) == Some(known.id.as_str()) {
                    rank = Some(at + 1);
                    break;
                }
            }
            Ok(Ok(rank))
        })
        .collect()
}

fn print_table(queries: &[Known], table: &[(&str, Ranks)]) {
    let mut header = String::from("| MRR@10 (success@1) |");
    for kind in KINDS.iter().chain(&["all"]) {
        let count = queries
            .iter()
            .filter(|q| *kind == "all" || q.kind == *kind)
            .count();
        header.push_str(&format!(" {kind} ({count}) |"));
    }
    println!("{header} errors |");
    println!("|---{}|---|", "|---".repeat(KINDS.len() + 1));
    for (engine, ranks) in table {
        let mut by_kind: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
        let mut firsts: BTreeMap<&str, usize> = BTreeMap::new();
        for (known, rank) in queries.iter().zip(ranks) {
            let reciprocal = match rank {
                Ok(Some(at)) => 1.0 / *at as f64,
                _ => 0.0,
            };
            for kind in [known.kind.as_str(), "all"] {
                by_kind.entry(kind).or_default().push(reciprocal);
                *firsts.entry(kind).or_default() += usize::from(matches!(rank, Ok(Some(1))));
            }
        }
        let mut row = format!("| {engine} |");
        for kind in KINDS.iter().chain(&["all"]) {
            let values = by_kind.get(kind).map(Vec::as_slice).unwrap_or_default();
            let n = values.len().max(1) as f64;
            let mrr = values.iter().sum::<f64>() / n;
            let first = firsts.get(kind).copied().unwrap_or_default() as f64 / n;
            row.push_str(&format!(" {mrr:.3} ({first:.3}) |"));
        }
        let errors = ranks.iter().filter(|r| r.is_err()).count();
        println!("{row} {errors} |");
    }
}
