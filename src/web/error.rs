//! JSON errors of the API.
//!
//! Every error answer has the shape
//! `{"error": {"code": "...", "message": "...", "field": "..."}}` where
//! `field` (the query parameter at fault) is present only for request errors.
//! Each [`Code`] has one HTTP status and a stable name; clients and pages
//! match on the code (and the field), never on the message, which is for
//! people and may change.
//!
//! | code | status | when |
//! |---|---|---|
//! | `invalid_parameter` | 400 | a parameter is missing, malformed or out of its range |
//! | `page_out_of_range` | 400 | the page is past the last page of results |
//! | `invalid_json` | 400 | a skill request that is not the JSON Open Builder sends |
//! | `unauthorized` | 401 | no or a wrong agent token or skill secret |
//! | `not_found` | 404 | unknown article or route |
//! | `account_not_found` | 404 | the account API does not know the account |
//! | `decision_not_found` | 404 | no rules decision has that id |
//! | `method_not_allowed` | 405 | wrong method on a known route |
//! | `request_timeout` | 408 | the request body did not arrive in time |
//! | `not_reloadable` | 409 | a reload was asked of a server that cannot reload |
//! | `body_too_large` | 413 | the request body is over the limit |
//! | `invalid_content` | 422 | a reload found the content invalid (the old one stays) |
//! | `too_many_attempts` | 429 | too many failed sign-ins from this address |
//! | `internal` | 500 | the index could not be read |
//! | `reload_failed` | 500 | a reload could not build the new index (the old one stays) |
//! | `account_unavailable` | 503 | the account API did not answer |
//! | `analytics_unavailable` | 503 | the analytics store did not answer |
//! | `timeout` | 503 | no answer within the request time limit |

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::search::{RequestError, SearchError};

/// What went wrong, as clients match on it: one HTTP status and one stable
/// name each (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    InvalidParameter,
    PageOutOfRange,
    InvalidJson,
    Unauthorized,
    NotFound,
    AccountNotFound,
    DecisionNotFound,
    MethodNotAllowed,
    RequestTimeout,
    NotReloadable,
    BodyTooLarge,
    InvalidContent,
    TooManyAttempts,
    Internal,
    ReloadFailed,
    AccountUnavailable,
    AnalyticsUnavailable,
    Timeout,
}

impl Code {
    /// Every code, in the order of the module docs' table.
    pub const ALL: [Code; 18] = [
        Code::InvalidParameter,
        Code::PageOutOfRange,
        Code::InvalidJson,
        Code::Unauthorized,
        Code::NotFound,
        Code::AccountNotFound,
        Code::DecisionNotFound,
        Code::MethodNotAllowed,
        Code::RequestTimeout,
        Code::NotReloadable,
        Code::BodyTooLarge,
        Code::InvalidContent,
        Code::TooManyAttempts,
        Code::Internal,
        Code::ReloadFailed,
        Code::AccountUnavailable,
        Code::AnalyticsUnavailable,
        Code::Timeout,
    ];

    /// The HTTP status this code is answered with.
    pub fn status(self) -> StatusCode {
        match self {
            Code::InvalidParameter | Code::PageOutOfRange | Code::InvalidJson => {
                StatusCode::BAD_REQUEST
            }
            Code::Unauthorized => StatusCode::UNAUTHORIZED,
            Code::NotFound | Code::AccountNotFound | Code::DecisionNotFound => {
                StatusCode::NOT_FOUND
            }
            Code::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Code::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Code::NotReloadable => StatusCode::CONFLICT,
            Code::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Code::InvalidContent => StatusCode::UNPROCESSABLE_ENTITY,
            Code::TooManyAttempts => StatusCode::TOO_MANY_REQUESTS,
            Code::Internal | Code::ReloadFailed => StatusCode::INTERNAL_SERVER_ERROR,
            Code::AccountUnavailable | Code::AnalyticsUnavailable | Code::Timeout => {
                StatusCode::SERVICE_UNAVAILABLE
            }
        }
    }

    /// The stable name clients see in `error.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidParameter => "invalid_parameter",
            Code::PageOutOfRange => "page_out_of_range",
            Code::InvalidJson => "invalid_json",
            Code::Unauthorized => "unauthorized",
            Code::NotFound => "not_found",
            Code::AccountNotFound => "account_not_found",
            Code::DecisionNotFound => "decision_not_found",
            Code::MethodNotAllowed => "method_not_allowed",
            Code::RequestTimeout => "request_timeout",
            Code::NotReloadable => "not_reloadable",
            Code::BodyTooLarge => "body_too_large",
            Code::InvalidContent => "invalid_content",
            Code::TooManyAttempts => "too_many_attempts",
            Code::Internal => "internal",
            Code::ReloadFailed => "reload_failed",
            Code::AccountUnavailable => "account_unavailable",
            Code::AnalyticsUnavailable => "analytics_unavailable",
            Code::Timeout => "timeout",
        }
    }
}

/// An API error: its code, a message for people, and the field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// What went wrong (its status and stable name).
    pub code: Code,
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
    /// An error of `code` explained by `message`.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// The same error, naming the query parameter at fault.
    pub fn with_field(mut self, field: &'static str) -> Self {
        self.field = Some(field);
        self
    }

    /// The HTTP status of the error's code.
    pub fn status(&self) -> StatusCode {
        self.code.status()
    }

    /// `not_found`.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Code::NotFound, message)
    }

    /// `internal`.
    pub fn internal() -> Self {
        Self::new(Code::Internal, "the search failed; please try again")
    }

    /// `method_not_allowed`.
    pub fn method_not_allowed() -> Self {
        Self::new(
            Code::MethodNotAllowed,
            "this route does not accept that method",
        )
    }
}

impl From<RequestError> for ApiError {
    fn from(e: RequestError) -> Self {
        Self::new(Code::InvalidParameter, e.to_string()).with_field(e.field)
    }
}

impl From<SearchError> for ApiError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::PageOutOfRange { .. } => {
                Self::new(Code::PageOutOfRange, format!("page: {e}")).with_field("page")
            }
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
                code: self.code.as_str(),
                message: &self.message,
                field: self.field,
            },
        };
        (self.status(), Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_one_name_and_the_documented_status() {
        let docs: Vec<&str> = include_str!("error.rs")
            .lines()
            .filter_map(|l| l.strip_prefix("//! | `"))
            .collect();
        assert_eq!(docs.len(), Code::ALL.len(), "one table row per code");
        for (code, row) in Code::ALL.iter().zip(&docs) {
            let (name, rest) = row.split_once('`').unwrap();
            assert_eq!(code.as_str(), name, "{code:?}: the table's order and names");
            let status: u16 = rest
                .trim_start_matches(" | ")
                .split(' ')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            assert_eq!(code.status().as_u16(), status, "{name}");
        }
    }

    #[test]
    fn search_errors_map_to_their_codes() {
        let e = ApiError::from(SearchError::PageOutOfRange {
            page: 9,
            pages: 2,
            total: 15,
        });
        assert_eq!(
            (e.code, e.field, e.status()),
            (Code::PageOutOfRange, Some("page"), StatusCode::BAD_REQUEST)
        );
        let res = ApiError::new(Code::Timeout, "slow").into_response();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
}
