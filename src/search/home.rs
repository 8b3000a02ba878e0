//! The road every search takes, whichever home answers it: read the query (a question as a
//! sentence), compile it once to [`Clause`]s, rank every word's matches first, then those
//! missing one, then those with some. Only collecting a page of matches and reading the hits
//! differ between the local index and a cluster (see [`Home`]).

use super::clause::{Clause, Occurs, On};
use super::compile::{self, Bonuses, Words};
use super::highlight::Highlight;
use std::time::Instant;

use super::{
    Facets, Hit, Reading, SearchRequest, SearchResults, Sort, facets, query, sentence, typo,
};
use crate::analysis;

/// Where articles are ranked: the local index or a cluster.
pub(crate) trait Home {
    /// A ranked article, as this home names it.
    type Found;

    /// The number of articles `query` matches under the request's filters (every article
    /// without a query), the page of them the request asks for in its order (one per story
    /// unless it asks for every copy; the bonuses reorder the best by relevance), and the
    /// facets when asked.
    fn collect(
        &self,
        query: Option<&Clause>,
        bonuses: &Bonuses,
        request: &SearchRequest,
    ) -> anyhow::Result<(usize, Vec<Self::Found>, Option<Facets>)>;

    /// The first article of each story in `found`, in order.
    fn one_per_story(&self, found: Vec<Self::Found>) -> Vec<Self::Found>;
}

/// How many of the best candidates by BM25 the bonuses may reorder.
pub(crate) const RESCORE_WINDOW: usize = 100;

/// The articles a query finds, the page of them asked for, and what their snippets mark.
pub(crate) struct Ranked<F> {
    pub total_hits: usize,
    pub found: Vec<F>,
    pub facets: Option<Facets>,
    pub relaxed: bool,
    pub partial_hits: usize,
    pub highlight: Highlight,
    /// A question that found nothing as typed was asked again with typos tolerated.
    pub typos: bool,
}

/// The answer to `request`: how the query was read (`parsed`, `softened`), what a home ranked,
/// the `hits` it read of them, and what `did you mean` found; the facets' timeline fits the
/// request. `ranked.found` has been read into `hits`.
pub(crate) fn results<F>(
    request: &SearchRequest,
    parsed: Option<query::Parsed>,
    softened: bool,
    ranked: Ranked<F>,
    hits: Vec<Hit>,
    suggestion: typo::Suggestion,
    started: Instant,
) -> SearchResults {
    SearchResults {
        query: request.query.clone(),
        read_as: parsed.map(|parsed| Reading {
            query: parsed.tree.to_string(),
            forgiven: parsed.forgiven,
            softened,
            typos: ranked.typos,
        }),
        total_hits: ranked.total_hits,
        took: started.elapsed(),
        relaxed: ranked.relaxed,
        partial_hits: ranked.partial_hits,
        suggestion: suggestion.query,
        unknown_words: suggestion.unknown,
        // Homes count facets exactly when the request asks for them.
        facets: ranked.facets.map(|found| Facets {
            interval: facets::interval(&found.month, request.interval),
            ..found
        }),
        hits,
    }
}

/// Every article under the request's filters, in its order.
pub(crate) fn every<H: Home>(
    home: &H,
    request: &SearchRequest,
) -> anyhow::Result<Ranked<H::Found>> {
    let (total_hits, found, facets) = home.collect(None, &Bonuses::default(), request)?;
    Ok(Ranked {
        total_hits,
        found,
        facets,
        relaxed: false,
        partial_hits: 0,
        highlight: Highlight::default(),
        typos: false,
    })
}

