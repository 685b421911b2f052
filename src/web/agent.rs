//! The agent area: internal lookups for support staff, behind a token.
//!
//! | route | what |
//! |---|---|
//! | `GET /api/agent/search?q=&category=&sort=&page=&size=` | like `/api/search`, hits add `source` and `keywords` |
//! | `GET /api/agent/accounts/{id}/decisions?today=` | every decision evaluated for the account |
//! | `GET /api/agent/accounts/{id}/decisions/{decision}?today=` | one decision |
//! | `GET /api/agent/analytics/report?since=7d&limit=20` | search analytics ([`Report`]) |
//! | `GET /agent?q=&account=&today=` | the lookup page (HTML, see [`super::agent_page`]) |
//! | `POST /agent/login` | form field `token`: sets the session cookie, redirects to `/agent` |
//! | `POST /agent/logout` | clears the session cookie |
//!
//! # Access
//!
//! - No token configured ([`WebConfig::agent_token`](super::WebConfig) is `None`): the area
//!   is off and every route above answers 404, exactly like a route that does not exist.
//! - Otherwise a request needs `Authorization: Bearer <token>`, or the session cookie that
//!   `POST /agent/login` sets (HttpOnly, SameSite=Strict, Secure when the public URL is
//!   https, valid 12 hours, signed with the token: changing the token ends every session).
//!   Missing or wrong: 401 with `WWW-Authenticate: Bearer` (JSON under `/api/`, the login
//!   form for the page). Tokens are compared in constant time (over SHA-256 digests, so the
//!   length does not leak either).
//! - Every answer is `Cache-Control: no-store`: it may hold account facts.
//!
//! No customer route takes an account id: personal answers for customers only come from
//! the KakaoTalk skill, for the account linked to the asking user.
//!
//! # API answers
//!
//! `decisions`: `{"account_id", "today", "decisions": [DecisionResult]}`; one decision:
//! `{"account_id", "today", "result": DecisionResult}`. A `DecisionResult` is
//! `{decision, title, per_record, results: [{decision, record?, outcome, answer,
//! related, row, line, trace: [{row, line, outcome, matched, failed?: {fact,
//! condition, actual, line}}]}]}` (see [`crate::rules::DecisionResult`]).
//!
//! Errors (shape of [`ApiError`]): `unauthorized` 401, `account_not_found` 404,
//! `decision_not_found` 404, `invalid_parameter` 400 (`today` not `YYYY-MM-DD`),
//! `account_unavailable` 503 (the account API is down, slow or answered garbage; the
//! message says why).

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Form, FromRequestParts, Path, Query, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router, middleware};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::AppState;
use super::agent_page::{self, login_page};
use super::error::ApiError;
use super::pages::not_found_page;
use super::params::{Params, run_search};
use crate::accounts::{Account, AccountLookup};
use crate::analytics::{self, Report, report::parse_since};
use crate::content::Entry;
use crate::rules::{DecisionResult, today_kst};
use crate::search::{CategoryCount, Hit};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "doum_agent";

/// How long a login lasts.
pub const SESSION_SECS: u64 = 12 * 3600;

/// The agent routes (see the module docs).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/agent/search", get(api_search).fallback(other_method))
        .route(
            "/api/agent/accounts/{id}/decisions",
            get(api_decisions).fallback(other_method),
        )
        .route(
            "/api/agent/accounts/{id}/decisions/{decision}",
            get(api_decision).fallback(other_method),
        )
        .route(
            "/api/agent/analytics/report",
            get(api_report).fallback(other_method),
        )
        .route("/agent", get(page).fallback(other_method))
        .route("/agent/login", post(login).fallback(other_method))
        .route("/agent/logout", post(logout).fallback(other_method))
        .layer(middleware::map_response(private_headers))
}

// ------------------------------------------------------------------- access

/// Proof that the request carries the agent token (or a valid session cookie).
///
/// Put it first in a handler's arguments so nothing else is looked at before.
#[derive(Debug, Clone, Copy)]
pub struct Agent;

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// No token is configured: the area does not exist (404).
    Off { api: bool },
    /// Missing or wrong credentials (401).
    Unauthorized { api: bool },
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

