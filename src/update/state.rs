//! What the index holds, file by file (size, modification time, content hash, article counts),
//! so that a re-run reads only new and changed files.
//!
//! Kept on disk, sorted by key, so that memory does not grow with the archive:
//! - a snapshot (`files.state`): the records, then an fst that maps each key to its record, read
//!   through a memory map;
//! - a log (`files.log`) of blocks, one per commit: the changes that commit made true, as JSON
//!   lines sorted by key, ended by an empty line. Saving costs what changed, not the archive.
//!
//! A run folds the log into a new snapshot by merging these sorted streams, when it starts (after
//! a crash) and when it ends. A file the state does not list yet is simply read again (its old
//! articles replaced), so a crash between a commit and its block loses nothing, and a torn last
//! block is ignored.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::iter::Peekable;
use std::ops::Range;
use std::path::{Path, PathBuf};

use fst::Streamer;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use tantivy::Directory;
use tantivy::directory::{MmapDirectory, OwnedBytes};

const SNAPSHOT: &str = "files.state";
/// The log of changes since the snapshot; the first commit of a run creates it.
pub const LOG: &str = "files.log";
/// Ends a snapshot, after the count of its records.
const MAGIC: &[u8; 8] = b"emstate1";
/// Blocks the log may hold before a run folds them into the snapshot: a merge reads them all at
/// once, one open file each.
const MAX_BLOCKS: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileState {
    pub size: u64,
    /// Nanoseconds since the Unix epoch (see [`FoundFile::mtime`](crate::ingest::walk::FoundFile)).
    pub mtime: i64,
    /// Hash of the file's (decompressed) content: a touched but unchanged file is not parsed.
    pub hash: u64,
    /// Articles indexed from the file.
    pub articles: u32,
    /// Articles of the file found to be copies of a story indexed before them.
    pub duplicates: u32,
}

impl FileState {
    /// The size of a record in a snapshot.
    pub(crate) const BYTES: usize = 32;

    pub(crate) fn to_bytes(self) -> [u8; FileState::BYTES] {
        let mut bytes = [0; FileState::BYTES];
        bytes[0..8].copy_from_slice(&self.size.to_le_bytes());
        bytes[8..16].copy_from_slice(&self.mtime.to_le_bytes());
        bytes[16..24].copy_from_slice(&self.hash.to_le_bytes());
        bytes[24..28].copy_from_slice(&self.articles.to_le_bytes());
        bytes[28..32].copy_from_slice(&self.duplicates.to_le_bytes());
        bytes
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> FileState {
        let u64_at = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap());
        let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
        FileState {
            size: u64_at(0),
            mtime: u64_at(8) as i64,
            hash: u64_at(16),
            articles: u32_at(24),
            duplicates: u32_at(28),
        }
    }
}

/// One line of the log: a file's new state, or `None` when its articles were removed.
#[derive(Serialize, Deserialize)]
struct Change {
    key: String,
    state: Option<FileState>,
}

/// The last snapshot, memory-mapped: the records, and the fst from key to record number.
struct Snapshot {
    records: OwnedBytes,
    keys: fst::Map<OwnedBytes>,
}

impl Snapshot {
    /// The snapshot in `dir`, if there is a readable one.
    fn open(dir: &Path) -> Option<Snapshot> {
        // A directory of its own each time: tantivy's caches a file's map by its path, and a
        // compaction puts a new file at the same path.
        let bytes = MmapDirectory::open(dir)
            .ok()?
            .open_read(Path::new(SNAPSHOT))
            .ok()?
            .read_bytes()
            .ok()?;
        let end = bytes.len().checked_sub(16)?;
        if &bytes[end + 8..] != MAGIC {
            return None;
        }
        let count = u64::from_le_bytes(bytes[end..end + 8].try_into().ok()?) as usize;
        let records_end = count.checked_mul(FileState::BYTES).filter(|&e| e <= end)?;
        let keys = fst::Map::new(bytes.slice(records_end..end)).ok()?;
        (keys.len() == count).then(|| Snapshot {
            records: bytes.slice(0..records_end),
            keys,
        })
    }

    fn record(&self, number: u64) -> FileState {
        let at = number as usize * FileState::BYTES;
        FileState::from_bytes(&self.records[at..at + FileState::BYTES])
    }

