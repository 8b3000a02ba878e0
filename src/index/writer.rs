//! One indexing run: walk the archive, compare with what the index holds, read new and changed
//! files in parallel, replace or remove their articles (each joining its story, see
//! [`super::stories`]), commit.
//!
//! Safety: every file read is first deleted from the index by its key, then its articles are
//! added, and the state file is saved only after a commit. A run killed at any point leaves the
//! last commit; the next run reads again whatever the state does not list, replacing rather than
//! duplicating what the killed run had committed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::{IndexReader, IndexWriter, Term};
use xxhash_rust::xxh3::xxh3_64;

use super::document::{ArticleDocument, Lineage};
use super::state::{FileState, IndexState};
use super::stories::{self, Stories};
use super::{Fields, OpenIndex, open_or_create, record_folders};
use crate::error::IndexError;
use crate::ingest::walk::{FoundFile, Met, walk};
use crate::ingest::{self, FileOutcome, Format, ParseError, SkipReason, read::Limits};

/// What an indexing run is asked to do.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    pub dirs: Vec<PathBuf>,
    pub index: PathBuf,
    pub limits: Limits,
    /// The writer's memory budget, in bytes, shared by its threads.
    pub memory_bytes: usize,
    /// Draw a progress bar (on stderr, and only when it is a terminal).
    pub progress: bool,
    /// Files read between two commits: a long run keeps its progress if interrupted.
    pub files_per_commit: usize,
}

/// Articles of one streamed file (a web archive) between two commits.
const ARTICLES_PER_STREAM_COMMIT: u32 = 10_000;

/// Files read in parallel before their articles are handed to the writer, in walk order. The
/// writer's threads index one batch while the next is parsed.
pub(crate) const FILES_PER_BATCH: usize = 512;

/// The summary of a run (printed on stderr, or as JSON with `index --json`).
#[derive(Debug, Default)]
pub struct IndexReport {
    /// Searchable articles after the run.
    pub articles: u64,
    pub new: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub removed: u64,
    /// Articles of this run found to be copies of a story already indexed (indexed too, shown
    /// once by search).
    pub duplicates: u64,
    /// Files or records left out, by reason.
    pub skipped: BTreeMap<&'static str, u64>,
    pub seconds: f64,
    /// Files found under the directories.
    pub files: u64,
    /// Articles added or replaced by this run.
    pub indexed: u64,
    /// The run was stopped (Ctrl-C) after its last commit.
    pub interrupted: bool,
}

impl IndexReport {
    pub(crate) fn skip(&mut self, reason: SkipReason) {
        *self.skipped.entry(reason.name()).or_default() += 1;
    }

    /// Counts a file read, by why it was read.
    pub(crate) fn count(&mut self, reason: Reason) {
        match reason {
            Reason::New => self.new += 1,
            Reason::Changed { .. } => self.changed += 1,
        }
    }
}

/// Why a file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    /// The index holds nothing of it.
    New,
    /// Its size or time changed; the index holds what had this content hash.
    Changed { known_hash: u64 },
}

/// A file to read, and why.
#[derive(Debug)]
pub(crate) struct Pending {
    pub file: FoundFile,
    pub reason: Reason,
}

/// What a run has to do, decided from what the walk found and what the last run indexed.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// Files to read, in walk order.
    pub pending: Vec<Pending>,
    /// Keys of files gone from the walked folders: their articles go.
    pub vanished: Vec<String>,
    /// Files found (of every kind), and those not read because nothing about them changed.
    files: u64,
    unchanged: u64,
    /// Files found that are not articles (other extensions).
    unsupported: u64,
}

/// Sorts what the walk found into files to read, unchanged files and vanished ones. `roots` are
/// the canonical folders walked; files under `unreadable` folders (which the walk could not
/// read this time) did not vanish. Only hashes of the keys seen are kept: on a large archive
/// the keys would otherwise take the memory.
fn plan(
    found: Vec<FoundFile>,
    known: &FxHashMap<String, FileState>,
    roots: &[PathBuf],
    unreadable: &[PathBuf],
) -> Plan {
    let mut plan = Plan::default();
    let mut seen: FxHashSet<u64> = FxHashSet::default();
    for file in found {
        plan.files += 1;
        if Format::from_path(&file.path).is_none() {
            plan.unsupported += 1;
            continue;
        }
        if !seen.insert(xxh3_64(file.key.as_bytes())) {
            continue; // the same file reached twice (overlapping directories, links)
        }
        let reason = match known.get(&file.key) {
            Some(k) if k.size == file.size && k.mtime == file.mtime => {
                plan.unchanged += 1;
                continue;
            }
            Some(k) => Reason::Changed { known_hash: k.hash },
            None => Reason::New,
        };
        plan.pending.push(Pending { file, reason });
    }
    plan.vanished = known
        .keys()
        .filter(|key| {
            let path = Path::new(key.as_str());
            !seen.contains(&xxh3_64(key.as_bytes()))
                && roots.iter().any(|root| path.starts_with(root))
                && !unreadable.iter().any(|dir| path.starts_with(dir))
        })
        .cloned()
        .collect();
    plan.vanished.sort();
    plan
}

