//! `POST /kakao/skill`: the Kakao i Open Builder skill endpoint, a thin layer over
//! [`crate::chat::skill::handle`].
//!
//! | answer | when |
//! |---|---|
//! | 200 SkillResponse | always once the request is a JSON object, including internal failures and panics ([`SkillResponse::failure`], logged) and answers that took too long (the work is then stopped, so no late callback follows) |
//! | 401 JSON error `unauthorized` | a secret is configured (`DOUM_KAKAO_SECRET`) and the `X-Doum-Skill-Secret` header is missing or wrong |
//! | 413 JSON error `body_too_large` | the body is over 64 KiB |
//! | 400 JSON error `invalid_json` | the body is not a JSON object |
//!
//! Configure the secret in Open Builder as a fixed header of the skill
//! (`X-Doum-Skill-Secret: <secret>`); it is compared in constant time. Without a secret
//! the skill answers, but with general answers only: no account is looked up (see
//! [`super::auth`]). "Today" for personal answers is [`super::WebConfig::clock`].

use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use super::AppState;
use super::error::{ApiError, Code};
use crate::chat::kakao::request::MAX_BODY_BYTES;
use crate::chat::skill::{self, SkillConfig};
use crate::chat::{ChatConfig, SkillRequest, SkillResponse};
use crate::reload::Snapshot;

pub use super::auth::SECRET_HEADER;
/// Past this, the answer is [`SkillResponse::failure`] (Open Builder waits 5 s).
pub const SKILL_DEADLINE: Duration = Duration::from_millis(4500);

/// The skill route.
pub fn router() -> Router<AppState> {
    Router::new().route("/kakao/skill", post(skill_call))
}

fn error(code: Code, message: String) -> Response {
    ApiError::new(code, message).into_response()
}

/// The skill settings for this app, over the request's snapshot.
pub fn skill_config(state: &AppState, snapshot: &Snapshot) -> SkillConfig {
    let content = snapshot.engine.content();
    let mut chat = ChatConfig::new(
        &state.config.public_base_url,
        skill::main_categories(content),
    );
    chat.account_link_url = state.config.kakao_link_url.clone();
    let mut cfg = SkillConfig::new(chat);
    cfg.callback_allow = state.config.callback_allow.clone();
    cfg.personal_answers = state.auth.personal_answers();
    cfg.analytics = state.analytics.enabled().then(|| state.analytics.clone());
    cfg
}

async fn skill_call(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    if !state.auth.skill_call_allowed(&headers) {
        return error(
            Code::Unauthorized,
            format!("missing or wrong {SECRET_HEADER} header"),
        );
    }
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return error(
                Code::BodyTooLarge,
                format!("the request body is over {MAX_BODY_BYTES} bytes"),
            );
        }
    };
    let req = match SkillRequest::from_slice(&bytes) {
        Ok(r) => r,
        Err(e) => return error(Code::InvalidJson, e.to_string()),
    };
    let snapshot = state.snapshot();
    let cfg = skill_config(&state, &snapshot);
    let assistant = snapshot.assistant.clone();
    let today = state.config.clock.today();
    let deadline = state.config.skill_deadline;
    // Its own task, so that a panic becomes a JoinError instead of a dropped connection.
    let mut task = tokio::spawn(async move { skill::handle(&assistant, &cfg, &req, today).await });
    let response = match tokio::time::timeout(deadline, &mut task).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            tracing::error!("kakao skill failed: {e}");
            SkillResponse::failure()
        }
        Err(_) => {
            // Stop the work: it must not answer a second time through a callback.
            task.abort();
            tracing::error!("kakao skill took over {deadline:?}; stopped");
            SkillResponse::failure()
        }
    };
    Json(response.to_json()).into_response()
}
