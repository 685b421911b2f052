//! Business days: weekends and Korean public holidays from `content/holidays.yaml`.
//!
//! The file lists every public holiday (관공서 공휴일) of the years it covers, with its
//! name, including lunar holidays (설날, 추석, 부처님오신날), election days, days the
//! government designates (임시공휴일) and substitute holidays (대체공휴일):
//!
//! ```yaml
//! covers: { from: 2025-01-01, to: 2027-12-31 }
//! holidays:
//!   2025-01-01: 신정
//!   2025-03-03: 대체공휴일(삼일절)
//! ```
//!
//! Outside the covered range only weekends are known; [`Calendar::covers`] tells.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::Deserialize;

use super::load::RuleError;

/// A holiday calendar.
#[derive(Clone, Debug, Default)]
pub struct Calendar {
    holidays: BTreeMap<NaiveDate, String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCalendar {
    covers: RawRange,
    holidays: BTreeMap<NaiveDate, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRange {
    from: NaiveDate,
    to: NaiveDate,
}

impl Calendar {
    /// A calendar that knows only weekends (for tests and as a last resort).
    pub fn weekends_only() -> Self {
        Self::default()
    }

    /// Loads `holidays.yaml`.
    pub fn load(path: &Path) -> Result<Self, RuleError> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| RuleError::new(&file, 0, format!("cannot read: {e}")))?;
        Self::parse(&text, &file)
    }

    /// Parses the text of `holidays.yaml`; `file` is used in error messages.
    pub fn parse(text: &str, file: &str) -> Result<Self, RuleError> {
        let raw: RawCalendar = serde_yaml::from_str(text).map_err(|e| {
            let line = e.location().map(|l| l.line()).unwrap_or(0);
            RuleError::new(file, line, e.to_string())
        })?;
        if raw.covers.from > raw.covers.to {
            return Err(RuleError::new(
                file,
                find_line(text, "covers"),
                "covers.from is after covers.to",
            ));
        }
        for (date, name) in &raw.holidays {
            let key = date.format("%Y-%m-%d").to_string();
            if *date < raw.covers.from || *date > raw.covers.to {
                return Err(RuleError::new(
                    file,
                    find_line(text, &key),
                    format!("holiday {key} ({name}) is outside the covered range"),
                ));
            }
            if name.trim().is_empty() {
                return Err(RuleError::new(
                    file,
                    find_line(text, &key),
                    format!("holiday {key} has no name"),
                ));
            }
        }
        Ok(Calendar {
            holidays: raw.holidays,
            from: Some(raw.covers.from),
            to: Some(raw.covers.to),
        })
    }

    /// The first day the holiday list covers (`None` for [`Calendar::weekends_only`]).
    pub fn covered_from(&self) -> Option<NaiveDate> {
        self.from
    }

    /// The last day the holiday list covers (`None` for [`Calendar::weekends_only`]).
    pub fn covered_until(&self) -> Option<NaiveDate> {
        self.to
    }

    /// `date`, when the holiday list covers it or there is no list; else an
    /// error naming the range to use. An answer "as of" a date past the list
    /// would count business days with weekends only (and `0001-01-01` gave
    /// "739,960일 남았습니다"): what the agent API's and `doum ask`'s
    /// `today` are checked with.
    pub fn check(&self, date: NaiveDate) -> Result<NaiveDate, String> {
        match (self.from, self.to) {
            (Some(from), Some(to)) if !self.covers(date) => Err(format!(
                "`{date}` is outside the dates the holiday calendar covers: use a date from {from} to {to}"
            )),
            _ => Ok(date),
        }
    }

    /// Whether the holiday list covers this date (outside, only weekends are known).
    pub fn covers(&self, d: NaiveDate) -> bool {
        matches!((self.from, self.to), (Some(f), Some(t)) if f <= d && d <= t)
    }

    /// The name of the public holiday on this date, if any.
    pub fn holiday(&self, d: NaiveDate) -> Option<&str> {
        self.holidays.get(&d).map(String::as_str)
    }

    /// All holidays, in date order.
    pub fn holidays(&self) -> impl Iterator<Item = (NaiveDate, &str)> {
        self.holidays.iter().map(|(d, n)| (*d, n.as_str()))
    }

    /// Not a Saturday, a Sunday nor a public holiday.
    pub fn is_business_day(&self, d: NaiveDate) -> bool {
        !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains_key(&d)
    }

    /// The date itself if it is a business day, else the closest business day before it.
    pub fn business_day_on_or_before(&self, mut d: NaiveDate) -> NaiveDate {
        while !self.is_business_day(d) {
            match d.checked_sub_days(Days::new(1)) {
                Some(prev) => d = prev,
                None => break,
            }
        }
        d
    }

    /// The date itself if it is a business day, else the closest business day after it.
    pub fn business_day_on_or_after(&self, mut d: NaiveDate) -> NaiveDate {
        while !self.is_business_day(d) {
            match d.checked_add_days(Days::new(1)) {
                Some(next) => d = next,
                None => break,
            }
        }
        d
    }
}

fn find_line(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or(0)
}
