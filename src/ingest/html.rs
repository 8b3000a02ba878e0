//! HTML pages, through a real HTML parser (scraper/html5ever), so entities (`universit&agrave;`),
//! broken markup and scripts are handled as a browser would. The body is the article's text only:
//! scripts, styles, navigation, headers, footers, asides and forms are left out.

use chrono::NaiveDate;
use scraper::{ElementRef, Html, Node, Selector};

use super::parse_date;
use super::{Article, Origin, ParseError, SkipReason, squeeze_spaces};

/// Elements whose content is never article text.
const SKIPPED: &[&str] = &[
    "script", "style", "noscript", "template", "nav", "header", "footer", "aside", "form",
    "button", "iframe", "svg", "select", "textarea", "figure", "h1",
];

/// Elements that end a paragraph.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "blockquote",
    "br",
    "tr",
    "table",
    "dd",
    "dt",
    "pre",
];

/// Where the article text is, most specific first.
const CONTAINERS: &[&str] = &[
    "[itemprop=articleBody]",
    "article",
    "main",
    "[role=main]",
    "body",
];

pub fn parse(text: &str, origin: &Origin) -> Result<Article, ParseError> {
    let page = Html::parse_document(text);
    let title = meta(&page, "og:title")
        .or_else(|| first_text(&page, "h1"))
        .or_else(|| first_text(&page, "title"))
        .unwrap_or_default();
    let body = CONTAINERS
        .iter()
        .filter_map(|css| select_first(&page, css))
        .map(|container| paragraphs(container))
        .find(|body| !body.is_empty())
        .unwrap_or_default();
    if body.is_empty() {
        return Err(ParseError::new(
            &origin.path,
            SkipReason::NoText,
            "no article text in the page",
        ));
    }
    Ok(Article {
        id: origin.file_id(),
        path: origin.path.clone(),
        title,
        section: meta(&page, "article:section"),
        date: published(&page).or_else(|| origin.path_date()),
        url: meta(&page, "og:url").or_else(|| attr(&page, "link[rel=canonical]", "href")),
        body,
        source: meta(&page, "og:site_name"),
        author: meta(&page, "article:author").or_else(|| named_meta(&page, "author")),
    })
}

fn selector(css: &str) -> Selector {
    // Only called with the constant selectors of this module.
    Selector::parse(css).expect("selectors in html.rs are valid CSS")
}

fn select_first<'a>(page: &'a Html, css: &str) -> Option<ElementRef<'a>> {
    page.select(&selector(css)).next()
}

fn non_empty(text: &str) -> Option<String> {
    let text = squeeze_spaces(text);
    (!text.is_empty()).then_some(text)
}

fn attr(page: &Html, css: &str, name: &str) -> Option<String> {
    select_first(page, css)
        .and_then(|e| e.value().attr(name))
        .and_then(non_empty)
}

fn meta(page: &Html, property: &str) -> Option<String> {
    attr(page, &format!("meta[property=\"{property}\"]"), "content")
}

fn named_meta(page: &Html, name: &str) -> Option<String> {
    attr(page, &format!("meta[name=\"{name}\"]"), "content")
}

fn first_text(page: &Html, css: &str) -> Option<String> {
    select_first(page, css).and_then(|e| non_empty(&e.text().collect::<String>()))
}

/// The publication date: Open Graph, then `<time datetime>`, then JSON-LD `datePublished`.
fn published(page: &Html) -> Option<NaiveDate> {
    meta(page, "article:published_time")
        .and_then(|d| parse_date(&d))
        .or_else(|| attr(page, "time[datetime]", "datetime").and_then(|d| parse_date(&d)))
        .or_else(|| {
            page.select(&selector("script[type=\"application/ld+json\"]"))
                .filter_map(|script| {
                    serde_json::from_str::<serde_json::Value>(&script.text().collect::<String>())
                        .ok()
                })
                .find_map(|json| json_ld_date(&json))
        })
}

/// `datePublished` anywhere in a JSON-LD value (top level, `@graph`, nested objects).
fn json_ld_date(value: &serde_json::Value) -> Option<NaiveDate> {
    match value {
        serde_json::Value::Object(map) => map
            .get("datePublished")
            .and_then(|d| d.as_str())
            .and_then(parse_date)
            .or_else(|| map.values().find_map(json_ld_date)),
        serde_json::Value::Array(items) => items.iter().find_map(json_ld_date),
        _ => None,
    }
}