impl FromRequestParts<AppState> for Agent {
    type Rejection = Denied;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Denied> {
        let api = is_api(parts.uri.path());
        let Some(token) = state.config.agent_token.as_deref() else {
            return Err(Denied::Off { api });
        };
        let ok = match bearer(&parts.headers) {
            Some(given) => same_secret(given, token),
            None => cookie(&parts.headers, SESSION_COOKIE)
                .is_some_and(|c| session_valid(c, token, unix_now())),
        };
        if ok {
            Ok(Agent)
        } else {
            Err(Denied::Unauthorized { api })
        }
    }
}

impl IntoResponse for Denied {
    fn into_response(self) -> Response {
        match self {
            Denied::Off { api: true } => ApiError::not_found("no such API route").into_response(),
            Denied::Off { api: false } => not_found_page(),
            Denied::Unauthorized { api } => {
                let mut res = if api {
                    ApiError {
                        status: StatusCode::UNAUTHORIZED,
                        code: "unauthorized",
                        message: "send `Authorization: Bearer <agent token>`".into(),
                        field: None,
                    }
                    .into_response()
                } else {
                    login_page(StatusCode::UNAUTHORIZED, None)
                };
                res.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"doum-agent\""),
                );
                res
            }
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// The value of cookie `name`.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// Whether two secrets are equal, in constant time (over their SHA-256
/// digests, so neither the content nor the length leaks through timing).
pub fn same_secret(given: &str, expected: &str) -> bool {
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    a.as_slice().ct_eq(b.as_slice()).into()
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// HMAC-SHA256 (RFC 2104).
fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(msg);
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner);
    outer.finalize().into()
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn session_mac(token: &str, expires: u64) -> String {
    hex(&hmac_sha256(
        token.as_bytes(),
        format!("doum-agent-session:{expires}").as_bytes(),
    ))
}

/// A session cookie value valid until `expires` (unix seconds): `{expires}.{mac}`.
pub fn session_value(token: &str, expires: u64) -> String {
    format!("{expires}.{}", session_mac(token, expires))
}

/// Whether a session cookie value was made with `token` and has not expired.
pub fn session_valid(value: &str, token: &str, now: u64) -> bool {
    let Some((expires, mac)) = value.split_once('.') else {
        return false;
    };
    let Ok(expires) = expires.parse::<u64>() else {
        return false;
    };
    expires > now && same_secret(mac, &session_mac(token, expires))
}

/// Agent answers may hold account facts: never cached, never framed, no referrer.
async fn private_headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

/// A known agent route with another method: 404 while the area is off, 405 otherwise.
async fn other_method(State(state): State<AppState>, req: Request) -> Response {
    let api = is_api(req.uri().path());
    if state.config.agent_token.is_none() {
        return Denied::Off { api }.into_response();
    }
    if api {
        ApiError::method_not_allowed().into_response()
    } else {
        (
            StatusCode::METHOD_NOT_ALLOWED,
            "허용되지 않는 요청 방식이에요.",
        )
            .into_response()
    }
}

// ---------------------------------------------------------------------- API

#[derive(Debug, Default, Deserialize)]
struct DecisionParams {
    today: Option<String>,
}

/// `?today=YYYY-MM-DD`, default today in Korea.
pub(crate) fn parse_today(given: Option<&str>) -> Result<NaiveDate, ApiError> {
    match given.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(today_kst()),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_parameter",
            message: format!("`{s}` is not a date: use YYYY-MM-DD"),
            field: Some("today"),
        }),
    }
}

fn today_param(uri: &Uri) -> Result<NaiveDate, ApiError> {
    let Query(p) = Query::<DecisionParams>::try_from_uri(uri).map_err(|e| ApiError {
        status: StatusCode::BAD_REQUEST,
        code: "invalid_parameter",
        message: format!("the query string could not be read: {}", e.body_text()),
        field: None,
    })?;
    parse_today(p.today.as_deref())
}

fn account_not_found(id: &str) -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        code: "account_not_found",
        message: format!("no account `{id}`"),
        field: None,
    }
}

