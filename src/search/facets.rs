//! Counts of the matching articles per section and per month (`--facets`), collected from the
//! fast columns in one pass over the matches.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime as ChronoDate, Datelike};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DateTime, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::index::Fields;

/// The key under which articles without a section or a date are counted, so that each facet
/// adds up to the number of hits.
pub const UNKNOWN: &str = "(none)";

/// Matching articles per section and per month (`YYYY-MM`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facets {
    pub section: BTreeMap<String, u64>,
    pub month: BTreeMap<String, u64>,
}

pub struct FacetCollector;

pub struct SegmentFacets {
    sections: Option<StrColumn>,
    dates: Column<DateTime>,
    per_section: HashMap<Option<u64>, u64>,
    per_month: HashMap<Option<(i32, u32)>, u64>,
}

impl Collector for FacetCollector {
    type Fruit = Facets;
    type Child = SegmentFacets;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentFacets> {
        let fast = segment.fast_fields();
        Ok(SegmentFacets {
            sections: fast.str(Fields::SECTION)?,
            dates: fast.date(Fields::DATE)?,
            per_section: HashMap::new(),
            per_month: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Facets>) -> tantivy::Result<Facets> {
        let mut merged = Facets::default();
        for fruit in fruits {
            for (key, count) in fruit.section {
                *merged.section.entry(key).or_default() += count;
            }
            for (key, count) in fruit.month {
                *merged.month.entry(key).or_default() += count;
            }
        }
        Ok(merged)
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = Facets;

    fn collect(&mut self, doc: DocId, _: Score) {
        let section = self.sections.as_ref().and_then(|c| c.term_ords(doc).next());
        *self.per_section.entry(section).or_default() += 1;
        let month = self
            .dates
            .first(doc)
            .and_then(|d| ChronoDate::from_timestamp(d.into_timestamp_secs(), 0))
            .map(|d| (d.year(), d.month()));
        *self.per_month.entry(month).or_default() += 1;
    }

    fn harvest(self) -> Facets {
        let mut facets = Facets::default();
        let mut name = String::new();
        for (ord, count) in self.per_section {
            let known = match (ord, &self.sections) {
                (Some(ord), Some(column)) => column.ord_to_str(ord, &mut name).unwrap_or(false),
                _ => false,
            };
            let key = if known {
                name.clone()
            } else {
                UNKNOWN.to_string()
            };
            *facets.section.entry(key).or_default() += count;
        }
        for (month, count) in self.per_month {
            let key = month.map_or(UNKNOWN.to_string(), |(y, m)| format!("{y:04}-{m:02}"));
            *facets.month.entry(key).or_default() += count;
        }
        facets
    }
}
