//! The stylesheet and the autocomplete script (`static/`, compiled in), and the
//! security headers every response carries.
//!
//! | route | what |
//! |---|---|
//! | `GET /static/doum.css?v=…` | the one stylesheet |
//! | `GET /static/suggest.js?v=…` | the search box's autocomplete (the only script) |
//!
//! Pages link them with `?v=` and the first 12 hex digits of the file's SHA-256, so
//! they can be cached for a year (`Cache-Control: public, max-age=31536000,
//! immutable`): a changed file gets a new URL.
//!
//! Every response gets `Content-Security-Policy` (scripts and styles only from this
//! origin, no inline script, no framing), `X-Content-Type-Options: nosniff` and
//! `Referrer-Policy: strict-origin-when-cross-origin`, unless a route set its own.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use super::AppState;

const CSS: &str = include_str!("../../static/doum.css");
const JS: &str = include_str!("../../static/suggest.js");

/// The policy: nothing inline, nothing from elsewhere.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
form-action 'self'; frame-ancestors 'none'";

const CACHE: &str = "public, max-age=31536000, immutable";

fn versioned(path: &str, body: &str) -> String {
    // The first 12 hex digits of the body's SHA-256.
    format!("{path}?v={:.12x}", Sha256::digest(body.as_bytes()))
}

/// The stylesheet's versioned URL.
pub fn css_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| versioned("/static/doum.css", CSS))
}

/// The script's versioned URL.
pub fn js_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| versioned("/static/suggest.js", JS))
}

/// The static routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/static/doum.css", get(css))
        .route("/static/suggest.js", get(js))
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        CSS,
    )
        .into_response()
}

async fn js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        JS,
    )
        .into_response()
}

/// Adds the security headers (see the module docs) to every response.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(CSP));
    h.entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    h.entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("strict-origin-when-cross-origin"));
    res
}
