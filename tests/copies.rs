//! A wire story republished with small edits is one story: shown once, its copies listed.

use crate::util::*;

const WIRE: [&str; 6] = [
    "Il consiglio dei ministri ha approvato nella notte il decreto sulle bollette, che proroga di tre mesi gli sconti per le famiglie con un reddito basso.",
    "Il provvedimento costa due miliardi di euro, coperti in parte con i fondi europei non ancora spesi dalle regioni.",
    "Le opposizioni parlano di una misura tampone e chiedono un intervento strutturale sul prezzo dell'energia.",
    "Il ministro dell'economia ha detto che il governo tornerà sul tema in autunno, con la legge di bilancio, quando saranno noti i conti dell'anno.",
    "Le associazioni dei consumatori giudicano lo sconto insufficiente per chi vive nelle regioni più fredde del paese.",
    "Le imprese energivore restano escluse dalla proroga, come chiesto dalla Commissione europea nelle ultime settimane.",
];

fn article(title: &str, paragraphs: &[&str]) -> String {
    format!("{title} – Economia\n\n{}\n", paragraphs.join("\n\n"))
}

pub fn archive(env: &TestEnv) {
    env.write(
        "c/000_ansa.txt",
        article("Bollette, prorogati gli sconti per tre mesi", &WIRE),
    );
    // The same story in another paper: a headline of its own, a byline, a sentence cut, other
    // punctuation.
    let mut edited: Vec<String> = WIRE.iter().map(|s| s.replace(',', ";")).collect();
    edited.remove(4);
    edited.insert(0, "di Anna Neri".into());
    let edited: Vec<&str> = edited.iter().map(String::as_str).collect();
    env.write(
        "c/000_gazzetta.txt",
        article("Caro energia, il governo allunga gli aiuti", &edited),
    );
    // And a third, word for word.
    env.write(
        "c/000_corriere.txt",
        article("Bollette, tre mesi di sconti in più", &WIRE),
    );
    // Another story on the same event, written apart.
    env.write(
        "c/000_analisi.txt",
        article(
            "Perché lo sconto sulle bollette non basta",
            &[
                "Tre mesi di sconti sulle bollette servono a superare l'inverno, ma non cambiano il conto che le famiglie pagano per l'energia.",
                "Gli economisti ricordano che il prezzo del gas resta il doppio di prima della crisi e che i fondi europei non sono infiniti.",
                "Il governo promette una riforma in autunno: le opposizioni la aspettano da due anni, le imprese chiedono di essere incluse.",
            ],
        ),
    );
    expect_code(env.run(&["index", &env.path("c"), "--quiet"]), 0);
}

#[test]
fn copies_with_edits_show_once_and_another_story_on_the_event_stays_apart() {
    let env = TestEnv::new();
    archive(&env);
    let index = env.index_path();
    let results = search_in(&index, "bollette sconti", &["--facets"]);
    assert_eq!(results.hits.len(), 2, "{:?}", ids(&results));
    assert_eq!(results.total_hits, 4, "the total counts articles");
    let wire = results
        .hits
        .iter()
        .find(|h| h.copies.len() == 2)
        .expect("the wire story");
    let mut story: Vec<&str> = wire.copies.iter().map(String::as_str).collect();
    story.push(&wire.id);
    story.sort();
    assert_eq!(story, ["ansa", "corriere", "gazzetta"]);
    assert!(hit(&results, "analisi").copies.is_empty());
    let facets = results.facets.as_ref().expect("facets");
    assert_eq!(
        facets.section.values().sum::<usize>(),
        2,
        "a story counts once"
    );

    let every = search_in(&index, "bollette sconti", &["--facets", "--all-copies"]);
    assert_eq!(every.total_hits, 4);
    assert_eq!(every.hits.len(), 4);
    let facets = every.facets.as_ref().expect("facets");
    assert_eq!(facets.section.values().sum::<usize>(), 4);

    let text = stdout(&env.run(&["search", "bollette sconti"]));
    assert!(text.contains(" · +2 copies\n"), "{text}");

    // Articles like the analysis: the wire story, once.
    let like = search_in(&index, "", &["--like", "analisi"]);
    assert_eq!(like.hits.len(), 1, "{:?}", ids(&like));
    assert_eq!(like.hits[0].copies.len(), 2);
    // Articles like the wire story leave out its copies.
    let like = search_in(&index, "", &["--like", "ansa", "--all-copies"]);
    assert!(
        !ids(&like)
            .iter()
            .any(|id| ["gazzetta", "corriere"].contains(id)),
        "{:?}",
        ids(&like)
    );
}

#[test]
fn pages_of_stories_hold_as_many_stories_as_asked() {
    let env = TestEnv::new();
    archive(&env);
    let first = search_in(&env.index_path(), "bollette", &["--limit", "1"]);
    let second = search_in(
        &env.index_path(),
        "bollette",
        &["--limit", "1", "--offset", "1"],
    );
    assert_eq!((first.hits.len(), second.hits.len()), (1, 1));
    assert_ne!(first.hits[0].id, second.hits[0].id);
    assert!(first.hits[0].copies.len() + second.hits[0].copies.len() == 2);
}

#[test]
fn pages_sharing_a_template_are_not_copies() {
    let env = TestEnv::new();
    let template = "Per aprire la finestra delle preferenze scegliere Modifica dal menu principale \
        e poi Preferenze; le modifiche sono applicate subito e restano valide alla prossima \
        apertura del programma.";
    env.write(
        "t/generale.txt",
        format!(
            "Preferenze generali – Aiuto\n\n{template}\n\nLa scheda Generale imposta la lingua \
             dell'interfaccia e il tema delle icone, oltre alla cartella dei documenti nuovi.\n"
        ),
    );
    env.write(
        "t/rete.txt",
        format!(
            "Preferenze di rete – Aiuto\n\n{template}\n\nLa scheda Rete indica il server proxy da \
             usare e il numero di connessioni aperte insieme durante lo scaricamento.\n"
        ),
    );
    let summary = stderr(&env.run(&["index", &env.path("t")]));
    assert!(summary.contains("0 duplicates"), "{summary}");
    let results = search_in(&env.index_path(), "preferenze", &[]);
    assert_eq!(results.hits.len(), 2, "{:?}", ids(&results));
    assert!(results.hits.iter().all(|h| h.copies.is_empty()));
}