/// Looks the account up: found, or the 404 / 503 error.
async fn find_account(state: &AppState, id: &str) -> Result<std::sync::Arc<Account>, ApiError> {
    match state.assistant.accounts.account(id).await {
        AccountLookup::Found(a) => Ok(a),
        AccountLookup::NotFound => Err(account_not_found(id)),
        AccountLookup::Unavailable(why) => {
            tracing::warn!("account lookup failed: {why}");
            Err(ApiError {
                status: StatusCode::SERVICE_UNAVAILABLE,
                code: "account_unavailable",
                message: format!("the account system could not be used: {why}"),
                field: None,
            })
        }
    }
}

/// Every decision for one account.
#[derive(Debug, Serialize)]
pub struct AccountDecisions {
    pub account_id: String,
    pub today: NaiveDate,
    pub decisions: Vec<DecisionResult>,
}

/// One decision for one account.
#[derive(Debug, Serialize)]
pub struct AccountDecision {
    pub account_id: String,
    pub today: NaiveDate,
    pub result: DecisionResult,
}

async fn api_decisions(
    _: Agent,
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    uri: Uri,
) -> Result<Json<AccountDecisions>, ApiError> {
    let Path(id) = path.map_err(|_| account_not_found(""))?;
    let today = today_param(&uri)?;
    let account = find_account(&state, &id).await?;
    let decisions = state.assistant.rules.evaluate_all(&account.facts(), today);
    Ok(Json(AccountDecisions {
        account_id: account.account_id.clone(),
        today,
        decisions,
    }))
}

async fn api_decision(
    _: Agent,
    State(state): State<AppState>,
    path: Result<Path<(String, String)>, PathRejection>,
    uri: Uri,
) -> Result<Json<AccountDecision>, ApiError> {
    let Path((id, decision)) = path.map_err(|_| account_not_found(""))?;
    let today = today_param(&uri)?;
    let rules = &state.assistant.rules;
    if rules.decision(&decision).is_none() {
        return Err(ApiError {
            status: StatusCode::NOT_FOUND,
            code: "decision_not_found",
            message: format!("no decision `{decision}`"),
            field: None,
        });
    }
    let account = find_account(&state, &id).await?;
    let result = rules
        .evaluate(&decision, &account.facts(), today)
        .map_err(|e| ApiError::not_found(e.to_string()))?;
    Ok(Json(AccountDecision {
        account_id: account.account_id.clone(),
        today,
        result,
    }))
}

/// A search hit with the fields only staff see.
#[derive(Debug, Serialize)]
pub struct AgentHit {
    #[serde(flatten)]
    pub hit: Hit,
    /// The entry's file (`content/faq/payment/x.md`), see [`source_of`].
    pub source: String,
    /// Extra search terms.
    pub keywords: Vec<String>,
}

/// `/api/search`'s answer with [`AgentHit`]s.
#[derive(Debug, Serialize)]
pub struct AgentResults {
    pub query: String,
    pub total: usize,
    pub page: usize,
    pub size: usize,
    pub categories: Vec<CategoryCount>,
    pub hits: Vec<AgentHit>,
}

/// An entry's file as `doum check` names it: the content directory's name,
/// then the path inside it (`content/faq/payment/x.md`); never an absolute path.
pub fn source_of(entry: &Entry) -> String {
    entry.source.to_string_lossy().replace('\\', "/")
}

pub(crate) fn agent_hits(state: &AppState, hits: Vec<Hit>) -> Vec<AgentHit> {
    let content = state.engine.content();
    hits.into_iter()
        .map(|hit| {
            let entry = content.get(&hit.id);
            AgentHit {
                source: entry.map(source_of).unwrap_or_default(),
                keywords: entry.map(|e| e.keywords.clone()).unwrap_or_default(),
                hit,
            }
        })
        .collect()
}

async fn api_search(
    _: Agent,
    State(state): State<AppState>,
    Params(params): Params,
) -> Result<Json<AgentResults>, ApiError> {
    let req = params.to_request()?;
    let r = run_search(&state, req).await?;
    Ok(Json(AgentResults {
        query: r.query,
        total: r.total,
        page: r.page,
        size: r.size,
        categories: r.categories,
        hits: agent_hits(&state, r.hits),
    }))
}

