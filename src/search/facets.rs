//! Counts of the matching articles per section and per month (`--facets`), collected from the
//! fast columns in one pass over the matches; a story and its copies count once, as the first
//! of them met, unless every copy is asked for.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime as ChronoDate, Datelike};
use clap::ValueEnum;
use rustc_hash::FxHashMap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DateTime, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::index::Fields;

/// The key under which articles without a section or a date are counted, so that each facet
/// adds up to the number of hits.
pub(crate) const UNKNOWN: &str = "(none)";

/// Matching articles per section and per month (`YYYY-MM`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facets {
    pub section: BTreeMap<String, u64>,
    pub month: BTreeMap<String, u64>,
    /// The period a timeline of the months is read at (see [`interval`]).
    pub interval: Interval,
}

/// The length of a timeline's period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    #[default]
    Month,
    Quarter,
    Year,
}

impl Interval {
    pub fn name(self) -> &'static str {
        match self {
            Interval::Month => "month",
            Interval::Quarter => "quarter",
            Interval::Year => "year",
        }
    }

    pub fn months(self) -> i32 {
        match self {
            Interval::Month => 1,
            Interval::Quarter => 3,
            Interval::Year => 12,
        }
    }

    pub fn label(self, month: i32) -> String {
        let (year, of_year) = (month / 12, month % 12);
        match self {
            Interval::Month => format!("{year:04}-{:02}", of_year + 1),
            Interval::Quarter => format!("{year:04}-Q{}", of_year / 3 + 1),
            Interval::Year => format!("{year:04}"),
        }
    }
}

/// About how many rows a timeline may take before a longer period is chosen.
pub(crate) const MAX_ROWS: i32 = 30;

/// `YYYY-MM` as a count of months since year 0.
pub(crate) fn month_index(key: &str) -> Option<i32> {
    let (year, month) = key.split_once('-')?;
    Some(year.parse::<i32>().ok()? * 12 + month.parse::<i32>().ok()? - 1)
}

/// The interval a timeline of these months is drawn with: `forced`, else the shortest that
/// fits in [`MAX_ROWS`].
pub(crate) fn interval(months: &BTreeMap<String, u64>, forced: Option<Interval>) -> Interval {
    if let Some(interval) = forced {
        return interval;
    }
    let known: Vec<i32> = months.keys().filter_map(|k| month_index(k)).collect();
    let (Some(first), Some(last)) = (known.iter().min(), known.iter().max()) else {
        return Interval::Month;
    };
    [Interval::Month, Interval::Quarter]
        .into_iter()
        .find(|i| last / i.months() - first / i.months() < MAX_ROWS)
        .unwrap_or(Interval::Year)
}

pub(crate) struct FacetCollector {
    pub once_per_story: bool,
}

/// A segment's section (ordinal) and month of an article.
type Keys = (Option<u64>, Option<(i32, u32)>);

pub(crate) struct SegmentFacets {
    sections: Option<StrColumn>,
    dates: Column<DateTime>,
    /// Present when each story counts once.
    stories: Option<Column<u64>>,
    per_section: HashMap<Option<u64>, u64>,
    per_month: HashMap<Option<(i32, u32)>, u64>,
    per_story: FxHashMap<u64, Keys>,
}

/// A segment's counts, and the stories it met with their section and month, to be counted
/// once across segments.
pub(crate) struct SegmentFruit {
    counts: Facets,
    stories: FxHashMap<u64, (String, String)>,
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
        let stories = if self.once_per_story {
            Some(fast.u64(Fields::STORY)?)
        } else {
            None
        };
        Ok(SegmentFacets {
            sections: fast.str(Fields::SECTION)?,
            dates: fast.date(Fields::DATE)?,
            stories,
            per_section: HashMap::new(),
            per_month: HashMap::new(),
            per_story: FxHashMap::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<Facets> {
        let mut merged = Facets::default();
        let mut stories: FxHashMap<u64, (String, String)> = FxHashMap::default();
        for fruit in fruits {
            for (key, count) in fruit.counts.section {
                *merged.section.entry(key).or_default() += count;
            }
            for (key, count) in fruit.counts.month {
                *merged.month.entry(key).or_default() += count;
            }
            for (story, keys) in fruit.stories {
                stories.entry(story).or_insert(keys);
            }
        }
        for (section, month) in stories.into_values() {
            *merged.section.entry(section).or_default() += 1;
            *merged.month.entry(month).or_default() += 1;
        }
        Ok(merged)
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = SegmentFruit;

    fn collect(&mut self, doc: DocId, _: Score) {
        let section = self.sections.as_ref().and_then(|c| c.term_ords(doc).next());
        let month = self
            .dates
            .first(doc)
            .and_then(|d| ChronoDate::from_timestamp(d.into_timestamp_secs(), 0))
            .map(|d| (d.year(), d.month()));
        if let Some(story) = self.stories.as_ref().and_then(|c| c.first(doc)) {
            self.per_story.entry(story).or_insert((section, month));
            return;
        }
        *self.per_section.entry(section).or_default() += 1;
        *self.per_month.entry(month).or_default() += 1;
    }

    fn harvest(self) -> SegmentFruit {
        let mut name = String::new();
        let mut section_name = |ord: Option<u64>| {
            let known = match (ord, &self.sections) {
                (Some(ord), Some(column)) => column.ord_to_str(ord, &mut name).unwrap_or(false),
                _ => false,
            };
            if known {
                name.clone()
            } else {
                UNKNOWN.to_string()
            }
        };
        let month_name = |month: Option<(i32, u32)>| {
            month.map_or(UNKNOWN.to_string(), |(y, m)| format!("{y:04}-{m:02}"))
        };
        let mut counts = Facets::default();
        for (ord, count) in self.per_section {
            *counts.section.entry(section_name(ord)).or_default() += count;
        }
        for (month, count) in self.per_month {
            *counts.month.entry(month_name(month)).or_default() += count;
        }
        let stories = self
            .per_story
            .into_iter()
            .map(|(story, (ord, month))| (story, (section_name(ord), month_name(month))))
            .collect();
        SegmentFruit { counts, stories }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_period_grows_with_the_span() {
        let months = |pairs: &[&str]| -> BTreeMap<String, u64> {
            pairs.iter().map(|k| (k.to_string(), 1)).collect()
        };
        assert_eq!(
            interval(&months(&["2023-01", "2023-04"]), None),
            Interval::Month
        );
        assert_eq!(
            interval(&months(&["2019-01", "2023-12", UNKNOWN]), None),
            Interval::Quarter
        );
        let ten_years = months(&["2014-03", "2023-12"]);
        assert_eq!(interval(&ten_years, None), Interval::Year);
        assert_eq!(interval(&ten_years, Some(Interval::Month)), Interval::Month);
    }
}
