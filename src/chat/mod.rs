//! The KakaoTalk chatbot: the Kakao i Open Builder skill protocol ([`kakao`]); what the
//! user did this turn and what to fetch for it ([`turn`]); how a question is handled (one
//! answer, a list, "not found", a request; [`handling`](mod@handling)); the answer logic ([`dialogue`]),
//! which takes what the search core found as input and does no I/O; the orchestration of
//! one skill call ([`skill`]: search, account link, rules, callback); greetings and thanks
//! answered in kind ([`small_talk`]); requests for a person or the menu ([`requests`]); a
//! customer's request to delete their chat history ([`forget`]); and the terminal client
//! `doum chat` ([`cli`]). The HTTP handler lives in the web layer (`web::kakao`).

pub mod cli;
pub mod dialogue;
pub mod forget;
pub mod handling;
pub mod kakao;
pub mod requests;
pub mod skill;
pub mod small_talk;
pub mod turn;

pub use dialogue::{
    Candidate, ChatConfig, DialogueInput, Forgotten, LinkStatus, PersonalAnswer, Verdict, answer,
    callback_ack, featured,
};
pub use handling::{Handling, Instead, handling, verdict};
pub use kakao::request::{RequestError, SkillRequest, UserKeys};
pub use kakao::response::{
    Button, ButtonAction, ContextValue, Label, LimitError, ListCard, ListItem, ListItemTarget,
    Output, Outputs, QuickReplies, QuickReply, QuickReplyAction, SimpleText, SkillResponse,
    Template, TextCard,
};
pub use skill::{SkillConfig, handle};
pub use turn::{Lookup, Turn};
