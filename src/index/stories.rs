//! Stories: an article and its copies. A wire story republished with another headline, a byline,
//! a sentence added or cut is the same story; every copy is indexed, and search shows the story
//! once (see `search::rank`).
//!
//! Candidates are found by MinHash over four-word shingles of the body's words (case and
//! punctuation ignored), one permutation hashing (one hash per shingle, 32 buckets, empty
//! buckets filled from the next) so that it costs a hash per word. The signature is cut into 16
//! bands of two values, indexed as terms of the `bands` field for the first article of each
//! story only: an article sharing [`MIN_BANDS`] bands with a story's first article is a
//! candidate. Bands alone group pages that share a template or boilerplate, so a candidate
//! becomes a copy only when the texts really overlap: at least [`MIN_CONTAINMENT`] of the
//! shorter body's shingles are in the other ([`Shingles`]). A story is named by the fingerprint
//! of its first article.

use std::cell::{Cell, OnceCell};

use anyhow::Context;
use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::index::SegmentId;
use tantivy::schema::IndexRecordOption;
use tantivy::schema::Value;
use tantivy::{
    DocAddress, DocSet, InvertedIndexReader, Searcher, TERMINATED, TantivyDocument, Term,
};
use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use super::Fields;

const BUCKET_BITS: u32 = 5;
const BUCKETS: usize = 1 << BUCKET_BITS;
pub const BANDS: usize = BUCKETS / 2;
/// Bands a body must share with a story's first article to be its copy.
const MIN_BANDS: usize = 2;

/// Fewer words than this and a body's signature says too little: it is a copy only of the same
/// words (its fingerprint).
const MIN_WORDS: usize = 40;

/// The share of the shorter body's shingles the other must hold for a candidate to be a copy.
pub const MIN_CONTAINMENT: f64 = 0.8;

/// Candidates verified for one article, best first: a few, since a copy shares many bands.
const MAX_VERIFIED: usize = 4;

/// What finds a body's copies: its band terms, and its shingles to verify a candidate.
pub struct Sketch {
    pub bands: [u64; BANDS],
    pub shingles: Shingles,
}

/// The sketch of a body, or `None` when it has fewer than [`MIN_WORDS`] words.
pub fn sketch(body: &str) -> Option<Sketch> {
    let shingles = shingle_hashes(body)?;
    let signature = signature(&shingles);
    let mut bands = [0; BANDS];
    for (band, pair) in signature.chunks_exact(2).enumerate() {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&pair[0].to_le_bytes());
        bytes[8..].copy_from_slice(&pair[1].to_le_bytes());
        bands[band] = xxh3_64_with_seed(&bytes, band as u64);
    }
    Some(Sketch {
        bands,
        shingles: Shingles::of_hashes(shingles),
    })
}

/// The band terms of a body, or `None` when it has fewer than [`MIN_WORDS`] words.
pub fn bands(body: &str) -> Option<[u64; BANDS]> {
    sketch(body).map(|sketch| sketch.bands)
}

/// A body's four-word shingles, as a consistent sample: the [`Shingles::KEPT`] smallest of their
/// 32-bit hashes (all of them for a body of up to that many), so that two bodies compare on the
/// same range of hashes and memory stays bounded per article.
#[derive(Debug, Clone)]
pub struct Shingles {
    /// Sorted, distinct.
    smallest: Vec<u32>,
    /// Distinct shingles in the body.
    distinct: usize,
}

impl Shingles {
    const KEPT: usize = 256;

    /// The shingles of a body (none under [`MIN_WORDS`] words, which is no failure: such a body
    /// is a copy only word for word).
    pub fn of(body: &str) -> Shingles {
        Shingles::of_hashes(shingle_hashes(body).unwrap_or_default())
    }

    fn of_hashes(hashes: Vec<u64>) -> Shingles {
        let mut all: Vec<u32> = hashes.into_iter().map(|h| (h >> 32) as u32).collect();
        all.sort_unstable();
        all.dedup();
        let distinct = all.len();
        all.truncate(Self::KEPT);
        all.shrink_to_fit();
        Shingles {
            smallest: all,
            distinct,
        }
    }

