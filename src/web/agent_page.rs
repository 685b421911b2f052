//! The agent page's HTML (`templates/agent*.html`): the lookup page and the login form.
//! Access control stays in [`super::agent`]; this module only renders.
//!
//! The page shows, for its inputs: a preview of the customer's answer (question +
//! account), the search hits with staff-only fields, every decision for the account with
//! its trace, and the search analytics of the last 7 days
//! ([`crate::analytics::Report`], the same as `doum report`).

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;

use super::AppState;
use super::agent::{agent_hits, parse_today};
use super::assets;
use super::pages::enc;
use super::params::run_search;
use super::views::{EntryLink, HtmlTemplate};
use crate::accounts::AccountLookup;
use crate::analytics::{QueryStat, Report};
use crate::ask::render_text;
use crate::content::Content;
use crate::rules::Evaluation;
use crate::search::SearchRequest;
use crate::search::engine::article_path;

/// The login form.
#[derive(Template)]
#[template(path = "agent_login.html")]
struct LoginPage<'a> {
    title: &'a str,
    css_url: &'static str,
    logged_in: bool,
    error: Option<&'a str>,
}

/// The login form with an optional error, with `status`.
pub fn login_page(status: StatusCode, error: Option<&str>) -> Response {
    HtmlTemplate(
        status,
        LoginPage {
            title: "로그인",
            css_url: assets::css_url(),
            logged_in: false,
            error,
        },
    )
    .into_response()
}

struct AgentHitView {
    title: String,
    url: String,
    breadcrumb: String,
    id: String,
    updated: String,
    decision: Option<String>,
    source: String,
    score: String,
    snippet_html: String,
}

struct SearchView {
    query: String,
    /// The query as read when typed in English mode (`ghksqnf` → 환불).
    read_as: Option<String>,
    total: usize,
    hits: Vec<AgentHitView>,
}

struct TraceView {
    row: usize,
    line: usize,
    matched: bool,
    outcome: String,
    condition: String,
    actual: String,
}

struct EvaluationView {
    record: Option<String>,
    outcome: String,
    row: String,
    answer: String,
    related: Vec<EntryLink>,
    trace: Vec<TraceView>,
}

struct DecisionView {
    title: String,
    decision: String,
    evaluations: Vec<EvaluationView>,
}

struct AccountView {
    id: String,
    today: NaiveDate,
    json_url: String,
    message: Option<String>,
    decisions: Vec<DecisionView>,
}

/// A two-column table of the report.
struct ReportTable {
    title: &'static str,
    rows: Vec<(String, String)>,
}

/// An entry with 아니요 votes, named by its title (its id when the content
/// no longer has it) so the content team sees which answer to improve.
struct UnhelpfulView {
    id: String,
    title: String,
    url: String,
    no: u64,
    yes: u64,
    comments: Vec<String>,
    /// Chatbot questions it was the 아쉬워요 answer to, each with the lookup
    /// of that question.
    questions: Vec<(String, String)>,
}

/// A query whose answer box customers passed over (see
/// [`analytics::PassedOver`]), its answer named by its title.
struct PassedOverView {
    query: String,
    search_url: String,
    answer_title: String,
    answer_url: String,
    searches: u64,
    other_opened: u64,
}

#[derive(Template)]
#[template(path = "agent.html")]
struct AgentPage {
    title: &'static str,
    css_url: &'static str,
    logged_in: bool,
    q: String,
    account: String,
    today_input: String,
    notices: Vec<String>,
    preview: Option<String>,
    search: Option<SearchView>,
    account_view: Option<AccountView>,
    report: Option<Report>,
    /// How long ago the report was made ("방금 집계", "3분 전 집계").
    counted: String,
    /// Why there is no report.
    unavailable: &'static str,
    /// How long the records are kept, and what is masked in them.
    kept: String,
    /// The chatbot's questions by how they were answered ([`Report::chat_line`]).
    chat: String,
    tables: Vec<ReportTable>,
    unhelpful: Vec<UnhelpfulView>,
    passed_over: Vec<PassedOverView>,
}

