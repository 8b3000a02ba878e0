//! emeroteca's benchmark, side by side with a plain tantivy pipeline and ripgrep, on one
//! generated archive:
//!
//!     cargo bench --bench bench -- [--articles N] [--runs N] [--work DIR] [--crawl] [--smoke]
//!
//! It generates the archive (deterministic, kept in the work folder for the next run), indexes
//! it with emeroteca and with the plain pipeline in turn, `--runs` times each (3; each in its
//! own process, so peak memory is that process's), then runs a fixed set of queries: in
//! process, one process per query, `--batch`, and ripgrep over the raw files for the single
//! words. Figures are medians and percentiles of this one run. `--crawl` generates a web crawl
//! (every article an HTML page) rather than a newspaper's archive. `--smoke` (CI) runs a small archive and checks hit counts only.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use emeroteca::search::{self, SearchRequest};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::QueryParser;
use tantivy::schema::{STORED, Schema};
use tantivy::snippet::SnippetGenerator;
use tantivy::{Index, TantivyDocument};

#[path = "support/generate.rs"]
mod generate;
#[path = "support/plain.rs"]
mod plain;

const BIN: &str = env!("CARGO_BIN_EXE_emeroteca");
/// Both indexers get the same writer budget and threads.
const MEMORY_MB: usize = 512;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The plain pipeline runs in a child process of this same program.
    if let Some(at) = args.iter().position(|a| a == "--plain-index") {
        let (archive, index) = (&args[at + 1], &args[at + 2]);
        return plain_index(Path::new(archive), Path::new(index));
    }
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|at| args.get(at + 1).cloned())
    };
    let smoke = args.iter().any(|a| a == "--smoke");
    let articles: u64 = match value("--articles") {
        Some(n) => n
            .replace('_', "")
            .parse()
            .context("--articles takes a number")?,
        None if smoke => 2_000,
        None => 10_000,
    };
    let work = value("--work")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("emeroteca-bench"));
    let runs: usize = match value("--runs") {
        Some(n) => n.parse().context("--runs takes a number")?,
        None if smoke => 1,
        None => 3,
    };
    let mix = if args.iter().any(|a| a == "--crawl") {
        generate::Mix::Crawl
    } else {
        generate::Mix::News
    };
    run(articles, &work, runs.max(1), smoke, mix)
}

