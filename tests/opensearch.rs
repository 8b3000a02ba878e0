//! The cluster path on a real OpenSearch: the export loaded with the README's commands, the
//! analysis compared with emeroteca's, `index --to` (incremental, and resumed after the cluster
//! went away), and the same queries on the local index and the cluster.
//!
//! Needs a running OpenSearch at `EMEROTECA_TEST_OPENSEARCH` (its base URL): `.ci/run` starts a
//! two-node cluster with `tests/opensearch/cluster start --nodes 2 --dir DIR` (Java and Maven).
//! Ignored unless asked for: `cargo test -- --include-ignored`, as CI runs it.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use serde_json::{Value, json};

use crate::util::*;

const NEEDS: &str = "needs an OpenSearch at EMEROTECA_TEST_OPENSEARCH (tests/opensearch/cluster start; cargo test -- --include-ignored)";

/// The test cluster's base URL; every index made here gets 2 shards and 1 replica, so that both
/// nodes of the CI cluster hold data.
fn cluster() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let url = std::env::var("EMEROTECA_TEST_OPENSEARCH").unwrap_or_else(|_| {
            panic!("set EMEROTECA_TEST_OPENSEARCH to a running OpenSearch: {NEEDS}")
        });
        let url = url.trim_end_matches('/').to_string();
        let template = json!({
            "index_patterns": ["emeroteca-test-*"],
            "template": { "settings": { "number_of_shards": 2, "number_of_replicas": 1 } },
        });
        let (status, answer) = call(
            "PUT",
            &format!("{url}/_index_template/emeroteca-tests"),
            Some(template),
        );
        assert_eq!(status, 200, "{answer}");
        url
    })
}

fn call(method: &str, url: &str, body: Option<Value>) -> (u16, Value) {
    let agent = http();
    let request = ureq::http::Request::builder().method(method).uri(url);
    let response = match body {
        Some(body) => agent.run(
            request
                .header("Content-Type", "application/json")
                .body(body.to_string())
                .unwrap(),
        ),
        None => agent.run(request.body(()).unwrap()),
    };
    let mut response = response.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// A fresh index name on the cluster (deleted if a previous run left it).
fn fresh_index(name: &str) -> String {
    let name = format!("emeroteca-test-{name}");
    call("DELETE", &format!("{}/{name}", cluster()), None);
    name
}

fn count(index: &str) -> u64 {
    call("POST", &format!("{}/{index}/_refresh", cluster()), None);
    let (_, answer) = call("GET", &format!("{}/{index}/_count", cluster()), None);
    answer["count"]
        .as_u64()
        .unwrap_or_else(|| panic!("{answer}"))
}

fn local_articles(index: &Path) -> u64 {
    let stats = expect_code(run(command(index, &["stats", "--format", "json"])), 0);
    serde_json::from_str::<Value>(&stats).unwrap()["articles"]
        .as_u64()
        .unwrap()
}

/// `search --format json` on the cluster index `name`, parsed by the contract's rules.
fn search_cluster(name: &str, query: &str, extra: &[&str]) -> Results {
    let engine = format!("{}/{name}", cluster());
    let mut args = vec!["search", query, "--format", "json", "--engine", &engine];
    args.extend_from_slice(extra);
    let output = run(command(Path::new("no-local-index"), &args));
    assert_ne!(output.status.code(), Some(2), "{}", describe(&output));
    parse_results(&stdout(&output))
}

/// The sample index exported and loaded with the README's own two commands (the cluster's
/// address and the export folder put in), once.
fn exported_sample() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let name = fresh_index("export");
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("opensearch-export");
        let _ = std::fs::remove_dir_all(&dir);
        let dir = dir.to_string_lossy().into_owned();
        let export = run(command(
            sample_index(),
            &[
                "export",
                "--to",
                "opensearch",
                &dir,
                "--name",
                &name,
                "--chunk",
                "20",
            ],
        ));
        expect_code(export, 0);
        let readme =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
                .unwrap();
        let commands = readme_commands(&readme);
        let host = cluster().trim_start_matches("http://");
        for line in commands {
            let line = line
                .replace("localhost:9200/emeroteca", &format!("{host}/{name}"))
                .replace("localhost:9200", host)
                .replace("DIR", &dir);
            let output = Command::new("sh").arg("-c").arg(&line).output().unwrap();
            let said = String::from_utf8_lossy(&output.stdout);
            assert!(output.status.success(), "{line}: {}", describe(&output));
            assert!(!said.contains("\"error\""), "{line}: {said}");
            assert!(!said.contains("\"errors\":true"), "{line}: {said}");
        }
        // What was loaded is searchable within a second; the tests look at once.
        call("POST", &format!("{}/{name}/_refresh", cluster()), None);
        name
    })
}

