//! The one entry a search is sure answers a question, wherever results are
//! shown: the results page's 가장 알맞은 답변, `answer` in `/api/search` and
//! `doum search`. It is the chatbot's one answer ([`Choice::sure_answer`]:
//! the same choice, cache and rule), so a question gets the same entry on
//! the page, from the API, in the terminal and in KakaoTalk.

use std::sync::Arc;

use serde::Serialize;

use super::Assistant;
use super::choice::Choice;
use crate::search::engine::article_path;
use crate::search::memo::Lru;
use crate::search::{SearchRequest, SearchResults, Sort};

/// How many characters of the answer [`SureAnswer::lead`] holds.
pub const LEAD_CHARS: usize = 160;

/// The entry that answers a search on its own, with the start of its answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SureAnswer {
    /// Entry id.
    pub id: String,
    /// Its question.
    pub title: String,
    /// Its article page path.
    pub url: String,
    /// The answer's first sentences on one line: at most [`LEAD_CHARS`]
    /// characters, cut at a sentence, `…` where cut.
    pub lead: String,
}

/// Search results with the [`SureAnswer`] first when there is one: the JSON
/// of `/api/search` and `doum search --json`.
#[derive(Serialize)]
pub struct Answered<'a> {
    /// The sure answer, absent from JSON when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<&'a SureAnswer>,
    /// The results, their fields inline.
    #[serde(flatten)]
    pub results: &'a SearchResults,
}

/// The sure answers (or their absence) of the most recently searched
/// questions, so that a page or API call for a question seen before gets it
/// without the blocking pool, as a search gets its remembered results. Like
/// [`super::cache::ChoiceCache`], an answer made while the semantic model
/// was busy is not remembered.
pub struct SureCache {
    answers: Lru<String, Option<Arc<SureAnswer>>>,
}

impl Default for SureCache {
    fn default() -> Self {
        Self {
            answers: Lru::new(super::cache::ChoiceCache::CAPACITY),
        }
    }
}

/// A search a sure answer is shown for: a question asked anew, the first
/// page of a search by relevance over every category. A later page, another
/// order or a category filter is the reader looking through results.
fn asked_anew(req: &SearchRequest) -> bool {
    req.page_number() == 1 && req.sort_order() == Sort::Relevance && req.category_filter().is_none()
}

impl Assistant {
    /// The entry that answers `req` on its own, if the search is sure of one
    /// ([`Choice::sure_answer`]); only for a question asked anew (the first
    /// page of a search by relevance over every category).
    pub fn sure_answer(&self, req: &SearchRequest) -> Option<Arc<SureAnswer>> {
        if let Some(known) = self.remembered_sure_answer(req) {
            return known;
        }
        let choice: Choice = self.choose(req.query()).ok()?;
        let answer = choice.sure_answer().map(|r| {
            let e = r.entry;
            Arc::new(SureAnswer {
                id: e.id.to_string(),
                title: e.title.to_string(),
                url: article_path(e.id.as_str()),
                lead: e.lead(LEAD_CHARS),
            })
        });
        if choice.complete {
            self.sure
                .answers
                .put(req.query().to_owned(), answer.clone());
        }
        answer
    }

    /// [`Self::sure_answer`] when it is known without work: `Some(None)` for
    /// a search that shows none (not asked anew), `Some(answer)` for a
    /// question searched recently, `None` when it has to be worked out.
    pub fn remembered_sure_answer(&self, req: &SearchRequest) -> Option<Option<Arc<SureAnswer>>> {
        if !asked_anew(req) {
            return Some(None);
        }
        self.sure.answers.get(req.query())
    }
}