fn run(
    articles: u64,
    work: &Path,
    runs: usize,
    smoke: bool,
    mix: generate::Mix,
) -> anyhow::Result<()> {
    let kind = match mix {
        generate::Mix::News => "news",
        generate::Mix::Crawl => "crawl",
    };
    let archive = work.join(format!("{kind}-{articles}"));
    if !archive.join(".complete").exists() {
        let _ = fs::remove_dir_all(&archive);
        let started = Instant::now();
        let done = generate::write_mix(&archive, articles, 1, mix)?;
        fs::write(archive.join(".complete"), format!("{done:?}"))?;
        eprintln!(
            "generated {articles} articles in {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    let corpus_bytes = folder_bytes(&archive);
    // What the generator wrote, as `.complete` records it.
    let written = fs::read_to_string(archive.join(".complete"))?;
    let generated = |field: &str| -> u64 {
        written
            .split(&format!("{field}: "))
            .nth(1)
            .and_then(|rest| rest.split([',', ' ', '}']).next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let ours = work.join(format!("emeroteca-{kind}-{articles}"));
    let plain = work.join(format!("plain-{kind}-{articles}"));
    let _ = fs::remove_dir_all(&ours);
    let _ = fs::remove_dir_all(&plain);

    // The two indexers take turns, `runs` times each, from empty indexes and with the archive
    // in the page cache: on a shared machine a single pair of runs can land in different
    // weather. Times are medians, memory the largest seen.
    let our_index = || {
        let mut command = Command::new(BIN);
        command.args([
            "index",
            &archive.to_string_lossy(),
            "--index",
            &ours.to_string_lossy(),
            "--quiet",
            "--memory",
            &MEMORY_MB.to_string(),
        ]);
        command
    };
    let index_ours = || {
        let _ = fs::remove_dir_all(&ours);
        warm(&archive)?;
        measure(&mut our_index())
    };
    let index_plain = || {
        let _ = fs::remove_dir_all(&plain);
        warm(&archive)?;
        measure(
            Command::new(std::env::current_exe()?)
                .arg("--plain-index")
                .arg(&archive)
                .arg(&plain),
        )
    };
    let (mut our_runs, mut plain_runs) = (Vec::new(), Vec::new());
    for run in 1..=runs {
        eprintln!("indexing, run {run} of {runs}: emeroteca, then the plain tantivy pipeline…");
        our_runs.push(index_ours()?);
        plain_runs.push(index_plain()?);
    }
    // The unchanged re-run, as many times: the median again.
    let mut reruns = Vec::new();
    for _ in 0..runs {
        reruns.push(measure(&mut our_index())?.0);
    }
    let rerun_time = median(&mut reruns);
    let (our_time, our_rss, our_anonymous) = summarise(&mut our_runs);
    let (plain_time, plain_rss, plain_anonymous) = summarise(&mut plain_runs);
    let (our_size, plain_size) = (folder_bytes(&ours), folder_bytes(&plain));
    let opened = emeroteca::index::open(&ours)?;
    let indexed = opened.reader.searcher().num_docs();

    let queries = queries();
    eprintln!("searching: {} queries…", queries.len());
    let mut snippets = Vec::new();
    let mut bare = Vec::new();
    let mut our_hits = Vec::new();
    for round in 0..3 {
        for query in &queries {
            let request = |snippets| SearchRequest {
                query: query.text.clone(),
                limit: 10,
                sections: query.section.iter().map(|s| s.to_string()).collect(),
                since: query
                    .since
                    .and_then(|d| search::parse_date_bound(d, false).ok()),
                snippets,
                ..SearchRequest::default()
            };
            let started = Instant::now();
            let results = search::search(&opened, &request(true))?;
            snippets.push(started.elapsed());
            let started = Instant::now();
            search::search(&opened, &request(false))?;
            bare.push(started.elapsed());
            if round == 0 {
                our_hits.push(results.total_hits);
            }
        }
    }
    let (plain_latency, plain_hits) = plain_search(&plain, &queries)?;

    let mut per_process = Vec::new();
    for query in &queries {
        let started = Instant::now();
        let output = Command::new(BIN)
            .args(["search", &query.text, "--format", "json", "--index"])
            .arg(&ours)
            .output()?;
        per_process.push(started.elapsed());
        ensure!(output.status.code() != Some(2), "search failed: {query:?}");
    }

    let input: String = queries
        .iter()
        .map(|q| format!("{}\n", q.batch_line()))
        .collect();
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .args(["search", "--batch", "--index"])
        .arg(&ours)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .context("batch stdin")?
        .write_all(input.as_bytes())?;
    let mut out = String::new();
    child
        .stdout
        .take()
        .context("batch stdout")?
        .read_to_string(&mut out)?;
    child.wait()?;
    let batch_time = started.elapsed();
    let batch_hits: Vec<usize> = out
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
            value["total_hits"].as_u64().unwrap_or(0) as usize
        })
        .collect();

    // ripgrep over the raw files, for the single-word queries (common and rare): each word
    // once with ripgrep, three times as one emeroteca process (its median kept, as one
    // ripgrep run of hundreds of milliseconds is steadier than one of a few).
    let words: Vec<&Query> = queries.iter().filter(|q| q.single_word()).collect();
    let mut grep = Vec::new();
    let mut ours_for_words = Vec::new();
    let rg_available = Command::new("rg").arg("--version").output().is_ok();
    if rg_available {
        for query in &words {
            let started = Instant::now();
            Command::new("rg")
                .args(["-l", "-i", "-w", &query.text])
                .arg(&archive)
                .stdout(Stdio::null())
                .status()?;
            grep.push(started.elapsed());
            let mut runs = Vec::new();
            for _ in 0..3 {
                let started = Instant::now();
                Command::new(BIN)
                    .args(["search", &query.text, "--format", "json", "--index"])
                    .arg(&ours)
                    .stdout(Stdio::null())
                    .status()?;
                runs.push(started.elapsed());
            }
            ours_for_words.push(median(&mut runs));
        }
    }

    let serve_time = if smoke {
        Duration::from_secs(2)
    } else {
        Duration::from_secs(10)
    };
    let serving: Vec<(usize, Load)> = [1, SERVE_CLIENTS]
        .into_iter()
        .map(|clients| {
            Ok((
                clients,
                serve_load(&ours, &queries, &our_hits, clients, serve_time)?,
            ))
        })
        .collect::<anyhow::Result<_>>()?;

    // Correctness, checked always; the smoke run checks nothing else.
    ensure!(
        batch_hits == our_hits,
        "--batch and in-process hit counts differ"
    );
    for (query, (ours, plain)) in queries.iter().zip(our_hits.iter().zip(&plain_hits)) {
        if query.single_word() && query.section.is_none() && query.since.is_none() {
            ensure!(
                *ours > 0 && *plain > 0,
                "no hit for {:?} ({ours}, {plain})",
                query.text
            );
        }
    }
    if smoke {
        println!(
            "smoke: {indexed} articles, {} queries, hit counts consistent",
            queries.len()
        );
        return Ok(());
    }

    let mb = |bytes: u64| bytes as f64 / 1e6;
    let rate = |n: f64, t: Duration| n / t.as_secs_f64();
    let stats = Command::new(BIN)
        .args(["stats", "--format", "json", "--index"])
        .arg(&ours)
        .output()?;
    let stats: serde_json::Value = serde_json::from_slice(&stats.stdout)?;
    println!(
        "## {articles} generated articles, {kind} ({:.0} MB, {indexed} searchable, {} distinct word forms; copies written {}, found {})\n",
        mb(corpus_bytes),
        generated("forms"),
        generated("duplicates"),
        stats["duplicates"]
    );
    println!("| indexing | emeroteca | plain tantivy | ratio |");
    println!("|---|---|---|---|");
    println!(
        "| time (median of {runs} runs each, in turn) | {:.1} s | {:.1} s | {:.2} |",
        our_time.as_secs_f64(),
        plain_time.as_secs_f64(),
        plain_time.as_secs_f64() / our_time.as_secs_f64()
    );
    println!(
        "| articles/s (files/s for plain) | {:.0} | {:.0} | |",
        rate(indexed as f64, our_time),
        rate(file_count(&archive) as f64, plain_time)
    );
    println!(
        "| MB/s | {:.1} | {:.1} | |",
        rate(mb(corpus_bytes), our_time),
        rate(mb(corpus_bytes), plain_time)
    );
    println!(
        "| peak RSS (mapped index files included; largest run) | {:.0} MB | {:.0} MB | |",
        mb(our_rss),
        mb(plain_rss)
    );
    println!(
        "| peak anonymous memory (heap, arenas; largest run) | {:.0} MB | {:.0} MB | |",
        mb(our_anonymous),
        mb(plain_anonymous)
    );
    println!(
        "| index size | {:.1} MB ({:.2} × corpus) | {:.1} MB ({:.2} × corpus) | {:.2} |",
        mb(our_size),
        our_size as f64 / corpus_bytes as f64,
        mb(plain_size),
        plain_size as f64 / corpus_bytes as f64,
        our_size as f64 / plain_size as f64
    );
    println!(
        "| unchanged re-run (median) | {:.2} s ({:.1}% of the first run) | | |",
        rerun_time.as_secs_f64(),
        100.0 * rerun_time.as_secs_f64() / our_time.as_secs_f64()
    );
    println!();
    println!(
        "| search, {} queries, top 10 | p50 | p95 | p99 |",
        queries.len()
    );
    println!("|---|---|---|---|");
    row("emeroteca in process, with snippets", &mut snippets);
    row("emeroteca in process, without snippets", &mut bare);
    row(
        "plain tantivy in process, with snippets",
        &mut plain_latency.clone(),
    );
    row("emeroteca, one process per query", &mut per_process);
    println!(
        "\n`--batch`: {} queries in {:.2} s, {:.0} queries/s.",
        queries.len(),
        batch_time.as_secs_f64(),
        rate(queries.len() as f64, batch_time)
    );
    println!(
        "\n| `emeroteca serve`, {:.0} s per row | requests/s | p50 | p95 | p99 |",
        serve_time.as_secs_f64()
    );
    println!("|---|---|---|---|---|");
    for (clients, mut load) in serving {
        println!(
            "| {clients} concurrent client{} | {:.0} | {:.2} ms | {:.2} ms | {:.2} ms |",
            if clients == 1 { "" } else { "s" },
            load.answered as f64 / load.elapsed.as_secs_f64(),
            ms(percentile(&mut load.latencies, 0.5)),
            ms(percentile(&mut load.latencies, 0.95)),
            ms(percentile(&mut load.latencies, 0.99))
        );
    }
    if rg_available {
        let (rg, ours) = (median(&mut grep), median(&mut ours_for_words));
        println!(
            "\nSingle words ({}), median wall time: `rg -l -i -w` {:.1} ms, emeroteca (one process) {:.1} ms: {:.0} × faster.",
            words.len(),
            ms(rg),
            ms(ours),
            rg.as_secs_f64() / ours.as_secs_f64()
        );
    }
    Ok(())
}

/// Clients of the server's load row (the 32).
const SERVE_CLIENTS: usize = 32;

/// What a load on `emeroteca serve` measured.
struct Load {
    answered: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

/// Starts `emeroteca serve` on the index and has `clients` threads, each on its own keep-alive
/// connection, ask the queries in turn for `time`; every answer's hit count is checked.
fn serve_load(
    index: &Path,
    queries: &[Query],
    expected_hits: &[usize],
    clients: usize,
    time: Duration,
) -> anyhow::Result<Load> {
    let mut server = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0", "--index"])
        .arg(index)
        .stderr(Stdio::piped())
        .spawn()?;
    let mut banner = String::new();
    let stderr = server.stderr.take().context("server stderr")?;
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stderr));
    let base = loop {
        let line = lines
            .next()
            .context("the server stopped before listening")??;
        banner.push_str(&line);
        if let Some(at) = line.find("http://") {
            let url = line[at..].split_whitespace().next().unwrap_or_default();
            break url.trim_end_matches('/').to_string();
        }
    };
    let paths: Vec<String> = queries.iter().map(Query::http_path).collect();
    let started = Instant::now();
    let results: Vec<anyhow::Result<Vec<Duration>>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..clients)
            .map(|client| {
                let (base, paths) = (&base, &paths);
                scope.spawn(move || -> anyhow::Result<Vec<Duration>> {
                    let agent: ureq::Agent = ureq::Agent::config_builder()
                        .http_status_as_error(false)
                        .build()
                        .into();
                    let mut latencies = Vec::new();
                    let mut turn = client * 7;
                    while started.elapsed() < time {
                        let at = turn % paths.len();
                        let sent = Instant::now();
                        let mut response = agent.get(&format!("{base}{}", paths[at])).call()?;
                        let body = response.body_mut().read_to_string()?;
                        latencies.push(sent.elapsed());
                        ensure!(response.status() == 200, "{}: {body}", paths[at]);
                        let value: serde_json::Value = serde_json::from_str(&body)?;
                        ensure!(
                            value["total_hits"].as_u64() == Some(expected_hits[at] as u64),
                            "{}: other hits over HTTP",
                            paths[at]
                        );
                        turn += 1;
                    }
                    Ok(latencies)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a client panicked")))
            })
            .collect()
    });
    let elapsed = started.elapsed();
    let _ = server.kill();
    let _ = server.wait();
    let mut latencies = Vec::new();
    for result in results {
        latencies.extend(result?);
    }
    ensure!(!latencies.is_empty(), "the server answered nothing");
    Ok(Load {
        answered: latencies.len(),
        elapsed,
        latencies,
    })
}

