//! The KakaoTalk chatbot: the Kakao i Open Builder skill protocol ([`kakao`]).

pub mod kakao;

pub use kakao::request::{RequestError, SkillRequest, UserKeys};
pub use kakao::response::{
    Button, ButtonAction, ContextValue, Label, LimitError, ListCard, ListItem, ListItemTarget,
    Output, Outputs, QuickReplies, QuickReply, QuickReplyAction, SimpleText, SkillResponse,
    Template, TextCard,
};
