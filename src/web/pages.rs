//! The customer center: server-rendered HTML pages, no JavaScript.
//!
//! - `GET /`: search box and the entries by category.
//! - `GET /search?q=&category=&sort=&page=&size=`: results with their count
//!   ("검색결과 N건"), sort links (정확도순/최신순), the category filter with
//!   counts (카테고리 선택), breadcrumbs, snippets with `<mark>`, pagination.
//! - `GET /articles/{id}`: the answer with its breadcrumb, update date and
//!   related entries.
//! - anything else: a 404 page.
//!
//! Every piece of text is escaped with [`esc`]; the only HTML inserted as is
//! comes from the core: `body_html` (raw HTML in the Markdown is escaped when
//! content loads) and [`Snippet::html`](crate::search::Snippet::html).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use super::AppState;
use super::error::ApiError;
use super::params::{Params, SearchParams, run_search};
use crate::content::Content;
use crate::search::engine::article_path;
use crate::search::request::DEFAULT_PAGE_SIZE;
use crate::search::{SearchRequest, SearchResults, Sort};

/// The site's name, shown in every page's header.
pub const SITE_NAME: &str = "도움 고객센터";

/// The page routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/search", get(search))
        .route("/articles/{id}", get(article))
}

// ------------------------------------------------------------ HTML helpers

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query-string value (everything but unreserved ASCII).
pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// A link to the results page. Defaults (relevance, page 1, default size)
/// are left out.
fn search_url(q: &str, category: Option<&str>, sort: Sort, page: usize, size: usize) -> String {
    let mut url = format!("/search?q={}", enc(q));
    if let Some(c) = category {
        let _ = write!(url, "&category={}", enc(c));
    }
    if sort == Sort::Updated {
        url.push_str("&sort=updated");
    }
    if page > 1 {
        let _ = write!(url, "&page={page}");
    }
    if size != DEFAULT_PAGE_SIZE {
        let _ = write!(url, "&size={size}");
    }
    url
}

const STYLE: &str = "body{font-family:-apple-system,'Apple SD Gothic Neo','Malgun Gothic',sans-serif;\
margin:0;color:#222;line-height:1.6}header{background:#fee500;padding:12px 24px}\
header a.home{color:#222;font-weight:bold;text-decoration:none;margin-right:16px}\
main{max-width:960px;margin:0 auto;padding:16px 24px}form.search input[type=search]{width:60%;padding:6px}\
.breadcrumb{color:#666;font-size:.9em}mark{background:#fff3a0}.layout{display:flex;gap:32px}\
.categories{min-width:200px}.categories ul{list-style:none;padding-left:12px}\
.current{font-weight:bold}.hits{flex:1;padding-left:20px}.hits li{margin-bottom:20px}\
.meta{color:#888;font-size:.85em}.pagination a,.pagination span{margin-right:8px}\
.notice{background:#f5f5f5;padding:12px}\
code{font-family:inherit;font-size:.95em;background:#f3f3f3;padding:0 4px;border-radius:3px}";

fn search_form(q: &str, category: Option<&str>) -> String {
    let hidden = category
        .map(|c| {
            format!(
                r#"<label><input type="checkbox" name="category" value="{}" checked> 이 카테고리에서만</label>"#,
                esc(c)
            )
        })
        .unwrap_or_default();
    format!(
        r#"<form class="search" action="/search" method="get" role="search"><input type="search" name="q" value="{}" maxlength="200" placeholder="궁금한 점을 검색해 보세요" aria-label="검색어"> <button type="submit">검색</button> {hidden}</form>"#,
        esc(q)
    )
}

/// A whole page: head, header with the search box, `body`.
fn layout(title: &str, q: &str, category: Option<&str>, head: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"ko\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title} - {site}</title>{head}<style>{STYLE}</style></head>\
<body><header><a class=\"home\" href=\"/\">{site}</a>{form}</header>\
<main>{body}</main></body></html>\n",
        title = esc(title),
        site = esc(SITE_NAME),
        form = search_form(q, category),
    )
}

fn page(status: StatusCode, html: String) -> Response {
    (status, Html(html)).into_response()
}

