//! The agent area over a real server: access (off, 401, bearer, cookie login), the
//! decisions API for sample accounts, search with internal fields, a failing account
//! API, and the lookup page.

mod common;

use common::{CONTENT, TestApp, enc, spawn_with};
use doum::accounts::AccountSource;
use doum::web::WebConfig;
use serde_json::Value;

const TOKEN: &str = "agent-token-7f3a9c1e-5b2d-4e8a-9c31-d0e6";
const TODAY: &str = "2026-12-01";

fn config(token: Option<&str>) -> WebConfig {
    WebConfig::new("https://help.example.com").with_agent_token(token.map(String::from))
}

async fn agent_app() -> TestApp {
    spawn_with(CONTENT, AccountSource::sample(), config(Some(TOKEN))).await
}

async fn get_with(app: &TestApp, path: &str, header: Option<(&str, String)>) -> reqwest::Response {
    let mut req = app.client.get(app.url(path));
    if let Some((k, v)) = header {
        req = req.header(k, v);
    }
    req.send().await.expect("request")
}

fn bearer(token: &str) -> Option<(&'static str, String)> {
    Some(("authorization", format!("Bearer {token}")))
}

/// GET with the right token, expecting JSON: (status, body).
async fn agent_json(app: &TestApp, path: &str) -> (u16, Value) {
    let resp = get_with(app, path, bearer(TOKEN)).await;
    let status = resp.status().as_u16();
    let ct = header(&resp, "content-type");
    assert!(ct.starts_with("application/json"), "{path}: {ct}");
    assert_eq!(header(&resp, "cache-control"), "no-store", "{path}");
    (status, resp.json().await.expect("JSON"))
}

fn header(resp: &reqwest::Response, name: &str) -> String {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

const API_PATHS: [&str; 4] = [
    "/api/agent/accounts/A-1001/decisions",
    "/api/agent/accounts/A-1001/decisions/refund-method",
    "/api/agent/search?q=%ED%99%98%EB%B6%88",
    "/api/agent/ask?q=%ED%99%98%EB%B6%88&account=A-1001",
];

fn outcomes(result: &Value) -> Vec<String> {
    result["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|e| e["outcome"].as_str().unwrap().to_string())
        .collect()
}

fn decision<'a>(body: &'a Value, id: &str) -> &'a Value {
    body["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .find(|d| d["decision"] == id)
        .unwrap_or_else(|| panic!("no decision {id} in {body}"))
}

// ------------------------------------------------------------------- access

#[tokio::test]
async fn without_a_token_the_agent_area_does_not_exist() {
    let app = spawn_with(CONTENT, AccountSource::sample(), config(None)).await;
    let missing_api = get_with(&app, "/api/no-such-route", None).await;
    assert_eq!(missing_api.status(), 404);
    for path in API_PATHS {
        for h in [None, bearer(TOKEN), bearer("")] {
            let resp = get_with(&app, path, h).await;
            assert_eq!(resp.status(), 404, "{path}");
            assert!(header(&resp, "www-authenticate").is_empty());
            let body: Value = resp.json().await.unwrap();
            assert_eq!(body["error"]["code"], "not_found", "{path}");
        }
    }
    let (_, missing_page) = app.html("/no-such-page").await;
    for path in ["/agent", "/agent?account=A-1001"] {
        let (status, html) = app.html(path).await;
        assert_eq!(status, 404);
        assert_eq!(html, missing_page, "{path} looks like any missing page");
    }
    // Other methods on agent routes: 404 too, not 405.
    let login = app
        .client
        .post(app.url("/agent/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={}", enc(TOKEN)))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 404);
    assert!(header(&login, "set-cookie").is_empty());
    assert_eq!(app.get("/agent/login").await.status(), 404);
    let post = app.client.post(app.url(API_PATHS[0])).send().await.unwrap();
    assert_eq!(post.status(), 404);
}

