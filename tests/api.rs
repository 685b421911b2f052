//! The HTTP API (pages: `tests/pages.rs`), over a real server on a loopback port with the
//! product's content.

mod common;

use common::{CONTENT, TestApp, enc, spawn_app};
use serde_json::Value;

async fn app() -> TestApp {
    spawn_app(CONTENT).await
}

fn ids(v: &Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

fn count_of(v: &Value, path: &str) -> Option<u64> {
    v["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["path"] == path)
        .map(|c| c["count"].as_u64().unwrap())
}

/// Asserts a 400 JSON error naming `field`.
async fn bad_request(app: &TestApp, pq: &str, field: &str) -> Value {
    let (status, v) = app.json(pq).await;
    assert_eq!(status, 400, "{pq}: {v}");
    assert_eq!(v["error"]["field"], field, "{pq}: {v}");
    assert!(v["error"]["code"].is_string(), "{pq}: {v}");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains(field), "{pq}: {message}");
    v
}

// ------------------------------------------------------------------ search

/// A search for a keyword phrase its writer gave an entry finds that entry
/// first, on every page of results and within its category; a single-word
/// keyword ("탈퇴") names no entry and is ranked like any word.
#[tokio::test]
async fn a_keyword_phrase_finds_its_entry_first() {
    let app = app().await;
    for (q, id) in [
        ("관리자 변경", "master-transfer"),
        ("관리자변경", "master-transfer"),
        ("세션 만료", "auto-logout"),
        ("광고 등록", "create-campaign"),
    ] {
        let (status, v) = app.json(&format!("/api/search?q={}", enc(q))).await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(ids(&v).first().map(String::as_str), Some(id), "{q}: {v}");
        let scores: Vec<f64> = v["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["score"].as_f64().unwrap())
            .collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{q}: {scores:?}");
        let (_, by_date) = app
            .json(&format!("/api/search?q={}&sort=updated&size=50", enc(q)))
            .await;
        assert!(ids(&by_date).contains(&id.to_string()), "{q}: {by_date}");
    }
    let (_, v) = app
        .json(&format!(
            "/api/search?q={}&category={}",
            enc("세션 만료"),
            enc("계정 및 멤버")
        ))
        .await;
    assert_eq!(
        ids(&v).first().map(String::as_str),
        Some("auto-logout"),
        "{v}"
    );
}

#[tokio::test]
async fn search_returns_ranked_hits_with_every_field() {
    let app = app().await;
    let (status, v) = app.json(&format!("/api/search?q={}", enc("환불"))).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["query"], "환불");
    assert_eq!(v["page"], 1);
    assert_eq!(v["size"], 10);
    let total = v["total"].as_u64().unwrap();
    let hits = v["hits"].as_array().unwrap();
    assert!(total >= 3 && !hits.is_empty(), "{v}");
    assert_eq!(hits.len() as u64, total.min(10));
    assert_eq!(
        count_of(&v, "결제 관리/환불 요청").map(|c| c >= 3),
        Some(true)
    );

    let mut last = f64::INFINITY;
    for h in hits {
        let id = h["id"].as_str().unwrap();
        assert!(!h["title"].as_str().unwrap().is_empty());
        assert_eq!(h["service"], "브랜드 이모티콘 관리자센터");
        let category: Vec<&str> = h["category"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert!(!category.is_empty());
        assert_eq!(
            h["breadcrumb"].as_str().unwrap(),
            format!("브랜드 이모티콘 관리자센터 > {}", category.join(" > "))
        );
        assert_eq!(h["url"], format!("/articles/{id}"));
        let updated = h["updated"].as_str().unwrap();
        assert!(chrono::NaiveDate::parse_from_str(updated, "%Y-%m-%d").is_ok());
        assert!(h["decision"].is_null() || h["decision"].is_string());
        let score = h["score"].as_f64().unwrap();
        assert!(score > 0.0 && score <= last, "scores must not increase");
        last = score;
        // Highlights are character ranges into the snippet text.
        let text: Vec<char> = h["snippet"]["text"].as_str().unwrap().chars().collect();
        for r in h["snippet"]["highlights"].as_array().unwrap() {
            let (s, e) = (
                r[0].as_u64().unwrap() as usize,
                r[1].as_u64().unwrap() as usize,
            );
            assert!(s < e && e <= text.len(), "{h}");
        }
    }
    // The best hit's snippet marks the word searched for.
    let first = &hits[0]["snippet"];
    let text: Vec<char> = first["text"].as_str().unwrap().chars().collect();
    let marked: Vec<String> = first["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let (s, e) = (
                r[0].as_u64().unwrap() as usize,
                r[1].as_u64().unwrap() as usize,
            );
            text[s..e].iter().collect()
        })
        .collect();
    assert!(marked.iter().any(|m| m == "환불"), "{first}");
}

