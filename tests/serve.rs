//! `emeroteca serve`: the CLI's JSON over HTTP, refusals as JSON errors, new commits picked up
//! without a restart, and every answer right under 32 concurrent clients.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::*;

/// The CLI's JSON without the one key that differs between two runs.
fn without_took(json: &str) -> Value {
    let mut value: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    if let Value::Object(map) = &mut value {
        map.remove("took_ms");
    }
    value
}

fn error_of(body: &str) -> String {
    let value: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    value["error"]
        .as_str()
        .unwrap_or_else(|| panic!("no error in {body}"))
        .to_string()
}

#[test]
fn the_api_answers_what_the_command_line_prints() {
    let server = Server::start(sample_index(), &[]);
    let agent = http();
    let cases: [(&str, &[&str]); 4] = [
        ("/search?q=missili+Corea", &["missili Corea"]),
        (
            "/search?q=Kim&section=Esteri&since=2023-09&sort=date&limit=3&offset=1&facets=true&fragments=2",
            &[
                "Kim",
                "--section",
                "Esteri",
                "--since",
                "2023-09",
                "--sort",
                "date",
                "--limit",
                "3",
                "--offset",
                "1",
                "--facets",
                "--fragments",
                "2",
            ],
        ),
        (
            "/search?q=dell%E2%80%99Ucraina&fields=id,snippet",
            &["dell’Ucraina", "--fields", "id,snippet"],
        ),
        ("/search?q=Pyongnyang&fuzzy", &["Pyongnyang", "--fuzzy"]),
    ];
    for (path, args) in cases {
        let (status, body) = get(&agent, &server.url(path));
        assert_eq!(status, 200, "{path}: {body}");
        let mut cli = vec!["search", "--format", "json"];
        cli.extend_from_slice(args);
        let printed = stdout(&sample(&cli));
        assert_eq!(without_took(&body), without_took(&printed), "{path}");
    }
    let (status, body) = get(&agent, &server.url("/search?q=missile"));
    assert_eq!(status, 200);
    assert!(body.contains("<mark>missili</mark>"), "{body}");

    let (status, body) = get(&agent, &server.url("/articles/wire-1215-02"));
    assert_eq!(status, 200);
    assert_eq!(
        body,
        expect_code(sample(&["get", "wire-1215-02", "--format", "json"]), 0)
    );
    let (status, body) = get(&agent, &server.url("/stats"));
    assert_eq!(status, 200);
    assert_eq!(body, expect_code(sample(&["stats", "--format", "json"]), 0));
    let (status, body) = get(&agent, &server.url("/health"));
    assert_eq!(
        (status, body.trim()),
        (200, r#"{"status":"ok","articles":54}"#)
    );
}

#[test]
fn bad_requests_get_a_json_reason_and_unknown_ids_a_404() {
    let server = Server::start(sample_index(), &[]);
    let agent = http();
    let long = "parola+".repeat(200);
    for (path, says) in [
        ("/search", "no query"),
        ("/search?q=", "no query"),
        ("/search?q=Kim&limit=1000", "`limit` is at most 100"),
        ("/search?q=Kim&limit=dieci", "whole number"),
        ("/search?q=Kim&offset=9999", "offset"),
        ("/search?q=Kim&since=ieri", "since"),
        ("/search?q=Kim&sort=random", "unknown sort"),
        ("/search?q=Kim&colour=red", "unknown parameter `colour`"),
        ("/search?q=Kim&fields=id,colour", "unknown key `colour`"),
        ("/search?q=-Kim", "not excluded"),
        ("/search?q=%3F+%21+-", "nothing to search for"),
        (&format!("/search?q={long}"), "longer than 1000"),
    ] {
        let (status, body) = get(&agent, &server.url(path));
        assert_eq!(status, 400, "{path}: {body}");
        assert!(error_of(&body).contains(says), "{path}: {body}");
    }
    let (status, body) = get(&agent, &server.url("/articles/nessuno"));
    assert_eq!(status, 404);
    assert!(error_of(&body).contains("nessuno"));
    let (status, body) = get(&agent, &server.url("/search?like=nessuno"));
    assert_eq!(status, 400);
    assert!(error_of(&body).contains("nessuno"));
    let (status, body) = get(&agent, &server.url("/etc/passwd"));
    assert_eq!(status, 404);
    assert!(error_of(&body).contains("no endpoint"));
    let (status, body) = get(&agent, &server.url("/articles/..%2F..%2Fmeta.json"));
    assert_eq!(status, 404, "{body}");

    let mut posted = agent
        .post(&server.url("/search"))
        .send("q=Kim")
        .expect("an answer");
    assert_eq!(posted.status().as_u16(), 405);
    assert!(error_of(&posted.body_mut().read_to_string().unwrap()).contains("GET"));
    let big = agent
        .put(&server.url("/search"))
        .send(vec![b'x'; 64 * 1024])
        .expect("an answer");
    assert_eq!(big.status().as_u16(), 413);

    // The server is still up after all that.
    assert_eq!(get(&agent, &server.url("/health")).0, 200);
}

#[test]
fn cors_is_off_unless_asked_for_and_loopback_is_the_default() {
    let origin = "https://redazione.example";
    let allowed = |server: &Server| {
        let response = http()
            .get(&server.url("/search?q=Kim"))
            .header("Origin", origin)
            .call()
            .expect("an answer");
        response
            .headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap_or_default().to_string())
    };
    assert_eq!(allowed(&Server::start(sample_index(), &[])), None);
    let open = Server::start(sample_index(), &["--cors", origin]);
    assert_eq!(allowed(&open).as_deref(), Some(origin));

    let help = expect_code(sample(&["serve", "--help"]), 0);
    assert!(help.contains("[default: 127.0.0.1:7700]"), "{help}");
}

