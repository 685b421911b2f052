//! The chatbot's answer logic: pure, no I/O, independent of the search engine.
//!
//! One turn goes like this (the web layer does the I/O between the steps):
//!
//! 1. [`Turn::from_request`] ([`super::turn`]) reads what the user did: typed text, or
//!    tapped a quick reply / list item whose `extra` we wrote on an earlier turn. All
//!    conversation state travels in that `extra` (and, as a fallback, in a Kakao
//!    context), never in server memory, so any replica can answer the next turn.
//! 2. [`Turn::lookup`] says what to fetch: a search, a category's top entries, one entry.
//! 3. If [`featured`] returns an entry that names a decision and the user is linked to an
//!    ad account, the caller asks the rules engine for a [`PersonalAnswer`].
//! 4. [`answer`] builds the [`SkillResponse`], shaped by the question's
//!    [`handling`](mod@super::handling): one answer, a list, "not found", or a request for a person or
//!    the menu.
//!
//! # How the answer's shape is chosen
//!
//! Candidates come ranked best first, with search scores on any positive scale. The
//! caller may add a `confidence` in `[0, 1]` for the top candidate (the core's
//! [`crate::ask::choice::confidence`]); when given, it decides:
//!
//! - no candidate, a top score ≤ 0, or `confidence` < [`MIN_CONFIDENCE`]: **nothing good**
//!   (a card asking to rephrase, a 상담원 연결 button, category quick replies);
//! - `confidence` ≥ [`SURE_CONFIDENCE`]: **one clearly best** (a text card);
//! - a `confidence` in between: **several close** candidates: a list card of those
//!   scoring at least [`LIST_FLOOR_RATIO`] of the top, [`PAGE_SIZE`] a page, with
//!   "더 보기" for the next.
//!
//! Without a confidence, a single candidate or a top score at least [`CLEAR_RATIO`] times
//! the second is clearly best, and anything else is a list.

use super::forget::CONFIRM_TEXT;
use super::handling::{Handling, handling, verdict};
use super::kakao::response::{
    Button, ContextValue, ListCard, ListItem, ListItemTarget, OPERATOR_LABEL, Output, Outputs,
    QuickReplies, QuickReply, QuickReplyAction, SimpleText, SkillResponse, Template, TextCard,
};
use super::requests::Request;
use super::small_talk::SmallTalk;
use super::turn::{
    MAX_PAGE, MORE_LABEL, PAGE_SIZE, STATE_CONTEXT, STATE_LIFE_SPAN, Turn, VOTE_NO, VOTE_YES,
};

pub use crate::ask::choice::{
    CLEAR_RATIO, LIST_FLOOR_RATIO, MIN_CONFIDENCE, SURE_CONFIDENCE, Verdict,
};
/// Related entries offered as quick replies under an answer.
pub const MAX_RELATED: usize = 5;

/// Label of the button opening an entry's page.
pub const DETAIL_LABEL: &str = "자세히 보기";
/// Label of the button opening the general entry under a personal answer.
pub const GENERAL_LABEL: &str = "일반 안내 보기";
/// Label of the button opening the account-linking page.
pub const LINK_LABEL: &str = "계정 연결하기";
/// Header of the list of close candidates.
pub const LIST_HEADER: &str = "이 중에서 찾으시나요?";
/// What the user sees at once when the final answer will come through the callback URL
/// (see [`callback_ack`]).
pub const CALLBACK_TEXT: &str = "답을 찾고 있어요. 잠시만 기다려 주세요.";

/// What the dialogue needs to know about the deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatConfig {
    /// Absolute base URL of the public help center, e.g. `https://help.example.com`.
    pub public_base_url: String,
    /// Main categories, offered as quick replies when nothing matched.
    pub main_categories: Vec<String>,
    /// Absolute URL of the page where a Kakao user links an ad account, if there is one.
    pub account_link_url: Option<String>,
}

impl ChatConfig {
    /// A configuration without an account-linking page.
    pub fn new(public_base_url: &str, main_categories: Vec<String>) -> Self {
        ChatConfig {
            public_base_url: public_base_url.trim_end_matches('/').to_owned(),
            main_categories,
            account_link_url: None,
        }
    }