/// The text of an HTML fragment (a JSON `content` field holding markup), paragraphs kept.
pub fn fragment_text(html: &str) -> String {
    paragraphs(Html::parse_fragment(html).root_element())
}

/// The text of `container`, one paragraph per block element, skipping non-article elements.
fn paragraphs(container: ElementRef) -> String {
    let mut out = Vec::new();
    let mut current = String::new();
    collect(container, &mut out, &mut current);
    flush(&mut out, &mut current);
    out.join("\n\n")
}

fn flush(out: &mut Vec<String>, current: &mut String) {
    if let Some(paragraph) = non_empty(current) {
        out.push(paragraph);
    }
    current.clear();
}

fn collect(element: ElementRef, out: &mut Vec<String>, current: &mut String) {
    for child in element.children() {
        match child.value() {
            Node::Text(text) => current.push_str(text),
            Node::Element(e) => {
                let name = e.name();
                if SKIPPED.contains(&name) {
                    continue;
                }
                let block = BLOCKS.contains(&name);
                if block {
                    flush(out, current);
                }
                if let Some(child) = ElementRef::wrap(child) {
                    collect(child, out, current);
                }
                if block {
                    flush(out, current);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn origin() -> Origin {
        Origin::new(Path::new("archivio/2023/pagina_abc123.html"))
    }

    const PAGE: &str = r#"<!doctype html><html><head>
        <title>Quotidiano | Titolo di riserva</title>
        <meta property="og:title" content="La manovra passa alla Camera">
        <meta property="article:section" content="Economia">
        <meta property="article:published_time" content="2023-10-20T18:30:00+02:00">
        <meta property="og:url" content="https://esempio.it/manovra">
        <script>var tracking = "missili";</script><style>p { color: red }</style>
        </head><body>
        <nav><a href="/">Home</a> <a href="/esteri">Esteri</a></nav>
        <article><header><h1>La manovra passa alla Camera</h1></header>
        <p>La legge di bilancio &egrave; stata approvata dall&rsquo;aula.</p>
        <aside>Pubblicità: abbonati ora</aside>
        <p>Il voto finale è atteso in <b>Senato</b> la prossima settimana.</p>
        </article>
        <footer>© Quotidiano, tutti i diritti riservati</footer>
        </body></html>"#;

    #[test]
    fn metadata_comes_from_open_graph() {
        let article = parse(PAGE, &origin()).unwrap();
        assert_eq!(article.title, "La manovra passa alla Camera");
        assert_eq!(article.section.as_deref(), Some("Economia"));
        assert_eq!(article.date, NaiveDate::from_ymd_opt(2023, 10, 20));
        assert_eq!(article.url.as_deref(), Some("https://esempio.it/manovra"));
        assert_eq!(article.id, "abc123");
    }

    #[test]
    fn the_body_is_the_article_text_only_with_entities_decoded() {
        let article = parse(PAGE, &origin()).unwrap();
        assert_eq!(
            article.body,
            "La legge di bilancio è stata approvata dall’aula.\n\n\
             Il voto finale è atteso in Senato la prossima settimana."
        );
    }

    #[test]
    fn fallbacks_title_from_h1_date_from_time_or_json_ld() {
        let page = r#"<html><body><h1>Titolo dal corpo</h1>
            <time datetime="2022-03-01">1 marzo</time><main><p>Testo.</p></main></body></html>"#;
        let article = parse(page, &origin()).unwrap();
        assert_eq!(article.title, "Titolo dal corpo");
        assert_eq!(article.date, NaiveDate::from_ymd_opt(2022, 3, 1));

        let page = r#"<html><head><title>Dal titolo</title>
            <script type="application/ld+json">{"@graph": [{"@type": "NewsArticle",
            "datePublished": "2021-07-04T09:00:00Z"}]}</script></head>
            <body><p>Testo.</p></body></html>"#;
        let article = parse(page, &origin()).unwrap();
        assert_eq!(article.title, "Dal titolo");
        assert_eq!(article.date, NaiveDate::from_ymd_opt(2021, 7, 4));
    }

    #[test]
    fn a_page_of_menus_only_is_refused() {
        let page = "<html><body><nav>Home Esteri Sport</nav><script>x()</script></body></html>";
        assert_eq!(
            parse(page, &origin()).unwrap_err().reason,
            SkipReason::NoText
        );
    }
}
