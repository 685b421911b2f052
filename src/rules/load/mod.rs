//! Loading and validating decision files (`content/rules/*.yaml`).
//!
//! Everything a policy author can get wrong is reported as a [`RuleError`] with the file
//! and line: YAML syntax, unknown keys, an unknown fact, a condition whose value has the
//! wrong type, an unknown placeholder, an unknown entry id, a missing default row, and a
//! row that can never match because an earlier row always matches first.

//!
//! The stages, one module each:
//! - `raw`: the file's shape, as serde reads it (unknown keys are errors);
//! - `compile`: names resolved, types checked, templates parsed, into a
//!   [`Decision`]; `conditions` does a row's `when`;
//! - `shadow`: rows that an earlier row always pre-empts;
//! - `locate`: the line each error points at (serde_yaml gives positions
//!   only for syntax errors).

mod compile;
mod conditions;
mod locate;
mod raw;
mod shadow;

use std::fmt;
use std::path::Path;

use crate::content::SharedFacts;

use super::model::Decision;
use compile::Compiler;
use locate::Locator;
use raw::RawDecision;

/// A validation error in a rules or holidays file: `content/rules/refund.yaml:12: ...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleError {
    pub file: String,
    /// 1-based; 0 when the problem is about the file as a whole.
    pub line: usize,
    pub message: String,
}

impl RuleError {
    pub fn new(file: &str, line: usize, message: impl Into<String>) -> Self {
        RuleError {
            file: file.to_owned(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        } else {
            write!(f, "{}: {}", self.file, self.message)
        }
    }
}

impl std::error::Error for RuleError {}

/// All the errors found while loading, one per line when displayed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleErrors(pub Vec<RuleError>);

impl fmt::Display for RuleErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RuleErrors {}

/// Loads and validates every `*.yaml` / `*.yml` file of a directory, in name order.
///
/// `file` in errors is the path as `dir.join(name)` displays. Decision ids must be unique
/// across files.
pub fn load_dir(
    dir: &Path,
    known_entry_ids: &dyn Fn(&str) -> bool,
) -> Result<Vec<Decision>, RuleErrors> {
    load_dir_with(dir, known_entry_ids, &SharedFacts::empty())
}

/// [`load_dir`], with the shared values of `facts.yaml` substituted into each file first
/// (see [`crate::content::facts`]).
pub fn load_dir_with(
    dir: &Path,
    known_entry_ids: &dyn Fn(&str) -> bool,
    shared: &SharedFacts,
) -> Result<Vec<Decision>, RuleErrors> {
    let shown = dir.display().to_string();
    let entries = std::fs::read_dir(dir)
        .map_err(|e| RuleErrors(vec![RuleError::new(&shown, 0, format!("cannot read: {e}"))]))?;
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("yaml") | Some("yml")
                )
        })
        .collect();
    paths.sort();
    let mut sources = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        let file = p.display().to_string();
        match std::fs::read_to_string(&p) {
            Ok(text) => sources.push((file, text)),
            Err(e) => errors.push(RuleError::new(&file, 0, format!("cannot read: {e}"))),
        }
    }
    match parse_all_with(&sources, known_entry_ids, shared) {
        Ok(d) if errors.is_empty() => Ok(d),
        Ok(_) => Err(RuleErrors(errors)),
        Err(RuleErrors(more)) => {
            errors.extend(more);
            Err(RuleErrors(errors))
        }
    }
}

/// Validates decisions given as `(file name, text)` pairs (e.g. embedded with `include_str!`).
pub fn parse_all(
    sources: &[(String, String)],
    known_entry_ids: &dyn Fn(&str) -> bool,
) -> Result<Vec<Decision>, RuleErrors> {
    parse_all_with(sources, known_entry_ids, &SharedFacts::empty())
}

/// [`parse_all`] with shared values substituted into each file first.
pub fn parse_all_with(
    sources: &[(String, String)],
    known_entry_ids: &dyn Fn(&str) -> bool,
    shared: &SharedFacts,
) -> Result<Vec<Decision>, RuleErrors> {
    let mut decisions: Vec<Decision> = Vec::new();
    let mut errors = Vec::new();
    for (file, text) in sources {
        match parse_decision_with(text, file, known_entry_ids, shared) {
            Ok(d) => {
                if let Some(prev) = decisions.iter().find(|p| p.id == d.id) {
                    let line = Locator::new(text).key_line(Locator::ALL, "id").unwrap_or(1);
                    errors.push(RuleError::new(
                        file,
                        line,
                        format!("decision id `{}` is already used in {}", d.id, prev.file),
                    ));
                } else {
                    decisions.push(d);
                }
            }
            Err(RuleErrors(e)) => errors.extend(e),
        }
    }
    if errors.is_empty() {
        Ok(decisions)
    } else {
        Err(RuleErrors(errors))
    }
}

/// Validates one decision file.
pub fn parse_decision(
    text: &str,
    file: &str,
    known_entry_ids: &dyn Fn(&str) -> bool,
) -> Result<Decision, RuleErrors> {
    parse_decision_with(text, file, known_entry_ids, &SharedFacts::empty())
}

/// Validates one decision file after replacing the shared values' `{name}` and
/// `{name.value}` in its text (values are one line, so lines stay the same).
/// A fact or derived value named like a shared value is an error.
pub fn parse_decision_with(
    text: &str,
    file: &str,
    known_entry_ids: &dyn Fn(&str) -> bool,
    shared: &SharedFacts,
) -> Result<Decision, RuleErrors> {
    let (substituted, _) = shared.substitute(text, crate::content::facts::Mode::Decision);
    let text = substituted.as_str();
    let raw: RawDecision = serde_yaml::from_str(text).map_err(|e| {
        let line = e.location().map(|l| l.line()).unwrap_or(0);
        RuleErrors(vec![RuleError::new(file, line, e.to_string())])
    })?;
    let mut c = Compiler::new(file, text, known_entry_ids);
    let decision = c.decision(raw);
    let declared = decision
        .facts
        .iter()
        .map(|f| (&f.name, f.line))
        .chain(decision.derived.iter().map(|d| (&d.name, d.line)));
    for (name, line) in declared {
        if shared.get(name).is_some() {
            c.err(
                line,
                format!("`{name}` is also a shared fact in facts.yaml; rename one of them"),
            );
        }
    }
    if c.errors.is_empty() {
        Ok(decision)
    } else {
        Err(RuleErrors(c.errors))
    }
}
