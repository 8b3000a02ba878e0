use super::*;

/// The terms the Italian analyzer makes of `text`, a word's own stem only (not its lemma's).
fn terms(text: &str) -> Vec<String> {
    let tokens = tokens(&mut italian(), text);
    first_at_each_position(&tokens)
        .into_iter()
        .map(|t| t.text.clone())
        .collect()
}

/// Every term of `text`, lemmas' stems included.
fn all_terms(text: &str) -> Vec<String> {
    tokens(&mut italian(), text)
        .into_iter()
        .map(|t| t.text)
        .collect()
}

#[test]
fn forms_snowball_splits_meet_through_their_lemma() {
    for (a, b) in [
        ("alza", "alzare"),
        ("apre", "aprire"),
        ("usano", "usando"),
        ("converti", "convertire"),
        ("esce", "esci"),
        ("tastiera", "tastiere"),
        ("lettera", "lettere"),
    ] {
        let (a_terms, b_terms) = (all_terms(a), all_terms(b));
        assert!(
            a_terms.iter().any(|t| b_terms.contains(t)),
            "{a} {a_terms:?} and {b} {b_terms:?} share no term"
        );
    }
    // The lemma's stem shares the word's position, so phrases see one word.
    let tokens = tokens(&mut italian(), "alza la voce");
    assert_eq!(
        tokens
            .iter()
            .map(|t| (t.text.as_str(), t.position))
            .collect::<Vec<_>>(),
        [("alz", 0), ("alzar", 0), ("voc", 2)]
    );
}

/// Asserts that every word of each group analyses to one and the same single term.
fn assert_same_term(groups: &[&[&str]]) {
    for group in groups {
        let first = terms(group[0]);
        assert_eq!(
            first.len(),
            1,
            "{:?} should give one term, got {first:?}",
            group[0]
        );
        for word in &group[1..] {
            assert_eq!(
                terms(word),
                first,
                "{word:?} should analyse like {:?}",
                group[0]
            );
        }
    }
}

#[test]
fn splits_on_anything_but_letters_and_digits() {
    assert_eq!(terms("nord-coreano"), terms("nord coreano"));
    assert_eq!(terms("Pyongyang,"), vec!["pyongyang"]);
    assert_eq!(terms("650 chilometri."), vec!["650", "chilometr"]);
    assert_eq!(terms("«Kim»"), vec!["kim"]);
}

#[test]
fn inflected_forms_share_a_stem() {
    assert_same_term(&[
        &["missile", "missili"],
        &["nordcoreano", "nordcoreana", "nordcoreani", "nordcoreane"],
        &["presidente", "presidenti"],
        &["sanzione", "sanzioni"],
        &["governo", "governi"],
        // Pairs Snowball alone splits (see filters::Stem).
        &["americano", "americana", "americani", "americane"],
        &["comando", "comandi"],
        &["arma", "armi"],
        &["alto", "alta", "alti"],
        &["riga", "righe"],
        &["banca", "banche"],
    ]);
}

#[test]
fn elided_articles_and_prepositions_are_dropped_with_either_apostrophe() {
    assert_same_term(&[
        &[
            "Ucraina",
            "l’Ucraina",
            "l'Ucraina",
            "dell’Ucraina",
            "dell'Ucraina",
            "all’Ucraina",
        ],
        &["impero", "dell'impero", "dell’impero"],
        &["arma", "un’arma", "un'arma"],
        &["ONU", "all’ONU", "all'ONU"],
        &["anno", "quest’anno", "quest'anno"],
        &["area", "sull’area", "sull'area", "nell‘area"],
        &["aprile", "nell’aprile"],
        &["italiani", "gl’italiani", "gl'italiani", "degl'italiani"],
    ]);
}

#[test]
fn c_e_is_the_verb_and_leaves_no_term() {
    // c' is elided and è is a stop word, as in Lucene's Italian analyzer.
    assert!(terms("c'è").is_empty());
    assert!(terms("c’è").is_empty());
}

#[test]
fn po_stays_a_word() {
    assert_eq!(terms("un po’"), vec!["po"]);
    assert_eq!(terms("un po'"), vec!["po"]);
}

#[test]
fn a_trailing_apostrophe_is_an_accent() {
    assert_same_term(&[
        &["città", "citta'", "citta’", "citta"],
        &["università", "universita'", "universita"],
        &["virtù", "virtu'", "virtu"],
    ]);
    // Accented stop words written with an apostrophe are stop words too.
    for word in ["perche'", "piu'", "e'", "E'", "perché", "più", "è"] {
        assert!(terms(word).is_empty(), "{word} should be a stop word");
    }
}

#[test]
fn accents_fold_before_stemming() {
    // Stemming first would split these: Snowball removes `-ità` only in its R2 region, `-ita`
    // (a participle) in RV, so it stems qualità to `qualit` and qualita to `qual`.
    let snowball = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::Italian);
    assert_ne!(snowball.stem("qualità"), snowball.stem("qualita"));
    // Folded first, every accented word meets its bare spelling.
    assert_same_term(&[
        &["qualità", "qualita", "qualita'"],
        &["attività", "attivita"],
        &["novità", "novita"],
        &["possibilità", "possibilita"],
        &["libertà", "liberta"],
        &["società", "societa"],
        &["qualità", "qualita"],
        &["metà", "meta"],
        &["caffè", "caffe"],
        &["Perù", "Peru"],
        &["ventitré", "ventitre"],
        &["Pogačar", "Pogacar"],
    ]);
    // Unaccented stop words are stop words too.
    for word in ["perche", "piu", "sara"] {
        assert!(terms(word).is_empty(), "{word} should be a stop word");
    }
}

