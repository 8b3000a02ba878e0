//! Runs a query against the index: parse, compile, filter, rank, and make snippets for the page
//! of hits asked for.

pub mod query;
pub mod snippet;

use std::ops::Bound;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{Datelike, NaiveDate};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DateTime, DocAddress, Order, Searcher, TantivyDocument, Term};

use crate::analysis;
use crate::error::QueryError;
use crate::index::{Fields, OpenIndex};
use query::Compiler;
pub use snippet::{Piece, Snippet};

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Relevance,
    /// Newest first.
    Date,
}

/// A search as asked for.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub query: String,
    pub limit: usize,
    pub offset: usize,
    /// Inclusive bounds on the publication date.
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    /// Any of these sections (case and accents ignored).
    pub sections: Vec<String>,
    pub sort: Sort,
}

/// One ranked article.
#[derive(Debug, Clone)]
pub struct Hit {
    pub rank: usize,
    pub score: f32,
    pub id: String,
    pub path: String,
    pub title: String,
    pub section: Option<String>,
    pub date: Option<NaiveDate>,
    pub url: Option<String>,
    pub title_snippet: Snippet,
    pub snippet: Snippet,
}

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone)]
pub struct SearchResults {
    pub query: String,
    pub total_hits: usize,
    pub took: Duration,
    /// True when no article had every word, and articles with some of them are shown instead.
    pub relaxed: bool,
    pub hits: Vec<Hit>,
}

/// Runs `request` on an open index.
pub fn search(opened: &OpenIndex, request: &SearchRequest) -> anyhow::Result<SearchResults> {
    let started = Instant::now();
    let fields = opened.schema.fields;
    let tree = query::parse(&request.query)?;
    let filters = filters(&fields, request)?;
    let reader = opened.index.reader().context("cannot read the index")?;
    let searcher = reader.searcher();

    let mut compiler = Compiler::new(&fields);
    let strict = with_filters(compiler.compile(&tree, false)?, &filters);
    let mut relaxed = false;
    let (mut total_hits, mut found) = collect(&searcher, strict.as_ref(), request)?;
    if total_hits == 0 && query::is_plain_words(&tree) {
        let loose = with_filters(compiler.compile(&tree, true)?, &filters);
        (total_hits, found) = collect(&searcher, loose.as_ref(), request)?;
        relaxed = total_hits > 0;
    }

    let mut snippeter = snippet::Snippeter::new(compiler.highlight);
    let hits = found
        .into_iter()
        .enumerate()
        .map(|(i, (score, address))| {
            let doc: TantivyDocument = searcher
                .doc(address)
                .context("cannot read an article from the index")?;
            let text = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            };
            let title = text(fields.title).unwrap_or_default();
            let body = text(fields.body).unwrap_or_default();
            Ok(Hit {
                rank: request.offset + i + 1,
                score,
                id: text(fields.id).unwrap_or_default(),
                path: text(fields.path).unwrap_or_default(),
                title_snippet: snippeter.title(&title),
                snippet: snippeter.body(&body),
                title,
                section: text(fields.section),
                date: doc
                    .get_first(fields.date)
                    .and_then(|v| v.as_datetime())
                    .and_then(|d| chrono::DateTime::from_timestamp(d.into_timestamp_secs(), 0))
                    .map(|d| d.date_naive()),
                url: text(fields.url),
            })
        })
        .collect::<anyhow::Result<Vec<Hit>>>()?;
    Ok(SearchResults {
        query: request.query.clone(),
        total_hits,
        took: started.elapsed(),
        relaxed,
        hits,
    })
}

fn collect(
    searcher: &Searcher,
    query: &dyn Query,
    request: &SearchRequest,
) -> anyhow::Result<(usize, Vec<(f32, DocAddress)>)> {
    let limit = request.limit.max(1);
    let top = TopDocs::with_limit(limit).and_offset(request.offset);
    let (total, hits) = match request.sort {
        Sort::Relevance => searcher.search(query, &(Count, top.order_by_score()))?,
        Sort::Date => {
            let (total, hits) = searcher.search(
                query,
                &(
                    Count,
                    top.order_by_fast_field::<DateTime>(Fields::DATE, Order::Desc),
                ),
            )?;
            // Ordered by date, hits carry no relevance score.
            (total, hits.into_iter().map(|(_, a)| (0.0, a)).collect())
        }
    };
    let hits = if request.limit == 0 { vec![] } else { hits };
    Ok((total, hits))
}