/// The shell lines of the README's block that loads an export into a cluster.
fn readme_commands(readme: &str) -> Vec<String> {
    let section = readme
        .split("Loading it into a cluster")
        .nth(1)
        .expect("the README says how to load an export");
    let block = section
        .split("```sh")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let lines: Vec<String> = block
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(String::from)
        .collect();
    assert_eq!(lines.len(), 2, "{block}");
    lines
}

#[test]
#[ignore = "needs an OpenSearch (see tests/opensearch.rs)"]
fn the_export_loads_with_the_readme_commands_and_every_article_arrives() {
    let name = exported_sample();
    assert_eq!(count(name), local_articles(sample_index()));
    let (_, settings) = call("GET", &format!("{}/{name}/_settings", cluster()), None);
    let index = &settings[name]["settings"]["index"];
    assert_eq!(index["number_of_shards"], "2", "{settings}");
    assert!(
        index["analysis"]["analyzer"]["emeroteca_terms"].is_object(),
        "{settings}"
    );
    let (_, health) = call(
        "GET",
        &format!(
            "{}/_cluster/health/{name}?wait_for_status=green&timeout=30s",
            cluster()
        ),
        None,
    );
    assert_eq!(
        health["status"], "green",
        "both nodes hold a copy: {health}"
    );
}

/// Forms Snowball alone splits, which the local index joins by its corrections and lemmas: the
/// cluster searches emeroteca's own terms, so it finds what the local index finds.
#[test]
#[ignore = "needs an OpenSearch (see tests/opensearch.rs)"]
fn a_reinflected_word_finds_on_the_cluster_what_it_finds_locally() {
    let env = TestEnv::new();
    for (n, body) in [
        "Il governo alzare le tasse non vuole, dice il ministro.",
        "La delegazione nordcoreana è arrivata a Pechino.",
        "Il deposito di armi è stato scoperto dalla polizia.",
        "Le tastiere dei computer della scuola sono nuove.",
        "L'Ucraina chiede aiuto all’ONU per la città di Pogačar.",
    ]
    .iter()
    .enumerate()
    {
        env.write(
            &format!("archive/{n}.txt"),
            format!("Notizia {n}\n\n{body}\n"),
        );
    }
    let index = env.index_path();
    let index_arg = index.to_string_lossy().into_owned();
    expect_code(
        env.cmd(&[
            "index",
            &env.path("archive"),
            "--index",
            &index_arg,
            "--quiet",
        ])
        .output()
        .unwrap(),
        0,
    );
    let name = fresh_index("reinflected");
    expect_code(index_to(&env, &format!("{}/{name}", cluster())), 0);
    for query in [
        "alza",
        "nordcoreano",
        "arma",
        "tastiera",
        "l’ucraina",
        "citta",
        "pogacar",
        "onu",
    ] {
        let local = search_in(&index, query, &[]);
        assert_eq!(local.total_hits, 1, "{query}");
        let remote = search_cluster(&name, query, &[]);
        assert_eq!(ids(&remote), ids(&local), "{query}");
        assert!(remote.hits[0].snippet.contains("<mark>"), "{query}");
    }
}

/// An index another version of emeroteca made (here: one without emeroteca's mapping) is
/// refused with a message saying what to do, never searched wrongly.
#[test]
#[ignore = "needs an OpenSearch (see tests/opensearch.rs)"]
fn an_index_with_another_mapping_is_refused_with_what_to_do() {
    let name = fresh_index("foreign");
    let url = format!("{}/{name}", cluster());
    let (status, answer) = call(
        "PUT",
        &url,
        Some(json!({ "mappings": { "properties": {
        "title": { "type": "text" }, "body": { "type": "text" } } } })),
    );
    assert_eq!(status, 200, "{answer}");
    let output = run(command(
        Path::new("no-local-index"),
        &["search", "missili", "--engine", &url],
    ));
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let said = stderr(&output);
    assert!(said.contains("another version of emeroteca"), "{said}");
    assert!(said.contains("index again"), "{said}");
}

