//! What an indexing run has to do, decided before anything is written: walk the folders, load
//! the last run's state, sort the files into new, changed, unchanged and vanished ones, and read
//! each file to add (unchanged content is not parsed again). The local index (`writer`) and a
//! cluster (`cluster::index`) carry out the same plan.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use rustc_hash::{FxHashMap, FxHashSet};
use xxhash_rust::xxh3::xxh3_64;

use super::state::{FileState, IndexState};
use crate::ingest::walk::{FoundFile, Met, walk_in_parts};
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

/// One piece of the walk (see [`walk_in_parts`]) sorted against the last run's state, as soon
/// as it is walked: of the files unchanged, which on a re-run are nearly all, only the hashes of
/// their keys are kept.
#[derive(Default)]
struct Part {
    files: u64,
    unsupported: u64,
    /// Hashes of the keys of the files unchanged.
    unchanged: Vec<u64>,
    /// The files to read, with the hashes of their keys, in walk order.
    pending: Vec<(u64, Pending)>,
    /// Entries the walk could not read.
    errors: Vec<ParseError>,
}

fn sort_part(met: Vec<Met>, known: &FxHashMap<String, FileState>) -> Part {
    let mut part = Part::default();
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
        let hash = xxh3_64(file.key.as_bytes());
        let reason = match known.get(&file.key) {
            Some(k) if k.size == file.size && k.mtime == file.mtime => {
                part.unchanged.push(hash);
                continue;
            }
            Some(k) => Reason::Changed { known_hash: k.hash },
            None => Reason::New,
        };
        part.pending.push((hash, Pending { file, reason }));
    }
    part
}

/// Puts the sorted pieces of the walk together into the run's plan, and finds the vanished
/// files. `roots` are the canonical folders walked; files under `unreadable` folders (which the
/// walk could not read this time) did not vanish. Only hashes of the keys seen are kept: on a
/// large archive the keys would otherwise take the memory.
fn plan(
    parts: Vec<Part>,
    known: &FxHashMap<String, FileState>,
    roots: &[PathBuf],
    unreadable: &[PathBuf],
) -> Plan {
    let mut plan = Plan::default();
    let mut seen: FxHashSet<u64> = FxHashSet::default();
    for part in parts {
        plan.files += part.files;
        plan.unsupported += part.unsupported;
        // A file reached twice (overlapping directories) counts once.
        for hash in part.unchanged {
            plan.unchanged += u64::from(seen.insert(hash));
        }
        for (hash, pending) in part.pending {
            if seen.insert(hash) {
                plan.pending.push(pending);
            }
        }
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
/// `warn`).
pub(crate) fn survey(
    options: &IndexOptions,
    roots: &[PathBuf],
    warn: &(dyn Fn(&ParseError) + Sync),
) -> (IndexState, Plan, IndexReport) {
    let (state, mut parts) = walk_and_load(options);
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
    let plan = plan(parts, &state.files, roots, &unreadable);
    report.files = plan.files;
    report.unchanged = plan.unchanged;
    if plan.unsupported > 0 {
        *report
            .skipped
            .entry(SkipReason::Unsupported.name())
            .or_default() += plan.unsupported;
    }
    (state, plan, report)
}

/// The state of the last run, and what the walk finds sorted against it piece by piece. The
/// state is read while the folders are walked (on a large archive both take seconds, and a
/// re-run with nothing to do is little else); each piece waits for it once walked.
fn walk_and_load(options: &IndexOptions) -> (IndexState, Vec<Part>) {
    let index_dir = std::fs::canonicalize(&options.index).ok();
    let loaded: OnceLock<IndexState> = OnceLock::new();
    let parts = std::thread::scope(|scope| {
        // Set whatever happens, or the pieces would wait forever: a state that cannot be
        // read is an empty one (every file is then read again).
        scope.spawn(|| {
            let load = || IndexState::load(&options.index);
            loaded.get_or_init(|| std::panic::catch_unwind(load).unwrap_or_default())
        });
        let sort = |met: Vec<Met>| sort_part(met, &loaded.wait().files);
        options
            .dirs
            .iter()
            .flat_map(|dir| walk_in_parts(dir, index_dir.as_deref(), &sort))
            .collect()
    });
    let state = loaded.into_inner().unwrap_or_default();
    (state, parts)
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
        let parts = walked
            .into_iter()
            .map(|file| sort_part(vec![Ok(file)], &known));
        let plan = plan(parts.collect(), &known, &[PathBuf::from("/a")], &[]);
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
