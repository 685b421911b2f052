//! Kakao i Open Builder SkillResponse (version 2.0), built so that it cannot break Kakao's
//! limits.
//!
//! Every length and count limit is enforced by a constructor: text is cut (ending in `…`),
//! collections keep their first allowed elements, and the few things that cannot be fixed
//! by cutting (an empty list, a fourth output) are rejected with [`LimitError`]. Fields are
//! private, so a value that passed its constructor stays valid. Serialization gives
//! exactly Kakao's JSON, e.g.
//! `{"version":"2.0","template":{"outputs":[{"textCard":{...}}],"quickReplies":[...]}}`.
//!
//! Characters are counted as Unicode scalar values (see [`crate::text`]).

use std::collections::BTreeMap;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Map, Value};

use crate::text::{cut_at_sentence, truncate};

/// The protocol version every response carries.
pub const VERSION: &str = "2.0";
/// Outputs (speech bubbles) per response: 1 to 3.
pub const MAX_OUTPUTS: usize = 3;
/// Characters in a `simpleText`.
pub const MAX_SIMPLE_TEXT: usize = 1000;
/// Characters in a `textCard` title.
pub const MAX_CARD_TITLE: usize = 50;
/// Characters in a `textCard` title and description together.
pub const MAX_CARD_TEXT: usize = 400;
/// Items in a `listCard`.
pub const MAX_LIST_ITEMS: usize = 5;
/// Characters in a `listCard` header title.
pub const MAX_LIST_HEADER: usize = 50;
/// Characters in a `listCard` item title.
pub const MAX_LIST_ITEM_TITLE: usize = 50;
/// Characters in a `listCard` item description.
pub const MAX_LIST_ITEM_DESCRIPTION: usize = 100;
/// Quick replies per response.
pub const MAX_QUICK_REPLIES: usize = 10;
/// Characters in a button or quick-reply label.
pub const MAX_LABEL: usize = 14;
/// Characters in a button label when two buttons sit side by side.
pub const MAX_LABEL_SIDE_BY_SIDE: usize = 8;
/// Buttons on a `textCard`.
pub const MAX_CARD_BUTTONS: usize = 3;
/// Buttons on a `listCard` (Kakao allows two, shown side by side).
pub const MAX_LIST_BUTTONS: usize = 2;
/// Characters of message text a button or quick reply sends back as the user's utterance.
pub const MAX_MESSAGE_TEXT: usize = 200;

/// A limit that cannot be met by cutting text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    /// More elements than Kakao allows.
    #[error("{what}: at most {max} allowed")]
    TooMany {
        /// What overflowed.
        what: &'static str,
        /// The limit.
        max: usize,
    },
    /// A collection that must not be empty was empty.
    #[error("{what}: at least one required")]
    Empty {
        /// What was empty.
        what: &'static str,
    },
}

/// Free-form `extra` data attached to a button, quick reply or list item; Kakao hands it
/// back to the skill as `action.clientExtra` on the next turn.
pub type Extra = Map<String, Value>;

// ---------------------------------------------------------------------------------------
// Labels and text
// ---------------------------------------------------------------------------------------

/// A button or quick-reply label: at most [`MAX_LABEL`] characters, never empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Label(String);

impl Label {
    /// `text` trimmed and cut to [`MAX_LABEL`] characters (ending in `…` when cut).
    /// An empty label becomes `…`.
    pub fn new(text: &str) -> Self {
        Self::with_max(text, MAX_LABEL)
    }

    fn with_max(text: &str, max: usize) -> Self {
        let s = truncate(text, max);
        if s.is_empty() {
            Label("…".to_owned())
        } else {
            Label(s)
        }
    }

    /// This label cut to `max` characters.
    fn narrowed(&self, max: usize) -> Self {
        Self::with_max(&self.0, max)
    }

    /// The label text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn message_text(text: &str) -> String {
    truncate(text, MAX_MESSAGE_TEXT)
}

// ---------------------------------------------------------------------------------------
// Buttons
// ---------------------------------------------------------------------------------------

