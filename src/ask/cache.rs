//! Recent questions' choices ([`ChoiceCache`]): the chatbot's and `doum
//! ask`'s counterpart of the search's results cache
//! ([`crate::search::cache`]).
//!
//! Choosing the answer to a question (ranking the entries that may answer
//! it, picking the one whose decision the question asks about, weighing how
//! sure that is) is most of what a chatbot turn costs, and customers ask the
//! same questions. An [`Assistant`](super::Assistant)'s engine, content and
//! rules never change while it serves (a reload builds a new one), so a
//! question's choice is a function of the question alone. The account part
//! (whose payment, which campaign) is not remembered: it is looked up for
//! every turn, after the choice.
//!
//! A choice the semantic model could not weigh in on (every core busy) is
//! not remembered, as for search results.

use std::sync::Arc;

use super::choice::{Choice, Signals};
use crate::content::Content;
use crate::search::Ranked;
use crate::search::memo::Lru;

/// A choice without its borrow of the content (entry positions), to keep
/// or to hand from the thread that ranked to another.
#[derive(Debug, Clone)]
pub struct KeptChoice {
    ranked: Vec<(u32, f32)>,
    decision: Option<String>,
    confidence: Option<f32>,
    signals: Option<Signals>,
    complete: bool,
}

impl KeptChoice {
    /// `choice`, whose entries are `content`'s; `None` if one is not.
    pub fn of(choice: &Choice<'_>, content: &Content) -> Option<Self> {
        let ranked = choice
            .ranked
            .iter()
            .map(|r| {
                Some((
                    u32::try_from(content.position(r.entry.id.as_str())?).ok()?,
                    r.score,
                ))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Self {
            ranked,
            decision: choice.decision.clone(),
            confidence: choice.confidence,
            signals: choice.signals,
            complete: choice.complete,
        })
    }

    /// The choice again, over the `content` it was made from; `None` if that
    /// content has fewer entries.
    pub fn over<'a>(&self, content: &'a Content) -> Option<Choice<'a>> {
        let entries = content.entries();
        let ranked = self
            .ranked
            .iter()
            .map(|&(ord, score)| {
                Some(Ranked {
                    entry: entries.get(ord as usize)?,
                    score,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Choice {
            ranked,
            decision: self.decision.clone(),
            confidence: self.confidence,
            signals: self.signals,
            complete: self.complete,
        })
    }
}

/// The choices of the most recently asked questions, at most
/// [`ChoiceCache::CAPACITY`].
pub struct ChoiceCache {
    choices: Lru<String, Arc<KeptChoice>>,
}

impl Default for ChoiceCache {
    fn default() -> Self {
        Self {
            choices: Lru::new(Self::CAPACITY),
        }
    }
}

impl ChoiceCache {
    /// Questions remembered at most (each up to
    /// [`crate::search::engine::ANSWER_HEAD`] ranked entries: about a
    /// kilobyte).
    pub const CAPACITY: usize = 512;

    /// The choice remembered for `question`, over `content` (the content it
    /// was made from).
    pub fn get<'a>(&self, question: &str, content: &'a Content) -> Option<Choice<'a>> {
        self.choices.get(question)?.over(content)
    }

    /// Remembers `choice` for `question` when it is complete.
    pub fn put(&self, question: &str, choice: &Choice<'_>, content: &Content) {
        if !choice.complete {
            return;
        }
        if let Some(kept) = KeptChoice::of(choice, content) {
            self.choices.put(question.to_string(), Arc::new(kept));
        }
    }

    /// Whether a choice is remembered for `question`.
    pub fn contains(&self, question: &str) -> bool {
        self.choices.contains(question)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_choice_comes_back_over_its_content_and_an_incomplete_one_is_not_kept() {
        let content = crate::config::load_content(std::path::Path::new("content")).unwrap();
        let entries = content.entries();
        let choice = |complete| Choice {
            ranked: vec![
                Ranked {
                    entry: &entries[3],
                    score: 2.5,
                },
                Ranked {
                    entry: &entries[0],
                    score: 1.25,
                },
            ],
            decision: Some("refund-method".into()),
            confidence: Some(0.75),
            signals: None,
            complete,
        };
        let cache = ChoiceCache::default();
        cache.put("환불 방법", &choice(true), &content);
        let got = cache.get("환불 방법", &content).expect("kept");
        let view = |c: &Choice<'_>| {
            (
                c.ranked
                    .iter()
                    .map(|r| (r.entry.id.as_str().to_owned(), r.score))
                    .collect::<Vec<_>>(),
                c.decision.clone(),
                c.confidence,
                c.complete,
            )
        };
        assert_eq!(view(&got), view(&choice(true)));
        assert!(cache.get("다른 질문", &content).is_none());
        cache.put("바쁠 때", &choice(false), &content);
        assert!(cache.get("바쁠 때", &content).is_none() && !cache.contains("바쁠 때"));
    }
}
