//! Bringing an archive's home up to date with its folders, whichever home it is: survey what to
//! do ([`plan`]), read new and changed files in parallel, hand their articles in walk order to
//! a [`Sink`] (the local index's writer, or a cluster's bulk requests), which records each file
//! in the state ([`state`]) once it holds all its articles.

pub(crate) mod pending;
pub(crate) mod plan;
pub mod state;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use anyhow::Context;
use rayon::prelude::*;

use crate::ingest::read::Limits;
use crate::ingest::{self, Article, FileOutcome, ParseError};
pub use plan::{IndexOptions, IndexReport};
use plan::{Loaded, Plan, Reason, progress_bar, read_file};
use state::{FileState, IndexState};

/// What a run has done so far: the file state of what its home holds, and the report.
pub(crate) struct Ledger {
    pub state: IndexState,
    pub report: IndexReport,
}

/// Where a run's articles go.
pub(crate) trait Sink {
    /// Removes what the home holds of these files: vanished, or about to be read again.
    fn remove(&mut self, keys: &[String]) -> anyhow::Result<()>;

    /// Starts a file whose articles follow ([`Sink::add`]) until [`Sink::read`] or
    /// [`Sink::abandon`]; `entry` is what the state will say of it, its articles uncounted.
    fn begin(&mut self, key: &str, entry: FileState);

    /// Adds articles of the file begun, each joining its story.
    fn add(
        &mut self,
        articles: Vec<Article>,
        replaces_same_id: bool,
        ledger: &mut Ledger,
    ) -> anyhow::Result<()>;

    /// The file begun was read whole: it is recorded once the home holds all its articles.
    fn read(&mut self, ledger: &mut Ledger);

    /// The file begun was stopped half-way: it is not recorded, and the next run reads it again.
    fn abandon(&mut self);

    /// A batch of `files` files was handed over; `stopping` when the run ends after it.
    fn end_batch(
        &mut self,
        files: usize,
        stopping: bool,
        ledger: &mut Ledger,
    ) -> anyhow::Result<()>;

    /// Makes everything handed over searchable and recorded, and counts the articles the home
    /// holds into the report.
    fn finish(self, changes: bool, ledger: Ledger) -> anyhow::Result<IndexReport>;
}

/// Carries out `plan` into `sink`: removes the vanished files, then reads the pending files in
/// batches, in parallel, and hands their articles over in walk order, so that which copy of a
/// story comes first does not depend on timing. When `stop` becomes true (Ctrl-C), no new file
/// is read, and the run ends with what it handed over, `interrupted` set.
pub(crate) fn run(
    mut sink: impl Sink,
    plan: Plan,
    mut ledger: Ledger,
    options: &IndexOptions,
    warn: &(dyn Fn(&ParseError) + Sync),
    stop: &AtomicBool,
) -> anyhow::Result<IndexReport> {
    let started = Instant::now();
    let changes = !plan.vanished.is_empty() || plan.pending_files() > 0;
    sink.remove(&plan.vanished)?;
    for key in &plan.vanished {
        ledger.state.remove(key);
        ledger.report.removed += 1;
    }
    let progress = progress_bar(options, plan.pending_files());
    let articles_read = AtomicU64::new(0);
    let mut handing = Handing {
        limits: &options.limits,
        warn,
        stop,
        progress: &progress,
    };
    for chunk in plan.into_batches() {
        let chunk = chunk.context("cannot read back the files to index")?;
        // Read and parse in parallel; stop reading new files once asked to stop.
        let loads: Vec<Option<Loaded>> = chunk
            .par_iter()
            .map(|pending| {
                if stop.load(Ordering::Relaxed) {
                    return None;
                }
                let loaded = read_file(pending, &options.limits);
                if let Loaded::Parsed { outcome, .. } = &loaded {
                    let parsed = outcome.articles.len() as u64;
                    let total = articles_read.fetch_add(parsed, Ordering::Relaxed) + parsed;
                    let seconds = started.elapsed().as_secs_f64().max(1e-3);
                    progress.set_message(format!("{:.0} articles/s", total as f64 / seconds));
                }
                progress.inc(1);
                Some(loaded)
            })
            .collect();
        // What the home holds of a file read again goes first.
        let again: Vec<String> = chunk
            .iter()
            .zip(&loads)
            .filter(|(_, loaded)| matches!(loaded, Some(l) if !matches!(l, Loaded::SameContent)))
            .map(|(pending, _)| pending.file.key.clone())
            .collect();
        sink.remove(&again)?;
        let mut finished = true;
        for (pending, loaded) in chunk.iter().zip(loads) {
            let Some(loaded) = loaded else { continue };
            finished = handing.file(&mut sink, pending, loaded, &mut ledger)?;
            if !finished {
                break;
            }
        }
        let stopping = !finished || stop.load(Ordering::Relaxed);
        sink.end_batch(chunk.len(), stopping, &mut ledger)?;
        if stopping {
            ledger.report.interrupted = true;
            break;
        }
    }
    progress.finish_and_clear();
    let mut report = sink.finish(changes, ledger)?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Hands files over to a sink.
struct Handing<'a> {
    limits: &'a Limits,
    warn: &'a (dyn Fn(&ParseError) + Sync),
    stop: &'a AtomicBool,
    progress: &'a indicatif::ProgressBar,
}