/// What a card button does.
#[derive(Debug, Clone, PartialEq)]
pub enum ButtonAction {
    /// Opens a URL (`"action":"webLink","webLinkUrl":...`).
    WebLink(String),
    /// Sends text as the user's utterance (`"action":"message","messageText":...`).
    Message(String),
    /// Runs a block (`"action":"block","blockId":...`), showing `message_text` as the user's
    /// bubble when given.
    Block {
        /// The Open Builder block id.
        block_id: String,
        /// Text shown as the user's utterance.
        message_text: Option<String>,
    },
    /// Calls a phone number (`"action":"phone","phoneNumber":...`).
    Phone(String),
    /// Shares the bubble (`"action":"share"`).
    Share,
    /// Hands the conversation to a human agent (`"action":"operator"`).
    Operator,
}

/// A card button.
#[derive(Debug, Clone, PartialEq)]
pub struct Button {
    label: Label,
    action: ButtonAction,
    extra: Option<Extra>,
}

impl Button {
    /// A button; its label is cut to [`MAX_LABEL`] characters.
    pub fn new(label: &str, action: ButtonAction) -> Self {
        let action = match action {
            ButtonAction::Message(t) => ButtonAction::Message(message_text(&t)),
            ButtonAction::Block {
                block_id,
                message_text: t,
            } => ButtonAction::Block {
                block_id,
                message_text: t.map(|t| message_text(&t)),
            },
            other => other,
        };
        Button {
            label: Label::new(label),
            action,
            extra: None,
        }
    }

    /// A `webLink` button.
    pub fn web_link(label: &str, url: &str) -> Self {
        Self::new(label, ButtonAction::WebLink(url.to_owned()))
    }

    /// An `operator` (human agent) button.
    pub fn operator(label: &str) -> Self {
        Self::new(label, ButtonAction::Operator)
    }

    /// The same button carrying `extra`.
    pub fn with_extra(mut self, extra: Extra) -> Self {
        self.extra = Some(extra);
        self
    }

    /// The label.
    pub fn label(&self) -> &Label {
        &self.label
    }

    /// The action.
    pub fn action(&self) -> &ButtonAction {
        &self.action
    }
}

impl Serialize for Button {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("label", &self.label)?;
        match &self.action {
            ButtonAction::WebLink(url) => {
                m.serialize_entry("action", "webLink")?;
                m.serialize_entry("webLinkUrl", url)?;
            }
            ButtonAction::Message(text) => {
                m.serialize_entry("action", "message")?;
                m.serialize_entry("messageText", text)?;
            }
            ButtonAction::Block {
                block_id,
                message_text,
            } => {
                m.serialize_entry("action", "block")?;
                m.serialize_entry("blockId", block_id)?;
                if let Some(t) = message_text {
                    m.serialize_entry("messageText", t)?;
                }
            }
            ButtonAction::Phone(number) => {
                m.serialize_entry("action", "phone")?;
                m.serialize_entry("phoneNumber", number)?;
            }
            ButtonAction::Share => m.serialize_entry("action", "share")?,
            ButtonAction::Operator => m.serialize_entry("action", "operator")?,
        }
        if let Some(extra) = &self.extra {
            m.serialize_entry("extra", extra)?;
        }
        m.end()
    }
}

/// Keeps the first `max` buttons; two buttons sit side by side, so their labels are cut
/// to [`MAX_LABEL_SIDE_BY_SIDE`].
fn bounded_buttons(buttons: impl IntoIterator<Item = Button>, max: usize) -> Vec<Button> {
    let mut v: Vec<Button> = buttons.into_iter().take(max).collect();
    if v.len() == 2 {
        for b in &mut v {
            b.label = b.label.narrowed(MAX_LABEL_SIDE_BY_SIDE);
        }
    }
    v
}

// ---------------------------------------------------------------------------------------
// Outputs
// ---------------------------------------------------------------------------------------

/// A `simpleText` bubble: at most [`MAX_SIMPLE_TEXT`] characters. It cannot carry buttons.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimpleText {
    text: String,
}

