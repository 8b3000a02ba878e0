//! The local index as the home of an update (see [`crate::update`]): articles replace or join
//! what the index holds, each in its story (see [`super::stories`]), and commits come every
//! `--commit-every` files or [`ARTICLES_PER_COMMIT`] articles.
//!
//! Safety: every file read is first deleted from the index by its key, then its articles are
//! added, and the state file is saved only after a commit. A run killed at any point leaves the
//! last commit; the next run reads again whatever the state does not list, replacing rather than
//! duplicating what the killed run had committed.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use anyhow::Context;
use tantivy::{IndexReader, IndexWriter, Term};

use super::document::{ArticleDocument, Lineage};
use super::stories::Stories;
use super::{Fields, OpenIndex, open_or_create, record_folders};
use crate::copies;
use crate::error::IndexError;
use crate::ingest::{Article, ParseError};
use crate::update::plan::{IndexOptions, IndexReport, canonical_roots, survey};
use crate::update::state::{FileState, IndexState};
use crate::update::{self, Ledger, Sink};

/// Articles of one file (a web archive, a large dump) between two commits.
const ARTICLES_PER_FILE_COMMIT: u64 = 10_000;

/// Articles between two commits, however few the files: what stories remember of the articles
/// since the last commit grows with them (dumps of fifty articles a file would otherwise fill
/// hundreds of megabytes before `--commit-every` files are read).
const ARTICLES_PER_COMMIT: u64 = 50_000;

/// Brings the index at `options.index` up to date with `options.dirs`. `warn` receives each
/// file or record that is skipped; the run goes on. When `stop` becomes true (Ctrl-C), the run
/// commits what it has read and returns with `interrupted` set.
pub(crate) fn update(
    options: &IndexOptions,
    warn: &(dyn Fn(&ParseError) + Sync),
    stop: &AtomicBool,
) -> anyhow::Result<IndexReport> {
    let roots = canonical_roots(&options.dirs)?;
    let opened = open_or_create(&options.index)?;
    record_folders(&options.index, &options.dirs)?;
    let writer = open_writer(&opened, options)?;
    // A file's articles are replaced by deleting what the index holds of it first. An index
    // that was empty holds nothing to delete, and each delete costs memory until the commits
    // have applied it to every segment: a first run skips them.
    let index_was_empty = opened.reader.searcher().num_docs() == 0;
    let (mut plan, ledger) = survey(options, &roots, warn, !index_was_empty)?;
    // The indexed articles of the files read again or vanished are going: one matching a
    // new article is its own earlier version, or a story's gone member, and the new article
    // no copy.
    let leaving = std::mem::take(&mut plan.leaving);
    let fields = opened.schema.fields;
    let stories = Stories::new(opened.reader.searcher(), fields, leaving);
    let sink = IntoIndex {
        options,
        opened: &opened,
        fields,
        writer,
        stories,
        index_was_empty,
        file: None,
        files_since_commit: 0,
        indexed_at_commit: 0,
    };
    update::run(sink, plan, ledger, options, warn, stop)
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

/// An update under way into the local index.
struct IntoIndex<'a> {
    options: &'a IndexOptions,
    opened: &'a OpenIndex,
    fields: Fields,
    writer: IndexWriter<ArticleDocument>,
    stories: Stories,
    index_was_empty: bool,
    /// The file begun: its key, what the state will say of it, and its articles since the last
    /// commit.
    file: Option<(String, FileState, u64)>,
    files_since_commit: usize,
    indexed_at_commit: u64,
}

