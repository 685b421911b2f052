//! The customer center: server-rendered pages (askama templates, see [`super::views`]).
//! Everything works without JavaScript; the only script adds autocomplete.
//!
//! - `GET /`: search box, the category tree with counts, the most viewed entries.
//! - `GET /search?q=&category=&sort=&page=&size=`: "도움말 검색 결과 (총 N건)", 정렬 기준
//!   (정확도순/최신순), 카테고리 선택 with counts, `[서비스][대분류][소분류]` crumbs,
//!   snippets with `<mark>`, pagination. With no results: a corrected query when one
//!   finds something ("이것을 찾으셨나요?"), the most viewed entries, the categories;
//!   when the category filter names no category, that instead of spelling advice,
//!   with the search over every category. Nothing typed (`q=` empty): 303 to the
//!   category's page, or the home page.
//! - `GET /articles/{id}`: the answer, breadcrumb, 최종 업데이트, related entries and
//!   "이 도움말이 도움이 되었나요?" (a plain form). Results link here with
//!   `?from=<query>&rank=<n>`: that is how a click from a result is recorded. `from` is
//!   taken as a search's `q` is (1-200 characters, cleaned, masked when stored); any
//!   other is ignored, and the view is recorded without a query.
//! - `POST /articles/{id}/feedback` (form: `helpful=yes|no`, optional `comment`): the vote
//!   is committed before the answer (303 back to the article, `?voted=`); when it cannot be
//!   stored, a 503 page says so. A post from another site is refused (403), as the agent
//!   login's is ([`super::auth::same_origin`]).
//! - `GET /categories/{path}`: a category's entries and subcategories.
//! - anything else: the 404 page.
//!
//! Every search and article view is recorded through [`crate::analytics::Recorder`]
//! (off the request path; a failing store never breaks a page), once:
//! - a search is what a customer typed: the results page's own links (sort, 카테고리
//!   선택, pages) carry `re=1` and are not recorded again;
//! - a browser reload (`Cache-Control: max-age=0` / `no-cache`, what browsers send when
//!   the page is reloaded and a link never does) records neither a search nor a view.
//!   No cookie and no address is needed to tell.

use axum::Router;
use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Form, Path, Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::AppState;
use super::auth::{Denied, same_origin};
use super::error::{ApiError, Code};
use super::params::{Params, SearchParams, run_search, search_with_answer};
use super::views::{
    AnswerBox, ArticlePage, CategoryLink, CategoryPage, CategoryTree, Choice, Chrome,
    DESCRIPTION_CHARS, DatedLink, EntryLink, EntryRow, Highlights, HitView, HomePage, HtmlTemplate,
    Link, MessagePage, NotFoundPage, PageMeta, ResultsPage, Scope,
};
use crate::analytics::{self, Event, Vote};
use crate::ask::sure::SureAnswer;
use crate::content::{Category, Content, Entry};
use crate::search::engine::article_path;
use crate::search::request::{DEFAULT_PAGE_SIZE, MAX_QUERY_CHARS};
use crate::search::{SearchRequest, SearchResults, Sort};
use crate::text::{clean_input, cut_at_sentence};

/// The site's name, shown in every page's header.
pub const SITE_NAME: &str = "도움 고객센터";

/// How many "most viewed" entries the home and no-result pages show.
const POPULAR: usize = 6;
/// How many recently updated entries they show besides.
const RECENT: usize = 4;
/// "Most viewed" counts views of the last 30 days.
const POPULAR_WINDOW_SECS: i64 = 30 * 86_400;
/// How old the count of the most viewed entries may be when a page shows it,
/// unless configured otherwise ([`super::WebConfig::popular_max_age`],
/// `--popular-max-age`).
pub const POPULAR_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(60);
/// Marks a results page's own links (sort, category, page): the same search refined,
/// not a new one.
const REFINE: &str = "re=1";
/// The largest feedback form accepted.
const MAX_FEEDBACK_BYTES: usize = 8 * 1024;

/// The page routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/search", get(search))
        .route("/articles/{id}", get(article))
        .route(
            "/articles/{id}/feedback",
            post(feedback).layer(DefaultBodyLimit::max(MAX_FEEDBACK_BYTES)),
        )
        .route("/categories/{*path}", get(category))
}

