//! The KakaoTalk chatbot: the Kakao i Open Builder skill protocol ([`kakao`]), the
//! answer logic ([`dialogue`]), which takes what the search core found as input and does
//! no I/O, the orchestration of one skill call ([`skill`]: search, account link, rules,
//! callback), greetings and thanks answered in kind ([`small_talk`]), requests for a person or
//! the menu ([`requests`]), a customer's request to
//! delete their chat history ([`forget`]), and the terminal client `doum chat` ([`cli`]). The
//! HTTP handler lives in
//! the web layer (`web::kakao`).

pub mod cli;
pub mod dialogue;
pub mod forget;
pub mod kakao;
pub mod requests;
pub mod skill;
pub mod small_talk;

pub use dialogue::{
    Candidate, ChatConfig, DialogueInput, Forgotten, Handling, Instead, LinkStatus, Lookup,
    PersonalAnswer, Turn, Verdict, answer, callback_ack, featured, handling, verdict,
};
pub use kakao::request::{RequestError, SkillRequest, UserKeys};
pub use kakao::response::{
    Button, ButtonAction, ContextValue, Label, LimitError, ListCard, ListItem, ListItemTarget,
    Output, Outputs, QuickReplies, QuickReply, QuickReplyAction, SimpleText, SkillResponse,
    Template, TextCard,
};
pub use skill::{SkillConfig, handle};
