//! Web archives: `sample_corpus/warc/crawl-2024-03.warc.gz`, written by warcio
//! (`tests/warc/make_sample.py`), holds every kind of record a crawl has.

use std::collections::BTreeMap;
use std::io::Read;

use crate::util::*;

const SAMPLE: &str = "sample_corpus/warc/crawl-2024-03.warc.gz";

fn sample_bytes() -> Vec<u8> {
    std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE)).unwrap()
}

/// `index --json` of the folder `c`: its summary, and what was said on stderr.
fn index(env: &TestEnv) -> (serde_json::Value, String) {
    let output = env.run(&["index", &env.path("c"), "--json"]);
    let json = expect_code(output.clone(), 0);
    (serde_json::from_str(&json).unwrap(), stderr(&output))
}

fn skipped(report: &serde_json::Value) -> BTreeMap<String, u64> {
    serde_json::from_value(report["skipped"].clone()).unwrap()
}

#[test]
fn a_crawl_gives_its_pages_and_counts_every_other_record() {
    let env = TestEnv::new();
    env.write("c/crawl.warc.gz", sample_bytes());
    let (report, err) = index(&env);
    // Four captures of three pages: the page captured twice is one article.
    assert_eq!(
        (report["indexed"].as_u64(), report["articles"].as_u64()),
        (Some(4), Some(3))
    );
    let expected: BTreeMap<String, u64> = [
        ("http_error", 1),
        ("not_html", 3),
        ("redirect", 1),
        ("warc_metadata", 1),
        ("warc_request", 9),
        ("warc_revisit", 1),
        ("warc_warcinfo", 1),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(skipped(&report), expected);
    assert!(
        !err.lines().any(|l| l.starts_with("emeroteca: skipped")),
        "records passed over are counted, not warned one by one: {err}"
    );

    // Chunked transfer encoding and gzip content encoding undone; the date from JSON-LD.
    let treni = search_in(&env.index_path(), "convogli elettrici", &[]);
    assert_eq!(treni.hits.len(), 1);
    let hit = &treni.hits[0];
    assert_eq!(
        hit.title,
        "Treni regionali, in Toscana arrivano i nuovi convogli elettrici"
    );
    assert_eq!(hit.date.as_deref(), Some("2024-03-04"));
    assert!(
        hit.path.starts_with(&env.path("c/crawl.warc.gz#")),
        "{}",
        hit.path
    );

    // The latest capture wins; the page has no date, the capture's is taken.
    let alluvione = search_in(&env.index_path(), "argini", &[]);
    assert_eq!(alluvione.hits.len(), 1, "one article for two captures");
    assert!(search_in(&env.index_path(), "idrovore", &[]).hits.len() == 1);
    assert_eq!(alluvione.hits[0].date.as_deref(), Some("2024-03-06"));

    // ISO-8859-1 honoured; the canonical address replaces the crawled one.
    let museo = search_in(&env.index_path(), "papiri", &[]);
    let hit = &museo.hits[0];
    assert_eq!(
        hit.url.as_deref(),
        Some("https://cronache.example.it/cultura/2024/03/12/museo-egizio-papiri")
    );
    let shown = expect_code(env.run(&["get", &hit.id]), 0);
    assert!(
        shown.contains("È una delle collezioni più ricche"),
        "{shown}"
    );
    assert!(shown.contains(&hit.path), "get names the record: {shown}");
    assert!(
        !shown.contains("cookie"),
        "the page's furniture is left out: {shown}"
    );
}

#[test]
fn a_plain_warc_reads_as_the_gzipped_one() {
    let mut plain = Vec::new();
    flate2::read::MultiGzDecoder::new(&sample_bytes()[..])
        .read_to_end(&mut plain)
        .unwrap();
    let env = TestEnv::new();
    env.write("c/crawl.warc", plain);
    let (report, _) = index(&env);
    assert_eq!(
        (report["indexed"].as_u64(), report["articles"].as_u64()),
        (Some(4), Some(3))
    );
    assert_eq!(skipped(&report).values().sum::<u64>(), 17);
    let hits = search_in(&env.index_path(), "papiri OR argini OR convogli", &[]);
    assert_eq!(hits.hits.len(), 3);
}

#[test]
fn a_crawl_cut_off_mid_record_keeps_every_record_before_it() {
    let bytes = sample_bytes();
    let env = TestEnv::new();
    // Cut inside the page captured last (about two thirds in).
    env.write("c/morta.warc.gz", &bytes[..bytes.len() * 2 / 3]);
    let (report, err) = index(&env);
    assert_eq!(skipped(&report).get("truncated"), Some(&1), "{report}");
    let warning = err
        .lines()
        .find(|l| l.contains("morta.warc.gz"))
        .unwrap_or_else(|| panic!("the cut file is named: {err}"));
    assert!(
        warning.contains("the records before it are kept"),
        "{warning}"
    );
    let kept = search_in(&env.index_path(), "convogli OR argini", &[]);
    assert_eq!(
        kept.hits.len(),
        2,
        "the pages before the cut are searchable"
    );
}

#[test]
fn a_file_that_is_no_web_archive_is_named_and_skipped() {
    let env = TestEnv::new();
    env.write("c/falso.warc", "GET / HTTP/1.1\r\nHost: esempio.it\r\n\r\n");
    env.write("c/000_buono.txt", "Titolo – Esteri\n\nUn articolo vero.\n");
    let (report, err) = index(&env);
    assert_eq!(skipped(&report).get("malformed_warc"), Some(&1), "{report}");
    assert!(err.contains("falso.warc"), "{err}");
    assert_eq!(report["articles"].as_u64(), Some(1));
}

#[test]
fn an_unchanged_crawl_is_not_read_again() {
    let env = TestEnv::new();
    let path = env.write("c/crawl.warc.gz", sample_bytes());
    index(&env);
    let (again, _) = index(&env);
    assert_eq!(
        (
            again["indexed"].as_u64(),
            again["removed"].as_u64(),
            again["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(1))
    );
    // Touched, same bytes: hashed, not re-indexed.
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
        .unwrap();
    let (touched, _) = index(&env);
    assert_eq!(
        (touched["indexed"].as_u64(), touched["articles"].as_u64()),
        (Some(0), Some(3))
    );
}

/// A `response` record of an HTTP 200 page with this body and `Content-Type`.
fn response(url: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut http = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    http.extend_from_slice(body);
    let mut record = format!(
        "WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\nWARC-Date: 2024-03-01T10:00:00Z\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
        http.len()
    )
    .into_bytes();
    record.extend_from_slice(&http);
    record.extend_from_slice(b"\r\n\r\n");
    record
}

#[test]
fn a_page_that_cannot_be_decoded_says_why() {
    let env = TestEnv::new();
    let page = "<html><head><title>Una pagina</title></head><body><article><p>Il consiglio \
        comunale ha approvato il bilancio della citt\u{e0} con il voto della maggioranza.</p>\
        </article></body></html>";
    let mut crawl = response("https://example.org/a", "text/html", page.as_bytes());
    let mut binary = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    binary.extend(std::iter::repeat_n(0u8, 400));
    crawl.extend(response("https://example.org/b", "text/html", &binary));
    env.write("c/crawl.warc", crawl);
    let (report, err) = index(&env);
    assert_eq!(report["indexed"].as_u64(), Some(1), "{report}");
    assert_eq!(skipped(&report).get("binary"), Some(&1), "{report}");
    assert!(
        err.contains("https://example.org/b cannot be decoded: binary content"),
        "{err}"
    );
}
