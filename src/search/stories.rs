//! A story and its copies shown once (see `index::stories`): the best-ranked copy is the hit,
//! the others are listed with it. `--all-copies` shows every copy.

use rustc_hash::{FxHashMap, FxHashSet};
use tantivy::columnar::Column;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::index::Fields;

/// The story of an article.
pub(crate) fn story_of(searcher: &Searcher, address: DocAddress) -> Option<u64> {
    let reader = searcher.segment_reader(address.segment_ord);
    reader
        .fast_fields()
        .u64(Fields::STORY)
        .ok()?
        .first(address.doc_id)
}

/// The ranked articles with each story's best-ranked copy only, in order.
pub(crate) fn one_per_story(
    searcher: &Searcher,
    ranked: Vec<(f32, DocAddress)>,
) -> Vec<(f32, DocAddress)> {
    let mut columns: FxHashMap<u32, Option<Column<u64>>> = FxHashMap::default();
    let mut seen = FxHashSet::default();
    ranked
        .into_iter()
        .filter(|(_, address)| {
            let column = columns.entry(address.segment_ord).or_insert_with(|| {
                let reader = searcher.segment_reader(address.segment_ord);
                reader.fast_fields().u64(Fields::STORY).ok()
            });
            match column.as_ref().and_then(|c| c.first(address.doc_id)) {
                Some(story) => seen.insert(story),
                None => true,
            }
        })
        .collect()
}

/// The ids of the other articles of the story of the article at `address`.
pub(crate) fn copies(
    searcher: &Searcher,
    fields: &Fields,
    address: DocAddress,
) -> anyhow::Result<Vec<String>> {
    let Some(story) = story_of(searcher, address) else {
        return Ok(Vec::new());
    };
    let term = Term::from_field_u64(fields.story, story);
    // Most stories have one article: the dictionary says so without a search.
    if searcher.doc_freq(&term)? <= 1 {
        return Ok(Vec::new());
    }
    let query = TermQuery::new(term, IndexRecordOption::Basic);
    let found = searcher.search(&query, &tantivy::collector::DocSetCollector)?;
    let mut ids = Vec::with_capacity(found.len());
    for other in found.into_iter().filter(|a| *a != address) {
        let doc: TantivyDocument = searcher.doc(other)?;
        if let Some(id) = doc.get_first(fields.id).and_then(|v| v.as_str()) {
            ids.push(id.to_string());
        }
    }
    // Where the index keeps them is no order: the ids' is stable.
    ids.sort();
    Ok(ids)
}
