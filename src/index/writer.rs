//! One indexing run: walk the archive, compare with what the index holds, parse new and changed
//! files in parallel, replace or remove their articles, commit.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use anyhow::{Context, bail};
use rayon::prelude::*;
use tantivy::{IndexWriter, TantivyDocument, Term};

use super::state::{FileState, IndexState};
use super::{document, open_or_create};
use crate::error::IndexError;
use crate::ingest::walk::{FoundFile, walk};
use crate::ingest::{self, Format, ParseError, SkipReason, read::Limits};

/// What an indexing run is asked to do.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    pub dirs: Vec<PathBuf>,
    pub index: PathBuf,
    pub limits: Limits,
    /// The writer's memory budget, in bytes, shared by its threads.
    pub memory_bytes: usize,
}

/// Files parsed between two commits: a long run keeps its progress if interrupted.
const FILES_PER_COMMIT: usize = 5_000;

/// The summary of a run (printed on stderr, or as JSON with `index --json`).
#[derive(Debug, Default)]
pub struct IndexReport {
    /// Searchable articles after the run.
    pub articles: u64,
    pub new: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub removed: u64,
    pub duplicates: u64,
    /// Files or records left out, by reason.
    pub skipped: BTreeMap<&'static str, u64>,
    pub seconds: f64,
    /// Files found under the directories.
    pub files: u64,
    /// Articles added or replaced by this run.
    pub indexed: u64,
}

impl IndexReport {
    fn skip(&mut self, reason: SkipReason) {
        *self.skipped.entry(reason.name()).or_default() += 1;
    }
}

/// Brings the index at `options.index` up to date with `options.dirs`. `warn` receives each
/// file or record that is skipped; the run goes on.
pub fn update(
    options: &IndexOptions,
    warn: &(dyn Fn(&ParseError) + Sync),
) -> anyhow::Result<IndexReport> {
    let started = Instant::now();
    let roots = canonical_roots(&options.dirs)?;
    let opened = open_or_create(&options.index)?;
    let fields = opened.schema.fields;
    let mut writer: IndexWriter<TantivyDocument> = opened
        .index
        .writer(options.memory_bytes)
        .map_err(|error| match error {
            tantivy::TantivyError::LockFailure(..) => {
                IndexError::Locked(options.index.clone()).into()
            }
            other => anyhow::Error::new(other).context(format!(
                "cannot write the index at {}",
                options.index.display()
            )),
        })?;
    let index_dir = std::fs::canonicalize(&options.index).ok();
    let mut state = IndexState::load(&options.index);
    let mut report = IndexReport::default();

    // Walk, and sort what was found into unchanged files and files to (re)read.
    let mut to_read: Vec<(FoundFile, bool)> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut walk_errors = Vec::new();
    for dir in &options.dirs {
        walk(
            dir,
            index_dir.as_deref(),
            |file| {
                report.files += 1;
                if Format::from_path(&file.path).is_none() {
                    report.skip(SkipReason::Unsupported);
                    return;
                }
                if !seen.insert(file.key.clone()) {
                    return; // the same file reached twice (overlapping directories, links)
                }
                match state.files.get(&file.key) {
                    Some(known) if known.size == file.size && known.mtime == file.mtime => {
                        report.unchanged += 1;
                    }
                    Some(_) => to_read.push((file, true)),
                    None => to_read.push((file, false)),
                }
            },
            |error| walk_errors.push(error),
        );
    }
    // A folder that could not be read this time keeps its articles: it did not vanish.
    let unreadable: Vec<PathBuf> = walk_errors
        .iter()
        .filter_map(|error| std::fs::canonicalize(&error.path).ok())
        .collect();
    for error in walk_errors {
        warn(&error);
        report.skip(error.reason);
    }

    // Files that vanished from the walked directories lose their articles.
    let vanished: Vec<String> = state
        .files
        .keys()
        .filter(|key| {
            let path = Path::new(key.as_str());
            !seen.contains(key.as_str())
                && roots.iter().any(|root| path.starts_with(root))
                && !unreadable.iter().any(|dir| path.starts_with(dir))
        })
        .cloned()
        .collect();
    for key in vanished {
        writer.delete_term(Term::from_field_text(fields.file, &key));
        state.files.remove(&key);
        report.removed += 1;
    }

    let report = Mutex::new(report);
    for chunk in to_read.chunks(FILES_PER_COMMIT) {
        let indexed: Vec<(String, FileState)> = chunk
            .par_iter()
            .map(|(file, changed)| {
                let outcome = ingest::parse_file(&file.path, &options.limits);
                if *changed {
                    writer.delete_term(Term::from_field_text(fields.file, &file.key));
                }
                for article in &outcome.articles {
                    // add_document only fails once the writer has been killed by an earlier error,
                    // which the commit below reports.
                    let _ = writer.add_document(document(&fields, article, &file.key));
                }
                let mut report = report.lock().unwrap_or_else(|e| e.into_inner());
                for error in &outcome.errors {
                    warn(error);
                    report.skip(error.reason);
                }
                if *changed {
                    report.changed += 1;
                } else {
                    report.new += 1;
                }
                report.indexed += outcome.articles.len() as u64;
                let entry = FileState {
                    size: file.size,
                    mtime: file.mtime,
                    articles: outcome.articles.len() as u64,
                };
                (file.key.clone(), entry)
            })
            .collect();
        writer.commit().with_context(|| {
            format!("cannot commit to the index at {}", options.index.display())
        })?;
        state.files.extend(indexed);
        state
            .save(&options.index)
            .with_context(|| format!("cannot write to {}", options.index.display()))?;
    }
    writer
        .commit()
        .with_context(|| format!("cannot commit to the index at {}", options.index.display()))?;
    state
        .save(&options.index)
        .with_context(|| format!("cannot write to {}", options.index.display()))?;
    writer
        .wait_merging_threads()
        .with_context(|| format!("cannot merge the index at {}", options.index.display()))?;

    let mut report = report.into_inner().unwrap_or_else(|e| e.into_inner());
    let reader = opened.index.reader().context("cannot read the new index")?;
    report.articles = reader.searcher().num_docs();
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Canonical forms of the directories to index; a missing one stops the run before it starts.
fn canonical_roots(dirs: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    dirs.iter()
        .map(|dir| {
            if !dir.is_dir() {
                bail!("cannot index {}: no such directory", dir.display());
            }
            std::fs::canonicalize(dir).with_context(|| format!("cannot read {}", dir.display()))
        })
        .collect()
}
