//! How the chatbot answers a question it was asked: one answer, a list or
//! "not found" ([`verdict`]), or as a request for a person or the menu
//! ([`handling`]); and what it does instead of answering from the help
//! center ([`Instead`]), which `doum ask` and the agent preview report.

use super::dialogue::Candidate;
use super::kakao::request::MAX_UTTERANCE_CHARS;
use super::requests::{Request, request};
use super::turn::{MORE_LABEL, Turn, list_pick, main_category};
use crate::ask::choice::{Verdict, verdict_of};
use crate::text::clean_input;

/// Sorts candidates into clear / several / nothing (see the module docs): the
/// core's [`crate::ask::choice::verdict_of`] on their top two scores, the one
/// rule the search page's answer box follows too.
pub fn verdict(candidates: &[Candidate], confidence: Option<f32>) -> Verdict {
    verdict_of(
        candidates.first().map(|c| c.score),
        candidates.get(1).map(|c| c.score),
        confidence,
    )
}

/// How the chatbot answers a question: by its [`Verdict`], unless the
/// search is not sure of one entry and the question is a request about the
/// chat itself ([`super::requests`]): then as that request. The help
/// center's own answer wins when there is one ("상담원 연결" where the
/// product has such a feature).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handling {
    /// One answer, a list or "not found".
    Search(Verdict),
    /// A person or the menu, asked for.
    Request(Request),
}

/// The [`Handling`] of question `query` with these candidates.
pub fn handling(query: &str, candidates: &[Candidate], confidence: Option<f32>) -> Handling {
    let v = verdict(candidates, confidence);
    match request_over(query, v) {
        Some(r) => Handling::Request(r),
        None => Handling::Search(v),
    }
}

/// The request `query` makes, unless the search is sure of one entry
/// (`verdict` [`Verdict::Clear`]): the help center's own answer comes first.
fn request_over(query: &str, verdict: Verdict) -> Option<Request> {
    (verdict != Verdict::Clear)
        .then(|| request(query))
        .flatten()
}

/// What the chatbot does with a typed question instead of answering it
/// from the help center, if anything: what `doum ask` and the agent
/// preview say, so that they show what the customer gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instead {
    /// A greeting, thanks, goodbye or a question about the bot, answered
    /// in kind ([`super::small_talk`]); nothing is searched.
    SmallTalk,
    /// A request to delete the chat history: the chatbot asks to confirm.
    Forget,
    /// A person asked for ([`Request::Person`]): the 상담원 card.
    Person,
    /// The menu asked for ([`Request::Menu`]): the welcome card.
    Menu,
    /// A main category's name typed alone: the list of its entries.
    Category,
    /// "더 보기" or an item's number ("2번"): the next page of, or an item
    /// from, the list the customer has open; with none open, "이어서 보여
    /// 드릴 목록이 없어요" ([`Turn::NoList`]).
    NoList,
}

impl Instead {
    /// What the chatbot does instead of answering `question`, whose search
    /// reached `verdict`, with these main categories (as
    /// [`Turn::from_request`] and [`handling`] decide for typed text).
    pub fn of(question: &str, verdict: Verdict, main_categories: &[String]) -> Option<Self> {
        let question = clean_input(question, MAX_UTTERANCE_CHARS);
        if main_category(main_categories, &question).is_some() {
            return Some(Instead::Category);
        }
        if question == MORE_LABEL || list_pick(&question).is_some() {
            return Some(Instead::NoList);
        }
        match Turn::asking(question) {
            Turn::SmallTalk(_) => Some(Instead::SmallTalk),
            Turn::Forget { .. } => Some(Instead::Forget),
            // Nothing said (an emoji, "ㅠㅠ"): the welcome card.
            Turn::Ask { query } if query.is_empty() => Some(Instead::Menu),
            Turn::Ask { query } => request_over(&query, verdict).map(|r| match r {
                Request::Person => Instead::Person,
                Request::Menu => Instead::Menu,
            }),
            _ => None,
        }
    }

    /// A stable name for machines: `small_talk`, `forget`, `handoff`,
    /// `menu`, `category`, `no_list`.
    pub fn name(self) -> &'static str {
        match self {
            Instead::SmallTalk => "small_talk",
            Instead::Forget => "forget",
            Instead::Person => "handoff",
            Instead::Menu => "menu",
            Instead::Category => "category",
            Instead::NoList => "no_list",
        }
    }

    /// What the chatbot does, in a sentence for support agents.
    pub fn describe(self) -> &'static str {
        match self {
            Instead::SmallTalk => {
                "챗봇은 이 말을 인사나 잡담으로 받아 인사로 답해요. 도움말은 찾지 않아요."
            }
            Instead::Forget => "챗봇은 이 말을 대화 기록 삭제 요청으로 받아, 지울지 먼저 물어봐요.",
            Instead::Person => {
                "챗봇은 이 말을 상담원 연결 요청으로 받아 ‘상담원 연결’ 버튼을 보여 줘요."
            }
            Instead::Menu => "챗봇은 이 말을 처음 화면 요청으로 받아 분류 목록을 보여 줘요.",
            Instead::Category => "챗봇은 이 분류의 도움말 목록을 보여 줘요.",
            Instead::NoList => {
                "챗봇은 이 말을 열려 있는 목록에 대한 것으로 받아 다음 쪽이나 그 번호의 글을 보여 줘요. 열린 목록이 없으면 ‘이어서 보여 드릴 목록이 없어요’라고 답해요."
            }
        }
    }
}
