//! `emeroteca index DIR --to URL`: the same walk, parsers, stories and file state as the local
//! index, sent to a cluster as `_bulk` requests.
//!
//! Safety: a file is recorded as indexed only once the cluster has acknowledged every one of its
//! articles, and the state is saved after each batch. A run stopped at any point (Ctrl-C, a
//! node gone, a rejected document) leaves a state from which the next run sends what is missing;
//! documents are named by article id, so sending one again replaces it.

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use anyhow::{Context, bail};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Cluster;
use crate::export;
use crate::index::plan::{
    IndexOptions, IndexReport, Read, Reason, canonical_roots, progress_bar, read_file, survey,
};
use crate::index::state::{self, FileState, IndexState};
use crate::index::stories::{self, Shingles, Sketch};
use crate::ingest::{self, Article, FileOutcome, ParseError};

/// About how many bytes of documents one `_bulk` request carries.
const BULK_BYTES: usize = 8 << 20;

/// About how many bytes are sent between two refreshes of the index, which make what was sent
/// searchable for the stories of what follows (the articles sent since are remembered).
const REFRESH_BYTES: usize = 64 << 20;

/// Files whose articles one search finds for deleting.
const KEYS_PER_DELETE: usize = 1_000;

/// Brings the cluster index up to date with `options.dirs`; the file state is kept in
/// `options.index`. `warn` receives each file or record that is skipped.
pub fn update(
    cluster: &Cluster,
    options: &IndexOptions,
    warn: &(dyn Fn(&ParseError) + Sync),
    stop: &AtomicBool,
) -> anyhow::Result<IndexReport> {
    let started = Instant::now();
    let roots = canonical_roots(&options.dirs)?;
    fs::create_dir_all(&options.index)
        .with_context(|| format!("cannot create {}", options.index.display()))?;
    create_index(cluster)?;
    follow_target(cluster, &options.index)?;
    let (state, plan, report) = survey(options, &roots, warn, false)?;
    let mut run = Run {
        cluster,
        options,
        warn,
        state,
        report,
        files: Vec::new(),
        documents: Vec::new(),
        bytes: 0,
        unrefreshed: 0,
        recent: Known::default(),
        rejected: 0,
    };
    delete_files(cluster, &plan.vanished)?;
    for key in &plan.vanished {
        run.state.remove(key);
        run.report.removed += 1;
    }
    run.save()?;

    let progress = progress_bar(options, plan.pending_files());
    for chunk in plan.into_batches() {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let chunk = chunk.context("cannot read back the files to index")?;
        let reads: Vec<Read> = chunk
            .par_iter()
            .map(|pending| {
                let read = read_file(pending, &options.limits);
                progress.inc(1);
                read
            })
            .collect();
        // What the cluster holds of a file read again goes first.
        let changed: Vec<String> = chunk
            .iter()
            .zip(&reads)
            .filter(|(p, read)| {
                matches!(p.reason, Reason::Changed { .. }) && !matches!(read, Read::SameContent)
            })
            .map(|(p, _)| p.file.key.clone())
            .collect();
        delete_files(cluster, &changed)?;
        for (pending, read) in chunk.iter().zip(reads) {
            let entry = FileState {
                size: pending.file.size,
                mtime: pending.file.mtime,
                hash: 0,
                articles: 0,
                duplicates: 0,
            };
            let file = run.files.len();
            run.files.push(Sending {
                key: pending.file.key.clone(),
                entry,
                unsent: 0,
                read: false,
                recorded: false,
                rejected: None,
            });
            match read {
                Read::SameContent => {
                    if let Reason::Changed { known } = pending.reason {
                        run.files[file].entry = known;
                    }
                    run.report.unchanged += 1;
                }
                Read::Failed(error) => {
                    warn(&error);
                    run.report.skip(error.reason);
                    run.report.count(pending.reason);
                }
                Read::Parsed { hash, outcome } => {
                    run.files[file].entry.hash = hash;
                    run.add(file, outcome)?;
                    run.report.count(pending.reason);
                }
                Read::Stream { hash, gzipped } => {
                    run.files[file].entry.hash = hash;
                    let mut failure = None;
                    let read = ingest::warc::read(
                        &pending.file.path,
                        gzipped,
                        &options.limits,
                        &mut |outcome| match run.add(file, outcome) {
                            Ok(()) => !stop.load(Ordering::Relaxed),
                            Err(error) => {
                                failure = Some(error);
                                false
                            }
                        },
                    );
                    if let Some(error) = failure {
                        return Err(error);
                    }
                    if let Err(error) = read {
                        warn(&error);
                        run.report.skip(error.reason);
                    }
                    run.report.count(pending.reason);
                    if stop.load(Ordering::Relaxed) {
                        // Half a crawl is not recorded: the next run reads it again.
                        run.documents.retain(|d| d.file != file);
                        run.files[file].recorded = true;
                        break;
                    }
                }
            }
            run.files[file].read = true;
            progress.set_message(format!("{} articles sent", run.report.indexed));
        }
        run.flush()?;
        run.files.clear();
        run.save()?;
    }
    progress.finish_and_clear();
    run.report.interrupted = stop.load(Ordering::Relaxed);
    run.flush()?;
    run.save()?;
    run.state
        .compact()
        .with_context(|| format!("cannot write to {}", options.index.display()))?;
    cluster.call("POST", "/_refresh", None, &[])?;
    run.report.articles = super::search::count(cluster)?;
    run.report.seconds = started.elapsed().as_secs_f64();
    if run.rejected > 0 {
        bail!(
            "{} files had articles the cluster rejected (named above); they are not recorded as indexed and the next run sends them again",
            run.rejected
        );
    }
    Ok(run.report)
}

