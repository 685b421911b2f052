//! The SkillPayload Open Builder POSTs to a skill, parsed tolerantly.
//!
//! Every field is optional: missing fields, `null`, and values of an unexpected type all
//! become the default (empty) value instead of failing the parse, and unknown fields are
//! ignored. Only a body that is not a JSON object is rejected (see
//! [`SkillRequest::from_slice`]). Older payloads (`user.type: "accountId"`, `lang: null`,
//! `lang: "kr"`, `plusfriend_user_key`, `clientExtra: "null"`) parse too.

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer};
use serde_json::{Map, Value};

use crate::text::clean_input;

/// The largest request body the web layer should accept (larger: 413).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Utterances are cut to this many characters before anything looks at them.
pub const MAX_UTTERANCE_CHARS: usize = 200;

/// Why a body is not a skill request at all (the web layer answers 400).
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// Not JSON.
    #[error("request body is not JSON: {0}")]
    NotJson(#[from] serde_json::Error),
    /// JSON, but not an object.
    #[error("request body is not a JSON object")]
    NotAnObject,
}

/// Any value, with `null` or a value of the wrong shape read as `T::default()`.
fn lenient<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    let v = Value::deserialize(d)?;
    Ok(serde_json::from_value(v).unwrap_or_default())
}

/// A string; numbers and booleans are written out, anything else is `None`.
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}

/// A boolean; `"true"`/`"false"` strings are accepted, anything else is `None`.
fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => Some(b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}

/// A JSON object; anything else (including `null`) is an empty map.
fn lenient_map<'de, D: Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Object(m) => m,
        _ => Map::new(),
    })
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The whole SkillPayload.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SkillRequest {
    /// The block that matched.
    #[serde(deserialize_with = "lenient")]
    pub intent: Intent,
    /// What the user said and who they are.
    #[serde(deserialize_with = "lenient")]
    pub user_request: UserRequest,
    /// The bot.
    #[serde(deserialize_with = "lenient")]
    pub bot: Bot,
    /// The skill action and its parameters.
    #[serde(deserialize_with = "lenient")]
    pub action: Action,
    /// Active contexts.
    #[serde(deserialize_with = "lenient")]
    pub contexts: Vec<RequestContext>,
}

/// `intent{id, name, extra}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Intent {
    /// Block id.
    #[serde(deserialize_with = "lenient_string")]
    pub id: Option<String>,
    /// Block name (`"지식+"` for knowledge matches).
    #[serde(deserialize_with = "lenient_string")]
    pub name: Option<String>,
    /// Free-form extra (knowledge matches, reason).
    #[serde(deserialize_with = "lenient_map")]
    pub extra: Map<String, Value>,
}

/// `userRequest{timezone, block, utterance, params, lang, user, callbackUrl}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct UserRequest {
    /// e.g. `"Asia/Seoul"`.
    #[serde(deserialize_with = "lenient_string")]
    pub timezone: Option<String>,
    /// The block that ran.
    #[serde(deserialize_with = "lenient")]
    pub block: Block,
    /// The raw utterance; use [`SkillRequest::utterance`] for the cleaned, capped one.
    #[serde(deserialize_with = "lenient_string")]
    pub utterance: Option<String>,
    /// Request parameters.
    #[serde(deserialize_with = "lenient_map")]
    pub params: Map<String, Value>,
    /// `"ko"`, `"kr"` (older), or missing/null.
    #[serde(deserialize_with = "lenient_string")]
    pub lang: Option<String>,
    /// Who is talking.
    #[serde(deserialize_with = "lenient")]
    pub user: User,
    /// One-shot URL for a late answer, valid for a minute (callback-enabled blocks only).
    #[serde(deserialize_with = "lenient_string")]
    pub callback_url: Option<String>,
}

/// `block{id, name}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Block {
    /// Block id.
    #[serde(deserialize_with = "lenient_string")]
    pub id: Option<String>,
    /// Block name.
    #[serde(deserialize_with = "lenient_string")]
    pub name: Option<String>,
}

/// `user{id, type, properties}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct User {
    /// The user id for this bot (`botUserKey`; older payloads: an account id).
    #[serde(deserialize_with = "lenient_string")]
    pub id: Option<String>,
    /// `"botUserKey"`, or older `"accountId"`, `"talk_user_id"`.
    #[serde(rename = "type", deserialize_with = "lenient_string")]
    pub kind: Option<String>,
    /// Further ids.
    #[serde(deserialize_with = "lenient")]
    pub properties: UserProperties,
}

/// `user.properties{plusfriendUserKey, appUserId, isFriend, ...}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct UserProperties {
    /// The KakaoTalk channel user key (older payloads: `plusfriend_user_key`).
    #[serde(alias = "plusfriend_user_key", deserialize_with = "lenient_string")]
    pub plusfriend_user_key: Option<String>,
    /// The app user id (present with Kakao Login / Kakao Sync).
    #[serde(deserialize_with = "lenient_string")]
    pub app_user_id: Option<String>,
    /// Whether the user has added the channel.
    #[serde(deserialize_with = "lenient_bool")]
    pub is_friend: Option<bool>,
    /// The bot user key, when also sent here.
    #[serde(deserialize_with = "lenient_string")]
    pub bot_user_key: Option<String>,
}

/// `bot{id, name}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Bot {
    /// Bot id.
    #[serde(deserialize_with = "lenient_string")]
    pub id: Option<String>,
    /// Bot name.
    #[serde(deserialize_with = "lenient_string")]
    pub name: Option<String>,
}