// ------------------------------------------------------------------ helpers

/// Percent-encodes a query-string value (everything but unreserved ASCII).
pub fn enc(s: &str) -> String {
    crate::links::encode_component(s)
}

/// A link to the results page. Defaults (relevance, page 1, default size) are left out.
fn search_url(q: &str, category: Option<&str>, sort: Sort, page: usize, size: usize) -> String {
    let mut url = format!("/search?q={}", enc(q));
    if let Some(c) = category {
        url.push_str(&format!("&category={}", enc(c)));
    }
    if sort == Sort::Updated {
        url.push_str("&sort=updated");
    }
    if page > 1 {
        url.push_str(&format!("&page={page}"));
    }
    if size != DEFAULT_PAGE_SIZE {
        url.push_str(&format!("&size={size}"));
    }
    url
}

/// A results page's own link to `url` (see [`REFINE`]).
fn refined(url: String) -> String {
    format!("{url}&{REFINE}")
}

/// Whether the request is a browser reload of the page (see the module docs).
fn is_reload(headers: &HeaderMap) -> bool {
    [header::CACHE_CONTROL, header::PRAGMA].iter().any(|h| {
        headers.get_all(h).iter().any(|v| {
            v.to_str().is_ok_and(|v| {
                let v = v.to_ascii_lowercase();
                v.contains("max-age=0") || v.contains("no-cache")
            })
        })
    })
}

/// The page of a category path (`/`-joined levels).
pub(crate) fn category_url(path: &str) -> String {
    let segments: Vec<String> = path.split('/').map(enc).collect();
    format!("/categories/{}", segments.join("/"))
}

fn korean_date(d: chrono::NaiveDate) -> String {
    d.format("%Y년 %-m월 %-d일").to_string()
}

/// A link to `c` with its count, labelled with its last level.
fn category_link(c: &Category, depth: usize) -> CategoryLink {
    CategoryLink {
        label: c.label().to_string(),
        count: c.count,
        url: category_url(&c.path),
        depth,
        current: false,
    }
}

fn entry_link(e: &Entry) -> EntryLink {
    EntryLink {
        title: e.title.to_string(),
        url: article_path(e.id.as_str()),
    }
}

/// An entry's `[서비스][대분류][소분류]` crumbs: its service, then its category's levels.
fn entry_crumbs(e: &Entry) -> Vec<String> {
    std::iter::once(e.service.to_string())
        .chain(e.category.levels().iter().cloned())
        .collect()
}

/// Breadcrumb links for an entry's (or a category's) levels.
fn crumb_links(levels: &[String]) -> Vec<Link> {
    (1..=levels.len())
        .map(|n| Link {
            label: levels[n - 1].clone(),
            url: category_url(&levels[..n].join("/")),
        })
        .collect()
}

/// Links to the pages around `page` of `total` (up to ten), and to the
/// previous and next ones; nothing when everything fits on one page.
fn pager(
    page: usize,
    total: usize,
    url: impl Fn(usize) -> String,
) -> (Vec<Choice>, Option<String>, Option<String>) {
    if total <= 1 {
        return (Vec::new(), None, None);
    }
    let from = page.saturating_sub(4).max(1);
    let to = (from + 9).min(total);
    (
        (from..=to)
            .map(|p| Choice {
                label: p.to_string(),
                url: url(p),
                current: p == page,
            })
            .collect(),
        (page > 1).then(|| url(page - 1)),
        (page < total).then(|| url(page + 1)),
    )
}

/// Counts the most viewed entries on a thread of its own, so that the first
/// home page after a start does not wait for the count (see
/// [`analytics::Recorder::recently_most_viewed`]); nothing when analytics are off.
pub fn count_popular_in_background(state: &AppState) {
    state
        .analytics
        .count_most_viewed_in_background(POPULAR_WINDOW_SECS, POPULAR);
}

