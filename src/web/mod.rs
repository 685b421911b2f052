//! The HTTP layer: a thin axum app over the library core.
//!
//! Handlers only translate HTTP to core calls and back; every search goes
//! through [`crate::search::SearchEngine::search`], like the CLI and the chatbot.
//!
//! # Routes
//!
//! | route | what |
//! |---|---|
//! | `GET /api/search?q=&category=&sort=&page=&size=` | search, JSON (see [`api`]) |
//! | `GET /api/articles/{id}` | one entry, JSON |
//! | `GET /healthz` | `ok` (the process answers) |
//! | `GET /readyz` | `ok` and what is loaded, or 503 and why not (see [`ops`]) |
//! | `GET /metrics` | Prometheus text format (see [`crate::metrics`]) |
//! | `POST /api/agent/reload` | reload the content in place (agent auth, see [`ops`]) |
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
//! Errors are JSON under `/api/` and `/kakao/` ([`wants_json`]): always
//! `{"error": {"code", "message", "field"?}}` (see [`error::ApiError`]).
//! Elsewhere (the customer pages) they are Korean HTML pages: unknown routes
//! (404), wrong methods (405), bodies too large (413) or too slow (408), and
//! answers too slow (503).
//!
//! # Adding an area
//!
//! Each area has its own `router() -> Router<AppState>`; [`app`] merges them
//! and adds what every route shares (fallback, request id + log + metrics,
//! body size and read-time limits). A new area (the agent API, the Kakao
//! skill) adds its router to the list in [`app`].
//!
//! Handlers load the live state once per request ([`AppState::snapshot`])
//! and use only that: a reload swaps it between requests, never within one.

pub mod agent;
pub mod agent_page;
pub mod api;
pub mod assets;
pub mod auth;
pub mod error;
pub mod kakao;
pub mod ops;
pub mod pages;
pub mod params;
pub mod sitemap;
pub mod suggest;
pub mod views;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tracing::Instrument;

use crate::analytics::Recorder;
use crate::ask::Assistant;
use crate::reload::{Live, Snapshot};

/// Settings of the web layer.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Where customers reach this service, without a trailing `/`
    /// (e.g. `https://help.example.com`); used to build absolute links
    /// (canonical links, chatbot buttons).
    pub public_base_url: String,
    /// Bearer token for the agent API and pages (`--agent-token`, `DOUM_AGENT_TOKEN`);
    /// with none set, the agent area answers 404 (it is off).
    pub agent_token: Option<String>,
    /// Secret Kakao i Open Builder sends in a header with every skill call
    /// (`--kakao-secret`, `DOUM_KAKAO_SECRET`); with none set, skill calls are not
    /// authenticated and the skill gives general answers only (see [`auth`]).
    pub kakao_secret: Option<String>,
    /// Where the skill may POST late answers (see [`crate::chat::skill::callback_target`]):
    /// host suffixes, default Kakao's; tests add `http://127.0.0.1:PORT`.
    pub callback_allow: Vec<String>,
    /// Page where an advertiser links KakaoTalk to an ad account
    /// (`--kakao-link-url`, `DOUM_KAKAO_LINK_URL`); the chatbot's "how to link" card
    /// gets a button to it.
    pub kakao_link_url: Option<String>,
    /// Where a customer who did not find an answer can ask a person, e.g. the
    /// KakaoTalk channel's chat (`--contact-url`, `DOUM_CONTACT_URL`): the
    /// pages' footer, the no-result page and the article after a 아니요 vote
    /// link to it. An absolute `http(s)` URL ([`WebConfig::with_contact_url`]).
    pub contact_url: Option<String>,
    /// Timeouts and sizes every request is held to.
    pub limits: Limits,
    /// What "today" is for personal answers (default: today in Korea); tests fix it.
    pub clock: crate::rules::Clock,
    /// Past this, a skill call answers [`crate::chat::SkillResponse::failure`] and its
    /// work is stopped (default [`kakao::SKILL_DEADLINE`]).
    pub skill_deadline: std::time::Duration,
    /// How old the count of the most viewed entries may be when a page shows it
    /// (default [`pages::POPULAR_MAX_AGE`]; counting scans every view of the
    /// last 30 days, see [`crate::analytics::Recorder::recently_most_viewed`]).
    pub popular_max_age: std::time::Duration,
    /// How old the agent page's search report may be when the page shows it
    /// (default [`agent_page::REPORT_MAX_AGE`]; see
    /// [`crate::analytics::Recorder::recent_report`]).
    pub report_max_age: std::time::Duration,
    /// How long analytics are kept (default [`crate::analytics::RETENTION`];
    /// `None` keeps everything): a server deletes older rows while it runs
    /// ([`crate::analytics::Recorder::keep_for`]).
    pub analytics_retention: Option<std::time::Duration>,
}

