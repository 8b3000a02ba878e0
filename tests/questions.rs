//! Questions pasted whole, with their question mark, quotes and brackets, find the paragraph that
//! answers them. The paragraphs are written for this test.

use crate::util::*;

const PARAGRAPHS: [(&str, &str, &str); 8] = [
    (
        "crisi-1",
        "Crisi energetica del 1973",
        "La crisi petrolifera iniziò nell'ottobre del 1973, quando i paesi arabi produttori di petrolio decisero di ridurre le esportazioni verso gli stati che sostenevano Israele.",
    ),
    (
        "crisi-2",
        "Crisi energetica del 1973",
        "L'embargo petrolifero fu proclamato dall'Organizzazione dei paesi arabi esportatori di petrolio, che chiese agli stati occidentali di cambiare politica nel Medio Oriente.",
    ),
    (
        "crisi-3",
        "Crisi energetica del 1973",
        "Il prezzo del greggio quadruplicò in pochi mesi e molti governi europei vietarono la circolazione delle automobili nelle domeniche d'inverno.",
    ),
    (
        "batteri-1",
        "Batteri",
        "I batteri gram-negativi hanno una parete sottile, stretta tra due membrane, e non trattengono il colorante viola usato nel metodo di Gram.",
    ),
    (
        "serie-1",
        "Doctor Who",
        "Il ritorno della serie fu annunciato nel settembre del 2003; la serie revival andò in onda dal marzo del 2005 con un nuovo protagonista.",
    ),
    (
        "ugonotti-1",
        "Ugonotti",
        "Per difendersi dalle persecuzioni, i protestanti francesi presero le armi e fortificarono città come La Rochelle, dove resistettero a lunghi assedi.",
    ),
    (
        "ugonotti-2",
        "Ugonotti",
        "Gli ugonotti si erano difesi a parole per anni, scrivendo libelli contro la corte, prima che le guerre di religione cominciassero.",
    ),
    (
        "ugonotti-3",
        "Ugonotti",
        "Dopo la revoca dell'editto di Nantes molti ugonotti lasciarono la Francia per l'Inghilterra, i Paesi Bassi e la Prussia.",
    ),
];

fn corpus(env: &TestEnv) {
    index_paragraphs(env, "paragrafi", &PARAGRAPHS);
}

/// Indexes `(id, title, body)` paragraphs as the lines of one JSON Lines dump, `q/NAME.jsonl`.
fn index_paragraphs(env: &TestEnv, name: &str, paragraphs: &[(&str, &str, &str)]) {
    let lines: Vec<String> = paragraphs
        .iter()
        .map(|(id, title, body)| {
            serde_json::json!({ "id": id, "title": title, "body": body }).to_string()
        })
        .collect();
    env.write(&format!("q/{name}.jsonl"), lines.join("\n") + "\n");
    expect_code(env.run(&["index", &env.path("q"), "--quiet"]), 0);
}

#[test]
fn a_pasted_question_finds_the_paragraph_that_answers_it() {
    let env = TestEnv::new();
    corpus(&env);
    for (question, answer) in [
        (
            "Quando è iniziata la crisi petrolifera del 1973?",
            "crisi-1",
        ),
        ("Chi ha proclamato l'embargo petrolifero?", "crisi-2"),
        ("Che cosa significa \"grammo-negativo\"?", "batteri-1"),
        (
            "Quando è stata annunciata la serie revival 2005 (compresi gli annunci)?",
            "serie-1",
        ),
        ("Come si sono difesi gli ugonotti?", "ugonotti-1"),
    ] {
        let results = search_in(&env.index_path(), question, &["--limit", "10"]);
        assert!(
            ids(&results).contains(&answer),
            "{question}: {answer} not among {:?}",
            ids(&results)
        );
    }
}

