//! The agent area: internal lookups for support staff, behind a token.
//!
//! | route | what |
//! |---|---|
//! | `GET /api/agent/search?q=&category=&sort=&page=&size=` | like `/api/search`, hits add `source` and `keywords` |
//! | `GET /api/agent/ask?q=&account=&today=` | the answer to one question, as `doum ask --json` prints it ([`crate::ask::AnswerView`]) |
//! | `GET /api/agent/accounts/{id}/decisions?today=` | every decision evaluated for the account |
//! | `GET /api/agent/accounts/{id}/decisions/{decision}?today=` | one decision |
//! | `GET /api/agent/analytics/report?since=7d&limit=20` | search analytics ([`Report`]) |
//! | `DELETE /api/agent/chat-history/{key}` | deletes the chatbot questions recorded for a Kakao user key, at the customer's request: `{"deleted": n}` |
//! | `GET /agent?q=&account=&today=` | the lookup page (HTML, see [`super::agent_page`]) |
//! | `POST /agent/chat-history/delete` | form fields `key`, `confirmed`: the page's way to delete a customer's chatbot questions; redirects to `/agent?forgotten=N` |
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

use super::AppState;
use super::agent_page::{self, login_page};
use super::auth::{Agent, ClientAddr, Denied, is_api, new_session, same_origin, session_cookie};
use super::error::{ApiError, Code};
use super::pages::not_found_page;
use super::params::{Params, run_search};
use crate::accounts::{Account, AccountLookup};
use crate::analytics::{self, Report, report::parse_since};
use crate::ask::AnswerView;
use crate::ask::cache::KeptChoice;
use crate::content::{Entry, Keywords};
use crate::rules::{Calendar, Clock, DecisionResult};
use crate::search::{CategoryCount, Hit, SearchRequest};
use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Form, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router, middleware};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use super::auth::{SESSION_COOKIE, SESSION_SECS};

/// The agent routes (see the module docs).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/agent/search", get(api_search).fallback(other_method))
        .route("/api/agent/ask", get(api_ask).fallback(other_method))
        .route(
            "/api/agent/accounts/{id}/decisions",
            get(api_decisions).fallback(other_method),
        )
        .route(
            "/api/agent/accounts/{id}/decisions/{decision}",
            get(api_decision).fallback(other_method),
        )
        .route("/agent", get(page).fallback(other_method))
        .route("/agent/login", post(login).fallback(other_method))
        .route("/agent/logout", post(logout).fallback(other_method))
        .route(
            "/agent/chat-history/delete",
            post(forget_form).fallback(other_method),
        )
        .route(
            "/api/agent/analytics/report",
            get(api_report).fallback(other_method),
        )
        .route(
            "/api/agent/chat-history/{key}",
            delete(api_forget).fallback(other_method),
        )
        .layer(middleware::map_response(private_headers))
}

// ------------------------------------------------------------------- access
// Who may come in is decided in [`super::auth`].

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
    if !state.auth.agent_enabled() {
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

/// `?today=YYYY-MM-DD`, default today by the app's clock (in Korea). A date
/// given must lie in the range the holiday calendar covers (business days
/// past it would be counted with weekends only, and `0001-01-01` would give
/// "739,960일 남았습니다"); without a calendar (no rules) any date goes.
pub(crate) fn parse_today(
    given: Option<&str>,
    clock: Clock,
    calendar: &Calendar,
) -> Result<NaiveDate, ApiError> {
    let bad = |message: String| ApiError::new(Code::InvalidParameter, message).with_field("today");
    let Some(s) = given.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(clock.today());
    };
    let date = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| bad(format!("`{s}` is not a date: use YYYY-MM-DD")))?;
    calendar.check(date).map_err(bad)
}

fn today_param(uri: &Uri, state: &AppState) -> Result<NaiveDate, ApiError> {
    let Query(p) = Query::<DecisionParams>::try_from_uri(uri).map_err(|e| {
        ApiError::new(
            Code::InvalidParameter,
            format!("the query string could not be read: {}", e.body_text()),
        )
    })?;
    parse_today(
        p.today.as_deref(),
        state.config.clock,
        state.snapshot().assistant.rules.calendar(),
    )
}

fn account_not_found(id: &str) -> ApiError {
    ApiError::new(Code::AccountNotFound, format!("no account `{id}`"))
}

