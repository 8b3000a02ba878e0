//! An index on media this process cannot write answers every reading command as a writable copy
//! does; `index` on it exits 2 with one line.
//!
//! As root the index is bind-mounted read-only; elsewhere its folder is made unwritable, which
//! the same code reads the same way.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::util::*;

/// A read-only view of an index, undone when dropped.
struct ReadOnly {
    path: PathBuf,
    /// The bind mount to undo (as root), else the folders made unwritable.
    mounted: bool,
}

impl ReadOnly {
    fn of(index: &Path, view: &Path) -> ReadOnly {
        let root = unsafe { libc::geteuid() } == 0;
        if root {
            fs::create_dir_all(view).unwrap();
            let bind = Command::new("mount")
                .arg("--bind")
                .arg(index)
                .arg(view)
                .status();
            assert!(bind.is_ok_and(|s| s.success()), "mount --bind failed");
            let remount = Command::new("mount")
                .args(["-o", "remount,bind,ro"])
                .arg(view)
                .status();
            assert!(remount.is_ok_and(|s| s.success()), "remount,ro failed");
            ReadOnly {
                path: view.to_path_buf(),
                mounted: true,
            }
        } else {
            set_writable(index, false);
            ReadOnly {
                path: index.to_path_buf(),
                mounted: false,
            }
        }
    }
}

fn set_writable(folder: &Path, writable: bool) {
    use std::os::unix::fs::PermissionsExt;
    let mode = if writable { 0o755 } else { 0o555 };
    fs::set_permissions(folder, fs::Permissions::from_mode(mode)).unwrap();
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        if self.mounted {
            let _ = Command::new("umount").arg(&self.path).status();
        } else {
            set_writable(&self.path, true);
        }
    }
}

/// A command's JSON without the key that differs between two runs.
fn json_of(output: std::process::Output) -> Value {
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let mut value: Value = serde_json::from_slice(&output.stdout).unwrap();
    if let Value::Object(map) = &mut value {
        map.remove("took_ms");
    }
    value
}

fn batch(index: &Path, queries: &str) -> String {
    let mut child = command(index, &["search", "--batch", "--format", "jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(queries.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", describe(&output));
    // Each line's time differs between two runs.
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            let mut value: Value = serde_json::from_str(line).unwrap();
            if let Value::Object(map) = &mut value {
                map.remove("took_ms");
            }
            value.to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn served_search(index: &Path, query: &str) -> Value {
    let server = Server::start(index, &[]);
    let (status, body) = get(&http(), &server.url(query));
    assert_eq!(status, 200, "{body}");
    let mut value: Value = serde_json::from_str(&body).unwrap();
    if let Value::Object(map) = &mut value {
        map.remove("took_ms");
    }
    value
}

/// What every reading command answers on `index`, as JSON without times.
fn answers(index: &Path, like: &str) -> Vec<Value> {
    let searches: [&[&str]; 3] = [
        &["search", "missili Corea", "--format", "json"],
        &[
            "search", "Kim", "--facets", "--sort", "date", "--format", "json",
        ],
        &["search", "--like", like, "--format", "json"],
    ];
    let mut all: Vec<Value> = searches
        .iter()
        .map(|args| json_of(run(command(index, args))))
        .collect();
    all.push(json_of(run(command(
        index,
        &["get", like, "--format", "json"],
    ))));
    all.push(json_of(run(command(index, &["stats", "--format", "json"]))));
    let queries = "missili\nCorea del Nord\n{\"query\": \"sanzioni\", \"section\": [\"Esteri\"]}\n";
    all.push(Value::String(batch(index, queries)));
    all.push(served_search(index, "/search?q=missili&facets=true"));
    all
}

fn listing(folder: &Path) -> Vec<std::ffi::OsString> {
    let mut names: Vec<_> = fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    names
}

#[test]
fn a_read_only_index_answers_as_a_writable_one() {
    let env = TestEnv::new();
    let writable = env.index_path();
    expect_code(env.run(&["index", "sample_corpus", "--quiet"]), 0);
    let found = json_of(run(command(
        &writable,
        &["search", "missili Corea", "--format", "json"],
    )));
    let like = found["hits"][0]["id"].as_str().unwrap().to_string();
    let view = ReadOnly::of(&writable, &env.dir.path().join("view"));
    let read_only = view.path.clone();
    let files = listing(&read_only);

    let answered = answers(&read_only, &like);
    // Writing is refused in one line, with the path.
    let refused = run(command(&read_only, &["index", "sample_corpus", "--quiet"]));
    assert_eq!(refused.status.code(), Some(2), "{}", describe(&refused));
    let said = stderr(&refused);
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(said.contains("read-only"), "{said}");
    assert!(said.contains(&*read_only.to_string_lossy()), "{said}");
    assert!(
        !said.contains("IoError") && !said.contains("Os {"),
        "{said}"
    );
    // Nothing was written beside the index.
    assert_eq!(listing(&read_only), files);
    drop(view);

    assert_eq!(answered, answers(&writable, &like));
}