/// Control characters in `q` (a pasted line break, `%00`) read as spaces:
/// what is searched, echoed and recorded is text.
#[tokio::test]
async fn control_characters_in_a_query_read_as_spaces() {
    let app = app().await;
    let (status, v) = app
        .json("/api/search?q=%ED%99%98%EB%B6%88%00%0A%EA%B3%84%EC%A2%8C")
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["query"], "환불 계좌", "{v}");
    let (_, plain) = app
        .json(&format!("/api/search?q={}", enc("환불 계좌")))
        .await;
    assert_eq!(ids(&v), ids(&plain));
    let (status, v) = app.json("/api/search?q=%00%0A%09").await;
    assert_eq!(status, 400, "nothing but control characters is empty: {v}");
}

/// A query none of whose words any entry holds finds nothing: its bigrams
/// alone ("안녕하세요" → 세요, "있습니다" → 니다) touched most of the help
/// center (41 and 55 of 76 entries). A word the content knows, a typo of
/// one, words run together and 초성 still find their entries.
#[tokio::test]
async fn a_query_of_words_no_entry_holds_finds_nothing() {
    let app = app().await;
    let total = |v: &Value| v["total"].as_u64().unwrap();
    for q in ["안녕하세요", "있습니다", "감사합니다", "사랑해"] {
        for sort in ["relevance", "updated"] {
            let (status, v) = app
                .json(&format!("/api/search?q={}&sort={sort}", enc(q)))
                .await;
            assert_eq!(status, 200, "{v}");
            assert_eq!(total(&v), 0, "{q} ({sort}): {v}");
        }
    }
    for q in [
        "환불",
        "환뷸",
        "환불계좌등록",
        "ㅎㅂ",
        "안녕하세요 환불 문의드려요",
    ] {
        let (_, v) = app.json(&format!("/api/search?q={}", enc(q))).await;
        assert!(total(&v) > 0, "{q}: {v}");
    }
}

#[tokio::test]
async fn a_search_asked_again_answers_the_same_bytes_from_the_cache() {
    let app = app().await;
    // A request no other test makes, so the first one searches.
    let pq = format!(
        "/api/search?q={}&size=7&sort=updated",
        enc("세금계산서 발행 언제 되나요")
    );
    let body = |resp: reqwest::Response| async move {
        assert_eq!(resp.status(), 200);
        assert_eq!(common::content_type(&resp), "application/json");
        resp.bytes().await.expect("body")
    };
    let first = body(app.get(&pq).await).await;
    // The server's engine (the one `common::engine` shares) kept the page.
    let req = doum::search::SearchRequest::new("세금계산서 발행 언제 되나요")
        .unwrap()
        .size(7)
        .unwrap()
        .sort(doum::search::Sort::Updated);
    let kept = common::engine(common::CONTENT)
        .cached(&req)
        .expect("the page is remembered");
    assert_eq!(kept.json().unwrap(), first);
    let hits_before = doum::metrics::global().search_cache_hits();
    let again = body(app.get(&pq).await).await;
    assert!(
        doum::metrics::global().search_cache_hits() > hits_before,
        "the second search is a cache hit"
    );
    assert_eq!(first, again);
    let v: Value = serde_json::from_slice(&again).unwrap();
    assert_eq!(v["size"], 7);
    assert!(v["total"].as_u64().unwrap() > 0, "{v}");
    // Another page size is another request, searched on its own.
    let (_, other) = app
        .json(&format!(
            "/api/search?q={}&size=2&sort=updated",
            enc("세금계산서 발행 언제 되나요")
        ))
        .await;
    assert_eq!(other["size"], 2);
    assert_eq!(ids(&other)[..], ids(&v)[..2]);
}

