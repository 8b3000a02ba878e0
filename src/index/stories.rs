//! Stories in the local index: the story each article an indexing run adds joins (see
//! [`crate::copies`]), found among the indexed articles by their `bands` terms and among those
//! added since the last commit in memory. Every copy is indexed, and search shows the story
//! once (see `search::rank`).

use std::cell::{Cell, OnceCell};

use anyhow::Context;
use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::index::SegmentId;
use tantivy::schema::IndexRecordOption;
use tantivy::schema::Value;
use tantivy::{
    DocAddress, DocSet, InvertedIndexReader, Searcher, TERMINATED, TantivyDocument, Term,
};
use xxhash_rust::xxh3::xxh3_64;

use super::Fields;
use crate::copies::{MAX_VERIFIED, Shingles, Sketch, best_first, candidates};

/// Finds the story of each article an indexing run adds: among the searchable articles (as of
/// the last commit) and those added since.
pub(crate) struct Stories {
    searcher: Searcher,
    fields: Fields,
    /// The band filter of each of the searcher's segments, in its order.
    filters: Vec<SegmentBands>,
    /// Hashes of the keys of the files whose indexed articles are going, sorted: matching one
    /// of them makes no copy.
    leaving: Vec<u64>,
    /// Band → the stories of the articles added since the last commit that have it.
    recent: FxHashMap<u64, Vec<u64>>,
    /// The shingles of the first article of each story added since the last commit.
    recent_shingles: FxHashMap<u64, Shingles>,
    /// The stories of the articles added since the last commit.
    recent_stories: FxHashSet<u64>,
}

impl Stories {
    pub fn new(searcher: Searcher, fields: Fields, leaving: Vec<u64>) -> Stories {
        let filters = band_filters(&searcher, Vec::new());
        Stories {
            searcher,
            fields,
            filters,
            leaving,
            recent: FxHashMap::default(),
            recent_shingles: FxHashMap::default(),
            recent_stories: FxHashSet::default(),
        }
    }

    /// After a commit: what was added is now searchable.
    pub fn refresh(&mut self, searcher: Searcher) {
        let known = std::mem::take(&mut self.filters);
        self.filters = band_filters(&searcher, known);
        self.searcher = searcher;
        self.recent.clear();
        self.recent_shingles.clear();
        self.recent_stories.clear();
    }

    /// The story an article with this sketch and this fingerprint joins, and whether it is a
    /// copy; a new story is named by the fingerprint. Only a story's first article is matched
    /// against (its copies are indexed without bands): a copy of a copy of a copy drifts, and
    /// pages that each resemble the next are not one story.
    pub fn story_of(
        &mut self,
        sketch: Option<&Sketch>,
        fingerprint: u64,
    ) -> anyhow::Result<(u64, bool)> {
        let similar = match sketch {
            Some(sketch) => match self.best_indexed(sketch)? {
                Some((address, story)) => Some((story, !self.is_leaving(address))),
                None => self.best_recent(sketch).map(|story| (story, true)),
            },
            None => None,
        };
        // Without a similar article (or bands: a short body), an exact copy still has the same
        // fingerprint, the name of its story.
        let (story, copy) = similar.unwrap_or_else(|| (fingerprint, self.is_told(fingerprint)));
        self.recent_stories.insert(story);
        if let Some(sketch) = sketch.filter(|_| !copy) {
            for band in sketch.bands {
                self.recent.entry(band).or_default().push(story);
            }
            self.recent_shingles
                .entry(story)
                .or_insert_with(|| sketch.shingles.clone());
        }
        Ok((story, copy))
    }