/// The most viewed entries (analytics) and, under their own heading, the most
/// recently updated ones that list does not hold.
async fn highlights(state: &AppState) -> Highlights {
    let recorder = state.analytics.clone();
    let max_age = state.config.popular_max_age;
    let viewed = tokio::task::spawn_blocking(move || {
        recorder.recently_most_viewed(POPULAR_WINDOW_SECS, POPULAR, max_age)
    })
    .await
    .unwrap_or_default();
    let snapshot = state.snapshot();
    let content = snapshot.engine.content();
    let popular: Vec<&Entry> = viewed
        .iter()
        .filter_map(|(id, _)| content.get(id))
        .collect();
    let recent = content
        .catalog()
        .newest(content)
        .filter(|e| !popular.iter().any(|p| p.id == e.id))
        .take(RECENT)
        .map(|e| DatedLink {
            title: e.title.to_string(),
            url: article_path(e.id.as_str()),
            updated: korean_date(e.updated),
            updated_iso: e.updated.to_string(),
        })
        .collect();
    Highlights {
        popular: popular.into_iter().map(entry_link).collect(),
        recent,
    }
}

/// The 404 page.
pub fn not_found_page() -> Response {
    HtmlTemplate(
        StatusCode::NOT_FOUND,
        NotFoundPage {
            chrome: Chrome::new("페이지를 찾을 수 없습니다", ""),
        },
    )
    .into_response()
}

/// The 403 page for a form posted from another site (see
/// [`super::auth::same_origin`]): the feedback form, the agent login and logout.
pub fn cross_site_page() -> Response {
    message_page(
        StatusCode::FORBIDDEN,
        "",
        "요청을 받을 수 없습니다",
        "다른 사이트에서 보낸 요청은 받지 않습니다. 고객센터 페이지에서 다시 보내 주세요.".into(),
    )
}

/// The Korean page for an error a customer page can meet before (or instead
/// of) its handler: a wrong method, a body too large or too slow, an answer
/// too slow. Under `/api/` and `/kakao/` these are JSON ([`super::wants_json`]).
pub fn error_page(code: Code) -> Response {
    let (heading, message) = match code {
        Code::MethodNotAllowed => (
            "요청을 처리할 수 없습니다",
            "이 주소는 그런 방식의 요청을 받지 않습니다. 고객센터 첫 화면에서 다시 찾아 주세요.",
        ),
        Code::BodyTooLarge => (
            "보내신 내용이 너무 깁니다",
            "보내신 내용이 너무 길어 받지 못했습니다. 내용을 줄여 다시 보내 주세요.",
        ),
        Code::RequestTimeout => (
            "요청이 도착하지 않았습니다",
            "보내신 내용이 제시간에 도착하지 않았습니다. 잠시 후 다시 시도해 주세요.",
        ),
        _ => (
            "잠시 후 다시 시도해 주세요",
            "일시적인 문제로 페이지를 보여 드리지 못했습니다. 잠시 후 다시 시도해 주세요.",
        ),
    };
    HtmlTemplate(
        code.status(),
        MessagePage {
            chrome: Chrome::new(heading, ""),
            heading: heading.to_string(),
            message: message.to_string(),
            link: Some(Link {
                label: "고객센터 첫 화면으로 가기".into(),
                url: "/".into(),
            }),
        },
    )
    .into_response()
}

fn message_page(status: StatusCode, q: &str, heading: &str, message: String) -> Response {
    HtmlTemplate(
        status,
        MessagePage {
            chrome: Chrome::new(heading, q),
            heading: heading.to_string(),
            message,
            link: None,
        },
    )
    .into_response()
}

// --------------------------------------------------------------------- home

const QUICK_SEARCHES: [&str; 5] = [
    "환불계좌",
    "세금계산서",
    "무상캐시",
    "광고 소재",
    "멤버 초대",
];

/// The home page's description: the service and its top categories.
fn home_description(content: &Content) -> String {
    let service = content
        .entries()
        .first()
        .map(|e| e.service.to_string())
        .unwrap_or_default();
    let tops: Vec<&str> = content.catalog().tops().map(|c| c.label()).collect();
    cut_at_sentence(
        &format!(
            "{service} 도움말: {}에 대해 자주 묻는 질문과 답변을 찾아보세요.",
            tops.join(", ")
        ),
        DESCRIPTION_CHARS,
    )
}

/// A category page's description: how many entries, and the first titles.
fn category_description(heading: &str, count: usize, entries: &[&Entry]) -> String {
    let titles: Vec<&str> = entries.iter().take(3).map(|e| &*e.title).collect();
    cut_at_sentence(
        &format!("{heading} 도움말 {count}개: {}", titles.join(" · ")),
        DESCRIPTION_CHARS,
    )
}

