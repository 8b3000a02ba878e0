//! Exploring the archive: filters, sorts, pages, facets, typos, similar articles, proximity,
//! names, passages and match positions, batches, chosen keys, and `get`.

use std::io::Write;
use std::process::Stdio;

use crate::util::*;

const KIM_RUSSIA: &str = "02a43ee7beb940bb";
const MISSILI: &str = "4dedd8790908b2ea";

fn dates(results: &Results) -> Vec<String> {
    results
        .hits
        .iter()
        .map(|h| h.date.clone().unwrap_or_default())
        .collect()
}

#[test]
fn date_filters_in_options_and_in_the_query_agree() {
    let september = search_sample(
        "governo OR Kim OR missili",
        &["--since", "2023-09", "--until", "2023-09", "--limit", "50"],
    );
    assert!(september.total_hits > 0);
    assert!(
        dates(&september).iter().all(|d| d.starts_with("2023-09")),
        "{:?}",
        dates(&september)
    );
    let in_query = search_sample(
        "(governo OR Kim OR missili) date:2023-09",
        &["--limit", "50"],
    );
    assert_eq!(ids(&in_query), ids(&september));
    let range = search_sample(
        "(governo OR Kim OR missili) date:[2023-09-01 TO 2023-09-30]",
        &["--limit", "50"],
    );
    assert_eq!(ids(&range), ids(&september));
    let year = search_sample(
        "governo",
        &["--since", "2003", "--until", "2003", "--limit", "50"],
    );
    assert!(dates(&year).iter().all(|d| d.starts_with("2003")));
}

#[test]
fn sections_repeat_and_sources_filter() {
    let both = search_sample(
        "governo OR Kim",
        &[
            "--section",
            "esteri",
            "--section",
            "POLITICA",
            "--limit",
            "50",
        ],
    );
    let sections: std::collections::BTreeSet<_> =
        both.hits.iter().filter_map(|h| h.section.clone()).collect();
    assert_eq!(
        sections.into_iter().collect::<Vec<_>>(),
        vec!["Esteri", "Politica"]
    );
    let wire = search_sample(
        "governo OR Kim OR pensioni",
        &["--source", "wire", "--limit", "50"],
    );
    assert!(wire.total_hits > 0);
    assert!(
        wire.hits.iter().all(|h| h.id.starts_with("wire-")),
        "{:?}",
        ids(&wire)
    );
}

#[test]
fn undated_articles_leave_date_filters_and_are_counted() {
    let env = TestEnv::new();
    env.write(
        "c/000_senza.txt",
        "Vertice a Roma – Politica\n\nIl vertice sul bilancio.\n",
    );
    env.write(
        "c/2023/05/02/000_con.txt",
        "Vertice a Milano – Politica\n\nIl vertice sul traffico.\n",
    );
    expect_code(env.run(&["index", &env.path("c"), "--quiet"]), 0);
    assert_eq!(search_in(&env.index_path(), "vertice", &[]).total_hits, 2);
    let dated = search_in(&env.index_path(), "vertice", &["--since", "2000"]);
    assert_eq!(ids(&dated), vec!["con"]);
    let stats: serde_json::Value =
        serde_json::from_str(&expect_code(env.run(&["stats", "--format", "json"]), 0)).unwrap();
    assert_eq!(stats["undated"], 1);
}

#[test]
fn sorts_newest_and_oldest_first() {
    let newest = dates(&search_sample(
        "governo",
        &["--sort", "date", "--limit", "50"],
    ));
    let oldest = dates(&search_sample(
        "governo",
        &["--sort", "oldest", "--limit", "50"],
    ));
    let mut sorted = newest.clone();
    sorted.sort();
    assert_eq!(oldest, sorted);
    sorted.reverse();
    assert_eq!(newest, sorted);
}

#[test]
fn pages_have_no_duplicate_or_missing_hit() {
    for sort in ["relevance", "date", "oldest"] {
        let all = search_sample(
            "governo OR Kim OR missili OR città",
            &["--sort", sort, "--limit", "100"],
        );
        let mut paged = Vec::new();
        for page in 0..(all.total_hits.div_ceil(4)) {
            let offset = (page * 4).to_string();
            let results = search_sample(
                "governo OR Kim OR missili OR città",
                &["--sort", sort, "--limit", "4", "--offset", &offset],
            );
            assert_eq!(results.total_hits, all.total_hits);
            paged.extend(results.hits.into_iter().map(|h| h.id));
        }
        assert_eq!(paged, ids(&all), "{sort}");
        assert_eq!(paged.len(), all.total_hits);
    }
}

