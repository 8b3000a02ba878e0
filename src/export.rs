//! `emeroteca export --to opensearch DIR`: the archive as OpenSearch/Elasticsearch `_bulk` files,
//! with index settings whose analysis comes as close to ours as their built-in filters allow.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use serde_json::{Value, json};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, TantivyDocument};

use crate::analysis;
use crate::copies::{self, BANDS};
use crate::index::schema::IndexSchema;
use crate::index::{self, Fields, OpenIndex};
use crate::ingest::Article;

/// What an export wrote.
#[derive(Debug, Default)]
pub struct Exported {
    pub articles: u64,
    pub files: u64,
}

/// Writes `settings.json` and `bulk-NNNNN.ndjson` files of `chunk` articles each into `dir`.
pub fn opensearch(
    opened: &OpenIndex,
    dir: &Path,
    name: &str,
    chunk: usize,
) -> anyhow::Result<Exported> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let settings = serde_json::to_string_pretty(&settings())?;
    fs::write(dir.join("settings.json"), settings + "\n")
        .with_context(|| format!("cannot write to {}", dir.display()))?;

    let searcher = opened.reader.searcher();
    let fields = opened.schema.fields;
    let mut exported = Exported::default();
    let mut out: Option<BufWriter<fs::File>> = None;
    for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
        let fast = segment.fast_fields();
        let stories = fast
            .u64(Fields::STORY)
            .context("cannot read the index's stories")?;
        let files = fast
            .str(Fields::FILE)
            .context("cannot read the index's files")?;
        let mut file = String::new();
        for doc_id in segment.doc_ids_alive() {
            if exported.articles % chunk.max(1) as u64 == 0 {
                if let Some(mut previous) = out.take() {
                    previous.flush()?;
                }
                exported.files += 1;
                let path = dir.join(format!("bulk-{:05}.ndjson", exported.files));
                let file = fs::File::create(&path)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                out = Some(BufWriter::new(file));
            }
            let doc: TantivyDocument = searcher.doc(DocAddress::new(segment_ord as u32, doc_id))?;
            let article = index::stored_article(&doc, &fields);
            let story = stories.first(doc_id).unwrap_or_default();
            // A story is named by its first article's fingerprint: that one carries the bands,
            // so that `index --to` can go on finding copies in an exported index.
            let bands = (story == article.fingerprint())
                .then(|| copies::bands(&article.body))
                .flatten();
            file.clear();
            if let Some(files) = &files
                && let Some(ord) = files.term_ords(doc_id).next()
            {
                files.ord_to_str(ord, &mut file)?;
            }
            if let Some(out) = out.as_mut() {
                writeln!(out, "{}", bulk_action(name, &article.id))?;
                let analysed = Analysed::of(&article);
                let document = document(&article, &analysed, &file, story, bands.as_ref());
                writeln!(out, "{document}")?;
            }
            exported.articles += 1;
        }
    }
    if let Some(mut last) = out {
        last.flush()?;
    }
    Ok(exported)
}

/// The `_bulk` line that indexes (or replaces) the article with `id`.
pub(crate) fn bulk_action(name: &str, id: &str) -> Value {
    json!({ "index": { "_index": name, "_id": id } })
}

/// The terms emeroteca's analyzers make of an article, as a cluster document carries them (see
/// [`analysed`]): what the local index's `title`, `body`, `exact` and `headline` fields hold.
pub(crate) struct Analysed {
    title: String,
    body: String,
    exact_title: String,
    exact_body: String,
    headline: Option<String>,
}

impl Analysed {
    pub(crate) fn of(article: &Article) -> Analysed {
        let (mut italian, mut exact) = (analysis::italian(), analysis::italian_exact_names());
        Analysed {
            title: analysed(&mut italian, &article.title),
            body: analysed(&mut italian, &article.body),
            exact_title: words(&mut exact, &article.title),
            exact_body: words(&mut exact, &article.body),
            headline: analysis::tokens(&mut analysis::headline(), &article.title)
                .pop()
                .map(|token| token.text),
        }
    }

    /// About the bytes the terms add to a document.
    pub(crate) fn len(&self) -> usize {
        self.title.len() + self.body.len() + 2 * self.exact_title.len() + self.exact_body.len()
    }
}

/// An article as a cluster document: `file` is the key of the file it was read from (its
/// articles are replaced when it changes), `story` groups it with its copies (search shows one),
/// and a story's first article carries the `bands` its copies are found by. Title and body go
/// as text (what hits show) and as their `analysed` terms (what queries search).
pub(crate) fn document(
    article: &Article,
    analysed: &Analysed,
    file: &str,
    story: u64,
    bands: Option<&[u64; BANDS]>,
) -> Value {
    let mut document = json!({
        "file": file,
        "id": article.id,
        "path": article.path,
        "title": article.title,
        "section": article.section,
        "date": article.date.map(|d| d.to_string()),
        "url": article.url,
        "source": article.source,
        "author": article.author,
        "body": article.body,
        "story": story.to_string(),
        "title_terms": analysed.title,
        "body_terms": analysed.body,
        // The title twice, as locally: the exact form weighs more there.
        "exact_terms": [analysed.exact_title, analysed.exact_title, analysed.exact_body],
        "headline": analysed.headline,
    });
    if let Some(bands) = bands {
        document["bands"] = bands.iter().map(|b| b.to_string()).collect();
    }
    document
}