#[test]
#[ignore = "needs an OpenSearch (see tests/opensearch.rs)"]
fn the_readme_queries_find_the_same_articles_first_on_the_cluster() {
    let name = exported_sample();
    for query in [
        "missili Corea",
        "Kim OR missili",
        "\"Corea del Nord\"",
        "l'Ucraina",
        "città",
        "title:missili",
        "section:Esteri Kim",
        "Ucraina: Zelensky chiede aiuti all'Europa",
    ] {
        let local = search_sample(query, &[]);
        let remote = search_cluster(name, query, &[]);
        assert_eq!(remote.relaxed, local.relaxed, "{query}");
        assert_eq!(remote.total_hits, local.total_hits, "{query}");
        assert_eq!(remote.partial_hits, local.partial_hits, "{query}");
        assert_eq!(
            ids(&remote).first(),
            ids(&local).first(),
            "{query}: {:?} vs {:?}",
            ids(&remote),
            ids(&local)
        );
        assert_eq!(remote.read_as, local.read_as, "{query}");
    }
    // Articles like one: found on the cluster too, the article itself and its story left out.
    let first = ids(&search_sample("missili", &[]))[0].to_string();
    let like = search_cluster(name, "", &["--like", &first]);
    assert!(like.hits.len() >= 2, "{:?}", ids(&like));
    // Ranked by likeness, as locally, not all alike.
    let scores: Vec<f64> = like.hits.iter().map(|hit| hit.score).collect();
    assert!(
        scores.windows(2).all(|pair| pair[0] >= pair[1]),
        "{scores:?}"
    );
    assert!(scores[0] > scores[scores.len() - 1], "{scores:?}");
    assert!(
        like.hits
            .iter()
            .all(|hit| hit.id != first && !hit.copies.contains(&first))
    );
    let remote = search_cluster(name, "missili", &["--facets", "--fragments", "2"]);
    let local = search_sample("missili", &["--facets", "--fragments", "2"]);
    assert_eq!(
        remote.facets.as_ref().unwrap().section,
        local.facets.as_ref().unwrap().section
    );
    assert!(
        remote.hits[0].title_snippet.contains("<mark>"),
        "{:?}",
        remote.hits[0]
    );
}

/// The cluster's snippets are marked passages, as the local index's: for each query of the
/// README, every hit whose body holds a word searched shows at least 60 characters, the word
/// marked.
#[test]
#[ignore = "needs an OpenSearch (see tests/opensearch.rs)"]
fn the_clusters_snippets_are_marked_passages() {
    let name = exported_sample();
    for query in ["missili", "missili Corea", "Kim", "sanzioni Russia"] {
        let remote = search_cluster(name, query, &[]);
        assert!(!remote.hits.is_empty(), "{query}");
        for hit in &remote.hits {
            if !hit.matches.iter().any(|m| m.field == "body") {
                continue;
            }
            let plain = hit.snippet.replace("<mark>", "").replace("</mark>", "");
            assert!(hit.snippet.contains("<mark>"), "{query}: {}", hit.snippet);
            assert!(plain.chars().count() >= 60, "{query}: {}", hit.snippet);
        }
        let top = &remote.hits[0];
        assert!(top.snippet.contains("<mark>"), "{query}: {:?}", top);
    }
}

