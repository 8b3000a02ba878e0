//! Searching `sample_corpus/`: what a reader checks first.
//! The ids are listed with their articles in `sample_corpus/README.md`.

use crate::util::*;

const MISSILI: &str = "4dedd8790908b2ea";
const KIM_RUSSIA: &str = "02a43ee7beb940bb";
const ODESSA: &str = "0f8f20bdae3e89f6";
const BIENNALE: &str = "dd82803282f69059";
const OLD_HEATWAVE: &str = "32f90d375a42b1ea";
const SEUL_WINTER: &str = "c6af85770a0a0189";

#[test]
fn an_inflected_form_finds_the_other_forms() {
    let results = search_sample("missile", &[]);
    let hit = hit(&results, MISSILI);
    assert!(
        hit.snippet.contains("<mark>missili</mark>"),
        "{}",
        hit.snippet
    );
    let results = search_sample("nordcoreana", &[]);
    assert!(
        ids(&results).contains(&MISSILI),
        "nordcoreano is in its body"
    );
}

#[test]
fn a_bare_word_finds_its_elided_form() {
    let results = search_sample("Ucraina", &[]);
    let hit = hit(&results, ODESSA);
    // The elided article stays outside the mark.
    assert!(
        hit.snippet.contains("dell’<mark>Ucraina</mark>"),
        "{}",
        hit.snippet
    );
    // Elided in the query, with either apostrophe, it finds the same articles.
    for query in ["dell'Ucraina", "l’Ucraina"] {
        assert_eq!(ids(&search_sample(query, &[])), ids(&results), "{query}");
    }
}

#[test]
fn an_unaccented_query_finds_accented_words_and_apostrophe_accents() {
    let results = search_sample("citta", &[]);
    assert!(
        hit(&results, BIENNALE)
            .snippet
            .contains("<mark>città</mark>")
    );
    // The 2003 archive writes città as citta'.
    assert!(
        hit(&results, OLD_HEATWAVE)
            .snippet
            .contains("<mark>citta&#39;</mark>")
    );
    assert_eq!(ids(&search_sample("città", &[])), ids(&results));
    let results = search_sample("universita", &[]);
    assert!(
        ids(&results).contains(&OLD_HEATWAVE),
        "universita' in the old archive"
    );
}

#[test]
fn the_expected_article_ranks_first_for_topical_queries() {
    let cases = [
        ("Sinner Vienna", "be8238bfc5651a6c"),
        ("porto Genova", "220012ecbc652cea"),
        ("siccità Po risaie", "e34280be8408cf71"),
        ("Caravaggio", "mostra-caravaggio-napoli"),
        ("terremoto Mugello", "ag-2023-0917-001"),
        ("pensioni inflazione", "wire-1215-01"),
        ("Kim Putin cosmodromo", KIM_RUSSIA),
    ];
    for (query, expected) in cases {
        let results = search_sample(query, &[]);
        assert_eq!(
            ids(&results).first(),
            Some(&expected),
            "{query}: {:?}",
            ids(&results)
        );
    }
}

#[test]
fn a_phrase_keeps_its_order_across_stop_words() {
    let phrase = ids(&search_sample("\"Corea del Nord\"", &[]))
        .into_iter()
        .map(String::from)
        .collect::<Vec<_>>();
    assert!(phrase.contains(&KIM_RUSSIA.to_string()), "{phrase:?}");
    // Seoul's weather article has "Corea" and "nord", not the phrase.
    assert!(!phrase.contains(&SEUL_WINTER.to_string()), "{phrase:?}");
    assert!(ids(&search_sample("Corea nord", &[])).contains(&SEUL_WINTER));
}

#[test]
fn operators_fields_and_prefixes() {
    let kim = search_sample("Kim", &[]);
    let without_putin = search_sample("Kim -Putin", &[]);
    assert!(ids(&kim).contains(&KIM_RUSSIA));
    assert!(!ids(&without_putin).contains(&KIM_RUSSIA));
    assert!(without_putin.total_hits > 0);
    assert_eq!(
        ids(&search_sample("Kim NOT Putin", &[])),
        ids(&without_putin)
    );

    let either = search_sample("Caravaggio OR Sinner", &[]);
    assert_eq!(either.total_hits, 2);

    let in_title = search_sample("title:porto", &[]);
    assert_eq!(in_title.total_hits, 2, "{:?}", ids(&in_title));
    let esteri = search_sample("section:esteri missili", &[]);
    assert!(
        esteri
            .hits
            .iter()
            .all(|h| h.section.as_deref() == Some("Esteri"))
    );
    let prefix = search_sample("missil*", &[]);
    assert!(prefix.total_hits >= search_sample("missili", &[]).total_hits);
}

#[test]
fn filters_by_date_and_section_and_sorts_by_date() {
    let results = search_sample("governo", &["--since", "2023-11", "--limit", "50"]);
    assert!(results.total_hits > 0);
    assert!(
        results
            .hits
            .iter()
            .all(|h| h.date.as_deref() >= Some("2023-11-01"))
    );
    let results = search_sample(
        "governo",
        &["--until", "2023-09-30", "--section", "POLITICA"],
    );
    assert!(results.total_hits > 0);
    for hit in &results.hits {
        assert_eq!(hit.section.as_deref(), Some("Politica"));
        assert!(hit.date.as_deref() <= Some("2023-09-30"));
    }
    let results = search_sample("governo", &["--sort", "date", "--limit", "50"]);
    let dates: Vec<&str> = results
        .hits
        .iter()
        .filter_map(|h| h.date.as_deref())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
}