    /// The absolute URL of an entry's page: `{public_base_url}/articles/{id}` (the id
    /// percent-encoded as a path segment).
    pub fn article_url(&self, id: &str) -> String {
        format!(
            "{}/articles/{}",
            self.public_base_url.trim_end_matches('/'),
            crate::links::encode_component(id)
        )
    }
}

/// One entry the caller found, ranked best first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Candidate {
    /// Entry id (page at `{public_base_url}/articles/{id}`).
    pub id: String,
    /// Entry title.
    pub title: String,
    /// Plain-text summary (the card description; cut to fit).
    pub summary_text: String,
    /// Category path, outermost first.
    pub category_breadcrumb: Vec<String>,
    /// Search score, any positive scale; only ratios between candidates matter.
    pub score: f32,
    /// Related entries `(id, title)`, offered as quick replies.
    pub related: Vec<(String, String)>,
    /// The decision table this entry names, if any (a linked user gets a personal answer).
    pub decision: Option<String>,
}

/// The rules engine's answer for the user's own account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalAnswer {
    /// The explanation.
    pub text: String,
    /// The outcome in a few words, e.g. `환불 가능`.
    pub label: String,
}

/// Whether the Kakao user is linked to an ad account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LinkStatus {
    /// Linked: personal answers are possible.
    Linked,
    /// Not linked: show the general answer and how to link.
    #[default]
    NotLinked,
    /// Could not be checked now (account service down).
    Unavailable,
}

/// Everything [`answer`] needs for one turn.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DialogueInput {
    /// What the user did.
    pub turn: Turn,
    /// What the caller fetched for [`Turn::lookup`], best first.
    pub candidates: Vec<Candidate>,
    /// The caller's confidence in the top candidate, in `[0, 1]`, if it has one.
    pub confidence: Option<f32>,
    /// For a question nothing answers: the question with the words the
    /// content does not know spelled as the content's closest words
    /// ("훤뷸 신청" → "환불 신청"), offered as the first quick reply.
    pub correction: Option<String>,
    /// The personal answer for the [`featured`] entry's decision, if computed.
    pub personal: Option<PersonalAnswer>,
    /// The user's link status.
    pub link: LinkStatus,
    /// For a confirmed [`Turn::Forget`]: what the caller deleted.
    pub forgotten: Option<Forgotten>,
    /// For a [`Turn::Vote`]: whether the caller stored it.
    pub vote_saved: Option<bool>,
    /// For a category's list: the category's own name (its last level,
    /// "보고서" for `광고 만들기/보고서/보고서`), for the list's header.
    pub category_label: Option<String>,
    /// The block replies should run ([`super::SkillRequest::block_id`]); with it, list items and
    /// quick replies use the `block` action, which guarantees their `extra` comes back.
    /// Without it they send a `message`.
    pub reply_block_id: Option<String>,
}

impl DialogueInput {
    /// Input for `turn` with no candidates yet, user not linked.
    pub fn new(turn: Turn) -> Self {
        DialogueInput {
            turn,
            ..Default::default()
        }
    }
}

/// What became of a confirmed request to delete the chat history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forgotten {
    /// This many recorded questions were deleted (0: none were kept).
    Deleted(u64),
    /// Nothing could be deleted now: the store failed or took too long. The
    /// customer may try again, or ask a human agent.
    Failed,
    /// This deployment cannot delete for the customer: its skill calls are
    /// not authenticated (no skill secret), so the Kakao user they name
    /// could be anyone. Said at once, when they ask, with a human agent to
    /// turn to; no confirmation that could only fail.
    Unavailable,
}

/// The immediate reply for the slow path when the request has a callback URL:
/// `{"version":"2.0","useCallback":true,"data":{"text":CALLBACK_TEXT}}`. The web layer then
/// POSTs the result of [`answer`] (or [`SkillResponse::failure`]) to the callback URL
/// within a minute.
pub fn callback_ack() -> SkillResponse {
    SkillResponse::use_callback(CALLBACK_TEXT)
}

