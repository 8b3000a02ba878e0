//! The facets' timeline as a terminal chart, by the facets' interval (see
//! [`crate::search::facets::interval`]): empty periods kept, bars scaled to the largest period
//! shown, the undated articles a count on their own line.

use std::collections::BTreeMap;

use crate::search::facets::{Interval, UNKNOWN, month_index};

/// A timeline ready to draw.
#[derive(Debug, PartialEq)]
pub struct Timeline {
    pub interval: Interval,
    /// Every period from the first dated match to the last, empty ones included.
    pub rows: Vec<(String, u64)>,
    pub undated: u64,
}

/// The months of a facet (`YYYY-MM` → count, [`UNKNOWN`] for undated) gathered by `interval`.
pub fn timeline(months: &BTreeMap<String, u64>, interval: Interval) -> Timeline {
    let mut periods: BTreeMap<i32, u64> = BTreeMap::new();
    let mut undated = 0;
    for (key, count) in months {
        match month_index(key) {
            Some(month) => *periods.entry(month / interval.months()).or_default() += count,
            None if key == UNKNOWN => undated += count,
            None => {}
        }
    }
    let rows = match (periods.keys().next(), periods.keys().last()) {
        (Some(&first), Some(&last)) => (first..=last)
            .map(|p| {
                let label = interval.label(p * interval.months());
                (label, periods.get(&p).copied().unwrap_or(0))
            })
            .collect(),
        _ => Vec::new(),
    };
    Timeline {
        interval,
        rows,
        undated,
    }
}

/// The bar for `count`, the longest (`width` cells) for `most`; any count above 0 shows.
pub fn bar(count: u64, most: u64, width: usize) -> String {
    let cells = (count * width as u64).div_ceil(most.max(1)) as usize;
    "█".repeat(cells)
}

/// The width of the longest bar: what the terminal leaves beside the label and count.
pub fn bar_width(label_width: usize) -> usize {
    let columns = terminal_size::terminal_size()
        .map(|(width, _)| usize::from(width.0))
        .unwrap_or(80);
    columns.saturating_sub(label_width + 14).clamp(10, 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn months(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn periods_gather_months_and_empty_periods_stay() {
        let short = months(&[("2023-01", 2), ("2023-04", 1)]);
        let t = timeline(&short, Interval::Month);
        assert_eq!(t.rows.len(), 4);
        assert_eq!(t.rows[1], ("2023-02".to_string(), 0));

        let five_years = months(&[("2019-01", 1), ("2023-12", 3), (UNKNOWN, 9)]);
        let t = timeline(&five_years, Interval::Quarter);
        assert_eq!(t.rows.len(), 20);
        assert_eq!(t.rows.last().unwrap(), &("2023-Q4".to_string(), 3));
        assert_eq!(t.undated, 9);

        let ten_years = months(&[("2014-03", 1), ("2023-12", 3)]);
        assert_eq!(timeline(&ten_years, Interval::Year).rows.len(), 10);
    }

    #[test]
    fn bars_scale_to_the_largest_period() {
        assert_eq!(bar(10, 10, 20).chars().count(), 20);
        assert_eq!(bar(1, 10, 20).chars().count(), 2);
        assert_eq!(bar(0, 10, 20), "");
    }
}
