//! The local index beside an OpenSearch cluster, on one generated news-length archive:
//!
//!     cargo bench --bench cluster -- --engine http://127.0.0.1:9200 [--articles N] [--work DIR]
//!
//! Indexes the archive locally and into the cluster index `emeroteca-bench` (2 shards, 1
//! replica: on a two-node cluster both nodes hold data), then runs the same queries on both, in
//! process and one process per query. Start a cluster with `tests/opensearch/cluster start
//! --nodes 2 --dir DIR`. Figures are medians and percentiles of this one run.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use emeroteca::archive::Archive;
use emeroteca::search::SearchRequest;

#[path = "support/generate.rs"]
mod generate;

const BIN: &str = env!("CARGO_BIN_EXE_emeroteca");
const NAME: &str = "emeroteca-bench";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|at| args.get(at + 1).cloned())
    };
    let Some(engine) =
        value("--engine").or_else(|| std::env::var("EMEROTECA_TEST_OPENSEARCH").ok())
    else {
        eprintln!(
            "usage: cargo bench --bench cluster -- --engine http://HOST:PORT [--articles N] [--work DIR]"
        );
        std::process::exit(2);
    };
    let engine = engine.trim_end_matches('/').to_string();
    let articles: u64 = value("--articles")
        .map(|n| n.replace('_', "").parse())
        .transpose()
        .context("--articles takes a number")?
        .unwrap_or(10_000);
    let work = value("--work")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("emeroteca-bench"));
    run(&engine, articles, &work)
}

fn run(engine: &str, articles: u64, work: &Path) -> anyhow::Result<()> {
    let archive = work.join(format!("news-{articles}"));
    if !archive.join(".complete").exists() {
        let _ = fs::remove_dir_all(&archive);
        let done = generate::write_archive(&archive, articles, 1)?;
        fs::write(archive.join(".complete"), format!("{done:?}"))?;
    }
    let local = work.join(format!("cluster-local-{articles}"));
    let state = work.join(format!("cluster-state-{articles}"));
    let _ = fs::remove_dir_all(&local);
    let _ = fs::remove_dir_all(&state);
    let url = format!("{engine}/{NAME}");
    http("DELETE", &url, None)?;
    let template = serde_json::json!({
        "index_patterns": [NAME],
        "template": { "settings": { "number_of_shards": 2, "number_of_replicas": 1 } },
    });
    http(
        "PUT",
        &format!("{engine}/_index_template/{NAME}"),
        Some(template),
    )?;

    let archive_arg = archive.to_string_lossy().into_owned();
    eprintln!("indexing {articles} articles locally…");
    let local_time = timed(Command::new(BIN).args([
        "index",
        &archive_arg,
        "--index",
        &local.to_string_lossy(),
        "--quiet",
    ]))?;
    eprintln!("indexing them into the cluster…");
    let cluster_time = timed(Command::new(BIN).args([
        "index",
        &archive_arg,
        "--to",
        &url,
        "--state",
        &state.to_string_lossy(),
        "--quiet",
    ]))?;

    let on_disk = Archive::open(&local, None)?;
    let on_cluster = Archive::open(&local, Some(&url))?;
    let (local_articles, cluster_articles) = (on_disk.articles()?, on_cluster.articles()?);
    ensure!(
        local_articles == cluster_articles,
        "the cluster holds {cluster_articles} articles, the local index {local_articles}"
    );

    let queries = queries();
    eprintln!("searching: {} queries, 5 rounds, on each…", queries.len());
    let in_process = |archive: &Archive| -> anyhow::Result<Vec<Duration>> {
        let mut times = Vec::new();
        // A first round warms caches (and the cluster's compiler); it is not counted.
        for round in 0..6 {
            for query in &queries {
                let request = SearchRequest {
                    query: query.to_string(),
                    limit: 10,
                    snippets: true,
                    ..SearchRequest::default()
                };
                let started = Instant::now();
                archive.search(&request)?;
                if round > 0 {
                    times.push(started.elapsed());
                }
            }
        }
        Ok(times)
    };
    let one_process = |extra: &[&str]| -> anyhow::Result<Vec<Duration>> {
        let mut times = Vec::new();
        for query in &queries {
            let mut command = Command::new(BIN);
            command
                .args(["search", query, "--format", "json", "--index"])
                .arg(&local)
                .args(extra);
            times.push(timed_any_exit(&mut command)?);
        }
        Ok(times)
    };
    let (mut local_search, mut cluster_search) = (in_process(&on_disk)?, in_process(&on_cluster)?);
    let (mut local_process, mut cluster_process) =
        (one_process(&[])?, one_process(&["--engine", &url])?);

    let rate = |time: Duration| articles as f64 / time.as_secs_f64();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "\n{articles} generated articles, {local_articles} searchable; cluster: 2 shards, 1 replica\n"
    );
    println!("| | local index | two-node OpenSearch |");
    println!("|---|---|---|");
    println!(
        "| indexing | {:.1} s, {:.0} articles/s | {:.1} s, {:.0} articles/s ({:.2} × local) |",
        local_time.as_secs_f64(),
        rate(local_time),
        cluster_time.as_secs_f64(),
        rate(cluster_time),
        local_time.as_secs_f64() / cluster_time.as_secs_f64()
    );
    for (label, local, cluster) in [
        (
            "search in process, p50",
            &mut local_search,
            &mut cluster_search,
        ),
        (
            "one process per query, p50",
            &mut local_process,
            &mut cluster_process,
        ),
    ] {
        println!(
            "| {label} (p90) | {:.2} ms ({:.2}) | {:.2} ms ({:.2}) |",
            ms(percentile(local, 0.5)),
            ms(percentile(local, 0.9)),
            ms(percentile(cluster, 0.5)),
            ms(percentile(cluster, 0.9)),
        );
    }
    Ok(())
}

/// Words common and rare, names, pairs, a phrase, a field, a date and an exclusion.
fn queries() -> Vec<&'static str> {
    vec![
        "governo",
        "ministro",
        "città",
        "prezzi",
        "ambasciatore",
        "alluvione",
        "museo",
        "Roma",
        "Kiev",
        "governo Roma",
        "sindaco Milano",
        "prezzi energia",
        "accordo regione",
        "\"consiglio dei ministri\"",
        "title:governo",
        "date:2023 sindaco",
        "ministro -Roma",
        "Kiev OR Tokyo",
        "scuole qualità",
        "inchiesta autostrada",
    ]
}

fn http(method: &str, url: &str, body: Option<serde_json::Value>) -> anyhow::Result<u16> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let request = ureq::http::Request::builder().method(method).uri(url);
    let response = match body {
        Some(body) => agent.run(
            request
                .header("Content-Type", "application/json")
                .body(body.to_string())?,
        ),
        None => agent.run(request.body(())?),
    }
    .with_context(|| format!("{method} {url}"))?;
    Ok(response.status().as_u16())
}

fn timed(command: &mut Command) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let status = command.stdout(Stdio::null()).status()?;
    ensure!(status.success(), "{command:?} failed");
    Ok(started.elapsed())
}

/// A search's time, whether or not it found anything (exit 1).
fn timed_any_exit(command: &mut Command) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let status = command.stdout(Stdio::null()).status()?;
    ensure!(status.code() != Some(2), "{command:?} failed");
    Ok(started.elapsed())
}

fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort();
    let at = ((times.len() as f64 - 1.0) * p).round() as usize;
    times[at.min(times.len() - 1)]
}
