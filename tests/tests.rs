//! Integration tests: the built binary on `sample_corpus/` and on small corpora made in
//! temporary folders. One test binary, so it links once.

mod util;

/// The archive generator the benchmark uses, for tests that need a large archive.
#[path = "../benches/support/generate.rs"]
mod generate;

mod analyze;
mod browser;
mod copies;
mod crash;
mod errors;
mod explore;
mod export;
mod index;
mod json;
mod opensearch;
mod passage;
mod queries;
mod questions;
mod ranking;
mod read_only;
mod reindex;
mod search;
mod serve;
mod shell;
mod warc;
