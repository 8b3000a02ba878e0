//! Output for people: results, statistics and tokens as aligned text, with matched words in
//! colour when writing to a terminal.

use std::io::{self, Write};

use super::timeline;
use crate::archive::Stats;
use crate::index::IndexReport;
use crate::ingest::Article;
use crate::search::{Facets, SearchResults, Snippet, typo};

const BOLD: &str = "\x1b[1m";
const MATCH: &str = "\x1b[1;31m";
const DIM: &str = "\x1b[2m";
const PATH: &str = "\x1b[35m";
const RESET: &str = "\x1b[0m";

/// Colours for a terminal, or nothing at all.
#[derive(Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(self, code: &str, text: &str) -> String {
        if self.color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_string()
        }
    }

    /// A snippet with its matched words in colour (plain text without colour).
    fn snippet(self, snippet: &Snippet, base: &str) -> String {
        snippet
            .pieces
            .iter()
            .map(|piece| {
                if piece.marked {
                    let painted = self.paint(MATCH, &piece.text);
                    // Restore the surrounding style after the match.
                    if self.color && !base.is_empty() {
                        format!("{painted}{base}")
                    } else {
                        painted
                    }
                } else {
                    piece.text.clone()
                }
            })
            .collect()
    }
}

/// Search results: rank and title, then section, date and path, then the snippet.
pub fn results(results: &SearchResults, style: Style, out: &mut impl Write) -> io::Result<()> {
    for hit in &results.hits {
        let title = if hit.title.is_empty() {
            "(senza titolo)".to_string()
        } else {
            style.snippet(&hit.title_snippet, BOLD)
        };
        writeln!(out, "{}. {}", hit.rank, style.paint(BOLD, &title))?;
        let mut meta: Vec<String> = Vec::new();
        meta.extend(hit.section.clone());
        meta.extend(hit.date.map(|d| d.to_string()));
        meta.push(style.paint(PATH, &hit.path));
        match hit.copies.len() {
            0 => {}
            1 => meta.push("+1 copy".into()),
            n => meta.push(format!("+{n} copies")),
        }
        if let Some(shared) = hit.shared {
            meta.push(format!("{:.0}% of the passage", shared * 100.0));
        }
        writeln!(out, "   {}", meta.join(" · "))?;
        if hit.fragments.is_empty() {
            writeln!(out, "   {}", style.snippet(&hit.snippet, ""))?;
        }
        for fragment in &hit.fragments {
            writeln!(out, "   {}", style.snippet(fragment, ""))?;
        }
        writeln!(out)?;
    }
    if let Some(facets) = &results.facets {
        self::facets(facets, style, out)?;
    }
    Ok(())
}

/// `--facets`: sections as a compact table, then the timeline as a bar chart that fits a screen
/// (see [`timeline`]).
fn facets(facets: &Facets, style: Style, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "{}", style.paint(BOLD, "sections"))?;
    let mut sections: Vec<_> = facets.section.iter().collect();
    sections.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let width = sections
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    for (name, count) in sections {
        writeln!(out, "  {name:<width$}  {count:>6}")?;
    }
    let timeline = timeline::timeline(&facets.month, facets.interval);
    writeln!(
        out,
        "{}",
        style.paint(BOLD, &format!("by {}", timeline.interval.name()))
    )?;
    let label_width = timeline
        .rows
        .iter()
        .map(|(l, _)| l.len())
        .max()
        .unwrap_or(0);
    let most = timeline.rows.iter().map(|(_, c)| *c).max().unwrap_or(0);
    let bar_width = timeline::bar_width(label_width);
    for (label, count) in &timeline.rows {
        let bar = timeline::bar(*count, most, bar_width);
        writeln!(
            out,
            "  {label:<label_width$}  {count:>6}  {}",
            style.paint(MATCH, &bar)
        )?;
    }
    if timeline.undated > 0 {
        writeln!(out, "  undated: {}", timeline.undated)?;
    }
    Ok(())
}