/// What reading a pending file gave.
pub(crate) enum Read {
    /// Size or time changed, the content did not.
    SameContent,
    Parsed {
        hash: u64,
        outcome: FileOutcome,
    },
    /// A web archive to stream.
    Stream {
        hash: u64,
        gzipped: bool,
    },
    Failed(ParseError),
}

/// The content hash of a file read as a stream.
fn hash_file(path: &Path) -> std::io::Result<u64> {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut file = std::fs::File::open(path)?;
    let mut buffer = vec![0; 1 << 20];
    loop {
        let n = std::io::Read::read(&mut file, &mut buffer)?;
        if n == 0 {
            return Ok(hasher.digest());
        }
        hasher.update(&buffer[..n]);
    }
}

/// Brings the index at `options.index` up to date with `options.dirs`, in three steps: [`plan`]
/// what to do from the walk and the last state, [`Run::apply`] it, [`Run::finish`]. `warn`
/// receives each file or record that is skipped; the run goes on. When `stop` becomes true
/// (Ctrl-C), the run commits what it has read and returns with `interrupted` set.
pub fn update(
    options: &IndexOptions,
    warn: &(dyn Fn(&ParseError) + Sync),
    stop: &AtomicBool,
) -> anyhow::Result<IndexReport> {
    let started = Instant::now();
    let roots = canonical_roots(&options.dirs)?;
    let opened = open_or_create(&options.index)?;
    record_folders(&options.index, &options.dirs)?;
    let writer = open_writer(&opened, options)?;
    let (state, plan, report) = survey(options, &roots, warn)?;
    let mut run = Run {
        options,
        warn,
        fields: opened.schema.fields,
        writer,
        state,
        report,
        started,
    };
    let changes = !plan.vanished.is_empty() || !plan.pending.is_empty();
    run.apply(plan, &opened.reader, stop)?;
    run.finish(&opened, changes)
}

/// Walks the folders and loads the last run's state, then plans the run: the report starts with
/// the files found, unchanged or unsupported, and the folders that could not be read (told to
/// `warn`).
pub(crate) fn survey(
    options: &IndexOptions,
    roots: &[PathBuf],
    warn: &(dyn Fn(&ParseError) + Sync),
) -> anyhow::Result<(IndexState, Plan, IndexReport)> {
    let (state, found) = walk_and_load(options)?;
    let mut report = IndexReport::default();
    let (files, walk_errors): (Vec<Met>, Vec<Met>) = found.into_iter().partition(Result::is_ok);
    let walk_errors: Vec<ParseError> = walk_errors.into_iter().filter_map(Result::err).collect();
    // A folder that could not be read this time keeps its articles: it did not vanish.
    let unreadable: Vec<PathBuf> = walk_errors
        .iter()
        .filter_map(|error| std::fs::canonicalize(&error.path).ok())
        .collect();
    for error in &walk_errors {
        warn(error);
        report.skip(error.reason);
    }
    let files = files.into_iter().filter_map(Result::ok).collect();
    let plan = plan(files, &state.files, roots, &unreadable);
    report.files = plan.files;
    report.unchanged = plan.unchanged;
    if plan.unsupported > 0 {
        *report
            .skipped
            .entry(SkipReason::Unsupported.name())
            .or_default() += plan.unsupported;
    }
    Ok((state, plan, report))
}

/// The index's writer; another run holding it is told apart from other failures.
fn open_writer(
    opened: &OpenIndex,
    options: &IndexOptions,
) -> anyhow::Result<IndexWriter<ArticleDocument>> {
    opened
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
        })
}

