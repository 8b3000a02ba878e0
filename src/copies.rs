//! Copies: what makes two articles one story, whichever home they go to. A wire story
//! republished with another headline, a byline, a sentence added or cut is the same story.
//!
//! Candidates are found by MinHash over four-word shingles of the body's words (case and
//! punctuation ignored), one permutation hashing (one hash per shingle, 32 buckets, empty
//! buckets filled from the next) so that it costs a hash per word. The signature is cut into 16
//! bands of two values, kept for the first article of each story only: an article sharing
//! [`MIN_BANDS`] bands with a story's first article is a candidate. Bands alone group pages
//! that share a template or boilerplate, so a candidate becomes a copy only when the texts
//! really overlap: at least [`MIN_CONTAINMENT`] of the shorter body's shingles are in the other
//! ([`Shingles`]). A story is named by the fingerprint of its first article.

use rustc_hash::FxHashMap;
use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

const BUCKET_BITS: u32 = 5;
const BUCKETS: usize = 1 << BUCKET_BITS;
pub(crate) const BANDS: usize = BUCKETS / 2;
/// Bands a body must share with a story's first article to be its copy.
pub(crate) const MIN_BANDS: usize = 2;

/// Fewer words than this and a body's signature says too little: it is a copy only of the same
/// words (its fingerprint).
const MIN_WORDS: usize = 40;

/// The share of the shorter body's shingles the other must hold for a candidate to be a copy.
pub(crate) const MIN_CONTAINMENT: f64 = 0.8;

/// Candidates verified for one article, best first: a few, since a copy shares many bands.
pub(crate) const MAX_VERIFIED: usize = 4;

/// What finds a body's copies: its band terms, and its shingles to verify a candidate.
pub(crate) struct Sketch {
    pub(crate) bands: [u64; BANDS],
    pub(crate) shingles: Shingles,
}

/// The sketch of a body, or `None` when it has fewer than [`MIN_WORDS`] words.
pub(crate) fn sketch(body: &str) -> Option<Sketch> {
    let shingles = shingle_hashes(body)?;
    let signature = signature(&shingles);
    let mut bands = [0; BANDS];
    for (band, pair) in signature.chunks_exact(2).enumerate() {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&pair[0].to_le_bytes());
        bytes[8..].copy_from_slice(&pair[1].to_le_bytes());
        // 32 bits tell bands apart well enough (a candidate needs two, then its text is
        // compared), and keys of four bytes make a far smaller term dictionary than eight.
        bands[band] = xxh3_64_with_seed(&bytes, band as u64) >> 32;
    }
    Some(Sketch {
        bands,
        shingles: Shingles::of_hashes(shingles),
    })
}

/// The band terms of a body, or `None` when it has fewer than [`MIN_WORDS`] words.
pub(crate) fn bands(body: &str) -> Option<[u64; BANDS]> {
    sketch(body).map(|sketch| sketch.bands)
}

/// A body's four-word shingles, as a consistent sample: the [`Shingles::KEPT`] smallest of their
/// 32-bit hashes (all of them for a body of up to that many), so that two bodies compare on the
/// same range of hashes and memory stays bounded per article.
#[derive(Debug, Clone)]
pub(crate) struct Shingles {
    /// Sorted, distinct.
    smallest: Vec<u32>,
    /// Distinct shingles in the body.
    distinct: usize,
}

impl Shingles {
    const KEPT: usize = 256;

    /// The shingles of a body (none under [`MIN_WORDS`] words, which is no failure: such a body
    /// is a copy only word for word).
    pub(crate) fn of(body: &str) -> Shingles {
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
    pub(crate) fn containment(&self, other: &Shingles) -> f64 {
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
    pub(crate) fn copies(&self, other: &Shingles) -> bool {
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
pub(crate) fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The stories sharing at least [`MIN_BANDS`] of `bands`, the most first, given the stories
/// that have each band.
pub(crate) fn candidates(bands: &[u64; BANDS], stories: &FxHashMap<u64, Vec<u64>>) -> Vec<u64> {
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
pub(crate) fn best_first<K: Ord + Copy>(counts: FxHashMap<K, usize>) -> Vec<K> {
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
}