    /// The largest hash this sample is complete up to.
    fn complete_to(&self) -> u32 {
        if self.distinct > self.smallest.len() {
            self.smallest.last().copied().unwrap_or(0)
        } else {
            u32::MAX
        }
    }

    /// The share of the shorter body's shingles that the other holds, estimated on the hashes
    /// both samples are complete up to (exact for bodies of up to [`Shingles::KEPT`] shingles).
    pub fn containment(&self, other: &Shingles) -> f64 {
        let (shorter, longer) = if self.distinct <= other.distinct {
            (self, other)
        } else {
            (other, self)
        };
        let bound = self.complete_to().min(other.complete_to());
        let sample: Vec<u32> = shorter
            .smallest
            .iter()
            .copied()
            .take_while(|&h| h <= bound)
            .collect();
        if sample.is_empty() {
            return 0.0;
        }
        let held = sample
            .iter()
            .filter(|h| longer.smallest.binary_search(h).is_ok())
            .count();
        held as f64 / sample.len() as f64
    }

    /// Whether the two bodies overlap enough to be copies.
    pub fn copies(&self, other: &Shingles) -> bool {
        self.containment(other) >= MIN_CONTAINMENT
    }
}

/// The hashes of a body's four-word shingles, or `None` when it has fewer than [`MIN_WORDS`]
/// words.
fn shingle_hashes(body: &str) -> Option<Vec<u64>> {
    let words: Vec<u64> = body
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|word| {
            if word.bytes().all(|b| !b.is_ascii_uppercase()) {
                xxh3_64(word.as_bytes())
            } else {
                xxh3_64(word.to_lowercase().as_bytes())
            }
        })
        .collect();
    if words.len() < MIN_WORDS {
        return None;
    }
    let shingles = words
        .windows(4)
        .map(|w| mix(w[0] ^ w[1].rotate_left(17) ^ w[2].rotate_left(31) ^ w[3].rotate_left(47)))
        .collect();
    Some(shingles)
}

fn signature(shingles: &[u64]) -> [u64; BUCKETS] {
    let mut minimum = [u64::MAX; BUCKETS];
    for &shingle in shingles {
        let bucket = (shingle >> (64 - BUCKET_BITS)) as usize;
        let value = shingle & ((1 << (64 - BUCKET_BITS)) - 1);
        minimum[bucket] = minimum[bucket].min(value);
    }
    // Densification: an empty bucket takes the next filled one's value, marked by the distance,
    // so that two short bodies still compare bucket by bucket.
    let filled: Vec<usize> = (0..BUCKETS).filter(|&b| minimum[b] != u64::MAX).collect();
    let mut signature = minimum;
    for bucket in 0..BUCKETS {
        if minimum[bucket] == u64::MAX {
            let next = filled
                .iter()
                .map(|&f| (f + BUCKETS - bucket) % BUCKETS)
                .min()
                .unwrap_or(0);
            let from = (bucket + next) % BUCKETS;
            signature[bucket] = mix(minimum[from] ^ (next as u64) << (64 - BUCKET_BITS));
        }
    }
    signature
}