/// What the walk finds, and the state of the last run. The state is read while the folders are
/// walked: on a large archive both take seconds, and a re-run with nothing to do is little else.
fn walk_and_load(options: &IndexOptions) -> anyhow::Result<(IndexState, Vec<Met>)> {
    let index_dir = std::fs::canonicalize(&options.index).ok();
    let (state, found) = std::thread::scope(|scope| {
        let loading = scope.spawn(|| IndexState::load(&options.index));
        let found: Vec<Met> = options
            .dirs
            .iter()
            .flat_map(|dir| walk(dir, index_dir.as_deref()))
            .collect();
        (loading.join(), found)
    });
    let state = state.map_err(|_| anyhow::anyhow!("reading the index state failed"))?;
    Ok((state, found))
}

/// An indexing run under way: the writer, the state kept in step with its commits, the report.
struct Run<'a> {
    options: &'a IndexOptions,
    warn: &'a (dyn Fn(&ParseError) + Sync),
    fields: Fields,
    writer: IndexWriter<ArticleDocument>,
    state: IndexState,
    report: IndexReport,
    started: Instant,
}

impl Run<'_> {
    /// Removes the vanished files' articles, then reads the pending files in batches, in
    /// parallel, and adds their articles in walk order (each joining its story), committing
    /// every `files_per_commit` files and when asked to stop.
    fn apply(&mut self, plan: Plan, reader: &IndexReader, stop: &AtomicBool) -> anyhow::Result<()> {
        let searcher = reader.searcher();
        let Plan {
            mut pending,
            vanished,
            ..
        } = plan;
        let (options, warn, fields) = (self.options, self.warn, self.fields);
        let (writer, state, report) = (&mut self.writer, &mut self.state, &mut self.report);
        for key in &vanished {
            writer.delete_term(Term::from_field_text(fields.file, key));
            state.remove(key);
            report.removed += 1;
        }
        // A file's articles are replaced by deleting what the index holds of it first. An
        // index that was empty holds nothing to delete, and each delete costs memory until the
        // commits have applied it to every segment: a first run skips them (100 MB less at 100k
        // files).
        let index_was_empty = searcher.num_docs() == 0;
        // The indexed articles of these files are going: one matching a new article is its own
        // earlier version, or a story's gone member, and the new article no copy.
        let leaving: FxHashSet<String> = if index_was_empty {
            FxHashSet::default()
        } else {
            vanished
                .iter()
                .cloned()
                .chain(pending.iter().map(|p| p.file.key.clone()))
                .collect()
        };
        let mut stories = Stories::new(searcher.clone(), fields, leaving);
        let started = self.started;
        let progress = if options.progress {
            ProgressBar::new(pending.len() as u64)
        } else {
            ProgressBar::hidden()
        };
        progress.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} files · {msg} · ETA {eta}")
                .expect("the progress template is valid"),
        );

        let articles_read = AtomicU64::new(0);
        let mut since_commit = 0;
        // Taken from the end in batches, so that each file's path is freed, and its key moved into
        // the state, as soon as it is indexed: on a large archive this list is most of the memory.
        pending.reverse();
        while !pending.is_empty() {
            let mut chunk = pending.split_off(pending.len().saturating_sub(FILES_PER_BATCH));
            chunk.reverse();
            // Read and parse in parallel; stop reading new files once asked to stop.
            let reads: Vec<Option<Read>> = chunk
                .par_iter()
                .map(|p| {
                    if stop.load(Ordering::Relaxed) {
                        return None;
                    }
                    let read = read_file(p, &options.limits);
                    if let Read::Parsed { outcome, .. } = &read {
                        let parsed = outcome.articles.len() as u64;
                        let total = articles_read.fetch_add(parsed, Ordering::Relaxed) + parsed;
                        let seconds = started.elapsed().as_secs_f64().max(1e-3);
                        progress.set_message(format!("{:.0} articles/s", total as f64 / seconds));
                    }
                    progress.inc(1);
                    Some(read)
                })
                .collect();
            // Then add in walk order, so which copy of a story is kept does not depend on timing.
            let files = chunk.len();
            for (p, read) in chunk.into_iter().zip(reads) {
                let Some(read) = read else { continue };
                let key = p.file.key;
                let mut entry = FileState {
                    size: p.file.size,
                    mtime: p.file.mtime,
                    hash: 0,
                    articles: 0,
                    duplicates: 0,
                };
                // Read again: what the index holds of the file goes first (an index that was empty
                // holds nothing).
                if !index_was_empty && !matches!(read, Read::SameContent) {
                    writer.delete_term(Term::from_field_text(fields.file, &key));
                }
                // False when a stream was stopped half-way: the file is not recorded as read.
                let mut finished = true;
                let mut adding = Adding {
                    writer,
                    stories: &mut stories,
                    report,
                    warn,
                    fields,
                    key: &key,
                    entry: &mut entry,
                };
                match read {
                    Read::SameContent => {
                        if let Some(known) = state.files.get(&key) {
                            entry.hash = known.hash;
                            entry.articles = known.articles;
                            entry.duplicates = known.duplicates;
                        }
                        report.unchanged += 1;
                    }
                    Read::Failed(error) => {
                        warn(&error);
                        report.skip(error.reason);
                        report.count(p.reason);
                    }
                    Read::Parsed { hash, outcome } => {
                        adding.entry.hash = hash;
                        adding.add(outcome);
                        report.count(p.reason);
                    }
                    Read::Stream { hash, gzipped } => {
                        adding.entry.hash = hash;
                        let name = p
                            .file
                            .path
                            .file_name()
                            .unwrap_or_default()
                            .to_string_lossy();
                        let mut articles_since_commit = 0;
                        let read = ingest::warc::read(
                            &p.file.path,
                            gzipped,
                            &options.limits,
                            &mut |outcome| {
                                let before = adding.entry.articles;
                                adding.add(outcome);
                                articles_since_commit += adding.entry.articles - before;
                                let added = adding.entry.articles;
                                progress.set_message(format!("{added} articles from {name}"));
                                // A long crawl commits on the way, so that what stories remember
                                // stays bounded and an interrupted run keeps what it read (the
                                // file, not yet in the state, is read again by the next run).
                                if articles_since_commit >= ARTICLES_PER_STREAM_COMMIT
                                    && adding.writer.commit().is_ok()
                                    && reader.reload().is_ok()
                                {
                                    articles_since_commit = 0;
                                    adding.stories.refresh(reader.searcher());
                                }
                                let go_on = !stop.load(Ordering::Relaxed);
                                finished &= go_on;
                                go_on
                            },
                        );
                        if let Err(error) = read {
                            warn(&error);
                            report.skip(error.reason);
                        }
                        report.count(p.reason);
                    }
                }
                if !finished {
                    break;
                }
                state.set(key, entry);
            }
            since_commit += files;
            let stopping = stop.load(Ordering::Relaxed);
            if since_commit >= options.files_per_commit || stopping {
                commit(writer, state, &options.index)?;
                reader.reload().context("cannot read the index")?;
                stories.refresh(reader.searcher());
                since_commit = 0;
                pending.shrink_to_fit();
            }
            if stopping {
                report.interrupted = true;
                break;
            }
        }
        progress.finish_and_clear();
        Ok(())
    }

    /// Commits what is left and compacts the state when anything changed, lets merges end
    /// (unless interrupted), and counts the searchable articles.
    fn finish(mut self, opened: &OpenIndex, changes: bool) -> anyhow::Result<IndexReport> {
        let index = &self.options.index;
        if changes {
            commit(&mut self.writer, &mut self.state, index)?;
            self.state
                .compact(index)
                .with_context(|| format!("cannot write to {}", index.display()))?;
        }
        if !self.report.interrupted {
            self.writer
                .wait_merging_threads()
                .with_context(|| format!("cannot merge the index at {}", index.display()))?;
        }
        opened
            .reader
            .reload()
            .context("cannot read the new index")?;
        self.report.articles = opened.reader.searcher().num_docs();
        self.report.seconds = self.started.elapsed().as_secs_f64();
        Ok(self.report)
    }
}