/// The entry the answer will show on its own, if any: for the caller to check its
/// `decision` and, for a linked user, fetch a [`PersonalAnswer`].
pub fn featured<'a>(
    turn: &Turn,
    candidates: &'a [Candidate],
    confidence: Option<f32>,
) -> Option<&'a Candidate> {
    match turn {
        Turn::Ask { query } if !query.is_empty() => {
            (verdict(candidates, confidence) == Verdict::Clear).then(|| &candidates[0])
        }
        Turn::Entry { id } => candidates.iter().find(|c| &c.id == id),
        Turn::Pick { list, n } => picked(list, *n, candidates),
        _ => None,
    }
}

/// What a list turn ([`Turn::More`], [`Turn::Category`]) shows from the
/// candidates fetched for it: the list, its entries (a search's above the
/// [`visible`] floor, a category's all) and the page.
fn shown<'t, 'c>(
    list: &'t Turn,
    candidates: &'c [Candidate],
    label: Option<&'t str>,
) -> Option<(ListKind<'t>, Vec<&'c Candidate>, u32)> {
    match list {
        Turn::More { query, page } => Some((ListKind::Search(query), visible(candidates), *page)),
        Turn::Category { path, page } => Some((
            ListKind::Category {
                path,
                label: label.unwrap_or(path),
            },
            candidates.iter().collect(),
            *page,
        )),
        _ => None,
    }
}

/// The item numbered `n` on the page of `list` as it was shown ([`shown`]).
fn picked<'a>(list: &Turn, n: u32, candidates: &'a [Candidate]) -> Option<&'a Candidate> {
    let (_, entries, page) = shown(list, candidates, None)?;
    let at = (page.clamp(1, MAX_PAGE) as usize - 1) * PAGE_SIZE + (n as usize).checked_sub(1)?;
    entries
        .get(at)
        .copied()
        .filter(|_| (n as usize) <= PAGE_SIZE)
}

/// Routes taps back to us: as a `block` action when the block id is known, else as a
/// `message`.
#[derive(Clone, Copy)]
struct Nav<'a> {
    block: Option<&'a str>,
}

impl Nav<'_> {
    fn quick(&self, label: &str, text: &str, turn: &Turn) -> QuickReply {
        let action = match self.block {
            Some(block_id) => QuickReplyAction::Block {
                block_id: block_id.to_owned(),
                text: text.to_owned(),
            },
            None => QuickReplyAction::Message(text.to_owned()),
        };
        QuickReply::new(label, action).with_extra(turn.to_extra())
    }

    fn target(&self, text: &str, turn: &Turn) -> ListItemTarget {
        let extra = Some(turn.to_extra());
        match self.block {
            Some(block_id) => ListItemTarget::Block {
                block_id: block_id.to_owned(),
                text: text.to_owned(),
                extra,
            },
            None => ListItemTarget::Message {
                text: text.to_owned(),
                extra,
            },
        }
    }
}

/// Builds the answer for one turn. Never fails: anything unexpected gives a valid
/// response (at worst [`SkillResponse::failure`]).
pub fn answer(input: &DialogueInput, cfg: &ChatConfig) -> SkillResponse {
    let nav = Nav {
        block: input.reply_block_id.as_deref().filter(|b| !b.is_empty()),
    };
    let turn = &input.turn;
    let candidates = &input.candidates;
    let label = input.category_label.as_deref();
    let (outcome, response) = match turn {
        Turn::Ask { query } if query.is_empty() => ("welcome", welcome(cfg, nav)),
        Turn::SmallTalk(talk) => ("small_talk", reply(*talk, cfg, nav)),
        Turn::Forget { confirmed: false } => match input.forgotten {
            Some(Forgotten::Unavailable) => {
                ("forget_asked", forget_done(input.forgotten, cfg, nav))
            }
            _ => ("forget_asked", forget_confirm(cfg, nav)),
        },
        Turn::Forget { confirmed: true } => ("forgotten", forget_done(input.forgotten, cfg, nav)),
        Turn::Vote { helpful, .. } => (
            "voted",
            voted(*helpful, input.vote_saved == Some(true), cfg, nav),
        ),
        Turn::Ask { query } => match handling(query, candidates, input.confidence) {
            Handling::Search(Verdict::Clear) => {
                ("direct", entry_answer(input, &candidates[0], cfg, nav))
            }
            Handling::Search(Verdict::Several) => (
                "list",
                list_page(&ListKind::Search(query), &visible(candidates), 1, cfg, nav),
            ),
            Handling::Search(Verdict::Nothing) => {
                ("not_found", nothing(cfg, nav, input.correction.as_deref()))
            }
            Handling::Request(Request::Person) => ("handoff", handoff(cfg, nav)),
            Handling::Request(Request::Menu) => ("welcome", welcome(cfg, nav)),
        },
        Turn::More { .. } | Turn::Category { .. } => match shown(turn, candidates, label) {
            Some((kind, entries, page)) => ("list", list_page(&kind, &entries, page, cfg, nav)),
            None => ("not_found", nothing(cfg, nav, None)),
        },
        Turn::NoList { .. } => ("no_list", no_list(cfg, nav)),
        Turn::Pick { list, n } => {
            match (picked(list, *n, candidates), shown(list, candidates, label)) {
                (Some(c), _) => ("direct", entry_answer(input, c, cfg, nav)),
                // No such item: the list again.
                (None, Some((kind, entries, page))) => {
                    ("list", list_page(&kind, &entries, page, cfg, nav))
                }
                (None, None) => ("not_found", nothing(cfg, nav, None)),
            }
        }
        Turn::Entry { id } => match candidates.iter().find(|c| &c.id == id) {
            Some(c) => ("direct", entry_answer(input, c, cfg, nav)),
            None => ("not_found", nothing(cfg, nav, None)),
        },
    };
    count_answer(outcome, &response);
    response
}