#[test]
fn facets_add_up_to_the_hits() {
    let results = search_sample("governo OR Kim OR missili", &["--facets", "--limit", "0"]);
    assert!(results.hits.is_empty());
    let facets = results.facets.expect("facets asked for");
    assert_eq!(facets.section.values().sum::<usize>(), results.total_hits);
    assert_eq!(facets.month.values().sum::<usize>(), results.total_hits);
    assert!(
        facets
            .month
            .keys()
            .all(|m| m.len() == 7 && m.as_bytes()[4] == b'-'),
        "{:?}",
        facets.month
    );
    let text = expect_code(
        sample(&[
            "search",
            "governo OR Kim OR missili",
            "--facets",
            "--limit",
            "0",
        ]),
        0,
    );
    assert!(
        text.contains("sections") && text.contains("by month\n") && text.contains("2023-09"),
        "{text}"
    );
    assert!(text.contains('█'));
}

#[test]
fn a_misspelled_word_gets_a_suggestion_and_fuzzy_finds_it() {
    let output = sample(&["search", "Pyongnyang"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("did you mean: Pyongyang"),
        "{}",
        describe(&output)
    );
    let results = search_sample("Pyongnyang", &[]);
    assert_eq!(results.suggestion.as_deref(), Some("Pyongyang"));
    let results = search_sample("missli balistici", &[]);
    assert_eq!(results.suggestion.as_deref(), Some("missili balistici"));
    // A number is typed as meant: no article says 2013, and 2023 is another year.
    let results = search_sample("Pyongyang 2013", &[]);
    assert_eq!(results.suggestion, None);
    let results = search_sample("2013", &["--fuzzy"]);
    assert_eq!(results.total_hits, 0);

    let fuzzy = search_sample("Pyongnyang", &["--fuzzy"]);
    assert!(ids(&fuzzy).contains(&MISSILI), "{:?}", ids(&fuzzy));
    assert!(
        fuzzy
            .hits
            .iter()
            .any(|h| h.snippet.contains("<mark>Pyongyang</mark>"))
    );
}

#[test]
fn exact_matches_rank_above_fuzzy_ones() {
    let env = TestEnv::new();
    env.write(
        "c/000_giusto.txt",
        "Notizia – Esteri\n\nSono stati lanciati due missili.\n",
    );
    env.write(
        "c/000_refuso.txt",
        "Notizia – Esteri\n\nSono stati lanciati due messili, anzi tre messili.\n",
    );
    expect_code(env.run(&["index", &env.path("c"), "--quiet"]), 0);
    let index = env.index_path();
    assert_eq!(
        ids(&search_in(&index, "missili", &["--fuzzy"])),
        vec!["giusto", "refuso"]
    );
    assert_eq!(
        ids(&search_in(&index, "messili", &["--fuzzy"])),
        vec!["refuso", "giusto"]
    );
    assert_eq!(ids(&search_in(&index, "missili", &[])), vec!["giusto"]);
}

#[test]
fn more_like_this_leaves_out_the_article_itself() {
    let results = search_sample("", &["--like", KIM_RUSSIA]);
    assert!(results.total_hits > 0);
    assert!(!ids(&results).contains(&KIM_RUSSIA));
    let output = sample(&["search", "--like", "nessuno"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no article with id `nessuno`"));
}

#[test]
fn proximity_finds_words_near_each_other() {
    assert_eq!(
        ids(&search_sample("\"Putin Kim\"~8", &[])),
        vec![KIM_RUSSIA]
    );
    assert_eq!(search_sample("\"Putin Kim\"~1", &[]).total_hits, 0);
}

#[test]
fn a_capitalised_word_is_a_name_first() {
    let first = |q: &str| search_sample(q, &[]).hits[0].title.clone();
    assert!(first("Conte").starts_with("Conte guida il corteo"));
    assert!(first("conti").starts_with("I conti pubblici"));
    assert!(first("Draghi").starts_with("Draghi presenta"));
    assert!(first("draghi").starts_with("Capodanno cinese"));
    assert!(first("Letta").starts_with("Letta lascia"));
    assert!(first("letto").starts_with("Ospedali, mancano posti letto"));
    // `=` forces the exact form.
    let exact = search_sample("=Conte", &[]);
    assert_eq!(exact.total_hits, 1);
    assert!(exact.hits[0].title.starts_with("Conte guida"));
    let beds = search_sample("=letto", &[]);
    assert_eq!(beds.total_hits, 1, "{:?}", ids(&beds));
    assert!(beds.hits[0].snippet.contains("<mark>letto</mark>"));
}

#[test]
fn fragments_and_match_positions() {
    let results = search_sample("grano", &["--fragments", "2"]);
    let hit = hit(&results, "0f8f20bdae3e89f6");
    let fragments = hit.fragments.as_ref().expect("fragments asked for");
    assert!(!fragments.is_empty() && fragments.len() <= 2);
    assert_eq!(fragments[0], hit.snippet);
    // Match positions are characters into the stored text.
    let json = expect_code(sample(&["get", &hit.id, "--format", "json"]), 0);
    let article: serde_json::Value = serde_json::from_str(&json).unwrap();
    let chars = |field: &str| {
        article[field]
            .as_str()
            .unwrap()
            .chars()
            .collect::<Vec<char>>()
    };
    let (title, body) = (chars("title"), chars("body"));
    assert!(!hit.matches.is_empty());
    for m in &hit.matches {
        let text = if m.field == "title" { &title } else { &body };
        let word: String = text[m.start..m.end].iter().collect();
        assert_eq!(word.to_lowercase(), "grano", "{m:?}");
    }
    assert!(search_sample("grano", &[]).hits[0].fragments.is_none());
}

#[test]
fn a_phrase_is_marked_as_a_phrase() {
    let results = search_sample("\"Corea del Nord\"", &[]);
    for hit in &results.hits {
        for text in [&hit.snippet, &hit.title_snippet] {
            assert_eq!(
                text.matches("<mark>Corea</mark>").count(),
                text.matches("<mark>Corea</mark> del <mark>Nord</mark>")
                    .count(),
                "{text}"
            );
        }
    }
    assert!(results.hits.iter().any(|h| {
        h.snippet
            .contains("<mark>Corea</mark> del <mark>Nord</mark>")
    }));
}

#[test]
fn chosen_keys_only() {
    let out = expect_code(
        sample(&[
            "search",
            "missili",
            "--format",
            "jsonl",
            "--fields",
            "id, score,",
        ]),
        0,
    );
    for line in out.lines() {
        let hit: serde_json::Value = serde_json::from_str(line).unwrap();
        let keys: Vec<&str> = hit
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["score", "id"]);
    }
    let output = sample(&["search", "missili", "--fields", "id,colore"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unknown key `colore`"));
}

#[test]
fn a_batch_answers_like_single_queries() {
    let queries = [
        "missili",
        "{\"query\": \"governo\", \"limit\": 3, \"section\": \"Politica\"}",
        "{\"query\": \"Kim\", \"sort\": \"date\", \"since\": \"2023-10\"}",
        "il di che",
        "xilofonista",
    ];
    let mut child = command(sample_index(), &["search", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(queries.join("\n").as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let out = expect_code(output, 0);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), queries.len());
    let singles = [
        search_sample("missili", &[]),
        search_sample("governo", &["--limit", "3", "--section", "Politica"]),
        search_sample("Kim", &["--sort", "date", "--since", "2023-10"]),
    ];
    for (line, single) in lines.iter().zip(&singles) {
        let batch = parse_results(line);
        assert_eq!(batch.query, single.query);
        assert_eq!(batch.total_hits, single.total_hits);
        assert_eq!(ids(&batch), ids(single));
        let snippets = |r: &Results| r.hits.iter().map(|h| h.snippet.clone()).collect::<Vec<_>>();
        assert_eq!(snippets(&batch), snippets(single));
    }
    let error: serde_json::Value = serde_json::from_str(lines[3]).unwrap();
    assert!(error["error"].as_str().unwrap().contains("only stop words"));
    assert_eq!(parse_results(lines[4]).total_hits, 0);
}

#[test]
fn get_prints_one_stored_article() {
    let text = expect_code(sample(&["get", MISSILI]), 0);
    assert!(text.starts_with(
        "Pyongyang lancia due missili balistici verso il Mar del Giappone\nEsteri · 2023-09-14 · "
    ));
    assert!(text.contains("All’alba di giovedì"));
    let json: serde_json::Value = serde_json::from_str(&expect_code(
        sample(&["get", MISSILI, "--format", "json"]),
        0,
    ))
    .unwrap();
    assert_eq!(json["section"], "Esteri");
    assert!(json["body"].as_str().unwrap().contains("missili balistici"));
    let output = sample(&["get", "nessuno"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("no article with id `nessuno`"));
}

#[test]
fn pages_agree_beyond_the_window_that_names_and_forms_reorder() {
    // A generated archive, where a query matches hundreds of articles.
    let (root, _) = crate::crash::archive();
    let index = root.join("reference-index");
    let query = "governo Roma";
    let all = search_in(&index, query, &["--limit", "150"]);
    assert!(all.total_hits > 150, "{}", all.total_hits);
    let mut paged = Vec::new();
    for page in 0..15 {
        let offset = (page * 10).to_string();
        let results = search_in(&index, query, &["--limit", "10", "--offset", &offset]);
        paged.extend(results.hits.into_iter().map(|h| h.id));
    }
    assert_eq!(paged, ids(&all));
}
