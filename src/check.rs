//! `doum check`: everything under `content/` validated together: entries,
//! synonyms, decisions, the holiday calendar, and the references between
//! them (an entry's `decision:` must exist; a decision's related entries must
//! exist).

use std::path::Path;

use crate::content::Content;
use crate::rules::RuleBook;

/// The outcome of checking a content directory.
#[derive(Debug, Default)]
pub struct CheckReport {
    /// Entries loaded (0 when the entries have errors).
    pub entries: usize,
    /// Decisions loaded (0 when the rules have errors).
    pub decisions: usize,
    /// Every problem, as `file:line: message`.
    pub problems: Vec<String>,
    /// Things to see to soon that do not fail the check.
    pub warnings: Vec<String>,
}

impl CheckReport {
    /// True when nothing is wrong.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// How close to the end of the holiday list `doum check` starts warning.
pub const HOLIDAY_WARNING_DAYS: i64 = 60;

/// Checks `content_dir` as of today in Korea and reports every problem found.
pub fn check(content_dir: &Path) -> CheckReport {
    check_at(content_dir, crate::rules::today_kst())
}

/// The warning when `today` is within [`HOLIDAY_WARNING_DAYS`] of the end of the
/// holiday list (or past it).
pub fn holiday_coverage_warning(
    calendar: &crate::rules::Calendar,
    today: chrono::NaiveDate,
) -> Option<String> {
    let end = calendar.covered_until()?;
    let left = (end - today).num_days();
    (left <= HOLIDAY_WARNING_DAYS).then(|| {
        format!(
            "holidays.yaml: public holidays are listed only until {end} ({left} days from {today}): \
             add the next year's holidays, or business days after {end} will count weekends only"
        )
    })
}

/// [`check`] as of `today`.
pub fn check_at(content_dir: &Path, today: chrono::NaiveDate) -> CheckReport {
    let mut report = CheckReport::default();
    let content = match Content::load(content_dir) {
        Ok(c) => Some(c),
        Err(errors) => {
            report
                .problems
                .extend(errors.errors().iter().map(|e| e.to_string()));
            None
        }
    };
    // With broken entries, entry ids cannot be checked from the rules side.
    let known = |id: &str| content.as_ref().is_none_or(|c| c.get(id).is_some());
    match RuleBook::load(content_dir, &known) {
        Ok(book) => {
            report.decisions = book.decisions().len();
            report
                .warnings
                .extend(holiday_coverage_warning(book.calendar(), today));
            if let Some(content) = &content {
                for e in content.entries() {
                    if let Some(d) = &e.decision
                        && book.decision(d).is_none()
                    {
                        let file = content_dir
                            .parent()
                            .unwrap_or(Path::new(""))
                            .join(&e.source);
                        let line = key_line(&file, "decision");
                        report.problems.push(format!(
                            "{}:{line}: decision `{d}` does not exist in {}/rules",
                            e.source.display(),
                            crate::content::load::display_root(content_dir).display()
                        ));
                    }
                }
            }
        }
        Err(errors) => report
            .problems
            .extend(errors.0.iter().map(|e| e.to_string())),
    }
    report.entries = content.map_or(0, |c| c.entries().len());
    report
}

/// The 1-based line of `key:` in a file's front matter (1 when not found).
fn key_line(file: &Path, key: &str) -> usize {
    std::fs::read_to_string(file)
        .ok()
        .and_then(|t| crate::content::lines::key_line(&t, key))
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Days;

    const CONTENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/content");

    #[test]
    fn warns_within_60_days_of_the_end_of_the_holiday_list() {
        let book = RuleBook::load(Path::new(CONTENT), &|_| true).unwrap();
        // Wherever the shipped list ends (it grows every year).
        let end = book.calendar().covered_until().unwrap();
        let at = |days_before: u64| check_at(Path::new(CONTENT), end - Days::new(days_before));
        assert!(at(61).warnings.is_empty(), "{:?}", at(61).warnings);
        let w = at(60).warnings;
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains(&format!("until {end} (60 days")), "{}", w[0]);
        assert!(at(60).is_ok(), "a warning does not fail the check");
        let past = check_at(Path::new(CONTENT), end + Days::new(3));
        assert!(past.warnings[0].contains("(-3 days"), "{:?}", past.warnings);
    }
}