    /// Whether an article of `story` is indexed (and staying) or was added since the commit.
    fn is_told(&self, story: u64) -> bool {
        if self.recent_stories.contains(&story) {
            return true;
        }
        let term = Term::from_field_u64(self.fields.story, story);
        self.searcher
            .segment_readers()
            .iter()
            .enumerate()
            .any(|(segment_ord, reader)| {
                let Ok(index) = reader.inverted_index(self.fields.story) else {
                    return false;
                };
                let Ok(Some(mut postings)) = index.read_postings(&term, IndexRecordOption::Basic)
                else {
                    return false;
                };
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    let address = DocAddress::new(segment_ord as u32, doc);
                    if !reader.is_deleted(doc) && !self.is_leaving(address) {
                        return true;
                    }
                    doc = postings.advance();
                }
                false
            })
    }

    /// Whether the indexed article at `address` is from a file whose articles are going.
    fn is_leaving(&self, address: DocAddress) -> bool {
        if self.leaving.is_empty() {
            return false;
        }
        let fast = self
            .searcher
            .segment_reader(address.segment_ord)
            .fast_fields();
        let Ok(Some(files)) = fast.str(Fields::FILE) else {
            return false;
        };
        let mut file = String::new();
        match files.term_ords(address.doc_id).next() {
            Some(ord) if files.ord_to_str(ord, &mut file).unwrap_or(false) => self
                .leaving
                .binary_search(&xxhash_rust::xxh3::xxh3_64(file.as_bytes()))
                .is_ok(),
            _ => false,
        }
    }

    /// The indexed article sharing the most bands among those that overlap the body, and its
    /// story.
    fn best_indexed(&self, sketch: &Sketch) -> anyhow::Result<Option<(DocAddress, u64)>> {
        let mut shared: FxHashMap<DocAddress, usize> = FxHashMap::default();
        let terms = sketch
            .bands
            .map(|band| Term::from_field_u64(self.fields.bands, band));
        let segments = self.searcher.segment_readers().iter().zip(&self.filters);
        for (segment_ord, (reader, filter)) in segments.enumerate() {
            let Ok(index) = reader.inverted_index(self.fields.bands) else {
                continue;
            };
            let filter = filter.filter(&index);
            let may_hold = |term: &&Term| filter.is_none_or(|filter| filter.may_hold(term));
            for term in terms.iter().filter(may_hold) {
                let Ok(Some(mut postings)) = index.read_postings(term, IndexRecordOption::Basic)
                else {
                    continue;
                };
                let mut doc = postings.doc();
                while doc != TERMINATED {
                    if !reader.is_deleted(doc) {
                        *shared
                            .entry(DocAddress::new(segment_ord as u32, doc))
                            .or_default() += 1;
                    }
                    doc = postings.advance();
                }
            }
        }
        for address in best_first(shared).into_iter().take(MAX_VERIFIED) {
            let doc: TantivyDocument = self
                .searcher
                .doc(address)
                .context("cannot read an indexed article to compare with")?;
            // An article stored without a body (none is) would hold no runs: never a copy.
            let body = doc.get_first(self.fields.body).and_then(|v| v.as_str());
            if !sketch
                .shingles
                .copies(&Shingles::of(body.unwrap_or_default()))
            {
                continue;
            }
            let fast = self
                .searcher
                .segment_reader(address.segment_ord)
                .fast_fields();
            let story = fast.u64(Fields::STORY)?.first(address.doc_id);
            return Ok(story.map(|story| (address, story)));
        }
        Ok(None)
    }

    /// The story sharing the most bands among those added since the last commit that overlap
    /// the body.
    fn best_recent(&self, sketch: &Sketch) -> Option<u64> {
        candidates(&sketch.bands, &self.recent)
            .into_iter()
            .take(MAX_VERIFIED)
            .find(|story| {
                self.recent_shingles
                    .get(story)
                    .is_some_and(|first| sketch.shingles.copies(first))
            })
    }
}

/// The filters of the segments of `searcher`, in its order: those `known` kept, the others to
/// be made.
fn band_filters(searcher: &Searcher, known: Vec<SegmentBands>) -> Vec<SegmentBands> {
    let mut known: FxHashMap<SegmentId, SegmentBands> = known
        .into_iter()
        .map(|bands| (bands.segment, bands))
        .collect();
    searcher
        .segment_readers()
        .iter()
        .map(|reader| {
            let segment = reader.segment_id();
            known
                .remove(&segment)
                .unwrap_or_else(|| SegmentBands::new(segment))
        })
        .collect()
}

/// A segment's band filter, made once the articles looked up in the segment make it worth its
/// cost: a few articles added to a large index look their bands up directly.
struct SegmentBands {
    segment: SegmentId,
    /// Articles looked up without the filter.
    looked_up: Cell<usize>,
    filter: OnceCell<BandFilter>,
}

