//! The body's window holding most of a question's words: the sentence that answers it holds
//! them close together, where another article scatters them.

use tantivy::postings::Postings;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocSet, Searcher, Term};

/// How many positions a window spans: about a clause.
const WIDTH: u32 = 12;
/// What a candidate gains whose window holds every word, weighed by rarity: about a rare word
/// matched in a title (chosen on the questions' development set, see BENCHMARKS.md).
const BOOST: f32 = 6.0;

/// For the candidates (by index into `candidates`, visited in `order`, index order), the share
/// of the query's words (`terms`, weighed by their rarity) one window of the body holds, scaled
/// by [`BOOST`], where at least two of them stand in it.
pub(crate) fn windows(
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
        for (at, found) in &mut postings {
            if found.doc() <= address.doc_id && found.seek(address.doc_id) == address.doc_id {
                found.positions(&mut buffer);
                positions.extend(buffer.iter().map(|&p| (p, *at)));
            }
        }
        let best = best_window(&mut positions, &weights);
        if best.1 >= 2 {
            scores.push((i, BOOST * best.0 / total));
        }
    }
    Ok(scores)
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
}
