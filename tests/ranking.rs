//! Ranking: the title counts more without drowning the body. Small corpora written here, so the
//! competing articles are known.

use crate::util::*;

fn txt(env: &TestEnv, name: &str, title: &str, body: &str) {
    env.write(
        &format!("c/000_{name}.txt"),
        format!("{title} – Esteri\n\n{body}\n"),
    );
}

/// Articles whose title shares one word with the query `grano porto Odessa`, and one whose body
/// holds every word under an unrelated title.
fn corpus() -> TestEnv {
    let env = TestEnv::new();
    txt(
        &env,
        "porto",
        "Porto, il nuovo terminal apre a marzo",
        "Il terminal per i container sarà pronto in primavera. Le gru arriveranno dalla Cina e le banchine sono state allungate.",
    );
    txt(
        &env,
        "grano",
        "Grano, raccolto scarso in Puglia",
        "La siccità ha ridotto la produzione nelle campagne pugliesi. Gli agricoltori chiedono aiuti alla regione.",
    );
    txt(
        &env,
        "odessa",
        "Odessa, riapre il teatro dell’opera",
        "Dopo mesi di chiusura il teatro torna ad accogliere il pubblico con un concerto di musica classica.",
    );
    txt(
        &env,
        "convoglio",
        "Nel Mar Nero parte il primo convoglio",
        "Tre navi cariche di grano hanno lasciato il porto di Odessa all’alba, scortate fino alle acque romene.",
    );
    for n in 0..6 {
        txt(
            &env,
            &format!("altro{n}"),
            &format!("Notizia {n} dal mondo"),
            "Una notizia qualunque senza parole in comune con la ricerca, scritta per riempire l'indice.",
        );
    }
    expect_code(env.run(&["index", &env.path("c"), "--quiet"]), 0);
    env
}

#[test]
fn a_body_with_every_word_ranks_above_titles_sharing_one_word() {
    let env = corpus();
    for query in ["grano OR porto OR Odessa", "grano porto Odessa zanzibar"] {
        let results = search_in(&env.index_path(), query, &[]);
        assert_eq!(
            results.hits[0].id,
            "convoglio",
            "{query}: {:?}",
            ids(&results)
        );
    }
}

#[test]
fn an_article_whose_title_is_the_query_ranks_first() {
    let env = TestEnv::new();
    txt(
        &env,
        "vertice",
        "Vertice sul clima a Roma",
        "I ministri si sono incontrati per due giorni. Il documento finale sarà firmato a dicembre.",
    );
    txt(
        &env,
        "lungo",
        "Le città e il caldo estremo",
        "Il clima cambia: un vertice dopo l'altro, i sindaci discutono del clima nelle città. \
         Al vertice di ottobre si è parlato di clima, di alberi e di clima urbano; il prossimo vertice \
         sarà dedicato al clima e all’acqua. Roma ospiterà un vertice sul clima dei sindaci.",
    );
    for n in 0..6 {
        txt(
            &env,
            &format!("altro{n}"),
            &format!("Cronaca {n}"),
            "Una notizia qualunque senza parole in comune con la ricerca, scritta per riempire l'indice.",
        );
    }
    expect_code(env.run(&["index", &env.path("c"), "--quiet"]), 0);
    let results = search_in(&env.index_path(), "vertice sul clima a Roma", &[]);
    assert_eq!(results.hits[0].id, "vertice", "{:?}", ids(&results));
    let title = &results.hits[0].title_snippet;
    assert_eq!(
        title,
        "<mark>Vertice</mark> sul <mark>clima</mark> a <mark>Roma</mark>"
    );
}

