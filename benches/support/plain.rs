//! The plain pipeline both benchmarks measure emeroteca beside: tantivy's `SimpleTokenizer`,
//! `LowerCaser` and Snowball Italian, with positions.

use tantivy::Index;
use tantivy::schema::{IndexRecordOption, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};

const ANALYZER: &str = "plain_italian";

/// Options of a text field analysed by the plain pipeline.
pub fn text_options() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// Registers the plain analyzer with `index` (tantivy does not persist analyzers).
pub fn register(index: &Index) {
    index.tokenizers().register(
        ANALYZER,
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::Italian))
            .build(),
    );
}