/// What one client may take of the server. The defaults suit a public
/// service behind a proxy; `doum serve` flags override them.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Time to receive a request's headers (also how long an idle
    /// keep-alive connection stays open).
    pub header_timeout: Duration,
    /// Time to receive a request's whole body once its headers arrived.
    pub body_timeout: Duration,
    /// Time to answer a request once it has been read (then 503).
    pub request_timeout: Duration,
    /// Largest request body accepted (then 413).
    pub max_body_bytes: usize,
    /// Connections served at once; more wait in the listen queue.
    pub max_connections: usize,
    /// How long shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_body_bytes: crate::chat::kakao::request::MAX_BODY_BYTES,
            max_connections: 512,
            shutdown_grace: Duration::from_secs(20),
        }
    }
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
            contact_url: None,
            limits: Limits::default(),
            clock: crate::rules::Clock::Korea,
            skill_deadline: kakao::SKILL_DEADLINE,
            popular_max_age: pages::POPULAR_MAX_AGE,
            report_max_age: agent_page::REPORT_MAX_AGE,
            analytics_retention: Some(crate::analytics::RETENTION),
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

    /// Sets the account-linking page for the chatbot (empty means none);
    /// anything but an absolute `http` or `https` URL is refused.
    pub fn with_kakao_link_url(mut self, url: Option<String>) -> Result<Self, String> {
        self.kakao_link_url = web_address("--kakao-link-url", url)?;
        Ok(self)
    }

    /// Sets where customers can ask a person (empty means none); anything but
    /// an absolute `http` or `https` URL is refused, naming what was wrong.
    pub fn with_contact_url(mut self, url: Option<String>) -> Result<Self, String> {
        self.contact_url = web_address("--contact-url", url)?;
        Ok(self)
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

/// A page customers are sent to, given as `flag`: trimmed, `None` when
/// empty, and otherwise an absolute `http(s)` URL with a host (a link
/// `javascript:` or relative to nothing is refused, naming the flag).
fn web_address(flag: &str, url: Option<String>) -> Result<Option<String>, String> {
    let Some(u) = url.map(|u| u.trim().to_string()).filter(|u| !u.is_empty()) else {
        return Ok(None);
    };
    let parsed = reqwest::Url::parse(&u).map_err(|e| format!("{flag} `{u}` is not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(format!(
            "{flag} `{u}` must be an http or https address, e.g. https://pf.kakao.com/_abcd/chat"
        ));
    }
    Ok(Some(u))
}

/// What every handler can reach. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The live state (engine, content, rules), swapped by reloads. Load it
    /// once per request with [`AppState::snapshot`].
    pub live: Arc<Live>,
    /// Web settings.
    pub config: Arc<WebConfig>,
    /// Access: agent token, sessions, failed attempts, skill secret.
    pub auth: Arc<auth::Auth>,
    /// Search analytics and feedback (disabled unless set with [`AppState::with_analytics`]).
    pub analytics: Arc<Recorder>,
    /// The sitemaps of the current content, rendered once per generation.
    pub sitemaps: Arc<sitemap::Cache>,
}

impl AppState {
    /// State over a fixed assistant (it cannot be reloaded) and a config.
    pub fn new(assistant: Arc<Assistant>, config: WebConfig) -> Self {
        Self::with_live(Arc::new(Live::fixed(assistant)), config)
    }

    /// State over a live (reloadable) state and a config.
    pub fn with_live(live: Arc<Live>, config: WebConfig) -> Self {
        Self {
            live,
            auth: Arc::new(auth::Auth::new(&config)),
            config: Arc::new(config),
            analytics: Arc::new(Recorder::disabled()),
            sitemaps: Arc::default(),
        }
    }

