//! The plain pipeline both benchmarks measure emeroteca beside: tantivy's `SimpleTokenizer`,
//! `LowerCaser` and Snowball Italian, with positions.

use tantivy::Index;
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
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

/// An index in memory with a stored `id`, and `title` and `body` analysed by the plain pipeline.
#[allow(dead_code)] // The benchmarks of real text use it; the main benchmark indexes one field.
pub fn title_and_body_index() -> (Index, Field, Field, Field) {
    let mut builder = Schema::builder();
    let id = builder.add_text_field("id", STRING | STORED);
    let title = builder.add_text_field("title", text_options());
    let body = builder.add_text_field("body", text_options());
    let index = Index::create_in_ram(builder.build());
    register(&index);
    (index, id, title, body)
}