impl SimpleText {
    /// `text` cut at a sentence boundary to [`MAX_SIMPLE_TEXT`] characters; empty text
    /// becomes `…`.
    pub fn new(text: &str) -> Self {
        let text = cut_at_sentence(text, MAX_SIMPLE_TEXT);
        SimpleText {
            text: if text.is_empty() {
                "…".to_owned()
            } else {
                text
            },
        }
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// A `textCard` bubble: title ≤ [`MAX_CARD_TITLE`], title + description ≤
/// [`MAX_CARD_TEXT`], up to [`MAX_CARD_BUTTONS`] buttons.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TextCard {
    #[serde(skip_serializing_if = "String::is_empty")]
    title: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    buttons: Vec<Button>,
}

impl TextCard {
    /// A card without buttons. The title is cut to [`MAX_CARD_TITLE`] characters, then the
    /// description is cut at a sentence boundary (ending in `…`) so that title and
    /// description together have at most [`MAX_CARD_TEXT`] characters. A card with neither
    /// gets the description `…`.
    pub fn new(title: &str, description: &str) -> Self {
        let title = truncate(title, MAX_CARD_TITLE);
        let budget = MAX_CARD_TEXT - crate::text::char_len(&title);
        let mut description = cut_at_sentence(description, budget);
        if title.is_empty() && description.is_empty() {
            description = "…".to_owned();
        }
        TextCard {
            title,
            description,
            buttons: Vec::new(),
        }
    }

    /// The card with these buttons (replacing any): the first [`MAX_CARD_BUTTONS`] are
    /// kept; two buttons sit side by side and get labels of at most
    /// [`MAX_LABEL_SIDE_BY_SIDE`] characters.
    pub fn with_buttons(mut self, buttons: impl IntoIterator<Item = Button>) -> Self {
        self.buttons = bounded_buttons(buttons, MAX_CARD_BUTTONS);
        self
    }

    /// The title (possibly empty).
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The description (possibly empty).
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The buttons.
    pub fn buttons(&self) -> &[Button] {
        &self.buttons
    }
}

/// Where tapping a list item goes.
#[derive(Debug, Clone, PartialEq)]
pub enum ListItemTarget {
    /// Opens a web page (`"link":{"web":...}`).
    Link(String),
    /// Sends a message as the user's utterance.
    Message {
        /// The utterance.
        text: String,
        /// Handed back as `clientExtra`.
        extra: Option<Extra>,
    },
    /// Runs a block.
    Block {
        /// The Open Builder block id.
        block_id: String,
        /// Shown as the user's utterance.
        text: String,
        /// Handed back as `clientExtra`.
        extra: Option<Extra>,
    },
}

/// One row of a `listCard`.
#[derive(Debug, Clone, PartialEq)]
pub struct ListItem {
    title: String,
    description: String,
    target: Option<ListItemTarget>,
}

impl ListItem {
    /// An item; the title is cut to [`MAX_LIST_ITEM_TITLE`] and the description to
    /// [`MAX_LIST_ITEM_DESCRIPTION`] characters.
    pub fn new(title: &str, description: &str) -> Self {
        let title = truncate(title, MAX_LIST_ITEM_TITLE);
        ListItem {
            title: if title.is_empty() {
                "…".to_owned()
            } else {
                title
            },
            description: truncate(description, MAX_LIST_ITEM_DESCRIPTION),
            target: None,
        }
    }

    /// The item, tapping which goes to `target`.
    pub fn with_target(mut self, target: ListItemTarget) -> Self {
        self.target = Some(match target {
            ListItemTarget::Message { text, extra } => ListItemTarget::Message {
                text: message_text(&text),
                extra,
            },
            ListItemTarget::Block {
                block_id,
                text,
                extra,
            } => ListItemTarget::Block {
                block_id,
                text: message_text(&text),
                extra,
            },
            link => link,
        });
        self
    }

    /// The title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The description (possibly empty).
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Where tapping goes.
    pub fn target(&self) -> Option<&ListItemTarget> {
        self.target.as_ref()
    }
}

impl Serialize for ListItem {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("title", &self.title)?;
        if !self.description.is_empty() {
            m.serialize_entry("description", &self.description)?;
        }
        match &self.target {
            None => {}
            Some(ListItemTarget::Link(url)) => {
                m.serialize_entry("link", &serde_json::json!({ "web": url }))?;
            }
            Some(ListItemTarget::Message { text, extra }) => {
                m.serialize_entry("action", "message")?;
                m.serialize_entry("messageText", text)?;
                if let Some(e) = extra {
                    m.serialize_entry("extra", e)?;
                }
            }
            Some(ListItemTarget::Block {
                block_id,
                text,
                extra,
            }) => {
                m.serialize_entry("action", "block")?;
                m.serialize_entry("blockId", block_id)?;
                m.serialize_entry("messageText", text)?;
                if let Some(e) = extra {
                    m.serialize_entry("extra", e)?;
                }
            }
        }
        m.end()
    }
}