    /// The current snapshot: engine, content, rules of one consistent state.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.live.load()
    }

    /// The same state recording analytics with `recorder`.
    pub fn with_analytics(mut self, recorder: Arc<Recorder>) -> Self {
        self.analytics = recorder;
        self
    }
}

/// The whole application: every area's routes, the 404 fallback, and what
/// every request goes through (request id, log, metrics, body limits).
pub fn app(state: AppState) -> Router {
    let limits = Arc::new(state.config.limits.clone());
    Router::new()
        .route("/healthz", get(healthz))
        .merge(ops::router())
        .merge(api::router())
        .merge(pages::router())
        .merge(agent::router())
        .merge(kakao::router())
        .merge(suggest::router())
        .merge(assets::router())
        .merge(sitemap::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(limits, read_body))
        .layer(middleware::from_fn(assets::security_headers))
        .layer(middleware::from_fn(observe))
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok"
}

/// Whether errors on `path` are answered as JSON ([`error::ApiError`]): under
/// `/api/` (the API) and `/kakao/` (the skill, which Open Builder calls);
/// everywhere else customers see a Korean HTML page.
pub fn wants_json(path: &str) -> bool {
    ["/api", "/kakao"].iter().any(|p| {
        path.strip_prefix(p)
            .is_some_and(|r| r.is_empty() || r.starts_with('/'))
    })
}

/// 404 for any unknown route: JSON under `/api/` and `/kakao/`, the HTML page
/// elsewhere.
async fn not_found(req: Request) -> Response {
    let path = req.uri().path();
    if wants_json(path) {
        error::ApiError::not_found(format!("no such API route: {path}")).into_response()
    } else {
        pages::not_found_page().into_response()
    }
}

/// 405: JSON under `/api/` and `/kakao/`, a Korean HTML page elsewhere.
async fn method_not_allowed(req: Request) -> Response {
    if wants_json(req.uri().path()) {
        error::ApiError::method_not_allowed().into_response()
    } else {
        pages::error_page(error::Code::MethodNotAllowed)
    }
}

/// The header carrying a request's id, in and out.
pub const REQUEST_ID: &str = "x-request-id";

/// A client's request id when it is sane (1-64 of `A-Z a-z 0-9 . _ -`).
fn given_request_id(req: &Request) -> Option<String> {
    let v = req.headers().get(REQUEST_ID)?.to_str().ok()?;
    let ok = !v.is_empty()
        && v.len() <= 64
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    ok.then(|| v.to_string())
}

/// A new request id: 16 hex digits, unique in the process, not guessable
/// across processes.
fn new_request_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEED: OnceLock<std::collections::hash_map::RandomState> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let mut h = SEED
        .get_or_init(std::collections::hash_map::RandomState::new)
        .build_hasher();
    h.write_u64(NEXT.fetch_add(1, Ordering::Relaxed));
    format!("{:016x}", h.finish())
}

/// Every request: an id (the client's `x-request-id` when sane, else a new
/// one) on a tracing span, so every log line of the request carries it, and
/// echoed in the response; then one log line (method, path, status,
/// latency; never the query string, which holds what customers typed) and
/// the request metrics by matched route.
async fn observe(req: Request, next: Next) -> Response {
    let id = given_request_id(&req).unwrap_or_else(new_request_id);
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let span = tracing::info_span!("request", id = %id);
    let start = Instant::now();
    let mut response = next.run(req).instrument(span.clone()).await;
    let status = response.status();
    let elapsed = start.elapsed();
    crate::metrics::global().request(
        &route,
        method.as_str(),
        status.as_u16(),
        elapsed.as_secs_f64(),
    );
    let ms = format!("{:.1}", elapsed.as_secs_f64() * 1000.0);
    span.in_scope(|| {
        if status.is_server_error() {
            tracing::warn!(%method, %path, status = status.as_u16(), latency_ms = %ms, "request");
        } else {
            tracing::info!(%method, %path, status = status.as_u16(), latency_ms = %ms, "request");
        }
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, v);
    }
    response
}

