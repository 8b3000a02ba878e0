//! Re-indexing a real archive with real junk in it: every bad input skipped with a warning and
//! counted, nothing good lost, copies indexed once, touched files not parsed again.

use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;

use crate::util::*;

const GOOD: &str =
    "Missili sul Giappone – Esteri\n\nDue missili sono caduti in mare, secondo Tokyo.\n";

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn index_json(env: &TestEnv, extra: &[&str]) -> (serde_json::Value, String) {
    let mut args = vec!["index", "c", "--json"];
    args.extend_from_slice(extra);
    let mut cmd = env.cmd(&args);
    cmd.current_dir(env.dir.path());
    let output = run(cmd);
    let json = serde_json::from_str(&expect_code(output.clone(), 0)).expect("one JSON object");
    (json, stderr(&output))
}

fn warned(err: &str, name: &str, says: &str) -> bool {
    err.lines()
        .any(|l| l.starts_with("emeroteca: skipped") && l.contains(name) && l.contains(says))
}

#[test]
fn every_kind_of_bad_input_is_skipped_named_and_counted() {
    let env = TestEnv::new();
    env.write("c/000_buono.txt", GOOD);
    let valid = gzip(GOOD.as_bytes());
    env.write("c/000_troncato.txt.gz", &valid[..valid.len() / 2]);
    env.write("c/000_bomba.txt.gz", gzip(&vec![b'a'; 3 * 1024 * 1024]));
    env.write(
        "c/000_enorme.txt",
        "Titolo\n\n".to_string() + &"parola ".repeat(300_000),
    );
    env.write("c/000_vuoto.txt", "\n\n");
    env.write(
        "c/000_binario.html",
        [0u8, 1, 2, 3, 0xff, 0xfe, 0].repeat(100),
    );
    env.write("c/rotto.json", "{\"title\": \"x\", \"body\": ");
    env.write("c/dump.jsonl", "{\"id\": \"ok1\", \"body\": \"Il grano di Odessa.\"}\n{oops}\n[1]\n{\"id\": \"ok2\", \"body\": \"Il porto di Odessa.\"}\n");
    env.write(
        "c/menu.html",
        "<html><body><nav>Home Esteri</nav><footer>©</footer></body></html>",
    );
    std::fs::create_dir_all(env.path("c/giro")).unwrap();
    symlink(env.path("c"), env.path("c/giro/indietro")).unwrap();
    symlink(env.path("c/non-esiste.txt"), env.path("c/000_rotto.txt")).unwrap();
    let fifo = std::ffi::CString::new(env.path("c/000_fifo.txt")).unwrap();
    // SAFETY: mkfifo(3) with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    std::fs::create_dir_all(env.path("c/cartella.txt")).unwrap();
    // A name that is not valid UTF-8 (Latin-1 "caffè") holding a Windows-1252 article.
    let name = std::ffi::OsStr::from_bytes(b"c/000_caff\xe8.txt");
    std::fs::write(env.dir.path().join(name), b"Il caff\xe8 \x93italiano\x94 \x96 Cultura\n\nLa qualit\xe0 del caff\xe8 \xe8 cresciuta.\n").unwrap();

    let (report, err) = index_json(&env, &["--max-file-size", "1"]);
    let skipped = &report["skipped"];
    assert_eq!(skipped["corrupt_gzip"], 1, "{report}\n{err}");
    assert_eq!(skipped["too_large"], 2, "{report}\n{err}");
    assert_eq!(skipped["empty"], 1);
    assert_eq!(skipped["binary"], 1);
    assert_eq!(skipped["malformed_json"], 3);
    assert_eq!(skipped["no_text"], 1);
    assert_eq!(skipped["symlink_loop"], 1);
    assert_eq!(skipped["unreadable"], 1);
    assert_eq!(skipped["unsupported"], 1, "the FIFO");
    assert!(warned(&err, "000_troncato.txt.gz", "corrupt gzip"), "{err}");
    assert!(warned(&err, "000_bomba.txt.gz", "limit"), "{err}");
    assert!(warned(&err, "000_enorme.txt", "limit"), "{err}");
    assert!(warned(&err, "dump.jsonl#2", "malformed JSON"), "{err}");
    assert!(warned(&err, "dump.jsonl#3", "not a JSON object"), "{err}");
    assert!(warned(&err, "indietro", "loop"), "{err}");
    assert!(warned(&err, "000_rotto.txt", "cannot read"), "{err}");
    assert!(warned(&err, "000_fifo.txt", "not a regular file"), "{err}");
    // The good article, both good records and the Windows-1252 one: nothing good is lost.
    assert_eq!(report["articles"], 4, "{report}\n{err}");
    let index = env.index_path();
    assert_eq!(search_in(&index, "missili", &[]).total_hits, 1);
    assert_eq!(search_in(&index, "Odessa", &[]).total_hits, 2);
    let coffee = search_in(&index, "qualità caffè", &[]);
    assert_eq!(coffee.hits[0].title, "Il caffè “italiano”");
    assert!(
        coffee.hits[0].path.ends_with("000_caff\u{fffd}.txt"),
        "{}",
        coffee.hits[0].path
    );
}

