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
}

impl CheckReport {
    /// True when nothing is wrong.
    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Checks `content_dir` and reports every problem found.
pub fn check(content_dir: &Path) -> CheckReport {
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
    if let Some(content) = &content {
        report
            .problems
            .extend(synonym_overlaps(content_dir, content));
    }
    report.entries = content.map_or(0, |c| c.entries().len());
    report
}

/// A word in two synonym groups (the content's or the built-in lexicon's), at
/// its second place, naming the first.
fn synonym_overlaps(content_dir: &Path, content: &Content) -> Vec<String> {
    let file = content_dir.join("synonyms.yaml");
    let shown = crate::content::load::display_root(content_dir).join("synonyms.yaml");
    let lines = std::fs::read_to_string(&file)
        .ok()
        .and_then(|t| crate::content::lines::block_item_lines(&t, "groups"))
        .unwrap_or_default();
    let shown = shown.display().to_string();
    crate::search::query::overlapping_words(content.synonyms().groups(), &shown, &lines)
        .into_iter()
        .map(|(word, (f1, l1), (f2, l2))| {
            format!("{f2}:{l2}: `{word}` is in two synonym groups (also {f1}:{l1}); keep it in one")
        })
        .collect()
}

/// The 1-based line of `key:` in a file's front matter (1 when not found).
fn key_line(file: &Path, key: &str) -> usize {
    std::fs::read_to_string(file)
        .ok()
        .and_then(|t| crate::content::lines::key_line(&t, key))
        .unwrap_or(1)
}