/// What the page was asked for (blank values count as absent).
pub struct Lookup<'a> {
    /// Search text.
    pub q: Option<&'a str>,
    /// Account id.
    pub account: Option<&'a str>,
    /// `YYYY-MM-DD` as typed.
    pub today: Option<&'a str>,
    /// What the chat-history deletion form did (`/agent?forgotten=`).
    pub forgotten: Option<&'a str>,
}

/// The notice for `/agent?forgotten=`: how many questions the deletion form
/// deleted, or why it deleted none.
fn forgotten_notice(outcome: &str) -> String {
    match outcome.parse::<u64>() {
        Ok(0) => "그 카카오톡 사용자 키로 남은 챗봇 질문 기록이 없습니다.".into(),
        Ok(n) => format!("고객의 챗봇 질문 기록 {n}건을 지웠습니다."),
        Err(_) if outcome == "failed" => {
            "질문 기록을 지우지 못했습니다 (데이터 저장소를 쓸 수 없습니다). 잠시 뒤 다시 시도해 주세요.".into()
        }
        Err(_) => "지우지 않았습니다: 카카오톡 사용자 키(영문, 숫자, _ . -, 128자 이내)를 입력하고 고객의 요청을 확인했다고 표시해 주세요.".into(),
    }
}

/// The agent page's report covers the last seven days ...
const REPORT_WINDOW_SECS: i64 = 7 * 86_400;
/// ... with this many rows per list.
const REPORT_ROWS: usize = 10;
/// How old the report may be when the page shows it, unless configured
/// otherwise ([`super::WebConfig::report_max_age`], `--report-max-age`).
pub const REPORT_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(60);

/// Makes the agent page's report on a thread of its own when the server
/// starts, so that the first agent after a start does not wait for it (at a
/// million searches, seconds): until it is in, the page says it is being
/// made. Nothing when the agent area or analytics are off.
pub fn report_in_background(state: &AppState) {
    if state.config.agent_token.is_some() {
        state
            .analytics
            .make_report_in_background(REPORT_WINDOW_SECS, REPORT_ROWS);
    }
}

/// "방금 집계" under a minute, else "N분 전 집계" (a report older than an
/// hour is one no page asked for since: "N시간 전 집계").
fn counted_ago(age: std::time::Duration) -> String {
    let minutes = age.as_secs() / 60;
    match minutes {
        0 => "방금 집계".to_string(),
        1..60 => format!("{minutes}분 전 집계"),
        _ => format!("{}시간 전 집계", minutes / 60),
    }
}

/// Renders the agent page for an authenticated agent.
pub async fn render(state: &AppState, lookup: Lookup<'_>) -> Response {
    let mut notices: Vec<String> = lookup.forgotten.map(forgotten_notice).into_iter().collect();
    let clock = state.config.clock;
    let snapshot = state.snapshot();
    let calendar = snapshot.assistant.rules.calendar();
    let today = parse_today(lookup.today, clock, calendar).unwrap_or_else(|_| {
        let range = match (calendar.covered_from(), calendar.covered_until()) {
            (Some(from), Some(to)) => format!("{from}부터 {to} 사이의 날짜를 "),
            _ => String::new(),
        };
        notices.push(format!(
            "기준일은 {range}YYYY-MM-DD 형식으로 입력해 주세요. 오늘 날짜로 조회했습니다."
        ));
        clock.today()
    });
    let preview = match (lookup.q, lookup.account) {
        (Some(q), Some(account)) => preview(state, q, account, today).await,
        _ => None,
    };
    let search = match lookup.q {
        Some(q) => search_view(state, q, &mut notices).await,
        None => None,
    };
    let account_view = match lookup.account {
        Some(id) => Some(account_view(state, id, today).await),
        None => None,
    };
    let recorder = state.analytics.clone();
    let max_age = state.config.report_max_age;
    let made = tokio::task::spawn_blocking(move || {
        recorder.recent_report(REPORT_WINDOW_SECS, REPORT_ROWS, max_age)
    })
    .await
    .ok()
    .flatten();
    let (report, counted, unavailable) = match made {
        Some(Ok((report, age))) => (Some(report), counted_ago(age), ""),
        Some(Err(_)) => (
            None,
            String::new(),
            "검색 분석을 불러오지 못했습니다 (데이터 저장소가 꺼져 있거나 읽을 수 없습니다).",
        ),
        None => (
            None,
            String::new(),
            "검색 분석을 집계하고 있습니다. 잠시 뒤 새로 고침해 주세요.",
        ),
    };
    let tables = report.as_ref().map(report_tables).unwrap_or_default();
    let snapshot = state.snapshot();
    let content = snapshot.engine.content();
    let unhelpful = report
        .as_ref()
        .map(|r| unhelpful_views(r, content))
        .unwrap_or_default();
    let passed_over = report
        .as_ref()
        .map(|r| passed_over_views(r, content))
        .unwrap_or_default();
    let chat = report
        .as_ref()
        .and_then(Report::chat_line)
        .unwrap_or_default();
    let page = AgentPage {
        title: "상담원 조회",
        css_url: assets::css_url(),
        logged_in: true,
        q: lookup.q.unwrap_or("").to_string(),
        account: lookup.account.unwrap_or("").to_string(),
        today_input: lookup.today.unwrap_or("").to_string(),
        notices,
        preview,
        search,
        account_view,
        report,
        counted,
        unavailable,
        kept: kept(state.config.analytics_retention),
        chat,
        tables,
        unhelpful,
        passed_over,
    };
    HtmlTemplate(StatusCode::OK, page).into_response()
}