async fn home(State(state): State<AppState>) -> Response {
    let snapshot = state.snapshot();
    let content = snapshot.engine.content();
    let catalog = content.catalog();
    let tree = catalog
        .tops()
        .map(|top| CategoryTree {
            label: top.label().to_string(),
            count: top.count,
            url: category_url(&top.path),
            children: catalog
                .children(top)
                .map(|sub| category_link(sub, 2))
                .collect(),
        })
        .collect();
    let page = HomePage {
        chrome: Chrome::new("무엇을 도와드릴까요?", "")
            .described(PageMeta {
                canonical: state.config.absolute_url("/"),
                description: home_description(content),
                og_type: "website",
            })
            .contact(state.config.contact_url.as_deref()),
        quick_searches: QUICK_SEARCHES
            .iter()
            .map(|q| Link {
                label: q.to_string(),
                url: search_url(q, None, Sort::Relevance, 1, DEFAULT_PAGE_SIZE),
            })
            .collect(),
        tree,
        highlights: highlights(&state).await,
    };
    HtmlTemplate(StatusCode::OK, page).into_response()
}

// ------------------------------------------------------------------ results

/// A customer-facing message for a rejected search (matched on the error's field and
/// code, never its English text).
fn error_message(e: &ApiError) -> &'static str {
    match (e.code, e.field) {
        (Code::PageOutOfRange, _) => "요청하신 페이지에는 검색 결과가 없습니다.",
        (_, Some("q")) => "검색어를 1자 이상 200자 이하로 입력해 주세요.",
        (_, Some("sort")) => "정렬은 정확도순 또는 최신순만 선택할 수 있습니다.",
        (_, Some("page")) => "페이지 번호가 올바르지 않습니다.",
        (_, Some("size")) => "한 페이지에는 1건에서 50건까지 볼 수 있습니다.",
        (_, Some("category")) => "카테고리가 올바르지 않습니다.",
        _ if e.status().is_server_error() => {
            "일시적인 오류로 검색하지 못했습니다. 잠시 후 다시 시도해 주세요."
        }
        _ => "검색 조건이 올바르지 않습니다.",
    }
}

fn search_error(params: &SearchParams, e: &ApiError) -> Response {
    let q = params.q.as_deref().unwrap_or("").trim();
    let link = (e.code == Code::PageOutOfRange && !q.is_empty()).then(|| Link {
        label: "첫 페이지로 가기".into(),
        url: search_url(
            q,
            params.category.as_deref(),
            Sort::Relevance,
            1,
            DEFAULT_PAGE_SIZE,
        ),
    });
    HtmlTemplate(
        e.status(),
        MessagePage {
            chrome: Chrome::new("검색", q),
            heading: "검색".into(),
            message: error_message(e).into(),
            link,
        },
    )
    .into_response()
}

async fn search(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    params: Result<Params, ApiError>,
) -> Response {
    let params = match params {
        Ok(Params(p)) => p,
        Err(e) => return search_error(&SearchParams::default(), &e),
    };
    if params.q.as_deref().is_none_or(|q| q.trim().is_empty()) {
        return see_other(&empty_search_target(&state, &params));
    }
    let req = match params.to_request() {
        Ok(r) => r,
        Err(e) => return search_error(&params, &e.into()),
    };
    let snapshot = state.snapshot();
    let (results, answer) = match search_with_answer(&snapshot, &req).await {
        Ok(r) => r,
        Err(e) => return search_error(&params, &e),
    };
    let refinement = raw
        .as_deref()
        .is_some_and(|q| q.split('&').any(|p| p == REFINE));
    if !refinement && !is_reload(&headers) {
        record_search(
            &state,
            req.category_filter(),
            &results,
            answer.as_deref(),
            "page",
        );
    }
    let content = snapshot.engine.content();
    let mut page = results_page(content, &req, &results);
    page.chrome.contact_url = state.config.contact_url.clone();
    if let Some(answer) = answer {
        if results.hits.first().is_some_and(|h| h.id == answer.id) {
            page.hits[0].answer_lead = Some(answer.lead.clone());
        } else {
            page.answer = Some(answer_view(&answer, &page, &results, content));
        }
    }
    if results.total == 0 {
        page.correction = correction(&state, req.query()).await;
        page.highlights = highlights(&state).await;
    }
    HtmlTemplate(StatusCode::OK, page).into_response()
}