/// Counts an answer for `/metrics`: its outcome, and whether it offers a
/// human agent (an `operator` button; the hand-off itself happens in Kakao).
fn count_answer(outcome: &'static str, response: &SkillResponse) {
    fn offers_operator(v: &serde_json::Value) -> bool {
        match v {
            serde_json::Value::Object(m) => {
                m.get("action").and_then(|a| a.as_str()) == Some("operator")
                    || m.values().any(offers_operator)
            }
            serde_json::Value::Array(a) => a.iter().any(offers_operator),
            _ => false,
        }
    }
    let metrics = crate::metrics::global();
    metrics.chat(outcome);
    if offers_operator(&response.to_json()) {
        metrics.chat("operator_offered");
    }
}

/// Candidates worth listing: those scoring at least [`LIST_FLOOR_RATIO`] of the top.
pub fn visible(candidates: &[Candidate]) -> Vec<&Candidate> {
    let Some(top) = candidates.first() else {
        return Vec::new();
    };
    candidates
        .iter()
        .filter(|c| crate::ask::choice::worth_listing(top.score, c.score))
        .collect()
}

fn one(outputs: impl IntoIterator<Item = Output>, quick: QuickReplies) -> SkillResponse {
    match Outputs::new(outputs) {
        Ok(o) => SkillResponse::new(Template::new(o).with_quick_replies(quick)),
        Err(_) => SkillResponse::failure(),
    }
}

fn category_replies(cfg: &ChatConfig, nav: Nav) -> QuickReplies {
    QuickReplies::new(category_quick(cfg, nav))
}

/// A quick reply for each main category.
fn category_quick<'a>(cfg: &'a ChatConfig, nav: Nav<'a>) -> impl Iterator<Item = QuickReply> + 'a {
    cfg.main_categories
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .map(move |c| {
            nav.quick(
                c,
                c,
                &Turn::Category {
                    path: c.to_owned(),
                    page: 1,
                },
            )
        })
}

/// "더 보기" or a number typed with no list open ([`Turn::NoList`]).
fn no_list(cfg: &ChatConfig, nav: Nav) -> SkillResponse {
    let card = TextCard::new(
        "이어서 보여 드릴 목록이 없어요",
        "궁금한 점을 적어 주시면 찾아 드릴게요. 아래 분류에서 골라 보셔도 좋아요.",
    )
    .with_buttons([Button::operator(OPERATOR_LABEL)]);
    one([card.into()], category_replies(cfg, nav))
}

fn welcome(cfg: &ChatConfig, nav: Nav) -> SkillResponse {
    let card = TextCard::new(
        "무엇을 도와드릴까요?",
        "궁금한 점을 짧게 적어 주세요. 아래 분류에서 골라 보셔도 좋아요.",
    )
    .with_buttons([Button::operator(OPERATOR_LABEL)]);
    one([card.into()], category_replies(cfg, nav))
}