#[test]
fn offset_and_limit_page_through_the_hits() {
    let all = search_sample("governo", &["--limit", "100"]);
    let first = search_sample("governo", &["--limit", "2"]);
    let second = search_sample("governo", &["--limit", "2", "--offset", "2"]);
    assert!(all.total_hits >= 4);
    assert_eq!(ids(&first), ids(&all)[..2]);
    assert_eq!(ids(&second), ids(&all)[2..4]);
    assert_eq!(second.hits[0].rank, 3);
    assert_eq!(first.total_hits, all.total_hits);
    // Past the end: no hit, no error; a huge limit costs no memory.
    let beyond = search_sample("governo", &["--offset", "1000"]);
    assert!(beyond.hits.is_empty());
    assert_eq!(beyond.total_hits, all.total_hits);
    let huge = search_sample("governo", &["--limit", "4000000000"]);
    assert_eq!(huge.hits.len(), all.total_hits);
}

#[test]
fn text_output_shows_rank_title_metadata_and_snippet() {
    let out = expect_code(sample(&["search", "Sinner Vienna"]), 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "1. Tennis, Sinner vince a Vienna e vola alle Finals di Torino"
    );
    assert_eq!(
        lines[1],
        "   Sport · 2023-11-06 · sample_corpus/2023/11/06/015_be8238bfc5651a6c.txt.gz"
    );
    assert!(lines[2].contains("Sinner ha conquistato il torneo di Vienna"));
    // Piped, with --color auto: no escape codes.
    assert!(!out.contains('\x1b'));
}

#[test]
fn colour_marks_the_matched_words_when_asked() {
    let out = expect_code(sample(&["search", "Vienna", "--color", "always"]), 0);
    assert!(out.contains("\x1b[1;31mVienna\x1b[0m"), "{out:?}");
    let out = expect_code(sample(&["search", "Vienna", "--color", "never"]), 0);
    assert!(!out.contains('\x1b'));
}

#[test]
fn no_article_with_every_word_falls_back_to_some_of_them() {
    let output = sample(&["search", "grano Odessa zanzibar", "--format", "json"]);
    let results = parse_results(&expect_code(output.clone(), 0));
    assert!(results.relaxed);
    assert_eq!(ids(&results).first(), Some(&ODESSA));
    assert!(stderr(&output).contains("no article has all the words"));
}

/// Runs the sample search in a pseudo-terminal (util-linux `script`), where `--color auto` colours.
fn search_on_a_terminal(no_color: Option<&str>) -> Option<String> {
    let bin = env!("CARGO_BIN_EXE_emeroteca");
    let line = format!("{bin} search Vienna --index {}", sample_index().display());
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR");
    if let Some(value) = no_color {
        cmd.env("NO_COLOR", value);
    }
    let output = cmd.output().ok()?;
    output.status.success().then(|| stdout(&output))
}

#[test]
#[ignore = "needs util-linux `script` for a pseudo-terminal (cargo test -- --include-ignored)"]
fn a_terminal_gets_colour_unless_no_color_is_set() {
    let coloured = search_on_a_terminal(None).expect("util-linux `script` makes a pseudo-terminal");
    assert!(coloured.contains("\x1b[1;31mVienna"), "{coloured:?}");
    let plain = search_on_a_terminal(Some("1")).expect("script ran once already");
    assert!(
        plain.contains("Vienna") && !plain.contains('\x1b'),
        "{plain:?}"
    );
}

/// Snippets mark what the index matched, wherever in a long body it stands: every form of a
/// word (its lemma's too), an elided word from after the apostrophe, a phrase only where it
/// stands as a phrase; a prefix marks the same words by analysing the text again.
#[test]
fn snippets_mark_what_the_index_matched_deep_in_a_long_body() {
    let env = TestEnv::new();
    let filler =
        "Il consiglio comunale ha discusso a lungo del bilancio e delle strade. ".repeat(200);
    env.write(
        "a/lungo.txt",
        format!(
            "Un lungo resoconto – Cronaca\n\n{filler}\n\nLa Corea ha protestato. Il governo vuole alzare le tasse dell’Ucraina e della Corea del Nord.\n"
        ),
    );
    expect_code(env.run(&["index", &env.path("a"), "--quiet"]), 0);
    let index = env.index_path();
    let marked = |query: &str| {
        let results = search_in(&index, query, &[]);
        assert_eq!(results.total_hits, 1, "{query}");
        let hit = &results.hits[0];
        let body_marks: Vec<&Match> = hit.matches.iter().filter(|m| m.field == "body").collect();
        (hit.snippet.clone(), body_marks.len())
    };
    let (snippet, marks) = marked("alza Ucraina");
    assert!(snippet.contains("<mark>alzare</mark>"), "{snippet}");
    assert!(snippet.contains("dell’<mark>Ucraina</mark>"), "{snippet}");
    assert_eq!(marks, 2);
    let (snippet, marks) = marked("\"Corea del Nord\"");
    assert!(
        snippet.contains("<mark>Corea</mark> del <mark>Nord</mark>"),
        "{snippet}"
    );
    assert!(
        !snippet.contains("<mark>Corea</mark> ha"),
        "the lone word is no phrase: {snippet}"
    );
    assert_eq!(marks, 2);
    let (snippet, marks) = marked("Core*");
    assert!(snippet.contains("La <mark>Corea</mark> ha"), "{snippet}");
    assert_eq!(marks, 2);
}
