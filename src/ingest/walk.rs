//! Finds the files under the directories given to `index`: recursively, following symbolic
//! links (a loop is reported, not followed), skipping hidden entries and the index itself.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use rayon::prelude::*;
use walkdir::{DirEntry, WalkDir};

use super::{ParseError, SkipReason};

/// A file found by the walk.
#[derive(Debug, Clone)]
pub(crate) struct FoundFile {
    /// As found: the directory given joined with the relative path.
    pub path: PathBuf,
    /// The file's identity across runs, however the directory was spelled: the directory's
    /// canonical path joined with the file's path inside it.
    pub key: String,
    pub size: u64,
    /// Modification time, in nanoseconds since the Unix epoch (up to the year 2262; on a large
    /// archive every byte of a file's bookkeeping counts a million times).
    pub mtime: i64,
}

/// What the walk met: a file, or an entry that cannot be read.
pub(crate) type Met = Result<FoundFile, ParseError>;

/// Files handed to `part` at most at a time: one top folder may hold most of the archive.
const PART_FILES: usize = 4096;

/// Walks `root`: the files found and the entries that cannot be read, in the order of a sorted
/// depth-first walk, handed to `part` a piece at a time (each top folder's content, in runs of
/// up to [`PART_FILES`], and the entries between them). Entries under `exclude` (the index
/// folder, when it sits inside the archive) are skipped. The top folders are walked and handed
/// over in parallel (most of a re-run's time is the file system's); what `part` made of each
/// piece comes back in walk order. On a large archive the whole list of files would take more
/// memory than what the caller keeps of it.
pub(crate) fn walk_in_parts<T: Send>(
    root: &Path,
    exclude: Option<&Path>,
    part: &(dyn Fn(Vec<Met>) -> T + Sync),
) -> Vec<T> {
    let walker = Walker::new(root, exclude);
    // The top level, cut into its folders and the runs of entries between them.
    let mut pieces: Vec<Piece> = Vec::new();
    walker.walk(
        root,
        true,
        &mut |listed| match (listed, pieces.last_mut()) {
            (Listed::Met(met), Some(Piece::Met(run))) => run.push(met),
            (Listed::Met(met), _) => pieces.push(Piece::Met(vec![met])),
            (Listed::Folder(folder), _) => pieces.push(Piece::Folder(folder)),
        },
    );
    let done: Vec<Vec<T>> = pieces
        .into_par_iter()
        .map(|piece| match piece {
            Piece::Folder(folder) => {
                let (mut done, mut run) = (Vec::new(), Vec::new());
                walker.walk(&folder, false, &mut |listed| {
                    if let Listed::Met(met) = listed {
                        run.push(met);
                        if run.len() == PART_FILES {
                            done.push(part(std::mem::take(&mut run)));
                        }
                    }
                });
                if !run.is_empty() || done.is_empty() {
                    done.push(part(run));
                }
                done
            }
            Piece::Met(met) => vec![part(met)],
        })
        .collect();
    done.into_iter().flatten().collect()
}

/// A piece of a walk: a top folder still to walk, or what was met between two of them.
enum Piece {
    Folder(PathBuf),
    Met(Vec<Met>),
}

/// An entry of a walk: something met, or (at the top level) a folder to walk next.
enum Listed {
    Met(Met),
    Folder(PathBuf),
}

/// How paths become keys, and which entries are left out.
struct Walker<'a> {
    root: &'a Path,
    exclude: Option<&'a Path>,
    canonical_root: PathBuf,
    canonical_key: String,
    root_bytes: usize,
}

impl<'a> Walker<'a> {
    fn new(root: &'a Path, exclude: Option<&'a Path>) -> Self {
        // Canonicalised once: resolving every file's path would cost a system call per component.
        let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        Walker {
            root,
            exclude,
            canonical_key: canonical_root.to_string_lossy().into_owned(),
            canonical_root,
            root_bytes: root.as_os_str().as_encoded_bytes().len(),
        }
    }

    /// Every path the walk yields is `root` followed by the path inside it: the key is cut and
    /// joined on bytes, without parsing path components (a million files, a million times).
    fn key_of(&self, path: &Path) -> String {
        let inside = path
            .as_os_str()
            .as_encoded_bytes()
            .get(self.root_bytes..)
            .unwrap_or_default();
        let inside = String::from_utf8_lossy(inside);
        let inside = inside.trim_start_matches(std::path::MAIN_SEPARATOR);
        if inside.is_empty() {
            self.canonical_key.clone()
        } else if self.canonical_key.ends_with(std::path::MAIN_SEPARATOR) {
            format!("{}{inside}", self.canonical_key)
        } else {
            format!(
                "{}{}{inside}",
                self.canonical_key,
                std::path::MAIN_SEPARATOR
            )
        }
    }

