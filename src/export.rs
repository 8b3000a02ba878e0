//! `emeroteca export --to opensearch DIR`: the archive as OpenSearch/Elasticsearch `_bulk` files,
//! with index settings whose analysis comes as close to ours as their built-in filters allow.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use serde_json::{Value, json};
use tantivy::{DocAddress, TantivyDocument};

use crate::analysis;
use crate::index::schema::IndexSchema;
use crate::index::stories::BANDS;
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
                .then(|| index::stories::bands(&article.body))
                .flatten();
            file.clear();
            if let Some(files) = &files
                && let Some(ord) = files.term_ords(doc_id).next()
            {
                files.ord_to_str(ord, &mut file)?;
            }
            if let Some(out) = out.as_mut() {
                writeln!(out, "{}", bulk_action(name, &article.id))?;
                writeln!(out, "{}", document(&article, &file, story, bands.as_ref()))?;
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
pub fn bulk_action(name: &str, id: &str) -> Value {
    json!({ "index": { "_index": name, "_id": id } })
}

/// An article as a cluster document: `file` is the key of the file it was read from (its
/// articles are replaced when it changes), `story` groups it with its copies (search shows one),
/// and a story's first article carries the `bands` its copies are found by.
pub fn document(article: &Article, file: &str, story: u64, bands: Option<&[u64; BANDS]>) -> Value {
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
    });
    if let Some(bands) = bands {
        document["bands"] = bands.iter().map(|b| b.to_string()).collect();
    }
    document
}

/// Index settings and mappings: elision with our article list, lowercase, our stop words (with
/// their bare spellings), accent folding, Snowball's Italian stemmer; an unstemmed `exact`
/// sub-field; sections and sources as folded keywords; the story as a keyword search collapses on.
pub fn settings() -> Value {
    let italian_text = json!({
        "type": "text",
        "analyzer": "emeroteca_italian",
        "fields": { "exact": { "type": "text", "analyzer": "emeroteca_exact" } }
    });
    let label = json!({
        "type": "text",
        "analyzer": "emeroteca_label",
        "fields": { "raw": { "type": "keyword" } }
    });
    json!({
        "settings": {
            "analysis": {
                "filter": {
                    "emeroteca_elision": {
                        "type": "elision",
                        "articles_case": true,
                        "articles": analysis::elisions(),
                    },
                    "emeroteca_stop": { "type": "stop", "stopwords": analysis::stop_words() },
                    "emeroteca_stemmer": { "type": "stemmer", "language": "italian" }
                },
                "analyzer": {
                    "emeroteca_italian": {
                        "tokenizer": "standard",
                        "filter": ["emeroteca_elision", "lowercase", "emeroteca_stop", "asciifolding", "emeroteca_stemmer"]
                    },
                    "emeroteca_exact": {
                        "tokenizer": "standard",
                        "filter": ["emeroteca_elision", "lowercase", "emeroteca_stop", "asciifolding"]
                    },
                    "emeroteca_label": {
                        "tokenizer": "keyword",
                        "filter": ["lowercase", "asciifolding"]
                    }
                }
            }
        },
        "mappings": {
            "_meta": { "emeroteca_schema": IndexSchema::load().version },
            "properties": {
                "id": { "type": "keyword" },
                "path": { "type": "keyword" },
                "file": { "type": "keyword" },
                "story": { "type": "keyword" },
                "bands": { "type": "keyword", "doc_values": false },
                "title": italian_text,
                "body": italian_text,
                "section": label,
                "source": label,
                "author": label,
                "date": { "type": "date", "format": "yyyy-MM-dd" },
                "url": { "type": "keyword", "index": false }
            }
        }
    })
}