/// The clauses `--since`, `--until` and `--section` add.
fn filters(fields: &Fields, request: &SearchRequest) -> Result<Vec<Box<dyn Query>>, QueryError> {
    let mut filters: Vec<Box<dyn Query>> = Vec::new();
    if request.since.is_some() || request.until.is_some() {
        if let (Some(since), Some(until)) = (request.since, request.until)
            && since > until
        {
            return Err(QueryError(format!(
                "--since {since} is after --until {until}"
            )));
        }
        let term = |date: NaiveDate| {
            let seconds = date
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc()
                .timestamp();
            Term::from_field_date(fields.date, DateTime::from_timestamp_secs(seconds))
        };
        let lower = request
            .since
            .map_or(Bound::Unbounded, |d| Bound::Included(term(d)));
        let upper = request
            .until
            .map_or(Bound::Unbounded, |d| Bound::Included(term(d)));
        filters.push(Box::new(RangeQuery::new(lower, upper)));
    }
    if !request.sections.is_empty() {
        let mut keyword = analysis::keyword();
        let any_section = request
            .sections
            .iter()
            .filter_map(|name| analysis::tokens(&mut keyword, name.trim()).pop())
            .map(|token| {
                let term = Term::from_field_text(fields.section, &token.text);
                (
                    Occur::Should,
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>,
                )
            })
            .collect();
        filters.push(Box::new(BooleanQuery::new(any_section)));
    }
    Ok(filters)
}

fn with_filters(query: Box<dyn Query>, filters: &[Box<dyn Query>]) -> Box<dyn Query> {
    if filters.is_empty() {
        return query;
    }
    let mut clauses = vec![(Occur::Must, query)];
    // Filters restrict without scoring.
    clauses.extend(filters.iter().map(|f| {
        (
            Occur::Must,
            Box::new(tantivy::query::ConstScoreQuery::new(f.box_clone(), 0.0)) as Box<dyn Query>,
        )
    }));
    Box::new(BooleanQuery::new(clauses))
}

/// Reads a date bound as people write it: `2023-09-13`, `2023-09` or `2023`. A month or year
/// means its first day for `--since` and its last for `--until`.
pub fn parse_date_bound(text: &str, end: bool) -> Result<NaiveDate, QueryError> {
    let bad = || {
        QueryError(format!(
            "`{text}` is not a date: use YYYY-MM-DD, YYYY-MM or YYYY"
        ))
    };
    let parts: Vec<&str> = text.trim().split('-').collect();
    let number = |s: &str| s.parse::<u32>().map_err(|_| bad());
    let date = match parts.as_slice() {
        [y, m, d] if y.len() == 4 => {
            NaiveDate::from_ymd_opt(number(y)? as i32, number(m)?, number(d)?)
        }
        [y, m] if y.len() == 4 => {
            let first =
                NaiveDate::from_ymd_opt(number(y)? as i32, number(m)?, 1).ok_or_else(bad)?;
            if end {
                let next = first
                    .checked_add_months(chrono::Months::new(1))
                    .ok_or_else(bad)?;
                next.pred_opt()
            } else {
                Some(first)
            }
        }
        [y] if y.len() == 4 => {
            let year = number(y)? as i32;
            if end {
                NaiveDate::from_ymd_opt(year, 12, 31)
            } else {
                NaiveDate::from_ymd_opt(year, 1, 1)
            }
        }
        _ => None,
    };
    date.filter(|d| d.year() > 0).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_bounds_accept_days_months_and_years() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            parse_date_bound("2023-09-13", false).unwrap(),
            d(2023, 9, 13)
        );
        assert_eq!(parse_date_bound("2023-02", true).unwrap(), d(2023, 2, 28));
        assert_eq!(parse_date_bound("2023-09", false).unwrap(), d(2023, 9, 1));
        assert_eq!(parse_date_bound("2023", true).unwrap(), d(2023, 12, 31));
        assert!(parse_date_bound("13/09/2023", false).is_err());
        assert!(parse_date_bound("2023-13", false).is_err());
    }
}
