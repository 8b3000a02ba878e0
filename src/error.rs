//! Errors the program branches on; everything else travels as `anyhow::Error` with context.

use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum IndexError {
    #[error("no index at {}: run `emeroteca index DIR` first", .0.display())]
    Missing(PathBuf),
    #[error(
        "index at {} uses schema v{found}, this emeroteca v{expected}: run `emeroteca index` again to rebuild it",
        path.display()
    )]
    SchemaMismatch {
        path: PathBuf,
        found: u32,
        expected: u32,
    },
    #[error("{} exists and is not an emeroteca index; choose another --index", .0.display())]
    NotAnIndex(PathBuf),
    #[error(
        "the index at {} is read-only here: `index` cannot write to it (search, get, stats and serve can read it)",
        .0.display()
    )]
    ReadOnly(PathBuf),
    #[error("cannot read {}: {error}", path.display())]
    Unreadable {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("another indexing run holds the index at {}; try again when it ends", .0.display())]
    Locked(PathBuf),
}

/// A query that cannot be understood, with what is wrong in words.
#[derive(Debug, Error)]
#[error("bad query: {0}")]
pub struct QueryError(pub String);

/// A search option that cannot be used (a bad date, an unknown key, a value out of bounds), with
/// what is wrong in words.
#[derive(Debug, Error)]
#[error("bad option: {0}")]
pub struct OptionError(pub String);