#[tokio::test]
async fn missing_or_wrong_credentials_are_401() {
    let wrong: [Option<(&str, String)>; 7] = [
        None,
        bearer("wrong"),
        bearer(""),
        bearer(&TOKEN[..TOKEN.len() - 1]),
        bearer(&format!("{TOKEN}x")),
        Some(("authorization", format!("Basic {TOKEN}"))),
        Some(("cookie", format!("doum_agent={TOKEN}"))),
    ];
    for path in API_PATHS {
        // A server per path: three wrong bearer tokens each stay under the failure limit.
        let app = agent_app().await;
        for h in wrong.clone() {
            let desc = format!("{path} {h:?}");
            let resp = get_with(&app, path, h).await;
            assert_eq!(resp.status(), 401, "{desc}");
            assert!(
                header(&resp, "www-authenticate").starts_with("Bearer"),
                "{desc}"
            );
            let body: Value = resp.json().await.unwrap();
            assert_eq!(body["error"]["code"], "unauthorized", "{desc}");
            assert!(!body.to_string().contains("50,000"), "{desc}");
        }
        let (status, body) = agent_json(&app, path).await;
        assert_eq!(status, 200, "{path}");
        // The answer itself, not just any 200.
        let filled = ["decisions", "result", "hits", "best"].iter().any(|k| {
            body[k].is_array() && !body[k].as_array().unwrap().is_empty() || body[k].is_object()
        });
        assert!(filled, "{path}: {body}");
        // The scheme name is case-insensitive.
        let resp = get_with(
            &app,
            path,
            Some(("authorization", format!("bearer {TOKEN}"))),
        )
        .await;
        assert_eq!(resp.status(), 200, "{path}");
    }
    // A known route, another method, with the area on: 405.
    let app = agent_app().await;
    let post = app.client.post(app.url(API_PATHS[0])).send().await.unwrap();
    assert_eq!(post.status(), 405);
}

// ---------------------------------------------------------------- decisions