/// A benchmark query: text, and the filters emeroteca adds (the plain pipeline has none).
#[derive(Debug)]
struct Query {
    text: String,
    section: Option<&'static str>,
    since: Option<&'static str>,
}

impl Query {
    fn single_word(&self) -> bool {
        !self.text.contains([' ', '"']) && self.section.is_none() && self.since.is_none()
    }

    /// The query as `GET /search` takes it.
    fn http_path(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query
            .append_pair("q", &self.text)
            .append_pair("limit", "10");
        if let Some(section) = self.section {
            query.append_pair("section", section);
        }
        if let Some(since) = self.since {
            query.append_pair("since", since);
        }
        format!("/search?{}", query.finish())
    }

    fn batch_line(&self) -> String {
        let mut object = serde_json::json!({ "query": self.text });
        if let Some(section) = self.section {
            object["section"] = section.into();
        }
        if let Some(since) = self.since {
            object["since"] = since.into();
        }
        object.to_string()
    }
}

/// The fixed query set: common and rare words, two and three words, phrases, filtered queries.
fn queries() -> Vec<Query> {
    let common = [
        "governo",
        "ministro",
        "presidente",
        "città",
        "accordo",
        "regione",
        "sindaco",
        "economia",
        "prezzi",
        "scuole",
    ];
    let rare = [
        "ambasciatore",
        "satellite",
        "alluvione",
        "agricoltori",
        "autostrada",
        "inchiesta",
        "museo",
        "qualità",
        "isola",
        "ospite",
    ];
    let places = [
        "Roma",
        "Milano",
        "Napoli",
        "Kiev",
        "Tokyo",
        "Bruxelles",
        "Genova",
        "Seul",
    ];
    let plain = |text: String| Query {
        text,
        section: None,
        since: None,
    };
    let mut queries: Vec<Query> = common
        .iter()
        .chain(&rare)
        .map(|w| plain(w.to_string()))
        .collect();
    for (i, word) in common.iter().enumerate() {
        queries.push(plain(format!("{word} {}", rare[i])));
        queries.push(plain(format!("{word} {}", places[i % places.len()])));
        queries.push(plain(format!(
            "{} {word} {}",
            rare[(i + 3) % rare.len()],
            places[(i + 1) % places.len()]
        )));
    }
    for (i, word) in rare.iter().enumerate() {
        queries.push(plain(format!("{word} {}", common[(i + 5) % common.len()])));
        queries.push(plain(format!("{word} {}", places[(i + 2) % places.len()])));
    }
    for phrase in [
        "\"il governo\"",
        "\"le nuove scuole\"",
        "\"del ministro\"",
        "\"la città\"",
        "\"i prezzi\"",
        "\"il sindaco\"",
        "\"l'economia\"",
        "\"la regione\"",
        "\"nuovo museo\"",
        "\"più di quanto previsto\"",
    ] {
        queries.push(plain(phrase.to_string()));
    }
    let sections = ["Politica", "Esteri", "Economia", "Cronaca", "Sport"];
    for (i, word) in common.iter().chain(&rare).enumerate() {
        queries.push(Query {
            text: word.to_string(),
            section: Some(sections[i % sections.len()]),
            since: (i % 2 == 0).then_some("2020"),
        });
    }
    queries
}