/// The 404 page.
pub fn not_found_page() -> Response {
    let body = "<h1>페이지를 찾을 수 없어요</h1>\
<p class=\"notice\">주소가 바뀌었거나 삭제된 페이지예요. 위 검색창에서 궁금한 내용을 검색하거나 \
<a href=\"/\">고객센터 첫 화면</a>으로 돌아가 주세요.</p>";
    page(
        StatusCode::NOT_FOUND,
        layout("페이지를 찾을 수 없어요", "", None, "", body),
    )
}

fn korean_date(d: chrono::NaiveDate) -> String {
    d.format("%Y년 %-m월 %-d일").to_string()
}

// ------------------------------------------------------------------ home

async fn home(State(state): State<AppState>) -> Response {
    let snapshot = state.snapshot();
    let content = snapshot.engine.content();
    let mut by_top: BTreeMap<&str, Vec<&crate::content::Entry>> = BTreeMap::new();
    for e in content.entries() {
        by_top.entry(&e.category.levels()[0]).or_default().push(e);
    }
    let mut body = String::from(
        "<h1>무엇을 도와드릴까요?</h1><p>궁금한 점을 위 검색창에 입력해 보세요. \
예: <a href=\"/search?q=%ED%99%98%EB%B6%88\">환불</a>, \
<a href=\"/search?q=%EC%84%B8%EA%B8%88%EA%B3%84%EC%82%B0%EC%84%9C\">세금계산서</a></p>\
<h2>카테고리별 도움말</h2>",
    );
    for (top, mut entries) in by_top {
        entries.sort_by(|a, b| b.updated.cmp(&a.updated).then(a.id.cmp(&b.id)));
        let _ = write!(
            body,
            "<section><h3>{} <span class=\"meta\">({}건)</span></h3><ul>",
            esc(top),
            entries.len()
        );
        for e in entries.iter().take(5) {
            let _ = write!(
                body,
                "<li><a href=\"{}\">{}</a></li>",
                esc(&article_path(e.id.as_str())),
                esc(&e.title)
            );
        }
        body.push_str("</ul></section>");
    }
    page(
        StatusCode::OK,
        layout("무엇을 도와드릴까요?", "", None, "", &body),
    )
}

// --------------------------------------------------------------- results

/// A customer-facing message for a rejected search.
fn error_message(e: &ApiError) -> String {
    match (e.code, e.field) {
        ("page_out_of_range", _) => "요청한 페이지에는 검색결과가 없어요.".into(),
        (_, Some("q")) if e.message.contains("empty") => "검색어를 입력해 주세요.".into(),
        (_, Some("q")) => "검색어는 200자까지 입력할 수 있어요.".into(),
        (_, Some("sort")) => "정렬은 정확도순 또는 최신순만 선택할 수 있어요.".into(),
        (_, Some("page")) => "페이지 번호가 올바르지 않아요.".into(),
        (_, Some("size")) => "한 페이지에는 1건에서 50건까지 볼 수 있어요.".into(),
        (_, Some("category")) => "카테고리가 올바르지 않아요.".into(),
        _ if e.status.is_server_error() => {
            "일시적인 오류로 검색하지 못했어요. 잠시 후 다시 시도해 주세요.".into()
        }
        _ => "검색 조건이 올바르지 않아요.".into(),
    }
}

fn search_error(params: &SearchParams, e: &ApiError) -> Response {
    let q = params.q.as_deref().unwrap_or("").trim();
    let mut body = format!(
        "<h1>검색</h1><p class=\"notice\">{}</p>",
        esc(&error_message(e))
    );
    if e.code == "page_out_of_range" && !q.is_empty() {
        let _ = write!(
            body,
            "<p><a href=\"{}\">첫 페이지로 가기</a></p>",
            esc(&search_url(
                q,
                params.category.as_deref(),
                Sort::Relevance,
                1,
                DEFAULT_PAGE_SIZE
            ))
        );
    }
    page(e.status, layout("검색", q, None, "", &body))
}

async fn search(State(state): State<AppState>, params: Result<Params, ApiError>) -> Response {
    let params = match params {
        Ok(Params(p)) => p,
        Err(e) => return search_error(&SearchParams::default(), &e),
    };
    let req = match params.to_request() {
        Ok(r) => r,
        Err(e) => return search_error(&params, &e.into()),
    };
    let snapshot = state.snapshot();
    match run_search(&snapshot, req.clone()).await {
        Ok(results) => page(
            StatusCode::OK,
            results_page(snapshot.engine.content(), &req, &results),
        ),
        Err(e) => search_error(&params, &e),
    }
}