/// An error answer: JSON with `message` under `/api/` and `/kakao/`, a Korean
/// HTML page saying what went wrong elsewhere ([`pages::error_page`]).
fn limit_error(path: &str, code: error::Code, message: String) -> Response {
    if wants_json(path) {
        error::ApiError::new(code, message).into_response()
    } else {
        pages::error_page(code)
    }
}

/// Reads the whole body before the handler runs, within
/// [`Limits::body_timeout`] and [`Limits::max_body_bytes`] (408 / 413, and
/// the connection is closed), then bounds the handler by
/// [`Limits::request_timeout`] (503). Handlers never wait on a slow client.
async fn read_body(State(limits): State<Arc<Limits>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let (parts, body) = req.into_parts();
    let announced = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = || {
        let mut r = limit_error(
            &path,
            error::Code::BodyTooLarge,
            format!("the request body is over {} bytes", limits.max_body_bytes),
        );
        r.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        r
    };
    if announced.is_some_and(|n| n > limits.max_body_bytes as u64) {
        return too_large();
    }
    let has_body =
        announced.is_some_and(|n| n > 0) || parts.headers.contains_key(header::TRANSFER_ENCODING);
    let body = if has_body {
        let read = axum::body::to_bytes(body, limits.max_body_bytes);
        match tokio::time::timeout(limits.body_timeout, read).await {
            Ok(Ok(bytes)) => Body::from(bytes),
            Ok(Err(_)) => return too_large(),
            Err(_) => {
                tracing::info!(%path, "request body not received in {:?}", limits.body_timeout);
                let mut r = limit_error(
                    &path,
                    error::Code::RequestTimeout,
                    format!(
                        "the request body did not arrive within {:?}",
                        limits.body_timeout
                    ),
                );
                r.headers_mut()
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
                return r;
            }
        }
    } else {
        body
    };
    let req = Request::from_parts(parts, body);
    match tokio::time::timeout(limits.request_timeout, next.run(req)).await {
        Ok(r) => r,
        Err(_) => {
            tracing::warn!(%path, "no answer within {:?}", limits.request_timeout);
            limit_error(
                &path,
                error::Code::Timeout,
                format!("no answer within {:?}", limits.request_timeout),
            )
        }
    }
}

/// Blocks from this size on are mapped for themselves and handed back to
/// the kernel when freed (see `return_large_buffers`).
pub const LARGE_BUFFER: usize = 4 * 1024 * 1024;

/// Makes freed large buffers go back to the kernel, for a long-running
/// server (glibc only; elsewhere it does nothing). glibc maps blocks of
/// 128 KiB or more for themselves, but raises that bound to the largest
/// mapped block freed so far (up to 32 MiB): from then on such blocks come
/// from the threads' heaps and stay there when freed. At 100,000 entries the
/// passing buffers of searches (heaptrack puts 23 MB of the heap's peak in
/// tantivy's Levenshtein automata for typo'd words) left 13–16 MB more
/// anonymous memory after 10 s of searches: 127–130 MB, against 114–117 MB
/// with a fixed bound of [`LARGE_BUFFER`]. Blocks under it, such as a
/// search's arrays of scores, still come from the heap, so latency is the
/// same. [`runtime`] calls it, before the server loads anything.
fn return_large_buffers() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets an allocator parameter; it takes no
    // pointers. LARGE_BUFFER fits an i32.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, LARGE_BUFFER as i32);
    }
}

/// The runtime `doum serve` runs on: a worker per core for the connections,
/// and at most [`BLOCKING_THREADS_PER_CORE`] threads per core for blocking
/// work (the chatbot's answers, reloads, reports, and the threads that take
/// over a worker while a search runs in place, see `cpu_work`), which
/// waits in line beyond that. It is CPU work: more threads than cores only
/// wait for a core, and each holds its own analysis memo and malloc arena.
/// (tokio's default allows 512 threads: at 64 connections a server on the
/// sample content ran 121 threads with 144 MB of anonymous memory; with two
/// per core, 8 threads and 22 MB, and 20 % more searches per second.) Two
/// per core rather than one, so that one long task (a reload, an analytics
/// report) does not hold every other.
///
/// Building it also makes freed large buffers go back to the kernel for the
/// whole process (`return_large_buffers`): a server runs for weeks.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    return_large_buffers();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(cores * BLOCKING_THREADS_PER_CORE)
        .build()
}

