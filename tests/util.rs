use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde::Deserialize;
use tempfile::TempDir;

/// A temporary folder with an index location, and the binary under test.
pub struct TestEnv {
    pub dir: TempDir,
}

impl TestEnv {
    pub fn new() -> TestEnv {
        TestEnv {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    pub fn index_path(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    /// Writes `content` to `relative` under the temporary folder, creating folders.
    pub fn write(&self, relative: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, content).unwrap();
        path
    }

    pub fn path(&self, relative: &str) -> String {
        self.dir
            .path()
            .join(relative)
            .to_string_lossy()
            .into_owned()
    }

    /// The binary, run from the repository root, with this environment's index.
    pub fn cmd(&self, args: &[&str]) -> Command {
        command(&self.index_path(), args)
    }

    pub fn run(&self, args: &[&str]) -> Output {
        run(self.cmd(args))
    }
}

pub fn command(index: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_emeroteca"));
    cmd.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        // A cluster named in the environment would answer instead of the test's index.
        .env_remove("EMEROTECA_ENGINE")
        .env("EMEROTECA_INDEX", index);
    cmd
}

pub fn run(mut cmd: Command) -> Output {
    cmd.output().expect("the emeroteca binary runs")
}

/// Describes a finished command for assertion messages.
pub fn describe(output: &Output) -> String {
    format!(
        "status: {}\n--- stdout\n{}\n--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts the exit code and returns stdout.
pub fn expect_code(output: Output, code: i32) -> String {
    assert_eq!(output.status.code(), Some(code), "{}", describe(&output));
    stdout(&output)
}

/// The index of `sample_corpus/`, built once per test run.
pub fn sample_index() -> &'static Path {
    static INDEX: OnceLock<PathBuf> = OnceLock::new();
    INDEX.get_or_init(|| {
        let index = Path::new(env!("CARGO_TARGET_TMPDIR")).join("sample-index");
        let _ = fs::remove_dir_all(&index);
        let output = run(command(&index, &["index", "sample_corpus", "--quiet"]));
        assert!(output.status.success(), "{}", describe(&output));
        index
    })
}

/// Runs a command against the sample index.
pub fn sample(args: &[&str]) -> Output {
    run(command(sample_index(), args))
}

/// `search --format json` as the contract fixes it; unknown keys are refused, so that adding
/// one is a deliberate change here too.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Results {
    pub query: String,
    pub total_hits: usize,
    pub took_ms: f64,
    pub hits: Vec<Hit>,
    pub relaxed: bool,
    pub suggestion: Option<String>,
    pub partial_hits: usize,
    pub read_as: Option<String>,
    pub typos_tolerated: bool,
    pub facets: Option<Facets>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facets {
    pub section: std::collections::BTreeMap<String, usize>,
    pub month: std::collections::BTreeMap<String, usize>,
    pub interval: String,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Match {
    pub field: String,
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hit {
    pub rank: usize,
    pub score: f64,
    pub id: String,
    pub path: String,
    pub title: String,
    pub section: Option<String>,
    pub date: Option<String>,
    pub url: Option<String>,
    pub snippet: String,
    pub title_snippet: String,
    pub matches: Vec<Match>,
    pub fragments: Option<Vec<String>>,
    pub copies: Vec<String>,
    #[serde(default)]
    pub shared: Option<f64>,
}

pub fn parse_results(json: &str) -> Results {
    serde_json::from_str(json).unwrap_or_else(|e| panic!("bad JSON ({e}): {json}"))
}

/// Searches an index and returns the parsed JSON (any exit code but 2).
pub fn search_in(index: &Path, query: &str, extra: &[&str]) -> Results {
    let mut args = vec!["search", query, "--format", "json"];
    args.extend_from_slice(extra);
    let output = run(command(index, &args));
    assert_ne!(output.status.code(), Some(2), "{}", describe(&output));
    parse_results(&stdout(&output))
}

pub fn search_sample(query: &str, extra: &[&str]) -> Results {
    search_in(sample_index(), query, extra)
}

pub fn ids(results: &Results) -> Vec<&str> {
    results.hits.iter().map(|h| h.id.as_str()).collect()
}

pub fn hit<'a>(results: &'a Results, id: &str) -> &'a Hit {
    results
        .hits
        .iter()
        .find(|h| h.id == id)
        .unwrap_or_else(|| panic!("{id} not among {:?}", ids(results)))
}

/// `emeroteca serve` on a free loopback port, stopped when dropped.
pub struct Server {
    child: std::process::Child,
    pub base: String,
}

impl Server {
    pub fn start(index: &Path, extra: &[&str]) -> Server {
        use std::io::BufRead;
        let mut args = vec!["serve", "--addr", "127.0.0.1:0"];
        args.extend_from_slice(extra);
        let mut child = command(index, &args)
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("the server starts");
        let stderr = child.stderr.take().expect("its stderr");
        let mut lines = std::io::BufReader::new(stderr).lines();
        let mut said = String::new();
        let base = loop {
            let Some(Ok(line)) = lines.next() else {
                let _ = child.kill();
                panic!("the server stopped before listening: {said}");
            };
            said.push_str(&line);
            if let Some(at) = line.find("http://") {
                let url = line[at..].split_whitespace().next().unwrap_or_default();
                break url.trim_end_matches('/').to_string();
            }
        };
        // Keep draining stderr so the server never blocks writing to it.
        std::thread::spawn(move || lines.for_each(drop));
        Server { child, base }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client that returns error statuses as answers, not as errors.
pub fn http() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(30)))
        .build()
        .into()
}

/// GETs a URL: the status and the body.
pub fn get(agent: &ureq::Agent, url: &str) -> (u16, String) {
    let mut response = agent
        .get(url)
        .call()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .read_to_string()
        .unwrap_or_else(|e| panic!("GET {url} body: {e}"));
    (status, body)
}
