//! What the index holds, file by file (size, modification time, article count), so that a
//! re-run reads only new and changed files. Saved after every commit: a file the state does not
//! list yet is simply indexed again (its old articles replaced), so a crash between a commit and
//! the save loses nothing.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

const STATE_FILE: &str = "files.json";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileState {
    pub size: u64,
    pub mtime: i128,
    /// Hash of the file's (decompressed) content: a touched but unchanged file is not parsed.
    pub hash: u64,
    /// Articles indexed from the file.
    pub articles: u64,
    /// Articles of the file left out as copies of articles indexed from other files.
    pub duplicates: u64,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct IndexState {
    /// Canonical file path → what was indexed from it.
    pub files: HashMap<String, FileState>,
}

impl IndexState {
    /// Articles left out as copies, over all files.
    pub fn duplicates(&self) -> u64 {
        self.files.values().map(|f| f.duplicates).sum()
    }

    /// The saved state, or an empty one (everything is then read again).
    pub fn load(index_dir: &Path) -> IndexState {
        fs::read(index_dir.join(STATE_FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Writes the state atomically (a temporary file renamed over the old one).
    pub fn save(&self, index_dir: &Path) -> io::Result<()> {
        let temporary = index_dir.join(format!("{STATE_FILE}.tmp"));
        fs::write(&temporary, serde_json::to_vec(self)?)?;
        fs::rename(temporary, index_dir.join(STATE_FILE))
    }
}