/// A customer asked for a person: the 상담원 button, and the categories in
/// case they would rather look themselves.
fn handoff(cfg: &ChatConfig, nav: Nav) -> SkillResponse {
    let card = TextCard::new(
        "상담원에게 연결해 드릴게요",
        "아래 ‘상담원 연결’을 누르면 상담 직원이 이어서 도와드려요. 궁금한 점을 함께 적어 \
         주시면 더 빨리 확인할 수 있어요. 도움말에서 먼저 찾아보시려면 아래 분류를 눌러 주세요.",
    )
    .with_buttons([Button::operator(OPERATOR_LABEL)]);
    one([card.into()], category_replies(cfg, nav))
}

/// A greeting gets the welcome, with a hello; thanks and goodbyes a word in
/// kind. All keep the main categories as quick replies.
fn reply(talk: SmallTalk, cfg: &ChatConfig, nav: Nav) -> SkillResponse {
    let card = match talk {
        SmallTalk::Greeting => TextCard::new(
            "안녕하세요! 무엇을 도와드릴까요?",
            "궁금한 점을 짧게 적어 주세요. 아래 분류에서 골라 보셔도 좋아요.",
        )
        .with_buttons([Button::operator(OPERATOR_LABEL)]),
        SmallTalk::Thanks => TextCard::new(
            "도움이 되었다니 다행이에요",
            "더 궁금한 점이 있으면 언제든 물어봐 주세요.",
        ),
        SmallTalk::Goodbye => TextCard::new(
            "이용해 주셔서 감사합니다",
            "궁금한 점이 생기면 언제든 다시 찾아 주세요.",
        ),
        SmallTalk::AboutBot => TextCard::new(
            "저는 도움말 챗봇이에요",
            "궁금한 점을 짧게 적어 주시면 도움말에서 답을 찾아 드려요. 아래 분류에서 골라 보셔도 \
             좋아요. 사람과 이야기하고 싶으시면 상담원 연결을 눌러 주세요.",
        )
        .with_buttons([Button::operator(OPERATOR_LABEL)]),
    };
    one([card.into()], category_replies(cfg, nav))
}

/// Asks to confirm a request to delete the chat history; the first quick
/// reply confirms it.
fn forget_confirm(cfg: &ChatConfig, nav: Nav) -> SkillResponse {
    let card = TextCard::new(
        "대화 기록을 지울까요?",
        &format!(
            "이 챗봇에 남기신 질문 기록을 모두 지워요. 지운 기록은 되돌릴 수 없어요. \
             지우시려면 아래 ‘{CONFIRM_TEXT}’을 눌러 주세요. \
             카카오톡 대화방의 메시지는 그대로 남아요."
        ),
    );
    let confirm = nav.quick(
        CONFIRM_TEXT,
        CONFIRM_TEXT,
        &Turn::Forget { confirmed: true },
    );
    let replies = std::iter::once(confirm).chain(category_quick(cfg, nav));
    one([card.into()], QuickReplies::new(replies))
}

/// What a confirmed request to delete the chat history did.
fn forget_done(forgotten: Option<Forgotten>, cfg: &ChatConfig, nav: Nav) -> SkillResponse {
    let card = match forgotten {
        Some(Forgotten::Deleted(0)) => TextCard::new(
            "지울 대화 기록이 없어요",
            "이 카카오톡 계정으로 남은 질문 기록이 없어요. 궁금한 점이 있으면 언제든 물어봐 주세요.",
        ),
        Some(Forgotten::Deleted(n)) => TextCard::new(
            "대화 기록을 지웠어요",
            &format!(
                "남기신 질문 기록 {n}건을 지웠어요. 궁금한 점이 있으면 언제든 다시 물어봐 주세요."
            ),
        ),
        Some(Forgotten::Unavailable) => TextCard::new(
            "이 챗봇에서는 대화 기록을 지울 수 없어요",
            "상담원에게 요청해 주시면 남기신 질문 기록을 지워 드려요.",
        )
        .with_buttons([Button::operator(OPERATOR_LABEL)]),
        Some(Forgotten::Failed) | None => TextCard::new(
            "지금은 대화 기록을 지울 수 없어요",
            "잠시 뒤에 다시 시도해 주세요. 상담원에게 요청하셔도 지워 드려요.",
        )
        .with_buttons([Button::operator(OPERATOR_LABEL)]),
    };
    one([card.into()], category_replies(cfg, nav))
}