/// Where a search with nothing typed goes (the search box submitted empty):
/// the page of the category it was scoped to, when that is one, else the
/// home page. The API answers 400 instead.
fn empty_search_target(state: &AppState, params: &SearchParams) -> String {
    let snapshot = state.snapshot();
    let catalog = snapshot.engine.content().catalog();
    params
        .category
        .as_deref()
        .map(super::params::category_path)
        .and_then(|c| catalog.get(&c).map(|c| category_url(&c.path)))
        .unwrap_or_else(|| "/".to_string())
}

/// A 303 to `to`.
fn see_other(to: &str) -> Response {
    let mut res = Redirect::to(to).into_response();
    *res.status_mut() = StatusCode::SEE_OTHER;
    res
}

/// The answer box for `answer` when it is not the first result: its link is
/// the result's own (recorded as a click on it) when this page lists it.
fn answer_view(
    answer: &SureAnswer,
    page: &ResultsPage,
    res: &SearchResults,
    content: &Content,
) -> AnswerBox {
    let url = match res.hits.iter().position(|h| h.id == answer.id) {
        Some(i) => page.hits[i].url.clone(),
        None => format!(
            "{}?from={}",
            answer.url,
            enc(&crate::analytics::normalize(res.searched()))
        ),
    };
    AnswerBox {
        crumbs: content
            .get(&answer.id)
            .map(entry_crumbs)
            .unwrap_or_default(),
        title: answer.title.clone(),
        url,
        lead: answer.lead.clone(),
    }
}

/// Records a search and the answer it showed, if any (shared by the page and
/// the API).
pub fn record_search(
    state: &AppState,
    category: Option<&str>,
    results: &SearchResults,
    answer: Option<&SureAnswer>,
    source: &'static str,
) {
    state.analytics.record(Event::Search {
        at: analytics::now(),
        query: results.query.clone(),
        // Grouped by what was searched: `ghksqnf` counts as 환불.
        normalized: analytics::normalize(results.searched()),
        results: results.total,
        page: results.page,
        source,
        category: category.map(String::from),
        answer: answer.map(|a| a.id.clone()),
    });
}

/// "이것을 찾으셨나요?": the corrected query, when searching it finds something.
async fn correction(state: &AppState, q: &str) -> Option<Link> {
    let snapshot = state.snapshot();
    let fixed = snapshot.engine.correction(q)?;
    let req = SearchRequest::new(&fixed).ok()?;
    let found = run_search(&snapshot, req).await.ok()?;
    (found.total > 0).then(|| Link {
        url: search_url(&fixed, None, Sort::Relevance, 1, DEFAULT_PAGE_SIZE),
        label: fixed,
    })
}

