//! Output for people: results, statistics and tokens as aligned text, with matched words in
//! colour when writing to a terminal.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::index::Stats;
use crate::ingest::Article;
use crate::search::{Facets, SearchResults, Snippet};

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

/// Width of the longest bar in the month chart.
const BAR_WIDTH: u64 = 40;

/// `--facets`: sections as a compact table, months as a bar chart (the story's timeline).
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
    writeln!(out, "{}", style.paint(BOLD, "months"))?;
    let most = facets.month.values().copied().max().unwrap_or(1).max(1);
    for (month, count) in timeline(&facets.month) {
        let bar = "█".repeat(((count * BAR_WIDTH).div_ceil(most)) as usize);
        writeln!(
            out,
            "  {month:<7}  {count:>6}  {}",
            style.paint(MATCH, &bar)
        )?;
    }
    Ok(())
}

/// Longest stretch of months drawn with its empty months: a gap in the story is visible.
const MAX_TIMELINE_MONTHS: i32 = 240;

/// The months of a facet in order, the empty ones between them included when the span is short;
/// undated matches last.
fn timeline(months: &BTreeMap<String, u64>) -> Vec<(String, u64)> {
    let index = |key: &str| -> Option<i32> {
        let (y, m) = key.split_once('-')?;
        Some(y.parse::<i32>().ok()? * 12 + m.parse::<i32>().ok()? - 1)
    };
    let as_is = || months.iter().map(|(k, v)| (k.clone(), *v)).collect();
    let known: Vec<i32> = months.keys().filter_map(|k| index(k)).collect();
    let (Some(&first), Some(&last)) = (known.first(), known.last()) else {
        return as_is();
    };
    if last - first >= MAX_TIMELINE_MONTHS {
        return as_is();
    }
    let mut out: Vec<(String, u64)> = (first..=last)
        .map(|n| {
            let key = format!("{:04}-{:02}", n / 12, n % 12 + 1);
            let count = months.get(&key).copied().unwrap_or(0);
            (key, count)
        })
        .collect();
    out.extend(
        months
            .iter()
            .filter(|(k, _)| index(k).is_none())
            .map(|(k, v)| (k.clone(), *v)),
    );
    out
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
mod tests {
    use super::*;

    #[test]
    fn the_timeline_shows_empty_months_between() {
        let months: BTreeMap<String, u64> = [("2023-11", 2), ("2024-02", 1), ("(none)", 3)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let keys: Vec<String> = timeline(&months).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["2023-11", "2023-12", "2024-01", "2024-02", "(none)"]);
    }
}