/// Ranks a parsed query, and whether it was read as a sentence (see [`sentence`]): a question
/// is read so at once, another long query only when its quotes and brackets leave nothing. A
/// question that finds nothing is asked again with typos tolerated, as `--fuzzy` does: a word
/// typed wrong (`sismogarfo`) or spelt otherwise than the articles spell it leaves nothing.
pub(crate) fn read_and_rank<H: Home>(
    home: &H,
    parsed: &mut query::Parsed,
    request: &SearchRequest,
) -> anyhow::Result<(Ranked<H::Found>, bool)> {
    let question = sentence::is_question(&request.query);
    let mut softened = false;
    if question && let Some(read) = sentence::as_sentence(&parsed.tree, true) {
        parsed.tree = read;
        softened = true;
    }
    let rank = |tree: &query::Node| rank_query(home, tree, request, question);
    let ranked = rank(&parsed.tree)?;
    if question && ranked.total_hits == 0 && !request.fuzzy {
        let with_typos = SearchRequest {
            fuzzy: true,
            ..request.clone()
        };
        let mut ranked = rank_query(home, &parsed.tree, &with_typos, question)?;
        ranked.typos = ranked.total_hits > 0;
        return Ok((ranked, softened));
    }
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

/// From how many plain words a query shows, after the articles with every word, those missing
/// one (as Elasticsearch's `minimum_should_match` of `3<-1`), then those with some: two-word
/// queries stay strict.
const PARTIAL_FROM_WORDS: usize = 3;

/// Every word first; then, for a query of three plain words or more (two for a question), the
/// articles missing one, then those with some, if the page reaches them; or, when no article has
/// every word, any.
fn rank_query<H: Home>(
    home: &H,
    tree: &query::Node,
    request: &SearchRequest,
    question: bool,
) -> anyhow::Result<Ranked<H::Found>> {
    // A question's answer need not repeat both of two words.
    let partial_from = if question { 2 } else { PARTIAL_FROM_WORDS };
    let mut options = compile::Options {
        question,
        fuzzy: request.fuzzy,
        words: Words::All,
        names: query::name_words(&request.query),
        typed: request.query.clone(),
    };
    let strict = compile::compile(tree, &options)?;
    let optional = strict.optional_words;
    let (total_hits, mut found, facets) =
        home.collect(Some(&strict.query), &strict.bonuses, request)?;
    let mut ranked = Ranked {
        total_hits,
        found: Vec::new(),
        facets,
        relaxed: false,
        partial_hits: 0,
        highlight: strict.highlight,
        typos: false,
    };
    if total_hits == 0 && optional >= 2 {
        options.words = Words::Any;
        let loose = compile::compile(tree, &options)?;
        (ranked.total_hits, found, ranked.facets) =
            home.collect(Some(&loose.query), &loose.bonuses, request)?;
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
            let tier = compile::compile(tree, &options)?;
            let only_tier = tier.query.clone().without(previous);
            let page = SearchRequest {
                offset: request.offset.saturating_sub(shown),
                limit: request.offset + request.limit - request.offset.max(shown),
                facets: false,
                ..request.clone()
            };
            let (count, more, _) = home.collect(Some(&only_tier), &tier.bonuses, &page)?;
            ranked.partial_hits += count;
            shown += count;
            found.extend(more);
            previous = tier.query;
        }
        if !request.all_copies {
            // A copy missing a word a matching copy has belongs to that copy's story.
            found = home.one_per_story(found);
        }
    }
    ranked.found = found;
    Ok(ranked)
}

/// The clauses `--since`, `--until`, `--section` and `--source` add (they do not score).
pub(crate) fn filters(request: &SearchRequest) -> Vec<Clause> {
    let mut filters = Vec::new();
    if request.since.is_some() || request.until.is_some() {
        filters.push(Clause::Dates {
            since: request.since,
            until: request.until,
        });
    }
    let mut keyword = analysis::keyword();
    for (on, names) in [
        (On::Section, &request.sections),
        (On::Source, &request.sources),
    ] {
        if names.is_empty() {
            continue;
        }
        let any = names
            .iter()
            .filter_map(|name| analysis::tokens(&mut keyword, name.trim()).pop())
            .map(|token| {
                let term = Clause::Term {
                    on,
                    term: token.text,
                };
                (Occurs::Should, term)
            })
            .collect();
        filters.push(Clause::Bool {
            clauses: any,
            minimum: 0,
        });
    }
    filters
}
