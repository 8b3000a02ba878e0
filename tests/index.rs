//! `emeroteca index`: every format, bad files skipped and counted, re-runs that read only what
//! changed.

use std::collections::BTreeMap;
use std::io::Write;

use serde::Deserialize;

use crate::util::*;

/// `index --json`, as docs/CONTRACT.md fixes it (plus `files` and `indexed`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Report {
    articles: u64,
    new: u64,
    changed: u64,
    unchanged: u64,
    removed: u64,
    duplicates: u64,
    skipped: BTreeMap<String, u64>,
    seconds: f64,
    files: u64,
    indexed: u64,
}

fn index(env: &TestEnv) -> (Report, String) {
    let output = env.run(&["index", &env.path("c"), "--json"]);
    let report = serde_json::from_str(&expect_code(output.clone(), 0)).expect("one JSON object");
    (report, stderr(&output))
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

const ARTICLE: &str = "Missili sul Giappone – Esteri\n\nDue missili sono caduti in mare.\n";

#[test]
fn the_sample_corpus_indexes_every_format() {
    let json = expect_code(
        sample(&[
            "search",
            "governo OR Kim OR Caravaggio OR pensioni OR Sinner",
            "--format",
            "json",
            "--limit",
            "100",
        ]),
        0,
    );
    let results = parse_results(&json);
    let paths: Vec<&str> = results.hits.iter().map(|h| h.path.as_str()).collect();
    for ending in [
        ".txt",
        ".txt.gz",
        ".html",
        ".json",
        ".jsonl#6",
        ".jsonl.gz#2",
    ] {
        assert!(
            paths.iter().any(|p| p.ends_with(ending)),
            "no {ending} among {paths:?}"
        );
    }
}

#[test]
fn a_malformed_file_is_skipped_and_reported_while_the_rest_is_indexed() {
    let env = TestEnv::new();
    env.write("c/000_buono.txt", ARTICLE);
    env.write("c/rotto.json", "{\"title\": \"Senza fine\", ");
    env.write("c/dump.jsonl", "{\"title\": \"A\", \"body\": \"Il primo missile.\"}\nnon json\n{\"title\": \"C\", \"body\": \"Terzo.\"}\n");
    env.write("c/vuoto.txt", "");
    env.write("c/binario.txt", b"\x7fELF\x00\x00\x01\x02binary");
    env.write("c/rotto.txt.gz", b"\x1f\x8b\x08\x00garbage");
    env.write("c/menu.html", "<html><body><nav>Home</nav></body></html>");
    env.write("c/note.md", "not an article");
    let (report, err) = index(&env);
    assert_eq!(report.articles, 3, "{report:?}");
    assert_eq!((report.files, report.indexed, report.duplicates), (8, 3, 0));
    assert!(report.seconds > 0.0);
    let skipped: Vec<(&str, u64)> = report
        .skipped
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        skipped,
        vec![
            ("binary", 1),
            ("corrupt_gzip", 1),
            ("empty", 1),
            ("malformed_json", 2),
            ("no_text", 1),
            ("unsupported", 1)
        ]
    );
    for named in [
        "rotto.json",
        "dump.jsonl#2",
        "vuoto.txt",
        "binario.txt",
        "rotto.txt.gz",
        "menu.html",
    ] {
        assert!(
            err.lines()
                .any(|l| l.starts_with("emeroteca: skipped") && l.contains(named)),
            "no warning for {named}:\n{err}"
        );
    }
    expect_code(env.run(&["search", "missile"]), 0);
}

#[test]
fn a_gz_twin_gives_the_same_article_as_its_plain_file() {
    let plain = TestEnv::new();
    plain.write("c/000_abcd.txt", ARTICLE);
    let packed = TestEnv::new();
    packed.write("c/000_abcd.txt.gz", gzip(ARTICLE.as_bytes()));
    index(&plain);
    index(&packed);
    let a = search_in(&plain.index_path(), "missili", &[]);
    let b = search_in(&packed.index_path(), "missili", &[]);
    let (a, b) = (&a.hits[0], &b.hits[0]);
    assert_eq!(
        (&a.id, &a.title, &a.section, &a.snippet),
        (&b.id, &b.title, &b.section, &b.snippet)
    );
    assert_eq!(a.id, "abcd");
}

