//! What the index holds, file by file (size, modification time, content hash, article counts),
//! so that a re-run reads only new and changed files.
//!
//! Kept as a zstd-compressed snapshot (`files.json.zst`: the paths compress fivefold, and on a
//! large archive this file would otherwise weigh a sixth of the index) and a log (`files.log`,
//! one JSON line per file changed since): after every commit the run appends what that commit
//! made true, so saving costs what changed, not the whole archive; the run's end folds the log
//! into a new snapshot. A file the state does not list yet is simply read again (its old
//! articles replaced), so a crash between a commit and its log line loses nothing, and a torn
//! last line is ignored.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

const SNAPSHOT: &str = "files.json.zst";
/// The log of changes since the snapshot; the first commit of a run creates it.
pub const LOG: &str = "files.log";

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

/// One line of the log: a file's new state, or `None` when its articles were removed.
#[derive(Serialize, Deserialize)]
struct Change {
    key: String,
    state: Option<FileState>,
}

#[derive(Debug, Default)]
pub struct IndexState {
    /// Canonical file path → what was indexed from it.
    pub files: FxHashMap<String, FileState>,
    /// Changes not yet in the log.
    unlogged: Vec<String>,
}

impl IndexState {
    /// The saved state, or an empty one (everything is then read again).
    pub fn load(index_dir: &Path) -> IndexState {
        // Decoded as a stream: on a large archive the snapshot's text weighs as much as the map
        // it describes (148 MB for 930,000 files).
        let mut files: FxHashMap<String, FileState> = fs::File::open(index_dir.join(SNAPSHOT))
            .ok()
            .and_then(|file| {
                let json = io::BufReader::new(zstd::stream::read::Decoder::new(file).ok()?);
                serde_json::from_reader(json).ok()
            })
            .unwrap_or_default();
        if let Ok(log) = fs::read_to_string(index_dir.join(LOG)) {
            for change in log
                .lines()
                .filter_map(|l| serde_json::from_str::<Change>(l).ok())
            {
                match change.state {
                    Some(state) => files.insert(change.key, state),
                    None => files.remove(&change.key),
                };
            }
        }
        IndexState {
            files,
            unlogged: Vec::new(),
        }
    }

    pub fn set(&mut self, key: String, state: FileState) {
        self.unlogged.push(key.clone());
        self.files.insert(key, state);
    }

    pub fn remove(&mut self, key: &str) {
        self.unlogged.push(key.to_string());
        self.files.remove(key);
    }

    /// Articles left out as copies, over all files.
    pub fn duplicates(&self) -> u64 {
        self.files.values().map(|f| u64::from(f.duplicates)).sum()
    }

    /// Appends the changes made since the last call to the log: call it after a commit.
    pub fn log(&mut self, index_dir: &Path) -> io::Result<()> {
        let mut lines = String::new();
        for key in self.unlogged.drain(..) {
            let state = self.files.get(&key).copied();
            lines.push_str(&serde_json::to_string(&Change { key, state })?);
            lines.push('\n');
        }
        let mut log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(index_dir.join(LOG))?;
        log.write_all(lines.as_bytes())?;
        log.sync_data()
    }

    /// Folds everything into a new snapshot (written to a temporary file, renamed over the old
    /// one) and empties the log. A crash between the two leaves a log whose last line for each
    /// file agrees with the snapshot, so replaying it changes nothing.
    pub fn compact(&mut self, index_dir: &Path) -> io::Result<()> {
        self.unlogged.clear();
        let temporary = index_dir.join(format!("{SNAPSHOT}.tmp"));
        // zstd packs the paths' repetitions a quarter tighter than gzip's fastest level, as
        // fast. Buffered in front of the encoder: serde_json writes a few bytes at a time.
        let mut snapshot = io::BufWriter::new(zstd::stream::write::Encoder::new(
            fs::File::create(&temporary)?,
            3,
        )?);
        serde_json::to_writer(&mut snapshot, &self.files)?;
        snapshot
            .into_inner()
            .map_err(|e| e.into_error())?
            .finish()?
            .sync_all()?;
        fs::rename(temporary, index_dir.join(SNAPSHOT))?;
        match fs::remove_file(index_dir.join(LOG)) {
            Err(error) if error.kind() != io::ErrorKind::NotFound => Err(error),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(articles: u32) -> FileState {
        FileState {
            size: 1,
            mtime: 2,
            hash: 3,
            articles,
            duplicates: 0,
        }
    }

    #[test]
    fn the_log_replays_over_the_snapshot_and_a_torn_line_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let mut saved = IndexState::default();
        saved.set("a".into(), state(1));
        saved.set("b".into(), state(2));
        saved.compact(dir.path()).unwrap();
        saved.set("a".into(), state(5));
        saved.remove("b");
        saved.set("c".into(), state(3));
        saved.log(dir.path()).unwrap();
        let mut log = OpenOptions::new()
            .append(true)
            .open(dir.path().join(LOG))
            .unwrap();
        log.write_all(b"{\"key\": \"d\", \"sta").unwrap();

        let loaded = IndexState::load(dir.path());
        assert_eq!(loaded.files.len(), 2);
        assert_eq!(loaded.files["a"].articles, 5);
        assert_eq!(loaded.files["c"].articles, 3);
        assert!(!loaded.files.contains_key("b"));
    }
}