#[test]
fn a_running_server_sees_new_commits() {
    let env = TestEnv::new();
    env.write(
        "c/2024/01/05/uno.txt",
        "Il porto di Genova\n\nLe navi attraccano al porto di Genova.\n",
    );
    let indexed = env.run(&["index", &env.path("c"), "--quiet"]);
    expect_code(indexed, 0);
    let server = Server::start(&env.index_path(), &[]);
    let agent = http();
    let hits = |q: &str| -> u64 {
        let (status, body) = get(&agent, &server.url(&format!("/search?q={q}")));
        assert_eq!(status, 200, "{body}");
        serde_json::from_str::<Value>(&body).unwrap()["total_hits"]
            .as_u64()
            .unwrap()
    };
    assert_eq!((hits("porto"), hits("grano")), (1, 0));
    let stats_articles = || -> u64 {
        let (_, body) = get(&agent, &server.url("/stats"));
        serde_json::from_str::<Value>(&body).unwrap()["articles"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(stats_articles(), 1);

    env.write(
        "c/2024/01/06/due.txt",
        "Il grano di Odessa\n\nTre navi di grano lasciano il porto di Odessa.\n",
    );
    expect_code(env.run(&["index", &env.path("c"), "--quiet"]), 0);
    let deadline = Instant::now() + Duration::from_secs(10);
    while hits("grano") == 0 {
        assert!(
            Instant::now() < deadline,
            "the new commit was not seen in 10 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(hits("porto"), 2);
    assert_eq!(
        stats_articles(),
        2,
        "/stats still answers from before the commit"
    );
    let (_, health) = get(&agent, &server.url("/health"));
    assert!(health.contains(r#""articles":2"#), "{health}");
}

#[test]
fn thirty_two_clients_at_once_all_get_right_answers() {
    let server = Server::start(sample_index(), &[]);
    let queries = [
        "missili",
        "Ucraina",
        "citta",
        "%22Corea+del+Nord%22",
        "grano+porto+Odessa",
        "Kim&sort=date&facets=true",
        "sanzioni&section=Esteri",
        "Conte",
    ];
    // What each query answers when asked alone.
    let agent = http();
    let expected: Vec<(String, Value)> = queries
        .iter()
        .map(|q| {
            let path = format!("/search?q={q}");
            let (status, body) = get(&agent, &server.url(&path));
            assert_eq!(status, 200, "{path}: {body}");
            (path, without_took(&body))
        })
        .collect();
    let answered = AtomicUsize::new(0);
    let until = Instant::now() + Duration::from_secs(3);
    std::thread::scope(|scope| {
        for client in 0..32 {
            let (server, expected, answered) = (&server, &expected, &answered);
            scope.spawn(move || {
                let agent = http();
                let mut turn = client;
                while Instant::now() < until {
                    let (path, want) = &expected[turn % expected.len()];
                    let (status, body) = get(&agent, &server.url(path));
                    assert_eq!(status, 200, "{path}: {body}");
                    assert_eq!(&without_took(&body), want, "{path}");
                    answered.fetch_add(1, Ordering::Relaxed);
                    turn += 1;
                }
            });
        }
    });
    let answered = answered.into_inner();
    assert!(answered >= 32, "only {answered} answers");
    assert_eq!(get(&agent, &server.url("/health")).0, 200);
}

/// Indexed from an absolute path, an article's path is served relative to its folder: a public
/// server shows nothing of its file system. The command line keeps the path as found.
#[test]
fn the_server_shows_paths_relative_to_the_indexed_folder() {
    let env = TestEnv::new();
    env.write(
        "archivio/2024/01/05/uno.txt",
        "Il porto di Genova\n\nLe navi attraccano al porto di Genova.\n",
    );
    let folder = env.path("archivio");
    assert!(folder.starts_with('/'));
    expect_code(env.run(&["index", &folder, "--quiet"]), 0);
    let cli = search_in(&env.index_path(), "porto", &[]);
    assert_eq!(cli.hits[0].path, format!("{folder}/2024/01/05/uno.txt"));

    let server = Server::start(&env.index_path(), &[]);
    let agent = http();
    let (_, body) = get(&agent, &server.url("/search?q=porto"));
    let hit = &serde_json::from_str::<Value>(&body).unwrap()["hits"][0];
    assert_eq!(hit["path"], "archivio/2024/01/05/uno.txt");
    let (_, body) = get(
        &agent,
        &server.url(&format!("/articles/{}", hit["id"].as_str().unwrap())),
    );
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["path"],
        "archivio/2024/01/05/uno.txt"
    );
}
