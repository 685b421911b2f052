//! `GET /api/suggest?q=`: autocomplete for the search box.
//!
//! ```json
//! {"query": "환부", "suggestions": [{"id": "refund-account-register",
//!   "title": "환불계좌는 어떻게 등록하나요?", "url": "/articles/refund-account-register"}]}
//! ```
//!
//! Up to 8 titles ([`crate::search::suggest`] explains the matching). An empty or
//! missing `q` gives an empty list (the box was cleared); more than 50 characters is a
//! 400 `invalid_parameter` naming `q`. Answers may be cached for a minute.

use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::error::{ApiError, Code};
use crate::search::Suggestion;
use crate::search::suggest::{MAX_SUGGEST_CHARS, MAX_SUGGESTIONS};

/// The suggest route.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/suggest", get(suggest))
}

#[derive(Debug, Default, Deserialize)]
struct SuggestParams {
    q: Option<String>,
}

/// The answer.
#[derive(Debug, Serialize)]
pub struct Suggestions {
    /// The query as received (trimmed).
    pub query: String,
    /// Best first.
    pub suggestions: Vec<Suggestion>,
}

async fn suggest(
    State(state): State<AppState>,
    params: Result<Query<SuggestParams>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(params) = params.map_err(|e| {
        ApiError::new(
            Code::InvalidParameter,
            format!("the query string could not be read: {}", e.body_text()),
        )
    })?;
    let q = params.q.as_deref().unwrap_or("").trim().to_string();
    if q.chars().count() > MAX_SUGGEST_CHARS {
        return Err(ApiError::new(
            Code::InvalidParameter,
            format!("`q` is over {MAX_SUGGEST_CHARS} characters"),
        )
        .with_field("q"));
    }
    let suggestions = state
        .snapshot()
        .engine
        .suggester()
        .suggest(&q, MAX_SUGGESTIONS);
    let mut res = Json(Suggestions {
        query: q,
        suggestions,
    })
    .into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    Ok(res)
}
