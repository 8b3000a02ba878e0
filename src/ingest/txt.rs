//! The plain-text article layout of the archive (see docs/CONTRACT.md, "Article files"): a first line
//! `Title – Section`, a blank line, then paragraphs, with the web page's boilerplate lines mixed in.

use super::{Article, Origin, ParseError, SkipReason};

/// Lines a web page adds around an article (links to other articles, the comment form, the
/// back-to-top link), not article text. Matched at the start of a trimmed line, ignoring case.
/// docs/CONTRACT.md names the first four.
const BOILERPLATE_PREFIXES: &[&str] = &[
    "Lascia un commento",
    "Il tuo indirizzo email non sarà pubblicato",
    "Torna in alto",
    "I campi obbligatori sono contrassegnati",
    "Leggi anche",
    "Condividi su",
];

/// `READ  <headline of another article>`: a link to another article.
const READ_MARKER: &str = "READ";

/// Separators between title and section on the first line: en dash, em dash, hyphen.
const SECTION_SEPARATORS: &[&str] = &[" – ", " — ", " - "];

/// A section name is a label of a few words; anything longer after a dash belongs to the title.
const MAX_SECTION_WORDS: usize = 4;

pub(crate) fn parse(text: &str, origin: &Origin) -> Result<Article, ParseError> {
    let mut lines = text.lines().map(|line| line.trim_end_matches('\r'));
    let heading = lines
        .by_ref()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("");
    let (title, section) = split_heading(heading);

    let mut paragraphs: Vec<String> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in lines {
        let line = line.trim();
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(current.join("\n"));
                current.clear();
            }
        } else if !is_boilerplate(line) {
            current.push(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current.join("\n"));
    }
    if paragraphs.is_empty() {
        return Err(ParseError::new(
            &origin.path,
            SkipReason::NoText,
            "no article text after the title line",
        ));
    }
    Ok(Article {
        id: origin.file_id(),
        path: origin.path.clone(),
        title,
        section,
        date: origin.path_date(),
        body: paragraphs.join("\n\n"),
        ..Article::default()
    })
}

fn split_heading(heading: &str) -> (String, Option<String>) {
    for separator in SECTION_SEPARATORS {
        if let Some((title, section)) = heading.rsplit_once(separator) {
            let section = section.trim();
            let words = section.split_whitespace().count();
            if !title.trim().is_empty() && (1..=MAX_SECTION_WORDS).contains(&words) {
                return (title.trim().to_string(), Some(section.to_string()));
            }
        }
    }
    (heading.to_string(), None)
}

fn is_boilerplate(line: &str) -> bool {
    if let Some(rest) = line.strip_prefix(READ_MARKER) {
        // `READ` then a space (often a no-break space) and a headline; not `READY` or `READING`.
        if rest.starts_with(char::is_whitespace) {
            return true;
        }
    }
    BOILERPLATE_PREFIXES.iter().any(|prefix| {
        line.get(..prefix.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(prefix))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn origin() -> Origin {
        Origin::new(Path::new("archivio/2023/09/000_00ff00ff00ff00ff.txt"))
    }

    const ARTICLE: &str = "Vertice a Vladivostok: i due leader firmano un’intesa – Esteri\n\n\
        Primo paragrafo dell’articolo, con la notizia.\n\n\
        READ\u{a0} Un altro titolo che rimanda a un’altra pagina\n\n\
        Secondo paragrafo.\n\n\
        Lascia un commento\n\n\
        Il tuo indirizzo email non sarà pubblicato. I campi obbligatori sono contrassegnati *\n\n\
        Torna in alto\n";

    #[test]
    fn title_section_and_body_are_read() {
        let article = parse(ARTICLE, &origin()).unwrap();
        assert_eq!(
            article.title,
            "Vertice a Vladivostok: i due leader firmano un’intesa"
        );
        assert_eq!(article.section.as_deref(), Some("Esteri"));
        assert_eq!(article.id, "00ff00ff00ff00ff");
        assert_eq!(
            article.body,
            "Primo paragrafo dell’articolo, con la notizia.\n\nSecondo paragrafo."
        );
    }

    #[test]
    fn boilerplate_lines_are_not_article_text() {
        let article = parse(ARTICLE, &origin()).unwrap();
        for noise in ["READ", "altra pagina", "Lascia", "email", "Torna"] {
            assert!(!article.body.contains(noise), "{noise} left in the body");
        }
        assert!(!is_boilerplate("READY for more"));
    }

    #[test]
    fn a_hyphen_also_separates_the_section_and_a_long_tail_stays_in_the_title() {
        let (title, section) = split_heading("Borsa, giornata nera - Economia");
        assert_eq!(
            (title.as_str(), section.as_deref()),
            ("Borsa, giornata nera", Some("Economia"))
        );
        let (title, section) = split_heading("Roma - la città che non dorme mai più di sei ore");
        assert_eq!(title, "Roma - la città che non dorme mai più di sei ore");
        assert_eq!(section, None);
    }

    #[test]
    fn a_title_without_text_is_refused() {
        let error = parse("Solo un titolo – Esteri\n\nTorna in alto\n", &origin()).unwrap_err();
        assert_eq!(error.reason, SkipReason::NoText);
    }
}