/// The median time of indexing runs, and the largest peak RSS and anonymous memory.
fn summarise(runs: &mut [(Duration, u64, u64)]) -> (Duration, u64, u64) {
    let mut times: Vec<Duration> = runs.iter().map(|run| run.0).collect();
    let rss = runs.iter().map(|run| run.1).max().unwrap_or(0);
    let anonymous = runs.iter().map(|run| run.2).max().unwrap_or(0);
    (median(&mut times), rss, anonymous)
}

/// Runs a command to its end: wall time, peak RSS (everything resident, mapped index files
/// included) and peak anonymous memory (what the process itself allocated: heap and arenas),
/// the latter sampled every 20 ms from /proc.
fn measure(command: &mut Command) -> anyhow::Result<(Duration, u64, u64)> {
    let started = Instant::now();
    let child = command.stdout(Stdio::null()).spawn()?;
    let status_file = format!("/proc/{}/status", child.id());
    let mut status = 0;
    // SAFETY: rusage is plain data, filled by wait4 for the child this process just spawned.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut peak_anonymous = 0;
    let pid = loop {
        // wait4 reaps the child and reports its own peak RSS (std's wait cannot).
        let pid = unsafe { libc::wait4(child.id() as i32, &mut status, libc::WNOHANG, &mut usage) };
        if pid != 0 {
            break pid;
        }
        if let Some(kb) = fs::read_to_string(&status_file).ok().and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("RssAnon:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        }) {
            peak_anonymous = peak_anonymous.max(kb * 1024);
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let elapsed = started.elapsed();
    ensure!(pid > 0, "wait4 failed");
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        bail!("{command:?} failed");
    }
    Ok((elapsed, usage.ru_maxrss as u64 * 1024, peak_anonymous))
}

/// The plain tantivy pipeline: each file read (gzip decompressed), tags stripped crudely, one
/// stored text field with tantivy's SimpleTokenizer, LowerCaser and Italian stemmer.
fn plain_index(archive: &Path, index_dir: &Path) -> anyhow::Result<()> {
    let (index, field) = plain_schema(index_dir)?;
    let mut writer = index.writer::<TantivyDocument>(MEMORY_MB * 1024 * 1024)?;
    for entry in walkdir::WalkDir::new(archive) {
        let entry = entry?;
        if !entry.file_type().is_file() || entry.file_name() == ".complete" {
            continue;
        }
        let mut bytes = Vec::new();
        let file = fs::File::open(entry.path())?;
        if entry.path().extension().is_some_and(|e| e == "gz") {
            flate2::read::MultiGzDecoder::new(file).read_to_end(&mut bytes)?;
        } else {
            std::io::BufReader::new(file).read_to_end(&mut bytes)?;
        }
        let text = strip_tags(&String::from_utf8_lossy(&bytes));
        let mut doc = TantivyDocument::new();
        doc.add_text(field, text);
        writer.add_document(doc)?;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok(())
}

fn plain_schema(index_dir: &Path) -> anyhow::Result<(Index, tantivy::schema::Field)> {
    let mut builder = Schema::builder();
    let field = builder.add_text_field("body", plain::text_options() | STORED);
    let schema = builder.build();
    let index = if index_dir.join("meta.json").exists() {
        Index::open_in_dir(index_dir)?
    } else {
        fs::create_dir_all(index_dir)?;
        Index::create_in_dir(index_dir, schema)?
    };
    plain::register(&index);
    Ok((index, field))
}

fn strip_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// The same queries on the plain index (text only, all words required), top 10 with a
/// SnippetGenerator snippet per hit; three rounds, as for emeroteca.
fn plain_search(
    index_dir: &Path,
    queries: &[Query],
) -> anyhow::Result<(Vec<Duration>, Vec<usize>)> {
    let (index, field) = plain_schema(index_dir)?;
    let searcher = index.reader()?.searcher();
    let mut parser = QueryParser::for_index(&index, vec![field]);
    parser.set_conjunction_by_default();
    let mut latency = Vec::new();
    let mut hits = Vec::new();
    for round in 0..3 {
        for query in queries {
            let started = Instant::now();
            let parsed = parser.parse_query(&query.text)?;
            let (count, top) =
                searcher.search(&parsed, &(Count, TopDocs::with_limit(10).order_by_score()))?;
            let generator = SnippetGenerator::create(&searcher, &*parsed, field)?;
            for (_, address) in top {
                let doc: TantivyDocument = searcher.doc(address)?;
                std::hint::black_box(generator.snippet_from_doc(&doc).to_html());
            }
            latency.push(started.elapsed());
            if round == 0 {
                hits.push(count);
            }
        }
    }
    Ok((latency, hits))
}

/// Reads every file of the archive once, so that it sits in the page cache.
fn warm(archive: &Path) -> anyhow::Result<()> {
    let mut buffer = Vec::new();
    for entry in walkdir::WalkDir::new(archive)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.file_type().is_file() {
            buffer.clear();
            fs::File::open(entry.path())?.read_to_end(&mut buffer)?;
        }
    }
    Ok(())
}

fn folder_bytes(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}

fn file_count(dir: &Path) -> usize {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .count()
        - 1 // .complete
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort();
    let at = ((times.len() as f64 - 1.0) * p).round() as usize;
    times[at.min(times.len() - 1)]
}

fn median(times: &mut [Duration]) -> Duration {
    percentile(times, 0.5)
}

fn row(name: &str, times: &mut [Duration]) {
    println!(
        "| {name} | {:.2} ms | {:.2} ms | {:.2} ms |",
        ms(percentile(times, 0.5)),
        ms(percentile(times, 0.95)),
        ms(percentile(times, 0.99))
    );
}
