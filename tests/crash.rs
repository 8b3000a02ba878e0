//! Interruptions and concurrency: `kill -9` and Ctrl-C in the middle of a run, searches while
//! indexing, a second indexing run on the same index.

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::util::*;

/// A generated archive, and the article count of an uninterrupted run over it.
pub fn archive() -> &'static (PathBuf, u64) {
    static ARCHIVE: OnceLock<(PathBuf, u64)> = OnceLock::new();
    ARCHIVE.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("crash-archive");
        let _ = std::fs::remove_dir_all(&root);
        crate::generate::write_archive(&root.join("c"), 4000, 11).unwrap();
        let index = root.join("reference-index");
        let output = run(command(
            &index,
            &[
                "index",
                root.join("c").to_str().unwrap(),
                "--json",
                "--quiet",
            ],
        ));
        let report: serde_json::Value = serde_json::from_str(&expect_code(output, 0)).unwrap();
        (root, report["articles"].as_u64().unwrap())
    })
}

fn start_index(index: &Path) -> Child {
    let (root, _) = archive();
    command(
        index,
        &[
            "index",
            root.join("c").to_str().unwrap(),
            "--commit-every",
            "300",
            "--quiet",
        ],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap()
}

/// Waits until the run has committed once (its state log exists) and is still running.
fn wait_for_first_commit(index: &Path, child: &mut Child) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !index.join("files.log").exists() {
        assert!(Instant::now() < deadline, "no commit within a minute");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before its first commit"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the run ended too soon to be interrupted"
    );
}

fn articles(index: &Path) -> u64 {
    let output = run(command(index, &["stats", "--format", "json"]));
    let stats: serde_json::Value = serde_json::from_str(&expect_code(output, 0)).unwrap();
    stats["articles"].as_u64().unwrap()
}

fn finish(index: &Path) -> serde_json::Value {
    let (root, _) = archive();
    let output = run(command(
        index,
        &[
            "index",
            root.join("c").to_str().unwrap(),
            "--json",
            "--quiet",
        ],
    ));
    serde_json::from_str(&expect_code(output, 0)).unwrap()
}

#[test]
fn kill_9_mid_run_keeps_the_last_commit_and_a_re_run_completes_it() {
    let (_, expected) = archive();
    let env = TestEnv::new();
    let index = env.index_path();
    let mut child = start_index(&index);
    wait_for_first_commit(&index, &mut child);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let committed = articles(&index);
    assert!(
        committed > 0 && committed < *expected,
        "{committed} of {expected}"
    );
    let search = run(command(&index, &["search", "governo"]));
    assert_eq!(search.status.code(), Some(0), "{}", describe(&search));

    let report = finish(&index);
    assert_eq!(report["articles"].as_u64(), Some(*expected), "{report}");
    assert_eq!(articles(&index), *expected);
}

#[test]
fn ctrl_c_commits_stops_with_a_message_and_a_re_run_completes() {
    let (_, expected) = archive();
    let env = TestEnv::new();
    let index = env.index_path();
    let mut child = start_index(&index);
    wait_for_first_commit(&index, &mut child);
    // SAFETY: kill(2) on the pid of a child this test spawned and has not reaped yet.
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(sent, 0, "SIGINT not delivered");
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130), "{}", describe(&output));
    assert!(
        stderr(&output).contains("interrupted"),
        "{}",
        describe(&output)
    );
    let committed = articles(&index);
    assert!(committed > 0 && committed <= *expected);
    let report = finish(&index);
    assert_eq!(report["articles"].as_u64(), Some(*expected), "{report}");
}

#[test]
fn searches_work_and_a_second_run_is_refused_while_indexing() {
    let env = TestEnv::new();
    let index = env.index_path();
    let mut child = start_index(&index);
    wait_for_first_commit(&index, &mut child);

    let (root, _) = archive();
    let second = run(command(
        &index,
        &["index", root.join("c").to_str().unwrap()],
    ));
    let running = child.try_wait().unwrap().is_none();
    assert_eq!(second.status.code(), Some(2), "{}", describe(&second));
    let err = stderr(&second);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("another indexing run holds the index"),
        "{err}"
    );
    assert!(running, "the first run ended before the second was refused");

    let mut searched = 0;
    while child.try_wait().unwrap().is_none() {
        let output = run(command(
            &index,
            &["search", "governo OR ministro", "--format", "json"],
        ));
        assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
        parse_results(&stdout(&output));
        searched += 1;
    }
    assert!(searched > 0);
    assert!(child.wait().unwrap().success());
}
