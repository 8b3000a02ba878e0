//! The article's text out of a whole web page: what a reader would copy, without the menus,
//! share bars, related links, banners and comments around it.
//!
//! Three extractors read the page and vote: trafilatura's rules (the `trafilatura` crate),
//! Mozilla Readability's scoring (`dom_smoothie`), and this module's own reading of the page's
//! structure (the `articleBody`, `<article>` or `<main>` element, furniture left out by tag,
//! role, class and link density). Each is wrong on its own kind of page: one cuts an article
//! short, another keeps a comment thread. The text that agrees best with the other two wins,
//! agreement measured as the share of four-word shingles in common (as extraction benchmarks
//! score); when the two cheaper ones already agree, the third is not asked (see [`AGREED`]).
//! `benches/extraction.rs` measures the vote and each voter on real pages.

use std::panic::{AssertUnwindSafe, catch_unwind};

use rustc_hash::FxHashMap;
use scraper::{ElementRef, Html, Node, Selector};

use super::squeeze_spaces;

/// When the structure reading and Readability agree this much (F1 of their shingles), the third
/// vote could only choose between near-identical texts: Readability's is taken without asking
/// trafilatura, which costs as much as the other two together (its cost and the F1 it keeps
/// are in BENCHMARKS.md, from `benches/extraction.rs`).
const AGREED: f64 = 0.95;

/// The article text of a parsed page (`page` is `html` parsed), paragraphs separated by blank
/// lines; empty when no extractor finds any.
pub(crate) fn article_text(html: &str, page: &Html) -> String {
    let (own, readability) = (structure(page), readability_text(html));
    if overlap_f1(&shingles(&own), &shingles(&readability)) >= AGREED {
        return readability;
    }
    vote(vec![own, trafilatura_text(html), readability])
}

/// The candidate that agrees best with the others; on a tie, the earlier one.
fn vote(candidates: Vec<String>) -> String {
    let best = {
        let shingles: Vec<_> = candidates.iter().map(|text| shingles(text)).collect();
        let agreement = |i: usize| -> f64 {
            (0..shingles.len())
                .filter(|&j| j != i)
                .map(|j| overlap_f1(&shingles[i], &shingles[j]))
                .sum()
        };
        (1..candidates.len()).fold(0, |best, i| {
            if agreement(i) > agreement(best) {
                i
            } else {
                best
            }
        })
    };
    candidates.into_iter().nth(best).unwrap_or_default()
}

/// A text's four-word shingles, counted.
pub type Shingles<'a> = FxHashMap<[&'a str; 4], u32>;

/// The multiset of four-word shingles of `text`; its words are runs of letters, digits and `_`
/// (`\w+`), as extraction benchmarks count them.
pub fn shingles(text: &str) -> Shingles<'_> {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .collect();
    let mut counts = FxHashMap::default();
    for window in words.windows(4) {
        *counts
            .entry([window[0], window[1], window[2], window[3]])
            .or_insert(0) += 1;
    }
    counts
}

/// How many shingles two texts share, counted as multisets.
pub fn common(a: &Shingles, b: &Shingles) -> u32 {
    a.iter()
        .map(|(shingle, n)| (*n).min(b.get(shingle).copied().unwrap_or(0)))
        .sum()
}

/// F1 of two shingle multisets: how much of each is in the other.
fn overlap_f1(a: &Shingles, b: &Shingles) -> f64 {
    let total = a.values().sum::<u32>() + b.values().sum::<u32>();
    if total == 0 {
        return 0.0;
    }
    2.0 * f64::from(common(a, b)) / f64::from(total)
}

/// The text as trafilatura's rules find it; empty if they find none (or fail).
pub fn trafilatura_text(html: &str) -> String {
    // Its metadata is not used: the page's own is read in `html.rs`.
    let mut options = trafilatura::Options::default();
    options.html_date_mode = trafilatura::HtmlDateMode::Disabled;
    // Its plain text runs paragraphs together; its HTML keeps them.
    let found = guarded(|| {
        trafilatura::extract(html, &options)
            .map(|result| result.content_html)
            .unwrap_or_default()
    });
    fragment_text(&found)
}

