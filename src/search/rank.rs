//! Collects and ranks: BM25 over title and body finds the best candidates, then the bonuses of
//! the compiled query (see [`super::compile::Compiled`]) reorder the first of them.

use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::query::{EnableScoring, Query, Scorer};
use tantivy::{DateTime, DocAddress, DocId, DocSet, Order, Searcher, SeekDangerResult, Term};

use super::compile::Bonuses;
use super::facets::FacetCollector;
use super::home::RESCORE_WINDOW;
use super::near;
use super::stories;
use super::{Facets, SearchRequest, Sort};
use crate::index::Fields;

/// An article found, with its score.
pub(crate) type Scored = (f32, DocAddress);

pub(crate) type Collected = (usize, Vec<Scored>, Option<Facets>);

/// The bonuses as tantivy queries and body terms.
struct Rescore {
    queries: Vec<Box<dyn Query>>,
    near: Vec<Term>,
}

/// The total, the page of hits asked for and the facets, for `query`. A story's best-ranked
/// copy stands for it in the hits and the facets count it once, unless the request asks for
/// every copy; the total counts matching articles, as Elasticsearch's field collapsing does
/// (counting stories would cost a set of every match's story).
pub(crate) fn collect(
    searcher: &Searcher,
    fields: &Fields,
    query: &dyn Query,
    bonuses: &Bonuses,
    request: &SearchRequest,
) -> anyhow::Result<Collected> {
    let bonuses = Rescore {
        queries: bonuses
            .queries
            .iter()
            .map(|b| b.to_tantivy(fields))
            .collect(),
        near: bonuses
            .near
            .iter()
            .map(|term| Term::from_field_text(fields.body, term))
            .collect(),
    };
    let bonuses = &bonuses;
    // The collector reserves room for the hits it keeps: never more than the index holds.
    let articles = searcher.num_docs() as usize;
    let offset = request.offset.min(articles);
    let limit = request.limit.min(articles - offset).max(1);
    let by_story = !request.all_copies;
    let counts = (
        Count,
        request.facets.then_some(FacetCollector {
            once_per_story: by_story,
        }),
    );
    let wanted = offset + limit;
    // Copies shown once: more candidates than the page are ranked, so that the page still
    // holds as many stories; the window grows until it does or holds every match.
    let mut window = if by_story { wanted * 2 } else { wanted }.min(articles.max(1));
    let (mut ranked, (total, facets)) =
        top(searcher, query, bonuses, request.sort, window, counts)?;
    loop {
        // Every match is ranked once the window held fewer than it allowed, or every article.
        let exhausted = ranked.len() < window || window >= articles;
        if by_story {
            ranked = stories::one_per_story(searcher, ranked);
        }
        if ranked.len() >= wanted || exhausted {
            break;
        }
        // Invariant: the window grows strictly and never past the articles, so the loop ends.
        window = (window * 4).min(articles);
        (ranked, _) = top(searcher, query, bonuses, request.sort, window, Count)?;
    }
    let hits = if request.limit == 0 {
        vec![]
    } else {
        ranked.into_iter().skip(offset).take(limit).collect()
    };
    Ok((total, hits, facets))
}

/// The first `window` matches in the order asked for, with what `also` collects on the way.
fn top<C: Collector>(
    searcher: &Searcher,
    query: &dyn Query,
    bonuses: &Rescore,
    sort: Sort,
    window: usize,
    also: C,
) -> anyhow::Result<(Vec<Scored>, C::Fruit)> {
    let window = window.max(1);
    Ok(match sort {
        Sort::Relevance if !bonuses.queries.is_empty() => {
            let top = TopDocs::with_limit(window.max(RESCORE_WINDOW)).order_by_score();
            let (candidates, fruit) = searcher.search(query, &(top, also))?;
            let mut ranked = rescore(searcher, candidates, bonuses)?;
            ranked.truncate(window.max(RESCORE_WINDOW));
            (ranked, fruit)
        }
        Sort::Relevance => {
            searcher.search(query, &(TopDocs::with_limit(window).order_by_score(), also))?
        }
        Sort::Date | Sort::Oldest => {
            let order = if sort == Sort::Date {
                Order::Desc
            } else {
                Order::Asc
            };
            let by_date =
                TopDocs::with_limit(window).order_by_fast_field::<DateTime>(Fields::DATE, order);
            let (hits, fruit) = searcher.search(query, &(by_date, also))?;
            // Ordered by date, hits carry no relevance score.
            (hits.into_iter().map(|(_, a)| (0.0, a)).collect(), fruit)
        }
    })
}

/// Adds the bonuses to the first [`RESCORE_WINDOW`] candidates and orders them again; those
/// after keep their order. The order therefore does not depend on the page asked for.
fn rescore(
    searcher: &Searcher,
    mut candidates: Vec<Scored>,
    bonuses: &Rescore,
) -> anyhow::Result<Vec<Scored>> {
    let head = candidates.len().min(RESCORE_WINDOW);
    // Visit the documents in index order, as scorers only move forward.
    let mut order: Vec<usize> = (0..head).collect();
    order.sort_by_key(|&i| (candidates[i].1.segment_ord, candidates[i].1.doc_id));
    for bonus in &bonuses.queries {
        for (i, score) in matching(searcher, bonus.as_ref(), &candidates, &order)? {
            candidates[i].0 += score;
        }
    }
    if !bonuses.near.is_empty() {
        for (i, score) in near::signals(searcher, &bonuses.near, &candidates, &order)? {
            candidates[i].0 += score;
        }
    }
    // A stable sort keeps BM25 order among equal scores.
    candidates[..head].sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok(candidates)
}

/// The candidates (by index into `candidates`, visited in `order`) that `query` matches, with
/// its score for each.
fn matching(
    searcher: &Searcher,
    query: &dyn Query,
    candidates: &[(f32, DocAddress)],
    order: &[usize],
) -> anyhow::Result<Vec<(usize, f32)>> {
    let mut found = Vec::new();
    let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    // The segment's scorer, and the first document it may still match. A scorer is asked
    // whether each candidate matches, never to walk on to the next document that does: a
    // phrase of common words would check the positions of every document in between (its
    // scorer is even made at the first candidate, not at the segment's first match).
    let mut scorer: Option<(u32, Box<dyn Scorer>, DocId)> = None;
    for &i in order {
        let (_, address) = candidates[i];
        let target = address.doc_id;
        let answer = match scorer.as_mut() {
            Some((segment, scorer, next)) if *segment == address.segment_ord => {
                if target < *next {
                    continue;
                }
                scorer.seek_danger(target)
            }
            _ => {
                let reader = searcher.segment_reader(address.segment_ord);
                let (answer, fresh) = weight.scorer_danger(reader, target, 1.0)?;
                scorer = Some((address.segment_ord, fresh, target));
                answer
            }
        };
        let Some((_, scorer, next)) = scorer.as_mut() else {
            continue;
        };
        match answer {
            SeekDangerResult::Found => {
                found.push((i, scorer.score()));
                *next = target + 1;
            }
            SeekDangerResult::SeekLowerBound(bound) => *next = bound,
        }
    }
    Ok(found)
}
