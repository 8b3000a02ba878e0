//! The Italian analyzer: how article text and query words become index terms.
//!
//! One chain serves indexing and querying, so a query word always meets the terms its inflected,
//! elided or accented forms produced in an article. The word lists live in `schema/` as data.

mod filters;
mod remember;
mod tokenizer;

use std::collections::HashSet;
use std::sync::LazyLock;

use tantivy::Index;
use tantivy::tokenizer::{
    LowerCaser, RawTokenizer, RemoveLongFilter, TextAnalyzer, TextAnalyzerBuilder, Token, Tokenizer,
};

pub use filters::fold_accents;
pub(crate) use filters::{
    ApostropheAccent, Elision, FoldAccents, Hashed, Headline, MarkNames, NAME_MARK, Rewrite, Stem,
    StopWords,
};
pub(crate) use tokenizer::WordTokenizer;

/// Name under which the Italian analyzer is registered with tantivy.
pub(crate) const ITALIAN: &str = "italian";
/// Name of the Italian analyzer without stemming, for names and exact forms.
pub(crate) const ITALIAN_EXACT: &str = "italian_exact";
/// Name of the analyzer for labels (section, source): the whole value, lowercased, accents folded.
pub(crate) const KEYWORD: &str = "keyword";

/// Name of the analyzer of the `headline` field: a whole title as one term.
pub(crate) const HEADLINE: &str = "headline";

/// Tokens longer than this (in bytes) are noise: URLs, base64, runs of digits.
const MAX_TOKEN_BYTES: usize = 60;

const STOPWORDS: &str = include_str!("../../schema/stopwords_it.txt");
const ELISIONS: &str = include_str!("../../schema/elisions_it.txt");

// Read once: every analyzer (one per query, one per indexing segment) shares the lists.
static ELISION: LazyLock<Elision> = LazyLock::new(|| Elision::new(word_list(ELISIONS)));
static STOP_WORDS: LazyLock<StopWords> = LazyLock::new(|| StopWords::new(word_list(STOPWORDS)));

/// The Italian analyzer: the words as [`words`] makes them, stemmed, with their lemma's stem at
/// the same position where it differs (see [`Stem`]).
pub(crate) fn italian() -> TextAnalyzer {
    words().filter(Stem).build()
}

/// Word forms and their lemmas, from spaCy's Italian lookup table (see `schema/README.md`):
/// an FST from each lowercase, accent-folded form to the byte offset of its lemma's line.
static LEMMA_FORMS: LazyLock<fst::Map<&'static [u8]>> = LazyLock::new(|| {
    // Embedded and covered by tests, so a bad map is a build defect.
    fst::Map::new(&include_bytes!("../../schema/lemmas_it.fst")[..]).expect("a valid lemma map")
});
const LEMMAS: &str = include_str!("../../schema/lemmas_it.txt");

/// The lemma of a lowercase, accent-folded word form (`alza` → `alzare`), if the table has one
/// other than the word itself.
pub(crate) fn lemma(word: &str) -> Option<&'static str> {
    let at = LEMMA_FORMS.get(word)? as usize;
    LEMMAS.get(at..)?.split('\n').next()
}

/// The Italian analyzer without its stemmer: `Conte` and `conti`, `Letta` and `letto` stay
/// apart. Capitalised query words (names) and `=word` are matched against these terms.
pub(crate) fn italian_exact() -> TextAnalyzer {
    words().build()
}

/// The stages every Italian analyzer shares, up to the stemmer; a text indexed by several
/// fields goes through them once (see [`remember`]).
fn words() -> TextAnalyzerBuilder<impl Tokenizer> {
    TextAnalyzer::builder(remember::Remembered(shared_stages().build()))
}

/// The shared stages, one per line.
fn shared_stages() -> TextAnalyzerBuilder<impl Tokenizer> {
    // Letters and digits; apostrophes stay inside words so the next stages can read them.
    TextAnalyzer::builder(WordTokenizer)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        // The elision list, the stop words and Snowball all expect lowercase.
        .filter(LowerCaser)
        // dell’Ucraina → ucraina (the highlight moves past the apostrophe too).
        .filter(Rewrite(ELISION.clone()))
        // citta' → città, piu' → più: before stop words and stemming, which know the accented forms.
        .filter(Rewrite(ApostropheAccent))
        // Stop words are listed accented (più, perché); the filter knows their bare spellings too.
        .filter(Rewrite(STOP_WORDS.clone()))
        // Fold before stemming: Snowball strips `-ità` and `-ita` by different rules, so stemming
        // first would split qualità (qualit) from qualita (qual). Folded, both spellings reach
        // the stemmer as one word (see tests::accents_fold_before_stemming).
        .filter(Rewrite(FoldAccents))
}

/// Name of the analyzer of the `exact` field: exact forms and names.
pub(crate) const ITALIAN_EXACT_NAMES: &str = "italian_exact_names";

/// [`italian_exact`] plus, after each word written with a capital, the same term marked as a
/// name (`Draghi` → `draghi`, `^draghi`; the `draghi` of a parade get no mark). Indexing only:
/// queries build marked terms themselves.
pub(crate) fn italian_exact_names() -> TextAnalyzer {
    words().filter(MarkNames).build()
}

/// The analyzer for labels such as sections: `Esteri`, `esteri` and `ESTERI` are one term.
pub(crate) fn keyword() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .filter(Rewrite(FoldAccents))
        .build()
}

/// A title as one term (see [`Headline`]), lowercased, accents folded, hashed: what a pasted or
/// retyped headline is compared with. Longer titles get no term: nobody types them whole.
pub(crate) fn headline() -> TextAnalyzer {
    TextAnalyzer::builder(RawTokenizer::default())
        .filter(Rewrite(Headline))
        .filter(RemoveLongFilter::limit(MAX_HEADLINE_BYTES))
        .filter(LowerCaser)
        .filter(Rewrite(FoldAccents))
        .filter(Rewrite(Hashed))
        .build()
}

/// Titles longer than this (in bytes) get no `headline` term.
const MAX_HEADLINE_BYTES: usize = 400;

/// Registers every analyzer the schema names: tantivy does not persist them in the index.
pub(crate) fn register(index: &Index) {
    index.tokenizers().register(ITALIAN, italian());
    index.tokenizers().register(ITALIAN_EXACT, italian_exact());
    index
        .tokenizers()
        .register(ITALIAN_EXACT_NAMES, italian_exact_names());
    index.tokenizers().register(KEYWORD, keyword());
    index.tokenizers().register(HEADLINE, headline());
}

/// Runs `analyzer` over `text` and collects its tokens.
pub(crate) fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push(token.clone());
    }
    out
}

/// The first token at each position: a word's own stem, not its lemma's (phrases are made of
/// these; the lemma's stem shares the position).
pub(crate) fn first_at_each_position(tokens: &[Token]) -> Vec<&Token> {
    let mut words: Vec<&Token> = Vec::with_capacity(tokens.len());
    for token in tokens {
        if words
            .last()
            .is_none_or(|last| last.position != token.position)
        {
            words.push(token);
        }
    }
    words
}

/// The words of one of the `schema/*.txt` lists: one per line, `#` starts a comment.
fn word_list(data: &str) -> HashSet<String> {
    data.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests;