/// Forms Snowball gives different stems meet through their lemma: each article is found by the
/// other form of its title's verb or noun, and the form is marked.
#[test]
fn forms_snowball_splits_find_each_other() {
    let env = TestEnv::new();
    let pairs = [
        ("alzare", "Il governo vuole alzare le tasse", "alza"),
        ("aprire", "Il museo torna ad aprire le sale", "apre"),
        ("usando", "Pagare usando il telefono", "usano"),
        ("convertire", "Come convertire i vecchi video", "converti"),
        ("esci", "Se esci stasera, porta l'ombrello", "esce"),
        (
            "tastiere",
            "Le tastiere meccaniche tornano di moda",
            "tastiera",
        ),
        ("lettere", "Le lettere dal fronte", "lettera"),
    ];
    for (id, title, _) in pairs {
        // Bodies differ, or they would be copies of one another.
        txt(
            &env,
            id,
            title,
            &format!("Un testo qualunque, il numero {id}."),
        );
    }
    expect_code(env.run(&["index", &env.path("c"), "--quiet"]), 0);
    for (id, _, other_form) in pairs {
        let results = search_in(&env.index_path(), other_form, &[]);
        assert_eq!(ids(&results), [id], "{other_form}");
        assert!(
            results.hits[0].title_snippet.contains("<mark>"),
            "{other_form}: {}",
            results.hits[0].title_snippet
        );
    }
}

/// A query of three words or more also shows, after the articles with every word, those missing
/// one, then those with some; `total_hits` counts the first, `partial_hits` the others; `+word`
/// stays required.
#[test]
fn articles_missing_words_follow_those_with_every_word() {
    let env = TestEnv::new();
    txt(
        &env,
        "tutte",
        "Grano e mais dal porto di Odessa",
        "Le navi partono all'alba.",
    );
    txt(
        &env,
        "due",
        "Grano dal porto",
        "Le navi partono all'alba verso sud.",
    );
    txt(
        &env,
        "una",
        "Grano in Puglia",
        "La raccolta è scarsa quest'anno.",
    );
    expect_code(env.run(&["index", &env.path("c"), "--quiet"]), 0);
    let results = search_in(&env.index_path(), "grano porto Odessa", &[]);
    assert_eq!(ids(&results), ["tutte", "due", "una"]);
    assert_eq!((results.total_hits, results.partial_hits), (1, 2));
    let summary = stderr(&env.run(&["search", "grano porto Odessa"]));
    assert!(
        summary.contains("3 of 3 hits (1 with every word, 2 with some) in "),
        "{summary}"
    );
    let strict = search_in(&env.index_path(), "grano porto +Odessa", &[]);
    assert_eq!(ids(&strict), ["tutte"]);
    assert_eq!(strict.partial_hits, 0);
    // Two words stay strict, and stop words are not words an article may miss.
    let two = search_in(&env.index_path(), "grano Odessa", &[]);
    assert_eq!(ids(&two), ["tutte"]);
    let two = search_in(&env.index_path(), "il grano di Odessa", &[]);
    assert_eq!(ids(&two), ["tutte"]);
    let with_stop_words = search_in(&env.index_path(), "il grano dal porto di Odessa", &[]);
    assert_eq!(ids(&with_stop_words), ["tutte", "due", "una"]);
    assert_eq!(with_stop_words.partial_hits, 2);
}

/// Adds six articles sharing no word with the queries (so that the words searched are rare),
/// and indexes the folder.
fn index_among_others(env: &TestEnv) {
    for n in 0..6 {
        txt(
            env,
            &format!("altro{n}"),
            &format!("Cronaca {n}"),
            &format!("Una notizia qualunque, la numero {n}, scritta per riempire l'indice."),
        );
    }
    expect_code(env.run(&["index", &env.path("c"), "--quiet"]), 0);
}

