//! The tantivy index on disk: creating and opening it (with its schema version), the home of an
//! update ([`update`], see [`crate::update`]), and describing it ([`stats`]).

mod document;
mod read_only;
pub mod schema;
mod stats;
pub(crate) mod stories;
mod writer;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::store::{Compressor, ZstdCompressor};
use tantivy::{DateTime, Index, IndexReader, IndexSettings, ReloadPolicy, TantivyDocument, Term};

use crate::analysis;
use crate::error::IndexError;
use crate::ingest::{Article, INDEXABLE_YEARS};
pub(crate) use crate::update::{IndexOptions, IndexReport};
use read_only::ReadOnlyDirectory;
pub use schema::{Fields, IndexSchema};
pub(crate) use stats::stats;
pub(crate) use writer::update;

/// The file beside tantivy's `meta.json` that records the schema version.
const VERSION_FILE: &str = "emeroteca.json";

#[derive(Serialize, Deserialize)]
struct VersionFile {
    schema_version: u32,
}

/// The uncompressed size at which a block of the document store is closed.
const DOCSTORE_BLOCK_BYTES: usize = 8192;

/// The file beside tantivy's `meta.json` that lists the folders indexed into it, as given.
const FOLDERS_FILE: &str = "folders.json";

/// The folders indexed into the index at `path`, as they were given to `index` (none if unknown).
pub(crate) fn folders(path: &Path) -> Vec<PathBuf> {
    // Unknown folders (an unreadable or garbled list) only make a server show bare file names,
    // which reveal nothing: safe to take as none.
    fs::read(path.join(FOLDERS_FILE))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// Adds `dirs` to the folders the index at `path` lists.
fn record_folders(path: &Path, dirs: &[PathBuf]) -> anyhow::Result<()> {
    let mut all = folders(path);
    all.extend(dirs.iter().cloned());
    all.sort();
    all.dedup();
    fs::write(path.join(FOLDERS_FILE), serde_json::to_vec(&all)?)
        .with_context(|| format!("cannot write to {}", path.display()))
}

/// A stored path as a public server shows it: relative to the folder it was indexed from, that
/// folder's own name first (`/srv/archivio/2023/a.txt` → `archivio/2023/a.txt`), so that no
/// path of the server's file system shows; a path under no known folder shows its file name.
pub(crate) fn shown_path(stored: &str, folders: &[PathBuf]) -> String {
    let (file, record) = match stored.rfind('#') {
        Some(at) => stored.split_at(at),
        None => (stored, ""),
    };
    let file = Path::new(file);
    let inside = folders
        .iter()
        .filter_map(|folder| {
            let rest = file.strip_prefix(folder).ok()?;
            Some(match folder.file_name() {
                Some(name) => Path::new(name).join(rest),
                None => rest.to_path_buf(),
            })
        })
        .min_by_key(|inside| inside.components().count());
    let shown = inside
        .or_else(|| file.file_name().map(PathBuf::from))
        .unwrap_or_default();
    format!("{}{record}", shown.to_string_lossy())
}

/// An open index, a reader on its last commit, and the schema it was built with.
pub struct OpenIndex {
    pub index: Index,
    pub reader: IndexReader,
    pub schema: IndexSchema,
}

/// Opens an existing index for reading; refuses a missing one and one of another schema version.
/// The reader stays on the commit it opened (a command that runs once needs no watcher).
pub fn open(path: &Path) -> anyhow::Result<OpenIndex> {
    open_with(path, ReloadPolicy::Manual)
}

/// As [`open`], with a reader that follows the index's new commits (for a server).
pub(crate) fn open_following(path: &Path) -> anyhow::Result<OpenIndex> {
    open_with(path, ReloadPolicy::OnCommitWithDelay)
}

fn open_with(path: &Path, reload: ReloadPolicy) -> anyhow::Result<OpenIndex> {
    let schema = IndexSchema::load();
    if !path.join("meta.json").is_file() {
        return Err(IndexError::Missing(path.to_path_buf()).into());
    }
    check_version(path, &schema)?;
    // On media this process cannot write, the index is read as it is, and no watcher follows
    // commits that cannot come from here.
    let (index, reload) = if read_only::writable(path) {
        (Index::open_in_dir(path), reload)
    } else {
        let directory = ReadOnlyDirectory::open(path);
        (directory.and_then(Index::open), ReloadPolicy::Manual)
    };
    let index = index.with_context(|| format!("cannot open index at {}", path.display()))?;
    with_reader(index, schema, path, reload)
}

fn with_reader(
    index: Index,
    schema: IndexSchema,
    path: &Path,
    reload: ReloadPolicy,
) -> anyhow::Result<OpenIndex> {
    analysis::register(&index);
    let reader = index
        .reader_builder()
        .reload_policy(reload)
        .try_into()
        .with_context(|| format!("cannot read the index at {}", path.display()))?;
    Ok(OpenIndex {
        index,
        reader,
        schema,
    })
}

fn check_version(path: &Path, schema: &IndexSchema) -> Result<(), IndexError> {
    let found = schema_version(path)?;
    if found != schema.version {
        return Err(IndexError::SchemaMismatch {
            path: path.to_path_buf(),
            found,
            expected: schema.version,
        });
    }
    Ok(())
}

/// The schema version the index at `path` was made with. Another version is rebuilt, which
/// deletes it: so a tantivy index without emeroteca's version file is another program's, and a
/// version file that cannot be read is an error, never taken for another version.
fn schema_version(path: &Path) -> Result<u32, IndexError> {
    let file = path.join(VERSION_FILE);
    match fs::read(&file) {
        // A garbled version file (a run stopped while creating the index) names no version.
        Ok(bytes) => {
            Ok(serde_json::from_slice::<VersionFile>(&bytes).map_or(0, |v| v.schema_version))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            Err(IndexError::NotAnIndex(path.to_path_buf()))
        }
        Err(error) => Err(IndexError::Unreadable { path: file, error }),
    }
}

/// Opens the index for writing, creating it, or rebuilding it when its schema version differs.
fn open_or_create(path: &Path) -> anyhow::Result<OpenIndex> {
    let schema = IndexSchema::load();
    let exists = path.join("meta.json").is_file();
    if exists && !read_only::writable(path) {
        return Err(IndexError::ReadOnly(path.to_path_buf()).into());
    }
    if exists {
        match check_version(path, &schema) {
            Ok(()) => return open(path),
            Err(IndexError::SchemaMismatch { found, .. }) => {
                eprintln!(
                    "emeroteca: index at {} uses schema v{found}, rebuilding it for v{}",
                    path.display(),
                    schema.version
                );
                fs::remove_dir_all(path)
                    .with_context(|| format!("cannot remove old index at {}", path.display()))?;
            }
            Err(other) => return Err(other.into()),
        }
    } else if path.is_dir()
        && fs::read_dir(path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .next()
            .is_some()
    {
        return Err(IndexError::NotAnIndex(path.to_path_buf()).into());
    }
    fs::create_dir_all(path)
        .with_context(|| format!("cannot create index folder {}", path.display()))?;
    // zstd packs news prose tighter than the default lz4 (the store is most of an index). A
    // hit decompresses its whole block: blocks of one or two news articles, smaller than
    // tantivy's default, cut search time for a little more index (BENCHMARKS.md).
    let settings = IndexSettings {
        docstore_compression: Compressor::Zstd(ZstdCompressor::default()),
        docstore_blocksize: DOCSTORE_BLOCK_BYTES,
        ..IndexSettings::default()
    };
    let index = Index::builder()
        .schema(schema.schema.clone())
        .settings(settings)
        .create_in_dir(path)
        .with_context(|| format!("cannot create index at {}", path.display()))?;
    let version = serde_json::to_vec(&VersionFile {
        schema_version: schema.version,
    })?;
    fs::write(path.join(VERSION_FILE), version)
        .with_context(|| format!("cannot write to {}", path.display()))?;
    with_reader(index, schema, path, ReloadPolicy::Manual)
}

/// The article stored in an index document (for stored fields, the inverse of
/// [`document::ArticleDocument`]).
pub(crate) fn stored_article(doc: &TantivyDocument, fields: &Fields) -> Article {
    let text = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    Article {
        id: text(fields.id).unwrap_or_default(),
        path: text(fields.path).unwrap_or_default(),
        title: text(fields.title).unwrap_or_default(),
        section: text(fields.section),
        date: doc
            .get_first(fields.date)
            .and_then(|v| v.as_datetime())
            .and_then(|d| chrono::DateTime::from_timestamp(d.into_timestamp_secs(), 0))
            .map(|d| d.date_naive()),
        url: text(fields.url),
        body: text(fields.body).unwrap_or_default(),
        source: text(fields.source),
        author: text(fields.author),
    }
}

/// The article with `id`, if the index holds one.
pub(crate) fn get(opened: &OpenIndex, id: &str) -> anyhow::Result<Option<Article>> {
    let searcher = opened.reader.searcher();
    let query = TermQuery::new(
        Term::from_field_text(opened.schema.fields.id, id),
        IndexRecordOption::Basic,
    );
    let found = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
    let Some((_, address)) = found.first() else {
        return Ok(None);
    };
    let doc: TantivyDocument = searcher
        .doc(*address)
        .context("cannot read an article from the index")?;
    Ok(Some(stored_article(&doc, &opened.schema.fields)))
}

/// The day before the first an index holds and the day after the last (articles carry only
/// dates between, see [`crate::ingest::indexable`]): tantivy can still count them.
const BEFORE_INDEXABLE: NaiveDate =
    NaiveDate::from_ymd_opt(*INDEXABLE_YEARS.start() - 1, 12, 31).expect("a valid date");
const AFTER_INDEXABLE: NaiveDate =
    NaiveDate::from_ymd_opt(*INDEXABLE_YEARS.end() + 1, 1, 1).expect("a valid date");

/// The instant a publication date is indexed as (its midnight, UTC): documents and date
/// filters must agree on it. A filter's date beyond the years an index holds is taken to the day
/// just outside them, which no article has.
pub(crate) fn indexed_date(date: NaiveDate) -> DateTime {
    let date = date.clamp(BEFORE_INDEXABLE, AFTER_INDEXABLE);
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    DateTime::from_timestamp_secs(midnight.timestamp())
}

/// Indexes the folder `corpus` into `index` as `emeroteca index` does, for tests of the
/// library; a file that cannot be read fails the test.
#[cfg(test)]
pub(crate) fn index_for_test(corpus: &Path, index: &Path) -> OpenIndex {
    let options = IndexOptions {
        dirs: vec![corpus.to_path_buf()],
        index: index.to_path_buf(),
        limits: crate::ingest::read::Limits {
            max_file_bytes: 1 << 20,
        },
        memory_bytes: 64 << 20,
        progress: false,
        files_per_commit: 1000,
    };
    let stop = std::sync::atomic::AtomicBool::new(false);
    update(&options, &|error| panic!("{error}"), &stop).expect("the test corpus is indexed");
    open(index).expect("the test index opens")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_served_path_is_relative_to_its_indexed_folder() {
        let folders = [
            PathBuf::from("/srv/archivio"),
            PathBuf::from("corpus"),
            PathBuf::from("."),
        ];
        assert_eq!(
            shown_path("/srv/archivio/2023/a.txt", &folders),
            "archivio/2023/a.txt"
        );
        assert_eq!(
            shown_path("/srv/archivio/d.jsonl#4", &folders),
            "archivio/d.jsonl#4"
        );
        assert_eq!(
            shown_path("corpus/2023/b.txt", &folders),
            "corpus/2023/b.txt"
        );
        assert_eq!(shown_path("./c.html", &folders), "c.html");
        assert_eq!(shown_path("/home/me/secret/e.txt", &folders), "e.txt");
    }
}
