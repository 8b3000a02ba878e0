//! `emeroteca export --to opensearch`: files a cluster can load.

use crate::util::*;

#[test]
fn the_export_parses_and_names_every_field() {
    let env = TestEnv::new();
    let dir = env.path("export");
    let output = run(command(
        sample_index(),
        &["export", "--to", "opensearch", &dir, "--chunk", "20"],
    ));
    expect_code(output.clone(), 0);
    assert!(
        stderr(&output).contains("exported 54 articles in 3 bulk files"),
        "{}",
        describe(&output)
    );

    let settings: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(env.path("export/settings.json")).unwrap())
            .unwrap();
    let properties = settings["mappings"]["properties"].as_object().unwrap();
    let mut mapped: Vec<&str> = properties.keys().map(String::as_str).collect();
    mapped.sort();
    assert_eq!(
        mapped,
        [
            "author",
            "bands",
            "body",
            "body_terms",
            "date",
            "exact_terms",
            "file",
            "headline",
            "id",
            "path",
            "section",
            "source",
            "story",
            "title",
            "title_terms",
            "url"
        ]
    );
    let analysis = &settings["settings"]["analysis"];
    assert!(
        analysis["filter"]["emeroteca_elision"]["articles"]
            .as_array()
            .unwrap()
            .contains(&"dell".into())
    );
    assert!(
        analysis["filter"]["emeroteca_stop"]["stopwords"]
            .as_array()
            .unwrap()
            .contains(&"piu".into())
    );
    assert_eq!(properties["body_terms"]["analyzer"], "emeroteca_terms");

    let mut ids = Vec::new();
    for n in 1..=3 {
        let bulk =
            std::fs::read_to_string(env.path(&format!("export/bulk-{n:05}.ndjson"))).unwrap();
        let lines: Vec<serde_json::Value> = bulk
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line is JSON"))
            .collect();
        assert_eq!(lines.len() % 2, 0);
        for pair in lines.chunks(2) {
            assert_eq!(pair[0]["index"]["_index"], "emeroteca");
            assert_eq!(pair[0]["index"]["_id"], pair[1]["id"]);
            for key in pair[1].as_object().unwrap().keys() {
                assert!(properties.contains_key(key), "{key} is not mapped");
            }
            ids.push(pair[1]["id"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(ids.len(), 54);
    assert!(ids.contains(&"4dedd8790908b2ea".to_string()));
}
