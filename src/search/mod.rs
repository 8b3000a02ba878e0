//! Runs a query against the index: parse, compile, filter, rank, and make snippets for the page
//! of hits asked for.

mod clause;
pub(crate) mod compile;
mod dates;
pub mod facets;
pub(crate) mod highlight;
pub(crate) mod home;
mod near;
pub(crate) mod passage;
pub(crate) mod query;
mod rank;
pub(crate) mod sentence;
pub mod snippet;
mod stories;
pub(crate) mod typo;
mod union;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::NaiveDate;
use tantivy::collector::TopDocs;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, MoreLikeThisQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{IndexRecordOption, OwnedValue, Value};
use tantivy::{Searcher, TantivyDocument, Term};

use crate::error::QueryError;
use crate::index::{self, Fields, OpenIndex};
pub(crate) use clause::{Clause, Occurs, On};
pub use dates::parse_date_bound;
pub use facets::Facets;
use highlight::Highlight;
use home::Home;
pub use snippet::{Piece, Snippet};

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, serde::Deserialize)]
#[serde(try_from = "String")]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// Newest first.
    Date,
    /// Oldest first.
    Oldest,
}

impl std::str::FromStr for Sort {
    type Err = String;

    /// The order named as on the command line: `relevance`, `date` or `oldest`.
    fn from_str(name: &str) -> Result<Sort, String> {
        match name {
            "relevance" => Ok(Sort::Relevance),
            "date" => Ok(Sort::Date),
            "oldest" => Ok(Sort::Oldest),
            other => Err(format!("unknown sort `{other}`: relevance, date or oldest")),
        }
    }
}

impl TryFrom<String> for Sort {
    type Error = String;

    fn try_from(name: String) -> Result<Sort, String> {
        name.parse()
    }
}

/// A search as asked for.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    /// The query; may be empty with `like`.
    pub query: String,
    pub limit: usize,
    pub offset: usize,
    /// Inclusive bounds on the publication date.
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    /// Any of these sections (case and accents ignored).
    pub sections: Vec<String>,
    /// Any of these sources.
    pub sources: Vec<String>,
    pub sort: Sort,
    /// Tolerate typos in plain words.
    pub fuzzy: bool,
    /// Count the matches per section and month.
    pub facets: bool,
    /// The period of the facets' timeline; chosen to fit a screen when `None`.
    pub interval: Option<facets::Interval>,
    /// Passages per hit beyond the snippet (0: the snippet only).
    pub fragments: usize,
    /// Articles like this one (by id).
    pub like: Option<String>,
    /// Make snippets and match positions (a caller that shows none asks for none).
    pub snippets: bool,
    /// Show every copy of a story as a hit of its own, and count it in totals and facets.
    pub all_copies: bool,
    /// Find the articles that hold this text (see [`passage`]) rather than the query.
    pub passage: Option<String>,
}

/// Where a matched word is, in characters from the start of a stored field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldMatch {
    pub field: &'static str,
    pub start: usize,
    pub end: usize,
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
    /// The best passages, best first (`fragments` of the request; empty when not asked for).
    pub fragments: Vec<Snippet>,
    pub matches: Vec<FieldMatch>,
    /// The ids of the other articles of its story (copies of it, or it of them).
    pub copies: Vec<String>,
    /// With a passage: the share of its runs of words this article holds.
    pub shared: Option<f32>,
}

impl Hit {
    /// A hit for a stored article, without snippets or matches yet.
    pub(crate) fn of(
        article: crate::ingest::Article,
        rank: usize,
        score: f32,
        copies: Vec<String>,
    ) -> Hit {
        Hit {
            rank,
            score,
            id: article.id,
            path: article.path,
            title: article.title,
            section: article.section,
            date: article.date,
            url: article.url,
            title_snippet: Snippet::default(),
            snippet: Snippet::default(),
            fragments: Vec::new(),
            matches: Vec::new(),
            copies,
            shared: None,
        }
    }
}

impl Hit {
    /// Marks what `snippeter` looks for in the title and the article's `body`: the title
    /// whole, the best passage as the snippet, `fragments` passages besides when asked for, and
    /// where each marked word is. `positions` are where the index says the body's matched
    /// words stand, when it can say (else the body is analysed again).
    pub(crate) fn mark(
        &mut self,
        body: &str,
        snippeter: &mut snippet::Snippeter,
        positions: Option<BTreeMap<u32, String>>,
        fragments: usize,
    ) {
        let title_matches = snippeter.matches(&self.title, true);
        let body_matches = match positions {
            Some(positions) => snippeter.matches_at(body, &positions),
            None => snippeter.matches(body, false),
        };
        self.title_snippet = snippet::whole(&self.title, &title_matches);
        let mut passages = snippet::passages(body, &body_matches, fragments.max(1));
        // An empty body has no passage: the snippet is empty, as it should show.
        self.snippet = passages.first().cloned().unwrap_or_default();
        if fragments > 0 {
            self.fragments = std::mem::take(&mut passages);
        }
        self.matches = char_ranges("title", &self.title, &title_matches);
        self.matches
            .extend(char_ranges("body", body, &body_matches));
    }
}

