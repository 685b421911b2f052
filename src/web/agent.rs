//! The agent area: internal lookups for support staff, behind a token.
//!
//! | route | what |
//! |---|---|
//! | `GET /api/agent/search?q=&category=&sort=&page=&size=` | like `/api/search`, hits add `source` and `keywords` |
//! | `GET /api/agent/accounts/{id}/decisions?today=` | every decision evaluated for the account |
//! | `GET /api/agent/accounts/{id}/decisions/{decision}?today=` | one decision |
//! | `GET /agent?q=&account=&today=` | the lookup page (HTML) |
//! | `POST /agent/login` | form field `token`: sets the session cookie, redirects to `/agent` |
//! | `POST /agent/logout` | ends the session and clears its cookie |
//!
//! # Access
//!
//! - No token configured ([`WebConfig::agent_token`](super::WebConfig) is `None`, or one
//!   shorter than 32 characters): the area is off and every route above answers 404,
//!   exactly like a route that does not exist.
//! - Otherwise a request needs `Authorization: Bearer <token>`, or the session cookie that
//!   `POST /agent/login` sets (HttpOnly, SameSite=Strict, Secure when the public URL is
//!   https, valid 12 hours, ended on the server by `POST /agent/logout`). Missing or
//!   wrong: 401 with `WWW-Authenticate: Bearer` (JSON under `/api/`, the login form for
//!   the page); too many failures from one address: 429; a login or logout posted from
//!   another site: 403. The rules live in [`super::auth`].
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

use super::AppState;
use super::auth::{Agent, ClientAddr, Denied, is_api, new_session, same_origin, session_cookie};
use super::error::ApiError;
use super::pages::{enc, esc, not_found_page};
use super::params::{Params, run_search};
use crate::accounts::{Account, AccountLookup};
use crate::ask::{Answer, render_text};
use crate::content::{Content, Entry};
use crate::rules::{Clock, DecisionResult, Evaluation};
use crate::search::engine::article_path;
use crate::search::{CategoryCount, Hit, Ranked, SearchRequest};
use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Form, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router, middleware};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use super::auth::{SESSION_COOKIE, SESSION_SECS};

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
        .route("/agent", get(page).fallback(other_method))
        .route("/agent/login", post(login).fallback(other_method))
        .route("/agent/logout", post(logout).fallback(other_method))
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

/// `?today=YYYY-MM-DD`, default today by the app's clock (in Korea).
fn parse_today(given: Option<&str>, clock: Clock) -> Result<NaiveDate, ApiError> {
    match given.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(clock.today()),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_parameter",
            message: format!("`{s}` is not a date: use YYYY-MM-DD"),
            field: Some("today"),
        }),
    }
}