#[tokio::test]
async fn category_filters_by_path_prefix_and_counts_stay() {
    let app = app().await;
    let q = enc("환불 카드");
    let (_, all) = app.json(&format!("/api/search?q={q}&size=50")).await;
    let all_total = all["total"].as_u64().unwrap();

    for (path, depth) in [
        ("결제 관리", 1),
        ("결제 관리/환불 요청", 2),
        (" 결제 관리 / 환불 요청 ", 2),
    ] {
        let (status, v) = app
            .json(&format!("/api/search?q={q}&size=50&category={}", enc(path)))
            .await;
        assert_eq!(status, 200, "{v}");
        let norm = path.split('/').map(str::trim).collect::<Vec<_>>();
        let total = v["total"].as_u64().unwrap();
        assert!(
            total > 0 && total < all_total,
            "{path}: {total} of {all_total}"
        );
        assert_eq!(Some(total), count_of(&all, &norm.join("/")));
        for h in v["hits"].as_array().unwrap() {
            let cat: Vec<&str> = h["category"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap())
                .collect();
            assert_eq!(&cat[..depth], &norm[..], "{h}");
        }
        // The counts are for the query, not for the filter.
        assert_eq!(v["categories"], all["categories"]);
    }

    // A top category whose name contains '/'.
    let (status, v) = app
        .json(&format!(
            "/api/search?q={}&size=50&category={}",
            enc("캠페인 예산"),
            enc("광고 만들기/보고서")
        ))
        .await;
    assert_eq!(status, 200, "{v}");
    let total = v["total"].as_u64().unwrap();
    assert!(total > 0);
    assert_eq!(Some(total), count_of(&v, "광고 만들기/보고서"));
    for h in v["hits"].as_array().unwrap() {
        assert_eq!(h["category"][0], "광고 만들기/보고서");
    }

    // An unknown category is the client's mistake, not "nothing matches":
    // a 400 naming the field and the categories to choose from.
    for typed in ["없는 카테고리", "결제 관리/없는 하위", "결제"] {
        let v = bad_request(
            &app,
            &format!("/api/search?q={q}&category={}", enc(typed)),
            "category",
        )
        .await;
        assert_eq!(v["error"]["code"], "invalid_parameter", "{v}");
        let message = v["error"]["message"].as_str().unwrap();
        assert!(message.contains(typed), "{message}");
        assert!(message.contains("결제 관리"), "{message}");
    }
}