#[tokio::test]
async fn every_decision_for_sample_accounts() {
    let app = agent_app().await;

    let (status, body) = agent_json(
        &app,
        &format!("/api/agent/accounts/A-1001/decisions?today={TODAY}"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["account_id"], "A-1001");
    assert_eq!(body["today"], TODAY);
    let ids: Vec<_> = body["decisions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["decision"].as_str().unwrap())
        .collect();
    for id in [
        "auto-payment",
        "budget-change",
        "cash-top-up",
        "creative-deadlines",
        "refund-method",
        "sales-rights",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    // A withdrawn member's card payment: cash refund; an active member's kakaopay: cancel.
    let refund = decision(&body, "refund-method");
    assert_eq!(
        outcomes(refund),
        ["cash-refund-withdrawn-member", "card-cancel", "cash-refund"]
    );
    let first = &refund["results"][0];
    assert_eq!(first["record"], "결제 P-1 (카드, 50,000원)");
    assert!(first["answer"].as_str().unwrap().contains("현금환불"));
    assert_eq!(first["row"], 2);
    // Every evaluation has its trace, ending with the matching row.
    for d in body["decisions"].as_array().unwrap() {
        for e in d["results"].as_array().unwrap() {
            let trace = e["trace"].as_array().unwrap();
            if e["row"].is_null() {
                assert!(trace.is_empty());
            } else {
                assert_eq!(trace.last().unwrap()["matched"], true, "{e}");
                assert!(
                    trace[..trace.len() - 1]
                        .iter()
                        .all(|s| s["failed"].is_object())
                );
            }
        }
    }
    let campaigns = decision(&body, "creative-deadlines");
    assert!(
        campaigns["results"][0]["answer"]
            .as_str()
            .unwrap()
            .replace('\n', " ")
            .contains("2026년 12월 11일 (금)까지이며 10일 남았습니다")
    );

    // A business without a refund account: register one first, for both payments.
    let (_, body) = agent_json(
        &app,
        &format!("/api/agent/accounts/A-1002/decisions?today={TODAY}"),
    )
    .await;
    assert_eq!(body["account_id"], "A-1002");
    assert_eq!(
        outcomes(decision(&body, "refund-method")),
        ["register-refund-account", "register-refund-account"]
    );

    // No payments at all: the empty case, without a row.
    let (_, body) = agent_json(
        &app,
        &format!("/api/agent/accounts/A-1004/decisions?today={TODAY}"),
    )
    .await;
    let refund = decision(&body, "refund-method");
    assert_eq!(outcomes(refund), ["no-payments"]);
    assert!(refund["results"][0]["row"].is_null());

    // An overseas invoice: cash refund to the registered account.
    let (_, body) = agent_json(
        &app,
        &format!("/api/agent/accounts/A-1003/decisions?today={TODAY}"),
    )
    .await;
    assert_eq!(outcomes(decision(&body, "refund-method")), ["cash-refund"]);
}

#[tokio::test]
async fn one_decision_and_errors() {
    let app = agent_app().await;
    let (status, body) = agent_json(
        &app,
        &format!("/api/agent/accounts/A-1001/decisions/refund-method?today={TODAY}"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["account_id"], "A-1001");
    assert_eq!(body["result"]["decision"], "refund-method");
    assert_eq!(body["result"]["title"], "결제 건별 환불 방법");
    let trace = &body["result"]["results"][0]["trace"];
    // Row 1 wants no refund account; A-1001 has one.
    assert_eq!(trace[0]["matched"], false);
    assert_eq!(trace[0]["failed"]["fact"], "refund_account_registered");
    assert_eq!(trace[0]["failed"]["condition"], "= false");
    assert_eq!(trace[0]["failed"]["actual"], "true");
    assert_eq!(trace[1]["matched"], true);
    assert_eq!(trace[1]["outcome"], "cash-refund-withdrawn-member");

    let (status, body) = agent_json(
        &app,
        "/api/agent/accounts/A-1001/decisions/no-such-decision",
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "decision_not_found");
    for path in [
        "/api/agent/accounts/A-9999/decisions",
        "/api/agent/accounts/A-9999/decisions/refund-method",
    ] {
        let (status, body) = agent_json(&app, path).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(body["error"]["code"], "account_not_found", "{path}");
    }
    let (status, body) = agent_json(&app, "/api/agent/accounts/A-1001/decisions?today=12/01").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["field"], "today");
    // Without `today`: the app's clock (today in Korea unless fixed).
    let mut fixed = config(Some(TOKEN));
    fixed.clock = doum::rules::Clock::Fixed("2027-02-10".parse().unwrap());
    let app = spawn_with(CONTENT, AccountSource::sample(), fixed).await;
    let (status, body) = agent_json(&app, "/api/agent/accounts/A-1001/decisions").await;
    assert_eq!(status, 200);
    assert_eq!(body["today"], "2027-02-10");
}

#[tokio::test]
async fn account_api_down_is_503() {
    let base = common::failing_account_api().await;
    for url in [
        "http://127.0.0.1:1".to_string(),
        format!("{base}/down"),
        format!("{base}/garbage"),
        format!("{base}/truncated"),
    ] {
        let source = AccountSource::from_options(None, Some(&url)).unwrap();
        let app = spawn_with(CONTENT, source, config(Some(TOKEN))).await;
        for path in &API_PATHS[..2] {
            let (status, body) = agent_json(&app, path).await;
            assert_eq!(status, 503, "{url} {path}: {body}");
            assert_eq!(body["error"]["code"], "account_unavailable", "{url}");
        }
        // An unknown decision is known without asking the account API.
        let (status, _) = agent_json(&app, "/api/agent/accounts/A-1001/decisions/nope").await;
        assert_eq!(status, 404);
        // The page says so instead of failing.
        let resp = get_with(&app, "/agent?account=A-1001", bearer(TOKEN)).await;
        assert_eq!(resp.status(), 200);
        let html = resp.text().await.unwrap();
        assert!(html.contains("계정 정보를 가져올 수 없습니다"), "{url}");
    }
}

// ------------------------------------------------------------------- search

#[tokio::test]
async fn agent_search_shows_internal_fields() {
    let app = agent_app().await;
    let q = enc("환불 받고 싶어요");
    let (status, body) = agent_json(&app, &format!("/api/agent/search?q={q}")).await;
    assert_eq!(status, 200, "{body}");
    let hit = &body["hits"][0];
    assert_eq!(hit["id"], "refund-request-how");
    assert_eq!(hit["decision"], "refund-method");
    assert!(hit["updated"].as_str().unwrap().len() == 10);
    assert_eq!(hit["source"], "content/faq/payment/refund-request-how.md");
    assert!(hit["keywords"].is_array());
    assert!(hit["snippet"]["text"].is_string());
    // Same ranking and total as the customer API, which has no file paths.
    let (_, public) = app.json(&format!("/api/search?q={q}")).await;
    assert_eq!(public["total"], body["total"]);
    assert_eq!(public["hits"][0]["id"], hit["id"]);
    assert!(public["hits"][0].get("source").is_none());
    // Bad parameters are the usual 400.
    let (status, body) = agent_json(&app, "/api/agent/search?q=").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["field"], "q");
    // So is a category the help center does not have, as on `/api/search`.
    let (status, body) = agent_json(
        &app,
        &format!("/api/agent/search?q={q}&category={}", enc("없는")),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["field"], "category");
}

/// `/api/agent/ask`: what `doum ask --json` prints, through the same
/// choice: one answer with the account's decision, a list, or "not found"
/// with no decision evaluated for a guess.
#[tokio::test]
async fn agent_ask_answers_as_doum_ask_does() {
    let app = agent_app().await;
    let ask = |q: &str, account: &str| {
        format!(
            "/api/agent/ask?q={}&account={account}&today={TODAY}",
            enc(q)
        )
    };
    let (status, v) = agent_json(&app, &ask("환불 받고 싶어요", "A-1001")).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["verdict"], "answer");
    assert_eq!(v["today"], TODAY);
    assert_eq!(v["account_id"], "A-1001");
    assert_eq!(v["best"]["id"], "refund-request-how");
    assert_eq!(v["personal"]["status"], "answered");
    assert_eq!(
        outcomes(&v["personal"]["result"]),
        ["cash-refund-withdrawn-member", "card-cancel", "cash-refund"]
    );

    let (_, v) = agent_json(&app, &ask("카드 환불", "A-1001")).await;
    assert_eq!(v["verdict"], "list", "{v}");
    assert!(v["candidates"].as_array().unwrap().len() >= 2, "{v}");

    let (_, v) = agent_json(&app, &ask("로또 당첨 번호", "A-1001")).await;
    assert_eq!(v["verdict"], "not_found", "{v}");
    assert_eq!(v["personal"]["status"], "no_match", "{v}");
    let (_, v) = agent_json(&app, &ask("훤뷸", "A-1001")).await;
    assert_eq!(v["verdict"], "not_found", "{v}");
    assert!(v["best"].is_null(), "a guess is not named best: {v}");
    assert_eq!(v["correction"], "환불", "the chatbot's offer: {v}");
    // What the chatbot does instead of answering from the help center.
    // The chatbot shows no entry then, so `best` names none.
    let (_, v) = agent_json(&app, &ask("상담원 연결해 주세요", "A-1001")).await;
    assert_eq!(v["verdict"], "handoff", "{v}");
    assert!(v["best"].is_null(), "{v}");
    let (_, v) = agent_json(&app, &ask("안녕하세요", "A-1001")).await;
    assert_eq!(v["verdict"], "small_talk", "{v}");
    assert!(v["best"].is_null(), "{v}");

    // An unknown account: the general answer, and why.
    let (status, v) = agent_json(&app, &ask("환불 받고 싶어요", "A-9999")).await;
    assert_eq!(status, 200);
    assert_eq!(v["personal"]["status"], "account_not_found");
    assert_eq!(v["best"]["id"], "refund-request-how");
    // No account: the general answer.
    let (_, v) = agent_json(
        &app,
        &format!("/api/agent/ask?q={}", enc("환불 받고 싶어요")),
    )
    .await;
    assert_eq!(v["personal"]["status"], "no_account");

    // Bad input: the field named.
    for (path, field) in [
        ("/api/agent/ask".to_string(), "q"),
        (format!("/api/agent/ask?q={}", "x".repeat(300)), "q"),
        (
            format!("/api/agent/ask?q={}&today=2026-13-01", enc("환불")),
            "today",
        ),
    ] {
        let (status, v) = agent_json(&app, &path).await;
        assert_eq!(status, 400, "{path}: {v}");
        assert_eq!(v["error"]["code"], "invalid_parameter", "{path}");
        assert_eq!(v["error"]["field"], field, "{path}");
    }
}

#[tokio::test]
async fn customer_routes_never_take_an_account() {
    let app = agent_app().await;
    let q = enc("환불 받고 싶어요");
    for path in [
        format!("/search?q={q}&account=A-1001"),
        "/articles/refund-request-how?account=A-1001".to_string(),
        format!("/api/search?q={q}&account=A-1001"),
        "/api/articles/refund-request-how?account=A-1001".to_string(),
        "/?account=A-1001".to_string(),
    ] {
        let resp = app.get(&path).await;
        assert_eq!(resp.status(), 200, "{path}");
        let text = resp.text().await.unwrap();
        for fact in ["50,000원", "P-1", "A-1001", "cash-refund-withdrawn-member"] {
            assert!(!text.contains(fact), "{path} shows {fact}");
        }
    }
}

// --------------------------------------------------------------------- page

async fn login(app: &TestApp, token: &str) -> reqwest::Response {
    app.client
        .post(app.url("/agent/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={}", enc(token)))
        .send()
        .await
        .unwrap()
}

async fn page_with_cookie(app: &TestApp, path: &str, cookie: &str) -> (u16, String) {
    let resp = get_with(app, path, Some(("cookie", cookie.to_string()))).await;
    let status = resp.status().as_u16();
    assert!(header(&resp, "content-type").starts_with("text/html"));
    (status, resp.text().await.unwrap())
}

#[tokio::test]
async fn page_login_and_lookups() {
    let app = agent_app().await;

    // Not logged in: the login form, 401.
    let resp = app.get("/agent?account=A-1001").await;
    assert_eq!(resp.status(), 401);
    assert!(header(&resp, "www-authenticate").starts_with("Bearer"));
    let html = resp.text().await.unwrap();
    assert!(html.contains("action=\"/agent/login\""));
    assert!(!html.contains("50,000원"));

    // A wrong token: no cookie.
    let resp = login(&app, "wrong").await;
    assert_eq!(resp.status(), 401);
    assert!(header(&resp, "set-cookie").is_empty());
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("토큰이 올바르지 않습니다")
    );

    // The right token: a session cookie and back to the page.
    let resp = login(&app, TOKEN).await;
    assert_eq!(resp.status(), 303);
    assert_eq!(header(&resp, "location"), "/agent");
    let set_cookie = header(&resp, "set-cookie");
    for attr in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
        assert!(set_cookie.contains(attr), "{attr} in {set_cookie}");
    }
    assert!(!set_cookie.contains(TOKEN), "the cookie is not the token");
    let cookie = set_cookie.split(';').next().unwrap().to_string();

    // Account lookup: every decision, its outcome, answer and trace.
    let (status, html) = page_with_cookie(
        &app,
        &format!("/agent?account=A-1001&today={TODAY}"),
        &cookie,
    )
    .await;
    assert_eq!(status, 200);
    for text in [
        "결제 건별 환불 방법",
        "결제 P-1 (카드, 50,000원)",
        "cash-refund-withdrawn-member",
        "card-cancel",
        "결제 취소는 할 수 없습니다",
        "불일치",
        "일치",
        "refund_account_registered = false",
        "payment.member_status = withdrawn",
        "<td>active</td>",
        "<td>bank_transfer</td>",
        "행 2 · 줄 63",
        "creative-deadlines",
    ] {
        assert!(html.contains(text), "page lacks {text}");
    }

    // Search: entries with their internal fields.
    let (status, html) =
        page_with_cookie(&app, &format!("/agent?q={}", enc("환불")), &cookie).await;
    assert_eq!(status, 200);
    for text in [
        "refund-request-how",
        "content/faq/payment/refund-request-how.md",
        "<code>refund-method</code>",
        "2025-08-04",
    ] {
        assert!(html.contains(text), "search page lacks {text}");
    }
    // Typed in English mode: searched as read, and said so.
    let (_, typed) = page_with_cookie(&app, "/agent?q=ghksqnf", &cookie).await;
    assert!(
        typed.contains("<q>ghksqnf</q> (한글 자판으로 읽은 <q>환불</q>) 검색결과"),
        "{typed}"
    );
    assert!(typed.contains("refund-request-how"));

    // Both: the customer's answer preview, as `doum ask --explain` prints it.
    let (_, html) = page_with_cookie(
        &app,
        &format!(
            "/agent?q={}&account=A-1002&today={TODAY}",
            enc("환불 받고 싶어요")
        ),
        &cookie,
    )
    .await;
    assert!(html.contains("고객 답변 미리보기"));
    assert!(html.contains("[맞춤 안내] 결제 건별 환불 방법"));
    assert!(html.contains("[판단 근거]"));
    assert!(!html.contains(doum::ask::LIST_HEADER), "one answer");
    // The chatbot's verdict, as `doum ask` says it: a list, with what
    // picking the first gives; "not found", with no account's decision.
    let (_, html) = page_with_cookie(
        &app,
        &format!("/agent?q={}&account=A-1002&today={TODAY}", enc("카드 환불")),
        &cookie,
    )
    .await;
    for text in [
        doum::ask::LIST_HEADER,
        doum::ask::FIRST_PICKED,
        "[맞춤 안내]",
    ] {
        assert!(html.contains(text), "list preview lacks {text}");
    }
    let (_, html) = page_with_cookie(
        &app,
        &format!(
            "/agent?q={}&account=A-1002&today={TODAY}",
            enc("로또 당첨 번호")
        ),
        &cookie,
    )
    .await;
    assert!(html.contains(doum::ask::NO_MATCH), "{html}");
    assert!(!html.contains("[맞춤 안내]"), "{html}");
    // A customer asking for a person gets the 상담원 card, and the
    // preview says so.
    let (_, html) = page_with_cookie(
        &app,
        &format!(
            "/agent?q={}&account=A-1002&today={TODAY}",
            enc("상담원 연결해 주세요")
        ),
        &cookie,
    )
    .await;
    assert!(html.contains("상담원 연결 요청으로 받아"), "{html}");

    // Unknown account; escaping.
    let (_, html) = page_with_cookie(&app, "/agent?account=A-9999", &cookie).await;
    assert!(html.contains("찾을 수 없습니다"));
    let (status, html) = page_with_cookie(
        &app,
        &format!(
            "/agent?account={}&q={}",
            enc("<script>x</script>"),
            enc("\"><b>")
        ),
        &cookie,
    )
    .await;
    assert_eq!(status, 200);
    assert!(!html.contains("<script>x"));
    assert!(!html.contains("\"><b>"));
    // askama's escaping: `<` → `&#60;`, `>` → `&#62;`.
    assert!(html.contains("&#60;script&#62;x&#60;/script&#62;"));

    // The cookie also opens the API; a tampered one does not.
    let resp = get_with(&app, API_PATHS[0], Some(("cookie", cookie.clone()))).await;
    assert_eq!(resp.status(), 200);
    let tampered = format!("{}0", cookie);
    let (status, _) = page_with_cookie(&app, "/agent", &tampered).await;
    assert_eq!(status, 401);
    let forged = format!("doum_agent=99999999999.{}", "0".repeat(64));
    let (status, _) = page_with_cookie(&app, "/agent", &forged).await;
    assert_eq!(status, 401);

    // Logout clears the cookie.
    let resp = app
        .client
        .post(app.url("/agent/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert!(header(&resp, "set-cookie").contains("Max-Age=0"));
}

#[tokio::test]
async fn bearer_token_opens_the_page_too() {
    let app = agent_app().await;
    let resp = get_with(&app, "/agent", bearer(TOKEN)).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "cache-control"), "no-store");
    assert!(resp.text().await.unwrap().contains("상담원 조회"));
}