/// Looks the account up: found, or the 404 / 503 error.
async fn find_account(state: &AppState, id: &str) -> Result<std::sync::Arc<Account>, ApiError> {
    match state.snapshot().assistant.accounts.account(id).await {
        AccountLookup::Found(a) => Ok(a),
        AccountLookup::NotFound => Err(account_not_found(id)),
        AccountLookup::Unavailable(why) => {
            tracing::warn!("account lookup failed: {why}");
            Err(ApiError::new(
                Code::AccountUnavailable,
                format!("the account system could not be used: {why}"),
            ))
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
    let today = today_param(&uri, &state)?;
    let account = find_account(&state, &id).await?;
    let decisions = state
        .snapshot()
        .assistant
        .rules
        .evaluate_all(&account.facts(), today);
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
    let today = today_param(&uri, &state)?;
    let snapshot = state.snapshot();
    let rules = &snapshot.assistant.rules;
    if rules.decision(&decision).is_none() {
        return Err(ApiError::new(
            Code::DecisionNotFound,
            format!("no decision `{decision}`"),
        ));
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
    pub keywords: Keywords,
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
    let snapshot = state.snapshot();
    let content = snapshot.engine.content();
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
    let snapshot = state.snapshot();
    super::params::known_category(snapshot.engine.content(), &req)?;
    let r = std::sync::Arc::unwrap_or_clone(run_search(&snapshot, req).await?);
    Ok(Json(AgentResults {
        query: r.query,
        total: r.total,
        page: r.page,
        size: r.size,
        categories: r.categories,
        hits: agent_hits(&state, r.hits),
    }))
}

#[derive(Debug, Default, Deserialize)]
struct AskParams {
    q: Option<String>,
    account: Option<String>,
    today: Option<String>,
}

/// The answer to `q`, personal for `account` when given: the JSON of `doum
/// ask --json` (verdict, best entry, personal part, candidates). An unknown
/// account or an unavailable account API is said in `personal.status`, as
/// `doum ask` says it, not as an error: the general answer still stands.
async fn api_ask(_: Agent, State(state): State<AppState>, uri: Uri) -> Result<Response, ApiError> {
    let Query(p) = Query::<AskParams>::try_from_uri(&uri).map_err(|e| {
        ApiError::new(
            Code::InvalidParameter,
            format!("the query string could not be read: {}", e.body_text()),
        )
    })?;
    let today = parse_today(
        p.today.as_deref(),
        state.config.clock,
        state.snapshot().assistant.rules.calendar(),
    )?;
    let req = SearchRequest::new(p.q.as_deref().unwrap_or(""))?;
    let account = p
        .account
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    let question = req.query();
    let json = answer_with(&state, &req, account, today, |answer| {
        serde_json::to_vec(&AnswerView::new(answer, question, account, today))
    })
    .await
    .ok_or_else(ApiError::internal)?
    .map_err(|e| {
        tracing::error!("agent answer could not be written: {e}");
        ApiError::internal()
    })?;
    Ok(([(header::CONTENT_TYPE, "application/json")], json).into_response())
}

/// The answer to `req`'s question, for `account` when given, as of `today`,
/// handed to `render`: the one choice of the chatbot and `doum ask`
/// ([`crate::ask::Assistant::choose`], on the blocking pool like every
/// search) with the corrected question when nothing is found, then the
/// account's decision ([`crate::ask::Assistant::answer`]). Shared by the
/// lookup page's preview and `/api/agent/ask`. `None` when the search
/// failed (logged).
pub(crate) async fn answer_with<T>(
    state: &AppState,
    req: &SearchRequest,
    account: Option<&str>,
    today: NaiveDate,
    render: impl FnOnce(&crate::ask::Answer<'_>) -> T,
) -> Option<T> {
    let snapshot = state.snapshot();
    let assistant = std::sync::Arc::clone(&snapshot.assistant);
    let question = req.query().to_owned();
    let kept = tokio::task::spawn_blocking(move || {
        let choice = assistant.choose(&question)?;
        let correction = assistant.correction_if_nothing(&question, &choice);
        Ok::<_, crate::search::SearchError>(
            KeptChoice::of(&choice, assistant.engine.content()).map(|k| (k, correction)),
        )
    })
    .await;
    let (kept, correction) = match kept {
        Ok(Ok(kept)) => kept?,
        Ok(Err(e)) => {
            tracing::warn!("agent answer failed: {e}");
            return None;
        }
        Err(e) => {
            tracing::error!("agent answer task failed: {e}");
            return None;
        }
    };
    let choice = kept.over(snapshot.engine.content())?;
    let answer = snapshot
        .assistant
        .answer(req.query(), choice, correction, account, today)
        .await;
    Some(render(&answer))
}

// --------------------------------------------------------------------- page

#[derive(Debug, Deserialize)]
struct LoginForm {
    token: String,
}

async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let auth = &state.auth;
    if !auth.agent_enabled() {
        return not_found_page();
    }
    if !same_origin(&headers, &state.config.public_base_url) {
        return Denied::CrossSite.into_response();
    }
    if let Err(retry_after) = auth.may_try(client) {
        return Denied::Throttled {
            api: false,
            retry_after,
        }
        .into_response();
    }
    let given = form.map(|Form(f)| f.token).unwrap_or_default();
    if !auth.token_ok(&given) {
        auth.failed(client);
        tracing::warn!(%client, "agent login refused");
        return login_page(StatusCode::UNAUTHORIZED, Some("토큰이 올바르지 않습니다."));
    }
    let Some(value) = new_session(auth) else {
        return not_found_page();
    };
    let cookie = session_cookie(Some(&value), &state.config.public_base_url);
    let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, "/agent")]).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

async fn logout(
    agent: Result<Agent, Denied>,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    if !state.auth.agent_enabled() {
        return not_found_page();
    }
    if !same_origin(&headers, &state.config.public_base_url) {
        return Denied::CrossSite.into_response();
    }
    if let Ok(Agent { session: Some(id) }) = agent {
        state.auth.end_session(&id);
    }
    let cookie = session_cookie(None, &state.config.public_base_url);
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
    /// What the deletion form did: a count, `invalid` or `failed`.
    forgotten: Option<String>,
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
        forgotten: given(&params.forgotten),
    };
    agent_page::render(&state, lookup).await
}

