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
    assert_eq!(
        analysis["analyzer"]["emeroteca_terms"]["tokenizer"],
        "whitespace"
    );
    assert_eq!(properties["body_terms"]["analyzer"], "emeroteca_terms");
    // The text is shown, never searched: the terms are what queries meet.
    assert_eq!(properties["body"]["index"], false);

    let (mut ids, mut missiles) = (Vec::new(), 0);
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
            // emeroteca's own terms: `missili` and `missile` both become `missil`.
            let body = pair[1]["body"].as_str().unwrap();
            if body.contains(" missili ") {
                let terms = pair[1]["body_terms"].as_str().unwrap();
                assert!(terms.split([' ', '|']).any(|t| t == "missil"), "{terms}");
                missiles += 1;
            }
        }
    }
    assert_eq!(ids.len(), 54);
    assert!(missiles > 0);
    assert!(ids.contains(&"4dedd8790908b2ea".to_string()));
}