    /// Every file's state, in key order.
    fn entries(&self) -> impl Iterator<Item = Change> + '_ {
        let mut stream = self.keys.stream();
        std::iter::from_fn(move || {
            let (key, number) = stream.next()?;
            Some(Change {
                key: String::from_utf8_lossy(key).into_owned(),
                state: Some(self.record(number)),
            })
        })
    }
}

/// The state of an index folder, as a run reads and changes it.
pub struct IndexState {
    dir: PathBuf,
    snapshot: Option<Snapshot>,
    /// The complete blocks of the log, as byte ranges.
    blocks: Vec<Range<u64>>,
    /// Changes since the last block (the last for a key wins).
    changes: FxHashMap<String, Option<FileState>>,
}

impl IndexState {
    /// The saved state of `dir` for a run, a log left by an interrupted run folded into the
    /// snapshot. Lines of the log that cannot be read are left out, with a warning (their files
    /// are read again); a log that cannot be folded is an error.
    pub fn open(dir: &Path) -> io::Result<IndexState> {
        let (mut state, unreadable) = IndexState::read(dir)?;
        if unreadable > 0 {
            eprintln!(
                "emeroteca: {unreadable} unreadable lines of {} left out; their files are read again",
                dir.join(LOG).display()
            );
        }
        // Any log, even one whose only block was torn: blocks appended after a torn one would
        // read as one block with it, unsorted.
        if dir.join(LOG).exists() {
            state.compact()?;
        }
        Ok(state)
    }

    /// The saved state as it is on disk, for reading only, and the log's unreadable lines.
    fn read(dir: &Path) -> io::Result<(IndexState, usize)> {
        let (blocks, unreadable) = match log_blocks(&dir.join(LOG)) {
            Ok(found) => found,
            Err(error) if error.kind() == io::ErrorKind::NotFound => (Vec::new(), 0),
            Err(error) => return Err(error),
        };
        let state = IndexState {
            dir: dir.to_path_buf(),
            snapshot: Snapshot::open(dir),
            blocks,
            changes: FxHashMap::default(),
        };
        Ok((state, unreadable))
    }

    /// An empty state for `dir`.
    pub fn empty(dir: &Path) -> IndexState {
        IndexState {
            dir: dir.to_path_buf(),
            snapshot: None,
            blocks: Vec::new(),
            changes: FxHashMap::default(),
        }
    }

    /// The files the snapshot lists; each has a number below this.
    pub fn files(&self) -> u64 {
        self.snapshot.as_ref().map_or(0, |s| s.keys.len() as u64)
    }

    /// What the snapshot says of a file, and the file's number in it.
    pub fn get(&self, key: &str) -> Option<(u64, FileState)> {
        let snapshot = self.snapshot.as_ref()?;
        let number = snapshot.keys.get(key)?;
        Some((number, snapshot.record(number)))
    }

    /// Calls `each` with every file the snapshot lists, and its number, in key order.
    pub fn for_each_key(&self, mut each: impl FnMut(u64, &str)) {
        let Some(snapshot) = &self.snapshot else {
            return;
        };
        let mut stream = snapshot.keys.stream();
        while let Some((key, number)) = stream.next() {
            each(number, &String::from_utf8_lossy(key));
        }
    }

    pub fn set(&mut self, key: String, state: FileState) {
        self.changes.insert(key, Some(state));
    }

    pub fn remove(&mut self, key: &str) {
        self.changes.insert(key.to_string(), None);
    }

