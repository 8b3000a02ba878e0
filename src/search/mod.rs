//! Runs a query against the index: parse, compile, filter, rank, and make snippets for the page
//! of hits asked for.

pub mod compile;
mod dates;
pub mod facets;
pub mod highlight;
mod near;
pub(crate) mod passage;
pub mod query;
mod rank;
pub(crate) mod sentence;
pub mod snippet;
mod stories;
pub mod typo;

use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::NaiveDate;
use tantivy::collector::TopDocs;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, MoreLikeThisQuery, Occur, Query, TermQuery,
};
use tantivy::schema::{IndexRecordOption, OwnedValue, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::analysis;
use crate::error::QueryError;
use crate::index::{self, Fields, OpenIndex};
use compile::Words;
pub use dates::parse_date_bound;
pub use facets::Facets;
use highlight::Highlight;
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
    fn of(article: crate::ingest::Article, rank: usize, score: f32, copies: Vec<String>) -> Hit {
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

/// How a query was read: in the query language, and whether punctuation that looks like syntax
/// was read as words (an unknown `Word:`, a spaced dash, an unclosed quote…).
#[derive(Debug, Clone)]
pub struct Reading {
    pub query: String,
    pub forgiven: bool,
    /// Quotes, brackets or question words of a sentence were read as preferences (see
    /// [`sentence`]).
    pub softened: bool,
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
    let mut parsed = if request.query.trim().is_empty()
        && (request.like.is_some() || request.passage.is_some())
    {
        None
    } else {
        Some(query::parse(&request.query)?)
    };
    let mut filters = filters(&fields, request)?;
    if let Some(passage) = &request.passage {
        return passage::search(opened, request, passage, with_filters(None, &filters));
    }
    if let Some(id) = &request.like {
        filters.push(like(&searcher, &fields, id)?);
    }

    let mut softened = false;
    let ranked = match &mut parsed {
        Some(parsed) => {
            let read;
            (read, softened) = read_and_rank(&searcher, &fields, parsed, &filters, request)?;
            read
        }
        None => {
            let all = with_filters(None, &filters);
            let none = compile::Bonuses::default();
            let (total_hits, found, facets) =
                rank::collect(&searcher, all.as_ref(), &none, request)?;
            Ranked {
                total_hits,
                found,
                facets,
                relaxed: false,
                partial_hits: 0,
                highlight: Highlight::default(),
            }
        }
    };
    let suggestion = match &parsed {
        Some(parsed) if !request.fuzzy => {
            typo::suggest(&searcher, &fields, &request.query, &parsed.tree)?
        }
        _ => typo::Suggestion::default(),
    };
    let hits = fetch(&searcher, &fields, ranked.found, request, ranked.highlight)?;
    let facets = ranked.facets.unwrap_or_default();
    Ok(SearchResults {
        query: request.query.clone(),
        read_as: parsed.map(|parsed| Reading {
            query: parsed.tree.to_string(),
            forgiven: parsed.forgiven,
            softened,
        }),
        total_hits: ranked.total_hits,
        took: started.elapsed(),
        relaxed: ranked.relaxed,
        partial_hits: ranked.partial_hits,
        suggestion: suggestion.query,
        unknown_words: suggestion.unknown,
        facets: request.facets.then(|| Facets {
            interval: facets::interval(&facets.month, request.interval),
            ..facets
        }),
        hits,
    })
}

/// Ranks a parsed query, and whether it was read as a sentence (see [`sentence`]): a question
/// is read so at once, another long query only when its quotes and brackets leave nothing.
fn read_and_rank(
    searcher: &Searcher,
    fields: &Fields,
    parsed: &mut query::Parsed,
    filters: &[Box<dyn Query>],
    request: &SearchRequest,
) -> anyhow::Result<(Ranked, bool)> {
    let question = sentence::is_question(&request.query);
    let mut softened = false;
    if question && let Some(read) = sentence::as_sentence(&parsed.tree, true) {
        parsed.tree = read;
        softened = true;
    }
    let rank = |tree: &query::Node| rank_query(searcher, fields, tree, filters, request, question);
    let ranked = rank(&parsed.tree)?;
    if ranked.total_hits > 0 || softened || !sentence::is_long(&parsed.tree) {
        return Ok((ranked, softened));
    }
    match sentence::as_sentence(&parsed.tree, false) {
        Some(read) => {
            let ranked = rank(&read)?;
            parsed.tree = read;
            Ok((ranked, true))
        }
        None => Ok((ranked, false)),
    }
}

/// The articles a query finds, the page of them asked for, and what their snippets mark.
struct Ranked {
    total_hits: usize,
    found: Vec<(f32, DocAddress)>,
    facets: Option<Facets>,
    relaxed: bool,
    partial_hits: usize,
    highlight: Highlight,
}

/// Every word first; then, for a query of three plain words or more (two for a question), the
/// articles missing one, then those with some, if the page reaches them; or, when no article has
/// every word, any.
fn rank_query(
    searcher: &Searcher,
    fields: &Fields,
    tree: &query::Node,
    filters: &[Box<dyn Query>],
    request: &SearchRequest,
    question: bool,
) -> anyhow::Result<Ranked> {
    // A question's answer need not repeat both of two words.
    let partial_from = if question { 2 } else { PARTIAL_FROM_WORDS };
    let mut options = compile::Options {
        question,
        fuzzy: request.fuzzy,
        words: Words::All,
        names: query::name_words(&request.query),
        typed: request.query.clone(),
    };
    let strict = compile::compile(tree, fields, &options)?;
    let optional = strict.optional_words;
    let query = with_filters(Some(strict.query.box_clone()), filters);
    let (total_hits, mut found, facets) =
        rank::collect(searcher, query.as_ref(), &strict.bonuses, request)?;
    let mut ranked = Ranked {
        total_hits,
        found: Vec::new(),
        facets,
        relaxed: false,
        partial_hits: 0,
        highlight: strict.highlight,
    };
    if total_hits == 0 && optional >= 2 {
        options.words = Words::Any;
        let loose = compile::compile(tree, fields, &options)?;
        let query = with_filters(Some(loose.query), filters);
        (ranked.total_hits, found, ranked.facets) =
            rank::collect(searcher, query.as_ref(), &loose.bonuses, request)?;
        ranked.relaxed = ranked.total_hits > 0;
        ranked.highlight = loose.highlight;
    } else if optional >= partial_from
        && request.sort == Sort::Relevance
        && request.offset + request.limit > total_hits
    {
        // Then the articles missing one word, then those with some: no answer hides behind
        // a cliff, and each tier keeps its own ranking.
        let mut shown = total_hits;
        let mut previous = strict.query;
        for words in [Words::AllButOne, Words::Any] {
            if request.offset + request.limit <= shown {
                break;
            }
            options.words = words;
            let tier = compile::compile(tree, fields, &options)?;
            let only_tier = BooleanQuery::new(vec![
                (Occur::Must, tier.query.box_clone()),
                (Occur::MustNot, previous),
            ]);
            let query = with_filters(Some(Box::new(only_tier)), filters);
            let page = SearchRequest {
                offset: request.offset.saturating_sub(shown),
                limit: request.offset + request.limit - request.offset.max(shown),
                facets: false,
                ..request.clone()
            };
            let (count, more, _) = rank::collect(searcher, query.as_ref(), &tier.bonuses, &page)?;
            ranked.partial_hits += count;
            shown += count;
            found.extend(more);
            previous = tier.query;
        }
        if !request.all_copies {
            // A copy missing a word a matching copy has belongs to that copy's story.
            found = stories::one_per_story(searcher, found);
        }
    }
    ranked.found = found;
    Ok(ranked)
}

/// From how many plain words a query shows, after the articles with every word, those missing
/// one (as Elasticsearch's `minimum_should_match` of `3<-1`), then those with some: two-word
/// queries stay strict.
const PARTIAL_FROM_WORDS: usize = 3;

/// Reads the page of hits from the index, with snippets marking what `highlight` says.
fn fetch(
    searcher: &Searcher,
    fields: &Fields,
    found: Vec<(f32, DocAddress)>,
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
                let title_matches = snippeter.matches(&hit.title, true);
                let segment = searcher.segment_reader(address.segment_ord);
                let body_matches =
                    match snippeter
                        .highlight()
                        .positions(segment, fields.body, address.doc_id)?
                    {
                        Some(positions) => snippeter.matches_at(&body, &positions),
                        None => snippeter.matches(&body, false),
                    };
                hit.title_snippet = snippet::whole(&hit.title, &title_matches);
                let mut passages =
                    snippet::passages(&body, &body_matches, request.fragments.max(1));
                hit.snippet = passages.first().cloned().unwrap_or_default();
                if request.fragments > 0 {
                    hit.fragments = std::mem::take(&mut passages);
                }
                hit.matches = char_ranges("title", &hit.title, &title_matches);
                hit.matches
                    .extend(char_ranges("body", &body, &body_matches));
            }
            Ok(hit)
        })
        .collect()
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

/// The articles like the one with `id`: tantivy's MoreLikeThis over its title and body, the
/// article itself left out (its copies were never indexed).
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

/// The clauses `--since`, `--until`, `--section` and `--source` add.
fn filters(fields: &Fields, request: &SearchRequest) -> Result<Vec<Box<dyn Query>>, QueryError> {
    let mut filters: Vec<Box<dyn Query>> = Vec::new();
    if request.since.is_some() || request.until.is_some() {
        filters.push(compile::published_between(
            fields,
            request.since,
            request.until,
        ));
    }
    let mut keyword = analysis::keyword();
    for (field, names) in [
        (fields.section, &request.sections),
        (fields.source, &request.sources),
    ] {
        if names.is_empty() {
            continue;
        }
        let any = names
            .iter()
            .filter_map(|name| analysis::tokens(&mut keyword, name.trim()).pop())
            .map(|token| {
                let term = Term::from_field_text(field, &token.text);
                (
                    Occur::Should,
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>,
                )
            })
            .collect();
        filters.push(Box::new(BooleanQuery::new(any)));
    }
    Ok(filters)
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
