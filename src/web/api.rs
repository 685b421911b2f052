//! The JSON API.
//!
//! ## `GET /api/search?q=&category=&sort=&page=&size=`
//!
//! - `q` (required): 1-200 characters, taken as plain text (never query
//!   syntax: `환불 AND (`, `title:x` and `*` are just words).
//! - `category`: path prefix, `결제 관리` or `결제 관리/환불 요청`; a
//!   category the help center does not have is an `invalid_parameter` error
//!   naming `category` and the top-level categories (not an empty page of
//!   results, which would read as "no entry matches").
//! - `sort`: `relevance` (default) or `updated` (newest first).
//! - `page`: 1-based, default 1; past the last page is an error.
//! - `size`: 1-50, default 10.
//!
//! ```json
//! {"query": "환불", "total": 12, "estimated": false, "page": 1, "size": 10,
//!  "categories": [{"path": "결제 관리", "count": 9}, {"path": "결제 관리/환불 요청", "count": 5}],
//!  "hits": [{"id": "refund-request-how", "title": "...", "service": "...",
//!            "category": ["결제 관리", "환불 요청"],
//!            "breadcrumb": "브랜드 이모티콘 관리자센터 > 결제 관리 > 환불 요청",
//!            "snippet": {"text": "…환불 요청은…", "highlights": [[1, 3]]},
//!            "url": "/articles/refund-request-how", "updated": "2026-10-01",
//!            "score": 12.3, "decision": "refund-method"}]}
//! ```
//!
//! `total` counts matches within the category filter; `categories` counts
//! matches per category path (every level) for the query, ignoring the
//! filter, most first. Both are exact unless `estimated` is true: in an
//! index of 5,000+ entries, a query sorted by relevance with more than
//! 1,000 matches ranks only the page it shows and estimates the counts
//! from a sample (two significant digits), as web search engines do. `snippet.highlights` are `[start, end)` ranges in
//! **characters** (Unicode scalar values, not bytes or UTF-16 units) of
//! `snippet.text`. `decision` is null when no rule personalizes the entry.
//!
//! `answer` (`{id, title, url, lead}`) comes first when the search is sure of
//! one entry: the chatbot's one answer and the results page's
//! 가장 알맞은 답변 ([`crate::ask::sure`]); only on the first page
//! of a search by relevance without a category filter, absent otherwise.
//!
//! ## `GET /api/articles/{id}`
//!
//! `{id, title, service, category, breadcrumb, updated, keywords, decision,
//! url, related: [{id, title, url}], body_html, body_text}`; an unknown id is
//! a 404 `not_found` error. `body_html` is safe HTML (raw HTML in the source
//! is escaped).
//!
//! Errors: see [`super::error`].

use axum::Json;
use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use serde::Serialize;

use super::AppState;
use super::error::ApiError;
use super::params::{Params, known_category, search_with_answer};
use crate::ask::sure::Answered;
use crate::content::{Content, Entry, Keywords};
use crate::search::engine::article_path;

/// The API routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/search", get(search))
        .route("/api/articles/{id}", get(article))
}

/// A page of results as JSON; the JSON of a page the engine remembers is
/// written once ([`SearchResults::json`]).
async fn search(
    State(state): State<AppState>,
    Params(params): Params,
) -> Result<Response, ApiError> {
    let req = params.to_request()?;
    let snapshot = state.snapshot();
    known_category(snapshot.engine.content(), &req)?;
    let (results, answer) = search_with_answer(&snapshot, &req).await?;
    super::pages::record_search(
        &state,
        req.category_filter(),
        &results,
        answer.as_deref(),
        "api",
    );
    let failed = |e: serde_json::Error| {
        tracing::error!("writing search results as JSON: {e}");
        ApiError::internal()
    };
    // The page's JSON is kept with it in the results cache; one with a sure
    // answer is written whole.
    let json = match &answer {
        None => results.json().map_err(failed)?,
        Some(answer) => serde_json::to_vec(&Answered {
            answer: Some(&**answer),
            results: &results,
        })
        .map_err(failed)?
        .into(),
    };
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        json,
    )
        .into_response())
}

/// A link to another entry.
#[derive(Debug, Clone, Serialize)]
pub struct RelatedLink {
    /// Entry id.
    pub id: String,
    /// Its question.
    pub title: String,
    /// Its article page path.
    pub url: String,
}

/// One entry as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Article {
    /// Entry id.
    pub id: String,
    /// The question.
    pub title: String,
    /// The service.
    pub service: String,
    /// Category levels.
    pub category: Vec<String>,
    /// "서비스 > 대분류 > 소분류".
    pub breadcrumb: String,
    /// Last update.
    pub updated: NaiveDate,
    /// Extra search terms.
    pub keywords: Keywords,
    /// The rules decision that personalizes this entry, if any.
    pub decision: Option<String>,
    /// Article page path.
    pub url: String,
    /// Related entries, in the author's order.
    pub related: Vec<RelatedLink>,
    /// The answer as safe HTML.
    pub body_html: String,
    /// The answer as plain text.
    pub body_text: String,
}

impl Article {
    /// The article view of `entry`; related ids resolve in `content`.
    pub fn new(entry: &Entry, content: &Content) -> Self {
        Self {
            id: entry.id.to_string(),
            title: entry.title.to_string(),
            service: entry.service.to_string(),
            category: entry.category.levels().to_vec(),
            breadcrumb: entry.category.breadcrumb(&entry.service),
            updated: entry.updated,
            keywords: entry.keywords.clone(),
            decision: entry.decision.as_deref().map(str::to_owned),
            url: article_path(entry.id.as_str()),
            related: entry
                .related
                .iter()
                .filter_map(|id| content.get(id.as_str()))
                .map(|r| RelatedLink {
                    id: r.id.to_string(),
                    title: r.title.to_string(),
                    url: article_path(r.id.as_str()),
                })
                .collect(),
            body_html: entry.body.html().into_owned(),
            body_text: entry.body.text().into_owned(),
        }
    }
}

async fn article(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Article>, ApiError> {
    let Path(id) = id.map_err(|_| ApiError::not_found("no such article"))?;
    let snapshot = state.snapshot();
    let content = snapshot.engine.content();
    let entry = content
        .get(&id)
        .ok_or_else(|| ApiError::not_found(format!("no article with id `{id}`")))?;
    Ok(Json(Article::new(entry, content)))
}