fn results_page(content: &Content, req: &SearchRequest, res: &SearchResults) -> ResultsPage {
    let q = req.query();
    let filter = req.category_filter();
    let sort = req.sort_order();
    let size = req.page_size();
    let catalog = content.catalog();
    let levels_of = |path: &str| catalog.get(path).map(|c| c.levels.clone());

    let sorts = [(Sort::Relevance, "정확도순"), (Sort::Updated, "최신순")]
        .into_iter()
        .map(|(s, label)| Choice {
            label: label.into(),
            url: refined(search_url(q, filter, s, 1, size)),
            current: s == sort,
        })
        .collect();
    let filter_link = filter.map(|f| Link {
        label: levels_of(f).map_or_else(|| f.to_string(), |l| l.join(" > ")),
        url: refined(search_url(q, None, sort, 1, size)),
    });

    // 카테고리 선택: 전체, then the tree of matched categories (depth-first).
    let all: usize = res
        .categories
        .iter()
        .filter(|c| levels_of(&c.path).is_some_and(|l| l.len() == 1))
        .map(|c| c.count)
        .sum();
    let mut categories = vec![CategoryLink {
        label: "전체".into(),
        count: all,
        url: refined(search_url(q, None, sort, 1, size)),
        depth: 1,
        current: filter.is_none(),
    }];
    let mut matched: Vec<(Vec<String>, &str, usize)> = res
        .categories
        .iter()
        .filter_map(|c| levels_of(&c.path).map(|l| (l, c.path.as_str(), c.count)))
        .collect();
    matched.sort_by(|a, b| a.0.cmp(&b.0));
    for (levels, path, count) in &matched {
        categories.push(CategoryLink {
            label: levels.last().cloned().unwrap_or_default(),
            count: *count,
            url: refined(search_url(q, Some(path), sort, 1, size)),
            depth: levels.len(),
            current: filter == Some(*path),
        });
    }

    let first_rank = (res.page - 1) * res.size + 1;
    // A click is paired with its search by what was searched (see `record_search`).
    let from = enc(&crate::analytics::normalize(res.searched()));
    let hits = res
        .hits
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let mut crumbs = vec![h.service.clone()];
            crumbs.extend(h.category.iter().cloned());
            HitView {
                crumbs,
                title: h.title.clone(),
                url: format!("{}?from={from}&rank={}", h.url, first_rank + i),
                snippet_html: h.snippet.html(),
                updated: korean_date(h.updated),
                answer_lead: None,
            }
        })
        .collect();

    let pages_total = res.total.div_ceil(res.size);
    let (pages, prev, next) = pager(res.page, pages_total, |p| {
        refined(search_url(&res.query, filter, sort, p, res.size))
    });

    // A query typed in English mode is shown as read, so that the next
    // search starts from the Hangul.
    let shown = res.searched();
    let mut chrome = Chrome::new(format!("{shown} 검색 결과"), shown);
    chrome.scope = filter.map(|f| Scope {
        path: f.to_string(),
        label: levels_of(f)
            .and_then(|l| l.last().cloned())
            .unwrap_or_else(|| f.to_string()),
    });
    ResultsPage {
        chrome,
        query: q.to_string(),
        total: res.total,
        estimated: res.estimated,
        sorts,
        filter: filter_link,
        correction: None,
        unknown_category: filter.filter(|f| catalog.get(f).is_none()).map(|f| Link {
            label: f.to_string(),
            url: search_url(q, None, sort, 1, size),
        }),
        read_as: res.read_as.clone(),
        categories,
        hits,
        first_rank,
        pages,
        prev,
        next,
        answer: None,
        highlights: Highlights::default(),
        all_categories: catalog.tops().map(|top| category_link(top, 1)).collect(),
    }
}

// ------------------------------------------------------------------ article

#[derive(Debug, Default, Deserialize)]
struct ArticleParams {
    /// The (normalized) query of the results page the article was opened from.
    from: Option<String>,
    /// Its position there.
    rank: Option<String>,
    /// `yes`/`no` after a vote.
    voted: Option<String>,
}

/// The query an article was opened from (`?from=`), as a search's `q` is
/// taken: 1 to [`MAX_QUERY_CHARS`] characters, control characters and runs of
/// whitespace cleaned ([`clean_input`]), then normalized as the results page
/// wrote it ([`analytics::normalize`]); masked when stored, as every query is.
/// `None` for anything a search would refuse: the view is then recorded
/// without a query.
fn clicked_from(from: &str) -> Option<String> {
    SearchRequest::new(from).ok()?;
    let query = analytics::normalize(&clean_input(from, MAX_QUERY_CHARS));
    (!query.is_empty()).then_some(query)
}