/// Adds a file's articles to the index, each joining its story, and counts the copies.
struct Adding<'a> {
    writer: &'a mut IndexWriter<ArticleDocument>,
    stories: &'a mut Stories,
    report: &'a mut IndexReport,
    warn: &'a (dyn Fn(&ParseError) + Sync),
    fields: Fields,
    /// The file's key, and what the state will say of it.
    key: &'a str,
    entry: &'a mut FileState,
}

impl Adding<'_> {
    fn add(&mut self, outcome: FileOutcome) {
        for article in outcome.articles {
            let fingerprint = article.fingerprint();
            let bands = stories::bands(&article.body);
            let (story, copy) = self.stories.story_of(bands.as_ref(), fingerprint);
            if copy {
                self.entry.duplicates += 1;
                self.report.duplicates += 1;
            }
            if outcome.later_replaces_same_id {
                self.writer
                    .delete_term(Term::from_field_text(self.fields.id, &article.id));
            }
            let lineage = Lineage {
                file: self.key,
                story,
                // A copy is found through its story's first article, never through another copy.
                bands: bands.as_ref().filter(|_| !copy).map(|b| &b[..]),
            };
            // add_document fails only once the writer has died of an earlier error, which the
            // next commit reports.
            let document = ArticleDocument::new(self.fields, article, lineage);
            let _ = self.writer.add_document(document);
            self.entry.articles += 1;
            self.report.indexed += 1;
        }
        for error in &outcome.errors {
            (self.warn)(error);
            self.report.skip(error.reason);
        }
        for reason in outcome.passed_over {
            self.report.skip(reason);
        }
    }
}

