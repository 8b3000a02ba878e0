//! What a question's words say of the best candidates. The body's window holding most of them:
//! the sentence that answers it holds them close together, where another article scatters them.
//! And the words rare among the candidates: the paragraphs of one article all share its
//! subject's words, so among them what tells the answer apart is the question's other words.

use tantivy::postings::Postings;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, Searcher, Term};

/// How many positions a window spans: about a clause.
const WIDTH: u32 = 12;
/// What a candidate gains whose window holds every word, weighed by rarity: about a rare word
/// matched in a title (chosen on the questions' development set, see BENCHMARKS.md).
const BOOST: f32 = 6.0;
/// What each query word a candidate holds adds, times its rarity among the candidates (see
/// [`rare_among`]; chosen on the questions' development set, see BENCHMARKS.md).
const RARE_AMONG_BOOST: f32 = 1.0;

/// For the candidates (by index into `candidates`, visited in `order`, index order), the share
/// of the query's words (`terms`, weighed by their rarity) one window of the body holds, scaled
/// by [`BOOST`], where at least two of them stand in it; plus the words' rarity among the
/// candidates (see [`rare_among`]).
pub(crate) fn signals(
    searcher: &Searcher,
    terms: &[Term],
    candidates: &[(f32, DocAddress)],
    order: &[usize],
) -> anyhow::Result<Vec<(usize, f32)>> {
    let articles = searcher.num_docs().max(1) as f32;
    let mut weights = Vec::with_capacity(terms.len());
    for term in terms {
        let frequency = searcher.doc_freq(term)? as f32;
        weights.push((articles / (frequency + 1.0)).ln().max(0.0) + 0.1);
    }
    let total: f32 = weights.iter().sum();
    let mut scores = Vec::new();
    let mut segment_ord = None;
    let mut postings = Vec::new();
    let mut buffer = Vec::new();
    let mut held_by = Vec::with_capacity(order.len());
    for &i in order {
        let address = candidates[i].1;
        if segment_ord != Some(address.segment_ord) {
            segment_ord = Some(address.segment_ord);
            let index = searcher
                .segment_reader(address.segment_ord)
                .inverted_index(terms[0].field())?;
            postings.clear();
            for (at, term) in terms.iter().enumerate() {
                let options = IndexRecordOption::WithFreqsAndPositions;
                if let Some(found) = index.read_postings(term, options)? {
                    postings.push((at, found));
                }
            }
        }
        let mut positions: Vec<(u32, usize)> = Vec::new();
        let mut held = Vec::new();
        for (at, found) in &mut postings {
            if found.doc() <= address.doc_id && found.seek(address.doc_id) == address.doc_id {
                found.positions(&mut buffer);
                positions.extend(buffer.iter().map(|&p| (p, *at)));
                held.push(*at);
            }
        }
        let best = best_window(&mut positions, &weights);
        let window = if best.1 >= 2 {
            BOOST * best.0 / total
        } else {
            0.0
        };
        scores.push((i, window));
        held_by.push(held);
    }
    for ((_, score), rare) in scores.iter_mut().zip(rare_among(&held_by, terms.len())) {
        *score += RARE_AMONG_BOOST * rare;
    }
    Ok(scores)
}

/// For each candidate, given the query words it holds (`held_by`, indexes below `words`), the
/// sum of their BM25 rarity computed among the candidates alone: a word every candidate holds
/// adds nearly nothing, one only this candidate holds adds most.
fn rare_among(held_by: &[Vec<usize>], words: usize) -> Vec<f32> {
    let mut holders = vec![0usize; words];
    for held in held_by {
        for &word in held {
            holders[word] += 1;
        }
    }
    let candidates = held_by.len() as f32;
    let rarity: Vec<f32> = holders
        .iter()
        .map(|&n| {
            let n = n as f32;
            (1.0 + (candidates - n + 0.5) / (n + 0.5)).ln()
        })
        .collect();
    held_by
        .iter()
        .map(|held| held.iter().map(|&word| rarity[word]).sum())
        .collect()
}

/// The weight of the words one window of [`WIDTH`] positions holds at best, and how many.
fn best_window(positions: &mut [(u32, usize)], weights: &[f32]) -> (f32, usize) {
    positions.sort_unstable();
    let mut counts = vec![0u32; weights.len()];
    let (mut weight, mut distinct) = (0.0, 0);
    let mut best = (0.0, 0);
    let mut start = 0;
    for end in 0..positions.len() {
        let (position, word) = positions[end];
        if counts[word] == 0 {
            weight += weights[word];
            distinct += 1;
        }
        counts[word] += 1;
        while position - positions[start].0 >= WIDTH {
            let left = positions[start].1;
            counts[left] -= 1;
            if counts[left] == 0 {
                weight -= weights[left];
                distinct -= 1;
            }
            start += 1;
        }
        if weight > best.0 {
            best = (weight, distinct);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_window_holds_the_most_weight_within_its_width() {
        let weights = [1.0, 2.0, 3.0];
        // Words 0 and 1 together at 5–6; all three within 12 positions at 40–50.
        let mut positions = vec![(5, 0), (6, 1), (40, 0), (45, 1), (50, 2), (90, 2)];
        assert_eq!(best_window(&mut positions, &weights), (6.0, 3));
        let mut apart = vec![(0, 0), (30, 1), (60, 2)];
        assert_eq!(best_window(&mut apart, &weights), (3.0, 1));
    }

    #[test]
    fn a_word_few_candidates_hold_weighs_more_than_one_all_hold() {
        // Word 0 is in every candidate, word 1 in one alone.
        let held_by = vec![vec![0, 1], vec![0], vec![0], vec![0]];
        let gains = rare_among(&held_by, 2);
        let (holding_both, holding_the_common_word) = (gains[0], gains[1]);
        assert!(holding_the_common_word < 0.3, "{gains:?}");
        assert!(holding_both > 1.0 + holding_the_common_word, "{gains:?}");
    }
}