/// Fifty queries of every kind, made from the sample's own titles: the same top hit for each
/// title, equal totals for phrases and filters, and JSON that keeps the contract.
#[test]
#[ignore = "needs an OpenSearch (see tests/opensearch.rs)"]
fn fifty_queries_agree_between_the_local_index_and_the_cluster() {
    let name = exported_sample();
    let (_, answer) = call(
        "POST",
        &format!("{}/{name}/_search", cluster()),
        Some(json!({ "size": 100, "_source": ["id", "title"], "sort": ["id"] })),
    );
    let titles: Vec<(&str, &str)> = answer["hits"]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["_source"]["id"].as_str().unwrap(),
                h["_source"]["title"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(titles.len() >= 40, "{}", titles.len());
    let mut checked = 0;
    // Titles, pasted: the same article first (20).
    for (id, title) in titles.iter().step_by(2).take(20) {
        let (local, remote) = (search_sample(title, &[]), search_cluster(name, title, &[]));
        assert_eq!(ids(&local).first(), Some(id), "local: {title}");
        assert_eq!(ids(&remote).first(), Some(id), "cluster: {title}");
        checked += 1;
    }
    // Phrases from titles (15): the first three words in a row of four letters or more (no
    // stop words at the edges, where the engines differ on what a phrase of one word is).
    let phrases: Vec<String> = titles
        .iter()
        .filter_map(|(_, title)| {
            let words: Vec<&str> = title
                .split_whitespace()
                .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
                .collect();
            words
                .windows(3)
                .find(|w| w.iter().all(|w| w.chars().count() >= 4))
                .map(|w| format!("\"{}\"", w.join(" ")))
        })
        .take(15)
        .collect();
    assert_eq!(phrases.len(), 15);
    for phrase in &phrases {
        let (local, remote) = (
            search_sample(phrase, &[]),
            search_cluster(name, phrase, &[]),
        );
        assert_eq!(remote.total_hits, local.total_hits, "{phrase}");
        checked += 1;
    }
    // Filters (15): sections, dates, sources, with and without words.
    let filters: [(&str, &[&str]); 15] = [
        ("section:Esteri", &[]),
        ("section:cronaca", &[]),
        ("date:2023", &[]),
        ("date:2023-12", &[]),
        ("date:[2020-01-01 TO 2023-06-30]", &[]),
        ("governo", &["--section", "Politica"]),
        ("governo", &["--since", "2023"]),
        ("governo", &["--until", "2022-12-31"]),
        ("Corea", &["--section", "esteri", "--section", "Politica"]),
        ("prezzi", &["--sort", "date"]),
        ("prezzi OR inflazione", &["--sort", "oldest"]),
        ("-Corea Kim", &[]),
        ("section:Sport", &["--since", "2023-01"]),
        ("date:2024", &["--section", "Economia"]),
        ("title:Roma OR body:Roma", &[]),
    ];
    for (query, extra) in filters {
        let (local, remote) = (
            search_sample(query, extra),
            search_cluster(name, query, extra),
        );
        assert_eq!(remote.total_hits, local.total_hits, "{query} {extra:?}");
        if extra.contains(&"--sort") {
            assert_eq!(ids(&remote), ids(&local), "{query} {extra:?}");
        }
        checked += 1;
    }
    assert_eq!(checked, 50);
}

#[test]
#[ignore = "needs an OpenSearch (see tests/opensearch.rs)"]
fn get_and_stats_read_the_cluster() {
    let name = exported_sample();
    let engine = format!("{}/{name}", cluster());
    let local = expect_code(sample(&["get", "wire-1215-02", "--format", "json"]), 0);
    let remote = expect_code(
        run(command(
            Path::new("unused"),
            &[
                "get",
                "wire-1215-02",
                "--format",
                "json",
                "--engine",
                &engine,
            ],
        )),
        0,
    );
    assert_eq!(remote, local);
    let missing = run(command(
        Path::new("unused"),
        &["get", "no-such-id", "--engine", &engine],
    ));
    expect_code(missing, 1);
    let stats = |output| serde_json::from_str::<Value>(&expect_code(output, 0)).unwrap();
    let local = stats(sample(&["stats", "--format", "json"]));
    let remote = stats(run(command(
        Path::new("unused"),
        &["stats", "--format", "json", "--engine", &engine],
    )));
    for key in [
        "articles",
        "sections",
        "first_date",
        "last_date",
        "undated",
        "schema_version",
    ] {
        assert_eq!(remote[key], local[key], "{key}");
    }
}

/// A small archive of `files` text files, each one article.
fn archive(env: &TestEnv, files: usize) {
    for n in 0..files {
        let body = format!(
            "Articolo numero {n} dell'archivio di prova. Il consiglio comunale di Paese{n} ha discusso \
             il bilancio dell'anno {}, con {} voti favorevoli e una lunga discussione sulla \
             manutenzione delle strade e delle scuole del quartiere {}.",
            2000 + n % 20,
            n % 37,
            n * 7 % 101
        );
        env.write(
            &format!("archive/{:02}/{n:05}.txt", n % 13),
            format!("Notizia {n} dal consiglio – Cronaca\n\n{body}\n"),
        );
    }
}

/// `index FOLDER --to URL --json`, the file state in the environment's `state` folder.
fn index_folder_to(env: &TestEnv, folder: &str, url: &str) -> std::process::Command {
    let (folder, state) = (env.path(folder), env.path("state"));
    env.cmd(&[
        "index", &folder, "--to", url, "--state", &state, "--json", "--quiet",
    ])
}

fn index_to(env: &TestEnv, url: &str) -> std::process::Output {
    run(index_folder_to(env, "archive", url))
}

#[test]
#[ignore = "needs an OpenSearch (see tests/opensearch.rs)"]
fn index_to_sends_new_changed_and_vanished_files_and_nothing_else() {
    let env = TestEnv::new();
    archive(&env, 60);
    let name = fresh_index("direct");
    let url = format!("{}/{name}", cluster());
    let report = |output| serde_json::from_str::<Value>(&expect_code(output, 0)).unwrap();
    let first = report(index_to(&env, &url));
    assert_eq!(
        (first["new"].as_u64(), first["articles"].as_u64()),
        (Some(60), Some(60)),
        "{first}"
    );
    let again = report(index_to(&env, &url));
    assert_eq!(
        (again["indexed"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(60)),
        "{again}"
    );

    std::fs::remove_file(env.path("archive/00/00000.txt")).unwrap();
    env.write(
        "archive/01/00001.txt",
        "Una notizia corretta – Cronaca\n\nIl testo corretto della notizia.\n",
    );
    let third = report(index_to(&env, &url));
    assert_eq!(
        (third["changed"].as_u64(), third["removed"].as_u64()),
        (Some(1), Some(1)),
        "{third}"
    );
    assert_eq!(count(&name), 59);
    expect_code(run(env.cmd(&["index", &env.path("archive"), "--quiet"])), 0);
    assert_eq!(count(&name), local_articles(&env.index_path()));
    let corrected = search_cluster(&name, "notizia corretta", &[]);
    assert_eq!(corrected.total_hits, 1);
}

/// `index --to` on `url` with the environment's state: its report and what it said.
fn report_of(env: &TestEnv, url: &str) -> (Value, String) {
    let output = index_to(env, url);
    let said = stderr(&output);
    (serde_json::from_str(&expect_code(output, 0)).unwrap(), said)
}

#[test]
#[ignore = "needs an OpenSearch (see tests/opensearch.rs)"]
fn the_file_state_follows_its_cluster_index() {
    let env = TestEnv::new();
    archive(&env, 40);
    let name = fresh_index("target");
    let url = format!("{}/{name}", cluster());
    let (first, _) = report_of(&env, &url);
    assert_eq!(first["indexed"].as_u64(), Some(40), "{first}");

    // The index deleted: the next run sends every file again, and says why.
    call("DELETE", &url, None);
    let (again, said) = report_of(&env, &url);
    assert_eq!(again["indexed"].as_u64(), Some(40), "{again}");
    assert!(said.contains("sending every file again"), "{said}");
    assert_eq!(count(&name), 40);

    // Another index filled from the same folder and state.
    let other = fresh_index("target-other");
    let (into_other, said) = report_of(&env, &format!("{}/{other}", cluster()));
    assert_eq!(into_other["indexed"].as_u64(), Some(40), "{into_other}");
    assert!(said.contains(&other), "{said}");
    assert_eq!(count(&other), 40);

    // The same index again, reached at another address (through a relay): nothing to send.
    let _ = report_of(&env, &url);
    let (same, said) = report_of(&env, &format!("{}/{name}", relay(cluster(), usize::MAX)));
    assert_eq!(same["indexed"].as_u64(), Some(0), "{same}{said}");
}

/// A TCP relay to the cluster that goes away (closes every connection and stops answering)
/// once it has carried `limit` bytes of requests.
fn relay(target: &str, limit: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let target = target.trim_start_matches("http://").to_string();
    let sent = Arc::new(AtomicUsize::new(0));
    let gone = Arc::new(AtomicBool::new(false));
    std::thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { continue };
            if gone.load(Ordering::SeqCst) {
                drop(client);
                continue;
            }
            let server = TcpStream::connect(&target).unwrap();
            let (sent, gone) = (sent.clone(), gone.clone());
            let (mut from_client, mut to_server) =
                (client.try_clone().unwrap(), server.try_clone().unwrap());
            let (mut from_server, mut to_client) = (server, client);
            std::thread::spawn(move || {
                let mut buffer = [0; 64 * 1024];
                while let Ok(n) = from_client.read(&mut buffer) {
                    if n == 0 || sent.fetch_add(n, Ordering::SeqCst) + n > limit {
                        gone.store(true, Ordering::SeqCst);
                        break;
                    }
                    if to_server.write_all(&buffer[..n]).is_err() {
                        break;
                    }
                }
                let _ = from_client.shutdown(std::net::Shutdown::Both);
                let _ = to_server.shutdown(std::net::Shutdown::Both);
            });
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut from_server, &mut to_client);
                let _ = to_client.shutdown(std::net::Shutdown::Both);
            });
        }
    });
    format!("http://{address}")
}