/// Stands for a position that holds no term (a stop word's): the cluster's analyzer drops it
/// and keeps the gap, so phrases see the positions the local index sees.
pub(crate) const NO_TERM: &str = "_";
/// Between the terms that share a position (a word's stem and its lemma's).
pub(crate) const SAME_POSITION: char = '|';

/// The terms `analyzer` makes of `text`, as the cluster's `emeroteca_terms` analyzer reads them
/// back: a position per word, its terms joined by [`SAME_POSITION`], [`NO_TERM`] where a
/// position holds none.
pub(crate) fn analysed(analyzer: &mut TextAnalyzer, text: &str) -> String {
    let tokens = analysis::tokens(analyzer, text);
    analysed_positions(tokens.iter().map(|t| (t.position, t.text.as_str())))
}

/// The terms `analyzer` makes of `text`, whatever their positions, as the cluster's
/// `whitespace` analyzer reads them back (for a field without positions).
fn words(analyzer: &mut TextAnalyzer, text: &str) -> String {
    let tokens = analysis::tokens(analyzer, text);
    let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
    words.join(" ")
}

/// Terms at their positions (in order) as [`analysed`] writes them.
pub(crate) fn analysed_positions<'a>(terms: impl Iterator<Item = (usize, &'a str)>) -> String {
    let mut positions: Vec<String> = Vec::new();
    for (position, term) in terms {
        match positions.get_mut(position) {
            Some(terms) => {
                terms.push(SAME_POSITION);
                terms.push_str(term);
            }
            None => {
                positions.resize(position, NO_TERM.to_string());
                positions.push(term.to_string());
            }
        }
    }
    positions.join(" ")
}

/// The version of the cluster index's mapping: an index made with another holds other fields,
/// and is refused rather than searched wrongly.
pub(crate) const CLUSTER_MAPPING: u64 = 3;

/// Index settings and mappings. Queries search `title_terms`, `body_terms`, `exact_terms` and
/// `headline`: emeroteca's own terms (see [`document`]), which the `emeroteca_terms` analyzer
/// only splits into positions. Title and body are kept as they are, not indexed (the cluster
/// would analyse them again for nothing); sections and sources are folded keywords, and the
/// story a keyword that groups copies.
pub fn settings() -> Value {
    let shown_text = json!({ "type": "text", "index": false });
    let terms = json!({ "type": "text", "analyzer": "emeroteca_terms" });
    let label = json!({
        "type": "text",
        "analyzer": "emeroteca_label",
        "fields": { "raw": { "type": "keyword" } }
    });
    json!({
        "settings": {
            "analysis": {
                "filter": {
                    "emeroteca_same_position": {
                        "type": "pattern_capture",
                        "preserve_original": false,
                        "patterns": [format!("([^{SAME_POSITION}]+)")],
                    },
                    "emeroteca_no_term": { "type": "stop", "stopwords": [NO_TERM] }
                },
                "analyzer": {
                    "emeroteca_terms": {
                        "tokenizer": "whitespace",
                        "filter": ["emeroteca_same_position", "emeroteca_no_term"]
                    },
                    "emeroteca_label": {
                        "tokenizer": "keyword",
                        "filter": ["lowercase", "asciifolding"]
                    }
                }
            }
        },
        "mappings": {
            "_meta": {
                "emeroteca_schema": IndexSchema::load().version,
                "emeroteca_cluster": CLUSTER_MAPPING,
            },
            // The terms are searched, never shown: the documents' sources keep the text only.
            "_source": { "excludes": ["title_terms", "body_terms", "exact_terms", "headline"] },
            "properties": {
                "id": { "type": "keyword" },
                "path": { "type": "keyword" },
                "file": { "type": "keyword" },
                "story": { "type": "keyword" },
                "bands": { "type": "keyword", "doc_values": false },
                "title": shown_text,
                "body": shown_text,
                "title_terms": terms,
                "body_terms": terms,
                "exact_terms": { "type": "text", "analyzer": "whitespace", "index_options": "freqs" },
                "headline": { "type": "keyword", "doc_values": false },
                "section": label,
                "source": label,
                "author": label,
                "date": { "type": "date", "format": "yyyy-MM-dd" },
                "url": { "type": "keyword", "index": false }
            }
        }
    })
}
