//! A query typed as a person's sentence rather than in the query language: a question pasted
//! whole (`Che cosa significa "grammo-negativo"?`), a long passage with quotes and brackets. Its
//! quotes and brackets are preferences, not requirements, as web search engines and
//! Elasticsearch's `simple_query_string` read such text; in a question, the question words and
//! auxiliaries (`quando`, `qual`, `stato`) search for nothing.
//!
//! Syntax typed on purpose stays exact: a phrase alone (`"Corea del Nord"`), fields
//! (`title:…`), exclusions (`-word`) and alternatives (`OR`) are kept as written.

use super::query::{Node, is_plain_word};

/// Interrogatives and the forms that introduce a question, beyond the stop words the analyzer
/// already drops (`che`, `chi`, `come`, `dove`, `quale`…). `cos` is `cos'è`.
const QUESTION_WORDS: &[&str] = &[
    "qual", "quali", "quando", "cosa", "cos", "perchè", "perche", "perché", "quanto", "quanti",
    "quante", "quanta", "quale", "chi", "che", "come", "dove",
];

/// Auxiliaries and copulas of questions (`è stato`, `viene chiamato`), which the answer's
/// sentence rarely repeats.
const AUXILIARIES: &[&str] = &[
    "essere", "stato", "stata", "stati", "state", "viene", "vengono", "venne", "vennero", "venuto",
    "venuta", "venuti", "venute",
];

/// Plain words a query holds besides its syntax from which it reads as a sentence.
const SENTENCE_WORDS: usize = 4;

/// Whether `typed` reads as a question: it ends with a question mark. (A first word alone says
/// too little: `che`, `come` and `quando` open many a remembered fragment of a sentence.)
pub(crate) fn is_question(typed: &str) -> bool {
    typed.trim_end().ends_with('?')
}

/// Whether `tree` holds enough plain words besides its syntax to read as a sentence.
pub(crate) fn is_long(tree: &Node) -> bool {
    match tree {
        Node::And(children) => {
            children.iter().filter(|c| is_plain_word(c)).count() >= SENTENCE_WORDS
        }
        _ => false,
    }
}

/// `tree` read as a sentence: its quoted phrases and bracketed groups as their words, each one
/// a preference; in a question, without its question words. `None` when that changes nothing,
/// or would leave nothing to search for.
pub(crate) fn as_sentence(tree: &Node, question: bool) -> Option<Node> {
    let children: &[Node] = match tree {
        Node::And(children) => children,
        single => std::slice::from_ref(single),
    };
    let mut words = Vec::new();
    for child in children {
        flatten(child, question, &mut words);
    }
    let searchable = words.iter().any(|w| !matches!(w, Node::Not(_)));
    let read = match words.len() {
        1 => words.pop()?,
        _ => Node::And(words),
    };
    (searchable && read != *tree).then_some(read)
}

fn flatten(node: &Node, question: bool, out: &mut Vec<Node>) {
    match node {
        Node::Phrase {
            field: None, text, ..
        } => {
            // Each part of a hyphenated word too: `grammo-negativo` still finds `gram-negativi`.
            for word in text.split(|c: char| c.is_whitespace() || c == '-') {
                if !word.is_empty() {
                    flatten(&plain(word), question, out);
                }
            }
        }
        Node::And(children) => {
            for child in children {
                flatten(child, question, out);
            }
        }
        Node::Word { text, .. } if question && is_plain_word(node) && asks(text) => {}
        other => out.push(other.clone()),
    }
}

fn plain(word: &str) -> Node {
    Node::Word {
        field: None,
        text: word.to_string(),
        prefix: false,
        exact: false,
    }
}

/// Whether a word only frames a question: a question word or an auxiliary, elided or not
/// (`cos'è`, `qual'era`), punctuation aside.
fn asks(word: &str) -> bool {
    let word = word.to_lowercase();
    word.split(|c: char| !c.is_alphanumeric())
        .filter(|part| !part.is_empty())
        .all(|part| {
            QUESTION_WORDS.contains(&part)
                || AUXILIARIES.contains(&part)
                || matches!(part, "è" | "e" | "era" | "sono" | "fu" | "ha" | "hanno")
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::query::parse;

    fn read(typed: &str) -> Option<String> {
        let tree = parse(typed).unwrap().tree;
        as_sentence(&tree, is_question(typed)).map(|tree| tree.to_string())
    }

    #[test]
    fn a_questions_quotes_brackets_and_question_words_are_preferences() {
        assert_eq!(
            read("Che cosa significa \"grammo-negativo\"?").as_deref(),
            Some("significa grammo negativo")
        );
        assert_eq!(
            read("Quando è stata annunciata la serie revival 2005 (compresi gli annunci)?")
                .as_deref(),
            Some("annunciata la serie revival 2005 compresi gli annunci")
        );
        assert_eq!(read("Qual è la capitale?").as_deref(), Some("la capitale?"));
        assert_eq!(read("Qual è?"), None, "nothing left to search for");
    }

    #[test]
    fn syntax_typed_on_purpose_stays() {
        let long = |typed: &str| is_long(&parse(typed).unwrap().tree);
        assert!(!is_question("\"Corea del Nord\""));
        assert!(!long("\"Corea del Nord\""));
        assert!(!long("missili \"Corea del Nord\" Kim"));
        assert!(long(
            "i missili \"Corea del Nord\" lanciati ieri dal Giappone"
        ));
        let tree = parse("title:Corea -Sud missili lanciati").unwrap().tree;
        assert_eq!(as_sentence(&tree, false), None);
        assert!(!is_question("missili Corea"));
        assert!(!is_question("quando sono partiti i missili"));
        assert!(is_question("quando sono partiti i missili?"));
    }
}