#[test]
#[ignore = "needs an OpenSearch (see tests/opensearch.rs)"]
fn a_cluster_gone_mid_run_leaves_a_state_the_next_run_completes() {
    let env = TestEnv::new();
    archive(&env, 1500);
    let name = fresh_index("resumed");
    // The first batch of files goes through (its bulk request is about 800 kB: each document
    // carries its text and its analysed terms), then the cluster is gone: the run says which
    // request failed, wherever the cut falls.
    let relayed = relay(cluster(), 1_200_000);
    let url = format!("{relayed}/{name}");
    let cut = index_to(&env, &url);
    assert_eq!(cut.status.code(), Some(2), "{}", describe(&cut));
    let said = stderr(&cut);
    assert!(
        said.starts_with("emeroteca: ")
            && (said.contains("cannot send the articles of ") || said.contains(&relayed)),
        "{}",
        describe(&cut)
    );
    let before = count(&name);
    assert!(before < 1500, "{before}");

    let url = format!("{}/{name}", cluster());
    let resumed = expect_code(index_to(&env, &url), 0);
    let resumed: Value = serde_json::from_str(&resumed).unwrap();
    assert_eq!(resumed["articles"].as_u64(), Some(1500), "{resumed}");
    assert!(
        resumed["new"].as_u64().unwrap() < 1500,
        "the second run only sends what is missing: {resumed}"
    );
    assert_eq!(count(&name), 1500);
}