/// A 64-bit finaliser (splitmix64): spreads the shingle's bits over the bucket and the value.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Finds the story of each article an indexing run adds: among the searchable articles (as of
/// the last commit) and those added since.
pub struct Stories {
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
    /// Making the filter costs about as much per band term as looking up an article's 16
    /// bands costs per this many terms (128 ns a term against 2 µs an article, on a 1M
    /// index): the filter is made once the direct lookups have cost as much as it would.
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
/// dictionary is a walk of cache misses, and most find nothing: 70% of them in a first run of
/// 1,000,000 articles, which the filters make 3% faster.
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

/// The stories sharing at least [`MIN_BANDS`] of `bands`, the most first, given the stories
/// that have each band.
pub fn candidates(bands: &[u64; BANDS], stories: &FxHashMap<u64, Vec<u64>>) -> Vec<u64> {
    let mut shared: FxHashMap<u64, usize> = FxHashMap::default();
    for band in bands {
        for story in stories.get(band).into_iter().flatten() {
            *shared.entry(*story).or_default() += 1;
        }
    }
    best_first(shared)
}

/// The keys counted at least [`MIN_BANDS`] times, the most first (the smallest key first among
/// equals, so that the choice does not depend on the map's order).
fn best_first<K: Ord + Copy>(counts: FxHashMap<K, usize>) -> Vec<K> {
    let mut found: Vec<(usize, K)> = counts
        .into_iter()
        .filter(|(_, n)| *n >= MIN_BANDS)
        .map(|(key, n)| (n, key))
        .collect();
    found.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    found.into_iter().map(|(_, key)| key).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(a: &str, b: &str) -> usize {
        let (a, b) = (bands(a).unwrap(), bands(b).unwrap());
        a.iter().zip(&b).filter(|(x, y)| x == y).count()
    }

    const STORY: &str = "Il consiglio dei ministri ha approvato nella notte il decreto sulle \
        bollette, che proroga di tre mesi gli sconti per le famiglie con un reddito basso. \
        Il provvedimento costa due miliardi, coperti in parte con i fondi europei non spesi. \
        Le opposizioni parlano di una misura tampone e chiedono un intervento strutturale. \
        Il ministro dell'economia ha detto che il governo tornerà sul tema in autunno, con la \
        legge di bilancio, quando saranno noti i conti dell'anno. Le associazioni dei \
        consumatori giudicano lo sconto insufficiente per chi vive nelle regioni più fredde.";

    #[test]
    fn a_copy_with_edits_shares_many_bands_another_story_almost_none() {
        let edited = STORY
            .replace("Il consiglio dei ministri", "Roma. Il Consiglio dei ministri")
            .replace(" Le associazioni dei consumatori giudicano lo sconto insufficiente per chi vive nelle regioni più fredde.", "")
            + " (di Marco Rossi)";
        assert!(
            shared(STORY, &edited) >= MIN_BANDS,
            "{}",
            shared(STORY, &edited)
        );
        assert_eq!(
            shared(STORY, &STORY.to_uppercase().replace(',', ";")),
            BANDS
        );
        let other = "Il governo ha approvato il decreto sulle bollette: per le opposizioni \
            non basta. Secondo le associazioni dei consumatori gli sconti sono troppo bassi e \
            arrivano tardi, mentre il ministro promette un intervento con la legge di bilancio \
            e ricorda che i fondi europei copriranno parte della spesa prevista.";
        assert!(shared(STORY, other) < MIN_BANDS, "{}", shared(STORY, other));
        let shingles = |body: &str| sketch(body).unwrap().shingles;
        assert!(shingles(STORY).copies(&shingles(&edited)));
        assert!(!shingles(STORY).copies(&shingles(other)));
    }

    #[test]
    fn a_page_sharing_its_template_is_no_copy() {
        let template = "Per aprire la finestra delle preferenze scegliere Modifica dal menu \
            principale e poi Preferenze; le modifiche sono applicate subito e restano valide \
            alla prossima apertura del programma. ";
        let one = format!(
            "{template}La scheda Generale imposta la lingua dell'interfaccia e il \
            tema delle icone, oltre alla cartella in cui sono salvati i documenti nuovi."
        );
        let other = format!(
            "{template}La scheda Rete indica il server proxy da usare e il \
            numero di connessioni aperte insieme durante lo scaricamento dei file."
        );
        let (one, other) = (sketch(&one).unwrap(), sketch(&other).unwrap());
        let shared = one.bands.iter().zip(&other.bands).filter(|(a, b)| a == b);
        assert!(shared.count() >= MIN_BANDS, "the bands make it a candidate");
        let overlap = one.shingles.containment(&other.shingles);
        assert!(overlap < MIN_CONTAINMENT, "{overlap}");
        assert!(!one.shingles.copies(&other.shingles));
    }

    #[test]
    fn short_bodies_have_no_bands() {
        assert!(bands("Sono stati lanciati due missili, anzi tre missili.").is_none());
        assert!(bands(STORY).is_some());
    }

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
