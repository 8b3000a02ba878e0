//! What an indexing run has to do, decided before anything is written: walk the folders, load
//! the last run's state, sort the files into new, changed, unchanged and vanished ones, and read
//! each file to add (unchanged content is not parsed again). The local index and a cluster
//! carry out the same plan (see [`super::run`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use xxhash_rust::xxh3::xxh3_64;

use super::Ledger;
pub(crate) use super::pending::{Pending, Reason};
use super::pending::{PendingFiles, Stretch};
use super::state::IndexState;
use crate::ingest::walk::{Met, walk_in_parts};
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

/// Files read in parallel before their articles are handed to the writer, in walk order. The
/// writer's threads index one batch while the next is parsed.
const FILES_PER_BATCH: usize = 512;

/// Bytes of files in one batch, at most (and one file more): a batch of dumps holding fifty
/// articles each would otherwise hold 25,000 parsed articles at once.
const BYTES_PER_BATCH: u64 = 16 << 20;

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

/// What a run has to do, decided from what the walk found and what the last run indexed.
pub(crate) struct Plan {
    /// Files to read, in walk order, kept on disk.
    pending: PendingFiles,
    stretches: Vec<Stretch>,
    /// Keys of files gone from the walked folders: their articles go.
    pub vanished: Vec<String>,
    /// Hashes of the keys of the files read again or vanished, sorted (when asked for): what
    /// the index holds of them is going.
    pub leaving: Vec<u64>,
    /// Files found (of every kind), and those not read because nothing about them changed.
    files: u64,
    unchanged: u64,
    /// Files found that are not articles (other extensions).
    unsupported: u64,
}

impl Plan {
    /// How many files are to be read.
    pub fn pending_files(&self) -> usize {
        self.stretches.iter().map(|s| s.files).sum()
    }

    /// The files to read, in walk order, in batches to read in parallel: up to
    /// [`FILES_PER_BATCH`] files, or until they weigh [`BYTES_PER_BATCH`].
    pub fn into_batches(self) -> impl Iterator<Item = std::io::Result<Vec<Pending>>> {
        let mut files = self.pending.read(self.stretches);
        std::iter::from_fn(move || {
            let (mut batch, mut bytes) = (Vec::new(), 0);
            while batch.len() < FILES_PER_BATCH && bytes < BYTES_PER_BATCH {
                match files.next() {
                    None => break,
                    Some(Ok(pending)) => {
                        bytes += pending.file.size;
                        batch.push(pending);
                    }
                    Some(Err(error)) => return Some(Err(error)),
                }
            }
            (!batch.is_empty()).then_some(Ok(batch))
        })
    }
}

/// One piece of the walk (see [`walk_in_parts`]) sorted against the last run's state as soon as
/// it is walked: of the files unchanged, which on a re-run are nearly all, nothing is kept but
/// a mark in `seen`; the files to read go to disk.
#[derive(Default)]
struct Part {
    files: u64,
    unsupported: u64,
    unchanged: u64,
    /// Where the files to read were written.
    pending: Stretch,
    /// Hashes of their keys, when asked for.
    leaving: Vec<u64>,
    /// Entries the walk could not read.
    errors: Vec<ParseError>,
    /// Why the files to read could not be written, if they could not.
    failed: Option<std::io::Error>,
}

/// Which of the files the state lists the walk has met, by their number in it.
struct Seen(Vec<AtomicU64>);

impl Seen {
    fn new(files: u64) -> Seen {
        Seen((0..files.div_ceil(64)).map(|_| AtomicU64::new(0)).collect())
    }

    fn mark(&self, number: u64) {
        self.0[(number / 64) as usize].fetch_or(1 << (number % 64), Ordering::Relaxed);
    }

    fn contains(&self, number: u64) -> bool {
        self.0[(number / 64) as usize].load(Ordering::Relaxed) & (1 << (number % 64)) != 0
    }
}

