//! Exit status and error messages (docs/CONTRACT.md): 0 hits, 1 none, 2 error in one line.

use crate::util::*;

fn one_line(output: &std::process::Output) -> String {
    let err = stderr(output);
    assert_eq!(err.lines().count(), 1, "{}", describe(output));
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"));
    err
}

#[test]
fn exit_status_is_0_with_hits_and_1_without() {
    expect_code(sample(&["search", "missili"]), 0);
    let out = expect_code(sample(&["search", "xilofonista"]), 1);
    assert!(out.is_empty());
    let json = expect_code(sample(&["search", "xilofonista", "--format", "json"]), 1);
    assert_eq!(parse_results(&json).total_hits, 0);
}

#[test]
fn a_pasted_headline_is_never_refused_and_its_reading_is_said() {
    for (query, read_as) in [
        (
            "Corea: Kim lancia missili [VBA]",
            "Corea Kim lancia missili VBA",
        ),
        ("Kim - Putin, vertice (Russia", "Kim Putin vertice Russia"),
        ("\"Corea del", "\"Corea del\""),
        ("Kim OR", "Kim"),
    ] {
        let output = sample(&["search", query]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{query}: {}",
            describe(&output)
        );
        assert!(
            stderr(&output).contains(&format!("read as: {read_as}\n")),
            "{query}: {}",
            describe(&output)
        );
        let json = search_sample(query, &[]);
        assert_eq!(json.read_as.as_deref(), Some(read_as));
    }
    // Read as written: no line about it.
    let output = sample(&["search", "missili Corea"]);
    assert!(!stderr(&output).contains("read as"));
}

#[test]
fn a_query_with_nothing_to_search_says_so() {
    for (query, says) in [
        ("-Putin", "at least one word that is not excluded"),
        ("il di che", "only stop words"),
        ("- – ! ? *", "nothing to search for"),
    ] {
        let output = sample(&["search", query]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{query}: {}",
            describe(&output)
        );
        let err = one_line(&output);
        assert!(err.contains(says), "{query}: {err}");
    }
}

#[test]
fn a_bad_option_says_so_not_bad_query() {
    for (args, says) in [
        (
            &["--since", "settembre"][..],
            "`since`: `settembre` is not a date",
        ),
        (&["--since", "2024", "--until", "2023"], "is after `until`"),
        (
            &["--fields", "id,colore", "--format", "json"],
            "unknown key `colore`",
        ),
    ] {
        let mut command = vec!["search", "Kim"];
        command.extend_from_slice(args);
        let output = sample(&command);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let err = one_line(&output);
        assert!(
            err.starts_with("emeroteca: bad option: ") && err.contains(says),
            "{err}"
        );
    }
}

#[test]
fn a_missing_index_is_one_line_and_exit_2() {
    let env = TestEnv::new();
    let output = env.run(&["search", "missili"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(one_line(&output).contains("no index at"));
    let output = env.run(&["stats"]);
    assert_eq!(output.status.code(), Some(2));
    one_line(&output);
}

#[test]
fn an_index_of_another_schema_version_is_refused_then_rebuilt() {
    let env = TestEnv::new();
    env.write(
        "c/2023/09/13/000_aa.txt",
        "Titolo – Esteri\n\nUn testo sui missili.\n",
    );
    expect_code(env.run(&["index", &env.path("c")]), 0);
    std::fs::write(
        env.index_path().join("emeroteca.json"),
        r#"{"schema_version": 0}"#,
    )
    .unwrap();
    let output = env.run(&["search", "missili"]);
    assert_eq!(output.status.code(), Some(2));
    let err = one_line(&output);
    assert!(
        err.contains("schema v0") && err.contains("run `emeroteca index` again"),
        "{err}"
    );
    expect_code(env.run(&["index", &env.path("c")]), 0);
    expect_code(env.run(&["search", "missili"]), 0);
}

#[test]
fn a_missing_directory_stops_indexing_with_exit_2() {
    let env = TestEnv::new();
    let output = env.run(&["index", &env.path("nowhere")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(one_line(&output).contains("no such directory"));
}

#[test]
fn a_folder_that_is_not_an_index_is_not_overwritten() {
    let env = TestEnv::new();
    env.write("c/a.txt", "Titolo\n\nTesto.\n");
    env.write("index/notes.txt", "mine");
    let output = env.run(&["index", &env.path("c")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(one_line(&output).contains("not an emeroteca index"));
    assert!(env.index_path().join("notes.txt").exists());
}

#[test]
fn a_tantivy_index_another_program_made_is_not_rebuilt() {
    let env = TestEnv::new();
    env.write("c/a.txt", "Titolo\n\nUn testo sui missili.\n");
    expect_code(env.run(&["index", &env.path("c")]), 0);
    // Without emeroteca's version file the index is not emeroteca's: rebuilding would delete it.
    std::fs::remove_file(env.index_path().join("emeroteca.json")).unwrap();
    for command in [vec!["index", &env.path("c")], vec!["search", "missili"]] {
        let output = env.run(&command);
        assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
        assert!(one_line(&output).contains("not an emeroteca index"));
    }
    assert!(env.index_path().join("meta.json").exists());
}

#[test]
fn a_version_file_that_cannot_be_read_stops_the_run_and_deletes_nothing() {
    let env = TestEnv::new();
    env.write("c/a.txt", "Titolo\n\nUn testo sui missili.\n");
    expect_code(env.run(&["index", &env.path("c")]), 0);
    // A folder where the file should be: read fails as a permission error would (tests may run
    // as root, who reads every file).
    let version = env.index_path().join("emeroteca.json");
    std::fs::remove_file(&version).unwrap();
    std::fs::create_dir(&version).unwrap();
    let output = env.run(&["index", &env.path("c")]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let said = one_line(&output);
    assert!(
        said.contains("cannot read") && said.contains("emeroteca.json"),
        "{said}"
    );
    assert!(env.index_path().join("meta.json").exists());
}

#[test]
fn unreadable_lines_of_the_file_state_are_counted_and_their_files_read_again() {
    let env = TestEnv::new();
    env.write(
        "a/uno.txt",
        "Uno – Cronaca\n\nIl primo articolo della cronaca.\n",
    );
    env.write(
        "a/due.txt",
        "Due – Cronaca\n\nIl secondo articolo della cronaca.\n",
    );
    expect_code(env.run(&["index", &env.path("a"), "--quiet"]), 0);
    // A log block with one line that is no change, as a disk error might leave it.
    std::fs::write(
        env.index_path().join("files.log"),
        "{\"key\": \"/nowhere\", \"state\"\nnot json at all\n\n",
    )
    .unwrap();
    let output = env.run(&["index", &env.path("a"), "--quiet"]);
    let said = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    assert!(said.contains("2 unreadable lines of "), "{said}");
    assert!(said.contains("files.log left out"), "{said}");
}