/// A `listCard` bubble: a header and 1 to [`MAX_LIST_ITEMS`] items, up to
/// [`MAX_LIST_BUTTONS`] buttons.
#[derive(Debug, Clone, PartialEq)]
pub struct ListCard {
    header: String,
    items: Vec<ListItem>,
    buttons: Vec<Button>,
}

impl ListCard {
    /// A list card keeping the first [`MAX_LIST_ITEMS`] items; the header is cut to
    /// [`MAX_LIST_HEADER`] characters. Fails when `items` is empty.
    pub fn new(
        header: &str,
        items: impl IntoIterator<Item = ListItem>,
    ) -> Result<Self, LimitError> {
        let items: Vec<ListItem> = items.into_iter().take(MAX_LIST_ITEMS).collect();
        if items.is_empty() {
            return Err(LimitError::Empty {
                what: "listCard items",
            });
        }
        let header = truncate(header, MAX_LIST_HEADER);
        Ok(ListCard {
            header: if header.is_empty() {
                "…".to_owned()
            } else {
                header
            },
            items,
            buttons: Vec::new(),
        })
    }

    /// The card with these buttons (replacing any): the first [`MAX_LIST_BUTTONS`] are
    /// kept; two sit side by side and get labels of at most [`MAX_LABEL_SIDE_BY_SIDE`].
    pub fn with_buttons(mut self, buttons: impl IntoIterator<Item = Button>) -> Self {
        self.buttons = bounded_buttons(buttons, MAX_LIST_BUTTONS);
        self
    }

    /// The header title.
    pub fn header(&self) -> &str {
        &self.header
    }

    /// The items.
    pub fn items(&self) -> &[ListItem] {
        &self.items
    }

    /// The buttons.
    pub fn buttons(&self) -> &[Button] {
        &self.buttons
    }
}

impl Serialize for ListCard {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("header", &serde_json::json!({ "title": self.header }))?;
        m.serialize_entry("items", &self.items)?;
        if !self.buttons.is_empty() {
            m.serialize_entry("buttons", &self.buttons)?;
        }
        m.end()
    }
}

/// One speech bubble.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Output {
    /// `{"simpleText":{...}}`
    #[serde(rename = "simpleText")]
    SimpleText(SimpleText),
    /// `{"textCard":{...}}`
    #[serde(rename = "textCard")]
    TextCard(TextCard),
    /// `{"listCard":{...}}`
    #[serde(rename = "listCard")]
    ListCard(ListCard),
}

impl From<SimpleText> for Output {
    fn from(v: SimpleText) -> Self {
        Output::SimpleText(v)
    }
}
impl From<TextCard> for Output {
    fn from(v: TextCard) -> Self {
        Output::TextCard(v)
    }
}
impl From<ListCard> for Output {
    fn from(v: ListCard) -> Self {
        Output::ListCard(v)
    }
}

/// 1 to [`MAX_OUTPUTS`] outputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Outputs(Vec<Output>);

impl Outputs {
    /// Exactly one output.
    pub fn one(output: impl Into<Output>) -> Self {
        Outputs(vec![output.into()])
    }

    /// These outputs; fails when there are none or more than [`MAX_OUTPUTS`].
    pub fn new(outputs: impl IntoIterator<Item = Output>) -> Result<Self, LimitError> {
        let v: Vec<Output> = outputs.into_iter().collect();
        if v.is_empty() {
            return Err(LimitError::Empty { what: "outputs" });
        }
        if v.len() > MAX_OUTPUTS {
            return Err(LimitError::TooMany {
                what: "outputs",
                max: MAX_OUTPUTS,
            });
        }
        Ok(Outputs(v))
    }

    /// Appends an output; fails (leaving `self` unchanged) when full.
    pub fn push(&mut self, output: impl Into<Output>) -> Result<(), LimitError> {
        if self.0.len() >= MAX_OUTPUTS {
            return Err(LimitError::TooMany {
                what: "outputs",
                max: MAX_OUTPUTS,
            });
        }
        self.0.push(output.into());
        Ok(())
    }

    /// The outputs (1 to 3).
    pub fn as_slice(&self) -> &[Output] {
        &self.0
    }
}

// ---------------------------------------------------------------------------------------
// Quick replies
// ---------------------------------------------------------------------------------------