/// Levels of every category path in the content, by joined path (a level
/// may contain `/`, so the depth cannot be read off the joined form).
fn category_levels(content: &Content) -> HashMap<String, Vec<String>> {
    let mut map = HashMap::new();
    for e in content.entries() {
        let levels = e.category.levels();
        for n in 1..=levels.len() {
            map.entry(levels[..n].join("/"))
                .or_insert_with(|| levels[..n].to_vec());
        }
    }
    map
}

fn results_page(content: &Content, req: &SearchRequest, res: &SearchResults) -> String {
    let q = req.query();
    let filter = req.category_filter().map(str::to_string);
    let filter = filter.as_deref();
    let sort = req.sort_order();
    let size = req.page_size();
    let levels = category_levels(content);
    let mut body = String::new();

    // Heading and count.
    let _ = write!(body, "<h1><q>{}</q> 검색결과 {}건</h1>", esc(q), res.total);
    if let Some(f) = filter {
        let label = levels
            .get(f)
            .map(|l| l.join(" > "))
            .unwrap_or_else(|| f.to_string());
        let _ = write!(
            body,
            "<p class=\"meta\">카테고리: {} · <a href=\"{}\">전체 카테고리에서 보기</a></p>",
            esc(&label),
            esc(&search_url(q, None, sort, 1, size))
        );
    }

    // Sort links.
    body.push_str("<nav class=\"sort\" aria-label=\"정렬\">");
    for (s, label) in [(Sort::Relevance, "정확도순"), (Sort::Updated, "최신순")] {
        if s == sort {
            let _ = write!(
                body,
                "<strong class=\"current\" aria-current=\"true\">{label}</strong> "
            );
        } else {
            let _ = write!(
                body,
                "<a href=\"{}\">{label}</a> ",
                esc(&search_url(q, filter, s, 1, size))
            );
        }
    }
    body.push_str("</nav><div class=\"layout\">");

    // Category filter.
    body.push_str("<aside class=\"categories\"><h2>카테고리 선택</h2><ul>");
    let all: usize = res
        .categories
        .iter()
        .filter(|c| levels.get(&c.path).is_some_and(|l| l.len() == 1))
        .map(|c| c.count)
        .sum();
    category_item(
        &mut body,
        "전체",
        all,
        filter.is_none(),
        &search_url(q, None, sort, 1, size),
    );
    category_tree(&mut body, res, &levels, &[], filter, q, sort, size);
    body.push_str("</ul></aside>");

    // Hits.
    body.push_str("<section class=\"results\">");
    if res.hits.is_empty() {
        body.push_str(
            "<p class=\"notice\">검색결과가 없어요. 검색어의 철자를 확인하거나, \
더 짧고 일반적인 단어로 다시 검색해 보세요.</p>",
        );
    } else {
        let first = (res.page - 1) * res.size + 1;
        let _ = write!(body, "<ol class=\"hits\" start=\"{first}\">");
        for h in &res.hits {
            let _ = write!(
                body,
                "<li><p class=\"breadcrumb\">{}</p><h3><a href=\"{}\">{}</a></h3>\
<p class=\"snippet\">{}</p><p class=\"meta\">최종 업데이트 {}</p></li>",
                esc(&h.breadcrumb),
                esc(&h.url),
                esc(&h.title),
                h.snippet.html(),
                esc(&korean_date(h.updated)),
            );
        }
        body.push_str("</ol>");
        pagination(&mut body, res, filter, sort);
    }
    body.push_str("</section></div>");

    let title = format!("{q} 검색결과");
    layout(
        &title,
        q,
        filter,
        "<meta name=\"robots\" content=\"noindex\">",
        &body,
    )
}

fn category_item(body: &mut String, label: &str, count: usize, current: bool, url: &str) {
    if current {
        let _ = write!(
            body,
            "<li><strong class=\"current\" aria-current=\"true\">{} ({count})</strong>",
            esc(label)
        );
    } else {
        let _ = write!(
            body,
            "<li><a href=\"{}\">{} ({count})</a>",
            esc(url),
            esc(label)
        );
    }
}