impl Sink for IntoIndex<'_> {
    fn remove(&mut self, keys: &[String]) -> anyhow::Result<()> {
        // An index that was empty holds nothing of any file.
        if !self.index_was_empty {
            for key in keys {
                self.writer
                    .delete_term(Term::from_field_text(self.fields.file, key));
            }
        }
        Ok(())
    }

    fn begin(&mut self, key: &str, entry: FileState) {
        self.file = Some((key.to_string(), entry, 0));
    }

    fn add(
        &mut self,
        articles: Vec<Article>,
        replaces_same_id: bool,
        ledger: &mut Ledger,
    ) -> anyhow::Result<()> {
        // The loop begins every file before it hands over its articles (`update::run`).
        let Some((key, entry, since_commit)) = self.file.as_mut() else {
            return Ok(());
        };
        for article in articles {
            let fingerprint = article.fingerprint();
            let sketch = copies::sketch(&article.body);
            let (story, copy) = self.stories.story_of(sketch.as_ref(), fingerprint)?;
            if copy {
                entry.duplicates += 1;
                ledger.report.duplicates += 1;
            }
            if replaces_same_id {
                self.writer
                    .delete_term(Term::from_field_text(self.fields.id, &article.id));
            }
            let lineage = Lineage {
                file: key,
                story,
                // A copy is found through its story's first article, never through another copy.
                bands: sketch.as_ref().filter(|_| !copy).map(|s| &s.bands[..]),
            };
            // add_document fails only once the writer has died of an earlier error, which the
            // next commit reports.
            let document = ArticleDocument::new(self.fields, article, lineage);
            let _ = self.writer.add_document(document);
            entry.articles += 1;
            *since_commit += 1;
            ledger.report.indexed += 1;
        }
        // A long file commits on the way, so that what stories remember stays bounded and an
        // interrupted run keeps what it read (the file, not yet in the state, is read again by
        // the next run).
        if *since_commit >= ARTICLES_PER_FILE_COMMIT {
            *since_commit = 0;
            commit_only(&mut self.writer, &self.options.index)?;
            self.refresh()?;
        }
        Ok(())
    }

    fn read(&mut self, ledger: &mut Ledger) {
        if let Some((key, entry, _)) = self.file.take() {
            ledger.state.set(key, entry);
        }
    }

    fn abandon(&mut self) {
        self.file = None;
    }

    fn end_batch(
        &mut self,
        files: usize,
        stopping: bool,
        ledger: &mut Ledger,
    ) -> anyhow::Result<()> {
        self.files_since_commit += files;
        let articles = ledger.report.indexed - self.indexed_at_commit;
        if self.files_since_commit >= self.options.files_per_commit
            || articles >= ARTICLES_PER_COMMIT
            || stopping
        {
            commit(&mut self.writer, &mut ledger.state, &self.options.index)?;
            self.refresh()?;
            self.files_since_commit = 0;
            self.indexed_at_commit = ledger.report.indexed;
        }
        Ok(())
    }

    /// Commits what is left and compacts the state when anything changed, lets merges end
    /// (unless interrupted), and counts the searchable articles.
    fn finish(mut self, changes: bool, mut ledger: Ledger) -> anyhow::Result<IndexReport> {
        let index = &self.options.index;
        if changes {
            commit(&mut self.writer, &mut ledger.state, index)?;
            ledger
                .state
                .compact()
                .with_context(|| format!("cannot write to {}", index.display()))?;
        }
        if !ledger.report.interrupted {
            self.writer
                .wait_merging_threads()
                .with_context(|| format!("cannot merge the index at {}", index.display()))?;
        }
        let reader = &self.opened.reader;
        reader.reload().context("cannot read the new index")?;
        ledger.report.articles = reader.searcher().num_docs();
        Ok(ledger.report)
    }
}

impl IntoIndex<'_> {
    /// Makes what was committed searchable for the stories that follow.
    fn refresh(&mut self) -> anyhow::Result<()> {
        reload(&self.opened.reader, &self.options.index)?;
        self.stories.refresh(self.opened.reader.searcher());
        Ok(())
    }
}

fn reload(reader: &IndexReader, index: &Path) -> anyhow::Result<()> {
    reader
        .reload()
        .with_context(|| format!("cannot read the index at {}", index.display()))
}

fn commit_only(writer: &mut IndexWriter<ArticleDocument>, index: &Path) -> anyhow::Result<()> {
    writer
        .commit()
        .with_context(|| format!("cannot commit to the index at {}", index.display()))?;
    Ok(())
}

/// Commits, then logs the state the commit made true.
fn commit(
    writer: &mut IndexWriter<ArticleDocument>,
    state: &mut IndexState,
    index: &Path,
) -> anyhow::Result<()> {
    commit_only(writer, index)?;
    state
        .log()
        .with_context(|| format!("cannot write to {}", index.display()))
}
