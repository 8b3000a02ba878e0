//! HTML pages, through a real HTML parser (scraper/html5ever), so entities (`universit&agrave;`),
//! broken markup and scripts are handled as a browser would. This module reads the page's
//! metadata; the article's text is found by [`extract`].

use chrono::NaiveDate;
use scraper::{ElementRef, Html, Selector};

use super::{Article, Origin, ParseError, SkipReason, squeeze_spaces};
use super::{date_in_path, extract, parse_date};

pub fn parse(text: &str, origin: &Origin) -> Result<Article, ParseError> {
    let page = Html::parse_document(text);
    let url = meta(&page, "og:url").or_else(|| attr(&page, "link[rel=canonical]", "href"));
    let source = meta(&page, "og:site_name");
    let title = meta(&page, "og:title")
        .or_else(|| first_text(&page, "h1"))
        .or_else(|| first_text(&page, "title"))
        .map(|title| without_site_name(&title, source.as_deref(), url.as_deref()))
        .unwrap_or_default();
    let body = extract::article_text(text, &page);
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
        date: published(&page)
            .or_else(|| url.as_deref().and_then(date_in_path))
            .or(origin.date)
            .or_else(|| origin.path_date()),
        url,
        body,
        source,
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

/// Where titles are cut into the article's title and the site's name.
const TITLE_SEPARATORS: &[&str] = &[" | ", " - ", " – ", " — ", " :: ", " · ", " « ", " » "];

/// The title without the site's name that pages put before or after it (`Titolo - la
/// Repubblica`, `IGN | Titolo`): a part is the site's name when it is the page's `og:site_name`
/// or its web address's domain, compared on letters and digits only.
fn without_site_name(title: &str, site_name: Option<&str>, url: Option<&str>) -> String {
    let squeeze = |text: &str| -> String {
        text.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    // The name before the top-level domain: `repubblica` of `https://www.repubblica.it/…`.
    let domain = url
        .and_then(|url| url.split("://").nth(1))
        .and_then(|rest| rest.split(['/', ':', '?', '#']).next())
        .and_then(|host| host.split('.').rev().nth(1))
        .map(squeeze);
    let names: Vec<String> = site_name.map(squeeze).into_iter().chain(domain).collect();
    let names_site = |part: &str| {
        let part = squeeze(part);
        let long = |text: &str| text.len() >= 4;
        !part.is_empty()
            && names.iter().any(|name| {
                *name == part
                    || long(name)
                        && long(&part)
                        && (part.contains(name.as_str()) || name.contains(&part))
            })
    };
    let mut title = title.trim();
    for separator in TITLE_SEPARATORS {
        if let Some((rest, last)) = title.rsplit_once(separator)
            && names_site(last)
        {
            title = rest.trim();
        }
        if let Some((first, rest)) = title.split_once(separator)
            && names_site(first)
        {
            title = rest.trim();
        }
    }
    title.to_string()
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

    #[test]
    fn titles_lose_the_site_name_around_them_and_keep_their_own_dashes() {
        let title = |title: &str, site: Option<&str>, url: Option<&str>| {
            without_site_name(title, site, url)
        };
        let repubblica = Some("https://www.repubblica.it/politica/2023/10/20/news/manovra-1/");
        assert_eq!(
            title(
                "Manovra, via libera alla Camera - la Repubblica",
                None,
                repubblica
            ),
            "Manovra, via libera alla Camera"
        );
        assert_eq!(
            title(
                "Sanità, il piano | Corriere della Sera",
                Some("Corriere della Sera"),
                None
            ),
            "Sanità, il piano"
        );
        assert_eq!(
            title(
                "IGN | Le novità del mese",
                None,
                Some("https://ign.com/articles/x")
            ),
            "Le novità del mese"
        );
        assert_eq!(
            title(
                "Maltempo - allerta rossa in Liguria",
                Some("Il Secolo XIX"),
                repubblica
            ),
            "Maltempo - allerta rossa in Liguria"
        );
    }

    #[test]
    fn the_date_falls_back_to_the_web_address() {
        let page = r#"<html><head><title>Titolo</title>
            <link rel="canonical" href="https://esempio.it/cronaca/2023/10/08/titolo-123/">
            </head><body><p>Testo.</p></body></html>"#;
        let article = parse(page, &origin()).unwrap();
        assert_eq!(article.date, NaiveDate::from_ymd_opt(2023, 10, 8));
    }
}
