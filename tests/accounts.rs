//! Account sources: the shipped sample (which must reach every row of every decision),
//! the file format, and the account API client against a real loopback HTTP server that
//! can be slow, down, 404 or answer garbage.

mod common;

use common::is_entry;
use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;
use doum::accounts::{
    Account, AccountLookup, AccountSource, FileSource, HttpConfig, HttpSource, KakaoUserRef,
    LinkLookup, Personalized, personalize,
};
use doum::rules::{FactType, RuleBook, Value};

fn book() -> RuleBook {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    RuleBook::load(&dir, &|id: &str| is_entry(id)).unwrap()
}

/// The date the sample accounts were written against.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
}

// ---------------------------------------------------------------- the sample file

#[test]
fn sample_has_ten_accounts_and_links() {
    let s = FileSource::sample();
    assert_eq!(s.account_ids().len(), 10);
    assert_eq!(s.account_ids()[0], "A-1001");
    assert!(matches!(s.account("A-1001"), AccountLookup::Found(a) if a.members.len() == 2));
    assert!(matches!(s.account("A-9999"), AccountLookup::NotFound));
    let pf = KakaoUserRef::PlusfriendUserKey("pfk-7f3a9c21".into());
    assert_eq!(s.link(&pf), LinkLookup::Linked("A-1001".into()));
    let app = KakaoUserRef::AppUserId("823456789".into());
    assert_eq!(s.link(&app), LinkLookup::Linked("A-1005".into()));
    // Keys are per kind.
    let wrong_kind = KakaoUserRef::AppUserId("pfk-7f3a9c21".into());
    assert_eq!(s.link(&wrong_kind), LinkLookup::NotLinked);
}

/// Every row of every decision (and every per-record decision's empty case) is the
/// matching row for at least one sample account.
#[test]
fn sample_accounts_reach_every_row_of_every_decision() {
    let book = book();
    let mut hit: BTreeSet<(String, Option<usize>)> = BTreeSet::new();
    for account in FileSource::sample().accounts() {
        for result in book.evaluate_all(&account.facts(), today()) {
            for e in result.results {
                hit.insert((e.decision.clone(), e.row));
            }
        }
    }
    let mut missing = Vec::new();
    for d in book.decisions() {
        for row in &d.rows {
            if !hit.contains(&(d.id.clone(), Some(row.number))) {
                missing.push(format!(
                    "{} row {} ({})",
                    d.id, row.number, row.output.outcome
                ));
            }
        }
        if d.per_record() && !hit.contains(&(d.id.clone(), None)) {
            missing.push(format!("{} empty case", d.id));
        }
    }
    assert!(
        missing.is_empty(),
        "not reached by the sample accounts: {missing:#?}"
    );
}

/// The facts accounts produce have the names and types the decisions declare.
#[test]
fn account_facts_match_the_declared_fact_types() {
    let book = book();
    let accounts = FileSource::sample().accounts();
    let all_facts: Vec<_> = accounts.iter().map(|a| a.facts()).collect();
    for d in book.decisions() {
        for decl in &d.facts {
            let mut seen = false;
            for f in &all_facts {
                let Some(v) = f.get(&decl.name) else { continue };
                seen = true;
                assert!(decl.ty.accepts(v), "{}: {} is {:?}", d.id, decl.name, v);
                if let (FactType::List { fields }, Value::List(records)) = (&decl.ty, v) {
                    for r in records {
                        for (name, fd) in fields {
                            if let Some(fv) = r.get(name) {
                                assert!(fd.ty.accepts(fv), "{}: {}.{name}", d.id, decl.name);
                                if let FactType::Enum { values } = &fd.ty
                                    && let Value::Text(t) = fv
                                {
                                    assert!(values.iter().any(|(v, _)| v == t), "{name}={t}");
                                }
                            }
                        }
                    }
                }
            }
            assert!(
                seen,
                "{}: no sample account provides fact {}",
                d.id, decl.name
            );
        }
    }
    // And no trace ever reports a value of the wrong type.
    for f in &all_facts {
        for r in book.evaluate_all(f, today()) {
            for e in r.results {
                for s in e.trace {
                    if let Some(c) = s.failed {
                        assert!(!c.actual.contains("형식이 다름"), "{}: {c:?}", e.decision);
                    }
                }
            }
        }
    }
}