    /// Appends the changes made since the last call to the log, as one block: call it after a
    /// commit. Past [`MAX_BLOCKS`], folds the log into the snapshot.
    pub fn log(&mut self) -> io::Result<()> {
        if self.changes.is_empty() {
            return Ok(());
        }
        let mut changes: Vec<(String, Option<FileState>)> = self.changes.drain().collect();
        changes.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut block = Vec::new();
        for (key, state) in changes {
            serde_json::to_writer(&mut block, &Change { key, state })?;
            block.push(b'\n');
        }
        block.push(b'\n');
        let mut log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join(LOG))?;
        let start = log.seek(SeekFrom::End(0))?;
        log.write_all(&block)?;
        log.sync_data()?;
        self.blocks.push(start..start + block.len() as u64);
        if self.blocks.len() >= MAX_BLOCKS {
            self.compact()?;
        }
        Ok(())
    }

    /// Merges the snapshot and the log's blocks into a new snapshot (written to a temporary
    /// file, renamed over the old one), then removes the log. A crash between the two leaves a
    /// log whose blocks agree with the snapshot, so folding it again changes nothing. Changes
    /// not yet logged (not yet committed) are not part of it.
    pub fn compact(&mut self) -> io::Result<()> {
        write_snapshot(&self.dir, self.merged()?)?;
        self.snapshot = Snapshot::open(&self.dir);
        self.blocks.clear();
        match fs::remove_file(self.dir.join(LOG)) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
            _ => Ok(()),
        }
    }

    /// Every file's state, in key order: the snapshot with the log's blocks over it.
    fn merged(&self) -> io::Result<impl Iterator<Item = (String, FileState)> + '_> {
        let mut sources: Vec<Box<dyn Iterator<Item = Change> + '_>> = Vec::new();
        if let Some(snapshot) = &self.snapshot {
            sources.push(Box::new(snapshot.entries()));
        }
        for block in &self.blocks {
            sources.push(Box::new(block_changes(&self.dir.join(LOG), block.clone())?));
        }
        Ok(Merge {
            sources: sources.into_iter().map(Iterator::peekable).collect(),
        })
    }
}

/// Articles that are copies of an earlier story, over all the files of the saved state in `dir`.
pub fn duplicates(dir: &Path) -> io::Result<u64> {
    let (state, _) = IndexState::read(dir)?;
    Ok(state.merged()?.map(|(_, f)| u64::from(f.duplicates)).sum())
}

/// Whether `dir` holds a saved state.
pub fn saved(dir: &Path) -> bool {
    dir.join(SNAPSHOT).exists() || dir.join(LOG).exists()
}

/// Removes the saved state of `dir`: every file is then read again.
pub fn clear(dir: &Path) -> io::Result<()> {
    for name in [SNAPSHOT, LOG] {
        match fs::remove_file(dir.join(name)) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => return Err(error),
            _ => {}
        }
    }
    Ok(())
}

/// Sorted streams of changes merged into one: for a key in several, the last stream's change
/// wins, and a removal leaves the key out.
struct Merge<'a> {
    sources: Vec<Peekable<Box<dyn Iterator<Item = Change> + 'a>>>,
}

impl Iterator for Merge<'_> {
    type Item = (String, FileState);

    fn next(&mut self) -> Option<(String, FileState)> {
        loop {
            let key = self
                .sources
                .iter_mut()
                .filter_map(|source| source.peek().map(|change| &change.key))
                .min()?
                .clone();
            let mut last = None;
            for source in &mut self.sources {
                if let Some(change) = source.next_if(|change| change.key == key) {
                    last = change.state;
                }
            }
            if let Some(state) = last {
                return Some((key, state));
            }
        }
    }
}

/// The complete blocks of the log at `path` (a torn last one is left out), and how many of
/// their lines are no change that can be read.
fn log_blocks(path: &Path) -> io::Result<(Vec<Range<u64>>, usize)> {
    let mut log = BufReader::new(File::open(path)?);
    let (mut blocks, mut start, mut at) = (Vec::new(), 0, 0);
    let (mut unreadable, mut in_block) = (0, 0);
    let mut line = Vec::new();
    loop {
        line.clear();
        let read = log.read_until(b'\n', &mut line)? as u64;
        if read == 0 {
            return Ok((blocks, unreadable));
        }
        at += read;
        if line == b"\n" {
            blocks.push(start..at);
            start = at;
            unreadable += std::mem::take(&mut in_block);
        } else if serde_json::from_slice::<Change>(&line).is_err() {
            in_block += 1;
        }
    }
}

/// The changes of one block of the log, read as a stream (lines that cannot be read were
/// counted when the log was opened).
fn block_changes(
    path: &Path,
    block: Range<u64>,
) -> io::Result<impl Iterator<Item = Change> + use<>> {
    let mut log = File::open(path)?;
    log.seek(SeekFrom::Start(block.start))?;
    let lines = BufReader::new(log.take(block.end - block.start)).lines();
    Ok(lines
        .map_while(Result::ok)
        .filter_map(|line| serde_json::from_str(&line).ok()))
}

