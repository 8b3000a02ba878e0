//! `emeroteca analyze`: the terms a text becomes.

use crate::util::*;

#[test]
fn analyze_shows_terms_positions_and_offsets() {
    let env = TestEnv::new();
    let out = expect_code(
        env.run(&[
            "analyze",
            "contro l’Ucraina, perche' i missili",
            "--format",
            "json",
        ]),
        0,
    );
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let tokens = json["tokens"].as_array().unwrap();
    let terms: Vec<&str> = tokens
        .iter()
        .map(|t| t["token"].as_str().unwrap())
        .collect();
    assert_eq!(terms, vec!["ucrain", "missil"]);
    assert_eq!(tokens[0]["original"], "Ucraina");
    assert_eq!(tokens[0]["start_offset"], 9);
    let text = expect_code(env.run(&["analyze", "i missili"]), 0);
    assert!(
        text.contains("missil") && text.contains("missili"),
        "{text}"
    );
}
