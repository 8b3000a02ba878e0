//! One indexing run into the local index: carry out the plan (see [`super::plan`]), reading new
//! and changed files in parallel, replacing or removing their articles (each joining its story,
//! see [`super::stories`]), committing.
//!
//! Safety: every file read is first deleted from the index by its key, then its articles are
//! added, and the state file is saved only after a commit. A run killed at any point leaves the
//! last commit; the next run reads again whatever the state does not list, replacing rather than
//! duplicating what the killed run had committed.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use anyhow::Context;
use rayon::prelude::*;
use tantivy::{IndexReader, IndexWriter, Term};

use super::document::{ArticleDocument, Lineage};
use super::plan::{
    IndexOptions, IndexReport, Plan, Read, Reason, canonical_roots, progress_bar, read_file, survey,
};
use super::state::{FileState, IndexState};
use super::stories::{self, Stories};
use super::{Fields, OpenIndex, open_or_create, record_folders};
use crate::error::IndexError;
use crate::ingest::{self, FileOutcome, ParseError};

/// Articles of one streamed file (a web archive) between two commits.
const ARTICLES_PER_STREAM_COMMIT: u32 = 10_000;

/// Articles between two commits, however few the files: what stories remember of the articles
/// since the last commit grows with them (dumps of fifty articles a file would otherwise fill
/// hundreds of megabytes before `--commit-every` files are read).
const ARTICLES_PER_COMMIT: u64 = 50_000;

/// Brings the index at `options.index` up to date with `options.dirs`, in three steps: [`survey`]
/// what to do from the walk and the last state, [`Run::apply`] it, [`Run::finish`]. `warn`
/// receives each file or record that is skipped; the run goes on. When `stop` becomes true
/// (Ctrl-C), the run commits what it has read and returns with `interrupted` set.
pub fn update(
    options: &IndexOptions,
    warn: &(dyn Fn(&ParseError) + Sync),
    stop: &AtomicBool,
) -> anyhow::Result<IndexReport> {
    let started = Instant::now();
    let roots = canonical_roots(&options.dirs)?;
    let opened = open_or_create(&options.index)?;
    record_folders(&options.index, &options.dirs)?;
    let writer = open_writer(&opened, options)?;
    // A file's articles are replaced by deleting what the index holds of it first. An index
    // that was empty holds nothing to delete, and each delete costs memory until the commits
    // have applied it to every segment: a first run skips them (100 MB less at 100k files).
    let index_was_empty = opened.reader.searcher().num_docs() == 0;
    let (state, plan, report) = survey(options, &roots, warn, !index_was_empty)?;
    let mut run = Run {
        options,
        warn,
        fields: opened.schema.fields,
        writer,
        state,
        report,
        started,
    };
    let changes = !plan.vanished.is_empty() || plan.pending_files() > 0;
    run.apply(plan, &opened.reader, index_was_empty, stop)?;
    run.finish(&opened, changes)
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

/// An indexing run under way: the writer, the state kept in step with its commits, the report.
struct Run<'a> {
    options: &'a IndexOptions,
    warn: &'a (dyn Fn(&ParseError) + Sync),
    fields: Fields,
    writer: IndexWriter<ArticleDocument>,
    state: IndexState,
    report: IndexReport,
    started: Instant,
}