fn today_param(uri: &Uri, clock: Clock) -> Result<NaiveDate, ApiError> {
    let Query(p) = Query::<DecisionParams>::try_from_uri(uri).map_err(|e| ApiError {
        status: StatusCode::BAD_REQUEST,
        code: "invalid_parameter",
        message: format!("the query string could not be read: {}", e.body_text()),
        field: None,
    })?;
    parse_today(p.today.as_deref(), clock)
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
    match state.snapshot().assistant.accounts.account(id).await {
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
    let today = today_param(&uri, state.config.clock)?;
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
    let today = today_param(&uri, state.config.clock)?;
    let snapshot = state.snapshot();
    let rules = &snapshot.assistant.rules;
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

fn agent_hits(state: &AppState, hits: Vec<Hit>) -> Vec<AgentHit> {
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
    let r = run_search(&state.snapshot(), req).await?;
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

const STYLE: &str = "body{font-family:-apple-system,'Apple SD Gothic Neo','Malgun Gothic',sans-serif;\
margin:0;color:#222;line-height:1.5}header{background:#333;color:#fff;padding:10px 24px;display:flex;\
gap:16px;align-items:center}header form{margin-left:auto}main{max-width:1100px;margin:0 auto;padding:16px 24px}\
form.lookup input{padding:4px;margin-right:8px}.meta{color:#777;font-size:.85em}code{background:#f3f3f3;padding:0 3px}\
.notice{background:#fff4e5;padding:10px}table.trace{border-collapse:collapse;margin:6px 0 14px;font-size:.9em}\
table.trace td,table.trace th{border:1px solid #ddd;padding:3px 8px;text-align:left}tr.hit{background:#e8f7e8}\
.eval{border-left:3px solid #ddd;padding-left:12px;margin:10px 0}pre{background:#f6f6f6;padding:12px;white-space:pre-wrap}\
mark{background:#fff3a0}";

fn agent_layout(title: &str, logged_in: bool, body: &str) -> String {
    let logout = if logged_in {
        "<form method=\"post\" action=\"/agent/logout\"><button type=\"submit\">로그아웃</button></form>"
    } else {
        ""
    };
    format!(
        "<!doctype html>\n<html lang=\"ko\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<meta name=\"robots\" content=\"noindex, nofollow\"><title>{} - 도움 상담원 조회</title>\
<style>{STYLE}</style></head><body><header><strong>도움 상담원 조회</strong>{logout}</header>\
<main>{body}</main></body></html>\n",
        esc(title)
    )
}

pub(super) fn login_page(status: StatusCode, error: Option<&str>) -> Response {
    let mut body = String::from("<h1>상담원 로그인</h1>");
    if let Some(e) = error {
        let _ = write!(body, "<p class=\"notice\" role=\"alert\">{}</p>", esc(e));
    }
    body.push_str(
        "<form method=\"post\" action=\"/agent/login\"><label>상담원 토큰 \
<input type=\"password\" name=\"token\" autocomplete=\"off\" required autofocus></label> \
<button type=\"submit\">로그인</button></form>\
<p class=\"meta\">API는 <code>Authorization: Bearer &lt;토큰&gt;</code> 헤더로 호출해요.</p>",
    );
    (status, Html(agent_layout("로그인", false, &body))).into_response()
}

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
        return login_page(StatusCode::UNAUTHORIZED, Some("토큰이 올바르지 않아요."));
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
    let q = given(&params.q);
    let account = given(&params.account);
    let mut body = String::from("<h1>상담원 조회</h1>");
    let _ = write!(
        body,
        "<form class=\"lookup\" method=\"get\" action=\"/agent\">\
<label>검색어 <input type=\"search\" name=\"q\" value=\"{}\" maxlength=\"200\"></label>\
<label>계정 ID <input type=\"text\" name=\"account\" value=\"{}\" placeholder=\"A-1001\"></label>\
<label>기준일 <input type=\"date\" name=\"today\" value=\"{}\"></label>\
<button type=\"submit\">조회</button></form>",
        esc(q.unwrap_or("")),
        esc(account.unwrap_or("")),
        esc(given(&params.today).unwrap_or("")),
    );
    let today = match parse_today(given(&params.today), state.config.clock) {
        Ok(d) => d,
        Err(_) => {
            body.push_str(
                "<p class=\"notice\">기준일은 YYYY-MM-DD 형식으로 입력해 주세요. 오늘 날짜로 조회했어요.</p>",
            );
            state.config.clock.today()
        }
    };

    if let (Some(q), Some(account)) = (q, account)
        && let Some(text) = preview(&state, q, account, today).await
    {
        let _ = write!(
            body,
            "<section class=\"preview\"><h2>고객 답변 미리보기</h2>\
<p class=\"meta\">계정 {}이(가) 이렇게 물으면 받는 답변이에요 (판단 근거 포함).</p><pre>{}</pre></section>",
            esc(account),
            esc(&text)
        );
    }
    if let Some(q) = q {
        search_section(&state, q, &mut body).await;
    }
    if let Some(id) = account {
        account_section(&state, id, today, &mut body).await;
    }
    if q.is_none() && account.is_none() {
        body.push_str(
            "<p class=\"meta\">검색어로 도움말의 내부 정보(ID, 업데이트 날짜, 판단, 파일)를 보고, \
계정 ID로 그 계정의 모든 판단 결과와 근거를 볼 수 있어요.</p>",
        );
    }
    Html(agent_layout("상담원 조회", true, &body)).into_response()
}

/// The answer `account` would get for `q`, as text with the reasons. The query obeys
/// the search limits (an over-long one gets no preview; the search section says why),
/// and ranking runs on the blocking pool like every search.
async fn preview(state: &AppState, q: &str, account: &str, today: NaiveDate) -> Option<String> {
    let req = SearchRequest::new(q).ok()?;
    let snapshot = state.snapshot();
    let engine = snapshot.engine.clone();
    let ranked = tokio::task::spawn_blocking(move || {
        engine.rank(req.query()).map(|r| {
            r.into_iter()
                .map(|r| (r.entry.id.to_string(), r.score))
                .collect::<Vec<_>>()
        })
    })
    .await;
    let ranked = match ranked {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            tracing::warn!("agent preview failed: {e}");
            return None;
        }
        Err(e) => {
            tracing::error!("agent preview task failed: {e}");
            return None;
        }
    };
    let content = snapshot.engine.content();
    let candidates: Vec<Ranked<'_>> = ranked
        .iter()
        .filter_map(|(id, score)| {
            content.get(id).map(|entry| Ranked {
                entry,
                score: *score,
            })
        })
        .collect();
    let decision = candidates.first().and_then(|r| r.entry.decision.as_deref());
    let personal = snapshot
        .assistant
        .personal(decision, Some(account), today)
        .await;
    Some(render_text(
        &Answer {
            candidates,
            personal,
        },
        true,
    ))
}

async fn search_section(state: &AppState, q: &str, body: &mut String) {
    let req = match SearchRequest::new(q).and_then(|r| r.size(20)) {
        Ok(r) => r,
        Err(e) => {
            let _ = write!(
                body,
                "<p class=\"notice\">검색할 수 없어요: {}</p>",
                esc(&e.to_string())
            );
            return;
        }
    };
    let results = match run_search(&state.snapshot(), req).await {
        Ok(r) => r,
        Err(e) => {
            let _ = write!(
                body,
                "<p class=\"notice\">검색하지 못했어요: {}</p>",
                esc(&e.message)
            );
            return;
        }
    };
    let _ = write!(
        body,
        "<section class=\"search\"><h2><q>{}</q> 검색결과 {}건</h2>",
        esc(&results.query),
        results.total
    );
    if results.hits.is_empty() {
        body.push_str("<p class=\"notice\">검색결과가 없어요.</p>");
    }
    body.push_str("<ol class=\"hits\">");
    for h in agent_hits(state, results.hits) {
        let decision = h
            .hit
            .decision
            .as_deref()
            .map(|d| format!("<code>{}</code>", esc(d)))
            .unwrap_or_else(|| "없음".into());
        let _ = write!(
            body,
            "<li><a href=\"{}\">{}</a><br><span class=\"meta\">{}</span><br>\
ID <code>{}</code> · 업데이트 {} · 판단 {} · 파일 <code>{}</code> · 점수 {:.2}\
<p>{}</p></li>",
            esc(&h.hit.url),
            esc(&h.hit.title),
            esc(&h.hit.breadcrumb),
            esc(&h.hit.id),
            h.hit.updated,
            decision,
            esc(&h.source),
            h.hit.score,
            h.hit.snippet.html()
        );
    }
    body.push_str("</ol></section>");
}

async fn account_section(state: &AppState, id: &str, today: NaiveDate, body: &mut String) {
    let _ = write!(
        body,
        "<section class=\"account\"><h2>계정 <code>{}</code>의 판단 결과</h2>\
<p class=\"meta\">기준일 {today} · <a href=\"/api/agent/accounts/{}/decisions?today={today}\">JSON</a></p>",
        esc(id),
        esc(&enc(id)),
    );
    let snapshot = state.snapshot();
    match snapshot.assistant.accounts.account(id).await {
        AccountLookup::NotFound => {
            let _ = write!(
                body,
                "<p class=\"notice\">계정 <code>{}</code>을(를) 찾을 수 없어요. ID를 확인해 주세요.</p>",
                esc(id)
            );
        }
        AccountLookup::Unavailable(why) => {
            let _ = write!(
                body,
                "<p class=\"notice\">지금은 계정 정보를 가져올 수 없어요 (고객에게는 일반 안내가 나가요). 원인: {}</p>",
                esc(&why)
            );
        }
        AccountLookup::Found(a) => {
            let content = snapshot.engine.content();
            for r in snapshot.assistant.rules.evaluate_all(&a.facts(), today) {
                let _ = write!(
                    body,
                    "<section class=\"decision\"><h3>{} <code>{}</code></h3>",
                    esc(&r.title),
                    esc(&r.decision)
                );
                for e in &r.results {
                    evaluation_html(e, content, body);
                }
                body.push_str("</section>");
            }
        }
    }
    body.push_str("</section>");
}

fn evaluation_html(e: &Evaluation, content: &Content, body: &mut String) {
    body.push_str("<div class=\"eval\"><p>");
    if let Some(record) = &e.record {
        let _ = write!(body, "<strong>{}</strong> → ", esc(record));
    }
    let row = match e.row {
        Some(n) => format!("행 {n} · 줄 {}", e.line),
        None => format!("해당 기록 없음 · 줄 {}", e.line),
    };
    let _ = write!(
        body,
        "결과 <code class=\"outcome\">{}</code> <span class=\"meta\">{}</span></p><p class=\"answer\">{}</p>",
        esc(&e.outcome),
        esc(&row),
        esc(&e.answer)
    );
    let related: Vec<_> = e
        .related
        .iter()
        .filter_map(|id| content.get(id))
        .map(|r| {
            format!(
                "<a href=\"{}\">{}</a>",
                esc(&article_path(r.id.as_str())),
                esc(&r.title)
            )
        })
        .collect();
    if !related.is_empty() {
        let _ = write!(
            body,
            "<p class=\"meta\">관련 도움말: {}</p>",
            related.join(", ")
        );
    }
    if !e.trace.is_empty() {
        body.push_str(
            "<table class=\"trace\"><thead><tr><th>행</th><th>줄</th><th>결과</th>\
<th>이 행의 결과 코드</th><th>맞지 않은 조건</th><th>실제 값</th></tr></thead><tbody>",
        );
        for step in &e.trace {
            let (class, verdict, cond, actual) = match &step.failed {
                None => ("hit", "일치", String::new(), String::new()),
                Some(f) => (
                    "miss",
                    "불일치",
                    format!("{} {} (줄 {})", f.fact, f.condition, f.line),
                    f.actual.clone(),
                ),
            };
            let _ = write!(
                body,
                "<tr class=\"{class}\"><td>{}</td><td>{}</td><td>{verdict}</td><td><code>{}</code></td>\
<td>{}</td><td>{}</td></tr>",
                step.row,
                step.line,
                esc(&step.outcome),
                esc(&cond),
                esc(&actual)
            );
        }
        body.push_str("</tbody></table>");
    }
    body.push_str("</div>");
}