#[test]
#[ignore = "needs an OpenSearch (see tests/opensearch.rs)"]
fn serve_answers_from_the_cluster_as_from_the_local_index() {
    let name = exported_sample();
    let engine = format!("{}/{name}", cluster());
    let server = Server::start(Path::new("unused"), &["--engine", &engine]);
    let agent = http();
    let (status, health) = get(&agent, &server.url("/health"));
    assert_eq!(status, 200, "{health}");
    assert_eq!(
        serde_json::from_str::<Value>(&health).unwrap()["articles"],
        local_articles(sample_index())
    );
    let (status, body) = get(&agent, &server.url("/search?q=missili+Corea&limit=3"));
    assert_eq!(status, 200, "{body}");
    let served = parse_results(&body);
    assert_eq!(
        ids(&served),
        ids(&search_sample("missili Corea", &["--limit", "3"]))
    );
    assert_eq!(get(&agent, &server.url("/articles/wire-1215-02")).0, 200);
    assert_eq!(get(&agent, &server.url("/articles/no-such-id")).0, 404);
    assert_eq!(get(&agent, &server.url("/search?q=-Corea")).0, 400);
}

#[test]
#[ignore = "needs an OpenSearch (see tests/opensearch.rs)"]
fn a_rejected_article_is_named_with_its_file_and_its_file_sent_again() {
    let env = TestEnv::new();
    archive(&env, 30);
    env.write(
        "archive/strana.jsonl",
        r#"{"id": "strana-1", "title": "Una notizia con una sezione numerica", "section": "12", "body": "Il testo della notizia strana."}"#,
    );
    let name = fresh_index("rejects");
    // An index made with emeroteca's settings, but a mapping that takes sections as numbers:
    // every article with a named section is refused, the one numbered is not.
    exported_sample();
    let settings = Path::new(env!("CARGO_TARGET_TMPDIR")).join("opensearch-export/settings.json");
    let mut settings: Value =
        serde_json::from_str(&std::fs::read_to_string(settings).unwrap()).unwrap();
    settings["mappings"]["properties"]["section"] = json!({ "type": "integer" });
    let (status, answer) = call("PUT", &format!("{}/{name}", cluster()), Some(settings));
    assert_eq!(status, 200, "{answer}");
    let url = format!("{}/{name}", cluster());
    let refused = index_to(&env, &url);
    assert_ne!(refused.status.code(), Some(0), "{}", describe(&refused));
    let said = stderr(&refused);
    assert!(
        said.contains("rejected") && said.contains("00007.txt"),
        "{said}"
    );
    assert!(!said.contains("strana.jsonl"), "{said}");

    // With the index made again, right, the next run sends every file to the new index: the
    // one accepted before went with the old index.
    call("DELETE", &url, None);
    let output = expect_code(index_to(&env, &url), 0);
    let report: Value = serde_json::from_str(&output).unwrap();
    assert_eq!(report["new"].as_u64(), Some(31), "{report}");
    assert_eq!(count(&name), 31);
}