impl Run<'_> {
    /// Removes the vanished files' articles, then reads the pending files in batches, in
    /// parallel, and adds their articles in walk order (each joining its story), committing
    /// every `files_per_commit` files or [`ARTICLES_PER_COMMIT`] articles, and when asked to
    /// stop.
    fn apply(
        &mut self,
        mut plan: Plan,
        reader: &IndexReader,
        index_was_empty: bool,
        stop: &AtomicBool,
    ) -> anyhow::Result<()> {
        let (options, warn, fields) = (self.options, self.warn, self.fields);
        let (writer, state, report) = (&mut self.writer, &mut self.state, &mut self.report);
        for key in &plan.vanished {
            writer.delete_term(Term::from_field_text(fields.file, key));
            state.remove(key);
            report.removed += 1;
        }
        // The indexed articles of the files read again or vanished are going: one matching a
        // new article is its own earlier version, or a story's gone member, and the new
        // article no copy.
        let leaving = std::mem::take(&mut plan.leaving);
        let mut stories = Stories::new(reader.searcher(), fields, leaving);
        let started = self.started;
        let progress = progress_bar(options, plan.pending_files());

        let articles_read = AtomicU64::new(0);
        let (mut since_commit, mut indexed_at_commit) = (0, 0);
        for chunk in plan.into_batches() {
            let chunk = chunk.context("cannot read back the files to index")?;
            // Read and parse in parallel; stop reading new files once asked to stop.
            let reads: Vec<Option<Read>> = chunk
                .par_iter()
                .map(|p| {
                    if stop.load(Ordering::Relaxed) {
                        return None;
                    }
                    let read = read_file(p, &options.limits);
                    if let Read::Parsed { outcome, .. } = &read {
                        let parsed = outcome.articles.len() as u64;
                        let total = articles_read.fetch_add(parsed, Ordering::Relaxed) + parsed;
                        let seconds = started.elapsed().as_secs_f64().max(1e-3);
                        progress.set_message(format!("{:.0} articles/s", total as f64 / seconds));
                    }
                    progress.inc(1);
                    Some(read)
                })
                .collect();
            // Then add in walk order, so which copy of a story is kept does not depend on timing.
            let files = chunk.len();
            for (p, read) in chunk.into_iter().zip(reads) {
                let Some(read) = read else { continue };
                let key = p.file.key;
                let mut entry = FileState {
                    size: p.file.size,
                    mtime: p.file.mtime,
                    hash: 0,
                    articles: 0,
                    duplicates: 0,
                };
                // Read again: what the index holds of the file goes first (an index that was empty
                // holds nothing).
                if !index_was_empty && !matches!(read, Read::SameContent) {
                    writer.delete_term(Term::from_field_text(fields.file, &key));
                }
                // False when a stream was stopped half-way: the file is not recorded as read.
                let mut finished = true;
                let mut adding = Adding {
                    writer,
                    stories: &mut stories,
                    report,
                    warn,
                    fields,
                    key: &key,
                    entry: &mut entry,
                };
                match read {
                    Read::SameContent => {
                        if let Reason::Changed { known } = p.reason {
                            entry.hash = known.hash;
                            entry.articles = known.articles;
                            entry.duplicates = known.duplicates;
                        }
                        report.unchanged += 1;
                    }
                    Read::Failed(error) => {
                        warn(&error);
                        report.skip(error.reason);
                        report.count(p.reason);
                    }
                    Read::Parsed { hash, outcome } => {
                        adding.entry.hash = hash;
                        adding.add(outcome)?;
                        report.count(p.reason);
                    }
                    Read::Stream { hash, gzipped } => {
                        adding.entry.hash = hash;
                        let name = p
                            .file
                            .path
                            .file_name()
                            .unwrap_or_default()
                            .to_string_lossy();
                        let mut articles_since_commit = 0;
                        // A failure of the index itself ends the stream and the run.
                        let mut failed: Option<anyhow::Error> = None;
                        let read = ingest::warc::read(
                            &p.file.path,
                            gzipped,
                            &options.limits,
                            &mut |outcome| {
                                let before = adding.entry.articles;
                                let added = adding.add(outcome).and_then(|()| {
                                    articles_since_commit += adding.entry.articles - before;
                                    // A long crawl commits on the way, so that what stories
                                    // remember stays bounded and an interrupted run keeps what
                                    // it read (the file, not yet in the state, is read again by
                                    // the next run).
                                    if articles_since_commit >= ARTICLES_PER_STREAM_COMMIT {
                                        commit_stream(adding.writer, reader, &options.index)?;
                                        articles_since_commit = 0;
                                        adding.stories.refresh(reader.searcher());
                                    }
                                    Ok(())
                                });
                                let added_count = adding.entry.articles;
                                progress.set_message(format!("{added_count} articles from {name}"));
                                let go_on = added.is_ok() && !stop.load(Ordering::Relaxed);
                                failed = added.err();
                                finished &= go_on;
                                go_on
                            },
                        );
                        if let Some(error) = failed {
                            return Err(error);
                        }
                        if let Err(error) = read {
                            warn(&error);
                            report.skip(error.reason);
                        }
                        report.count(p.reason);
                    }
                }
                if !finished {
                    break;
                }
                state.set(key, entry);
            }
            since_commit += files;
            let stopping = stop.load(Ordering::Relaxed);
            let articles_since_commit = report.indexed - indexed_at_commit;
            if since_commit >= options.files_per_commit
                || articles_since_commit >= ARTICLES_PER_COMMIT
                || stopping
            {
                commit(writer, state, &options.index)?;
                reader.reload().context("cannot read the index")?;
                stories.refresh(reader.searcher());
                since_commit = 0;
                indexed_at_commit = report.indexed;
            }
            if stopping {
                report.interrupted = true;
                break;
            }
        }
        progress.finish_and_clear();
        Ok(())
    }

    /// Commits what is left and compacts the state when anything changed, lets merges end
    /// (unless interrupted), and counts the searchable articles.
    fn finish(mut self, opened: &OpenIndex, changes: bool) -> anyhow::Result<IndexReport> {
        let index = &self.options.index;
        if changes {
            commit(&mut self.writer, &mut self.state, index)?;
            self.state
                .compact()
                .with_context(|| format!("cannot write to {}", index.display()))?;
        }
        if !self.report.interrupted {
            self.writer
                .wait_merging_threads()
                .with_context(|| format!("cannot merge the index at {}", index.display()))?;
        }
        opened
            .reader
            .reload()
            .context("cannot read the new index")?;
        self.report.articles = opened.reader.searcher().num_docs();
        self.report.seconds = self.started.elapsed().as_secs_f64();
        Ok(self.report)
    }
}

