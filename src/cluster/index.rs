//! `emeroteca index DIR --to URL`: a cluster as the home of an update (see [`crate::update`]):
//! the same walk, parsers, copies and file state as the local index, sent as `_bulk` requests.
//!
//! Safety: a file is recorded as indexed only once the cluster has acknowledged every one of its
//! articles, and the state is saved after each batch. A run stopped at any point (Ctrl-C, a
//! node gone, a rejected document) leaves a state from which the next run sends what is missing;
//! documents are named by article id, so sending one again replaces it.

use std::fs;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use anyhow::{Context, bail};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::Cluster;
use crate::copies::{self, MAX_VERIFIED, Shingles, Sketch};
use crate::export;
use crate::ingest::{Article, ParseError};
use crate::update::plan::{IndexOptions, IndexReport, canonical_roots, survey};
use crate::update::state::{self, FileState, IndexState};
use crate::update::{self, Ledger, Sink};

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
    let roots = canonical_roots(&options.dirs)?;
    fs::create_dir_all(&options.index)
        .with_context(|| format!("cannot create {}", options.index.display()))?;
    create_index(cluster)?;
    follow_target(cluster, &options.index)?;
    let (plan, ledger) = survey(options, &roots, warn, false)?;
    let sink = IntoCluster {
        cluster,
        options,
        files: Vec::new(),
        documents: Vec::new(),
        bytes: 0,
        unrefreshed: 0,
        recent: Known::default(),
        rejected: 0,
    };
    update::run(sink, plan, ledger, options, warn, stop)
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

/// An update under way into a cluster: the files of the current batch and the documents not
/// yet sent.
struct IntoCluster<'a> {
    cluster: &'a Cluster,
    options: &'a IndexOptions,
    /// The files of the batch, in walk order; the last one is the file begun.
    files: Vec<FileSent>,
    documents: Vec<Unsent>,
    /// The size of the unsent documents.
    bytes: usize,
    /// The size of what was sent since the last refresh.
    unrefreshed: usize,
    /// The stories of the articles sent since the last refresh, not yet searchable.
    recent: Known,
    /// Files with a rejected article.
    rejected: u64,
}

/// A file whose articles are being sent.
struct FileSent {
    key: String,
    entry: FileState,
    /// Its articles not yet acknowledged.
    unsent: usize,
    /// All its articles have been read.
    read: bool,
    /// Acknowledged whole and recorded in the state (or reported as rejected, or abandoned).
    recorded: bool,
    /// Why the cluster refused one of its articles.
    rejected: Option<String>,
}

/// An article read and not yet sent, the index of its file in [`IntoCluster::files`], its
/// analysed text, and what finds its story (worked out once, when it is queued).
struct Unsent {
    file: usize,
    article: Article,
    analysed: export::Analysed,
    fingerprint: u64,
    sketch: Option<Sketch>,
}

impl Sink for IntoCluster<'_> {
    fn remove(&mut self, keys: &[String]) -> anyhow::Result<()> {
        delete_files(self.cluster, keys)
    }

    fn begin(&mut self, key: &str, entry: FileState) {
        self.files.push(FileSent {
            key: key.to_string(),
            entry,
            unsent: 0,
            read: false,
            recorded: false,
            rejected: None,
        });
    }

    /// Queues articles, sending them once they are many. Documents are named by article id: a
    /// page captured again replaces the earlier capture by itself.
    fn add(&mut self, articles: Vec<Article>, _: bool, ledger: &mut Ledger) -> anyhow::Result<()> {
        // The loop begins every file before it hands over its articles (`update::run`): the
        // last one is the file begun.
        let file = self.files.len() - 1;
        for article in articles {
            let analysed = export::Analysed::of(&article);
            self.bytes += article.title.len() + article.body.len() + analysed.len() + 256;
            self.files[file].unsent += 1;
            self.documents.push(Unsent {
                file,
                fingerprint: article.fingerprint(),
                sketch: copies::sketch(&article.body),
                analysed,
                article,
            });
        }
        if self.bytes >= BULK_BYTES {
            self.flush(ledger)?;
        }
        Ok(())
    }

    fn read(&mut self, _: &mut Ledger) {
        if let Some(file) = self.files.last_mut() {
            file.read = true;
        }
    }

    fn abandon(&mut self) {
        let file = self.files.len() - 1;
        self.documents.retain(|d| d.file != file);
        self.files[file].recorded = true;
    }

    fn end_batch(&mut self, _: usize, _: bool, ledger: &mut Ledger) -> anyhow::Result<()> {
        self.flush(ledger)?;
        self.files.clear();
        self.save(&mut ledger.state)
    }

    fn finish(mut self, _: bool, mut ledger: Ledger) -> anyhow::Result<IndexReport> {
        self.flush(&mut ledger)?;
        self.save(&mut ledger.state)?;
        ledger
            .state
            .compact()
            .with_context(|| format!("cannot write to {}", self.options.index.display()))?;
        self.cluster.call("POST", "/_refresh", None, &[])?;
        ledger.report.articles = super::search::count(self.cluster)?;
        if self.rejected > 0 {
            bail!(
                "{} files had articles the cluster rejected (named above); they are not recorded as indexed and the next run sends them again",
                self.rejected
            );
        }
        Ok(ledger.report)
    }
}