/// Sorts a piece against the last `state`, marking the files it lists as `seen`, and writes the
/// files to read to `pending`.
fn sort_part(
    met: Vec<Met>,
    state: &IndexState,
    seen: &Seen,
    pending_files: &PendingFiles,
    leaving: bool,
) -> Part {
    let mut part = Part::default();
    let mut pending = Vec::new();
    for met in met {
        let file = match met {
            Ok(file) => file,
            Err(error) => {
                part.errors.push(error);
                continue;
            }
        };
        part.files += 1;
        if Format::from_path(&file.path).is_none() {
            part.unsupported += 1;
            continue;
        }
        let reason = match state.get(&file.key) {
            Some((number, known)) => {
                seen.mark(number);
                if known.size == file.size && known.mtime == file.mtime {
                    part.unchanged += 1;
                    continue;
                }
                Reason::Changed { known }
            }
            None => Reason::New,
        };
        if leaving {
            part.leaving.push(xxh3_64(file.key.as_bytes()));
        }
        pending.push(Pending { file, reason });
    }
    match pending_files.append(&pending) {
        Ok(stretch) => part.pending = stretch,
        Err(error) => part.failed = Some(error),
    }
    part
}

/// The pieces of the walk sorted, and what they were sorted against.
struct Sorted<'a> {
    parts: Vec<Part>,
    state: &'a IndexState,
    seen: &'a Seen,
    leaving: bool,
}

/// Puts the sorted pieces of the walk together into the run's plan, and finds the vanished
/// files: those the state lists, under the folders walked (`roots`, canonical), that the walk
/// did not meet, unless under a folder it could not read this time (`unreadable`).
fn plan(
    sorted: Sorted,
    pending: PendingFiles,
    roots: &[PathBuf],
    unreadable: &[PathBuf],
) -> std::io::Result<Plan> {
    let mut leaving = Vec::new();
    let (mut files, mut unchanged, mut unsupported) = (0, 0, 0);
    let mut stretches = Vec::with_capacity(sorted.parts.len());
    for part in sorted.parts {
        if let Some(error) = part.failed {
            return Err(error);
        }
        files += part.files;
        unchanged += part.unchanged;
        unsupported += part.unsupported;
        leaving.extend(part.leaving);
        stretches.push(part.pending);
    }
    let mut vanished = Vec::new();
    sorted.state.for_each_key(|number, key| {
        let path = Path::new(key);
        if !sorted.seen.contains(number)
            && roots.iter().any(|root| path.starts_with(root))
            && !unreadable.iter().any(|dir| path.starts_with(dir))
        {
            vanished.push(key.to_string());
        }
    });
    if sorted.leaving {
        leaving.extend(vanished.iter().map(|key| xxh3_64(key.as_bytes())));
    }
    leaving.sort_unstable();
    Ok(Plan {
        pending,
        stretches,
        vanished,
        leaving,
        files,
        unchanged,
        unsupported,
    })
}

/// What reading a pending file gave.
pub(crate) enum Loaded {
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

/// The run's progress bar over the files to read (drawn only when asked for, on a terminal).
pub(crate) fn progress_bar(options: &IndexOptions, files: usize) -> ProgressBar {
    let progress = if options.progress {
        ProgressBar::new(files as u64)
    } else {
        ProgressBar::hidden()
    };
    progress.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} files · {msg} · ETA {eta}")
            .expect("the progress template is valid"),
    );
    progress
}

/// Walks the folders and loads the last run's state, then plans the run: the report starts with
/// the files found, unchanged or unsupported, and the folders that could not be read (told to
/// `warn`). With `leaving`, the plan lists the hashes of the keys whose articles are going.
pub(crate) fn survey(
    options: &IndexOptions,
    roots: &[PathBuf],
    warn: &(dyn Fn(&ParseError) + Sync),
    leaving: bool,
) -> anyhow::Result<(Plan, Ledger)> {
    let pending = PendingFiles::new(&options.index)
        .with_context(|| format!("cannot write to {}", options.index.display()))?;
    let (state, seen, mut parts) = walk_and_load(options, roots, &pending, leaving)?;
    let mut report = IndexReport::default();
    let walk_errors: Vec<ParseError> = parts
        .iter_mut()
        .flat_map(|part| std::mem::take(&mut part.errors))
        .collect();
    // A folder that could not be read this time keeps its articles: it did not vanish.
    let unreadable: Vec<PathBuf> = walk_errors
        .iter()
        .filter_map(|error| std::fs::canonicalize(&error.path).ok())
        .collect();
    for error in &walk_errors {
        warn(error);
        report.skip(error.reason);
    }
    let sorted = Sorted {
        parts,
        state: &state,
        seen: &seen,
        leaving,
    };
    let plan = plan(sorted, pending, roots, &unreadable)
        .with_context(|| format!("cannot write to {}", options.index.display()))?;
    report.files = plan.files;
    report.unchanged = plan.unchanged;
    if plan.unsupported > 0 {
        *report
            .skipped
            .entry(SkipReason::Unsupported.name())
            .or_default() += plan.unsupported;
    }
    Ok((plan, Ledger { state, report }))
}