// --------------------------------------------------------------------- page

#[derive(Debug, Deserialize)]
struct LoginForm {
    token: String,
}

async fn login(
    State(state): State<AppState>,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let Some(token) = state.config.agent_token.as_deref() else {
        return not_found_page();
    };
    let given = form.map(|Form(f)| f.token).unwrap_or_default();
    if !same_secret(given.trim(), token) {
        tracing::warn!("agent login refused");
        return login_page(StatusCode::UNAUTHORIZED, Some("토큰이 올바르지 않아요."));
    }
    let value = session_value(token, unix_now() + SESSION_SECS);
    let secure = if state.config.public_base_url.starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECS}{secure}"
    );
    let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, "/agent")]).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

async fn logout(State(state): State<AppState>) -> Response {
    if state.config.agent_token.is_none() {
        return not_found_page();
    }
    let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, "/agent".to_string()),
            (header::SET_COOKIE, cookie),
        ],
    )
        .into_response()
}

#[derive(Debug, Default, Deserialize)]
struct PageParams {
    q: Option<String>,
    account: Option<String>,
    today: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

async fn page(agent: Result<Agent, Denied>, State(state): State<AppState>, uri: Uri) -> Response {
    if let Err(denied) = agent {
        return denied.into_response();
    }
    let params = Query::<PageParams>::try_from_uri(&uri)
        .map(|Query(p)| p)
        .unwrap_or_default();
    let lookup = agent_page::Lookup {
        q: given(&params.q),
        account: given(&params.account),
        today: given(&params.today),
    };
    agent_page::render(&state, lookup).await
}

// ---------------------------------------------------------------- analytics

#[derive(Debug, Default, Deserialize)]
struct ReportParams {
    since: Option<String>,
    limit: Option<String>,
}

/// `GET /api/agent/analytics/report?since=7d&limit=20`: the [`Report`] as JSON.
async fn api_report(
    _: Agent,
    State(state): State<AppState>,
    uri: Uri,
) -> Result<Json<Report>, ApiError> {
    let bad = |field: &'static str, message: String| ApiError {
        status: StatusCode::BAD_REQUEST,
        code: "invalid_parameter",
        message,
        field: Some(field),
    };
    let p = Query::<ReportParams>::try_from_uri(&uri)
        .map(|Query(p)| p)
        .map_err(|e| bad("since", e.body_text()))?;
    let since = parse_since(p.since.as_deref().unwrap_or("7d"), analytics::now())
        .map_err(|m| bad("since", m))?;
    let limit = match p.limit.as_deref() {
        None => 20,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=200).contains(n))
            .ok_or_else(|| bad("limit", format!("`{l}` is not a number from 1 to 200")))?,
    };
    let recorder = state.analytics.clone();
    match tokio::task::spawn_blocking(move || recorder.report(since, limit)).await {
        Ok(Ok(r)) => Ok(Json(r)),
        Ok(Err(e)) => Err(ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "analytics_unavailable",
            message: format!("{e:#}"),
            field: None,
        }),
        Err(_) => Err(ApiError::internal()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc4231() {
        // RFC 4231, test case 2.
        assert_eq!(
            hex(&hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn sessions_expire_and_depend_on_the_token() {
        let v = session_value("tok", 1_000);
        assert!(session_valid(&v, "tok", 999));
        assert!(!session_valid(&v, "tok", 1_000));
        assert!(!session_valid(&v, "other", 999));
        assert!(!session_valid("2000.abc", "tok", 999));
        assert!(!session_valid("garbage", "tok", 0));
        let forged = v.replacen("1000", "9000", 1);
        assert!(!session_valid(&forged, "tok", 999));
    }

    #[test]
    fn secrets_and_headers() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abcd"));
        assert!(!same_secret("", "abc"));
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("bearer  xyz "),
        );
        assert_eq!(bearer(&h), Some("xyz"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic xyz"));
        assert_eq!(bearer(&h), None);
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; doum_agent=v.x; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("v.x"));
    }
}