#[test]
fn a_softened_question_says_how_it_was_read() {
    let env = TestEnv::new();
    corpus(&env);
    let output = env.run(&["search", "Che cosa significa \"grammo-negativo\"?"]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let said = stderr(&output);
    assert!(said.contains("read as a sentence"), "{said}");
    let results = search_in(
        &env.index_path(),
        "Che cosa significa \"grammo-negativo\"?",
        &[],
    );
    assert_eq!(
        results.read_as.as_deref(),
        Some("significa grammo negativo")
    );
    // A phrase typed on its own stays a phrase.
    let exact = run(env.cmd(&["search", "\"grammo-negativo\"", "--format", "json"]));
    assert_eq!(exact.status.code(), Some(1), "{}", describe(&exact));
}

#[test]
fn a_question_ranks_the_paragraph_holding_its_words_together_first() {
    let env = TestEnv::new();
    // Every word of the question, each more often, but never within a dozen words of another.
    let scattered = "Il porto era pieno. Per settimane intere i giornali della città parlarono \
        soltanto delle navi ferme. Il grano restava a terra. Dopo lunghe trattative tra armatori e \
        sindacati nulla era cambiato nei magazzini. Un carico era atteso. Mentre in città si \
        discuteva d'altro i prezzi salivano senza sosta ogni giorno. Nessuno era partito. Soltanto \
        in autunno il governo fece sapere con una lettera ai sindaci. Il porto riaprì. Le cronache \
        del tempo raccontano a lungo quei mesi di attesa difficile. Il grano tornò. Molti anni \
        dopo gli storici discussero ancora di quella stagione. Il carico arrivò.";
    let together = "In primavera il carico di grano partì dal porto di Odessa, diretto a Genova: \
        il viaggio durò tre settimane.";
    index_paragraphs(
        &env,
        "porti",
        &[
            ("sparso", "Commerci", scattered),
            ("vicino", "Commerci", together),
        ],
    );
    let results = search_in(
        &env.index_path(),
        "Da quale porto partì il carico di grano?",
        &[],
    );
    assert_eq!(
        ids(&results).first(),
        Some(&"vicino"),
        "{:?}",
        ids(&results)
    );
}

#[test]
fn a_question_weighs_little_the_words_its_best_candidates_all_hold() {
    let env = TestEnv::new();
    // Every paragraph on Garibaldi names him; the one on Caprera, which answers, does not, and
    // the one on the Mille names him three times beside the island twice.
    let paragraphs = [
        (
            "caprera",
            "Caprera",
            "Sull'isola di Caprera morì nel 1882 l'eroe dei due mondi, che vi aveva comprato una \
             casa con un podere, un mulino a vento e un piccolo porto per le barche dei pescatori.",
        ),
        (
            "nizza",
            "Giuseppe Garibaldi",
            "Giuseppe Garibaldi nacque a Nizza nel 1807. Da giovane Garibaldi fu marinaio e navigò \
             a lungo nel Mediterraneo.",
        ),
        (
            "anita",
            "Giuseppe Garibaldi",
            "In Sud America Garibaldi combatté per la repubblica del Rio Grande; là Garibaldi \
             conobbe Anita, che lo seguì sempre.",
        ),
        (
            "mille",
            "Giuseppe Garibaldi",
            "Nel 1860 Garibaldi sbarcò in Sicilia con i Mille: Garibaldi conquistò l'isola, e \
             l'isola intera accolse Garibaldi.",
        ),
        (
            "teano",
            "Giuseppe Garibaldi",
            "Dopo l'incontro di Teano Garibaldi consegnò il Sud al re e si ritirò; Garibaldi \
             rifiutò ogni onore.",
        ),
        (
            "verdi",
            "Giuseppe Verdi",
            "Giuseppe Verdi morì a Milano nel 1901; ai funerali partecipò una grande folla.",
        ),
    ];
    index_paragraphs(&env, "garibaldi", &paragraphs);
    let results = search_in(&env.index_path(), "Su quale isola morì Garibaldi?", &[]);
    assert_eq!(
        ids(&results).first(),
        Some(&"caprera"),
        "{:?}",
        ids(&results)
    );
}

#[test]
fn a_question_that_finds_nothing_as_typed_is_asked_again_with_typos_tolerated() {
    let env = TestEnv::new();
    let paragraphs = [
        (
            "sismi",
            "Geofisica",
            "I sismografi registrano le onde del terremoto su un rullo di carta che gira lentamente.",
        ),
        (
            "vulcani",
            "Geofisica",
            "Il vulcano ha eruttato cenere per tre giorni e gli aerei sono rimasti a terra.",
        ),
    ];
    index_paragraphs(&env, "geofisica", &paragraphs);

    let question = "Come funziona un sismogarfo?";
    let output = env.run(&["search", question]);
    assert_eq!(output.status.code(), Some(0), "{}", describe(&output));
    let said = stderr(&output);
    assert!(said.contains("typos tolerated"), "{said}");
    let results = search_in(&env.index_path(), question, &[]);
    assert_eq!(ids(&results).first(), Some(&"sismi"));
    assert!(results.typos_tolerated);

    // A question its words answer as typed says nothing of typos.
    let typed = search_in(&env.index_path(), "Come funzionano i sismografi?", &[]);
    assert_eq!(ids(&typed).first(), Some(&"sismi"));
    assert!(!typed.typos_tolerated);
    // A keyword query is not corrected behind the user's back: it offers `did you mean`.
    let keyword = run(env.cmd(&["search", "sismogarfo", "--format", "json"]));
    assert_eq!(keyword.status.code(), Some(1), "{}", describe(&keyword));
}