async fn article(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    params: Result<Query<ArticleParams>, QueryRejection>,
) -> Response {
    let snapshot = state.snapshot();
    let content = snapshot.engine.content();
    let Some(e) = id.ok().and_then(|Path(id)| content.get(&id)) else {
        return not_found_page();
    };
    let params = params.map(|Query(p)| p).unwrap_or_default();
    let thanks = match params.voted.as_deref() {
        Some("yes") => Some("의견을 보내 주셔서 감사합니다. 도움이 되어 기쁩니다."),
        Some("no") => Some("의견을 보내 주셔서 감사합니다. 더 나은 도움말로 고치겠습니다."),
        _ => None,
    };
    if thanks.is_none() && !is_reload(&headers) {
        let query = params.from.as_deref().and_then(clicked_from);
        state.analytics.record(Event::View {
            at: analytics::now(),
            entry_id: e.id.to_string(),
            rank: query
                .as_ref()
                .and(params.rank.as_deref())
                .and_then(|r| r.trim().parse().ok())
                .filter(|&r: &usize| r >= 1),
            query,
        });
    }
    let levels = e.category.levels();
    let siblings = content
        .entries()
        .iter()
        .filter(|o| o.id != e.id && o.category.levels() == levels && !e.related.contains(&o.id))
        .take(5)
        .map(entry_link)
        .collect();
    let page = ArticlePage {
        chrome: Chrome::new(&*e.title, "")
            .described(PageMeta {
                canonical: state.config.absolute_url(&article_path(e.id.as_str())),
                description: e.lead(DESCRIPTION_CHARS),
                og_type: "article",
            })
            .contact(state.config.contact_url.as_deref()),
        voted_no: params.voted.as_deref() == Some("no"),
        service: e.service.to_string(),
        crumbs: crumb_links(levels),
        title: e.title.to_string(),
        updated: korean_date(e.updated),
        updated_iso: e.updated.to_string(),
        body_html: e.body.html().into_owned(),
        feedback_url: format!("{}/feedback", article_path(e.id.as_str())),
        thanks,
        related: e
            .related
            .iter()
            .filter_map(|id| content.get(id.as_str()))
            .map(entry_link)
            .collect(),
        siblings,
    };
    HtmlTemplate(StatusCode::OK, page).into_response()
}

#[derive(Debug, Deserialize)]
struct FeedbackForm {
    helpful: Option<String>,
    comment: Option<String>,
}

async fn feedback(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    form: Result<Form<FeedbackForm>, FormRejection>,
) -> Response {
    // A vote posted by another site's page (a hidden form voting for its
    // visitors) is refused; curl and browsers without `Origin` still vote.
    if !same_origin(&headers, &state.config.public_base_url) {
        return Denied::CrossSite.into_response();
    }
    let snapshot = state.snapshot();
    let content = snapshot.engine.content();
    let Some(e) = id.ok().and_then(|Path(id)| content.get(&id)) else {
        return not_found_page();
    };
    let form = match form {
        Ok(Form(f)) => Some(f),
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return error_page(Code::BodyTooLarge);
        }
        Err(_) => None,
    };
    let helpful = match form.as_ref().and_then(|f| f.helpful.as_deref()) {
        Some("yes") => true,
        Some("no") => false,
        _ => {
            return message_page(
                StatusCode::BAD_REQUEST,
                "",
                "의견을 받지 못했습니다",
                "‘예’ 또는 ‘아니요’를 선택해 주세요.".into(),
            );
        }
    };
    let comment = form.and_then(|f| f.comment).filter(|_| !helpful);
    let vote = Vote::new(e.id.as_str(), helpful, comment.as_deref());
    let recorder = state.analytics.clone();
    let saved = tokio::task::spawn_blocking(move || recorder.vote(&vote)).await;
    match saved {
        Ok(Ok(())) => {
            let to = format!(
                "{}?voted={}#feedback",
                article_path(e.id.as_str()),
                if helpful { "yes" } else { "no" }
            );
            let mut res = see_other(&to);
            res.headers_mut().insert(
                header::CACHE_CONTROL,
                header::HeaderValue::from_static("no-store"),
            );
            res
        }
        Ok(Err(err)) => {
            tracing::warn!("feedback not stored: {err:#}");
            message_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "",
                "의견을 저장하지 못했습니다",
                "일시적인 문제로 의견을 저장하지 못했습니다. 잠시 후 다시 보내 주세요.".into(),
            )
        }
        Err(err) => {
            tracing::error!("feedback task failed: {err}");
            message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "",
                "의견을 저장하지 못했습니다",
                "일시적인 문제로 의견을 저장하지 못했습니다. 잠시 후 다시 보내 주세요.".into(),
            )
        }
    }
}

// ----------------------------------------------------------------- category

/// Entries per page of a category page (as a help center's section lists).
pub const CATEGORY_PAGE_SIZE: usize = 20;