/// The state of the last run, what the walk met of it, and what the walk finds sorted against
/// it piece by piece. The state is opened while the folders are walked (after a crash it is
/// folded first, and a re-run with nothing to do is little else than both); each piece waits
/// for it once walked. A folder inside another one given is walked once, with it.
fn walk_and_load(
    options: &IndexOptions,
    roots: &[PathBuf],
    pending: &PendingFiles,
    leaving: bool,
) -> anyhow::Result<(IndexState, Seen, Vec<Part>)> {
    let index_dir = std::fs::canonicalize(&options.index).ok();
    let index = &options.index;
    let loaded: OnceLock<(IndexState, Seen)> = OnceLock::new();
    let failed: OnceLock<anyhow::Error> = OnceLock::new();
    let parts = std::thread::scope(|scope| {
        // Set whatever happens, or the pieces would wait forever: a state that cannot be
        // read is an empty one here, and the run then ends with the reason.
        scope.spawn(|| {
            let open = || IndexState::open(&options.index);
            let state = match std::panic::catch_unwind(open) {
                Ok(Ok(state)) => state,
                Ok(Err(error)) => {
                    let context = format!("cannot read the file state in {}", index.display());
                    failed.get_or_init(|| anyhow::Error::new(error).context(context));
                    IndexState::empty(index)
                }
                Err(_) => {
                    let reason = format!("reading the file state in {} failed", index.display());
                    failed.get_or_init(|| anyhow::anyhow!(reason));
                    IndexState::empty(index)
                }
            };
            let seen = Seen::new(state.files());
            loaded.get_or_init(|| (state, seen))
        });
        let sort = |met: Vec<Met>| {
            let (state, seen) = loaded.wait();
            sort_part(met, state, seen, pending, leaving)
        };
        options
            .dirs
            .iter()
            .enumerate()
            .filter(|&(i, _)| !walked_with_another(roots, i))
            .flat_map(|(_, dir)| walk_in_parts(dir, index_dir.as_deref(), &sort))
            .collect()
    });
    if let Some(error) = failed.into_inner() {
        return Err(error);
    }
    let (state, seen) = loaded
        .into_inner()
        .unwrap_or_else(|| (IndexState::empty(index), Seen::new(0)));
    Ok((state, seen, parts))
}

/// Whether the `i`th of the canonical `roots` lies inside another one, or repeats an earlier
/// one: its files are met by that one's walk.
fn walked_with_another(roots: &[PathBuf], i: usize) -> bool {
    let root = &roots[i];
    roots
        .iter()
        .enumerate()
        .any(|(j, other)| j != i && root.starts_with(other) && (root != other || j < i))
}

/// The content hash the index holds of a file read again.
fn known_hash(reason: Reason) -> Option<u64> {
    match reason {
        Reason::New => None,
        Reason::Changed { known } => Some(known.hash),
    }
}

