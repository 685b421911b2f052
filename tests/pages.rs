//! The customer center's pages over a real server on a loopback port with the
//! product's content: templates, counts, filters, paging, feedback, autocomplete,
//! security headers and the stylesheet.

mod common;

use std::sync::Arc;

use common::{CONTENT, TestApp, enc, spawn_app, spawn_state};
use doum::accounts::AccountSource;
use doum::analytics::{self, Recorder, Store, sqlite::SqliteStore};
use doum::web::{AppState, WebConfig};
use serde_json::Value;

async fn app() -> TestApp {
    spawn_app(CONTENT).await
}

/// A server recording analytics into `dir`.
async fn recording_app(dir: &std::path::Path) -> (TestApp, Arc<Recorder>) {
    let recorder = Arc::new(analytics::open(dir));
    assert!(recorder.enabled());
    let state = AppState::new(
        common::assistant(CONTENT, AccountSource::sample()),
        WebConfig::new("https://help.example.com"),
    )
    .with_analytics(recorder.clone());
    (spawn_state(state).await, recorder)
}

fn count_of(v: &Value, path: &str) -> Option<u64> {
    v["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == path)
        .map(|c| c["count"].as_u64().unwrap())
}

fn header(resp: &reqwest::Response, name: &str) -> String {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

#[tokio::test]
async fn every_page_carries_security_headers_and_the_stylesheet() {
    let app = app().await;
    for path in [
        "/",
        "/search?q=%ED%99%98%EB%B6%88",
        "/articles/free-cash-status",
        "/nothing",
        "/api/search?q=x",
    ] {
        let resp = app.get(path).await;
        let csp = header(&resp, "content-security-policy");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(header(&resp, "x-content-type-options"), "nosniff", "{path}");
        assert!(!header(&resp, "referrer-policy").is_empty(), "{path}");
    }
    let (_, html) = app.html("/").await;
    assert!(html.starts_with("<!doctype html>\n<html lang=\"ko\">"));
    assert!(!html.contains("<style"), "no inline style");
    assert!(!html.contains("<script>"), "no inline script");
    let css = html
        .split("<link rel=\"stylesheet\" href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    assert!(css.starts_with("/static/doum.css?v="), "{css}");
    let resp = app.get(&css).await;
    assert_eq!(resp.status(), 200);
    assert!(header(&resp, "content-type").starts_with("text/css"));
    assert!(header(&resp, "cache-control").contains("max-age=31536000"));
    let body = resp.text().await.unwrap();
    assert!(body.contains("Noto Sans KR") && body.contains("Apple SD Gothic Neo"));
    assert!(body.contains("@media (max-width: 760px)"));
    assert!(body.contains(":focus-visible"));
    let resp = app.get("/static/suggest.js").await;
    assert!(header(&resp, "content-type").starts_with("text/javascript"));
    assert!(resp.text().await.unwrap().contains("aria-activedescendant"));
}

#[tokio::test]
async fn home_page_has_the_search_box_category_tree_and_reading_suggestions() {
    let app = app().await;
    let (status, html) = app.html("/").await;
    assert_eq!(status, 200);
    assert!(html.contains(r#"<form class="search" action="/search" method="get" role="search">"#));
    assert!(html.contains(r#"<label for="q" class="visually-hidden">도움말 검색</label>"#));
    assert!(html.contains(r#"role="combobox""#));
    assert!(html.contains("무엇을 도와드릴까요?"));
    assert!(html.contains("카테고리별 도움말"));
    // Counts in the tree equal the category pages' counts.
    let (_, api) = app
        .json(&format!("/api/search?q={}&size=1", enc("결제")))
        .await;
    assert!(api["total"].as_u64().unwrap() > 0);
    let content = doum::content::Content::load(std::path::Path::new(CONTENT)).unwrap();
    let payment = content
        .entries()
        .iter()
        .filter(|e| e.category.levels()[0] == "결제 관리")
        .count();
    assert!(
        html.contains(&format!(
            "<a href=\"/categories/{}\">결제 관리</a> <span class=\"count\">({payment}건)</span>",
            enc("결제 관리")
        )),
        "{html}"
    );
    // Nothing was viewed (analytics off): no "most viewed" list that would
    // only be the newest entries under the wrong heading, but the most
    // recently updated entries, newest first, with their dates.
    assert!(!html.contains("많이 본 도움말"), "{html}");
    let recent = html
        .split("최근 업데이트된 도움말")
        .nth(1)
        .expect("recent entries");
    let newest = content.catalog().newest(&content).next().unwrap();
    let first = recent.find("href=\"/articles/").unwrap();
    assert!(
        recent[first..].starts_with(&format!(
            "href=\"/articles/{}\">{}</a> <time class=\"meta\" datetime=\"{}\">",
            newest.id, newest.title, newest.updated
        )),
        "{recent}"
    );
}

#[tokio::test]
async fn results_page_shows_count_marks_crumbs_sort_categories_paging() {
    let app = app().await;
    let q = enc("환불");
    let (_, api) = app.json(&format!("/api/search?q={q}&size=3")).await;
    let total = api["total"].as_u64().unwrap();
    let (status, html) = app.html(&format!("/search?q={q}&size=3")).await;
    assert_eq!(status, 200);
    assert!(
        html.contains(&format!(
            "도움말 검색 결과 <span class=\"total\">(총 {total}건)</span>"
        )),
        "{html}"
    );
    assert!(html.contains("<mark>환불</mark>"));
    assert!(
        html.contains("<li>브랜드 이모티콘 관리자센터</li><li>결제 관리</li><li>환불 요청</li>")
    );
    // Hits in the API's order, linked with the query and rank (the click record).
    let mut at = 0;
    for (i, h) in api["hits"].as_array().unwrap().iter().enumerate() {
        let link = format!(
            "<a href=\"/articles/{}?from={q}&#38;rank={}\">",
            h["id"].as_str().unwrap(),
            i + 1
        );
        let pos = html[at..].find(&link).map(|p| p + at);
        assert!(pos.is_some(), "{link} after {at} in {html}");
        at = pos.unwrap();
    }
    assert!(html.contains("정렬 기준"));
    assert!(html.contains("<strong aria-current=\"true\">정확도순</strong>"));
    assert!(html.contains(&format!(
        "<a href=\"/search?q={q}&#38;sort=updated&#38;size=3&#38;re=1\">최신순</a>"
    )));
    assert!(html.contains("카테고리 선택"));
    assert!(html.contains(&format!(
        "<span>전체</span> <span class=\"n\">{total}</span>"
    )));
    let sub = count_of(&api, "결제 관리/환불 요청").unwrap();
    assert!(html.contains(&format!(
        "<a href=\"/search?q={q}&#38;category={}&#38;size=3&#38;re=1\"><span>환불 요청</span> <span class=\"n\">{sub}</span></a>",
        enc("결제 관리/환불 요청")
    )));
    assert!(total > 3);
    assert!(html.contains(&format!(
        "<a href=\"/search?q={q}&#38;page=2&#38;size=3&#38;re=1\" rel=\"next\">다음</a>"
    )));
    let (status, page2) = app.html(&format!("/search?q={q}&page=2&size=3")).await;
    assert_eq!(status, 200);
    assert!(page2.contains("rel=\"prev\">이전</a>"));
    assert!(page2.contains("<strong aria-current=\"page\">2</strong>"));
    assert!(page2.contains("<ol class=\"hits\" start=\"4\">"));

    // The chosen category is marked, counted, and offered for the next search.
    let (_, filtered) = app
        .html(&format!(
            "/search?q={q}&category={}",
            enc("결제 관리/환불 요청")
        ))
        .await;
    assert!(filtered.contains(&format!("(총 {sub}건)")));
    assert!(filtered.contains(&format!(
        "<strong aria-current=\"true\"><span>환불 요청</span> <span class=\"n\">{sub}</span></strong>"
    )));
    assert!(filtered.contains("name=\"category\" value=\"결제 관리/환불 요청\" checked"));

    // Sorted by date: the newest first.
    let (_, updated) = app
        .json(&format!("/api/search?q={q}&sort=updated&size=1"))
        .await;
    let (_, html) = app.html(&format!("/search?q={q}&sort=updated")).await;
    let newest = updated["hits"][0]["id"].as_str().unwrap();
    let first = html.find("<h3><a href=\"/articles/").unwrap();
    assert!(html[first..].starts_with(&format!("<h3><a href=\"/articles/{newest}?")));
    assert!(html.contains("<strong aria-current=\"true\">최신순</strong>"));
}

#[tokio::test]
async fn no_results_offer_a_correction_popular_entries_and_categories() {
    let app = app().await;
    let (status, html) = app.html(&format!("/search?q={}", enc("쀍뛝쉙"))).await;
    assert_eq!(status, 200);
    assert!(html.contains("(총 0건)"));
    assert!(html.contains("에 대한 검색 결과가 없습니다"));
    assert!(html.contains("최근 업데이트된 도움말"));
    assert!(html.contains("카테고리에서 찾아보기"));
    assert!(!html.contains("정렬 기준"), "nothing to sort");
    assert!(!html.contains("카테고리 선택"), "nothing to filter");
    assert!(html.contains(&format!("href=\"/categories/{}\"", enc("결제 관리"))));
    assert!(
        !html.contains("이것을 찾으셨나요?"),
        "nothing close to correct to"
    );

    // Two typos in one word: too far for the search, close enough to correct.
    let typo = "훤뷸";
    let (_, api) = app.json(&format!("/api/search?q={}", enc(typo))).await;
    assert_eq!(api["total"], 0, "the search itself does not find {typo}");
    let (_, html) = app.html(&format!("/search?q={}", enc(typo))).await;
    assert!(
        html.contains(&format!(
            "이것을 찾으셨나요? <a href=\"/search?q={}\">환불</a>",
            enc("환불")
        )),
        "{html}"
    );
    // A correction that keeps a word no entry holds is not offered: "환불
    // 쀍뛝쉙" would find refund entries, but 쀍뛝쉙 was never asked about.
    let mixed = "훤뷸 쀍뛝쉙";
    let (_, api) = app.json(&format!("/api/search?q={}", enc(mixed))).await;
    assert_eq!(api["total"], 0);
    let (_, html) = app.html(&format!("/search?q={}", enc(mixed))).await;
    assert!(!html.contains("이것을 찾으셨나요?"), "{html}");
}

#[tokio::test]
async fn a_query_typed_in_english_mode_is_searched_as_meant() {
    let app = app().await;
    let (_, meant) = app.json(&format!("/api/search?q={}", enc("환불"))).await;
    assert!(meant.get("read_as").is_none(), "{meant}");
    let (status, typed) = app.json("/api/search?q=ghksqnf").await;
    assert_eq!(status, 200);
    assert_eq!(typed["query"], "ghksqnf");
    assert_eq!(typed["read_as"], "환불");
    assert_eq!(typed["total"], meant["total"]);
    assert_eq!(typed["hits"], meant["hits"]);

    let (status, html) = app.html("/search?q=ghksqnf").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(
            "한글 자판으로 읽은 <strong>‘환불’</strong>의 검색 결과입니다. (입력: ghksqnf)"
        ),
        "{html}"
    );
    assert!(html.contains(&format!("(총 {}건)", meant["total"])));
    // The search box holds the Hangul, to go on from.
    assert!(html.contains("value=\"환불\""), "{html}");
    let (_, plain) = app.html(&format!("/search?q={}", enc("환불"))).await;
    assert!(!plain.contains("한글 자판으로 읽은"));
    // A typo in English mode (환북) finds nothing, and is offered corrected.
    let (_, typo) = app.html("/search?q=ghksqnr").await;
    assert!(typo.contains("(총 0건)"));
    assert!(
        typo.contains(&format!(
            "이것을 찾으셨나요? <a href=\"/search?q={}\">환불</a>",
            enc("환불")
        )),
        "{typo}"
    );
}

#[tokio::test]
async fn search_errors_are_pages_with_the_field_named_in_korean() {
    let app = app().await;
    let evil = "<script>alert(1)</script>\"'&";
    let (status, html) = app.html(&format!("/search?q={}", enc(evil))).await;
    assert_eq!(status, 200);
    assert!(!html.contains("<script>alert"));
    assert!(
        html.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
            || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    let (status, html) = app
        .html(&format!("/search?q={}", enc(&"가".repeat(201))))
        .await;
    assert_eq!(status, 400);
    assert!(html.contains("검색어를 1자 이상 200자 이하로 입력해 주세요"));
    let (status, html) = app.html("/search?q=x&sort=best").await;
    assert_eq!(status, 400);
    assert!(html.contains("정확도순 또는 최신순"));
    let (status, html) = app
        .html(&format!("/search?q={}&page=99", enc("환불")))
        .await;
    assert_eq!(status, 400);
    assert!(html.contains("요청하신 페이지에는 검색 결과가 없습니다"));
    assert!(html.contains("첫 페이지로 가기"));
}

#[tokio::test]
async fn article_page_has_answer_breadcrumb_related_and_a_feedback_form() {
    let app = app().await;
    let (status, html) = app.html("/articles/free-cash-status").await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>무상캐시 사용상태를 확인하고 싶어요</h1>"));
    assert!(html.contains(&format!(
        "<li><a href=\"/categories/{}\">결제 관리</a></li>",
        enc("결제 관리")
    )));
    assert!(html.contains("<strong>사용중</strong>"));
    assert!(html.contains("최종 업데이트 <time datetime=\"2026-09-24\">2026년 9월 24일</time>"));
    assert!(html.contains("관련 도움말"));
    let (_, related) = app.json("/api/articles/paid-free-cash-difference").await;
    assert!(html.contains(&format!(
        "<a href=\"/articles/paid-free-cash-difference\">{}</a>",
        related["title"].as_str().unwrap()
    )));
    assert!(html.contains(
        "<link rel=\"canonical\" href=\"https://help.example.com/articles/free-cash-status\">"
    ));
    assert!(html.contains("이 도움말이 도움이 되었나요?"));
    assert!(html.contains("<form method=\"post\" action=\"/articles/free-cash-status/feedback\">"));
    assert!(html.contains("name=\"helpful\" value=\"yes\">예</button>"));
    assert!(html.contains("<summary class=\"btn\">아니요</summary>"));
    assert!(html.contains("<textarea id=\"comment\" name=\"comment\" maxlength=\"500\""));

    for path in [
        "/articles/no-such-entry",
        "/no/such/page",
        "/search/x",
        "/categories/없는 분류",
    ] {
        let (status, html) = app.html(&path.replace(' ', "%20")).await;
        assert_eq!(status, 404, "{path}");
        assert!(html.contains("페이지를 찾을 수 없습니다"), "{path}");
        assert!(html.contains(r#"action="/search""#));
    }
}

#[tokio::test]
async fn category_page_lists_its_entries_and_subcategories() {
    let app = app().await;
    let content = doum::content::Content::load(std::path::Path::new(CONTENT)).unwrap();
    let mut in_payment: Vec<_> = content
        .entries()
        .iter()
        .filter(|e| e.category.levels()[0] == "결제 관리")
        .collect();
    in_payment.sort_by(|a, b| b.updated.cmp(&a.updated).then(a.id.cmp(&b.id)));
    let per_page = doum::web::pages::CATEGORY_PAGE_SIZE;
    assert!(
        in_payment.len() > per_page,
        "the sample's 결제 관리 should need two pages"
    );
    let base = format!("/categories/{}", enc("결제 관리"));
    let (status, html) = app.html(&base).await;
    assert_eq!(status, 200);
    // The count is the category's, not the page's.
    assert!(html.contains(&format!(
        "결제 관리 <span class=\"count\">({}건)</span>",
        in_payment.len()
    )));
    // Newest first: the first page holds the newest entries, the second the rest.
    let position = |html: &str, id: &str| html.find(&format!("href=\"/articles/{id}\""));
    let (first, rest) = in_payment.split_at(per_page);
    let at: Vec<usize> = first
        .iter()
        .map(|e| position(&html, e.id.as_str()).unwrap_or_else(|| panic!("{}", e.id.as_str())))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "not newest first");
    for e in rest {
        assert!(
            position(&html, e.id.as_str()).is_none(),
            "{}",
            e.id.as_str()
        );
    }
    assert!(html.contains(&format!("<a href=\"{base}?page=2\" rel=\"next\">다음</a>")));
    let (status, second) = app.html(&format!("{base}?page=2")).await;
    assert_eq!(status, 200);
    for e in rest {
        assert!(
            position(&second, e.id.as_str()).is_some(),
            "{}",
            e.id.as_str()
        );
    }
    assert!(second.contains(&format!("<a href=\"{base}\" rel=\"prev\">이전</a>")));
    assert!(second.contains("<strong aria-current=\"page\">2</strong>"));
    // A page past the last, or no page number at all: a message and the way back.
    for (query, status, message) in [
        ("?page=3", 404, "요청하신 페이지에는 도움말이 없습니다."),
        ("?page=0", 400, "페이지 번호가 올바르지 않습니다."),
        ("?page=x", 400, "페이지 번호가 올바르지 않습니다."),
    ] {
        let (got, html) = app.html(&format!("{base}{query}")).await;
        assert_eq!(got, status, "{query}");
        assert!(html.contains(message), "{query}");
        assert!(html.contains(&format!("href=\"{base}\"")), "{query}");
    }
    assert!(html.contains(&format!(
        "href=\"/categories/{}/{}\"",
        enc("결제 관리"),
        enc("환불 요청")
    )));
    let (status, sub) = app
        .html(&format!(
            "/categories/{}/{}",
            enc("결제 관리"),
            enc("환불 요청")
        ))
        .await;
    assert_eq!(status, 200);
    assert!(sub.contains("환불 요청 <span class=\"count\">"));
    // Everything fits on one page: no page links.
    assert!(!sub.contains("class=\"pagination\""));
}

#[tokio::test]
async fn suggest_completes_prefixes_unfinished_syllables_and_chosung() {
    let app = app().await;
    let titles = |v: &Value| -> Vec<String> {
        v["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["title"].as_str().unwrap().to_string())
            .collect()
    };
    let (status, v) = app.json(&format!("/api/suggest?q={}", enc("환부"))).await;
    assert_eq!(status, 200);
    let t = titles(&v);
    assert!(!t.is_empty() && t.len() <= 8, "{t:?}");
    assert!(t[0].starts_with("환불"), "{t:?}");
    let (_, v) = app.json(&format!("/api/suggest?q={}", enc("무상캐"))).await;
    let t = titles(&v);
    assert!(t[0].starts_with("무상캐시"), "{t:?}");
    let (_, v) = app
        .json(&format!("/api/suggest?q={}", enc("ㅎㅂㄱㅈ")))
        .await;
    let t = titles(&v);
    assert!(t.iter().any(|t| t.starts_with("환불계좌")), "{t:?}");
    assert!(
        v["suggestions"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with("/articles/")
    );
    // Typed with the keyboard in English mode: ghksq spells ㅎㅘㄴㅂ.
    let (_, v) = app.json("/api/suggest?q=ghksq").await;
    let t = titles(&v);
    assert!(
        !t.is_empty() && t.iter().all(|t| t.contains("환불")),
        "{t:?}"
    );
    let (status, v) = app.json("/api/suggest?q=").await;
    assert_eq!(status, 200);
    assert_eq!(v["suggestions"].as_array().unwrap().len(), 0);
    let (status, v) = app
        .json(&format!("/api/suggest?q={}", "a".repeat(51)))
        .await;
    assert_eq!(status, 400);
    assert_eq!(v["error"]["field"], "q");
}

#[tokio::test]
async fn a_vote_is_committed_before_the_answer() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _recorder) = recording_app(dir.path()).await;
    let resp = app
        .client
        .post(app.url("/articles/free-cash-status/feedback"))
        .form(&[("helpful", "no"), ("comment", "사용 기한이 안 보여요")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(
        header(&resp, "location"),
        "/articles/free-cash-status?voted=no#feedback"
    );
    // Read through a connection of its own, at once: the vote is on disk.
    let store = SqliteStore::open_dir(dir.path()).unwrap();
    let report = store.report(0, 10).unwrap();
    assert_eq!(report.votes, 1);
    assert_eq!(report.unhelpful[0].id, "free-cash-status");
    assert_eq!(report.unhelpful[0].comments, vec!["사용 기한이 안 보여요"]);
    let (_, html) = app.html("/articles/free-cash-status?voted=no").await;
    assert!(html.contains("의견을 보내 주셔서 감사합니다"));
    assert!(!html.contains("<form method=\"post\""));

    // Bad votes: named, nothing stored.
    let resp = app
        .client
        .post(app.url("/articles/free-cash-status/feedback"))
        .form(&[("helpful", "maybe")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let resp = app
        .client
        .post(app.url("/articles/no-such-entry/feedback"))
        .form(&[("helpful", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    assert_eq!(store.report(0, 10).unwrap().votes, 1);
}

#[tokio::test]
async fn without_a_store_a_vote_is_refused_not_lost_silently() {
    let app = app().await;
    let resp = app
        .client
        .post(app.url("/articles/free-cash-status/feedback"))
        .form(&[("helpful", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("의견을 저장하지 못했습니다")
    );
}

/// What a search engine reads: `robots.txt` keeps it out of results pages,
/// the APIs, the agent area and the chatbot's webhook and names the sitemap;
/// the sitemap (valid XML in the sitemaps.org namespace) lists the home page,
/// every category page and every article, each with the date its content
/// last changed, and every listed page is served; an article describes itself
/// for search engines and link previews, a results page does not.
#[tokio::test]
async fn search_engines_find_every_article_through_robots_and_the_sitemap() {
    let app = app().await;
    let resp = app.get("/robots.txt").await;
    assert_eq!(resp.status(), 200);
    assert!(common::content_type(&resp).starts_with("text/plain"));
    let robots = resp.text().await.unwrap();
    for line in [
        "User-agent: *",
        "Disallow: /search",
        "Disallow: /api/",
        "Disallow: /agent",
        "Disallow: /kakao/",
        "Sitemap: https://help.example.com/sitemap.xml",
    ] {
        assert!(robots.lines().any(|l| l == line), "{line}: {robots}");
    }

    let resp = app.get("/sitemap.xml").await;
    assert_eq!(resp.status(), 200);
    assert!(common::content_type(&resp).starts_with("application/xml"));
    let xml = resp.text().await.unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("the sitemap is XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "urlset");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.sitemaps.org/schemas/sitemap/0.9")
    );
    let listed: std::collections::HashMap<String, String> = root
        .children()
        .filter(|n| n.has_tag_name("url"))
        .map(|u| {
            let child = |name: &str| {
                u.children()
                    .find(|c| c.has_tag_name(name))
                    .and_then(|c| c.text())
                    .unwrap_or_default()
                    .to_string()
            };
            (child("loc"), child("lastmod"))
        })
        .collect();
    let content = doum::config::load_content(std::path::Path::new(CONTENT)).unwrap();
    let catalog = content.catalog();
    assert_eq!(
        listed.len(),
        1 + catalog.categories().len() + content.entries().len(),
        "home, categories, articles, each once"
    );
    let base = "https://help.example.com";
    let newest = content.entries().iter().map(|e| e.updated).max().unwrap();
    assert_eq!(listed[&format!("{base}/")], newest.to_string());
    for e in content.entries() {
        let loc = format!("{base}/articles/{}", e.id.as_str());
        assert_eq!(listed.get(&loc), Some(&e.updated.to_string()), "{loc}");
    }
    let payment = format!("{base}/categories/{}", enc("결제 관리"));
    let newest_payment = content
        .entries()
        .iter()
        .filter(|e| e.category.levels()[0] == "결제 관리")
        .map(|e| e.updated)
        .max()
        .unwrap();
    assert_eq!(listed[&payment], newest_payment.to_string());
    for loc in listed.keys() {
        let path = loc.strip_prefix(base).unwrap();
        assert_eq!(app.get(path).await.status(), 200, "{loc}");
    }
    assert_eq!(app.get("/sitemaps/1.xml").await.status(), 404, "one file");

    let (_, html) = app.html("/articles/refund-account-register").await;
    let e = content.get("refund-account-register").unwrap();
    let lead = e.lead(160);
    assert!(lead.starts_with("광고계정 > 설정"), "{lead}");
    let attr = lead.replace('>', "&#62;");
    for tag in [
        format!("<meta name=\"description\" content=\"{attr}\">"),
        format!("<meta property=\"og:description\" content=\"{attr}\">"),
        "<meta property=\"og:title\" content=\"환불계좌는 어디서 등록하나요?\">".into(),
        "<meta property=\"og:type\" content=\"article\">".into(),
        format!("<meta property=\"og:url\" content=\"{base}/articles/refund-account-register\">"),
    ] {
        assert!(html.contains(&tag), "{tag}");
    }
    // List items that are not sentences are told apart by a middle dot.
    let (_, html) = app.html("/articles/creative-image-specs").await;
    assert!(
        html.contains("투명 배경 · 대표 이미지 1개: 240×240px, PNG · 탭 이미지"),
        "{html}"
    );
    // A description is sentences: it stops before a table.
    let (_, html) = app
        .html("/articles/advertiser-type-business-individual")
        .await;
    assert!(html.contains(
        "<meta name=\"description\" content=\"광고주 유형에 따라 증빙 발행과 마스터 변경 기능이 다릅니다.\">"
    ));
    let (_, html) = app.html("/").await;
    assert!(
        html.contains("<meta name=\"description\" content=\"브랜드 이모티콘 관리자센터 도움말: ")
    );
    assert!(html.contains(&format!("<link rel=\"canonical\" href=\"{base}/\">")));
    let (_, html) = app.html(&format!("/search?q={}", enc("환불"))).await;
    assert!(html.contains("<meta name=\"robots\" content=\"noindex\">"));
    assert!(!html.contains("og:") && !html.contains("rel=\"canonical\""));
}

/// A customer the help center did not answer is offered a person: with
/// `--contact-url` the footer, the no-result page and an article after a
/// 아니요 vote link to it; without one, the footer says where in words and
/// no page shows a link. A URL that is not http(s) stops `doum serve` with
/// a message naming the flag.
#[tokio::test]
async fn a_customer_without_an_answer_is_offered_a_person() {
    const CHAT: &str = "https://pf.kakao.com/_doum/chat";
    let config = WebConfig::new("https://help.example.com")
        .with_contact_url(Some(CHAT.into()))
        .unwrap();
    let helped = common::spawn_with(CONTENT, AccountSource::sample(), config).await;
    let link = format!("<a class=\"btn\" href=\"{CHAT}\">상담원에게 문의하기</a>");
    let (_, home) = helped.html("/").await;
    assert!(
        home.contains(&format!(
            "<a href=\"{CHAT}\">카카오톡 채널에서 상담원과 이야기하실 수 있습니다</a>"
        )),
        "the footer links it"
    );
    assert!(!home.contains(&link));
    let (_, none) = helped.html(&format!("/search?q={}", enc("쀍뛝쉙"))).await;
    assert!(none.contains(&link), "the no-result page offers it");
    let (_, found) = helped.html(&format!("/search?q={}", enc("환불"))).await;
    assert!(!found.contains(&link));
    let (_, no) = helped.html("/articles/free-cash-status?voted=no").await;
    assert!(no.contains(&link), "after 아니요");
    let (_, yes) = helped.html("/articles/free-cash-status?voted=yes").await;
    assert!(!yes.contains(&link), "not after 예");

    let plain = app().await;
    for path in ["/", "/articles/free-cash-status?voted=no"] {
        let (_, html) = plain.html(path).await;
        assert!(!html.contains("상담원에게 문의하기"), "{path}");
        assert!(html.contains("카카오톡 채널에서 상담원과 이야기하실 수 있습니다."));
    }

    for (bad, says) in [
        ("ftp://pf.kakao.com/x", "must be an http or https address"),
        ("pf.kakao.com/_doum/chat", "is not a URL"),
    ] {
        let err = WebConfig::new("https://help.example.com")
            .with_contact_url(Some(bad.into()))
            .unwrap_err();
        assert!(err.contains("--contact-url") && err.contains(says), "{err}");
    }
    // The chatbot's account-linking page is held to the same.
    let err = WebConfig::new("https://help.example.com")
        .with_kakao_link_url(Some("javascript:alert(1)".into()))
        .unwrap_err();
    assert!(err.contains("--kakao-link-url"), "{err}");
    let index = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_doum"))
        .args(["serve", "--addr", "127.0.0.1:0", "--content", CONTENT])
        .arg("--index")
        .arg(index.path())
        .env("DOUM_CONTACT_URL", "javascript:alert(1)")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--contact-url `javascript:alert(1)` must be an http or https address"),
        "{err}"
    );
}

/// A feedback comment too long to take is answered with a Korean page (413),
/// whether over the feedback form's own limit or over every request's, and
/// nothing is stored; under `/kakao/` the same limit stays a JSON error.
#[tokio::test]
async fn a_body_too_large_for_a_page_gets_a_korean_page() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _recorder) = recording_app(dir.path()).await;
    for kib in [10, 70] {
        let comment = "가".repeat(kib * 1024 / 3);
        let resp = app
            .client
            .post(app.url("/articles/free-cash-status/feedback"))
            .form(&[("helpful", "no"), ("comment", comment.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 413, "{kib} KiB");
        let ct = common::content_type(&resp);
        assert!(ct.starts_with("text/html"), "{kib} KiB: {ct}");
        let html = resp.text().await.unwrap();
        assert!(html.contains("보내신 내용이 너무 깁니다"), "{html}");
        assert!(!html.contains("bytes"), "{html}");
    }
    let store = SqliteStore::open_dir(dir.path()).unwrap();
    assert_eq!(store.report(0, 10).unwrap().votes, 0);

    let resp = app
        .client
        .post(app.url("/kakao/skill"))
        .header("content-type", "application/json")
        .body(format!("{{\"x\": \"{}\"}}", "a".repeat(70 * 1024)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"]["code"], "body_too_large");
}

/// The search box sent empty goes back where the customer was (the home page,
/// or the category the box was scoped to) instead of an error page; a
/// category filter with a trailing slash filters; and a category that does
/// not exist is said to be the reason nothing was found, with the search over
/// every category.
#[tokio::test]
async fn empty_searches_trailing_slashes_and_unknown_categories() {
    let app = app().await;
    for (path, to) in [
        ("/search?q=".to_string(), "/".to_string()),
        ("/search".to_string(), "/".to_string()),
        (format!("/search?q={}", enc("  ")), "/".to_string()),
        (
            format!("/search?q=&category={}", enc("결제 관리")),
            format!("/categories/{}", enc("결제 관리")),
        ),
        (
            format!("/search?q=&category={}", enc("없는")),
            "/".to_string(),
        ),
    ] {
        let resp = app.get(&path).await;
        assert_eq!(resp.status(), 303, "{path}");
        assert_eq!(header(&resp, "location"), to, "{path}");
    }

    let (status, html) = app
        .html(&format!(
            "/search?q={}&category={}",
            enc("환불"),
            enc("결제 관리/")
        ))
        .await;
    assert_eq!(status, 200);
    assert!(!html.contains("검색 결과가 없습니다"), "{html}");
    assert!(!html.contains("카테고리는 없습니다"), "{html}");

    let (status, html) = app
        .html(&format!(
            "/search?q={}&category={}",
            enc("환불"),
            enc("없는")
        ))
        .await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<strong>‘없는’</strong> 카테고리는 없습니다."),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "<a href=\"/search?q={}\">모든 카테고리에서 ‘환불’ 검색하기</a>",
            enc("환불")
        )),
        "{html}"
    );
    assert!(!html.contains("철자를 확인"), "{html}");
    // A search that finds nothing in a category that exists still gets the
    // spelling advice.
    let (_, html) = app
        .html(&format!(
            "/search?q={}&category={}",
            enc("쀍뛝쉙"),
            enc("결제 관리")
        ))
        .await;
    assert!(html.contains("철자를 확인"), "{html}");
    assert!(!html.contains("카테고리는 없습니다"), "{html}");
}
