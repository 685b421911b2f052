//! Search parameters as they arrive in a query string, shared by the API and
//! the pages.
//!
//! Every parameter is taken as text and converted here, so that a bad value
//! (`page=abc`) is reported as an error naming the field instead of axum's
//! plain-text rejection.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use serde::Deserialize;

use super::error::{ApiError, Code};
use crate::ask::sure::SureAnswer;
use crate::content::Content;
use crate::reload::Snapshot;
use crate::search::{RequestError, SearchRequest, SearchResults, Sort};

/// The raw search parameters: `q`, `category`, `sort`, `page`, `size`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SearchParams {
    /// The query.
    pub q: Option<String>,
    /// Category path prefix (`결제 관리` or `결제 관리/환불 요청`; see [`category_path`]).
    pub category: Option<String>,
    /// `relevance` (default) or `updated`, any letter case.
    pub sort: Option<String>,
    /// 1-based page.
    pub page: Option<String>,
    /// Page size, 1..=50.
    pub size: Option<String>,
}

impl SearchParams {
    /// Validates the parameters into a request.
    pub fn to_request(&self) -> Result<SearchRequest, RequestError> {
        let category = self.category.as_deref().map(category_path);
        let mut req =
            SearchRequest::new(self.q.as_deref().unwrap_or(""))?.category(category.as_deref())?;
        if let Some(sort) = present(&self.sort) {
            req = req.sort(sort_order(sort)?);
        }
        if let Some(page) = present(&self.page) {
            req = req.page(number("page", page)?)?;
        }
        if let Some(size) = present(&self.size) {
            req = req.size(number("size", size)?)?;
        }
        Ok(req)
    }
}

/// The API's check of `req`'s category filter: none, or one the catalog
/// has. An unknown one is a 400 naming `category` and the top-level
/// categories to choose from (the page says so in its notice instead).
pub fn known_category(content: &Content, req: &SearchRequest) -> Result<(), ApiError> {
    let catalog = content.catalog();
    match req.category_filter() {
        Some(f) if catalog.get(f).is_none() => {
            let tops: Vec<&str> = catalog.tops().map(|c| c.path.as_str()).collect();
            Err(ApiError::new(
                Code::InvalidParameter,
                format!(
                    "category: no category `{f}` in this help center; top-level categories: {} (a subcategory is written `top/sub`)",
                    tops.join(", ")
                ),
            )
            .with_field("category"))
        }
        _ => Ok(()),
    }
}

/// A category filter as the catalog names it: levels joined by `/` (typed
/// with `/` or ` > `), each trimmed, empty ones dropped, so that
/// `결제 관리/` and ` 결제 관리 > 환불 요청 ` filter as `/categories/…` does
/// (the content's own `content::entry::canonical_path`).
pub fn category_path(typed: &str) -> String {
    crate::content::entry::canonical_path(typed)
}

/// `relevance` or `updated`, in any letter case.
fn sort_order(typed: &str) -> Result<Sort, RequestError> {
    typed
        .to_ascii_lowercase()
        .parse::<Sort>()
        .map_err(|_| RequestError {
            field: "sort",
            message: format!("unknown sort `{typed}`: use `relevance` or `updated`"),
        })
}

/// A parameter given with a non-blank value (`page=` counts as absent).
fn present(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn number(field: &'static str, text: &str) -> Result<usize, RequestError> {
    text.parse::<usize>().map_err(|_| RequestError {
        field,
        message: format!("`{text}` is not a valid {field} number: use a whole number from 1"),
    })
}

/// Extracts [`SearchParams`]; a malformed query string (a repeated
/// parameter, for instance) is an [`ApiError`], not plain text.
pub struct Params(pub SearchParams);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        match Query::<SearchParams>::try_from_uri(&parts.uri) {
            Ok(Query(p)) => Ok(Params(p)),
            Err(e) => Err(ApiError::new(
                Code::InvalidParameter,
                format!("the query string could not be read: {}", e.body_text()),
            )),
        }
    }
}

/// Runs a search: answered at once when the engine remembers the request,
/// otherwise on the blocking pool (analysis and scoring are CPU work).
/// Counts searches that found nothing (`/metrics`).
pub async fn run_search(
    snapshot: &Snapshot,
    req: SearchRequest,
) -> Result<Arc<SearchResults>, ApiError> {
    let engine = snapshot.engine.clone();
    let results = match engine.cached(&req) {
        Some(results) => results,
        None => match super::cpu_work(move || engine.search(&req)).await {
            Ok(results) => results?,
            Err(e) => {
                tracing::error!("search task failed: {e}");
                return Err(ApiError::internal());
            }
        },
    };
    if results.total == 0 {
        crate::metrics::global().zero_result_search();
    }
    Ok(results)
}

/// [`run_search`], then the entry that answers the search on its own if the
/// search is sure of one ([`crate::ask::Assistant::sure_answer`]): at once
/// when remembered, else on the blocking pool. `None` when nothing was found,
/// or when working it out failed (logged).
///
/// One after the other, not side by side: the choice reuses the query
/// vector the search just made, where running both at once made the model
/// embed the question twice (semantics on, the 320 dev queries unseen:
/// 6.8 s against 5.8-6.1 s).
pub async fn search_with_answer(
    snapshot: &Snapshot,
    req: &SearchRequest,
) -> Result<(Arc<SearchResults>, Option<Arc<SureAnswer>>), ApiError> {
    let results = run_search(snapshot, req.clone()).await?;
    if results.total == 0 {
        return Ok((results, None));
    }
    if let Some(known) = snapshot.assistant.remembered_sure_answer(req) {
        return Ok((results, known));
    }
    let (assistant, req) = (snapshot.assistant.clone(), req.clone());
    let answer = match super::cpu_work(move || assistant.sure_answer(&req)).await {
        Ok(answer) => answer,
        Err(e) => {
            tracing::error!("sure answer: {e}");
            None
        }
    };
    Ok((results, answer))
}