/// Creates the index with emeroteca's settings and mapping, unless it exists (made by this
/// version of emeroteca).
fn create_index(cluster: &Cluster) -> anyhow::Result<()> {
    let (status, _) = cluster.call("HEAD", "", None, &[404])?;
    if status == 404 {
        cluster
            .call("PUT", "", Some(&export::settings()), &[])
            .context("cannot create the index")?;
    }
    cluster.check_mapping()
}

/// The file beside the file state that names the cluster index it describes.
const TARGET_FILE: &str = "target.json";

/// The cluster index a file state describes: its address and name as given, and the identity
/// the cluster gave it when it was created, which a deleted and created again index, another
/// name or another cluster do not share.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Target {
    address: String,
    uuid: String,
}

/// Makes the file state in `dir` describe the index of `cluster`: when it described another
/// index (or none is named beside it), it is emptied, so that every file is sent again, and
/// the run says why. The same index reached at another address keeps its state.
fn follow_target(cluster: &Cluster, dir: &Path) -> anyhow::Result<()> {
    let target = Target {
        address: cluster.address(),
        uuid: index_uuid(cluster)?,
    };
    let path = dir.join(TARGET_FILE);
    let recorded: Option<Target> = match fs::read(&path) {
        // A target file that cannot be read names no index: every file is sent again, and said.
        Ok(bytes) => serde_json::from_slice(&bytes).ok(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    let described = recorded.as_ref().filter(|r| r.uuid == target.uuid);
    if described.is_none() && state::saved(dir) {
        let was = match &recorded {
            Some(r) => format!("the index {} (uuid {})", r.address, r.uuid),
            None => "an index it does not name".to_string(),
        };
        eprintln!(
            "emeroteca: the file state in {} described {was}; {} is another index (uuid {}): sending every file again",
            dir.display(),
            target.address,
            target.uuid
        );
        state::clear(dir).with_context(|| format!("cannot write to {}", dir.display()))?;
    }
    if recorded.as_ref() != Some(&target) {
        fs::write(&path, serde_json::to_vec(&target)?)
            .with_context(|| format!("cannot write to {}", path.display()))?;
    }
    Ok(())
}

/// The identity the cluster gave the index when it was created.
fn index_uuid(cluster: &Cluster) -> anyhow::Result<String> {
    let answer = cluster.call("GET", "/_settings/index.uuid", None, &[])?.1;
    let uuid = answer
        .as_object()
        .and_then(|indices| indices.values().next())
        .and_then(|index| index["settings"]["index"]["uuid"].as_str());
    match uuid {
        Some(uuid) => Ok(uuid.to_string()),
        None => bail!(
            "the cluster's answer names no index uuid for {}: {answer}",
            cluster.address()
        ),
    }
}

/// Removes the articles of these files from the cluster: found by file, deleted by id (with
/// nothing but the core APIs, which every cluster has).
fn delete_files(cluster: &Cluster, keys: &[String]) -> anyhow::Result<()> {
    for keys in keys.chunks(KEYS_PER_DELETE) {
        let query = json!({
            "size": 10_000,
            "_source": false,
            "query": { "terms": { "file": keys } },
        });
        loop {
            let found = cluster.call("POST", "/_search", Some(&query), &[])?.1;
            let ids: Vec<&str> = found["hits"]["hits"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|hit| hit["_id"].as_str())
                .collect();
            if ids.is_empty() {
                break;
            }
            let mut lines = String::new();
            for id in ids {
                lines.push_str(
                    &json!({ "delete": { "_index": cluster.name, "_id": id } }).to_string(),
                );
                lines.push('\n');
            }
            let answer = cluster.bulk(lines)?;
            if answer["errors"] == json!(true) {
                bail!("the cluster did not delete the articles of changed or vanished files");
            }
            cluster.call("POST", "/_refresh", None, &[])?;
        }
    }
    Ok(())
}

/// A run under way: the files of the current batch and the documents not yet sent.
struct Run<'a> {
    cluster: &'a Cluster,
    options: &'a IndexOptions,
    warn: &'a (dyn Fn(&ParseError) + Sync),
    state: IndexState,
    report: IndexReport,
    /// The files of the batch, in walk order.
    files: Vec<Sending>,
    documents: Vec<Unsent>,
    /// The size of the unsent documents' text.
    bytes: usize,
    /// The size of what was sent since the last refresh.
    unrefreshed: usize,
    /// The stories of the articles sent since the last refresh, not yet searchable.
    recent: Known,
    /// Files with a rejected article.
    rejected: u64,
}

/// A file whose articles are being sent.
struct Sending {
    key: String,
    entry: FileState,
    /// Its articles not yet acknowledged.
    unsent: usize,
    /// All its articles have been read.
    read: bool,
    /// Acknowledged whole and recorded in the state (or reported as rejected).
    recorded: bool,
    /// Why the cluster refused one of its articles.
    rejected: Option<String>,
}

/// An article read and not yet sent, the index of its file in [`Run::files`], and what finds
/// its story (worked out once, when it is queued).
struct Unsent {
    file: usize,
    article: Article,
    fingerprint: u64,
    sketch: Option<Sketch>,
}

impl Run<'_> {
    /// Queues a file's articles, sending them once they are many.
    fn add(&mut self, file: usize, outcome: FileOutcome) -> anyhow::Result<()> {
        for error in &outcome.errors {
            (self.warn)(error);
            self.report.skip(error.reason);
        }
        for reason in outcome.passed_over {
            self.report.skip(reason);
        }
        for article in outcome.articles {
            self.bytes += article.body.len() + article.title.len() + 256;
            self.files[file].unsent += 1;
            // Documents are named by article id: a page captured again replaces the earlier
            // capture by itself (`later_replaces_same_id`).
            self.documents.push(Unsent {
                file,
                fingerprint: article.fingerprint(),
                sketch: stories::sketch(&article.body),
                article,
            });
        }
        if self.bytes >= BULK_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    /// Sends the queued articles in one `_bulk` request, each joining its story, and notes
    /// which files have been acknowledged whole.
    fn flush(&mut self) -> anyhow::Result<()> {
        let documents = std::mem::take(&mut self.documents);
        self.unrefreshed += std::mem::take(&mut self.bytes);
        if !documents.is_empty() {
            let mut stories = self.known_stories(&documents)?;
            let mut lines = String::new();
            for unsent in &documents {
                let (article, sketch) = (&unsent.article, unsent.sketch.as_ref());
                let (story, copy) = stories.story_of(sketch, unsent.fingerprint);
                self.recent.remember(story, sketch, copy);
                let bands = sketch.map(|s| &s.bands);
                let file = &mut self.files[unsent.file];
                if copy {
                    file.entry.duplicates += 1;
                    self.report.duplicates += 1;
                }
                let bands = bands.filter(|_| !copy);
                let document = export::document(article, &file.key, story, bands);
                lines.push_str(&export::bulk_action(&self.cluster.name, &article.id).to_string());
                lines.push('\n');
                lines.push_str(&document.to_string());
                lines.push('\n');
            }
            let answer = self.cluster.bulk(lines).with_context(|| {
                let first = &self.files[documents[0].file].key;
                let files: FxHashSet<usize> = documents.iter().map(|d| d.file).collect();
                match files.len() {
                    1 => format!("cannot send the articles of {first}"),
                    n => format!(
                        "cannot send the articles of {first} and {} more files",
                        n - 1
                    ),
                }
            })?;
            let items = answer["items"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            if items.len() != documents.len() {
                bail!(
                    "the cluster acknowledged {} of {} articles",
                    items.len(),
                    documents.len()
                );
            }
            for (unsent, item) in documents.iter().zip(items) {
                let file = &mut self.files[unsent.file];
                file.unsent -= 1;
                let result = &item["index"];
                if result["error"].is_null() {
                    file.entry.articles += 1;
                    self.report.indexed += 1;
                } else if file.rejected.is_none() {
                    file.rejected = Some(format!(
                        "article {}: {}",
                        unsent.article.id,
                        super::reason(result)
                    ));
                }
            }
            if self.unrefreshed >= REFRESH_BYTES {
                // What was sent becomes searchable for the lookups of stories that follow.
                self.cluster.call("POST", "/_refresh", None, &[])?;
                self.recent = Known::default();
                self.unrefreshed = 0;
            }
        }
        // Files read and acknowledged whole are indexed; those with a rejected article are not.
        for file in &mut self.files {
            if file.recorded || !file.read || file.unsent > 0 {
                continue;
            }
            file.recorded = true;
            match &file.rejected {
                None => self.state.set(file.key.clone(), file.entry),
                Some(reason) => {
                    eprintln!("emeroteca: the cluster rejected {}: {reason}", file.key);
                    self.rejected += 1;
                }
            }
        }
        Ok(())
    }

    /// Logs the state of the files acknowledged so far.
    fn save(&mut self) -> anyhow::Result<()> {
        self.state
            .log()
            .with_context(|| format!("cannot write to {}", self.options.index.display()))
    }

    /// The stories in the cluster that these articles may join: those sharing a band with one
    /// of them, or named by one of their fingerprints.
    fn known_stories(&self, documents: &[Unsent]) -> anyhow::Result<Known> {
        let mut bands: FxHashSet<String> = FxHashSet::default();
        let mut fingerprints: FxHashSet<String> = FxHashSet::default();
        for unsent in documents {
            fingerprints.insert(unsent.fingerprint.to_string());
            for band in unsent.sketch.iter().flat_map(|s| s.bands) {
                bands.insert(band.to_string());
            }
        }
        let query = json!({ "bool": { "should": [
            { "terms": { "bands": bands } },
            { "terms": { "story": fingerprints } },
        ], "minimum_should_match": 1 } });
        // The cluster's refreshes may already show some of the recent ones: each is told once.
        let mut known = self.recent.clone();
        let source = json!(["story", "bands", "body"]);
        self.cluster.search_all(query, source, |hit| {
            let number = |v: &Value| v.as_str().and_then(|s| s.parse::<u64>().ok());
            let Some(story) = number(&hit["_source"]["story"]) else {
                return;
            };
            let bands = hit["_source"]["bands"].as_array().into_iter().flatten();
            // A document without a body has no runs to hold: no article is verified its copy.
            let body = hit["_source"]["body"].as_str().unwrap_or_default();
            known.remember_first(story, bands.filter_map(number), Shingles::of(body));
        })?;
        Ok(known)
    }
}

/// Stories already in the cluster or sent in this request: by band of their first article,
/// with its shingles to verify a candidate.
#[derive(Clone, Default)]
struct Known {
    bands: FxHashMap<u64, Vec<u64>>,
    shingles: FxHashMap<u64, Shingles>,
    told: FxHashSet<u64>,
}

impl Known {
    /// Notes an article of `story`; a story's first article (no copy) is found by its bands.
    fn remember(&mut self, story: u64, sketch: Option<&Sketch>, copy: bool) {
        self.told.insert(story);
        if let Some(sketch) = sketch.filter(|_| !copy) {
            self.remember_first(story, sketch.bands.into_iter(), sketch.shingles.clone());
        }
    }

    /// Notes the first article of `story`, by its bands and shingles (an article without bands,
    /// a copy or a short body, is only told).
    fn remember_first(&mut self, story: u64, bands: impl Iterator<Item = u64>, shingles: Shingles) {
        self.told.insert(story);
        let mut banded = false;
        for band in bands {
            banded = true;
            let stories = self.bands.entry(band).or_default();
            if !stories.contains(&story) {
                stories.push(story);
            }
        }
        if banded {
            self.shingles.entry(story).or_insert(shingles);
        }
    }

    /// As [`stories::Stories::story_of`]: the story sharing the most bands among those whose
    /// first article overlaps the body, else the one named by the fingerprint; and whether the
    /// article is a copy.
    fn story_of(&mut self, sketch: Option<&Sketch>, fingerprint: u64) -> (u64, bool) {
        let similar = sketch.and_then(|sketch| {
            stories::candidates(&sketch.bands, &self.bands)
                .into_iter()
                .find(|story| {
                    self.shingles
                        .get(story)
                        .is_some_and(|first| sketch.shingles.copies(first))
                })
        });
        let (story, copy) = match similar {
            Some(story) => (story, true),
            None => (fingerprint, self.told.contains(&fingerprint)),
        };
        self.remember(story, sketch, copy);
        (story, copy)
    }
}
