//! Declarative decision tables evaluated over an account's facts.
//!
//! Some questions have no single FAQ answer ("환불은 어떻게 받나요?" depends on each
//! payment). Policy staff write decisions in `content/rules/*.yaml` (see
//! [`model`] for the format); [`RuleBook::load`] validates them and
//! [`RuleBook::evaluate`] answers with an outcome, a Korean answer and a trace of why.
//!
//! Business days come from `content/holidays.yaml` ([`Calendar`]).
//!
//! Typical use (the CLI, the web layer and the chatbot all do the same):
//!
//! ```no_run
//! # use doum::rules::{RuleBook, today_kst};
//! # use std::path::Path;
//! let book = RuleBook::load(Path::new("content"), &|_id: &str| true).unwrap();
//! # let facts = doum::rules::Facts::new();
//! let result = book.evaluate("refund-method", &facts, today_kst()).unwrap();
//! for e in &result.results {
//!     println!("{}: {}", e.record.as_deref().unwrap_or(""), e.answer);
//! }
//! ```

pub mod calendar;
pub mod eval;
pub mod format;
pub mod load;
pub mod model;

use std::fmt;
use std::path::Path;

use chrono::{FixedOffset, NaiveDate, Utc};

pub use calendar::Calendar;
pub use eval::{DecisionResult, Evaluation, FailedCondition, TraceStep};
pub use load::{RuleError, RuleErrors};
pub use model::{Decision, FactType, Facts, Value};

/// All decisions and the holiday calendar they use.
#[derive(Clone, Debug)]
pub struct RuleBook {
    decisions: Vec<Decision>,
    calendar: Calendar,
}

/// Asked for a decision id that is not in the rule book.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownDecision(pub String);

impl fmt::Display for UnknownDecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown decision `{}`", self.0)
    }
}

impl std::error::Error for UnknownDecision {}

impl RuleBook {
    /// Loads `{content_dir}/rules/*.yaml` (with the shared values of `{content_dir}/facts.yaml`
    /// substituted) and `{content_dir}/holidays.yaml`, validating
    /// everything; every problem found is returned (for `doum check`), not just the first.
    /// Without a `rules/` directory there are no decisions, and then `holidays.yaml` may be
    /// missing too (a FAQ-only content directory).
    ///
    /// `known_entry_ids` tells whether a FAQ entry id exists (for `related:`).
    pub fn load(
        content_dir: &Path,
        known_entry_ids: &dyn Fn(&str) -> bool,
    ) -> Result<Self, RuleErrors> {
        let mut errors = Vec::new();
        let shared = crate::content::SharedFacts::load(content_dir).unwrap_or_else(|e| {
            errors.extend(
                e.into_iter()
                    .map(|e| RuleError::new(&e.file.display().to_string(), e.line, e.message)),
            );
            crate::content::SharedFacts::empty()
        });
        // A content directory without `rules/` has no decisions (FAQ only).
        let rules_dir = content_dir.join("rules");
        let decisions = if !rules_dir.exists() {
            Vec::new()
        } else {
            match load::load_dir_with(&rules_dir, known_entry_ids, &shared) {
                Ok(d) => d,
                Err(RuleErrors(e)) => {
                    errors.extend(e);
                    Vec::new()
                }
            }
        };
        // The calendar is needed only by decisions.
        let holidays = content_dir.join("holidays.yaml");
        let calendar = if decisions.is_empty() && errors.is_empty() && !holidays.exists() {
            Calendar::weekends_only()
        } else {
            match Calendar::load(&holidays) {
                Ok(c) => c,
                Err(e) => {
                    errors.push(e);
                    Calendar::weekends_only()
                }
            }
        };
        if errors.is_empty() {
            Ok(RuleBook {
                decisions,
                calendar,
            })
        } else {
            Err(RuleErrors(errors))
        }
    }

    /// Builds a rule book from already loaded parts (e.g. embedded sources, tests).
    pub fn from_parts(decisions: Vec<Decision>, calendar: Calendar) -> Self {
        RuleBook {
            decisions,
            calendar,
        }
    }

    /// All decisions, in file-name order.
    pub fn decisions(&self) -> &[Decision] {
        &self.decisions
    }

    pub fn decision(&self, id: &str) -> Option<&Decision> {
        self.decisions.iter().find(|d| d.id == id)
    }

    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// Evaluates one decision for an account's facts, relative to `today` (Korean date).
    pub fn evaluate(
        &self,
        id: &str,
        facts: &Facts,
        today: NaiveDate,
    ) -> Result<DecisionResult, UnknownDecision> {
        let d = self
            .decision(id)
            .ok_or_else(|| UnknownDecision(id.to_owned()))?;
        Ok(eval::evaluate(d, facts, today, &self.calendar))
    }

    /// Evaluates every decision, in order.
    pub fn evaluate_all(&self, facts: &Facts, today: NaiveDate) -> Vec<DecisionResult> {
        self.decisions
            .iter()
            .map(|d| eval::evaluate(d, facts, today, &self.calendar))
            .collect()
    }
}

/// Where "today" comes from: the one clock of personal answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    /// Today in Korea ([`today_kst`]).
    #[default]
    Korea,
    /// Always this date (tests, replays).
    Fixed(NaiveDate),
}

impl Clock {
    /// Today by this clock.
    pub fn today(self) -> NaiveDate {
        match self {
            Clock::Korea => today_kst(),
            Clock::Fixed(d) => d,
        }
    }
}

/// Korean time (KST): UTC+9 all year, no daylight saving. The one time
/// zone of "today" ([`today_kst`]) and of the analytics report's dates.
pub fn kst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("valid offset")
}

/// Today's date in Korea (UTC+9), whatever the server's time zone.
pub fn today_kst() -> NaiveDate {
    Utc::now().with_timezone(&kst()).date_naive()
}
