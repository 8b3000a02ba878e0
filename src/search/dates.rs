//! Dates as people write them in options and queries.

use chrono::{Datelike, NaiveDate};

use crate::error::QueryError;

/// Reads a date bound as people write it: `2023-09-13`, `2023-09` or `2023`. A month or year
/// means its first day for `--since` and its last for `--until`.
pub fn parse_date_bound(text: &str, end: bool) -> Result<NaiveDate, QueryError> {
    let bad = || {
        QueryError(format!(
            "`{text}` is not a date: use YYYY-MM-DD, YYYY-MM or YYYY"
        ))
    };
    let parts: Vec<&str> = text.trim().split('-').collect();
    let number = |s: &str| s.parse::<u32>().map_err(|_| bad());
    let date = match parts.as_slice() {
        [y, m, d] if y.len() == 4 => {
            NaiveDate::from_ymd_opt(number(y)? as i32, number(m)?, number(d)?)
        }
        [y, m] if y.len() == 4 => {
            let first =
                NaiveDate::from_ymd_opt(number(y)? as i32, number(m)?, 1).ok_or_else(bad)?;
            if end {
                let next = first
                    .checked_add_months(chrono::Months::new(1))
                    .ok_or_else(bad)?;
                next.pred_opt()
            } else {
                Some(first)
            }
        }
        [y] if y.len() == 4 => {
            let year = number(y)? as i32;
            if end {
                NaiveDate::from_ymd_opt(year, 12, 31)
            } else {
                NaiveDate::from_ymd_opt(year, 1, 1)
            }
        }
        _ => None,
    };
    date.filter(|d| d.year() > 0).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_bounds_accept_days_months_and_years() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            parse_date_bound("2023-09-13", false).unwrap(),
            d(2023, 9, 13)
        );
        assert_eq!(parse_date_bound("2023-02", true).unwrap(), d(2023, 2, 28));
        assert_eq!(parse_date_bound("2023-09", false).unwrap(), d(2023, 9, 1));
        assert_eq!(parse_date_bound("2023", true).unwrap(), d(2023, 12, 31));
        assert!(parse_date_bound("13/09/2023", false).is_err());
        assert!(parse_date_bound("2023-13", false).is_err());
    }
}