    /// Tells `listed` what a sorted walk from `start` meets, as it meets it. At the top level
    /// (`root`, one level down) a folder is only listed; below, `start` is such a folder, and
    /// everything under it is walked.
    fn walk(&self, start: &Path, top_level: bool, listed: &mut dyn FnMut(Listed)) {
        // By name: entries of one folder share the path up to it, so comparing the whole paths'
        // bytes orders them as their names do, without parsing a path's components per compare
        // (`sort_by_file_name` does: a tenth of a re-run's work on a million files).
        let mut walk = WalkDir::new(start)
            .follow_links(true)
            .sort_by(|a, b| a.path().as_os_str().cmp(b.path().as_os_str()));
        if top_level {
            walk = walk.max_depth(1);
        }
        let mut entries = walk.into_iter();
        let mut folder = Folder::default();
        while let Some(entry) = entries.next() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    listed(Listed::Met(Err(walk_error(&error, self.root))));
                    continue;
                }
            };
            let is_dir = entry.file_type().is_dir();
            if entry.depth() == 0 {
                // The root is walked, not listed (unless it is a single file); a top folder
                // was listed already.
                if top_level
                    && !is_dir
                    && let Some(met) = self.found(&entry, &mut folder)
                {
                    listed(Listed::Met(met));
                }
                continue;
            }
            if self.left_out(&entry) {
                if is_dir {
                    entries.skip_current_dir();
                }
            } else if self.loops_to_root(&entry) {
                listed(Listed::Met(Err(loop_error(entry.path()))));
                entries.skip_current_dir();
            } else if top_level && is_dir {
                // Walked next, in parallel with the other top folders.
                listed(Listed::Folder(entry.path().to_path_buf()));
                entries.skip_current_dir();
            } else if let Some(met) = self.found(&entry, &mut folder) {
                listed(Listed::Met(met));
            }
        }
    }

    /// Hidden entries, and the index folder when it sits inside the archive.
    fn left_out(&self, entry: &DirEntry) -> bool {
        entry.file_name().to_string_lossy().starts_with('.')
            || self.exclude.is_some_and(|ex| {
                entry.file_type().is_dir() && Path::new(&self.key_of(entry.path())) == ex
            })
    }

    /// A folder reached through a link that leads back to the root or above it: walking the
    /// top folders separately, walkdir cannot see that loop (the root is not among its
    /// ancestors), so it is caught here.
    fn loops_to_root(&self, entry: &DirEntry) -> bool {
        entry.path_is_symlink()
            && entry.file_type().is_dir()
            && std::fs::canonicalize(entry.path())
                .is_ok_and(|target| self.canonical_root.starts_with(target))
    }

    fn found(&self, entry: &DirEntry, folder: &mut Folder) -> Option<Met> {
        let kind = entry.file_type();
        if kind.is_dir() {
            return None;
        }
        if !kind.is_file() {
            // A FIFO or a device would block or never end: never opened.
            return Some(Err(ParseError::new(
                entry.path().to_string_lossy(),
                SkipReason::Unsupported,
                "not a regular file",
            )));
        }
        let (size, mtime) = match folder.size_and_time(entry.path()) {
            Ok(found) => found,
            Err(error) => {
                return Some(Err(ParseError::new(
                    entry.path().to_string_lossy(),
                    SkipReason::Unreadable,
                    format!("cannot read: {error}"),
                )));
            }
        };
        Some(Ok(FoundFile {
            key: self.key_of(entry.path()),
            path: entry.path().to_path_buf(),
            size,
            mtime,
        }))
    }
}

/// Reads files' size and modification time relative to their folder, opened once for all the
/// files in it: resolving every file's whole path again took most of a re-run's kernel time
/// on a million files.
#[derive(Default)]
struct Folder {
    #[cfg(unix)]
    open: Option<(Vec<u8>, rustix::fd::OwnedFd)>,
}

impl Folder {
    /// Size, and modification time in nanoseconds since the Unix epoch (0 before it), of the
    /// file at `path`, following a link as the walk does.
    #[cfg(unix)]
    fn size_and_time(&mut self, path: &Path) -> std::io::Result<(u64, i64)> {
        use rustix::fs::{AtFlags, Mode, OFlags};
        let bytes = path.as_os_str().as_encoded_bytes();
        let Some(slash) = bytes.iter().rposition(|&b| b == b'/').filter(|&at| at > 0) else {
            return metadata_of(path);
        };
        let (parent, name) = (&bytes[..slash], &bytes[slash + 1..]);
        if self.open.as_ref().is_none_or(|(open, _)| open != parent) {
            let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
            self.open = rustix::fs::open(parent, flags, Mode::empty())
                .ok()
                .map(|fd| (parent.to_vec(), fd));
        }
        // A folder that cannot be opened: the whole path, and its error if it has one.
        let Some((_, fd)) = &self.open else {
            return metadata_of(path);
        };
        let stat = rustix::fs::statat(fd, name, AtFlags::empty())?;
        let nanos = i64::try_from(stat.st_mtime_nsec).unwrap_or(0);
        let mtime = if stat.st_mtime < 0 {
            0
        } else {
            stat.st_mtime
                .saturating_mul(1_000_000_000)
                .saturating_add(nanos)
        };
        Ok((u64::try_from(stat.st_size).unwrap_or(0), mtime))
    }

