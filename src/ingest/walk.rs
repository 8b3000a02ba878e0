//! Finds the files under the directories given to `index`: recursively, following symbolic
//! links (a loop is reported, not followed), skipping hidden entries and the index itself.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use walkdir::WalkDir;

use super::{ParseError, SkipReason};

/// A file found by the walk.
#[derive(Debug, Clone)]
pub struct FoundFile {
    /// As found: the directory given joined with the relative path.
    pub path: PathBuf,
    /// The file's identity across runs, however the directory was spelled: the directory's
    /// canonical path joined with the file's path inside it.
    pub key: String,
    pub size: u64,
    /// Modification time, in nanoseconds since the Unix epoch.
    pub mtime: i128,
}

/// Walks `root`, calling `on_file` for each file and `on_error` for each entry that cannot be read.
/// Entries under `exclude` (the index folder, when it sits inside the archive) are skipped.
pub fn walk(
    root: &Path,
    exclude: Option<&Path>,
    mut on_file: impl FnMut(FoundFile),
    mut on_error: impl FnMut(ParseError),
) {
    // Canonicalised once: resolving every file's path would cost a system call per component.
    let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let canonical_key = canonical_root.to_string_lossy().into_owned();
    // Every path the walk yields is `root` followed by the path inside it: the key is cut and
    // joined on bytes, without parsing path components (a million files, a million times).
    let root_bytes = root.as_os_str().as_encoded_bytes().len();
    let key_of = |path: &Path| -> String {
        let inside = path
            .as_os_str()
            .as_encoded_bytes()
            .get(root_bytes..)
            .unwrap_or_default();
        let inside = String::from_utf8_lossy(inside);
        let inside = inside.trim_start_matches(std::path::MAIN_SEPARATOR);
        if inside.is_empty() {
            canonical_key.clone()
        } else if canonical_key.ends_with(std::path::MAIN_SEPARATOR) {
            format!("{canonical_key}{inside}")
        } else {
            format!("{canonical_key}{}{inside}", std::path::MAIN_SEPARATOR)
        }
    };
    let entries = WalkDir::new(root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            let hidden = entry.depth() > 0 && entry.file_name().to_string_lossy().starts_with('.');
            let excluded = exclude.is_some_and(|ex| {
                entry.file_type().is_dir() && Path::new(&key_of(entry.path())) == ex
            });
            !hidden && !excluded
        });
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                let path = error
                    .path()
                    .map(|p| p.to_string_lossy().into_owned())
                    .unwrap_or_else(|| root.to_string_lossy().into_owned());
                let (reason, detail) = if error.loop_ancestor().is_some() {
                    (
                        SkipReason::SymlinkLoop,
                        "symbolic link loop, not followed".to_string(),
                    )
                } else {
                    let cause = error
                        .io_error()
                        .map(|e| e.to_string())
                        .unwrap_or_else(|| error.to_string());
                    (SkipReason::Unreadable, format!("cannot read: {cause}"))
                };
                on_error(ParseError::new(path, reason, detail));
                continue;
            }
        };
        let kind = entry.file_type();
        if kind.is_dir() {
            continue;
        }
        if !kind.is_file() {
            // A FIFO or a device would block or never end: never opened.
            on_error(ParseError::new(
                entry.path().to_string_lossy(),
                SkipReason::Unsupported,
                "not a regular file",
            ));
            continue;
        }
        let path = entry.path().to_path_buf();
        let metadata = match entry.metadata() {
            Ok(metadata) => metadata,
            Err(error) => {
                on_error(ParseError::new(
                    path.to_string_lossy(),
                    SkipReason::Unreadable,
                    format!("cannot read: {error}"),
                ));
                continue;
            }
        };
        let mtime = metadata
            .modified()
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i128);
        let key = key_of(&path);
        on_file(FoundFile {
            path,
            key,
            size: metadata.len(),
            mtime,
        });
    }
}