#[derive(Debug, Default, Deserialize)]
struct CategoryParams {
    /// 1-based page, as typed (validated by the handler).
    page: Option<String>,
}

async fn category(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    params: Result<Query<CategoryParams>, QueryRejection>,
) -> Response {
    let snapshot = state.snapshot();
    let content = snapshot.engine.content();
    let catalog = content.catalog();
    let Some(path) = path.ok().map(|Path(p)| p.trim_matches('/').to_string()) else {
        return not_found_page();
    };
    let Some(here) = catalog.get(&path) else {
        return not_found_page();
    };
    let levels = &here.levels;
    let heading = here.label().to_string();
    let pages_total = here.count.div_ceil(CATEGORY_PAGE_SIZE).max(1);
    let first_page = Link {
        label: "첫 페이지로 가기".into(),
        url: category_url(&here.path),
    };
    let page = match params.map(|Query(p)| p.page) {
        Ok(None) => Some(1),
        Ok(Some(p)) => p.trim().parse::<usize>().ok().filter(|&p| p >= 1),
        Err(_) => None,
    };
    let Some(page) = page else {
        return category_message(
            StatusCode::BAD_REQUEST,
            &heading,
            "페이지 번호가 올바르지 않습니다.",
            first_page,
        );
    };
    if page > pages_total {
        return category_message(
            StatusCode::NOT_FOUND,
            &heading,
            "요청하신 페이지에는 도움말이 없습니다.",
            first_page,
        );
    }
    let entries: Vec<&Entry> = catalog
        .newest_in(content, here)
        .skip((page - 1) * CATEGORY_PAGE_SIZE)
        .take(CATEGORY_PAGE_SIZE)
        .collect();
    let service = entries
        .first()
        .map(|e| e.service.to_string())
        .unwrap_or_default();
    let (pages, prev, next) = pager(page, pages_total, |p| {
        let base = category_url(&here.path);
        if p == 1 {
            base
        } else {
            format!("{base}?page={p}")
        }
    });
    let here_url = if page == 1 {
        category_url(&here.path)
    } else {
        format!("{}?page={page}", category_url(&here.path))
    };
    let mut chrome = Chrome::new(&heading, "")
        .described(PageMeta {
            canonical: state.config.absolute_url(&here_url),
            description: category_description(&heading, here.count, &entries),
            og_type: "website",
        })
        .contact(state.config.contact_url.as_deref());
    chrome.scope = Some(Scope {
        path: path.clone(),
        label: heading.clone(),
    });
    let page = CategoryPage {
        chrome,
        service,
        crumbs: crumb_links(levels),
        heading,
        total: here.count,
        children: catalog
            .children(here)
            .map(|c| category_link(c, 1))
            .collect(),
        entries: entries
            .into_iter()
            .map(|e| EntryRow {
                crumbs: entry_crumbs(e),
                title: e.title.to_string(),
                url: article_path(e.id.as_str()),
                updated: korean_date(e.updated),
            })
            .collect(),
        pages,
        prev,
        next,
    };
    HtmlTemplate(StatusCode::OK, page).into_response()
}

/// A category page that cannot be shown as asked, with a way back to its
/// first page.
fn category_message(status: StatusCode, heading: &str, message: &str, link: Link) -> Response {
    HtmlTemplate(
        status,
        MessagePage {
            chrome: Chrome::new(heading, ""),
            heading: heading.to_string(),
            message: message.to_string(),
            link: Some(link),
        },
    )
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_urls() {
        assert_eq!(enc("환불 a&b=c/d"), "%ED%99%98%EB%B6%88%20a%26b%3Dc%2Fd");
        assert_eq!(
            search_url("a b", Some("결제 관리"), Sort::Updated, 2, 20),
            "/search?q=a%20b&category=%EA%B2%B0%EC%A0%9C%20%EA%B4%80%EB%A6%AC&sort=updated&page=2&size=20"
        );
        assert_eq!(
            search_url("x", None, Sort::Relevance, 1, DEFAULT_PAGE_SIZE),
            "/search?q=x"
        );
        assert_eq!(
            category_url("결제 관리/환불"),
            "/categories/%EA%B2%B0%EC%A0%9C%20%EA%B4%80%EB%A6%AC/%ED%99%98%EB%B6%88"
        );
    }
}