#[test]
fn the_same_story_twice_is_shown_once_with_its_copies_until_the_original_goes() {
    let env = TestEnv::new();
    let story = "La Corea del Nord ha lanciato un missile a combustibile solido verso il mare.";
    env.write(
        "c/a/000_originale.txt",
        format!("Missile nordcoreano – Esteri\n\n{story}\n"),
    );
    env.write(
        "c/b/000_copia.txt",
        format!(
            "Pyongyang lancia un missile – Esteri\n\n{}\n",
            story.to_uppercase()
        ),
    );
    env.write(
        "c/dump.jsonl",
        format!(
            "{{\"id\": \"r1\", \"body\": \"{story}\"}}\n{{\"id\": \"r2\", \"body\": \"Altro.\"}}\n"
        ),
    );
    let (report, _) = index_json(&env, &[]);
    assert_eq!(
        (report["articles"].as_u64(), report["duplicates"].as_u64()),
        (Some(4), Some(2)),
        "every copy is indexed, and counted: {report}"
    );
    let results = search_in(&env.index_path(), "missile", &[]);
    assert_eq!((results.total_hits, results.hits.len()), (3, 1));
    assert_eq!(results.hits[0].id, "originale");
    assert_eq!(results.hits[0].copies, ["copia", "r1"]);
    let every = search_in(&env.index_path(), "missile", &["--all-copies"]);
    assert_eq!(every.hits.len(), 3);
    let stats: serde_json::Value =
        serde_json::from_str(&expect_code(env.run(&["stats", "--format", "json"]), 0)).unwrap();
    assert_eq!(stats["duplicates"], 2);

    // The original is deleted: a copy takes its place, still once.
    std::fs::remove_file(env.path("c/a/000_originale.txt")).unwrap();
    let (report, _) = index_json(&env, &[]);
    assert_eq!(report["removed"], 1);
    let results = search_in(&env.index_path(), "missile", &[]);
    assert_eq!(results.hits.len(), 1, "{:?}", ids(&results));
    assert_eq!(results.hits[0].id, "copia");
    assert_eq!(results.hits[0].copies, ["r1"]);
    assert_eq!(report["articles"], 3);
}

#[test]
fn a_touched_file_with_the_same_content_is_not_parsed_again() {
    let env = TestEnv::new();
    let path = env.write("c/000_uno.txt", GOOD);
    index_json(&env, &[]);
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let (report, _) = index_json(&env, &[]);
    assert_eq!(
        (
            report["changed"].as_u64(),
            report["unchanged"].as_u64(),
            report["indexed"].as_u64()
        ),
        (Some(0), Some(1), Some(0)),
        "{report}"
    );
    assert_eq!(report["articles"], 1);
}

#[test]
fn the_same_folder_spelled_two_ways_is_one_archive() {
    let env = TestEnv::new();
    env.write("c/000_uno.txt", GOOD);
    index_json(&env, &[]);
    let mut cmd = env.cmd(&["index", "./c/../c", "--json"]);
    cmd.current_dir(env.dir.path());
    let report: serde_json::Value = serde_json::from_str(&expect_code(run(cmd), 0)).unwrap();
    assert_eq!(
        (
            report["new"].as_u64(),
            report["unchanged"].as_u64(),
            report["articles"].as_u64()
        ),
        (Some(0), Some(1), Some(1))
    );
}

#[test]
fn a_folder_given_with_a_folder_inside_it_is_walked_once() {
    let env = TestEnv::new();
    env.write("c/000_uno.txt", GOOD);
    env.write("c/interni/000_due.txt", GOOD.replace("Tokyo", "Seul"));
    let (report, _) = index_json(&env, &["c/interni", "c"]);
    assert_eq!(
        (report["files"].as_u64(), report["new"].as_u64()),
        (Some(2), Some(2)),
        "{report}"
    );
    let (report, _) = index_json(&env, &["c/interni", "c/../c/interni"]);
    assert_eq!(
        (
            report["files"].as_u64(),
            report["unchanged"].as_u64(),
            report["removed"].as_u64(),
            report["articles"].as_u64()
        ),
        (Some(2), Some(2), Some(0), Some(2)),
        "{report}"
    );
}