#[tokio::test]
async fn sort_updated_orders_by_date() {
    let app = app().await;
    let q = enc("캐시 충전");
    let (_, rel) = app.json(&format!("/api/search?q={q}&size=50")).await;
    let (status, upd) = app
        .json(&format!("/api/search?q={q}&size=50&sort=updated"))
        .await;
    assert_eq!(status, 200);
    let dates: Vec<&str> = upd["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["updated"].as_str().unwrap())
        .collect();
    assert!(dates.len() >= 3);
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
    // Same matches, another order.
    let (mut a, mut b) = (ids(&rel), ids(&upd));
    assert_ne!(a, b, "the orders should differ for this query");
    a.sort();
    b.sort();
    assert_eq!(a, b);
    let (status, _) = app.json(&format!("/api/search?q={q}&sort=relevance")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn paging_and_its_limits() {
    let app = app().await;
    let q = enc("캐시");
    let (_, all) = app.json(&format!("/api/search?q={q}&size=50")).await;
    let total = all["total"].as_u64().unwrap() as usize;
    assert!(total > 4, "{total}");
    let (_, p1) = app.json(&format!("/api/search?q={q}&size=2&page=1")).await;
    let (_, p2) = app.json(&format!("/api/search?q={q}&size=2&page=2")).await;
    assert_eq!(p2["page"], 2);
    assert_eq!(p2["size"], 2);
    assert_eq!(p2["total"], all["total"]);
    let all_ids = ids(&all);
    assert_eq!(ids(&p1), all_ids[0..2]);
    assert_eq!(ids(&p2), all_ids[2..4]);

    let last = total.div_ceil(2);
    let (status, v) = app
        .json(&format!("/api/search?q={q}&size=2&page={last}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(v["hits"].as_array().unwrap().len(), total - 2 * (last - 1));

    let v = bad_request(
        &app,
        &format!("/api/search?q={q}&size=2&page={}", last + 1),
        "page",
    )
    .await;
    assert_eq!(v["error"]["code"], "page_out_of_range");
    bad_request(&app, &format!("/api/search?q={q}&page=0"), "page").await;
    bad_request(&app, &format!("/api/search?q={q}&size=51"), "size").await;
    bad_request(&app, &format!("/api/search?q={q}&size=0"), "size").await;
    let (status, v) = app.json(&format!("/api/search?q={q}&size=50")).await;
    assert_eq!(status, 200, "{v}");
}

#[tokio::test]
async fn bad_parameters_are_json_errors_naming_the_field() {
    let app = app().await;
    for pq in [
        "/api/search",
        "/api/search?q=",
        "/api/search?q=%20%20",
        "/api/search?category=x",
    ] {
        bad_request(&app, pq, "q").await;
    }
    let long = "가".repeat(201);
    bad_request(&app, &format!("/api/search?q={}", enc(&long)), "q").await;
    let (status, _) = app
        .json(&format!("/api/search?q={}", enc(&"가".repeat(200))))
        .await;
    assert_eq!(status, 200);

    bad_request(&app, "/api/search?q=x&sort=best", "sort").await;
    for pq in [
        "/api/search?q=x&page=abc",
        "/api/search?q=x&page=-1",
        "/api/search?q=x&page=1.5",
        "/api/search?q=x&page=99999999999999999999999",
    ] {
        bad_request(&app, pq, "page").await;
    }
    bad_request(&app, "/api/search?q=x&size=ten", "size").await;

    // A malformed query string is JSON too, not axum's plain text.
    let (status, v) = app.json("/api/search?q=a&q=b").await;
    assert_eq!(status, 400);
    assert_eq!(v["error"]["code"], "invalid_parameter");
}

#[tokio::test]
async fn query_syntax_is_plain_text() {
    let app = app().await;
    for q in [
        "환불 AND (",
        "title:x",
        "*",
        "환불\" OR",
        "[]{}~^",
        "-",
        "!!!",
    ] {
        let (status, v) = app.json(&format!("/api/search?q={}", enc(q))).await;
        assert_eq!(status, 200, "{q:?}: {v}");
        assert_eq!(v["query"], q.trim());
        assert!(v["hits"].is_array());
    }
    let (_, a) = app
        .json(&format!("/api/search?q={}", enc("환불 AND (")))
        .await;
    assert_eq!(
        ids(&a).first(),
        ids(&app.json(&format!("/api/search?q={}", enc("환불"))).await.1).first()
    );
}

// ---------------------------------------------------------------- articles

#[tokio::test]
async fn article_json_and_404() {
    let app = app().await;
    let (status, v) = app.json("/api/articles/free-cash-status").await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["id"], "free-cash-status");
    assert_eq!(v["title"], "무상캐시 사용상태를 확인하고 싶어요");
    assert_eq!(v["service"], "브랜드 이모티콘 관리자센터");
    assert_eq!(v["category"], serde_json::json!(["결제 관리", "캐시 관리"]));
    assert_eq!(
        v["breadcrumb"],
        "브랜드 이모티콘 관리자센터 > 결제 관리 > 캐시 관리"
    );
    assert_eq!(v["updated"], "2026-09-24");
    assert_eq!(v["url"], "/articles/free-cash-status");
    assert!(
        v["keywords"]
            .as_array()
            .unwrap()
            .contains(&"무료 캐시".into())
    );
    assert!(v["decision"].is_null());
    let html = v["body_html"].as_str().unwrap();
    assert!(html.contains("<strong>사용중</strong>"), "{html}");
    assert!(!v["body_text"].as_str().unwrap().contains('<'));
    let related = v["related"].as_array().unwrap();
    assert_eq!(related.len(), 3);
    assert_eq!(related[0]["id"], "paid-free-cash-difference");
    assert_eq!(related[0]["url"], "/articles/paid-free-cash-difference");
    let (_, other) = app.json("/api/articles/paid-free-cash-difference").await;
    assert_eq!(related[0]["title"], other["title"]);

    let (status, v) = app.json("/api/articles/budget-increase-not-allowed").await;
    assert_eq!(status, 200);
    assert_eq!(v["decision"], "budget-change");

    for pq in [
        "/api/articles/no-such-entry",
        "/api/articles/%ED%99%98%EB%B6%88",
    ] {
        let (status, v) = app.json(pq).await;
        assert_eq!(status, 404, "{pq}");
        assert_eq!(v["error"]["code"], "not_found");
    }
}

#[tokio::test]
async fn healthz_and_unknown_routes() {
    let app = app().await;
    let resp = app.get("/healthz").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().await.unwrap(), "ok");

    let (status, v) = app.json("/api/nothing-here").await;
    assert_eq!(status, 404);
    assert_eq!(v["error"]["code"], "not_found");

    let resp = app
        .client
        .post(app.url("/api/search?q=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
}

/// A wrong method is a JSON error under `/api/` and `/kakao/` (the skill is
/// called by Open Builder, which reads JSON), and a Korean page elsewhere.
#[tokio::test]
async fn wrong_methods_are_json_under_api_and_kakao_and_a_korean_page_elsewhere() {
    let app = app().await;
    for (method, path) in [
        (reqwest::Method::GET, "/kakao/skill"),
        (reqwest::Method::PUT, "/kakao/skill"),
        (reqwest::Method::POST, "/api/search?q=x"),
        (reqwest::Method::DELETE, "/api/articles/refund-request-how"),
    ] {
        let resp = app
            .client
            .request(method.clone(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 405, "{method} {path}");
        let ct = common::content_type(&resp);
        assert!(ct.starts_with("application/json"), "{method} {path}: {ct}");
        let v: Value = resp.json().await.unwrap();
        assert_eq!(v["error"]["code"], "method_not_allowed", "{method} {path}");
    }
    for path in ["/search?q=x", "/articles/refund-request-how", "/"] {
        let resp = app.client.post(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 405, "{path}");
        let ct = common::content_type(&resp);
        assert!(ct.starts_with("text/html"), "{path}: {ct}");
        let html = resp.text().await.unwrap();
        assert!(html.contains("lang=\"ko\""), "{html}");
        assert!(
            html.contains("이 주소는 그런 방식의 요청을 받지 않습니다"),
            "{html}"
        );
    }
}

/// Parameters as people and tools type them: a category path with a trailing
/// slash (as `/categories/…/` takes it), a sort in capitals; and a page past
/// a search that found nothing says so, not that there is a page of results.
#[tokio::test]
async fn category_slashes_sort_case_and_pages_past_nothing() {
    let app = app().await;
    let (status, plain) = app
        .json(&format!(
            "/api/search?q={}&category={}",
            enc("환불"),
            enc("결제 관리")
        ))
        .await;
    assert_eq!(status, 200);
    assert!(plain["total"].as_u64().unwrap() > 0, "{plain}");
    for typed in ["결제 관리/", "/결제 관리/", " 결제 관리 / "] {
        let (status, v) = app
            .json(&format!(
                "/api/search?q={}&category={}",
                enc("환불"),
                enc(typed)
            ))
            .await;
        assert_eq!(status, 200, "{typed:?}");
        assert_eq!(v["total"], plain["total"], "{typed:?}");
        assert_eq!(ids(&v), ids(&plain), "{typed:?}");
    }
    let (_, updated) = app
        .json(&format!("/api/search?q={}&sort=updated", enc("환불")))
        .await;
    for typed in ["UPDATED", "Updated"] {
        let (status, v) = app
            .json(&format!("/api/search?q={}&sort={typed}", enc("환불")))
            .await;
        assert_eq!(status, 200, "{typed}: {v}");
        assert_eq!(ids(&v), ids(&updated), "{typed}");
    }
    let (status, v) = app.json("/api/search?q=x&sort=BEST").await;
    assert_eq!(status, 400);
    assert_eq!(v["error"]["field"], "sort");
    assert!(
        v["error"]["message"].as_str().unwrap().contains("`BEST`"),
        "{v}"
    );

    let (status, v) = app
        .json(&format!("/api/search?q={}&page=2", enc("쀍뛝쉙")))
        .await;
    assert_eq!(status, 400);
    assert_eq!(v["error"]["code"], "page_out_of_range");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(!message.contains("page(s) of results"), "{message}");
    assert!(message.contains("found nothing"), "{message}");
    let (status, v) = app
        .json(&format!("/api/search?q={}&page=99", enc("환불")))
        .await;
    assert_eq!(status, 400);
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("page(s) of results"),
        "{v}"
    );
    // The API still refuses an empty query, naming it.
    let (status, v) = app.json("/api/search?q=").await;
    assert_eq!(status, 400);
    assert_eq!(v["error"]["field"], "q");
}
