//! JSON errors of the API.
//!
//! Every error answer has the shape
//! `{"error": {"code": "...", "message": "...", "field": "..."}}` where
//! `field` (the query parameter at fault) is present only for request errors.
//!
//! | code | status | when |
//! |---|---|---|
//! | `invalid_parameter` | 400 | a parameter is missing, malformed or out of its range |
//! | `page_out_of_range` | 400 | the page is past the last page of results |
//! | `not_found` | 404 | unknown article or route |
//! | `method_not_allowed` | 405 | wrong method on a known route |
//! | `internal` | 500 | the index could not be read |

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::search::{RequestError, SearchError};

/// An API error: status, stable code, message for people, and the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable code (see the module docs).
    pub code: &'static str,
    /// What went wrong, for a person.
    pub message: String,
    /// The query parameter at fault, if any.
    pub field: Option<&'static str>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl ApiError {
    /// 404 `not_found`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: message.into(),
            field: None,
        }
    }

    /// 500 `internal`.
    pub fn internal() -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: "the search failed; please try again".into(),
            field: None,
        }
    }

    /// 405 `method_not_allowed`.
    pub fn method_not_allowed() -> Self {
        Self {
            status: StatusCode::METHOD_NOT_ALLOWED,
            code: "method_not_allowed",
            message: "this route does not accept that method".into(),
            field: None,
        }
    }
}

impl From<RequestError> for ApiError {
    fn from(e: RequestError) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_parameter",
            message: e.to_string(),
            field: Some(e.field),
        }
    }
}

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::PageOutOfRange { .. } => Self {
                status: StatusCode::BAD_REQUEST,
                code: "page_out_of_range",
                message: format!("page: {e}"),
                field: Some("page"),
            },
            SearchError::Index(_) => {
                tracing::error!("search failed: {e}");
                Self::internal()
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Body {
            error: Inner {
                code: self.code,
                message: &self.message,
                field: self.field,
            },
        };
        (self.status, Json(body)).into_response()
    }
}