/// The one-line summary of an indexing run.
pub fn index_summary(report: &IndexReport) -> String {
    let skipped: u64 = report.skipped.values().sum();
    let reasons: Vec<String> = report
        .skipped
        .iter()
        .map(|(reason, count)| format!("{count} {reason}"))
        .collect();
    let rate = if report.seconds > 0.0 {
        report.indexed as f64 / report.seconds
    } else {
        0.0
    };
    format!(
        "indexed {} articles from {} files in {:.2} s ({:.0} articles/s): {} new, {} changed, {} unchanged, {} removed files; {} duplicates; {} skipped{}; {} articles searchable",
        report.indexed,
        report.files,
        report.seconds,
        rate,
        report.new,
        report.changed,
        report.unchanged,
        report.removed,
        report.duplicates,
        skipped,
        if reasons.is_empty() {
            String::new()
        } else {
            format!(" ({})", reasons.join(", "))
        },
        report.articles,
    )
}

/// What stderr says of a search besides its hits: how the query was read (when punctuation was
/// read as words), that articles with only some of the words are shown, a suggestion.
pub fn search_notes(results: &SearchResults) -> String {
    let mut notes = String::new();
    match &results.read_as {
        Some(reading) if reading.softened => {
            notes += &format!(
                "emeroteca: read as a sentence, its quotes, brackets and question words as preferences: {}\n",
                reading.query
            );
        }
        Some(reading) if reading.forgiven => {
            notes += &format!("emeroteca: read as: {}\n", reading.query);
        }
        _ => {}
    }
    if results
        .read_as
        .as_ref()
        .is_some_and(|reading| reading.typos)
    {
        notes += "emeroteca: nothing as typed; showing the articles found with typos tolerated (as --fuzzy)\n";
    }
    if results.relaxed {
        notes += "emeroteca: no article has all the words; showing articles with some of them\n";
    }
    if let Some(suggestion) = &results.suggestion {
        notes += &format!("emeroteca: did you mean: {suggestion}\n");
    } else if results.unknown_words > typo::MAX_CORRECTED {
        notes += &format!(
            "emeroteca: {} words match no article; corrections are offered for at most {}\n",
            results.unknown_words,
            typo::MAX_CORRECTED
        );
    }
    notes
}

/// The line after a search's hits in text: how many of how many, in how long. The articles
/// missing some words, shown after those with every word, count among the hits.
pub fn hit_count(results: &SearchResults) -> String {
    let (total, partial) = (results.total_hits, results.partial_hits);
    let split = match partial {
        0 => String::new(),
        _ => format!(" ({total} with every word, {partial} with some)"),
    };
    format!(
        "{} of {} hits{split} in {:.1} ms\n",
        results.hits.len(),
        total + partial,
        results.took.as_secs_f64() * 1000.0
    )
}

/// `get`: the stored article, title first.
pub fn article(article: &Article, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "{}", article.title)?;
    let mut meta: Vec<String> = Vec::new();
    meta.extend(article.section.clone());
    meta.extend(article.date.map(|d| d.to_string()));
    meta.push(article.path.clone());
    meta.extend(article.url.clone());
    writeln!(out, "{}", meta.join(" · "))?;
    writeln!(out)?;
    writeln!(out, "{}", article.body)
}

/// `stats`: one figure per line, then articles per section.
pub fn stats(stats: &Stats, style: Style, out: &mut impl Write) -> io::Result<()> {
    let date = |d: Option<chrono::NaiveDate>| d.map_or("-".to_string(), |d| d.to_string());
    writeln!(out, "articles        {}", stats.articles)?;
    writeln!(out, "segments        {}", stats.segments)?;
    writeln!(out, "size            {}", human_bytes(stats.size_bytes))?;
    writeln!(out, "schema version  {}", stats.schema_version)?;
    writeln!(out, "first date      {}", date(stats.first_date))?;
    writeln!(out, "last date       {}", date(stats.last_date))?;
    writeln!(out, "undated         {}", stats.undated)?;
    writeln!(out, "duplicates      {}", stats.duplicates)?;
    if !stats.sections.is_empty() {
        writeln!(out, "{}", style.paint(DIM, "sections"))?;
        let width = stats
            .sections
            .keys()
            .map(|k| k.chars().count())
            .max()
            .unwrap_or(0);
        let mut sections: Vec<_> = stats.sections.iter().collect();
        sections.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (name, count) in sections {
            writeln!(out, "  {name:<width$}  {count:>6}")?;
        }
    }
    Ok(())
}

/// `analyze`: one token per line: position, term, and the text it came from.
pub fn tokens(
    text: &str,
    tokens: &[tantivy::tokenizer::Token],
    out: &mut impl Write,
) -> io::Result<()> {
    let width = tokens
        .iter()
        .map(|t| t.text.chars().count())
        .max()
        .unwrap_or(0);
    for t in tokens {
        writeln!(
            out,
            "{:>4}  {:<width$}  {}",
            t.position,
            t.text,
            &text[t.offset_from..t.offset_to]
        )?;
    }
    Ok(())
}

pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::search::{FieldMatch, Hit, Piece, Reading};

    #[test]
    fn the_timeline_is_drawn_by_its_interval_with_the_undated_apart() {
        let month: BTreeMap<String, u64> = [("2023-11", 4), ("2024-02", 1), ("(none)", 30)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let facets = Facets {
            section: BTreeMap::from([("Esteri".to_string(), 35)]),
            month,
            interval: crate::search::facets::Interval::Month,
        };
        let mut out = Vec::new();
        super::facets(&facets, Style { color: false }, &mut out).unwrap();
        let bars = |n: usize| "█".repeat(n);
        let bar_width = timeline::bar_width(7);
        let expected = format!(
            "sections\n  Esteri      35\nby month\n  2023-11       4  {}\n  2023-12       0  \n  \
             2024-01       0  \n  2024-02       1  {}\n  undated: 30\n",
            bars(bar_width),
            bars(bar_width.div_ceil(4)),
        );
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }

    /// One search's results as the renderers receive them: a hit with a marked word in its
    /// title and snippet, a query read kindly, articles missing a word.
    pub(crate) fn sample_results() -> SearchResults {
        let marked = |before: &str, word: &str, after: &str| Snippet {
            pieces: vec![
                Piece {
                    text: before.into(),
                    marked: false,
                },
                Piece {
                    text: word.into(),
                    marked: true,
                },
                Piece {
                    text: after.into(),
                    marked: false,
                },
            ],
        };
        SearchResults {
            query: "Corea: missili".into(),
            read_as: Some(Reading {
                query: "Corea missili".into(),
                softened: false,
                forgiven: true,
                typos: false,
            }),
            total_hits: 1,
            took: std::time::Duration::from_micros(1500),
            relaxed: false,
            partial_hits: 2,
            suggestion: None,
            unknown_words: 0,
            facets: None,
            hits: vec![Hit {
                rank: 1,
                score: 7.25,
                id: "ab12".into(),
                path: "c/2023/09/14/000_ab12.txt".into(),
                title: "Pyongyang lancia due missili".into(),
                section: Some("Esteri".into()),
                date: chrono::NaiveDate::from_ymd_opt(2023, 9, 14),
                url: None,
                title_snippet: marked("Pyongyang lancia due ", "missili", ""),
                snippet: marked("All’alba due ", "missili", " balistici <corto raggio> …"),
                fragments: Vec::new(),
                copies: vec!["c0ffee".into(), "beef".into()],
                shared: None,
                matches: vec![FieldMatch {
                    field: "title",
                    start: 21,
                    end: 28,
                }],
            }],
        }
    }

    #[test]
    fn search_results_in_text_whole() {
        let results = sample_results();
        let mut out = Vec::new();
        super::results(&results, Style { color: false }, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "1. Pyongyang lancia due missili\n   Esteri · 2023-09-14 · c/2023/09/14/000_ab12.txt · +2 copies\n   \
             All’alba due missili balistici <corto raggio> …\n\n"
        );
        let mut coloured = Vec::new();
        super::results(&results, Style { color: true }, &mut coloured).unwrap();
        let coloured = String::from_utf8(coloured).unwrap();
        assert!(coloured.starts_with("1. \x1b[1mPyongyang lancia due \x1b[1;31mmissili\x1b[0m"));
        assert_eq!(
            search_notes(&results),
            "emeroteca: read as: Corea missili\n"
        );
        assert_eq!(
            hit_count(&results),
            "1 of 3 hits (1 with every word, 2 with some) in 1.5 ms\n"
        );
    }

    #[test]
    fn the_index_summary_whole() {
        let report = IndexReport {
            articles: 51,
            new: 42,
            files: 43,
            indexed: 51,
            seconds: 0.5,
            skipped: [("unsupported", 1)].into_iter().collect(),
            ..IndexReport::default()
        };
        assert_eq!(
            index_summary(&report),
            "indexed 51 articles from 43 files in 0.50 s (102 articles/s): 42 new, 0 changed, \
             0 unchanged, 0 removed files; 0 duplicates; 1 skipped (1 unsupported); 51 articles \
             searchable"
        );
    }
}