/// The reply to a vote on an answer: thanks, and after 아쉬워요 a person to
/// talk to; if the vote could not be stored, say so.
fn voted(helpful: bool, saved: bool, cfg: &ChatConfig, nav: Nav) -> SkillResponse {
    let card = match (saved, helpful) {
        (true, true) => TextCard::new(
            "의견 감사합니다",
            "도움이 되었다니 다행이에요. 더 궁금한 점이 있으면 언제든 물어봐 주세요.",
        ),
        (true, false) => TextCard::new(
            "의견 감사합니다",
            "더 나은 답변으로 고치는 데 쓰겠습니다. 지금 도움이 필요하시면 질문을 바꿔 다시 \
             물어보시거나 상담원과 이야기해 주세요.",
        )
        .with_buttons([Button::operator(OPERATOR_LABEL)]),
        (false, _) => TextCard::new(
            "지금은 의견을 남길 수 없어요",
            "잠시 뒤에 다시 시도해 주세요. 도움이 필요하시면 상담원과 이야기해 주세요.",
        )
        .with_buttons([Button::operator(OPERATOR_LABEL)]),
    };
    one([card.into()], category_replies(cfg, nav))
}

/// The not-found card; with a `correction` of the question, it asks whether
/// that was meant and offers it as the first quick reply.
fn nothing(cfg: &ChatConfig, nav: Nav, correction: Option<&str>) -> SkillResponse {
    const ADVICE: &str = "질문을 조금 바꿔서 다시 물어봐 주세요. 짧은 낱말로 물어보시면 더 잘 찾아요. \
         아래 분류에서 골라 보시거나 상담원과 이야기하셔도 좋아요.";
    let text = match correction {
        Some(c) => format!("혹시 ‘{c}’ 말씀이신가요? 아래에서 눌러 찾아보세요. {ADVICE}"),
        None => ADVICE.to_owned(),
    };
    let card = TextCard::new("딱 맞는 답을 찾지 못했어요", &text)
        .with_buttons([Button::operator(OPERATOR_LABEL)]);
    let ask = |c: &str| nav.quick(c, c, &Turn::Ask { query: c.into() });
    let replies = correction
        .map(ask)
        .into_iter()
        .chain(category_quick(cfg, nav));
    one([card.into()], QuickReplies::new(replies))
}

fn general_card(c: &Candidate, cfg: &ChatConfig) -> TextCard {
    TextCard::new(&c.title, &c.summary_text)
        .with_buttons([Button::web_link(DETAIL_LABEL, &cfg.article_url(&c.id))])
}

fn link_card(cfg: &ChatConfig) -> TextCard {
    let card = TextCard::new(
        "내 계정 기준으로 확인해 보세요",
        "카카오톡을 광고 계정과 연결하면 내 계정 상태에 맞춘 답을 바로 드릴 수 있어요. \
         도움 센터에 로그인한 뒤 '카카오톡 연결' 메뉴에서 연결해 주세요.",
    );
    match &cfg.account_link_url {
        Some(url) if !url.trim().is_empty() => {
            card.with_buttons([Button::web_link(LINK_LABEL, url.trim())])
        }
        _ => card,
    }
}

