//! At home in a terminal: the facets' timeline fits a screen, completions and the man page.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::util::*;

/// Ten years of articles, more of them in later years, and many undated.
fn ten_years() -> TestEnv {
    let env = TestEnv::new();
    let mut lines = String::new();
    for year in 2014..2024 {
        for month in 1..=12 {
            for n in 0..(year - 2013) * month / 6 {
                let record = serde_json::json!({
                    "id": format!("a{year}{month:02}{n}"),
                    "title": format!("Riforma del governo, puntata {year} {month} {n}"),
                    "date": format!("{year}-{month:02}-10"),
                    "body": format!("Il governo discute la riforma, numero {year}-{month}-{n}."),
                });
                lines.push_str(&format!("{record}\n"));
            }
        }
    }
    for n in 0..500 {
        let record = serde_json::json!({
            "id": format!("u{n}"),
            "title": format!("Riforma senza data {n}"),
            "body": format!("Il governo e la riforma, senza data, numero {n}."),
        });
        lines.push_str(&format!("{record}\n"));
    }
    env.write("c/dump.jsonl", lines);
    expect_code(env.run(&["index", &env.path("c"), "--quiet"]), 0);
    env
}

#[test]
fn the_timeline_of_ten_years_fits_a_screen_with_the_undated_apart() {
    let env = ten_years();
    let text = expect_code(
        env.run(&["search", "governo riforma", "--facets", "--limit", "0"]),
        0,
    );
    let chart = text
        .split_once("by year\n")
        .unwrap_or_else(|| panic!("{text}"))
        .1;
    let rows: Vec<&str> = chart.lines().filter(|l| l.contains('█')).collect();
    assert_eq!(rows.len(), 10, "{chart}");
    let bars: Vec<usize> = rows.iter().map(|r| r.matches('█').count()).collect();
    assert!(bars.windows(2).all(|w| w[0] <= w[1]), "{bars:?}");
    assert!(bars[0] < bars[9], "{bars:?}");
    assert!(!chart.contains("(none)"), "{chart}");
    assert!(chart.contains("undated: 500"), "{chart}");

    let forced = expect_code(
        env.run(&[
            "search",
            "governo riforma",
            "--facets",
            "--limit",
            "0",
            "--interval",
            "quarter",
        ]),
        0,
    );
    assert!(
        forced.contains("by quarter\n") && forced.contains("2023-Q4"),
        "{forced}"
    );

    let json = search_in(
        &env.index_path(),
        "governo riforma",
        &["--facets", "--limit", "0"],
    );
    let facets = json.facets.unwrap();
    assert_eq!(facets.interval, "year");
    let dated_months = (2014..2024)
        .flat_map(|year| (1..=12).map(move |month| (year - 2013) * month / 6))
        .filter(|&articles| articles > 0)
        .count();
    assert_eq!(
        facets.month.len(),
        dated_months + 1,
        "every month and the undated"
    );
}

#[test]
fn completions_are_printed_for_every_shell_and_bash_reads_its_own() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = expect_code(TestEnv::new().run(&["completions", shell]), 0);
        assert!(
            script.contains("emeroteca") && script.contains("--facets"),
            "{shell}"
        );
        if shell == "bash" {
            let status = Command::new("bash")
                .args(["-n", "-c", &script])
                .status()
                .unwrap();
            assert!(status.success());
        }
    }
}

#[test]
#[ignore = "needs groff (Debian's groff-base; cargo test -- --include-ignored)"]
fn the_man_page_is_valid_roff_with_the_query_language_and_exit_statuses() {
    let page = expect_code(TestEnv::new().run(&["man"]), 0);
    for section in [
        ".SH NAME",
        ".SH \"QUERY LANGUAGE\"",
        ".SH \"EXIT STATUS\"",
        ".SH \"EXAMPLES\"",
    ] {
        assert!(page.contains(section), "{section}");
    }
    let mut groff = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("groff renders man pages (Debian's groff-base)");
    groff
        .stdin
        .take()
        .unwrap()
        .write_all(page.as_bytes())
        .unwrap();
    let output = groff.wait_with_output().unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stderr), "", "groff warned");
}