/// Writes a snapshot of these entries, given in key order: records and keys are written apart as
/// they come, then joined into one file renamed over the old snapshot.
fn write_snapshot(
    dir: &Path,
    entries: impl Iterator<Item = (String, FileState)>,
) -> io::Result<()> {
    let temporary = dir.join(format!("{SNAPSHOT}.tmp"));
    let temporary_keys = dir.join(format!("{SNAPSHOT}.keys.tmp"));
    let mut records = BufWriter::new(File::create(&temporary)?);
    let mut keys = fst::MapBuilder::new(BufWriter::new(File::create(&temporary_keys)?))
        .map_err(io::Error::other)?;
    let mut count = 0u64;
    for (key, state) in entries {
        keys.insert(&key, count).map_err(io::Error::other)?;
        records.write_all(&state.to_bytes())?;
        count += 1;
    }
    keys.into_inner()
        .map_err(io::Error::other)?
        .into_inner()
        .map_err(|e| e.into_error())?;
    io::copy(&mut File::open(&temporary_keys)?, &mut records)?;
    records.write_all(&count.to_le_bytes())?;
    records.write_all(MAGIC)?;
    records
        .into_inner()
        .map_err(|e| e.into_error())?
        .sync_all()?;
    fs::remove_file(temporary_keys)?;
    fs::rename(temporary, dir.join(SNAPSHOT))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(articles: u32) -> FileState {
        FileState {
            size: 1,
            mtime: -2,
            hash: 3,
            articles,
            duplicates: articles / 2,
        }
    }

    fn articles(state: &IndexState) -> Vec<(String, u32)> {
        let mut listed = Vec::new();
        state.for_each_key(|number, key| {
            listed.push((key.to_string(), state.record_of(number).articles));
        });
        listed
    }

    impl IndexState {
        fn record_of(&self, number: u64) -> FileState {
            self.snapshot.as_ref().unwrap().record(number)
        }
    }

    #[test]
    fn blocks_fold_over_the_snapshot_and_a_torn_block_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let mut saved = IndexState::open(dir.path()).unwrap();
        saved.set("b".into(), state(2));
        saved.set("a".into(), state(1));
        saved.log().unwrap();
        saved.compact().unwrap();
        saved.set("a".into(), state(5));
        saved.remove("b");
        saved.log().unwrap();
        saved.set("c".into(), state(3));
        saved.set("a".into(), state(7));
        saved.log().unwrap();
        // A block cut short by a crash: neither of its lines counts.
        let mut log = OpenOptions::new()
            .append(true)
            .open(dir.path().join(LOG))
            .unwrap();
        log.write_all(b"{\"key\":\"a\",\"state\":null}\n{\"key\": \"d\", \"sta")
            .unwrap();
        assert_eq!(duplicates(dir.path()).unwrap(), 3 + 1);

        let loaded = IndexState::open(dir.path()).unwrap();
        assert!(!dir.path().join(LOG).exists(), "the log is folded in");
        assert_eq!(articles(&loaded), [("a".into(), 7), ("c".into(), 3)]);
        assert_eq!(loaded.get("a").unwrap().1, state(7));
        assert_eq!(loaded.get("b"), None);
        assert_eq!(loaded.files(), 2);
    }

    #[test]
    fn a_run_after_a_torn_first_block_logs_blocks_that_read_back() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join(LOG),
            "{\"key\":\"z\",\"state\":null}\n{\"key\":\"y",
        )
        .unwrap();
        let mut saved = IndexState::open(dir.path()).unwrap();
        saved.set("b".into(), state(2));
        saved.set("a".into(), state(1));
        saved.log().unwrap();
        // The run dies before its end: the next one reads the block back from the log.
        let loaded = IndexState::open(dir.path()).unwrap();
        assert_eq!(articles(&loaded), [("a".into(), 1), ("b".into(), 2)]);
    }

    #[test]
    fn a_long_run_folds_its_log_on_the_way() {
        let dir = tempfile::tempdir().unwrap();
        let mut saved = IndexState::open(dir.path()).unwrap();
        for commit in 0..MAX_BLOCKS as u32 + 3 {
            saved.set(format!("file-{commit:03}"), state(commit));
            saved.log().unwrap();
        }
        assert_eq!(saved.blocks.len(), 3);
        assert_eq!(saved.files(), MAX_BLOCKS as u64);
        let loaded = IndexState::open(dir.path()).unwrap();
        assert_eq!(loaded.files(), MAX_BLOCKS as u64 + 3);
        assert_eq!(loaded.get("file-034").unwrap().1, state(34));
    }
}