#[test]
fn a_re_run_reads_only_what_changed() {
    let env = TestEnv::new();
    env.write("c/000_uno.txt", ARTICLE);
    env.write(
        "c/000_due.txt",
        "Borsa in rialzo – Economia\n\nLe banche trainano il listino.\n",
    );
    env.write(
        "c/dump.jsonl",
        "{\"id\": \"r1\", \"body\": \"Primo record sul grano.\"}\n",
    );
    let (first, _) = index(&env);
    assert_eq!((first.new, first.articles), (3, 4 - 1));

    let (again, err) = index(&env);
    assert_eq!(
        (again.new, again.changed, again.removed, again.unchanged),
        (0, 0, 0, 3)
    );
    assert!(
        err.contains("0 new, 0 changed, 0 unchanged") || err.contains("3 unchanged"),
        "{err}"
    );
    assert_eq!(again.articles, 3);

    // Change one file, grow the dump, delete another.
    std::thread::sleep(std::time::Duration::from_millis(20));
    env.write(
        "c/000_uno.txt",
        "Missili e razzi – Esteri\n\nTre razzi sono caduti in mare.\n",
    );
    env.write("c/dump.jsonl", "{\"id\": \"r1\", \"body\": \"Primo record sul grano.\"}\n{\"id\": \"r2\", \"body\": \"Secondo record sul grano.\"}\n");
    std::fs::remove_file(env.path("c/000_due.txt")).unwrap();
    let (after, _) = index(&env);
    assert_eq!(
        (after.new, after.changed, after.removed, after.unchanged),
        (0, 2, 1, 0)
    );
    assert_eq!(after.articles, 3);
    assert_eq!(search_in(&env.index_path(), "grano", &[]).total_hits, 2);
    assert_eq!(search_in(&env.index_path(), "razzi", &[]).total_hits, 1);
    assert_eq!(search_in(&env.index_path(), "banche", &[]).total_hits, 0);
    assert_eq!(
        search_in(&env.index_path(), "title:Giappone", &[]).total_hits,
        0
    );
}

/// A page whose template writes a placeholder date (`0001-01-01`) is dated from the next place
/// that gives one, here its address; a search from or until a date no index holds still runs.
#[test]
fn a_placeholder_date_gives_way_to_the_next_date_written() {
    let env = TestEnv::new();
    let body = "Il consiglio comunale ha approvato il bilancio dopo una lunga seduta notturna. \
                La maggioranza ha respinto tutti gli emendamenti dell'opposizione sul bilancio.";
    env.write(
        "c/pagina.html",
        format!(
            r#"<html><head><title>Approvato il bilancio</title>
            <link rel="canonical" href="https://giornale.example/2024/03/05/bilancio.html">
            <script type="application/ld+json">{{"@type": "NewsArticle",
            "datePublished": "0001-01-01T00:00:00Z"}}</script></head>
            <body><article><h1>Approvato il bilancio</h1><p>{body}</p></article></body></html>"#
        ),
    );
    expect_code(env.run(&["index", &env.path("c"), "--quiet"]), 0);
    let results = search_in(&env.index_path(), "bilancio", &[]);
    assert_eq!(ids(&results).len(), 1);
    assert_eq!(results.hits[0].date.as_deref(), Some("2024-03-05"));
    for extra in [
        ["--since", "0001-01-01"],
        ["--until", "9999-12-31"],
        ["--since", "2024-03-05"],
    ] {
        assert_eq!(
            search_in(&env.index_path(), "bilancio", &extra).total_hits,
            1,
            "{extra:?}"
        );
    }
    let before = search_in(
        &env.index_path(),
        "bilancio date:[0001-01-01 TO 1500-12-31]",
        &[],
    );
    assert_eq!(before.total_hits, 0);
}

/// A `.json` file holding a list of articles, with Italian keys, gives one article per item; a
/// bad item is named and skipped, and a re-run after an edit leaves no item behind.
#[test]
fn a_json_list_of_articles_gives_one_article_each() {
    let env = TestEnv::new();
    let list = |second: &str| {
        format!(
            r#"[{{"titolo": "Elezioni regionali in Sardegna", "testo": "Affluenza in calo alle regionali.",
                 "data": "2024-02-25", "sezione": "Politica"}},
               "non un articolo",
               {{"headline": "Borsa in rialzo", "articleBody": "{second}"}}]"#
        )
    };
    env.write(
        "c/dump.json",
        list("Milano chiude in rialzo dello mezzo punto."),
    );
    let (report, warnings) = index(&env);
    assert_eq!((report.articles, report.indexed), (2, 2), "{warnings}");
    assert!(warnings.contains("dump.json#2"), "{warnings}");
    let results = search_in(&env.index_path(), "regionali", &[]);
    assert_eq!(results.hits.len(), 1);
    let hit = &results.hits[0];
    assert!(hit.path.ends_with("dump.json#1"), "{}", hit.path);
    assert_eq!(hit.date.as_deref(), Some("2024-02-25"));
    assert_eq!(hit.section.as_deref(), Some("Politica"));
    env.write("c/dump.json", list("Piazza Affari chiude in rialzo."));
    index(&env);
    assert_eq!(search_in(&env.index_path(), "Milano", &[]).total_hits, 0);
    assert_eq!(
        search_in(&env.index_path(), "Piazza Affari", &[]).total_hits,
        1
    );
    assert_eq!(search_in(&env.index_path(), "regionali", &[]).total_hits, 1);
}
