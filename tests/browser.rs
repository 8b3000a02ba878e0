//! The search page in a real browser: headless Chromium, driven through ChromeDriver's
//! WebDriver protocol (plain HTTP and JSON), types a query as a person would and finds the
//! inflected word marked in the results; a screenshot is left in the target folder.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs them), so it is ignored
//! unless asked for: `cargo test -- --include-ignored`, as CI runs it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};

use crate::util::*;

/// The element key of the W3C WebDriver protocol.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
const ENTER: &str = "\u{E007}";

fn tool(env: &str, default: &str) -> Option<PathBuf> {
    let path = std::env::var_os(env).map_or_else(|| PathBuf::from(default), PathBuf::from);
    path.is_file().then_some(path)
}

struct Driver {
    process: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
}

impl Driver {
    fn start(chromium: &Path, chromedriver: &Path, profile: &Path) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let process = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let mut driver = Driver {
            process,
            base: format!("http://127.0.0.1:{port}"),
            session: String::new(),
            agent: http(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while driver.agent.get(&driver.url("/status")).call().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not answer");
            std::thread::sleep(Duration::from_millis(100));
        }
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1000,1300",
            "--lang=it-IT",
            "--accept-lang=it-IT,it",
            &format!("--user-data-dir={}", profile.display()),
        ];
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": args,
                "prefs": { "intl.accept_languages": "it-IT,it" },
            },
        }}});
        let created = driver.call("POST", "/session", Some(capabilities));
        driver.session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_string();
        driver
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A WebDriver command; its `value`, or a panic with the driver's error.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = if path.starts_with("/session/") || path == "/session" {
            path.to_string()
        } else {
            format!("/session/{}{path}", self.session)
        };
        let url = self.url(&path);
        let response = match method {
            "GET" => self.agent.get(&url).call(),
            "DELETE" => self.agent.delete(&url).call(),
            _ => self
                .agent
                .post(&url)
                .send_json(body.unwrap_or_else(|| json!({}))),
        };
        let mut response = response.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let ok = response.status().is_success();
        let answer: Value = response
            .body_mut()
            .read_json()
            .expect("JSON from the driver");
        assert!(ok, "{method} {path}: {answer}");
        answer["value"].clone()
    }

    fn find_all(&self, css: &str) -> Vec<String> {
        let found = self.call(
            "POST",
            "/elements",
            Some(json!({ "using": "css selector", "value": css })),
        );
        found
            .as_array()
            .map(|all| {
                all.iter()
                    .filter_map(|e| e[ELEMENT].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn find(&self, css: &str) -> String {
        self.find_all(css)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("nothing matches `{css}`"))
    }

    fn text(&self, element: &str) -> String {
        let text = self.call("GET", &format!("/element/{element}/text"), None);
        text.as_str().unwrap_or_default().to_string()
    }

    fn type_into(&self, element: &str, keys: &str) {
        self.call(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({ "text": keys })),
        );
    }

    fn click(&self, element: &str) {
        self.call("POST", &format!("/element/{element}/click"), None);
    }

    /// Waits for `css` to match something, and returns the texts of what it matches.
    fn wait_for(&self, css: &str) -> Vec<String> {
        self.wait_until(css, |texts| !texts.is_empty())
    }

    /// The texts of the elements matching `css`, once `settled` holds for them (a search in
    /// flight shows its status first).
    fn wait_until(&self, css: &str, settled: impl Fn(&[String]) -> bool) -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let texts: Vec<String> = self.find_all(css).iter().map(|e| self.text(e)).collect();
            if settled(&texts) {
                return texts;
            }
            assert!(
                Instant::now() < deadline,
                "`{css}` did not settle in 15 s: {texts:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = self
                .agent
                .delete(&self.url(&format!("/session/{}", self.session)))
                .call();
        }
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

#[test]
#[ignore = "needs Debian's chromium and chromium-driver (cargo test -- --include-ignored)"]
fn a_person_searches_from_the_page_and_sees_the_word_marked() {
    let (Some(chromium), Some(chromedriver)) = (
        tool("CHROMIUM", "/usr/bin/chromium"),
        tool("CHROMEDRIVER", "/usr/bin/chromedriver"),
    ) else {
        panic!("install Debian's chromium and chromium-driver to run the browser test");
    };
    let server = Server::start(sample_index(), &[]);
    let profile = tempfile::tempdir().expect("a profile folder");
    let driver = Driver::start(&chromium, &chromedriver, profile.path());
    driver.call("POST", "/url", Some(json!({ "url": server.url("/") })));

    // Italian labels for an Italian browser; the box has the focus, so typing goes in it.
    assert_eq!(driver.text(&driver.find("button[type=submit]")), "Cerca");
    let active = driver.call("GET", "/element/active", None);
    let box_id = driver.find("#q");
    assert_eq!(active[ELEMENT].as_str(), Some(box_id.as_str()));
    driver.type_into(&box_id, &format!("missile{ENTER}"));

    let marked = driver.wait_for("#results mark");
    assert!(
        marked.iter().any(|m| m == "missili"),
        "the plural is not marked: {marked:?}"
    );
    assert!(marked.iter().all(|m| m.starts_with("missil")), "{marked:?}");
    let status = driver.text(&driver.find("#status"));
    assert!(status.starts_with("3 articoli"), "{status}");
    assert_eq!(driver.find_all("#results > li").len(), 3);
    assert!(
        !driver.find_all("#chart button").is_empty(),
        "no month chart"
    );
    let address = driver.call("GET", "/url", None);
    assert!(
        address
            .as_str()
            .unwrap_or_default()
            .ends_with("/?q=missile"),
        "{address}"
    );

    // A section filter narrows the hits; the labels switch to English.
    driver.click(&driver.find("#section option[value=Esteri]"));
    driver.click(&driver.find("#lang"));
    // Done when the count is shown in English, not while "Searching…".
    let english = driver.wait_until("#status", |texts| {
        texts
            .first()
            .is_some_and(|status| status.ends_with(')') && status.contains("articles"))
    });
    assert_eq!(driver.text(&driver.find("button[type=submit]")), "Search");
    assert!(
        english[0].ends_with(')') && english[0].contains("articles"),
        "{english:?}"
    );

    // Back to the search before the filter: the form follows the address.
    let section = driver.find("#section");
    let value =
        |driver: &Driver| driver.call("GET", &format!("/element/{section}/property/value"), None);
    assert_eq!(value(&driver), "Esteri");
    driver.call("POST", "/back", None);
    let deadline = Instant::now() + Duration::from_secs(15);
    while value(&driver) != "" {
        assert!(
            Instant::now() < deadline,
            "the section filter stayed after going back"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    let png = driver.call("GET", "/screenshot", None);
    let png = base64::engine::general_purpose::STANDARD
        .decode(png.as_str().unwrap_or_default())
        .expect("a base64 screenshot");
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("search-page.png");
    std::fs::write(&shot, png).expect("the screenshot is written");
    eprintln!("screenshot: {}", shot.display());
}