// ------------------------------------------------------------ hardening (issue 9)

/// Serves the agent app with the client's address available (as `doum serve` does), and
/// returns its base URL.
async fn spawn_with_addresses(config: WebConfig) -> String {
    let state =
        doum::web::AppState::new(common::assistant(CONTENT, AccountSource::sample()), config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            doum::web::app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap()
    });
    format!("http://{addr}")
}

/// A client sending from `local` (any 127.x.y.z works on Linux loopback).
fn client_from(local: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .local_address(local.parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap()
}

async fn post_login(client: &reqwest::Client, base: &str, token: &str) -> reqwest::Response {
    client
        .post(format!("{base}/agent/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={}", enc(token)))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn short_tokens_turn_the_area_off_and_padded_ones_are_trimmed() {
    // Under 32 characters: the agent area stays off, even with the right token.
    let app = spawn_with(CONTENT, AccountSource::sample(), config(Some("a"))).await;
    assert_eq!(
        get_with(&app, API_PATHS[0], bearer("a")).await.status(),
        404
    );
    let short = &TOKEN[..31];
    let app = spawn_with(CONTENT, AccountSource::sample(), config(Some(short))).await;
    assert_eq!(
        get_with(&app, API_PATHS[0], bearer(short)).await.status(),
        404
    );
    // A token with surrounding whitespace (a file's newline) is trimmed: it logs in.
    let padded = format!(" {TOKEN}\n");
    let app = spawn_with(CONTENT, AccountSource::sample(), config(Some(&padded))).await;
    assert_eq!(login(&app, TOKEN).await.status(), 303);
    assert_eq!(login(&app, &format!("{TOKEN} ")).await.status(), 303);
    assert_eq!(
        get_with(&app, API_PATHS[0], bearer(TOKEN)).await.status(),
        200
    );
}

#[test]
fn doum_serve_refuses_a_short_agent_token_with_a_clear_message() {
    let index = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_doum"))
        .args(["serve", "--addr", "127.0.0.1:0", "--content", CONTENT])
        .arg("--index")
        .arg(index.path())
        .env("DOUM_AGENT_TOKEN", "tok ")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("DOUM_AGENT_TOKEN has 3 characters; use at least 32"),
        "{err}"
    );
}

#[tokio::test]
async fn failed_logins_are_throttled_per_client_address() {
    let base = spawn_with_addresses(config(Some(TOKEN))).await;
    let guesser = client_from("127.0.0.1");
    for i in 0..5 {
        let resp = post_login(&guesser, &base, &format!("guess-{i}")).await;
        assert_eq!(resp.status(), 401, "guess {i}");
    }
    // Now even the right token is refused from that address, and the API too.
    let resp = post_login(&guesser, &base, TOKEN).await;
    assert_eq!(resp.status(), 429);
    assert!(header(&resp, "set-cookie").is_empty());
    assert!(header(&resp, "retry-after").parse::<u64>().unwrap() >= 1);
    assert!(resp.text().await.unwrap().contains("잠시 후 다시"));
    let resp = guesser
        .get(format!("{base}{}", API_PATHS[0]))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_attempts");
    // Another address is not affected.
    let other = client_from("127.0.0.2");
    let resp = post_login(&other, &base, TOKEN).await;
    assert_eq!(resp.status(), 303);
    assert!(!header(&resp, "set-cookie").is_empty());
}

#[tokio::test]
async fn login_and_logout_refuse_posts_from_other_sites() {
    let app = agent_app().await;
    let post = |path: &'static str, origin: Option<&'static str>, site: Option<&'static str>| {
        let mut req = app
            .client
            .post(app.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("token={}", enc(TOKEN)));
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        if let Some(s) = site {
            req = req.header("sec-fetch-site", s);
        }
        req.send()
    };
    for path in ["/agent/login", "/agent/logout"] {
        let resp = post(path, Some("https://evil.example"), None)
            .await
            .unwrap();
        assert_eq!(resp.status(), 403, "{path}");
        assert!(header(&resp, "set-cookie").is_empty(), "{path}");
        let resp = post(path, None, Some("cross-site")).await.unwrap();
        assert_eq!(resp.status(), 403, "{path}");
    }
    // The public URL's origin (any case) and the server's own address are this site.
    let resp = post("/agent/login", Some("https://HELP.example.com"), None)
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert!(header(&resp, "set-cookie").contains("doum_agent="));
    let own = format!("http://{}", app.addr);
    let resp = app
        .client
        .post(app.url("/agent/login"))
        .header("origin", own)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={}", enc(TOKEN)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let app = agent_app().await;
    let cookie_of = |resp: &reqwest::Response| {
        header(resp, "set-cookie")
            .split(';')
            .next()
            .unwrap()
            .to_string()
    };
    let first = cookie_of(&login(&app, TOKEN).await);
    let second = cookie_of(&login(&app, TOKEN).await);
    assert_ne!(first, second, "each login is its own session");
    assert_eq!(page_with_cookie(&app, "/agent", &first).await.0, 200);
    let resp = app
        .client
        .post(app.url("/agent/logout"))
        .header("cookie", first.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    // A copy of the cookie kept after logout no longer opens anything.
    assert_eq!(page_with_cookie(&app, "/agent", &first).await.0, 401);
    let resp = get_with(&app, API_PATHS[0], Some(("cookie", first))).await;
    assert_eq!(resp.status(), 401);
    // The other session goes on.
    assert_eq!(page_with_cookie(&app, "/agent", &second).await.0, 200);
}

#[tokio::test]
async fn the_cookie_is_secure_whatever_the_case_of_https() {
    for (url, secure) in [
        ("HTTPS://Help.Example.com", true),
        ("Https://help.example.com", true),
        ("http://127.0.0.1:8080", false),
    ] {
        let config = WebConfig::new(url).with_agent_token(Some(TOKEN.into()));
        let app = spawn_with(CONTENT, AccountSource::sample(), config).await;
        let set_cookie = header(&login(&app, TOKEN).await, "set-cookie");
        assert!(set_cookie.contains("doum_agent="), "{url}: {set_cookie}");
        assert_eq!(
            set_cookie.contains("; Secure"),
            secure,
            "{url}: {set_cookie}"
        );
    }
}

#[tokio::test]
async fn the_answer_preview_obeys_the_query_limit() {
    let app = agent_app().await;
    let long = "환불".repeat(101); // 202 characters
    let (status, html) = {
        let resp = get_with(
            &app,
            &format!("/agent?q={}&account=A-1001&today={TODAY}", enc(&long)),
            bearer(TOKEN),
        )
        .await;
        (resp.status(), resp.text().await.unwrap())
    };
    assert_eq!(status, 200);
    assert!(
        !html.contains("고객 답변 미리보기"),
        "no preview for 202 characters"
    );
    assert!(
        html.contains("202 characters; the limit is 200"),
        "says why"
    );
    // 200 characters still get one.
    let ok = "환불".repeat(100);
    let resp = get_with(
        &app,
        &format!("/agent?q={}&account=A-1001&today={TODAY}", enc(&ok)),
        bearer(TOKEN),
    )
    .await;
    assert!(resp.text().await.unwrap().contains("고객 답변 미리보기"));
}

/// A `today` override outside the dates the holiday calendar covers
/// (`content/holidays.yaml`: 2025-01-01 to 2027-12-31) is refused with a 400
/// naming the field and the range, on every route that takes it; the page
/// says so and looks up today instead. The calendar's own ends are accepted.
#[tokio::test]
async fn a_today_outside_the_holiday_calendar_is_refused() {
    let app = agent_app().await;
    for today in ["0001-01-01", "2024-12-31", "2028-01-01", "9999-12-31"] {
        for path in [
            format!("/api/agent/accounts/A-1001/decisions?today={today}"),
            format!("/api/agent/accounts/A-1001/decisions/refund-method?today={today}"),
            format!(
                "/api/agent/ask?q={}&account=A-1001&today={today}",
                enc("환불")
            ),
        ] {
            let (status, body) = agent_json(&app, &path).await;
            assert_eq!(status, 400, "{path}: {body}");
            assert_eq!(body["error"]["code"], "invalid_parameter", "{path}");
            assert_eq!(body["error"]["field"], "today", "{path}");
            let message = body["error"]["message"].as_str().unwrap();
            assert!(
                message.contains(today) && message.contains("from 2025-01-01 to 2027-12-31"),
                "{path}: {message}"
            );
        }
        let resp = get_with(
            &app,
            &format!("/agent?account=A-1001&today={today}"),
            bearer(TOKEN),
        )
        .await;
        assert_eq!(resp.status(), 200);
        let html = resp.text().await.unwrap();
        assert!(
            html.contains("기준일은 2025-01-01부터 2027-12-31 사이의 날짜를"),
            "{html}"
        );
        assert!(!html.contains("739,960일"), "{html}");
    }
    for today in ["2025-01-01", "2027-12-31"] {
        let (status, body) = agent_json(
            &app,
            &format!("/api/agent/accounts/A-1001/decisions?today={today}"),
        )
        .await;
        assert_eq!(status, 200, "{today}: {body}");
        assert_eq!(body["today"], today);
    }
}