/// `action{id, name, params, detailParams, clientExtra}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Action {
    /// Skill id.
    #[serde(deserialize_with = "lenient_string")]
    pub id: Option<String>,
    /// Skill name.
    #[serde(deserialize_with = "lenient_string")]
    pub name: Option<String>,
    /// Action parameters (values are usually strings).
    #[serde(deserialize_with = "lenient_map")]
    pub params: Map<String, Value>,
    /// Resolved parameters (`{origin, value, groupName}` per name).
    #[serde(deserialize_with = "lenient_map")]
    pub detail_params: Map<String, Value>,
    /// The `extra` of the button or quick reply the user tapped, as sent (an object, or in
    /// old payloads sometimes a string). Read it with [`SkillRequest::client_extra`].
    pub client_extra: Value,
}

/// One active context: `{name, lifeSpan, params}`; params are usually
/// `{"key": {"value": .., "resolvedValue": ..}}`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct RequestContext {
    /// Context name.
    #[serde(deserialize_with = "lenient_string")]
    pub name: Option<String>,
    /// Remaining turns.
    #[serde(deserialize_with = "lenient")]
    pub life_span: Option<i64>,
    /// Parameters.
    #[serde(deserialize_with = "lenient_map")]
    pub params: Map<String, Value>,
}

impl RequestContext {
    /// A parameter's value: `params[key].value` (or `resolvedValue`), or `params[key]` when
    /// it is a plain string or number.
    pub fn param(&self, key: &str) -> Option<String> {
        let v = self.params.get(key)?;
        let scalar = |v: &Value| match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        match v {
            Value::Object(o) => o
                .get("value")
                .and_then(scalar)
                .or_else(|| o.get("resolvedValue").and_then(scalar)),
            other => scalar(other),
        }
    }
}

/// The ids a Kakao user can be recognised by, most stable first. Use them to find the ad
/// account the user linked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserKeys {
    /// `properties.plusfriendUserKey`: stable per channel.
    pub plusfriend_user_key: Option<String>,
    /// `properties.appUserId`: stable per Kakao app (Kakao Login).
    pub app_user_id: Option<String>,
    /// `user.id` (the bot user key).
    pub user_id: Option<String>,
    /// `user.type`.
    pub user_type: Option<String>,
}

impl UserKeys {
    /// Whether no id at all is known.
    pub fn is_empty(&self) -> bool {
        self.plusfriend_user_key.is_none() && self.app_user_id.is_none() && self.user_id.is_none()
    }
}

impl SkillRequest {
    /// Parses a request body. Fails only when the body is not a JSON object; every field
    /// inside is optional and tolerant.
    pub fn from_slice(body: &[u8]) -> Result<Self, RequestError> {
        let v: Value = serde_json::from_slice(body)?;
        Self::from_value(v)
    }

    /// Parses an already decoded JSON value (see [`SkillRequest::from_slice`]).
    pub fn from_value(v: Value) -> Result<Self, RequestError> {
        if !v.is_object() {
            return Err(RequestError::NotAnObject);
        }
        Ok(serde_json::from_value(v).unwrap_or_default())
    }

    /// The utterance: control characters removed, whitespace collapsed, trimmed, and cut to
    /// [`MAX_UTTERANCE_CHARS`]. It is plain text, never query syntax.
    pub fn utterance(&self) -> String {
        clean_input(
            self.user_request.utterance.as_deref().unwrap_or(""),
            MAX_UTTERANCE_CHARS,
        )
    }

    /// The user's ids (empty strings count as missing).
    pub fn user_keys(&self) -> UserKeys {
        let user = &self.user_request.user;
        let own = |s: &Option<String>| non_empty(s).map(str::to_owned);
        UserKeys {
            plusfriend_user_key: own(&user.properties.plusfriend_user_key),
            app_user_id: own(&user.properties.app_user_id),
            user_id: own(&user.id).or_else(|| own(&user.properties.bot_user_key)),
            user_type: own(&user.kind),
        }
    }

    /// `action.clientExtra` as an object. A JSON string holding an object (some older
    /// payloads) is decoded; anything else is `None`.
    pub fn client_extra(&self) -> Option<Map<String, Value>> {
        match &self.action.client_extra {
            Value::Object(m) if !m.is_empty() => Some(m.clone()),
            Value::String(s) => match serde_json::from_str::<Value>(s) {
                Ok(Value::Object(m)) if !m.is_empty() => Some(m),
                _ => None,
            },
            _ => None,
        }
    }

    /// The callback URL, when the block has callbacks on and it is an `https` URL. The web
    /// layer should still check its host before POSTing to it.
    pub fn callback_url(&self) -> Option<&str> {
        non_empty(&self.user_request.callback_url).filter(|u| {
            u.len() > "https://".len()
                && u.get(.."https://".len())
                    .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
                && !u.chars().any(char::is_whitespace)
        })
    }

    /// The language, normalised: `"kr"` (older payloads) becomes `"ko"`; missing or null is
    /// `None`.
    pub fn lang(&self) -> Option<String> {
        let l = non_empty(&self.user_request.lang)?.to_ascii_lowercase();
        Some(if l == "kr" { "ko".to_owned() } else { l })
    }

    /// The id of the block that called the skill (`userRequest.block.id`, else
    /// `intent.id`): replies routed to it come back to this skill with their `extra`.
    pub fn block_id(&self) -> Option<&str> {
        non_empty(&self.user_request.block.id).or_else(|| non_empty(&self.intent.id))
    }

    /// The active context named `name`.
    pub fn context(&self, name: &str) -> Option<&RequestContext> {
        self.contexts
            .iter()
            .find(|c| c.name.as_deref() == Some(name))
    }
}