/// See [`runtime`].
pub const BLOCKING_THREADS_PER_CORE: usize = 2;

/// 1 while a search runs in place (see [`cpu_work`]).
static IN_PLACE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Runs a request's CPU work (a search) without holding an async worker from
/// other connections, and a panic in `work` is an `Err`.
///
/// One search at a time runs right here with
/// [`tokio::task::block_in_place`] (tokio first hands this worker's other
/// tasks to another thread): no handoff of the request to a pool thread and
/// back, about 35 µs less per request at low load. The others run on the
/// blocking pool, in line: were they all in place, they would take every
/// thread that drives connections, and under a full search load `/healthz`
/// answered in 7 ms instead of 0.3 ms. On a current-thread runtime
/// everything runs on the pool.
pub(crate) async fn cpu_work<T, F>(work: F) -> Result<T, String>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    use std::sync::atomic::Ordering;
    use tokio::runtime::{Handle, RuntimeFlavor};
    let multi = Handle::current().runtime_flavor() == RuntimeFlavor::MultiThread;
    if multi
        && IN_PLACE
            .compare_exchange(0, 1, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    {
        let out = tokio::task::block_in_place(|| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))
        });
        IN_PLACE.store(0, Ordering::SeqCst);
        return out.map_err(|_| "the work panicked".to_string());
    }
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| e.to_string())
}

/// Serves `app` on `addr` until Ctrl-C or SIGTERM (see [`serve_on`]).
pub async fn serve(addr: &str, state: AppState) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    serve_on(listener, state, shutdown_signal()).await
}

/// Serves `app` on `listener` until `shutdown` completes; then stops
/// accepting, lets requests in flight finish (at most
/// [`Limits::shutdown_grace`]) and returns.
///
/// Each connection is HTTP/1.1 with [`Limits::header_timeout`]; at most
/// [`Limits::max_connections`] are served at once. With a reloadable state,
/// SIGHUP reloads the content ([`Live::reload`]).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    use hyper_util::rt::{TokioIo, TokioTimer};
    use tower::ServiceExt as _;

    let local: SocketAddr = listener.local_addr()?;
    let limits = state.config.limits.clone();
    tracing::info!(
        "serving on http://{local} (public URL {})",
        state.config.public_base_url
    );
    if !local.ip().is_loopback() && !state.auth.personal_answers() {
        tracing::warn!(
            "WARNING: serving on {local}, reachable beyond this machine, without DOUM_KAKAO_SECRET: \
             anyone can call /kakao/skill, so personal answers are OFF. Set DOUM_KAKAO_SECRET \
             (and the same header in Open Builder) to turn them on."
        );
    }
    #[cfg(unix)]
    if state.live.is_reloadable() {
        reload_on_sighup(Arc::clone(&state.live));
    }
    pages::count_popular_in_background(&state);
    agent_page::report_in_background(&state);
    if let Some(retention) = state.config.analytics_retention {
        state.analytics.keep_for(retention);
    }
    let router = app(state);
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => slot.context("connection slots")?,
            () = &mut shutdown => break,
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    tracing::warn!("accepting a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service =
            hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                let mut req = req.map(Body::new);
                req.extensions_mut().insert(ConnectInfo(remote));
                router.clone().oneshot(req)
            });
        let conn = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!("connection from {remote}: {e}");
            }
            drop(slot);
        });
    }
    drop(listener);
    tracing::info!("shutting down: no new connections; finishing requests in flight");
    match tokio::time::timeout(limits.shutdown_grace, graceful.shutdown()).await {
        Ok(()) => tracing::info!("stopped"),
        Err(_) => tracing::warn!(
            "stopped with requests still running after {:?}",
            limits.shutdown_grace
        ),
    }
    Ok(())
}

#[cfg(unix)]
fn reload_on_sighup(live: Arc<Live>) {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hup = match signal(SignalKind::hangup()) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!("SIGHUP will not reload: {e}");
            return;
        }
    };
    tokio::spawn(async move {
        while hup.recv().await.is_some() {
            tracing::info!("SIGHUP: reloading the content");
            let live = Arc::clone(&live);
            let _ = tokio::task::spawn_blocking(move || live.reload()).await;
        }
    });
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
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
}