/// Reads a pending file; a known file whose content hash has not changed is not parsed. A web
/// archive is only hashed here: its records are streamed when its articles are added.
pub(crate) fn read_file(pending: &Pending, limits: &Limits) -> Read {
    if let Some((Format::Warc, gzipped)) = Format::from_path(&pending.file.path) {
        return match hash_file(&pending.file.path) {
            Ok(hash) if pending.reason == (Reason::Changed { known_hash: hash }) => {
                Read::SameContent
            }
            Ok(hash) => Read::Stream { hash, gzipped },
            Err(error) => Read::Failed(ParseError::new(
                pending.file.path.to_string_lossy().as_ref(),
                SkipReason::Unreadable,
                error.to_string(),
            )),
        };
    }
    let (format, bytes) = match ingest::load(&pending.file.path, limits) {
        Ok(loaded) => loaded,
        Err(error) => return Read::Failed(error),
    };
    let hash = xxh3_64(&bytes);
    if let Reason::Changed { known_hash } = pending.reason
        && known_hash == hash
    {
        return Read::SameContent;
    }
    Read::Parsed {
        hash,
        outcome: ingest::parse_bytes(format, &pending.file.path, bytes),
    }
}

/// Commits, then logs the state the commit made true.
fn commit(
    writer: &mut IndexWriter<ArticleDocument>,
    state: &mut IndexState,
    index: &Path,
) -> anyhow::Result<()> {
    writer
        .commit()
        .with_context(|| format!("cannot commit to the index at {}", index.display()))?;
    state
        .log(index)
        .with_context(|| format!("cannot write to {}", index.display()))
}

/// Canonical forms of the directories to index; a missing one stops the run before it starts.
pub(crate) fn canonical_roots(dirs: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    dirs.iter()
        .map(|dir| {
            if !dir.exists() {
                bail!("cannot index {}: no such directory", dir.display());
            }
            if !dir.is_dir() {
                bail!("cannot index {}: not a directory", dir.display());
            }
            std::fs::canonicalize(dir).with_context(|| format!("cannot read {}", dir.display()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(key: &str, size: u64) -> FoundFile {
        FoundFile {
            path: PathBuf::from(key),
            key: key.to_string(),
            size,
            mtime: 7,
        }
    }

    fn known(entries: &[(&str, u64, u32)]) -> FxHashMap<String, FileState> {
        entries
            .iter()
            .map(|&(key, size, duplicates)| {
                let state = FileState {
                    size,
                    mtime: 7,
                    hash: size * 100,
                    articles: 1,
                    duplicates,
                };
                (key.to_string(), state)
            })
            .collect()
    }

    fn reasons(plan: &Plan) -> Vec<(&str, Reason)> {
        plan.pending
            .iter()
            .map(|p| (p.file.key.as_str(), p.reason))
            .collect()
    }

    #[test]
    fn new_changed_and_unchanged_files() {
        let known = known(&[("/a/same.txt", 10, 0), ("/a/grown.txt", 10, 0)]);
        let walked = vec![
            found("/a/same.txt", 10),
            found("/a/grown.txt", 12),
            found("/a/fresh.txt", 5),
            found("/a/photo.jpg", 5),
            found("/a/fresh.txt", 5),
        ];
        let plan = plan(walked, &known, &[PathBuf::from("/a")], &[]);
        assert_eq!(
            reasons(&plan),
            [
                ("/a/grown.txt", Reason::Changed { known_hash: 1000 }),
                ("/a/fresh.txt", Reason::New),
            ]
        );
        assert_eq!((plan.files, plan.unchanged, plan.unsupported), (5, 1, 1));
        assert!(plan.vanished.is_empty());
    }

    #[test]
    fn vanished_files_are_those_gone_from_readable_walked_folders() {
        let known = known(&[
            ("/a/gone.txt", 1, 0),
            ("/a/locked/kept.txt", 1, 0),
            ("/b/elsewhere.txt", 1, 0),
        ]);
        let plan = plan(
            vec![],
            &known,
            &[PathBuf::from("/a")],
            &[PathBuf::from("/a/locked")],
        );
        assert_eq!(plan.vanished, ["/a/gone.txt"]);
        assert!(plan.pending.is_empty());
    }
}