/// A one-request HTTP server that answers 401 and hands back the `Authorization` it was sent.
fn unauthorized_server() -> (String, std::thread::JoinHandle<Option<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/archivio", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().ok()?;
        let mut request = Vec::new();
        let mut buffer = [0; 4096];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buffer).ok()?;
            if n == 0 {
                break;
            }
            request.extend_from_slice(&buffer[..n]);
        }
        let body = r#"{"error":{"reason":"authentication required"},"status":401}"#;
        let answer = format!(
            "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(answer.as_bytes()).ok()?;
        String::from_utf8_lossy(&request)
            .lines()
            .find_map(|l| {
                l.strip_prefix("authorization: ")
                    .or_else(|| l.strip_prefix("Authorization: "))
            })
            .map(str::to_string)
    });
    (url, handle)
}

#[test]
fn credentials_come_from_the_environment_and_are_never_printed() {
    use base64::Engine;
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("ada:s3cret-pw")
    );
    let (url, sent) = unauthorized_server();
    let mut cmd = command(Path::new("unused"), &["stats", "--engine", &url]);
    cmd.env("EMEROTECA_CLUSTER_USER", "ada")
        .env("EMEROTECA_CLUSTER_PASSWORD", "s3cret-pw");
    let output = run(cmd);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        stderr(&output).contains("401 authentication required"),
        "{}",
        describe(&output)
    );
    assert!(
        !describe(&output).contains("s3cret"),
        "{}",
        describe(&output)
    );
    assert_eq!(sent.join().unwrap().as_deref(), Some(expected.as_str()));

    let env = TestEnv::new();
    let file = env.write("credentials", "ada:s3cret-pw\n");
    let (url, sent) = unauthorized_server();
    let mut cmd = command(
        Path::new("unused"),
        &["search", "missili", "--engine", &url],
    );
    cmd.env("EMEROTECA_CLUSTER_CREDENTIALS", &file);
    let output = run(cmd);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(
        !describe(&output).contains("s3cret"),
        "{}",
        describe(&output)
    );
    assert_eq!(sent.join().unwrap().as_deref(), Some(expected.as_str()));

    // In the address, where `ps` shows them, they are refused and not repeated.
    let output = run(command(
        Path::new("unused"),
        &[
            "stats",
            "--engine",
            "http://ada:s3cret-pw@127.0.0.1:9/archivio",
        ],
    ));
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(!stderr(&output).contains("s3cret"), "{}", describe(&output));
}