#[test]
fn facts_join_payments_with_members() {
    let AccountLookup::Found(a) = FileSource::sample().account("A-1001") else {
        panic!()
    };
    let f = a.facts();
    let Some(Value::List(payments)) = f.get("payments") else {
        panic!()
    };
    assert_eq!(
        payments[0].get("member_status"),
        Some(&Value::Text("withdrawn".into()))
    );
    assert_eq!(
        payments[1].get("member_status"),
        Some(&Value::Text("active".into()))
    );
    assert_eq!(f.get("master.member_id"), Some(&Value::Text("m1".into())));
    assert_eq!(f.get("cash.free"), Some(&Value::Number(5000)));
    // A paying member missing from the list leaves member_status absent.
    let AccountLookup::Found(a) = FileSource::sample().account("A-1005") else {
        panic!()
    };
    let Some(Value::List(payments)) = a.facts().get("payments").cloned() else {
        panic!()
    };
    assert_eq!(payments[0].get("member_status"), None);
    // null auto payment → absent facts.
    let AccountLookup::Found(a) = FileSource::sample().account("A-1003") else {
        panic!()
    };
    assert_eq!(a.facts().get("auto_payment.method"), None);
}

#[test]
fn sample_answers_read_well() {
    let book = book();
    let AccountLookup::Found(a) = FileSource::sample().account("A-1001") else {
        panic!()
    };
    let r = book.evaluate("refund-method", &a.facts(), today()).unwrap();
    let labels: Vec<_> = r
        .results
        .iter()
        .map(|e| e.record.clone().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "결제 P-1 (카드, 50,000원)",
            "결제 P-2 (카카오페이, 30,000원)",
            "결제 P-3 (무통장입금, 40,000원)"
        ]
    );
    let outcomes: Vec<_> = r.results.iter().map(|e| e.outcome.as_str()).collect();
    assert_eq!(
        outcomes,
        ["cash-refund-withdrawn-member", "card-cancel", "cash-refund"]
    );
    let c = book
        .evaluate("creative-deadlines", &a.facts(), today())
        .unwrap();
    let answer = c.results[0].answer.replace('\n', " ");
    assert!(
        answer.contains("2026년 12월 11일 (금)까지이며 10일 남았습니다"),
        "{answer}"
    );
}

// ---------------------------------------------------------------- file format

const JSON_ACCOUNTS: &str = r#"{
  "accounts": [
    { "account_id": "A-2001", "advertiser_type": "business", "overseas": false,
      "refund_account_registered": true, "cash": { "paid": 1000, "free": 0 },
      "members": [ { "member_id": "m1", "role": "master", "status": "active", "email": "x@example.com" } ],
      "payments": [ { "payment_id": "P-1", "method": "naverpay", "amount": 1000,
                      "paid_at": "2026-10-01", "member_id": "m1" } ],
      "campaigns": [],
      "auto_payment": { "method": null, "card_kind": null },
      "future_field": { "nested": true } }
  ],
  "links": { "app_user_id": { "42": "A-2001" } }
}"#;

#[test]
fn json_accounts_file_ignores_unknown_fields() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("accounts.json");
    std::fs::write(&path, JSON_ACCOUNTS).unwrap();
    let src = AccountSource::from_options(Some(&path), None).unwrap();
    assert!(src.describe().starts_with("file "));
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let AccountLookup::Found(a) = rt.block_on(src.account("A-2001")) else {
        panic!()
    };
    // An unknown payment method never gives a wrong personal answer: the default row.
    let r = book()
        .evaluate("refund-method", &a.facts(), today())
        .unwrap();
    assert_eq!(r.results[0].outcome, "contact-support");
    let link = rt.block_on(src.link(&KakaoUserRef::AppUserId("42".into())));
    assert_eq!(link, LinkLookup::Linked("A-2001".into()));
}