    #[cfg(not(unix))]
    fn size_and_time(&mut self, path: &Path) -> std::io::Result<(u64, i64)> {
        metadata_of(path)
    }
}

/// Size and modification time of `path` (see [`Folder::size_and_time`]), resolving the whole path.
fn metadata_of(path: &Path) -> std::io::Result<(u64, i64)> {
    let metadata = std::fs::metadata(path)?;
    let mtime = metadata
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX));
    Ok((metadata.len(), mtime))
}

fn loop_error(path: &Path) -> ParseError {
    ParseError::new(
        path.to_string_lossy(),
        SkipReason::SymlinkLoop,
        "symbolic link loop, not followed",
    )
}

fn walk_error(error: &walkdir::Error, root: &Path) -> ParseError {
    let path = error
        .path()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|| root.to_string_lossy().into_owned());
    if error.loop_ancestor().is_some() {
        return loop_error(Path::new(&path));
    }
    let cause = error
        .io_error()
        .map(|e| e.to_string())
        .unwrap_or_else(|| error.to_string());
    ParseError::new(
        path,
        SkipReason::Unreadable,
        format!("cannot read: {cause}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_folders_walked_in_parallel_come_back_in_order_and_loops_are_caught() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in [
            "b/c/2.txt",
            "a/1.txt",
            "z.txt",
            "m.txt",
            "0.txt",
            ".nascosta/3.txt",
            "b/0.txt",
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        // Back to the root from two levels down, and from the top: loops, not followed.
        std::os::unix::fs::symlink(root, root.join("b/c/giro")).unwrap();
        std::os::unix::fs::symlink(root, root.join("su")).unwrap();
        let (mut files, mut loops) = (Vec::new(), Vec::new());
        for met in walk_in_parts(root, None, &|part| part)
            .into_iter()
            .flatten()
        {
            match met {
                Ok(file) => files.push(file.path.strip_prefix(root).unwrap().to_path_buf()),
                Err(error) => loops.push((error.reason, error.path)),
            }
        }
        let files: Vec<&str> = files.iter().map(|p| p.to_str().unwrap()).collect();
        assert_eq!(
            files,
            ["0.txt", "a/1.txt", "b/0.txt", "b/c/2.txt", "m.txt", "z.txt"]
        );
        assert_eq!(loops.len(), 2, "{loops:?}");
        // In pieces: each top folder, and the entries between them (the loop `su` with them).
        let pieces = walk_in_parts(root, None, &|met| met.len());
        assert_eq!(pieces, [1, 1, 3, 3]);
        assert!(
            loops
                .iter()
                .all(|(reason, _)| *reason == SkipReason::SymlinkLoop)
        );
    }

    #[test]
    fn a_large_top_folder_is_handed_over_in_runs_in_order() {
        let dir = tempfile::tempdir().unwrap();
        for day in ["01", "02"] {
            std::fs::create_dir_all(dir.path().join("grande").join(day)).unwrap();
        }
        for n in 0..PART_FILES + 1 {
            let day = if n < 10 { "01" } else { "02" };
            let name = format!("grande/{day}/{n:05}.txt");
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        std::fs::write(dir.path().join("z.txt"), "x").unwrap();
        let pieces = walk_in_parts(dir.path(), None, &|met| {
            let first = met[0].as_ref().unwrap().path.clone();
            (met.len(), first.file_name().unwrap().to_owned())
        });
        let sizes: Vec<(usize, String)> = pieces
            .iter()
            .map(|(n, first)| (*n, first.to_string_lossy().into_owned()))
            .collect();
        let second = format!("{PART_FILES:05}.txt");
        assert_eq!(
            sizes,
            [
                (PART_FILES, "00000.txt".into()),
                (1, second),
                (1, "z.txt".into())
            ]
        );
    }

    #[test]
    fn sizes_and_times_read_from_the_folder_agree_with_the_whole_path() {
        let dir = tempfile::tempdir().unwrap();
        let (file, link) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
        std::fs::write(&file, "dodici byte.").unwrap();
        std::os::unix::fs::symlink(&file, &link).unwrap();
        let mut folder = Folder::default();
        for path in [&file, &link] {
            assert_eq!(
                folder.size_and_time(path).unwrap(),
                metadata_of(path).unwrap()
            );
        }
        assert_eq!(folder.size_and_time(&file).unwrap().0, 12);
        assert!(folder.size_and_time(&dir.path().join("c.txt")).is_err());
    }
}