impl IntoCluster<'_> {
    /// Sends the queued articles in one `_bulk` request, each joining its story, and records
    /// the files acknowledged whole.
    fn flush(&mut self, ledger: &mut Ledger) -> anyhow::Result<()> {
        let documents = std::mem::take(&mut self.documents);
        self.unrefreshed += std::mem::take(&mut self.bytes);
        if !documents.is_empty() {
            let lines = self.bulk_lines(&documents, &mut ledger.report)?;
            let answer = self
                .cluster
                .bulk(lines)
                .with_context(|| self.sending(&documents))?;
            self.acknowledge(&documents, &answer, &mut ledger.report)?;
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
                None => ledger.state.set(file.key.clone(), file.entry),
                Some(reason) => {
                    eprintln!("emeroteca: the cluster rejected {}: {reason}", file.key);
                    self.rejected += 1;
                }
            }
        }
        Ok(())
    }

    /// The `_bulk` lines of the documents, each article in its story.
    fn bulk_lines(
        &mut self,
        documents: &[Unsent],
        report: &mut IndexReport,
    ) -> anyhow::Result<String> {
        let mut stories = self.known_stories(documents)?;
        let mut lines = String::new();
        for unsent in documents {
            let sketch = unsent.sketch.as_ref();
            let (story, copy) = stories.story_of(sketch, unsent.fingerprint);
            self.recent.remember(story, sketch, copy);
            let file = &mut self.files[unsent.file];
            if copy {
                file.entry.duplicates += 1;
                report.duplicates += 1;
            }
            let bands = sketch.map(|s| &s.bands).filter(|_| !copy);
            let document =
                export::document(&unsent.article, &unsent.analysed, &file.key, story, bands);
            let action = export::bulk_action(&self.cluster.name, &unsent.article.id);
            lines.push_str(&action.to_string());
            lines.push('\n');
            lines.push_str(&document.to_string());
            lines.push('\n');
        }
        Ok(lines)
    }

    /// What a failed request was sending, for its message.
    fn sending(&self, documents: &[Unsent]) -> String {
        let first = &self.files[documents[0].file].key;
        let files: FxHashSet<usize> = documents.iter().map(|d| d.file).collect();
        match files.len() {
            1 => format!("cannot send the articles of {first}"),
            n => format!(
                "cannot send the articles of {first} and {} more files",
                n - 1
            ),
        }
    }

    /// Counts the articles the cluster acknowledged, and notes each file's first refused one.
    fn acknowledge(
        &mut self,
        documents: &[Unsent],
        answer: &Value,
        report: &mut IndexReport,
    ) -> anyhow::Result<()> {
        // An answer without its items is one of the wrong length: an error below.
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
                report.indexed += 1;
            } else if file.rejected.is_none() {
                file.rejected = Some(format!(
                    "article {}: {}",
                    unsent.article.id,
                    super::reason(result)
                ));
            }
        }
        Ok(())
    }

    /// Logs the state of the files acknowledged so far.
    fn save(&self, state: &mut IndexState) -> anyhow::Result<()> {
        state
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
        let number = |v: &Value| v.as_str().and_then(|s| s.parse::<u64>().ok());
        let source = json!(["story", "bands"]);
        self.cluster.search_all(query, source, |hit| {
            if let Some(story) = number(&hit["_source"]["story"]) {
                let bands = hit["_source"]["bands"].as_array().into_iter().flatten();
                known.remember_bands(story, bands.filter_map(number));
            }
        })?;
        // Then the bodies of the first articles each article will be compared with, only.
        let unverified: FxHashSet<String> = documents
            .iter()
            .filter_map(|unsent| unsent.sketch.as_ref())
            .flat_map(|sketch| known.candidates(sketch))
            .filter(|story| !known.shingles.contains_key(story))
            .map(|story| story.to_string())
            .collect();
        if !unverified.is_empty() {
            let query = json!({ "bool": { "filter": [
                { "terms": { "story": unverified } },
                { "exists": { "field": "bands" } },
            ] } });
            self.cluster
                .search_all(query, json!(["story", "body"]), |hit| {
                    if let Some(story) = number(&hit["_source"]["story"]) {
                        // Bands are made from a body, so these documents were sent with one; a
                        // document without would hold no runs, and no article is verified its copy.
                        let body = hit["_source"]["body"].as_str().unwrap_or_default();
                        known.shingles.insert(story, Shingles::of(body));
                    }
                })?;
        }
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
            self.remember_bands(story, sketch.bands.into_iter());
            self.shingles
                .entry(story)
                .or_insert_with(|| sketch.shingles.clone());
        }
    }

    /// Notes the first article of `story` by its bands (an article without bands, a copy or a
    /// short body, is only told).
    fn remember_bands(&mut self, story: u64, bands: impl Iterator<Item = u64>) {
        self.told.insert(story);
        for band in bands {
            let stories = self.bands.entry(band).or_default();
            if !stories.contains(&story) {
                stories.push(story);
            }
        }
    }

    /// The stories whose first article a body with this sketch is compared with, best first, as
    /// locally.
    fn candidates(&self, sketch: &Sketch) -> impl Iterator<Item = u64> + use<> {
        copies::candidates(&sketch.bands, &self.bands)
            .into_iter()
            .take(MAX_VERIFIED)
    }

    /// As the local index's `Stories::story_of`: the story sharing the most bands among those whose
    /// first article overlaps the body, else the one named by the fingerprint; and whether the
    /// article is a copy.
    fn story_of(&mut self, sketch: Option<&Sketch>, fingerprint: u64) -> (u64, bool) {
        let similar = sketch.and_then(|sketch| {
            self.candidates(sketch).find(|story| {
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