/// Byte ranges of matches as character ranges into `text`.
fn char_ranges(field: &'static str, text: &str, matches: &[snippet::Match]) -> Vec<FieldMatch> {
    let mut chars = 0;
    let mut at = 0;
    matches
        .iter()
        .map(|m| {
            chars += text[at..m.start].chars().count();
            let start = chars;
            chars += text[m.start..m.end].chars().count();
            at = m.end;
            FieldMatch {
                field,
                start,
                end: chars,
            }
        })
        .collect()
}

/// How a query was read: in the query language, and whether punctuation that looks like syntax
/// was read as words (an unknown `Word:`, a spaced dash, an unclosed quote…).
#[derive(Debug, Clone)]
pub struct Reading {
    pub query: String,
    pub forgiven: bool,
    /// Quotes, brackets or question words of a sentence were read as preferences (see
    /// [`sentence`]).
    pub softened: bool,
    /// A question that found nothing as typed was asked again with typos tolerated.
    pub typos: bool,
}

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone)]
pub struct SearchResults {
    pub query: String,
    /// How the query was read (none for `--like` alone).
    pub read_as: Option<Reading>,
    pub total_hits: usize,
    pub took: Duration,
    /// True when no article had every word, and articles with some of them are shown instead.
    pub relaxed: bool,
    /// Articles missing some of the query's words, ranked after the `total_hits` that have them
    /// all: those missing one first (see [`compile::Words`]).
    pub partial_hits: usize,
    /// The query with its unknown words corrected, when some word matched nothing.
    pub suggestion: Option<String>,
    /// The query's plain words that match no article (counted where `suggestion` is looked for).
    pub unknown_words: usize,
    pub facets: Option<Facets>,
    pub hits: Vec<Hit>,
}

/// Runs `request` on an open index: parse, compile, collect and rank, then fetch and mark the
/// page of hits.
pub fn search(opened: &OpenIndex, request: &SearchRequest) -> anyhow::Result<SearchResults> {
    let started = Instant::now();
    let fields = opened.schema.fields;
    let searcher = opened.reader.searcher();
    let mut parsed = parse(request)?;
    let filters: Vec<Box<dyn Query>> = home::filters(request)
        .iter()
        .map(|f| f.to_tantivy(&fields))
        .collect();
    if let Some(passage) = &request.passage {
        return passage::search(opened, request, passage, with_filters(None, &filters));
    }
    let like = request
        .like
        .as_deref()
        .map(|id| like(&searcher, &fields, id))
        .transpose()?;
    let local = Local {
        searcher: &searcher,
        fields: &fields,
        filters,
        like,
    };
    let (mut ranked, softened) = match &mut parsed {
        Some(parsed) => home::read_and_rank(&local, parsed, request)?,
        None => (home::every(&local, request)?, false),
    };
    let suggestion = match &parsed {
        Some(parsed) if !request.fuzzy => {
            typo::suggest(&searcher, &fields, &request.query, &parsed.tree)?
        }
        _ => typo::Suggestion::default(),
    };
    let found = std::mem::take(&mut ranked.found);
    let highlight = std::mem::take(&mut ranked.highlight);
    let hits = fetch(&searcher, &fields, found, request, highlight)?;
    let results = home::results(request, parsed, softened, ranked, hits, suggestion, started);
    Ok(results)
}

/// The request's query parsed; none when it only asks for articles like one, or holding a
/// passage.
pub(crate) fn parse(request: &SearchRequest) -> Result<Option<query::Parsed>, QueryError> {
    if request.query.trim().is_empty() && (request.like.is_some() || request.passage.is_some()) {
        return Ok(None);
    }
    query::parse(&request.query).map(Some)
}

/// The local index as a home for searches, the request's filters made tantivy queries.
struct Local<'a> {
    searcher: &'a Searcher,
    fields: &'a Fields,
    filters: Vec<Box<dyn Query>>,
    /// `--like`: it ranks, with the query when there is one.
    like: Option<Box<dyn Query>>,
}