impl SegmentBands {
    /// Making the filter costs about as much per band term as looking up an article's bands
    /// costs per this many terms: the filter is made once the direct lookups have cost as much
    /// as it would.
    const TERMS_PER_ARTICLE: usize = 16;

    fn new(segment: SegmentId) -> SegmentBands {
        SegmentBands {
            segment,
            looked_up: Cell::new(0),
            filter: OnceCell::new(),
        }
    }

    /// The filter of the segment whose band terms `index` reads, if worth making yet.
    fn filter(&self, index: &InvertedIndexReader) -> Option<&BandFilter> {
        if self.filter.get().is_none() {
            let looked_up = self.looked_up.get() + 1;
            self.looked_up.set(looked_up);
            if looked_up * Self::TERMS_PER_ARTICLE < index.terms().num_terms() {
                return None;
            }
        }
        Some(self.filter.get_or_init(|| BandFilter::of(index)))
    }
}

/// The band terms a segment may hold: a Bloom filter, so that an article's bands are looked up
/// only in the term dictionaries of the segments that may hold them. Each lookup in a large
/// dictionary is a walk of cache misses, and most find nothing in a first run.
struct BandFilter {
    bits: Vec<u64>,
}

impl BandFilter {
    const BITS_PER_TERM: usize = 8;
    const PROBES: u64 = 4;

    /// The filter of a segment's band terms (one that holds anything if they cannot be read).
    fn of(index: &InvertedIndexReader) -> BandFilter {
        Self::read(index).unwrap_or_else(|_| BandFilter { bits: vec![!0] })
    }

    fn read(index: &InvertedIndexReader) -> std::io::Result<BandFilter> {
        let dictionary = index.terms();
        let words = dictionary.num_terms() * Self::BITS_PER_TERM / 64 + 1;
        let mut bits = vec![0u64; words];
        let mut terms = dictionary.stream()?;
        while terms.advance() {
            for bit in Self::probes(terms.key(), words) {
                bits[bit / 64] |= 1 << (bit % 64);
            }
        }
        Ok(BandFilter { bits })
    }

    fn may_hold(&self, term: &Term) -> bool {
        Self::probes(term.serialized_value_bytes(), self.bits.len())
            .all(|bit| self.bits[bit / 64] & (1 << (bit % 64)) != 0)
    }

    /// The bits of a term in a filter of `words` words: double hashing, each probe mapped onto
    /// the bits by a multiplication (Lemire's reduction) rather than a power-of-two mask.
    fn probes(key: &[u8], words: usize) -> impl Iterator<Item = usize> {
        let hash = xxh3_64(key);
        let (first, step) = (hash, hash.rotate_left(32) | 1);
        let bits = (words * 64) as u128;
        (0..Self::PROBES).map(move |i| {
            let probe = first.wrapping_add(i.wrapping_mul(step));
            ((u128::from(probe) * bits) >> 64) as usize
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::copies::mix;

    #[test]
    fn a_segments_band_filter_holds_each_of_its_bands_and_few_others() {
        let mut builder = tantivy::schema::Schema::builder();
        let field = builder.add_u64_field("bands", tantivy::schema::INDEXED);
        let index = tantivy::Index::create_in_ram(builder.build());
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        let held: Vec<u64> = (0..2_000u64).map(mix).collect();
        for band in &held {
            writer.add_document(tantivy::doc!(field => *band)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let reader = searcher.segment_reader(0);
        let index = reader.inverted_index(field).unwrap();
        let filter = BandFilter::read(&index).unwrap();
        let holds = |band: u64| filter.may_hold(&Term::from_field_u64(field, band));
        assert!(held.iter().all(|&band| holds(band)));
        let others = (2_000..22_000u64).filter(|&i| holds(mix(i))).count();
        assert!(others < 20_000 / 20, "{others} of 20000 other bands pass");

        // Made only once a sixteenth as many articles as it has terms were looked up directly.
        let segment = SegmentBands::new(reader.segment_id());
        let direct = (0..200)
            .take_while(|_| segment.filter(&index).is_none())
            .count();
        assert_eq!(direct, 2_000 / SegmentBands::TERMS_PER_ARTICLE - 1);
        assert!(segment.filter(&index).is_some());
    }
}