/// What a quick reply does. Kakao allows only `message` and `block` here (no links, no
/// operator).
#[derive(Debug, Clone, PartialEq)]
pub enum QuickReplyAction {
    /// Sends `text` as the user's utterance.
    Message(String),
    /// Runs a block, showing `text` as the user's utterance.
    Block {
        /// The Open Builder block id.
        block_id: String,
        /// Shown as the user's utterance.
        text: String,
    },
}

/// A quick-reply chip under the bubbles.
#[derive(Debug, Clone, PartialEq)]
pub struct QuickReply {
    label: Label,
    action: QuickReplyAction,
    extra: Option<Extra>,
}

impl QuickReply {
    /// A quick reply; the label is cut to [`MAX_LABEL`] characters.
    pub fn new(label: &str, action: QuickReplyAction) -> Self {
        let action = match action {
            QuickReplyAction::Message(t) => QuickReplyAction::Message(message_text(&t)),
            QuickReplyAction::Block { block_id, text } => QuickReplyAction::Block {
                block_id,
                text: message_text(&text),
            },
        };
        QuickReply {
            label: Label::new(label),
            action,
            extra: None,
        }
    }

    /// A `message` quick reply sending `text`.
    pub fn message(label: &str, text: &str) -> Self {
        Self::new(label, QuickReplyAction::Message(text.to_owned()))
    }

    /// The same quick reply carrying `extra` (handed back as `clientExtra`).
    pub fn with_extra(mut self, extra: Extra) -> Self {
        self.extra = Some(extra);
        self
    }

    /// The label.
    pub fn label(&self) -> &Label {
        &self.label
    }

    /// The action.
    pub fn action(&self) -> &QuickReplyAction {
        &self.action
    }

    /// The extra data.
    pub fn extra(&self) -> Option<&Extra> {
        self.extra.as_ref()
    }
}

impl Serialize for QuickReply {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("label", &self.label)?;
        match &self.action {
            QuickReplyAction::Message(text) => {
                m.serialize_entry("action", "message")?;
                m.serialize_entry("messageText", text)?;
            }
            QuickReplyAction::Block { block_id, text } => {
                m.serialize_entry("action", "block")?;
                m.serialize_entry("blockId", block_id)?;
                m.serialize_entry("messageText", text)?;
            }
        }
        if let Some(extra) = &self.extra {
            m.serialize_entry("extra", extra)?;
        }
        m.end()
    }
}

/// At most [`MAX_QUICK_REPLIES`] quick replies.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(transparent)]
pub struct QuickReplies(Vec<QuickReply>);

impl QuickReplies {
    /// The first [`MAX_QUICK_REPLIES`] of `replies`.
    pub fn new(replies: impl IntoIterator<Item = QuickReply>) -> Self {
        QuickReplies(replies.into_iter().take(MAX_QUICK_REPLIES).collect())
    }

    /// Appends a quick reply; fails (leaving `self` unchanged) when full.
    pub fn push(&mut self, reply: QuickReply) -> Result<(), LimitError> {
        if self.0.len() >= MAX_QUICK_REPLIES {
            return Err(LimitError::TooMany {
                what: "quickReplies",
                max: MAX_QUICK_REPLIES,
            });
        }
        self.0.push(reply);
        Ok(())
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The quick replies.
    pub fn as_slice(&self) -> &[QuickReply] {
        &self.0
    }
}

// ---------------------------------------------------------------------------------------
// Template, context, response
// ---------------------------------------------------------------------------------------

/// What the user sees: outputs and quick replies.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Template {
    outputs: Outputs,
    #[serde(skip_serializing_if = "QuickReplies::is_empty")]
    quick_replies: QuickReplies,
}

impl Template {
    /// A template with these outputs and no quick replies.
    pub fn new(outputs: Outputs) -> Self {
        Template {
            outputs,
            quick_replies: QuickReplies::default(),
        }
    }

    /// The template with these quick replies (replacing any).
    pub fn with_quick_replies(mut self, quick_replies: QuickReplies) -> Self {
        self.quick_replies = quick_replies;
        self
    }

    /// The outputs.
    pub fn outputs(&self) -> &[Output] {
        self.outputs.as_slice()
    }

    /// The quick replies.
    pub fn quick_replies(&self) -> &[QuickReply] {
        self.quick_replies.as_slice()
    }
}