impl Home for Local<'_> {
    type Found = rank::Scored;

    fn collect(
        &self,
        query: Option<&Clause>,
        bonuses: &compile::Bonuses,
        request: &SearchRequest,
    ) -> anyhow::Result<rank::Collected> {
        // Filters and `--like` intersect the query, seeking it (see `to_tantivy_filtered`).
        let query = query.map(|q| {
            if self.filters.is_empty() && self.like.is_none() {
                q.to_tantivy(self.fields)
            } else {
                q.to_tantivy_filtered(self.fields)
            }
        });
        let query = match (query, &self.like) {
            (Some(query), Some(like)) => Some(Box::new(BooleanQuery::new(vec![
                (Occur::Must, query),
                (Occur::Must, like.box_clone()),
            ])) as Box<dyn Query>),
            (query, like) => query.or_else(|| like.as_ref().map(|like| like.box_clone())),
        };
        let query = with_filters(query, &self.filters);
        rank::collect(self.searcher, self.fields, query.as_ref(), bonuses, request)
    }

    fn one_per_story(&self, found: Vec<rank::Scored>) -> Vec<rank::Scored> {
        stories::one_per_story(self.searcher, found)
    }
}

/// Reads the page of hits from the index, with snippets marking what `highlight` says.
fn fetch(
    searcher: &Searcher,
    fields: &Fields,
    found: Vec<rank::Scored>,
    request: &SearchRequest,
    highlight: Highlight,
) -> anyhow::Result<Vec<Hit>> {
    let mut snippeter = snippet::Snippeter::new(highlight);
    found
        .into_iter()
        .enumerate()
        .map(|(i, (score, address))| {
            let doc: TantivyDocument = searcher
                .doc(address)
                .context("cannot read an article from the index")?;
            let mut article = index::stored_article(&doc, fields);
            let body = std::mem::take(&mut article.body);
            let copies = stories::copies(searcher, fields, address)?;
            let mut hit = Hit::of(article, request.offset + i + 1, score, copies);
            if request.snippets {
                let segment = searcher.segment_reader(address.segment_ord);
                let positions =
                    snippeter
                        .highlight()
                        .positions(segment, fields.body, address.doc_id)?;
                hit.mark(&body, &mut snippeter, positions, request.fragments);
            }
            Ok(hit)
        })
        .collect()
}

/// The articles like the one with `id`: tantivy's MoreLikeThis over its title and body, the
/// article itself and its copies left out (they are its story).
fn like(searcher: &Searcher, fields: &Fields, id: &str) -> anyhow::Result<Box<dyn Query>> {
    let id_term = Term::from_field_text(fields.id, id);
    let found = searcher.search(
        &TermQuery::new(id_term.clone(), IndexRecordOption::Basic),
        &TopDocs::with_limit(1).order_by_score(),
    )?;
    let Some((_, address)) = found.first() else {
        return Err(QueryError(format!("no article with id `{id}`")).into());
    };
    let doc: TantivyDocument = searcher.doc(*address)?;
    let values: Vec<OwnedValue> = [fields.title, fields.body]
        .iter()
        .filter_map(|f| doc.get_first(*f).and_then(|v| v.as_str()))
        .map(|text| OwnedValue::Str(text.to_string()))
        .collect();
    let similar = MoreLikeThisQuery::builder()
        .with_min_doc_frequency(1)
        .with_min_term_frequency(1)
        .with_max_query_terms(30)
        .with_document_fields(vec![(fields.body, values)]);
    // The article itself is left out, and its copies with it: they are the same story.
    let itself: Term = match stories::story_of(searcher, *address) {
        Some(story) => Term::from_field_u64(fields.story, story),
        None => id_term,
    };
    Ok(Box::new(BooleanQuery::new(vec![
        (Occur::Must, Box::new(similar)),
        (
            Occur::MustNot,
            Box::new(TermQuery::new(itself, IndexRecordOption::Basic)),
        ),
    ])))
}

/// `query` restricted by `filters`, which do not score; all articles when there is no query.
fn with_filters(query: Option<Box<dyn Query>>, filters: &[Box<dyn Query>]) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> =
        query.into_iter().map(|q| (Occur::Must, q)).collect();
    if clauses.is_empty() && filters.is_empty() {
        return Box::new(AllQuery);
    }
    if filters.is_empty() {
        return clauses.remove(0).1;
    }
    clauses.extend(filters.iter().map(|f| {
        (
            Occur::Must,
            Box::new(ConstScoreQuery::new(f.box_clone(), 0.0)) as Box<dyn Query>,
        )
    }));
    Box::new(BooleanQuery::new(clauses))
}

#[cfg(test)]
mod paging_tests;