/// Reads a pending file; a known file whose content hash has not changed is not parsed. A web
/// archive is only hashed here: its records are streamed when its articles are added.
pub(crate) fn read_file(pending: &Pending, limits: &Limits) -> Loaded {
    if let Some((Format::Warc, gzipped)) = Format::from_path(&pending.file.path) {
        return match hash_file(&pending.file.path) {
            Ok(hash) if known_hash(pending.reason) == Some(hash) => Loaded::SameContent,
            Ok(hash) => Loaded::Stream { hash, gzipped },
            Err(error) => Loaded::Failed(ParseError::new(
                pending.file.path.to_string_lossy().as_ref(),
                SkipReason::Unreadable,
                error.to_string(),
            )),
        };
    }
    let (format, bytes) = match ingest::load(&pending.file.path, limits) {
        Ok(loaded) => loaded,
        Err(error) => return Loaded::Failed(error),
    };
    let hash = xxh3_64(&bytes);
    if known_hash(pending.reason) == Some(hash) {
        return Loaded::SameContent;
    }
    Loaded::Parsed {
        hash,
        outcome: ingest::parse_bytes(format, &pending.file.path, bytes),
    }
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
    use crate::ingest::walk::FoundFile;
    use crate::update::state::FileState;

    fn found(key: &str, size: u64) -> FoundFile {
        FoundFile {
            path: PathBuf::from(key),
            key: key.to_string(),
            size,
            mtime: 7,
        }
    }

    /// A saved state listing these files (key, size), each of content hash `size * 100`.
    fn saved(dir: &Path, entries: &[(&str, u64)]) -> IndexState {
        let mut state = IndexState::open(dir).unwrap();
        for &(key, size) in entries {
            let known = FileState {
                size,
                mtime: 7,
                hash: size * 100,
                articles: 1,
                duplicates: 0,
            };
            state.set(key.to_string(), known);
        }
        state.log().unwrap();
        state.compact().unwrap();
        state
    }

    /// The plan for these pieces of a walk of `/a`, against `state`.
    fn planned(
        dir: &Path,
        state: &IndexState,
        pieces: Vec<Vec<FoundFile>>,
        unreadable: &[PathBuf],
        leaving: bool,
    ) -> Plan {
        let pending = PendingFiles::new(dir).unwrap();
        let seen = Seen::new(state.files());
        let parts = pieces
            .into_iter()
            .map(|piece| {
                let met = piece.into_iter().map(Ok).collect();
                sort_part(met, state, &seen, &pending, leaving)
            })
            .collect();
        let sorted = Sorted {
            parts,
            state,
            seen: &seen,
            leaving,
        };
        plan(sorted, pending, &[PathBuf::from("/a")], unreadable).unwrap()
    }

    fn reasons(plan: Plan) -> Vec<(String, Option<u64>)> {
        plan.into_batches()
            .flat_map(|batch| batch.unwrap())
            .map(|p| (p.file.key, known_hash(p.reason)))
            .collect()
    }

    #[test]
    fn new_changed_and_unchanged_files() {
        let dir = tempfile::tempdir().unwrap();
        let state = saved(dir.path(), &[("/a/same.txt", 10), ("/a/grown.txt", 10)]);
        let pieces = vec![
            vec![found("/a/same.txt", 10), found("/a/grown.txt", 12)],
            vec![found("/a/fresh.txt", 5), found("/a/photo.jpg", 5)],
        ];
        let plan = planned(dir.path(), &state, pieces, &[], true);
        assert_eq!((plan.files, plan.unchanged, plan.unsupported), (4, 1, 1));
        assert!(plan.vanished.is_empty());
        let mut leaving = vec![xxh3_64(b"/a/grown.txt"), xxh3_64(b"/a/fresh.txt")];
        leaving.sort_unstable();
        assert_eq!(plan.leaving, leaving);
        assert_eq!(plan.pending_files(), 2);
        assert_eq!(
            reasons(plan),
            [
                ("/a/grown.txt".to_string(), Some(1000)),
                ("/a/fresh.txt".to_string(), None),
            ]
        );
    }

    #[test]
    fn batches_end_at_their_count_of_files_or_of_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let state = saved(dir.path(), &[]);
        let small = (0..FILES_PER_BATCH + 1).map(|n| found(&format!("/a/{n:04}.txt"), 100));
        let dumps = (0..4).map(|n| found(&format!("/a/dump-{n}.jsonl"), BYTES_PER_BATCH / 2));
        let pieces = vec![small.collect(), dumps.collect()];
        let plan = planned(dir.path(), &state, pieces, &[], false);
        let sizes: Vec<usize> = plan.into_batches().map(|b| b.unwrap().len()).collect();
        assert_eq!(sizes, [FILES_PER_BATCH, 3, 2]);
    }

    #[test]
    fn vanished_files_are_those_gone_from_readable_walked_folders() {
        let dir = tempfile::tempdir().unwrap();
        let state = saved(
            dir.path(),
            &[
                ("/a/gone.txt", 1),
                ("/a/kept.txt", 1),
                ("/a/locked/kept.txt", 1),
                ("/b/elsewhere.txt", 1),
            ],
        );
        let pieces = vec![vec![found("/a/kept.txt", 1)]];
        let plan = planned(
            dir.path(),
            &state,
            pieces,
            &[PathBuf::from("/a/locked")],
            false,
        );
        assert_eq!(plan.vanished, ["/a/gone.txt"]);
        assert_eq!(plan.pending_files(), 0);
        assert!(plan.leaving.is_empty());
    }
}
