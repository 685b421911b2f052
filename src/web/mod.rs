//! The HTTP layer: a thin axum app over the library core.
//!
//! Handlers only translate HTTP to core calls and back; every search goes
//! through [`SearchEngine::search`], like the CLI and the chatbot.
//!
//! # Routes
//!
//! | route | what |
//! |---|---|
//! | `GET /api/search?q=&category=&sort=&page=&size=` | search, JSON (see [`api`]) |
//! | `GET /api/articles/{id}` | one entry, JSON |
//! | `GET /healthz` | `ok` |
//! | `POST /kakao/skill` | the KakaoTalk skill (see [`kakao`]) |
//! | `GET /` | the customer center's search page (HTML, see [`pages`]) |
//! | `GET /search?q=&category=&sort=&page=` | results page |
//! | `GET /articles/{id}` | article page (`POST /articles/{id}/feedback`: 예/아니요) |
//! | `GET /categories/{path}` | a category's entries |
//! | `GET /api/suggest?q=` | autocomplete (see [`suggest`]) |
//! | `GET /static/…` | stylesheet and script (see [`assets`]) |
//!
//! Every response carries the security headers of [`assets::security_headers`].
//!
//! Unknown routes answer 404: JSON under `/api/`, an HTML page elsewhere.
//! API errors are always `{"error": {"code", "message", "field"?}}` (see
//! [`error::ApiError`]).
//!
//! # Adding an area
//!
//! Each area has its own `router() -> Router<AppState>`; [`app`] merges them
//! and adds what every route shares (fallback, request log). A new area (the
//! agent API, the Kakao skill) adds its router to the list in [`app`].

pub mod agent;
pub mod agent_page;
pub mod api;
pub mod assets;
pub mod error;
pub mod kakao;
pub mod pages;
pub mod params;
pub mod suggest;
pub mod views;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use axum::Router;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::analytics::Recorder;
use crate::ask::Assistant;
use crate::search::SearchEngine;

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Where customers reach this service, without a trailing `/`
    /// (e.g. `https://help.example.com`); used to build absolute links
    /// (canonical links, chatbot buttons).
    pub public_base_url: String,
    /// Bearer token for the agent API and pages (`DOUM_AGENT_TOKEN`); with
    /// none set, the agent area answers 404 (it is off).
    pub agent_token: Option<String>,
    /// Secret Kakao i Open Builder sends in a header with every skill call
    /// (`DOUM_KAKAO_SECRET`); with none set, skill calls are not authenticated.
    pub kakao_secret: Option<String>,
    /// Where the skill may POST late answers (see [`crate::chat::skill::callback_target`]):
    /// host suffixes, default Kakao's; tests add `http://127.0.0.1:PORT`.
    pub callback_allow: Vec<String>,
    /// Page where an advertiser links KakaoTalk to an ad account
    /// (`DOUM_KAKAO_LINK_URL`); the chatbot's "how to link" card gets a
    /// button to it.
    pub kakao_link_url: Option<String>,
}

impl WebConfig {
    /// A config for a service reachable at `public_base_url`, no secrets set.
    pub fn new(public_base_url: impl Into<String>) -> Self {
        let url: String = public_base_url.into();
        Self {
            public_base_url: url.trim_end_matches('/').to_string(),
            agent_token: None,
            kakao_secret: None,
            callback_allow: crate::chat::skill::default_callback_allow(),
            kakao_link_url: None,
        }
    }

    /// Sets the agent token (empty means none).
    pub fn with_agent_token(mut self, token: Option<String>) -> Self {
        self.agent_token = token.filter(|t| !t.is_empty());
        self
    }

    /// Sets the Kakao skill secret (empty means none).
    pub fn with_kakao_secret(mut self, secret: Option<String>) -> Self {
        self.kakao_secret = secret.filter(|t| !t.is_empty());
        self
    }

    /// Sets the account-linking page for the chatbot (empty means none).
    pub fn with_kakao_link_url(mut self, url: Option<String>) -> Self {
        self.kakao_link_url = url.map(|u| u.trim().to_string()).filter(|u| !u.is_empty());
        self
    }

    /// Sets where skill callbacks may go (comma-separated host suffixes or origins;
    /// empty or none keeps Kakao's hosts).
    pub fn with_callback_allow(mut self, allow: Option<String>) -> Self {
        let list: Vec<String> = allow
            .iter()
            .flat_map(|a| a.split(','))
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect();
        if !list.is_empty() {
            self.callback_allow = list;
        }
        self
    }

    /// The absolute URL of a site path such as `/articles/x`.
    pub fn absolute_url(&self, path: &str) -> String {
        format!("{}{}", self.public_base_url, path)
    }
}

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The search engine (and through it the content).
    pub engine: Arc<SearchEngine>,
    /// Search + rules + account facts (the same engine inside).
    pub assistant: Arc<Assistant>,
    /// Web settings.
    pub config: Arc<WebConfig>,
    /// Search analytics and feedback (disabled unless set with [`AppState::with_analytics`]).
    pub analytics: Arc<Recorder>,
}

impl AppState {
    /// State over an assistant and a config.
    pub fn new(assistant: Arc<Assistant>, config: WebConfig) -> Self {
        Self {
            engine: Arc::clone(&assistant.engine),
            assistant,
            config: Arc::new(config),
            analytics: Arc::new(Recorder::disabled()),
        }
    }

    /// The same state recording analytics with `recorder`.
    pub fn with_analytics(mut self, recorder: Arc<Recorder>) -> Self {
        self.analytics = recorder;
        self
    }
}

/// The whole application: every area's routes, the 404 fallback and the
/// request log.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .merge(api::router())
        .merge(pages::router())
        .merge(agent::router())
        .merge(kakao::router())
        .merge(suggest::router())
        .merge(assets::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(assets::security_headers))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok"
}

/// 404 for any unknown route: JSON under `/api/`, the HTML page elsewhere.
async fn not_found(req: Request) -> Response {
    let path = req.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        error::ApiError::not_found(format!("no such API route: {path}")).into_response()
    } else {
        pages::not_found_page().into_response()
    }
}

/// 405: JSON under `/api/`, plain text elsewhere.
async fn method_not_allowed(req: Request) -> Response {
    let path = req.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        error::ApiError::method_not_allowed().into_response()
    } else {
        (
            StatusCode::METHOD_NOT_ALLOWED,
            "허용되지 않는 요청 방식이에요.",
        )
            .into_response()
    }
}

/// Logs each request at info: method, path, status, latency. The query
/// string is left out (it holds what customers typed).
async fn log_request(req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let start = Instant::now();
    let response = next.run(req).await;
    let status = response.status();
    let ms = format!("{:.1}", start.elapsed().as_secs_f64() * 1000.0);
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::warn!(%method, %path, status = status.as_u16(), latency_ms = %ms, "request");
    } else {
        tracing::info!(%method, %path, status = status.as_u16(), latency_ms = %ms, "request");
    }
    response
}

/// Serves `app` on `addr` until Ctrl-C (or SIGTERM), then finishes the
/// requests in flight.
pub async fn serve(addr: &str, state: AppState) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    let local: SocketAddr = listener.local_addr()?;
    tracing::info!(
        "serving on http://{local} (public URL {})",
        state.config.public_base_url
    );
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serving HTTP")?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
