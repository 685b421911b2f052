//! The words of an entry as the analyzer reads them, for comparing a
//! question with an answer (the chatbot's and `doum ask`'s confidence, see
//! [`crate::ask::choice`]).
//!
//! Analyzing a whole body is most of what choosing an answer costs (a few
//! hundred microseconds per entry), and the same entries answer most
//! questions; entries do not change while an engine serves them, so each
//! engine keeps the words of the entries it was asked about
//! ([`WordsCache`]).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

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
            body: words(&entry.body_text),
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
#[derive(Default)]
pub struct WordsCache {
    entries: Mutex<HashMap<String, Arc<EntryWords>>>,
}

impl WordsCache {
    /// Entries remembered at most.
    pub const CAPACITY: usize = 1_024;

    /// The words of `entry`, analyzed on first use.
    pub fn get(&self, analyzer: &Analyzer, entry: &Entry) -> Arc<EntryWords> {
        if let Some(w) = self.lock().get(entry.id.as_str()) {
            return w.clone();
        }
        let words = Arc::new(EntryWords::new(analyzer, entry));
        let mut entries = self.lock();
        if entries.len() >= Self::CAPACITY {
            entries.clear();
        }
        entries.insert(entry.id.to_string(), words.clone());
        words
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<EntryWords>>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}
