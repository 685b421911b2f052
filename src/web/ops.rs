//! What an operator needs: readiness, metrics, reloading in place.
//!
//! | route | answer |
//! |---|---|
//! | `GET /readyz` | 200 `ok` and one line per component; 503 and the reason when something is missing. The last failed reload's errors (the previous content keeps serving) are listed in the body |
//! | `GET /metrics` | Prometheus text format ([`crate::metrics`]) |
//! | `POST /api/agent/reload` | agent auth ([`super::auth::Agent`]); 200 `{"status":"reloaded","generation","entries","decisions","rebuilt"}`, 422 `invalid_content` with every `file:line` problem (the old content keeps serving), 409 `not_reloadable` |

use std::fmt::Write as _;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use super::AppState;
use super::auth::Agent;
use super::error::{ApiError, Code};
use crate::reload::ReloadError;

/// The operator routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/api/agent/reload", post(reload))
}

/// Whether the service can answer as configured: an index with entries, the
/// Korean dictionary loaded (the analyzer inside the engine) and, when semantic
/// re-ranking is on, the model with the index's entry vectors. One line per check.
async fn readyz(State(state): State<AppState>) -> Response {
    let snapshot = state.snapshot();
    let mut body = String::new();
    let mut ready = true;
    let entries = snapshot.entries();
    if entries == 0 {
        ready = false;
        body.push_str("index: no entries\n");
    } else {
        let _ = writeln!(
            body,
            "index: ok ({entries} entries, generation {})",
            snapshot.generation
        );
    }
    // The engine is only made with its analyzer, so the dictionary is loaded.
    body.push_str("dictionary: ok (loaded)\n");
    if snapshot.engine.is_semantic() {
        body.push_str("model: ok (semantic re-ranking on)\n");
    } else if state.live.semantic_wanted() {
        ready = false;
        body.push_str(
            "model: not loaded (semantic re-ranking is on but the model or the index's \
             entry vectors are missing; searching lexically, see the log)\n",
        );
    } else {
        body.push_str("model: off (lexical search; --semantic off)\n");
    }
    let _ = writeln!(
        body,
        "rules: ok ({} decisions)",
        snapshot.assistant.rules.decisions().len()
    );
    if let Some(note) = state.live.freshness_note() {
        let _ = writeln!(body, "{note}");
    }
    let status = state.live.status();
    if let Some(errors) = &status.last_error {
        let _ = writeln!(
            body,
            "last reload: failed; still serving the previous content\n{errors}"
        );
    }
    let code = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let head = if ready { "ok\n" } else { "not ready\n" };
    (code, format!("{head}{body}")).into_response()
}

async fn metrics(State(state): State<AppState>) -> Response {
    let mut res = crate::metrics::global().render(&state.live).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    res
}

async fn reload(_: Agent, State(state): State<AppState>) -> Response {
    let live = Arc::clone(&state.live);
    let result = match tokio::task::spawn_blocking(move || live.reload()).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("reload task failed: {e}");
            return ApiError::internal().into_response();
        }
    };
    let mut res = match result {
        Ok(done) => Json(json!({
            "status": "reloaded",
            "generation": done.generation,
            "entries": done.entries,
            "decisions": done.decisions,
            "rebuilt": done.rebuilt,
        }))
        .into_response(),
        Err(ReloadError::NotReloadable) => {
            ApiError::new(Code::NotReloadable, ReloadError::NotReloadable.to_string())
                .into_response()
        }
        Err(e @ ReloadError::Invalid(_)) => ApiError::new(
            Code::InvalidContent,
            format!("{e}\nstill serving the previous content"),
        )
        .into_response(),
        Err(e) => {
            tracing::error!("reload failed: {e}");
            ApiError::new(
                Code::ReloadFailed,
                format!("{e}\nstill serving the previous content"),
            )
            .into_response()
        }
    };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}