/// The categories below `parent` (top level when empty), each with its own
/// children, as nested lists.
#[allow(clippy::too_many_arguments)]
fn category_tree(
    body: &mut String,
    res: &SearchResults,
    levels: &HashMap<String, Vec<String>>,
    parent: &[String],
    filter: Option<&str>,
    q: &str,
    sort: Sort,
    size: usize,
) {
    let children: Vec<_> = res
        .categories
        .iter()
        .filter_map(|c| levels.get(&c.path).map(|l| (c, l)))
        .filter(|(_, l)| l.len() == parent.len() + 1 && l.starts_with(parent))
        .collect();
    if children.is_empty() {
        return;
    }
    if !parent.is_empty() {
        body.push_str("<ul>");
    }
    for (c, l) in children {
        let label = l.last().map(String::as_str).unwrap_or("");
        category_item(
            body,
            label,
            c.count,
            filter == Some(c.path.as_str()),
            &search_url(q, Some(&c.path), sort, 1, size),
        );
        category_tree(body, res, levels, l, filter, q, sort, size);
        body.push_str("</li>");
    }
    if !parent.is_empty() {
        body.push_str("</ul>");
    }
}

fn pagination(body: &mut String, res: &SearchResults, filter: Option<&str>, sort: Sort) {
    let pages = res.total.div_ceil(res.size);
    if pages <= 1 {
        return;
    }
    let url = |p: usize| esc(&search_url(&res.query, filter, sort, p, res.size));
    body.push_str("<nav class=\"pagination\" aria-label=\"페이지\">");
    if res.page > 1 {
        let _ = write!(
            body,
            "<a href=\"{}\" rel=\"prev\">이전</a>",
            url(res.page - 1)
        );
    }
    let from = res.page.saturating_sub(4).max(1);
    let to = (from + 9).min(pages);
    for p in from..=to {
        if p == res.page {
            let _ = write!(body, "<strong aria-current=\"page\">{p}</strong>");
        } else {
            let _ = write!(body, "<a href=\"{}\">{p}</a>", url(p));
        }
    }
    if res.page < pages {
        let _ = write!(
            body,
            "<a href=\"{}\" rel=\"next\">다음</a>",
            url(res.page + 1)
        );
    }
    body.push_str("</nav>");
}

// --------------------------------------------------------------- article

async fn article(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let snapshot = state.snapshot();
    let content = snapshot.engine.content();
    let Some(e) = id.ok().and_then(|Path(id)| content.get(&id)) else {
        return not_found_page();
    };
    let mut body = String::new();
    body.push_str("<nav class=\"breadcrumb\" aria-label=\"위치\"><a href=\"/\">");
    body.push_str(&esc(&e.service));
    body.push_str("</a>");
    for level in e.category.levels() {
        let _ = write!(body, " &gt; <span>{}</span>", esc(level));
    }
    body.push_str("</nav>");
    let _ = write!(
        body,
        "<article><h1>{}</h1><p class=\"meta\">최종 업데이트 <time datetime=\"{}\">{}</time></p>\
<div class=\"answer\">{}</div></article>",
        esc(&e.title),
        e.updated,
        esc(&korean_date(e.updated)),
        e.body_html
    );
    let related: Vec<_> = e
        .related
        .iter()
        .filter_map(|id| content.get(id.as_str()))
        .collect();
    if !related.is_empty() {
        body.push_str("<section class=\"related\"><h2>관련 문서</h2><ul>");
        for r in related {
            let _ = write!(
                body,
                "<li><a href=\"{}\">{}</a></li>",
                esc(&article_path(r.id.as_str())),
                esc(&r.title)
            );
        }
        body.push_str("</ul></section>");
    }
    body.push_str(
        "<p class=\"notice\">원하는 답변을 찾지 못했나요? 위 검색창에서 다른 단어로 검색해 보세요.</p>",
    );
    let head = format!(
        "<link rel=\"canonical\" href=\"{}\">",
        esc(&state.config.absolute_url(&article_path(e.id.as_str())))
    );
    page(StatusCode::OK, layout(&e.title, "", None, &head, &body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_encodes() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(enc("환불 a&b=c/d"), "%ED%99%98%EB%B6%88%20a%26b%3Dc%2Fd");
        assert_eq!(
            search_url("a b", Some("결제 관리"), Sort::Updated, 2, 20),
            "/search?q=a%20b&category=%EA%B2%B0%EC%A0%9C%20%EA%B4%80%EB%A6%AC&sort=updated&page=2&size=20"
        );
        assert_eq!(
            search_url("x", None, Sort::Relevance, 1, DEFAULT_PAGE_SIZE),
            "/search?q=x"
        );
    }
}