#[derive(Debug, Deserialize)]
struct ForgetForm {
    #[serde(default)]
    key: String,
    /// The box "고객의 요청을 확인했습니다" (sent only when ticked).
    confirmed: Option<String>,
}

/// `POST /agent/chat-history/delete`: the lookup page's form for deleting a
/// customer's chatbot questions at their request (as `DELETE
/// /api/agent/chat-history/{key}` does). Same-origin only; the outcome
/// comes back as `/agent?forgotten=N` (or `invalid`, `failed`), so the key
/// never appears in a URL and reloading the page deletes nothing.
async fn forget_form(
    agent: Result<Agent, Denied>,
    State(state): State<AppState>,
    headers: HeaderMap,
    form: Result<Form<ForgetForm>, FormRejection>,
) -> Response {
    if let Err(denied) = agent {
        return denied.into_response();
    }
    if !same_origin(&headers, &state.config.public_base_url) {
        return Denied::CrossSite.into_response();
    }
    let back = |outcome: &str| {
        (
            StatusCode::SEE_OTHER,
            [(header::LOCATION, format!("/agent?forgotten={outcome}"))],
        )
            .into_response()
    };
    let Ok(Form(form)) = form else {
        return back("invalid");
    };
    let key = form.key.trim().to_string();
    if form.confirmed.is_none() || !crate::accounts::valid_key(&key) {
        return back("invalid");
    }
    match forget_key(&state, key).await {
        Ok(n) => back(&n.to_string()),
        Err(_) => back("failed"),
    }
}

/// Deletes the chatbot questions recorded for a valid Kakao user key, off
/// the async runtime, and logs the outcome: the API's and the page's way.
async fn forget_key(state: &AppState, key: String) -> anyhow::Result<u64> {
    let recorder = state.analytics.clone();
    let deleted = tokio::task::spawn_blocking(move || recorder.forget(&[&key]))
        .await
        .map_err(anyhow::Error::from)
        .and_then(|r| r);
    match &deleted {
        Ok(n) => tracing::info!("agent: deleted {n} chat turn(s) of a Kakao user on request"),
        Err(e) => tracing::error!("agent: deleting a user's chat history failed: {e:#}"),
    }
    deleted
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
    let bad = |field: &'static str, message: String| {
        ApiError::new(Code::InvalidParameter, message).with_field(field)
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
        Ok(Err(e)) => Err(ApiError::new(Code::AnalyticsUnavailable, format!("{e:#}"))),
        Err(_) => Err(ApiError::internal()),
    }
}

/// What `DELETE /api/agent/chat-history/{key}` deleted.
#[derive(Debug, Serialize)]
struct Forgotten {
    deleted: u64,
}

/// `DELETE /api/agent/chat-history/{key}`: deletes every chatbot question
/// recorded for the Kakao user key (the `plusfriendUserKey`, or the
/// `appUserId` of a user without one), for a customer who asked a support
/// agent to; the chatbot does the same when the customer asks it.
/// `{"deleted": n}`; 0 when nothing was kept (or analytics are off).
async fn api_forget(
    _: Agent,
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<Forgotten>, ApiError> {
    let bad = || {
        ApiError::new(
            Code::InvalidParameter,
            format!(
                "the Kakao user key must be 1 to {} characters of A-Z a-z 0-9 _ . -",
                crate::accounts::MAX_KEY_CHARS
            ),
        )
        .with_field("key")
    };
    let Path(key) = path.map_err(|_| bad())?;
    if !crate::accounts::valid_key(&key) {
        return Err(bad());
    }
    match forget_key(&state, key).await {
        Ok(deleted) => Ok(Json(Forgotten { deleted })),
        Err(e) => Err(ApiError::new(Code::AnalyticsUnavailable, format!("{e:#}"))),
    }
}
