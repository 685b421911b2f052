//! The words of an entry as the analyzer reads them, for comparing a
//! question with an answer (the chatbot's and `doum ask`'s confidence, see
//! [`crate::ask::choice`]).
//!
//! Analyzing a whole body is most of what choosing an answer costs (a few
//! hundred microseconds per entry), and the same entries answer most
//! questions; entries do not change while an engine serves them, so each
//! engine keeps the words of the entries it was asked about
//! ([`WordsCache`]).

use std::collections::HashSet;
use std::sync::Arc;

use super::memo::Memo;
use crate::content::Entry;
use crate::korean::{Analyzer, hangul};

/// The analyzed words of one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryWords {
    /// Morphemes of the title, keywords and category names.
    pub head: HashSet<String>,
    /// Morphemes of the body.
    pub body: HashSet<String>,
    /// Stems of the title and keywords, spelled as jamo (what a typo'd
    /// word is compared with: category names are short words many typos
    /// are one letter from).
    pub head_stems: Vec<String>,
}

impl EntryWords {
    /// Analyzes `entry`.
    pub fn new(analyzer: &Analyzer, entry: &Entry) -> Self {
        let head_text = format!(
            "{} {} {}",
            entry.title,
            entry.keywords.join(" "),
            entry.category.levels().join(" ")
        );
        let words = |t: &str| analyzer.morphemes(t).into_iter().map(|p| p.text).collect();
        Self {
            head: words(&head_text),
            body: words(&entry.body.text()),
            head_stems: analyzer
                .stems(&format!("{} {}", entry.title, entry.keywords.join(" ")))
                .into_iter()
                .map(|p| hangul::decompose(&p.text))
                .collect(),
        }
    }
}

/// [`EntryWords`] of the entries asked about, by id; emptied when it holds
/// [`WordsCache::CAPACITY`] entries (a few kilobytes each).
pub struct WordsCache(Memo<String, Arc<EntryWords>>);

impl Default for WordsCache {
    fn default() -> Self {
        Self(Memo::new(Self::CAPACITY))
    }
}

impl WordsCache {
    /// Entries remembered at most.
    pub const CAPACITY: usize = 1_024;

    /// The words of `entry`, analyzed on first use.
    pub fn get(&self, analyzer: &Analyzer, entry: &Entry) -> Arc<EntryWords> {
        self.0.get_or(entry.id.as_str(), || {
            Arc::new(EntryWords::new(analyzer, entry))
        })
    }
}
