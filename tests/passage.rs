//! `search --passage`: the articles that hold a text, ranked by how much of it they hold, the
//! shared stretch marked; and clear errors for what is no passage.

use std::io::Write;
use std::process::Stdio;

use crate::util::*;

const WIRE: &str = "Il consiglio dei ministri ha approvato nella notte il decreto sulle bollette, \
    che proroga di tre mesi gli sconti per le famiglie con un reddito basso. Il provvedimento \
    costa due miliardi di euro, coperti in parte con i fondi europei non ancora spesi dalle \
    regioni. Le opposizioni parlano di una misura tampone e chiedono un intervento strutturale \
    sul prezzo dell'energia. Il ministro dell'economia ha detto che il governo tornerà sul tema \
    in autunno, con la legge di bilancio.";

const QUOTE: &str = "Non lasceremo sole le famiglie che non arrivano alla fine del mese";

fn archive(env: &TestEnv) {
    let article = |title: &str, body: &str| format!("{title} – Economia\n\n{body}\n");
    env.write(
        "p/2023-10-02_ansa.txt",
        article("Bollette, sconti prorogati", WIRE),
    );
    // Republished: another headline, a byline, the last sentence cut, the other apostrophe.
    let cut = WIRE
        .replace(" Il ministro dell'economia ha detto che il governo tornerà sul tema in autunno, con la legge di bilancio.", "")
        .replace('\'', "’");
    env.write(
        "p/2023-10-03_gazzetta.txt",
        article(
            "Caro energia, aiuti per tre mesi",
            &format!("di Anna Neri\n\n{cut}"),
        ),
    );
    // A quote in three papers, on three days, each around words of its own.
    for (day, paper, before) in [
        (
            "2023-11-05",
            "corriere",
            "Al congresso del partito la ministra ha detto:",
        ),
        (
            "2023-11-06",
            "stampa",
            "Intervistata ieri sera, la ministra ha ripetuto:",
        ),
        (
            "2023-12-01",
            "giornale",
            "Un mese dopo la frase è tornata nei cartelli:",
        ),
    ] {
        env.write(
            &format!("p/{day}_{paper}.txt"),
            article(
                &format!("La ministra e le famiglie ({paper})"),
                &format!("{before} «{QUOTE}». Le associazioni chiedono fatti, non parole, e ricordano i tagli dell'anno scorso."),
            ),
        );
    }
    // An article on the same subject, in other words.
    env.write(
        "p/2023-10-04_analisi.txt",
        article(
            "Perché lo sconto non basta",
            "Tre mesi di sconti sulle bollette servono a superare l'inverno, ma non cambiano il conto che le famiglie pagano per l'energia né i fondi europei.",
        ),
    );
    expect_code(env.run(&["index", &env.path("p"), "--quiet"]), 0);
}

fn passage_search(env: &TestEnv, passage: &str, extra: &[&str]) -> Results {
    let file = env.write("passage.txt", passage);
    let file = file.to_string_lossy().into_owned();
    let mut args = vec!["search", "--passage", &file, "--format", "json"];
    args.extend_from_slice(extra);
    let output = env.run(&args);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    parse_results(&stdout(&output))
}

#[test]
fn a_wire_story_cut_and_rebylined_is_found_from_a_paragraph() {
    let env = TestEnv::new();
    archive(&env);
    let paragraph = "Il provvedimento costa due miliardi di euro, coperti in parte con i fondi \
        europei non ancora spesi dalle regioni. Le opposizioni parlano di una misura tampone.";
    let results = passage_search(&env, paragraph, &["--all-copies"]);
    let mut found = ids(&results);
    found.sort();
    assert_eq!(found, ["ansa", "gazzetta"], "{results:?}");
    let top = &results.hits[0];
    assert!(top.shared.unwrap() > 0.9, "{top:?}");
    assert!(
        top.snippet
            .contains("<mark>Il provvedimento costa due miliardi"),
        "{}",
        top.snippet
    );
    // Without --all-copies the story shows once, its copy listed.
    let once = passage_search(&env, paragraph, &[]);
    assert_eq!(once.hits.len(), 1);
    assert_eq!(once.hits[0].copies.len(), 1);
}

#[test]
fn a_quote_is_found_in_three_papers_with_their_dates() {
    let env = TestEnv::new();
    archive(&env);
    let results = passage_search(&env, QUOTE, &["--facets", "--sort", "oldest"]);
    let dates: Vec<&str> = results
        .hits
        .iter()
        .map(|h| h.date.as_deref().unwrap())
        .collect();
    assert_eq!(dates, ["2023-11-05", "2023-11-06", "2023-12-01"]);
    let months = &results.facets.as_ref().unwrap().month;
    assert_eq!(months.get("2023-11"), Some(&2));
    assert_eq!(months.get("2023-12"), Some(&1));
    // A few words changed, as a paper misquotes: still found, and ranked below the exact quote.
    let misquoted = QUOTE.replace("lasceremo", "lasciamo");
    let results = passage_search(&env, &misquoted, &[]);
    assert_eq!(results.hits.len(), 3);
    assert!(results.hits.iter().all(|h| h.shared.unwrap() > 0.5));
}

#[test]
fn a_passage_found_nowhere_exits_1_and_says_so() {
    let env = TestEnv::new();
    archive(&env);
    let file = env.write(
        "none.txt",
        "Una frase che nessun giornale ha mai scritto qui dentro.",
    );
    let output = env.run(&["search", "--passage", &file.to_string_lossy()]);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    assert!(stderr(&output).contains("no article holds this passage"));
}

#[test]
fn what_is_no_passage_gets_a_clear_error() {
    let env = TestEnv::new();
    archive(&env);
    let mut binary = b"\x89PNG\r\n\x1a\n".to_vec();
    binary.extend(std::iter::repeat_n(0u8, 4096));
    let large = "parola ".repeat(1_500_000);
    for (name, content, said) in [
        ("empty.txt", b"  \n".to_vec(), "is empty"),
        ("image.png", binary, "is not text"),
        ("large.txt", large.into_bytes(), "is longer than"),
    ] {
        let file = env.write(name, content);
        let output = env.run(&["search", "--passage", &file.to_string_lossy()]);
        assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
        let err = stderr(&output);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(said), "{err}");
    }
}

#[test]
fn a_passage_is_searched_in_a_batch_and_over_http() {
    let env = TestEnv::new();
    archive(&env);
    let mut child = env
        .cmd(&["search", "--batch", "--format", "jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let line = serde_json::json!({ "passage": QUOTE, "fields": ["id", "shared"] });
    writeln!(child.stdin.take().unwrap(), "{line}").unwrap();
    let output = child.wait_with_output().unwrap();
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer["total_hits"], 3, "{answer}");
    assert_eq!(answer["hits"][0]["shared"], 1.0, "{answer}");

    let server = Server::start(&env.index_path(), &[]);
    let query: String = form_urlencoded::Serializer::new(String::new())
        .append_pair("passage", QUOTE)
        .finish();
    let (status, body) = get(&http(), &server.url(&format!("/search?{query}")));
    assert_eq!(status, 200, "{body}");
    assert_eq!(parse_results(&body).total_hits, 3);
}

#[test]
fn a_cluster_says_why_it_searches_no_passage() {
    let env = TestEnv::new();
    let file = env.write("p.txt", "Il regime di Pyongyang ha testato un missile.");
    // Refused before anything is sent: no cluster needs to listen there.
    let output = env.run(&[
        "search",
        "--passage",
        &file.to_string_lossy(),
        "--engine",
        "http://127.0.0.1:9/archivio",
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(stderr(&output).contains("in the local index only"));
}