/// The text as Readability's scoring finds it; empty if it finds none (or fails).
pub fn readability_text(html: &str) -> String {
    let found = guarded(|| {
        // Formatted: one line per paragraph, as the other voters give it.
        let config = dom_smoothie::Config {
            text_mode: dom_smoothie::TextMode::Formatted,
            ..Default::default()
        };
        dom_smoothie::Readability::new(html, None, Some(config))
            .and_then(|mut reader| reader.parse())
            .map(|article| article.text_content.to_string())
            .unwrap_or_default()
    });
    found
        .lines()
        .filter_map(non_empty)
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Runs a third-party extractor so that a panic on a strange page costs only its vote.
fn guarded(extract: impl FnOnce() -> String) -> String {
    catch_unwind(AssertUnwindSafe(extract)).unwrap_or_default()
}

/// The text of the page's article element as this module reads it: class and id names of
/// furniture are trusted unless that leaves less than a short article, as Readability does.
pub fn structure(page: &Html) -> String {
    let article = |by_name| {
        CONTAINERS
            .iter()
            .filter_map(|css| page.select(&selector(css)).next())
            .map(|container| paragraphs(container, by_name))
            .find(|body| !body.is_empty())
            .unwrap_or_default()
    };
    let strict = article(true);
    if strict.len() >= SHORT_ARTICLE {
        return strict;
    }
    let lenient = article(false);
    if lenient.len() > strict.len() {
        lenient
    } else {
        strict
    }
}

/// Fewer characters than this and the class and id rules are suspected of cutting the article.
const SHORT_ARTICLE: usize = 500;

fn selector(css: &str) -> Selector {
    // Only called with the constant selectors of this module.
    Selector::parse(css).expect("selectors in extract.rs are valid CSS")
}

fn non_empty(text: &str) -> Option<String> {
    let text = squeeze_spaces(text);
    (!text.is_empty()).then_some(text)
}

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

/// The text of an HTML fragment (a JSON `content` field holding markup), paragraphs kept.
pub(crate) fn fragment_text(html: &str) -> String {
    paragraphs(Html::parse_fragment(html).root_element(), false)
}

/// The text of `container`, one paragraph per block element, skipping non-article elements.
fn paragraphs(container: ElementRef, by_name: bool) -> String {
    let mut out = Vec::new();
    let mut current = Current::default();
    collect(container, &mut out, &mut current, false, by_name);
    flush(&mut out, &mut current);
    out.join("\n\n")
}

/// The paragraph being gathered: its text and how much of it is inside links.
#[derive(Default)]
struct Current {
    text: String,
    linked: usize,
}

fn flush(out: &mut Vec<String>, current: &mut Current) {
    if let Some(paragraph) = non_empty(&current.text) {
        // A block that is mostly links is a menu, a list of related articles or a tag cloud.
        let words = current.text.len();
        if current.linked * 2 <= words {
            out.push(paragraph);
        }
    }
    current.text.clear();
    current.linked = 0;
}

/// Class and id words of page furniture, as Mozilla's Readability lists them.
const UNLIKELY: &[&str] = &[
    "-ad-",
    "banner",
    "breadcrumb",
    "combx",
    "comment",
    "community",
    "cover-wrap",
    "disqus",
    "extra",
    "footer",
    "gdpr",
    "header",
    "legends",
    "menu",
    "related",
    "remark",
    "replies",
    "rss",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "social",
    "sponsor",
    "supplemental",
    "ad-break",
    "agegate",
    "pagination",
    "pager",
    "popup",
    "newsletter",
    "cookie",
    "subscribe",
];
const MAYBE: &[&str] = &[
    "and", "article", "body", "column", "content", "main", "shadow",
];
const FURNITURE_ROLES: &[&str] = &[
    "navigation",
    "complementary",
    "banner",
    "contentinfo",
    "menu",
    "menubar",
    "dialog",
    "alert",
    "search",
];

fn is_furniture(e: &scraper::node::Element, by_name: bool) -> bool {
    if e.attr("hidden").is_some() || e.attr("aria-hidden") == Some("true") {
        return true;
    }
    if e.attr("role")
        .is_some_and(|role| FURNITURE_ROLES.contains(&role))
    {
        return true;
    }
    if e.attr("style").is_some_and(|style| {
        let style: String = style.chars().filter(|c| !c.is_whitespace()).collect();
        let style = style.to_ascii_lowercase();
        style.contains("display:none") || style.contains("visibility:hidden")
    }) {
        return true;
    }
    if !by_name || matches!(e.name(), "body" | "html" | "article" | "main" | "a") {
        return false;
    }
    let names = format!(
        "{} {}",
        e.attr("class").unwrap_or(""),
        e.attr("id").unwrap_or("")
    )
    .to_ascii_lowercase();
    UNLIKELY.iter().any(|word| names.contains(word))
        && !MAYBE.iter().any(|word| names.contains(word))
}

fn collect(
    element: ElementRef,
    out: &mut Vec<String>,
    current: &mut Current,
    in_link: bool,
    by_name: bool,
) {
    for child in element.children() {
        match child.value() {
            Node::Text(text) => {
                current.text.push_str(text);
                if in_link {
                    current.linked += text.len();
                }
            }
            Node::Element(e) => {
                let name = e.name();
                if SKIPPED.contains(&name) || is_furniture(e, by_name) {
                    continue;
                }
                let block = BLOCKS.contains(&name);
                if block {
                    flush(out, current);
                }
                if let Some(child) = ElementRef::wrap(child) {
                    collect(child, out, current, in_link || name == "a", by_name);
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

    /// A news page as sites serve them: the article among menus, a share bar, related links,
    /// a newsletter box, a comment thread and the footer.
    fn page() -> String {
        let paragraph = |n: usize| {
            format!(
                "<p>Il consiglio comunale ha discusso per la {n}ª volta il piano dei trasporti, \
                 con le linee del tram, le corsie preferenziali e i parcheggi di scambio alle \
                 porte della città, tra le proteste dei commercianti del centro.</p>"
            )
        };
        let article: String = (1..=6).map(paragraph).collect();
        format!(
            r#"<!doctype html><html><head><title>Tram e parcheggi - Gazzetta di Esempio</title></head>
            <body>
            <div class="top-menu"><a href="/">Home</a> <a href="/cronaca">Cronaca</a> <a href="/sport">Sport</a></div>
            <div class="main-content"><article>
              <h1>Tram e parcheggi, il piano arriva in consiglio</h1>
              <div class="social-share"><a href="/s">Facebook</a> <a href="/s">X</a> <a href="/s">WhatsApp</a></div>
              {article}
              <div class="newsletter-box"><p>Iscriviti alla newsletter della Gazzetta: ogni mattina le notizie della città nella tua casella di posta.</p></div>
            </article>
            <ul class="related-articles">
              <li><a href="/a">Il sindaco presenta il bilancio della città per il prossimo anno</a></li>
              <li><a href="/b">Nuove piste ciclabili lungo il fiume entro la fine della primavera</a></li>
              <li><a href="/c">Chiude lo storico cinema del centro dopo settant'anni di attività</a></li>
            </ul>
            <section id="comments"><h3>Commenti</h3>
              <p>Mario: finalmente una buona notizia per chi viaggia ogni giorno verso il centro.</p>
              <p>Lucia: i parcheggi non bastano, servono più corse la sera e nei giorni di festa.</p>
            </section></div>
            <footer>© Gazzetta di Esempio. Tutti i diritti riservati. P.IVA 0123456789</footer>
            </body></html>"#
        )
    }

    #[test]
    fn the_article_is_kept_and_the_furniture_around_it_left_out() {
        let html = page();
        let text = article_text(&html, &Html::parse_document(&html));
        for n in 1..=6 {
            assert!(text.contains(&format!("per la {n}ª volta")), "{text}");
        }
        for furniture in [
            "Cronaca",
            "WhatsApp",
            "newsletter",
            "piste ciclabili",
            "Lucia",
            "P.IVA",
        ] {
            assert!(!text.contains(furniture), "{furniture} kept in {text}");
        }
        let paragraphs = text.split("\n\n").filter(|p| p.starts_with("Il consiglio"));
        assert_eq!(paragraphs.count(), 6, "one paragraph each: {text}");
    }

    #[test]
    fn each_voter_reads_the_page() {
        let html = page();
        for (name, text) in [
            // Paragraphs are kept apart by every voter.
            ("structure", structure(&Html::parse_document(&html))),
            ("trafilatura", trafilatura_text(&html)),
            ("readability", readability_text(&html)),
        ] {
            assert!(
                text.contains("del centro.\n\nIl consiglio"),
                "{name}: {text}"
            );
        }
    }

    #[test]
    fn the_text_most_in_agreement_wins_the_vote() {
        let article = "il piano dei trasporti arriva in consiglio comunale con le linee del tram";
        let short = "il piano dei trasporti arriva in consiglio";
        let with_comments = format!("{article} Mario dice che finalmente una buona notizia");
        let candidates = vec![
            with_comments.clone(),
            article.to_string(),
            short.to_string(),
        ];
        assert_eq!(vote(candidates), article);
        let nothing = vec![String::new(), String::new(), String::new()];
        assert_eq!(vote(nothing), "");
    }
}