/// Adds a file's articles to the index, each joining its story, and counts the copies.
struct Adding<'a> {
    writer: &'a mut IndexWriter<ArticleDocument>,
    stories: &'a mut Stories,
    report: &'a mut IndexReport,
    warn: &'a (dyn Fn(&ParseError) + Sync),
    fields: Fields,
    /// The file's key, and what the state will say of it.
    key: &'a str,
    entry: &'a mut FileState,
}

impl Adding<'_> {
    fn add(&mut self, outcome: FileOutcome) -> anyhow::Result<()> {
        for article in outcome.articles {
            let fingerprint = article.fingerprint();
            let sketch = stories::sketch(&article.body);
            let (story, copy) = self.stories.story_of(sketch.as_ref(), fingerprint)?;
            if copy {
                self.entry.duplicates += 1;
                self.report.duplicates += 1;
            }
            if outcome.later_replaces_same_id {
                self.writer
                    .delete_term(Term::from_field_text(self.fields.id, &article.id));
            }
            let lineage = Lineage {
                file: self.key,
                story,
                // A copy is found through its story's first article, never through another copy.
                bands: sketch.as_ref().filter(|_| !copy).map(|s| &s.bands[..]),
            };
            // add_document fails only once the writer has died of an earlier error, which the
            // next commit reports.
            let document = ArticleDocument::new(self.fields, article, lineage);
            let _ = self.writer.add_document(document);
            self.entry.articles += 1;
            self.report.indexed += 1;
        }
        for error in &outcome.errors {
            (self.warn)(error);
            self.report.skip(error.reason);
        }
        for reason in outcome.passed_over {
            self.report.skip(reason);
        }
        Ok(())
    }
}

/// Commits in the middle of a stream and makes what it holds searchable for the stories that
/// follow.
fn commit_stream(
    writer: &mut IndexWriter<ArticleDocument>,
    reader: &IndexReader,
    index: &Path,
) -> anyhow::Result<()> {
    commit_only(writer, index)?;
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