/// One context value to set: `{"name":..,"lifeSpan":..,"params":{..}}`. A `life_span` of
/// 0 clears the context.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContextValue {
    /// The context name (as declared in Open Builder).
    pub name: String,
    /// For how many turns the context lives.
    pub life_span: u32,
    /// String parameters.
    pub params: BTreeMap<String, String>,
}

impl ContextValue {
    /// A context value.
    pub fn new(
        name: &str,
        life_span: u32,
        params: impl IntoIterator<Item = (String, String)>,
    ) -> Self {
        ContextValue {
            name: name.to_owned(),
            life_span,
            params: params.into_iter().collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
struct ContextControl {
    values: Vec<ContextValue>,
}

#[derive(Debug, Clone, PartialEq)]
enum Body {
    Template {
        template: Template,
        context: Vec<ContextValue>,
        data: Option<Extra>,
    },
    Callback {
        text: String,
    },
}

/// A complete skill response, always `"version":"2.0"`.
#[derive(Debug, Clone, PartialEq)]
pub struct SkillResponse {
    body: Body,
}

/// Label of the human-agent button.
pub const OPERATOR_LABEL: &str = "상담원 연결";

impl SkillResponse {
    /// A response showing `template`.
    pub fn new(template: Template) -> Self {
        SkillResponse {
            body: Body::Template {
                template,
                context: Vec::new(),
                data: None,
            },
        }
    }

    /// A single `simpleText` bubble.
    pub fn simple_text(text: &str) -> Self {
        Self::new(Template::new(Outputs::one(SimpleText::new(text))))
    }

    /// The immediate answer when the final one will be POSTed to the request's
    /// `callbackUrl`: `{"version":"2.0","useCallback":true,"data":{"text":...}}`. The text
    /// is cut to [`MAX_SIMPLE_TEXT`] characters.
    pub fn use_callback(text: &str) -> Self {
        SkillResponse {
            body: Body::Callback {
                text: cut_at_sentence(text, MAX_SIMPLE_TEXT),
            },
        }
    }

    /// The polite answer for any internal failure: a `textCard` with a
    /// [`OPERATOR_LABEL`] button. Use it instead of ever answering Kakao with a 5xx.
    pub fn failure() -> Self {
        let card = TextCard::new(
            "잠시 문제가 생겼어요",
            "죄송해요. 답변을 준비하다가 문제가 생겼어요. 잠시 후 다시 물어봐 주시거나, \
             상담원과 이야기해 주세요.",
        )
        .with_buttons([Button::operator(OPERATOR_LABEL)]);
        Self::new(Template::new(Outputs::one(card)))
    }

    /// The response also setting a context value (ignored for a callback response).
    pub fn with_context(mut self, value: ContextValue) -> Self {
        if let Body::Template { context, .. } = &mut self.body {
            context.push(value);
        }
        self
    }

    /// The response also carrying `data` (ignored for a callback response).
    pub fn with_data(mut self, value: Extra) -> Self {
        if let Body::Template { data, .. } = &mut self.body {
            *data = Some(value);
        }
        self
    }

    /// The template, unless this is a callback response.
    pub fn template(&self) -> Option<&Template> {
        match &self.body {
            Body::Template { template, .. } => Some(template),
            Body::Callback { .. } => None,
        }
    }

    /// The context values set.
    pub fn context(&self) -> &[ContextValue] {
        match &self.body {
            Body::Template { context, .. } => context,
            Body::Callback { .. } => &[],
        }
    }

    /// Whether this is the `useCallback` answer.
    pub fn is_callback(&self) -> bool {
        matches!(self.body, Body::Callback { .. })
    }

    /// The response as a JSON value.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).expect("a SkillResponse always serializes")
    }
}

impl Serialize for SkillResponse {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("version", VERSION)?;
        match &self.body {
            Body::Template {
                template,
                context,
                data,
            } => {
                m.serialize_entry("template", template)?;
                if !context.is_empty() {
                    m.serialize_entry(
                        "context",
                        &ContextControl {
                            values: context.clone(),
                        },
                    )?;
                }
                if let Some(d) = data {
                    m.serialize_entry("data", d)?;
                }
            }
            Body::Callback { text } => {
                m.serialize_entry("useCallback", &true)?;
                m.serialize_entry("data", &serde_json::json!({ "text": text }))?;
            }
        }
        m.end()
    }
}