#[test]
#[ignore = "needs an OpenSearch (see tests/opensearch.rs)"]
fn a_story_and_its_copies_show_once_on_the_cluster_too() {
    let env = TestEnv::new();
    crate::copies::archive(&env);
    let name = fresh_index("copies");
    let url = format!("{}/{name}", cluster());
    let sent = expect_code(run(index_folder_to(&env, "c", &url)), 0);
    let duplicates =
        |report: &str| serde_json::from_str::<Value>(report).unwrap()["duplicates"].clone();
    assert_eq!(duplicates(&sent), json!(2), "{sent}");
    let local_stats = expect_code(run(env.cmd(&["stats", "--format", "json"])), 0);
    let remote_stats = expect_code(
        run(env.cmd(&["stats", "--format", "json", "--engine", &url])),
        0,
    );
    assert_eq!(duplicates(&remote_stats), duplicates(&local_stats));

    for extra in [&[][..], &["--all-copies"][..]] {
        let local = search_in(&env.index_path(), "bollette sconti", extra);
        let remote = search_cluster(&name, "bollette sconti", extra);
        assert_eq!(remote.total_hits, local.total_hits, "{extra:?}");
        assert_eq!(
            remote.hits.len(),
            local.hits.len(),
            "{extra:?}: {:?} vs {:?}",
            ids(&remote),
            ids(&local)
        );
        let copies = |results: &Results| {
            let mut all: Vec<(String, Vec<String>)> = results
                .hits
                .iter()
                .map(|h| (h.id.clone(), h.copies.clone()))
                .collect();
            all.sort();
            all.into_iter()
                .map(|(_, copies)| copies.len())
                .collect::<Vec<_>>()
        };
        assert_eq!(copies(&remote), copies(&local), "{extra:?}");
    }
}

/// `tests/opensearch/cluster` on a folder of its own: the cluster's address.
fn start_cluster(dir: &Path, nodes: &str) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/opensearch/cluster");
    let output = Command::new(&script)
        .args(["start", "--nodes", nodes, "--dir"])
        .arg(dir)
        .output()
        .expect("the cluster script runs");
    assert!(output.status.success(), "{}", describe(&output));
    stdout(&output)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string()
}

fn stop_cluster(dir: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/opensearch/cluster");
    let _ = Command::new(&script)
        .args(["stop", "--dir"])
        .arg(dir)
        .output();
}

/// A node of its own, killed (`kill -9`) while `index --to` sends to it, then started again on
/// its data: the next run completes the index to the same count. The same state then sent to
/// another cluster sends everything.
#[test]
#[ignore = "needs an OpenSearch (see tests/opensearch.rs)"]
fn a_node_killed_mid_run_leaves_a_state_the_next_run_completes() {
    cluster();
    let env = TestEnv::new();
    archive(&env, 6000);
    let nodes = env.dir.path().join("cluster");
    let url = format!("{}/emeroteca-test-killed", start_cluster(&nodes, "1"));
    let state = env.path("state");
    let sending = index_folder_to(&env, "archive", &url)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once the first batch is acknowledged (the state logged), the node dies.
    let log = Path::new(&state).join("files.log");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while std::fs::metadata(&log).map_or(0, |m| m.len()) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "nothing was acknowledged"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let pid = std::fs::read_to_string(nodes.join("node-0/pid")).unwrap();
    Command::new("kill")
        .args(["-9", pid.trim()])
        .status()
        .unwrap();
    let cut = sending.wait_with_output().unwrap();
    assert_ne!(cut.status.code(), Some(0), "{}", describe(&cut));

    let url = format!("{}/emeroteca-test-killed", start_cluster(&nodes, "1"));
    let resumed = index_to(&env, &url);
    stop_cluster(&nodes);
    let report: Value = serde_json::from_str(&expect_code(resumed, 0)).unwrap();
    assert_eq!(report["articles"].as_u64(), Some(6000), "{report}");
    assert!(report["unchanged"].as_u64().unwrap() > 0, "{report}");

    // The same state and an index of the same name on another cluster: another index, to
    // which every file is sent.
    let name = fresh_index("killed");
    let moved = index_to(&env, &format!("{}/{name}", cluster()));
    let said = stderr(&moved);
    let report: Value = serde_json::from_str(&expect_code(moved, 0)).unwrap();
    assert_eq!(report["indexed"].as_u64(), Some(6000), "{report}");
    assert!(said.contains("sending every file again"), "{said}");
    assert_eq!(count(&name), 6000);
}