#[test]
fn bad_accounts_files_are_rejected() {
    let dup = "accounts:\n  - &a { account_id: A-1, advertiser_type: individual, overseas: false, refund_account_registered: false, cash: { paid: 0, free: 0 }, members: [], payments: [], campaigns: [] }\n  - *a\n";
    let e = FileSource::parse(dup, "dup.yaml", false).unwrap_err();
    assert!(e.to_string().contains("A-1 appears twice"), "{e}");
    let dangling = "accounts: []\nlinks:\n  plusfriend_user_key: { k: A-404 }\n";
    let e = FileSource::parse(dangling, "l.yaml", false).unwrap_err();
    assert!(e.to_string().contains("unknown account A-404"), "{e}");
    assert!(FileSource::parse("accounts: [ { account_id: A-1 } ]", "x", false).is_err());
    assert!(AccountSource::from_options(Some(Path::new("a.yaml")), Some("http://x")).is_err());
    assert!(AccountSource::from_options(None, Some("not a url")).is_err());
    assert!(matches!(
        AccountSource::from_options(None, None).unwrap(),
        AccountSource::File(_)
    ));
}

// ---------------------------------------------------------------- the account API

#[derive(Clone)]
struct Api {
    hits: Arc<AtomicUsize>,
    good: Arc<String>,
}

fn account_json(id: &str) -> String {
    let AccountLookup::Found(a) = FileSource::sample().account("A-1001") else {
        panic!()
    };
    let mut v = serde_json::to_value(Account::clone(&a)).unwrap();
    v["account_id"] = id.into();
    v["unknown_field"] = serde_json::json!({"ignored": [1, 2, 3]});
    v["campaigns"][0]["extra"] = "ignored too".into();
    v.to_string()
}