/// The line under the report saying how long records are kept and what is masked
/// (`--analytics-retention-days`, [`analytics::redact`]).
fn kept(retention: Option<std::time::Duration>) -> String {
    let days = retention.map(|d| d.as_secs().div_ceil(86_400));
    let kept = match days {
        Some(days) => format!("기록은 {days}일 동안 보관하며"),
        None => "기록은 기한 없이 보관하며".to_string(),
    };
    format!(
        "{kept}, 검색어·의견·챗봇 질문의 전화번호 같은 긴 숫자와 이메일 주소는 가려서 저장합니다."
    )
}

fn stat_rows(stats: &[QueryStat], with_results: bool) -> Vec<(String, String)> {
    stats
        .iter()
        .map(|s| {
            let n = if with_results {
                format!("{}회 (결과 {}건)", s.count, s.results)
            } else {
                format!("{}회", s.count)
            };
            (s.query_in_category(), n)
        })
        .collect()
}

fn unhelpful_views(r: &Report, content: &Content) -> Vec<UnhelpfulView> {
    r.unhelpful
        .iter()
        .map(|e| UnhelpfulView {
            id: e.id.clone(),
            title: title_or_id(content, &e.id),
            url: article_path(&e.id),
            no: e.no,
            yes: e.yes,
            comments: e.comments.clone(),
            questions: e
                .questions
                .iter()
                .map(|q| (q.clone(), lookup_url(q)))
                .collect(),
        })
        .collect()
}

/// The agent page's lookup of `query`.
fn lookup_url(query: &str) -> String {
    format!("/agent?q={}", enc(query))
}

/// An entry's title, or its id when the content no longer has it (the
/// report may name entries since removed).
fn title_or_id(content: &Content, id: &str) -> String {
    content
        .get(id)
        .map_or_else(|| id.to_string(), |e| e.title.to_string())
}

fn passed_over_views(r: &Report, content: &Content) -> Vec<PassedOverView> {
    r.answer_passed_over
        .iter()
        .map(|p| PassedOverView {
            query: p.query.clone(),
            search_url: lookup_url(&p.query),
            answer_title: title_or_id(content, &p.answer),
            answer_url: article_path(&p.answer),
            searches: p.searches,
            other_opened: p.other_opened,
        })
        .collect()
}

fn report_tables(r: &Report) -> Vec<ReportTable> {
    vec![
        ReportTable {
            title: "많이 찾은 검색어",
            rows: stat_rows(&r.top_queries, true),
        },
        ReportTable {
            title: "결과가 없는 검색어",
            rows: stat_rows(&r.no_results, false),
        },
        ReportTable {
            title: "결과를 아무도 열지 않은 검색어",
            rows: stat_rows(&r.unopened, true),
        },
        ReportTable {
            title: "챗봇이 답을 찾지 못한 질문",
            rows: stat_rows(&r.chat_not_found, false),
        },
    ]
}