fn entry_answer(input: &DialogueInput, c: &Candidate, cfg: &ChatConfig, nav: Nav) -> SkillResponse {
    let vote = |label: &str, helpful| {
        nav.quick(
            label,
            label,
            &Turn::Vote {
                id: c.id.clone(),
                helpful,
                question: input.turn.question().map(str::to_owned),
            },
        )
    };
    let related = QuickReplies::new(
        c.related
            .iter()
            .filter(|(id, title)| !id.is_empty() && !title.trim().is_empty() && *id != c.id)
            .take(MAX_RELATED)
            .map(|(id, title)| nav.quick(title, title, &Turn::Entry { id: id.clone() }))
            .chain([vote(VOTE_YES, true), vote(VOTE_NO, false)]),
    );
    if c.decision.is_none() {
        return one([general_card(c, cfg).into()], related);
    }
    match (input.link, &input.personal) {
        (LinkStatus::Linked, Some(p)) => {
            let description = if p.label.trim().is_empty() {
                p.text.clone()
            } else {
                format!("내 계정 기준: {}\n{}", p.label.trim(), p.text)
            };
            let card = TextCard::new(&c.title, &description)
                .with_buttons([Button::web_link(GENERAL_LABEL, &cfg.article_url(&c.id))]);
            one([card.into()], related)
        }
        (LinkStatus::Linked, None) => one(
            [
                general_card(c, cfg).into(),
                SimpleText::new("내 계정 기준 답은 지금 만들 수 없어 일반 안내를 드렸어요.").into(),
            ],
            related,
        ),
        (LinkStatus::NotLinked, _) => one(
            [general_card(c, cfg).into(), link_card(cfg).into()],
            related,
        ),
        (LinkStatus::Unavailable, _) => one(
            [
                general_card(c, cfg).into(),
                SimpleText::new(
                    "지금은 계정 정보를 확인할 수 없어 일반 안내를 드렸어요. \
                     잠시 후 다시 물어봐 주세요.",
                )
                .into(),
            ],
            related,
        ),
    }
}

enum ListKind<'a> {
    Search(&'a str),
    /// A category's path, and its own name for the header.
    Category {
        path: &'a str,
        label: &'a str,
    },
}

impl ListKind<'_> {
    fn turn(&self, page: u32) -> Turn {
        match self {
            ListKind::Search(q) if page <= 1 => Turn::Ask {
                query: (*q).to_owned(),
            },
            ListKind::Search(q) => Turn::More {
                query: (*q).to_owned(),
                page,
            },
            ListKind::Category { path: p, .. } => Turn::Category {
                path: (*p).to_owned(),
                page,
            },
        }
    }

    fn state(&self, page: u32) -> ContextValue {
        let (kind, key, value) = match self {
            ListKind::Search(q) => ("search", "q", *q),
            ListKind::Category { path: p, .. } => ("category", "path", *p),
        };
        ContextValue::new(
            STATE_CONTEXT,
            STATE_LIFE_SPAN,
            [
                ("kind".to_owned(), kind.to_owned()),
                (key.to_owned(), value.to_owned()),
                ("page".to_owned(), page.to_string()),
            ],
        )
    }
}

fn list_page(
    kind: &ListKind,
    entries: &[&Candidate],
    page: u32,
    cfg: &ChatConfig,
    nav: Nav,
) -> SkillResponse {
    let page = page.clamp(1, MAX_PAGE);
    let start = (page as usize - 1) * PAGE_SIZE;
    let shown = entries.get(start..).unwrap_or(&[]);
    let items = shown.iter().take(PAGE_SIZE).map(|c| {
        ListItem::new(&c.title, &c.category_breadcrumb.join(" > "))
            .with_target(nav.target(&c.title, &Turn::Entry { id: c.id.clone() }))
    });
    let header = match kind {
        ListKind::Search(_) => LIST_HEADER.to_owned(),
        ListKind::Category { label, .. } => format!("{label} 도움말"),
    };
    let Ok(card) = ListCard::new(&header, items) else {
        if page > 1 {
            let card = TextCard::new(
                "더 보여 드릴 글이 없어요",
                "찾으시는 답이 없었다면 질문을 바꿔 보시거나 상담원과 이야기해 주세요.",
            )
            .with_buttons([Button::operator(OPERATOR_LABEL)]);
            return one([card.into()], category_replies(cfg, nav));
        }
        return nothing(cfg, nav, None);
    };
    let card = card.with_buttons([Button::operator(OPERATOR_LABEL)]);
    let mut quick = QuickReplies::default();
    if shown.len() > PAGE_SIZE && page < MAX_PAGE {
        // An empty QuickReplies always has room for one.
        let _ = quick.push(nav.quick(MORE_LABEL, MORE_LABEL, &kind.turn(page + 1)));
    }
    one([card.into()], quick).with_context(kind.state(page))
}