#[test]
fn stop_words_disappear_but_keep_their_position() {
    let tokens = tokens(&mut italian(), "Corea del Nord");
    let found: Vec<(&str, usize)> = tokens
        .iter()
        .map(|t| (t.text.as_str(), t.position))
        .collect();
    assert_eq!(found, vec![("cor", 0), ("nord", 2)]);
    assert!(terms("il la di che non per una").is_empty());
    // Every form of a listed word: Snowball's list has tutto and tutti only.
    assert!(terms("tutto tutti tutta tutte quello quella").is_empty());
}

#[test]
fn a_headline_is_one_term_whatever_its_spaces_case_accents_and_apostrophes() {
    let term = |text: &str| tokens(&mut headline(), text).pop().map(|t| t.text);
    let typed = term("  Perché l’Italia  vince:\tla  Città ");
    assert_eq!(typed, term("perche l'italia vince: la citta"));
    assert_eq!(
        typed.as_ref().map(String::len),
        Some(16),
        "a hash, not the title"
    );
    assert_ne!(typed, term("perche l'italia vince la citta"));
    assert_ne!(term("Apri posizione"), term("Apri posizione..."));
    assert_eq!(term(" \n "), None);
}

#[test]
fn elision_moves_the_token_start_past_the_apostrophe() {
    // The snippet marks `Ucraina`, not `l’Ucraina`.
    let text = "contro l’Ucraina";
    let token = &tokens(&mut italian(), text)[0];
    assert_eq!(&text[token.offset_from..token.offset_to], "Ucraina");
}

#[test]
fn labels_ignore_case_and_accents() {
    let mut keyword = keyword();
    assert_eq!(tokens(&mut keyword, "Città")[0].text, "citta");
    assert_eq!(tokens(&mut keyword, "ESTERI")[0].text, "esteri");
}

#[test]
fn the_word_lists_are_read_from_schema() {
    let elisions = word_list(ELISIONS);
    for article in ["l", "dell", "un", "quest", "gl", "c"] {
        assert!(elisions.contains(article), "{article}");
    }
    assert!(!elisions.contains("po"));
    assert!(word_list(STOPWORDS).contains("più"));
}

#[test]
fn the_exact_field_marks_the_words_written_with_a_capital() {
    let terms: Vec<String> = tokens(
        &mut italian_exact_names(),
        "Draghi e i draghi dell’Ucraina, L'Aquila",
    )
    .into_iter()
    .map(|t| t.text)
    .collect();
    assert_eq!(
        terms,
        [
            "draghi", "^draghi", "draghi", "ucraina", "^ucraina", "aquila", "^aquila"
        ]
    );
    // The mark shares its word's position and offsets, so positions stay the word count.
    let marked = tokens(&mut italian_exact_names(), "Il Conte");
    assert_eq!(marked.len(), 2);
    assert_eq!(marked[0].position, marked[1].position);
    assert_eq!(
        (marked[1].offset_from, marked[1].offset_to),
        (marked[0].offset_from, marked[0].offset_to)
    );
}

#[test]
fn the_exact_analyzer_does_not_stem() {
    let exact = |text| {
        tokens(&mut italian_exact(), text)
            .into_iter()
            .map(|t| t.text)
            .collect::<Vec<_>>()
    };
    assert_eq!(exact("Conte conti"), vec!["conte", "conti"]);
    assert_ne!(terms("Letta"), exact("Letta"));
}

#[test]
fn a_text_indexed_by_several_fields_gives_each_field_its_own_terms() {
    // As tantivy indexes an article: title, body, then the same texts for the other fields.
    let (title, body) = (
        "Missili su Kiev",
        "Il Governo dell’Ucraina e i missili russi.",
    );
    let fresh = |analyzer: fn() -> TextAnalyzer, text: &str| {
        let tokens = tokens(&mut analyzer(), text);
        tokens
            .into_iter()
            .map(|t| (t.text, t.position, t.offset_from, t.offset_to))
            .collect::<Vec<_>>()
    };
    let stemmed = (fresh(italian, title), fresh(italian, body));
    let exact = (
        fresh(italian_exact_names, title),
        fresh(italian_exact_names, body),
    );
    // Replayed, the stemmer and the name marks still apply to the shared words, each its own.
    assert_eq!(stemmed.0[0].0, "missil");
    assert_eq!(
        (exact.0[0].0.as_str(), exact.0[1].0.as_str()),
        ("missili", "^missili")
    );
    for _ in 0..2 {
        assert_eq!((fresh(italian, title), fresh(italian, body)), stemmed);
        assert_eq!(
            (
                fresh(italian_exact_names, title),
                fresh(italian_exact_names, body)
            ),
            exact
        );
    }
    // A long text is not remembered; it is analysed the same way.
    let long = format!("{} {body}", "parola ".repeat(20_000));
    let terms = fresh(italian_exact_names, &long);
    assert_eq!(terms.len(), 20_000 + exact.1.len());
    assert_eq!(terms.last().map(|t| t.0.as_str()), Some("russi"));
}