async fn search_view(state: &AppState, q: &str, notices: &mut Vec<String>) -> Option<SearchView> {
    let req = match SearchRequest::new(q).and_then(|r| r.size(20)) {
        Ok(r) => r,
        Err(e) => {
            notices.push(format!("검색할 수 없습니다: {e}"));
            return None;
        }
    };
    let results = match run_search(&state.snapshot(), req).await {
        Ok(r) => std::sync::Arc::unwrap_or_clone(r),
        Err(e) => {
            notices.push(format!("검색하지 못했습니다: {}", e.message));
            return None;
        }
    };
    let hits = agent_hits(state, results.hits)
        .into_iter()
        .map(|h| AgentHitView {
            snippet_html: h.hit.snippet.html(),
            title: h.hit.title,
            url: h.hit.url,
            breadcrumb: h.hit.breadcrumb,
            id: h.hit.id,
            updated: h.hit.updated.to_string(),
            decision: h.hit.decision,
            source: h.source,
            score: format!("{:.2}", h.hit.score),
        })
        .collect();
    Some(SearchView {
        query: results.query,
        read_as: results.read_as,
        total: results.total,
        hits,
    })
}

async fn account_view(state: &AppState, id: &str, today: NaiveDate) -> AccountView {
    let mut view = AccountView {
        id: id.to_string(),
        today,
        json_url: format!("/api/agent/accounts/{}/decisions?today={today}", enc(id)),
        message: None,
        decisions: Vec::new(),
    };
    let snapshot = state.snapshot();
    match snapshot.assistant.accounts.account(id).await {
        AccountLookup::NotFound => {
            view.message = Some(format!(
                "계정 {id}을(를) 찾을 수 없습니다. ID를 확인해 주세요."
            ));
        }
        AccountLookup::Unavailable(why) => {
            view.message = Some(format!(
                "지금은 계정 정보를 가져올 수 없습니다 (고객에게는 일반 안내가 나갑니다). 원인: {why}"
            ));
        }
        AccountLookup::Found(a) => {
            let content = snapshot.engine.content();
            view.decisions = snapshot
                .assistant
                .rules
                .evaluate_all(&a.facts(), today)
                .into_iter()
                .map(|r| DecisionView {
                    evaluations: r
                        .results
                        .iter()
                        .map(|e| evaluation_view(e, content))
                        .collect(),
                    title: r.title,
                    decision: r.decision,
                })
                .collect();
        }
    }
    view
}

fn evaluation_view(e: &Evaluation, content: &Content) -> EvaluationView {
    EvaluationView {
        record: e.record.clone(),
        outcome: e.outcome.clone(),
        row: match e.row {
            Some(n) => format!("행 {n} · 줄 {}", e.line),
            None => format!("해당 기록 없음 · 줄 {}", e.line),
        },
        answer: e.answer.clone(),
        related: e
            .related
            .iter()
            .filter_map(|id| content.get(id))
            .map(|r| EntryLink {
                title: r.title.to_string(),
                url: article_path(r.id.as_str()),
            })
            .collect(),
        trace: e
            .trace
            .iter()
            .map(|step| TraceView {
                row: step.row,
                line: step.line,
                matched: step.failed.is_none(),
                outcome: step.outcome.clone(),
                condition: step
                    .failed
                    .as_ref()
                    .map(|f| format!("{} {} (줄 {})", f.fact, f.condition, f.line))
                    .unwrap_or_default(),
                actual: step
                    .failed
                    .as_ref()
                    .map(|f| f.actual.clone())
                    .unwrap_or_default(),
            })
            .collect(),
    }
}

/// The answer `account` would get for `q`, as text with the reasons
/// ([`super::agent::answer_with`]). The query obeys the search limits (an over-long one
/// gets no preview; the search section says why).
async fn preview(state: &AppState, q: &str, account: &str, today: NaiveDate) -> Option<String> {
    let req = SearchRequest::new(q).ok()?;
    super::agent::answer_with(state, &req, Some(account), today, |answer| {
        render_text(answer, true)
    })
    .await
}
