//! The files a run has to read, kept in a temporary file (deleted when closed, or when the run
//! dies) rather than in memory: on a first run over a million files, their paths and keys alone
//! would take more memory than the index writer.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::state::FileState;
use crate::ingest::walk::FoundFile;

/// Why a file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    /// The index holds nothing of it.
    New,
    /// Its size or time changed; the index holds what the state says of it.
    Changed { known: FileState },
}

/// A file to read, and why.
#[derive(Debug)]
pub(crate) struct Pending {
    pub file: FoundFile,
    pub reason: Reason,
}

/// Where a run of pending files lies in the temporary file, and how many it holds.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Stretch {
    offset: u64,
    bytes: u64,
    pub files: usize,
}

/// The temporary file, written by the walk's threads one stretch at a time.
pub(crate) struct PendingFiles {
    file: Mutex<File>,
}

impl PendingFiles {
    pub fn new(dir: &Path) -> io::Result<PendingFiles> {
        Ok(PendingFiles {
            file: Mutex::new(tempfile::tempfile_in(dir)?),
        })
    }

    /// Writes these files at the end, and says where.
    pub fn append(&self, files: &[Pending]) -> io::Result<Stretch> {
        let mut bytes = Vec::new();
        for pending in files {
            encode(pending, &mut bytes);
        }
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        let offset = file.seek(SeekFrom::End(0))?;
        file.write_all(&bytes)?;
        Ok(Stretch {
            offset,
            bytes: bytes.len() as u64,
            files: files.len(),
        })
    }

    /// The files of these stretches, in their order, a stretch in memory at a time.
    pub fn read(self, stretches: Vec<Stretch>) -> impl Iterator<Item = io::Result<Pending>> {
        let mut file = self.file.into_inner().unwrap_or_else(|e| e.into_inner());
        stretches.into_iter().flat_map(move |stretch| {
            let mut bytes = vec![0; stretch.bytes as usize];
            let read = file
                .seek(SeekFrom::Start(stretch.offset))
                .and_then(|_| file.read_exact(&mut bytes));
            let decoded: Vec<io::Result<Pending>> = match read {
                Ok(()) => {
                    let mut at = &bytes[..];
                    (0..stretch.files).map(|_| decode(&mut at)).collect()
                }
                Err(error) => vec![Err(error)],
            };
            decoded
        })
    }
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(bytes);
}

fn encode(pending: &Pending, out: &mut Vec<u8>) {
    let file = &pending.file;
    put_bytes(out, file.path.as_os_str().as_encoded_bytes());
    put_bytes(out, file.key.as_bytes());
    out.extend_from_slice(&file.size.to_le_bytes());
    out.extend_from_slice(&file.mtime.to_le_bytes());
    match pending.reason {
        Reason::New => out.push(0),
        Reason::Changed { known } => {
            out.push(1);
            out.extend_from_slice(&known.to_bytes());
        }
    }
}

fn take<'a>(at: &mut &'a [u8], n: usize) -> io::Result<&'a [u8]> {
    if at.len() < n {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "pending files cut short",
        ));
    }
    let (taken, rest) = at.split_at(n);
    *at = rest;
    Ok(taken)
}

fn take_u64(at: &mut &[u8]) -> io::Result<u64> {
    Ok(u64::from_le_bytes(take(at, 8)?.try_into().unwrap()))
}

fn take_bytes<'a>(at: &mut &'a [u8]) -> io::Result<&'a [u8]> {
    let n = take_u64(at)? as usize;
    take(at, n)
}

fn decode(at: &mut &[u8]) -> io::Result<Pending> {
    let path = path_from_bytes(take_bytes(at)?);
    let key = String::from_utf8_lossy(take_bytes(at)?).into_owned();
    let size = take_u64(at)?;
    let mtime = take_u64(at)? as i64;
    let reason = match take(at, 1)?[0] {
        0 => Reason::New,
        _ => Reason::Changed {
            known: FileState::from_bytes(take(at, FileState::BYTES)?),
        },
    };
    Ok(Pending {
        file: FoundFile {
            path,
            key,
            size,
            mtime,
        },
        reason,
    })
}

#[cfg(unix)]
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pending(name: &str, reason: Reason) -> Pending {
        Pending {
            file: FoundFile {
                path: PathBuf::from(format!("archivio/{name}")),
                key: format!("/casa/archivio/{name}"),
                size: name.len() as u64,
                mtime: -5,
            },
            reason,
        }
    }

    #[test]
    fn stretches_come_back_in_the_order_asked_whatever_the_order_written() {
        let dir = tempfile::tempdir().unwrap();
        let spill = PendingFiles::new(dir.path()).unwrap();
        let known = FileState {
            size: 1,
            mtime: 2,
            hash: 3,
            articles: 4,
            duplicates: 5,
        };
        let second = spill
            .append(&[pending("c.txt", Reason::Changed { known })])
            .unwrap();
        let first = spill
            .append(&[
                pending("a.txt", Reason::New),
                pending("bè.html", Reason::New),
            ])
            .unwrap();
        let read: Vec<Pending> = spill
            .read(vec![first, second])
            .collect::<io::Result<_>>()
            .unwrap();
        let keys: Vec<(&str, &Path, Reason)> = read
            .iter()
            .map(|p| (p.file.key.as_str(), p.file.path.as_path(), p.reason))
            .collect();
        assert_eq!(
            keys,
            [
                (
                    "/casa/archivio/a.txt",
                    Path::new("archivio/a.txt"),
                    Reason::New
                ),
                (
                    "/casa/archivio/bè.html",
                    Path::new("archivio/bè.html"),
                    Reason::New
                ),
                (
                    "/casa/archivio/c.txt",
                    Path::new("archivio/c.txt"),
                    Reason::Changed { known }
                ),
            ]
        );
        assert_eq!((read[1].file.size, read[1].file.mtime), (8, -5));
    }
}