impl Handing<'_> {
    /// Hands one file over; false when a stream was stopped half-way (the run ends).
    fn file(
        &mut self,
        sink: &mut impl Sink,
        pending: &plan::Pending,
        loaded: Loaded,
        ledger: &mut Ledger,
    ) -> anyhow::Result<bool> {
        let mut entry = FileState {
            size: pending.file.size,
            mtime: pending.file.mtime,
            hash: 0,
            articles: 0,
            duplicates: 0,
        };
        match loaded {
            Loaded::SameContent => {
                if let Reason::Changed { known } = pending.reason {
                    entry = known;
                }
                sink.begin(&pending.file.key, entry);
                ledger.report.unchanged += 1;
            }
            Loaded::Failed(error) => {
                sink.begin(&pending.file.key, entry);
                (self.warn)(&error);
                ledger.report.skip(error.reason);
                ledger.report.count(pending.reason);
            }
            Loaded::Parsed { hash, outcome } => {
                entry.hash = hash;
                sink.begin(&pending.file.key, entry);
                self.outcome(sink, outcome, ledger)?;
                ledger.report.count(pending.reason);
            }
            Loaded::Stream { hash, gzipped } => {
                entry.hash = hash;
                sink.begin(&pending.file.key, entry);
                let finished = self.stream(sink, pending, gzipped, ledger)?;
                ledger.report.count(pending.reason);
                if !finished {
                    sink.abandon();
                    return Ok(false);
                }
            }
        }
        sink.read(ledger);
        Ok(true)
    }

    /// Adds a file's articles and tells what was skipped.
    fn outcome(
        &self,
        sink: &mut impl Sink,
        outcome: FileOutcome,
        ledger: &mut Ledger,
    ) -> anyhow::Result<()> {
        for error in &outcome.errors {
            (self.warn)(error);
            ledger.report.skip(error.reason);
        }
        for reason in outcome.passed_over {
            ledger.report.skip(reason);
        }
        sink.add(outcome.articles, outcome.later_replaces_same_id, ledger)
    }

    /// Streams a web archive's records into the sink; false when asked to stop half-way. A
    /// failure of the home ends the stream and the run.
    fn stream(
        &self,
        sink: &mut impl Sink,
        pending: &plan::Pending,
        gzipped: bool,
        ledger: &mut Ledger,
    ) -> anyhow::Result<bool> {
        let path = &pending.file.path;
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let (mut articles, mut finished) = (0, true);
        let mut failed: Option<anyhow::Error> = None;
        let read = ingest::warc::read(path, gzipped, self.limits, &mut |outcome| {
            articles += outcome.articles.len();
            let added = self.outcome(sink, outcome, ledger);
            self.progress
                .set_message(format!("{articles} articles from {name}"));
            let go_on = added.is_ok() && !self.stop.load(Ordering::Relaxed);
            failed = added.err();
            finished &= go_on;
            go_on
        });
        if let Some(error) = failed {
            return Err(error);
        }
        if let Err(error) = read {
            (self.warn)(&error);
            ledger.report.skip(error.reason);
        }
        Ok(finished)
    }
}