async fn accounts(State(api): State<Api>, UrlPath(id): UrlPath<String>) -> Response {
    api.hits.fetch_add(1, Ordering::SeqCst);
    match id.as_str() {
        "A-1001" => ([("content-type", "application/json")], api.good.to_string()).into_response(),
        // Never answers: only the client's timeout ends the wait.
        "A-SLOW" => std::future::pending::<Response>().await,
        "A-REDIRECT" => (StatusCode::FOUND, [("location", "/v1/accounts/A-1001")]).into_response(),
        "A-GARBAGE" => "<html>oops</html>".into_response(),
        "A-TRUNCATED" => api.good[..40].to_owned().into_response(),
        "A-500" => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        "A-OTHER" => account_json("A-1002").into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

#[derive(serde::Deserialize)]
struct Kind {
    kind: String,
}

async fn links(
    State(api): State<Api>,
    UrlPath(key): UrlPath<String>,
    Query(q): Query<Kind>,
) -> Response {
    api.hits.fetch_add(1, Ordering::SeqCst);
    match (key.as_str(), q.kind.as_str()) {
        ("pfk-1", "plusfriend_user_key") => {
            r#"{"key":"pfk-1","account_id":"A-1001"}"#.into_response()
        }
        ("app-1", "app_user_id") => {
            r#"{"key":"app-1","kind":"app_user_id","account_id":"A-1002","since":"2026-01-01"}"#
                .into_response()
        }
        ("garbage", _) => "not json".into_response(),
        // A misbehaving API: someone else's link, a link without its key, the other kind.
        ("pfk-unlinked", _) => r#"{"key":"pfk-1","account_id":"A-1001"}"#.into_response(),
        ("pfk-keyless", _) => r#"{"account_id":"A-1001"}"#.into_response(),
        ("pfk-kind", _) => {
            r#"{"key":"pfk-kind","kind":"app_user_id","account_id":"A-1001"}"#.into_response()
        }
        ("slow", _) => std::future::pending::<Response>().await,
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Starts the fake account API on a loopback port; returns its base URL and hit counter.
async fn start_api() -> (String, Arc<AtomicUsize>) {
    let api = Api {
        hits: Arc::new(AtomicUsize::new(0)),
        good: Arc::new(account_json("A-1001")),
    };
    let hits = api.hits.clone();
    let stray = api.hits.clone();
    let app = Router::new()
        .route("/v1/accounts/{id}", get(accounts))
        .route("/v1/kakao-links/{key}", get(links))
        .fallback(move || {
            stray.fetch_add(1, Ordering::SeqCst);
            async { StatusCode::NOT_FOUND }
        })
        .with_state(api);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (format!("http://{addr}/v1"), hits)
}

fn source(base: &str) -> HttpSource {
    HttpSource::new(HttpConfig::new(base)).unwrap()
}

#[tokio::test]
async fn http_found_and_cached() {
    let (base, hits) = start_api().await;
    let src = source(&base);
    let AccountLookup::Found(a) = src.account("A-1001").await else {
        panic!()
    };
    assert_eq!(a.account_id, "A-1001");
    assert_eq!(a.payments.len(), 3);
    for _ in 0..5 {
        assert!(matches!(
            src.account("A-1001").await,
            AccountLookup::Found(_)
        ));
    }
    assert_eq!(hits.load(Ordering::SeqCst), 1, "served from the cache");
    // Evaluates like the file source does.
    let r = book()
        .evaluate("refund-method", &a.facts(), today())
        .unwrap();
    assert_eq!(r.results[0].outcome, "cash-refund-withdrawn-member");
}

#[tokio::test]
async fn http_not_found_is_cached_briefly() {
    let (base, hits) = start_api().await;
    let mut cfg = HttpConfig::new(&base);
    cfg.negative_ttl = Duration::from_millis(200);
    let src = HttpSource::new(cfg).unwrap();
    assert!(matches!(
        src.account("A-404").await,
        AccountLookup::NotFound
    ));
    assert!(matches!(
        src.account("A-404").await,
        AccountLookup::NotFound
    ));
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert!(matches!(
        src.account("A-404").await,
        AccountLookup::NotFound
    ));
    assert_eq!(
        hits.load(Ordering::SeqCst),
        2,
        "asked again after the negative TTL"
    );
}

#[tokio::test]
async fn http_slow_api_times_out_at_800ms() {
    // The API never answers these: the only way to get an answer is the timeout.
    let (base, _) = start_api().await;
    let src = source(&base);
    assert_eq!(src.config().timeout, Duration::from_millis(800));
    match src.account("A-SLOW").await {
        AccountLookup::Unavailable(why) => assert!(why.contains("800 ms"), "{why}"),
        other => panic!("{other:?}"),
    }
    let link = src
        .link(&KakaoUserRef::PlusfriendUserKey("slow".into()))
        .await;
    match link {
        LinkLookup::Unavailable(why) => assert!(why.contains("800 ms"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn http_garbage_and_errors_are_unavailable() {
    let (base, hits) = start_api().await;
    let src = source(&base);
    for (id, needle) in [
        ("A-GARBAGE", "invalid JSON from account API"),
        ("A-TRUNCATED", "invalid JSON from account API"),
        ("A-500", "HTTP 500"),
        ("A-OTHER", "answered with account A-1002"),
    ] {
        match src.account(id).await {
            AccountLookup::Unavailable(why) => assert!(why.contains(needle), "{id}: {why}"),
            other => panic!("{id}: {other:?}"),
        }
    }
    // Failures are cached for a moment so a broken API is not hammered.
    let before = hits.load(Ordering::SeqCst);
    assert!(matches!(
        src.account("A-500").await,
        AccountLookup::Unavailable(_)
    ));
    assert_eq!(hits.load(Ordering::SeqCst), before);
    // A redirect is not followed: the answer must come from the configured API.
    match src.account("A-REDIRECT").await {
        AccountLookup::Unavailable(why) => assert!(why.contains("HTTP 302"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn http_down_is_unavailable_quickly() {
    // A port nobody listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let src = source(&format!("http://127.0.0.1:{port}/v1"));
    // Refused connections, not the timeout, end these lookups.
    match src.account("A-1001").await {
        AccountLookup::Unavailable(why) => assert!(why.contains("connect"), "{why}"),
        other => panic!("{other:?}"),
    }
    match src.link(&KakaoUserRef::AppUserId("app-1".into())).await {
        LinkLookup::Unavailable(why) => assert!(why.contains("connect"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn http_links() {
    let (base, hits) = start_api().await;
    let src = AccountSource::from_options(None, Some(&base)).unwrap();
    assert!(src.describe().starts_with("http "));
    let pf = KakaoUserRef::PlusfriendUserKey("pfk-1".into());
    assert_eq!(src.link(&pf).await, LinkLookup::Linked("A-1001".into()));
    assert_eq!(src.link(&pf).await, LinkLookup::Linked("A-1001".into()));
    assert_eq!(hits.load(Ordering::SeqCst), 1, "cached");
    let app = KakaoUserRef::AppUserId("app-1".into());
    assert_eq!(src.link(&app).await, LinkLookup::Linked("A-1002".into()));
    // The kind is sent: the same key as the other kind is not linked.
    let wrong = KakaoUserRef::AppUserId("pfk-1".into());
    assert_eq!(src.link(&wrong).await, LinkLookup::NotLinked);
    let garbage = KakaoUserRef::AppUserId("garbage".into());
    match src.link(&garbage).await {
        LinkLookup::Unavailable(why) => assert!(why.contains("invalid JSON"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn http_ids_and_keys_are_checked_before_any_url_is_built() {
    let (base, hits) = start_api().await;
    let src = source(&base);
    let long = "a".repeat(129);
    let bad = [
        "", ".", "..", "...", ".\r.", ".%09.", "..%2f", "a/b", "A 1", "A-1001\n", "가", "a\u{0}b",
        &long,
    ];
    for id in bad {
        assert!(
            matches!(src.account(id).await, AccountLookup::NotFound),
            "{id:?}"
        );
        for user in [
            KakaoUserRef::PlusfriendUserKey(id.into()),
            KakaoUserRef::AppUserId(id.into()),
        ] {
            assert_eq!(src.link(&user).await, LinkLookup::NotLinked, "{id:?}");
        }
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0, "no request was sent");
    // Dots inside an id, 128 characters, underscores: fine.
    for id in ["A.1", "a_b-c", &"a".repeat(128)] {
        assert!(doum::accounts::valid_key(id), "{id}");
    }
    assert!(matches!(
        src.account("A-1001").await,
        AccountLookup::Found(_)
    ));
}

#[tokio::test]
async fn http_a_link_answer_must_name_the_key_asked_for() {
    let (base, _) = start_api().await;
    let src = source(&base);
    for (key, needle) in [
        ("pfk-unlinked", "not the key asked for"),
        ("pfk-keyless", "not the key asked for"),
        ("pfk-kind", "kind"),
    ] {
        match src.link(&KakaoUserRef::PlusfriendUserKey(key.into())).await {
            LinkLookup::Unavailable(why) => assert!(why.contains(needle), "{key}: {why}"),
            other => panic!("{key}: {other:?}"),
        }
    }
}

/// A raw HTTP server that answers every request with an endless chunked body; returns
/// its base URL and the number of body bytes it managed to write.
async fn endless_api() -> (String, Arc<AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let written = Arc::new(AtomicUsize::new(0));
    let count = written.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let count = count.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                if sock.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = format!("10000\r\n{}\r\n", " ".repeat(0x10000));
                // Up to 300 MB, unless the client hangs up first.
                for _ in 0..4800 {
                    if sock.write_all(chunk.as_bytes()).await.is_err() {
                        return;
                    }
                    count.fetch_add(0x10000, Ordering::SeqCst);
                }
            });
        }
    });
    (format!("http://{addr}/v1"), written)
}

#[tokio::test]
async fn http_answers_are_read_up_to_the_size_cap_only() {
    let (base, written) = endless_api().await;
    let mut cfg = HttpConfig::new(&base);
    cfg.max_body_bytes = 256 * 1024;
    cfg.timeout = Duration::from_secs(60);
    let src = HttpSource::new(cfg).unwrap();
    match src.account("A-1001").await {
        AccountLookup::Unavailable(why) => assert!(why.contains("over 262144 bytes"), "{why}"),
        other => panic!("{other:?}"),
    }
    // The client stopped reading at the cap: the server could not send much more than
    // what fits in the socket buffers.
    let sent = written.load(Ordering::SeqCst);
    assert!(sent < 64 * 1024 * 1024, "the server wrote {sent} bytes");
}

#[tokio::test]
async fn personalize_falls_back_instead_of_failing() {
    let book = book();
    let sample = AccountSource::sample();
    match personalize(&book, &sample, "refund-method", "A-1001", today()).await {
        Personalized::Answered(r) => assert_eq!(r.results.len(), 3),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        personalize(&book, &sample, "refund-method", "A-0000", today()).await,
        Personalized::AccountNotFound
    ));
    assert!(matches!(
        personalize(&book, &sample, "no-such-decision", "A-1001", today()).await,
        Personalized::UnknownDecision(_)
    ));
    let (base, _) = start_api().await;
    let http = AccountSource::from_options(None, Some(&base)).unwrap();
    assert!(matches!(
        personalize(&book, &http, "refund-method", "A-GARBAGE", today()).await,
        Personalized::Unavailable(_)
    ));
    assert!(matches!(
        personalize(&book, &http, "sales-rights", "A-1001", today()).await,
        Personalized::Answered(_)
    ));
}
