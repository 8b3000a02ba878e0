//! emeroteca: index archives of Italian news and search them.

/// The Italian analyzer and its filters.
pub mod analysis;
/// Where searches are answered: the local index or a cluster.
pub mod archive;
/// `search --batch`: many queries, one index opening.
pub(crate) mod batch;
/// The command line.
pub mod cli;
/// An OpenSearch cluster as a second home: indexing into it and searching it.
pub(crate) mod cluster;
/// Runs the commands.
mod command;
/// What makes two articles one story.
mod copies;
/// Errors the program branches on.
pub(crate) mod error;
/// Exports for cluster engines.
pub(crate) mod export;
/// The index on disk: schema, updating, statistics.
pub mod index;
/// Reading article files of every format.
pub mod ingest;
/// The search options of every front end, checked in one place.
pub(crate) mod options;
/// Rendering results for people and scripts.
pub(crate) mod output;
/// Queries, ranking and snippets.
pub mod search;
/// The HTTP API and the search page.
pub(crate) mod serve;
/// Bringing an archive's home up to date with its folders.
pub(crate) mod update;

pub use command::run;