/// A title holding every word of the query, in other forms, ranks above a title holding one
/// whose body repeats them (here it would without the bonus: 9.36 against 8.34).
#[test]
fn a_title_holding_every_word_ranks_above_a_body_repeating_them() {
    let env = TestEnv::new();
    txt(
        &env,
        "copre",
        "Taglio delle tasse, il piano",
        "Il piano sulle tasse arriva in parlamento: il taglio vale tre miliardi.",
    );
    txt(
        &env,
        "ripete",
        "Il governo taglia la spesa",
        "I ministeri tagliano i fondi, le regioni tagliano i servizi: meno spesa, non meno \
         tasse. Le tasse locali restano.",
    );
    index_among_others(&env);
    let results = search_in(&env.index_path(), "tagliano tasse", &[]);
    assert_eq!(ids(&results), ["copre", "ripete"]);
}

/// Words remembered from a sentence find the article that has them in a row, above one that
/// names them more often, apart.
#[test]
fn words_of_a_sentence_find_the_article_that_has_them_in_a_row() {
    let env = TestEnv::new();
    txt(
        &env,
        "frase",
        "Il consiglio comunale",
        "Ieri sera il consiglio ha approvato il bilancio della città dopo sei ore di discussione.",
    );
    txt(
        &env,
        "sparse",
        "Il consiglio si divide",
        "Il bilancio arriva in aula. Il consiglio discute: città divisa. Sul bilancio, il \
         consiglio tornerà a riunirsi; la città attende, e il bilancio pure.",
    );
    index_among_others(&env);
    let results = search_in(&env.index_path(), "bilancio della città", &[]);
    assert_eq!(ids(&results), ["frase", "sparse"]);
}

/// A pasted headline finds the article with that very title first, punctuation included, even
/// where another title differs only by its punctuation and the other's body matches better.
#[test]
fn a_pasted_headline_finds_its_own_title_first() {
    let env = TestEnv::new();
    txt(
        &env,
        "due-punti",
        "Sciopero dei treni: venerdì nero",
        "Si fermano i regionali per ventiquattro ore.",
    );
    txt(
        &env,
        "virgola",
        "Sciopero dei treni, venerdì nero",
        "Lo sciopero dei treni di venerdì: uno sciopero nero per chi viaggia in treno.",
    );
    expect_code(env.run(&["index", &env.path("c"), "--quiet"]), 0);
    for (query, first) in [
        ("Sciopero dei treni: venerdì nero", "due-punti"),
        ("sciopero dei treni:  venerdi nero", "due-punti"),
        ("Sciopero dei treni, venerdì nero", "virgola"),
    ] {
        let results = search_in(&env.index_path(), query, &[]);
        assert_eq!(ids(&results), [first, other(first)], "{query}");
    }
    fn other(id: &str) -> &str {
        if id == "virgola" {
            "due-punti"
        } else {
            "virgola"
        }
    }
}

/// `--like` ranks by likeness: the article on the same subject first, one sharing a single word
/// after it, whatever order they were indexed in.
#[test]
fn articles_like_one_rank_by_how_alike_they_are() {
    let env = TestEnv::new();
    txt(
        &env,
        "vendemmia",
        "La vendemmia in Toscana",
        "Anche quest'anno in Toscana la vendemmia comincia ad agosto.",
    );
    txt(
        &env,
        "vino",
        "Il vino del Chianti",
        "Le cantine del Chianti raccontano una vendemmia scarsa: grappoli piccoli, uva \
         sana, vino rosso di qualità. I produttori del Chianti temono la grandine.",
    );
    txt(
        &env,
        "chianti",
        "Chianti, nuove cantine",
        "Nel Chianti aprono nuove cantine: i produttori del vino rosso contano su una \
         vendemmia di qualità, con grappoli sani e uva matura.",
    );
    expect_code(env.run(&["index", &env.path("c"), "--quiet"]), 0);
    let like = search_in(&env.index_path(), "", &["--like", "chianti"]);
    assert_eq!(ids(&like), ["vino", "vendemmia"]);
    assert!(like.hits[0].score > like.hits[1].score, "{:?}", like.hits);
    let with_query = search_in(&env.index_path(), "Toscana", &["--like", "chianti"]);
    assert_eq!(ids(&with_query), ["vendemmia"]);
}
