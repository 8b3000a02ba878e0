//! Whatever a person types or pastes is read as a query: 10,000 generated queries and every line
//! of the sample corpus never crash a search and are refused only when nothing in them can be
//! searched; every sample article's title, pasted, finds that article first.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;
use std::process::Stdio;

use crate::util::*;

/// Messages of the queries with nothing to search for: the only refusals allowed.
const NOTHING: [&str; 4] = [
    "no query",
    "nothing to search for",
    "only stop words",
    "at least one word that is not excluded",
];

/// Runs queries through one `search --batch` process; one JSON value per query.
fn batch(queries: &[String]) -> Vec<serde_json::Value> {
    let mut child = command(sample_index(), &["search", "--batch", "--limit", "3"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let lines: Vec<String> = queries
        .iter()
        .map(|q| serde_json::json!({ "query": q }).to_string())
        .collect();
    let input = lines.join("\n");
    // A process that dies closes its input: what it printed says why, not the broken pipe.
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().unwrap();
    let out = expect_code(output, 0);
    writer.join().unwrap().unwrap();
    let values: Vec<serde_json::Value> = out
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(values.len(), queries.len());
    values
}

/// Every line of every file of the sample corpus, decompressed.
fn corpus_lines() -> Vec<String> {
    let mut lines = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_corpus");
    for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let mut bytes = std::fs::read(entry.path()).unwrap();
        if entry.path().extension().is_some_and(|e| e == "gz") {
            let mut plain = Vec::new();
            flate2::read::MultiGzDecoder::new(&bytes[..])
                .read_to_end(&mut plain)
                .unwrap();
            bytes = plain;
        }
        let text = String::from_utf8_lossy(&bytes);
        lines.extend(
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.chars().take(900).collect()),
        );
    }
    lines
}

/// Queries of words, punctuation and operators in every order, from a fixed seed.
fn generated(count: usize) -> Vec<String> {
    const PIECES: &[&str] = &[
        "missili",
        "Corea",
        "governo",
        "Ucraina:",
        "l'Italia",
        "dell’Europa",
        "città",
        "citta'",
        "il",
        "di",
        "che",
        "-",
        "–",
        "—",
        "-Putin",
        "+Kim",
        "OR",
        "NOT",
        "AND",
        "(",
        ")",
        "[",
        "]",
        "\"",
        "«",
        "»",
        "*",
        "missil*",
        "a*",
        "=Conte",
        "title:",
        "title:Corea",
        "date:",
        "date:2023",
        "date:[2023",
        "TO",
        "2023]",
        "date:[2023-01-01 TO 2023-06-30]",
        "section:",
        "autore:Rossi",
        "~",
        "~5",
        "\"Corea del\"~2",
        "/",
        "!",
        "?",
        "&",
        "&&",
        "|",
        ":",
        ";",
        ",",
        ".",
        "...",
        "#Sanremo2024",
        "@utente",
        "3,5%",
        "12/05/2023",
        "10:30",
        "https://www.ansa.it/notizie/2023/09/13/kim.html",
        "redazione@ansa.it",
        "\\",
        "^",
        "{",
        "}",
        "\u{0}",
        "é",
        "ÀÈÌ",
        "😀",
        "\t",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    (0..count)
        .map(|_| {
            let words = 1 + next(8);
            (0..words)
                .map(|_| {
                    let piece = PIECES[next(PIECES.len())];
                    // Sometimes glued to the previous piece, as typos and pastes are.
                    if next(4) == 0 {
                        piece.to_string()
                    } else {
                        format!(" {piece}")
                    }
                })
                .collect::<String>()
        })
        .collect()
}

/// Whether a query holds nothing searchable: no term left once operators and excluded words
/// (`-word`, `NOT word`) are set aside.
fn nothing_searchable(query: &str) -> bool {
    let mut kept = Vec::new();
    let mut excluded = false;
    for word in query.split_whitespace() {
        match word {
            "NOT" => excluded = true,
            "AND" | "OR" | "&&" | "||" | "|" => {}
            _ if excluded || word.starts_with('-') => excluded = false,
            _ => kept.push(word),
        }
    }
    // A command line cannot carry a NUL, which the analyzer reads as a space anyway.
    let kept = kept.join(" ").replace('\0', " ");
    let output = sample(&["analyze", &kept, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&expect_code(output, 0)).unwrap();
    json["tokens"].as_array().is_none_or(|t| t.is_empty())
}

#[test]
fn no_typed_or_pasted_query_crashes_or_is_refused_for_punctuation() {
    let mut queries = generated(10_000);
    queries.extend(corpus_lines());
    let answers = batch(&queries);
    let mut refused = 0;
    for (query, answer) in queries.iter().zip(&answers) {
        let Some(error) = answer["error"].as_str() else {
            assert!(answer["total_hits"].is_u64(), "{query:?}: {answer}");
            assert!(answer["read_as"].is_string(), "{query:?}: {answer}");
            continue;
        };
        refused += 1;
        assert!(
            NOTHING.iter().any(|says| error.contains(says)),
            "{query:?} refused: {error}"
        );
        // Checked on a sample of the refusals: each analysed query is a process.
        if refused % 25 == 1 {
            assert!(nothing_searchable(query), "{query:?} refused: {error}");
        }
    }
    assert!(refused < queries.len() / 5, "{refused} refused");
}

#[test]
fn every_sample_title_pasted_finds_its_article_first() {
    // The articles, as the searches for the corpus's lines found them.
    let lines = corpus_lines();
    let mut titles: BTreeMap<String, String> = BTreeMap::new();
    for answer in batch(&lines) {
        for hit in answer["hits"].as_array().into_iter().flatten() {
            titles.insert(
                hit["id"].as_str().unwrap().to_string(),
                hit["title"].as_str().unwrap().to_string(),
            );
        }
    }
    assert!(titles.len() >= 45, "{} articles found", titles.len());
    let queries: Vec<String> = titles.values().cloned().collect();
    for ((id, title), answer) in titles.iter().zip(batch(&queries)) {
        let first = &answer["hits"][0];
        assert_eq!(
            first["id"].as_str(),
            Some(id.as_str()),
            "{title:?}: {answer}"
        );
    }
}
