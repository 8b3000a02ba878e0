//! Describes an index: size, segments, articles per section, date range.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use anyhow::Context;

use super::{Fields, OpenIndex};
use crate::archive::Stats;
use crate::update::state;

pub(crate) fn stats(opened: &OpenIndex, path: &Path) -> anyhow::Result<Stats> {
    let searcher = opened.reader.searcher();
    let mut sections: BTreeMap<String, u64> = BTreeMap::new();
    let (mut first, mut last, mut undated) = (None::<i64>, None::<i64>, 0u64);
    for segment in searcher.segment_readers() {
        let fast = segment.fast_fields();
        let section_column = fast.str(Fields::SECTION).context("cannot read sections")?;
        let date_column = fast.date(Fields::DATE).context("cannot read dates")?;
        let mut per_ord: BTreeMap<u64, u64> = BTreeMap::new();
        for doc in segment.doc_ids_alive() {
            if let Some(ord) = section_column
                .as_ref()
                .and_then(|column| column.term_ords(doc).next())
            {
                *per_ord.entry(ord).or_default() += 1;
            }
            match date_column.first(doc) {
                Some(date) => {
                    let seconds = date.into_timestamp_secs();
                    first = Some(first.map_or(seconds, |f| f.min(seconds)));
                    last = Some(last.map_or(seconds, |l| l.max(seconds)));
                }
                None => undated += 1,
            }
        }
        if let Some(column) = &section_column {
            let mut name = String::new();
            for (ord, count) in per_ord {
                if column
                    .ord_to_str(ord, &mut name)
                    .context("cannot read sections")?
                {
                    *sections.entry(name.clone()).or_default() += count;
                }
            }
        }
    }
    let day = |seconds: Option<i64>| {
        seconds
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            .map(|d| d.date_naive())
    };
    Ok(Stats {
        articles: searcher.num_docs(),
        segments: searcher.segment_readers().len(),
        size_bytes: folder_size(path),
        schema_version: opened.schema.version,
        sections,
        first_date: day(first),
        last_date: day(last),
        undated,
        duplicates: state::duplicates(path)
            .with_context(|| format!("cannot read the file state in {}", path.display()))?,
    })
}

fn folder_size(path: &Path) -> u64 {
    fs::read_dir(path)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}
