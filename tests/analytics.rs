//! Search analytics and feedback: the SQLite store, the queue in front of it, what the
//! server records, `doum report`, the agent API, and a store that fails.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::process::DoumProcess;
use common::{CONTENT, TestApp, enc, search_event, spawn_state};
use doum::accounts::AccountSource;
use doum::analytics::{self, QUEUE_CAPACITY, Recorder, Report, Store, Vote, sqlite::SqliteStore};
use doum::web::{AppState, WebConfig};

const TOKEN: &str = "analytics-test-token-0123456789abcdef";

async fn recording_app(dir: &Path) -> (TestApp, Arc<Recorder>) {
    let recorder = Arc::new(analytics::open(dir));
    let state = AppState::new(
        common::assistant(CONTENT, AccountSource::sample()),
        WebConfig {
            // The home page's most viewed list is checked right after the views
            // (by default a count stands for a minute; unit-tested in `analytics`).
            popular_max_age: Duration::ZERO,
            ..WebConfig::new("https://help.example.com").with_agent_token(Some(TOKEN.into()))
        },
    )
    .with_analytics(recorder.clone());
    (spawn_state(state).await, recorder)
}

/// The agent page at `path`, signed in with the token.
async fn agent_page(app: &TestApp, path: &str) -> String {
    let resp = app
        .client
        .get(app.url(path))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{path}");
    resp.text().await.unwrap()
}

/// Waits (polling, at most 20 s) until the report satisfies `done`: events are written
/// off the request path.
async fn report_when(dir: &Path, done: impl Fn(&Report) -> bool) -> Report {
    let store = SqliteStore::open_dir(dir).unwrap();
    for _ in 0..200 {
        let r = store.report(0, 50).unwrap();
        if done(&r) {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    store.report(0, 50).unwrap()
}

// The store contract (what is written is what the report says) runs on SQLite and
// PostgreSQL alike: tests/postgres.rs.

#[test]
fn the_queue_writes_everything_before_close_and_drops_when_full() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(SqliteStore::open_dir(dir.path()).unwrap());
    let recorder = Recorder::new(store.clone(), QUEUE_CAPACITY);
    for i in 0..100 {
        recorder.record(search_event(analytics::now(), &format!("q{i}"), 1));
    }
    recorder.close();
    assert_eq!(store.report(0, 10).unwrap().searches, 100);
    assert_eq!(recorder.dropped(), 0);
}

#[tokio::test]
async fn the_server_records_searches_clicks_votes_and_chat_outcomes() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _recorder) = recording_app(dir.path()).await;
    let (status, _) = app.html(&format!("/search?q={}", enc("환불"))).await;
    assert_eq!(status, 200);
    app.html(&format!("/search?q={}", enc("쀍뛝쉙"))).await;
    app.json(&format!("/api/search?q={}", enc("세금계산서")))
        .await;
    app.html(&format!(
        "/articles/refund-request-how?from={}&rank=1",
        enc("환불")
    ))
    .await;
    let resp = app
        .client
        .post(app.url("/articles/refund-request-how/feedback"))
        .form(&[("helpful", "no"), ("comment", "카드 환불 기간이 궁금해요")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let mut body = kakao_turn("");
    body["userRequest"]["user"]["properties"]["plusfriendUserKey"] =
        serde_json::json!("secret-user-key");
    // A question nothing answers, and a customer asking for a person, who
    // is counted as such, not as "not found".
    for said in ["쀍뛝쉙 뷁", "상담원 연결해 주세요"] {
        body["userRequest"]["utterance"] = serde_json::json!(said);
        let resp = app
            .client
            .post(app.url("/kakao/skill"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }

    let handoff = |r: &doum::analytics::Report| {
        r.chat_outcomes
            .iter()
            .any(|(o, n)| o == "handoff" && *n == 1)
    };
    let r = report_when(dir.path(), |r| {
        r.searches >= 3 && r.views >= 1 && !r.chat_not_found.is_empty() && handoff(r)
    })
    .await;
    assert!(handoff(&r), "{r:?}");
    assert_eq!(r.chat_not_found.len(), 1, "{r:?}");
    assert_eq!(r.searches, 3, "{r:?}");
    assert!(r.top_queries.iter().any(|q| q.query == "환불"));
    assert_eq!(r.no_results[0].query, "쀍뛝쉙");
    assert!(r.unopened.iter().any(|q| q.query == "세금계산서"));
    assert!(
        !r.unopened.iter().any(|q| q.query == "환불"),
        "환불 was clicked"
    );
    assert_eq!(r.unhelpful[0].comments, vec!["카드 환불 기간이 궁금해요"]);
    assert_eq!(r.chat_not_found[0].query, "쀍뛝쉙 뷁");

    // No raw Kakao key, no IP in the file.
    let raw = std::fs::read(dir.path().join("doum.sqlite")).unwrap();
    let wal = std::fs::read(dir.path().join("doum.sqlite-wal")).unwrap_or_default();
    for bytes in [&raw, &wal] {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("secret-user-key"));
        assert!(!text.contains("127.0.0.1"));
    }

    // The same report for agents, behind the token.
    let resp = app.get("/api/agent/analytics/report?since=7d").await;
    assert_eq!(resp.status(), 401);
    let resp = app
        .client
        .get(app.url("/api/agent/analytics/report?since=7d"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(v["no_results"][0]["query"], "쀍뛝쉙");
    let resp = app
        .client
        .get(app.url("/api/agent/analytics/report?since=7w"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let html = agent_page(&app, "/agent").await;
    assert!(html.contains("검색 분석 (최근 7일)"));
    assert!(
        html.contains("기록은 90일 동안 보관하며"),
        "the default retention"
    );
    assert!(
        html.contains("챗봇 질문 2회 (") && html.contains("상담원 요청 1"),
        "the chatbot's questions by outcome"
    );
    assert!(html.contains("쀍뛝쉙"));
    assert!(html.contains("카드 환불 기간이 궁금해요"));
    // The entry with 아니요 votes is named by its title, linked to its page.
    let unhelpful = html.split("‘아니요’가 많은 도움말").nth(1).unwrap();
    assert!(
        unhelpful.contains(
            r#"<a href="/articles/refund-request-how">남은 캐시를 환불받으려면 어떻게 하나요?</a>"#
        ),
        "{unhelpful}"
    );

    // The home page's most viewed entries come from the views. The no-result
    // page above counted them before the view; that count is given while a
    // new one is made in the background, so the home page shows the view soon.
    let first_viewed = |home: &str| {
        let Some(popular) = home.split("많이 본 도움말").nth(1) else {
            return false;
        };
        let first = popular.find("href=\"/articles/").unwrap();
        popular[first..].starts_with("href=\"/articles/refund-request-how\"")
    };
    let mut shown = false;
    for _ in 0..100 {
        if first_viewed(&app.html("/").await.1) {
            shown = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(shown, "the home page never showed the viewed entry first");
    // Once viewed, the most recently updated entry moves from the recent list
    // to the most viewed one: the two lists never repeat an entry.
    let content = doum::content::Content::load(Path::new(CONTENT)).unwrap();
    let newest = format!(
        "/articles/{}\"",
        content.catalog().newest(&content).next().unwrap().id
    );
    let recent_of = |home: &str| {
        home.split("최근 업데이트된 도움말")
            .nth(1)
            .unwrap()
            .to_string()
    };
    assert!(recent_of(&app.html("/").await.1).contains(&newest));
    app.html(&newest[..newest.len() - 1]).await;
    let mut moved = false;
    for _ in 0..100 {
        let home = app.html("/").await.1;
        let popular = home.split("많이 본 도움말").nth(1).unwrap();
        if popular
            .split("최근 업데이트된 도움말")
            .next()
            .unwrap()
            .contains(&newest)
        {
            assert!(!recent_of(&home).contains(&newest), "{home}");
            moved = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        moved,
        "the viewed newest entry never became a most viewed one"
    );
}

/// The agent page's report is made now and then, not for every lookup: a
/// reload shows the report it has, saying how old it is, and one older than
/// `report_max_age` is made again in the background for the loads after.
#[tokio::test]
async fn the_agent_page_reuses_its_report_and_makes_it_again_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let recorder = Arc::new(analytics::open(dir.path()));
    let config = WebConfig {
        report_max_age: Duration::ZERO,
        ..WebConfig::new("https://help.example.com").with_agent_token(Some(TOKEN.into()))
    };
    assert_eq!(
        WebConfig::new("https://help.example.com").report_max_age,
        Duration::from_secs(60),
        "a minute by default"
    );
    let state = AppState::new(common::assistant(CONTENT, AccountSource::sample()), config)
        .with_analytics(recorder.clone());
    let app = spawn_state(state).await;
    let searches = |html: &str| {
        html.split("검색 ")
            .find_map(|s| s.split_once("회 (가장 알맞은").map(|(n, _)| n.to_string()))
            .unwrap_or_else(|| panic!("no count: {html}"))
    };
    let first = agent_page(&app, "/agent").await;
    assert_eq!(searches(&first), "0");
    assert!(first.contains("방금 집계"), "{first}");

    let (status, _) = app.html(&format!("/search?q={}", enc("환불"))).await;
    assert_eq!(status, 200);
    report_when(dir.path(), |r| r.searches == 1).await;
    // The report it has, at once; a new one is under way.
    let again = agent_page(&app, "/agent").await;
    assert_eq!(searches(&again), "0", "the kept report");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let page = agent_page(&app, "/agent").await;
        if searches(&page) == "1" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never made again");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_search_typed_in_english_mode_counts_as_what_was_searched() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _recorder) = recording_app(dir.path()).await;
    let (_, html) = app.html("/search?q=ghksqnf").await;
    // Open the first result as a customer would, by its link.
    let at = html.find("<h3><a href=\"").unwrap() + "<h3><a href=\"".len();
    let link = &html[at..at + html[at..].find('"').unwrap()];
    assert!(link.contains(&format!("from={}", enc("환불"))), "{link}");
    let (status, _) = app.html(&link.replace("&amp;", "&")).await;
    assert_eq!(status, 200);

    let r = report_when(dir.path(), |r| r.searches >= 1 && r.views >= 1).await;
    assert_eq!(r.top_queries.len(), 1, "{r:?}");
    assert_eq!(r.top_queries[0].query, "환불", "grouped as searched: {r:?}");
    assert!(r.unopened.is_empty(), "the click pairs with it: {r:?}");
    // The text typed is kept as typed.
    let raw = std::fs::read(dir.path().join("doum.sqlite")).unwrap();
    let wal = std::fs::read(dir.path().join("doum.sqlite-wal")).unwrap_or_default();
    assert!(
        [raw, wal]
            .iter()
            .any(|b| String::from_utf8_lossy(b).contains("ghksqnf"))
    );
}

#[tokio::test]
async fn doum_report_prints_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(dir.path()).unwrap();
    store
        .write(&[search_event(analytics::now(), "쀍뛝", 0)])
        .unwrap();
    store
        .vote(&Vote::new(
            "free-cash-status",
            false,
            Some("예시가 더 필요해요"),
        ))
        .unwrap();
    store
        .vote(&Vote::new("free-cash-status", false, None).for_question(Some("무상캐시 언제 써요")))
        .unwrap();
    drop(store);
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_doum"))
            .args(args)
            .arg("--data")
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let out = run(&["report", "--since", "7d"]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("결과가 없는 검색어"), "{text}");
    assert!(text.contains("쀍뛝"));
    assert!(text.contains("예시가 더 필요해요"));
    assert!(text.contains("챗봇 질문: 무상캐시 언제 써요"), "{text}");
    let out = run(&["report", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["unhelpful"][0]["id"], "free-cash-status");
    assert_eq!(v["unhelpful"][0]["questions"][0], "무상캐시 언제 써요");
    let out = run(&["report", "--since", "soon"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("`soon`"));
    let empty = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_doum"))
        .args(["report", "--data"])
        .arg(empty.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no analytics in"));
}

#[tokio::test]
async fn a_corrupt_store_turns_analytics_off_and_search_keeps_working() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("doum.sqlite"),
        b"this is not a database at all, just text that is long enough to look like one..",
    )
    .unwrap();
    let (app, recorder) = recording_app(dir.path()).await;
    assert!(!recorder.enabled());
    let (status, html) = app.html(&format!("/search?q={}", enc("환불"))).await;
    assert_eq!(status, 200);
    assert!(html.contains("도움말 검색 결과"));
    let (status, _) = app.html("/").await;
    assert_eq!(status, 200);
}

/// `doum serve` deletes what is older than `--analytics-retention-days` (the store's
/// part, batches and every table, is in tests/postgres.rs), and only that; `0` keeps
/// everything. A phone number searched for is stored masked.
#[tokio::test]
async fn doum_serve_deletes_analytics_older_than_its_retention() {
    let root = tempfile::tempdir().unwrap();
    let (index, data) = (root.path().join("index"), root.path().join("data"));
    let now = analytics::now();
    let seeded = SqliteStore::open_dir(&data).unwrap();
    seeded
        .write(&[
            search_event(now - 3 * 86_400, "사흘 전 검색", 1),
            search_event(now - 3_600, "한 시간 전 검색", 1),
        ])
        .unwrap();
    drop(seeded);
    let serve = |days: &str| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_doum"));
        cmd.env_remove("DOUM_ADDR")
            .env_remove("DOUM_DATABASE_URL")
            .env_remove("DOUM_ANALYTICS_RETENTION_DAYS")
            .args(["--semantic", "off", "--content", CONTENT, "--index"])
            .arg(&index)
            .arg("--data")
            .arg(&data)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(["--analytics-retention-days", days])
            .env("DOUM_DICT_DIR", common::dict_dir())
            .env("RUST_LOG", "doum=info");
        DoumProcess::start(cmd)
    };
    let server = serve("0");
    let url = server.url(&format!("/search?q={}", enc("환불")));
    assert_eq!(reqwest::get(url).await.unwrap().status(), 200);
    let r = report_when(&data, |r| r.searches == 3).await;
    assert_eq!(r.searches, 3, "0 keeps everything: {r:?}");
    drop(server);

    let server = serve("2");
    let r = report_when(&data, |r| r.searches == 2).await;
    let queries: Vec<&str> = r.top_queries.iter().map(|q| q.query.as_str()).collect();
    assert_eq!(queries, vec!["한 시간 전 검색", "환불"], "{r:?}");
    // It keeps serving, and what it records is masked.
    let url = server.url(&format!("/search?q={}", enc("환불 010-1234-5678")));
    assert_eq!(reqwest::get(url).await.unwrap().status(), 200);
    let r = report_when(&data, |r| r.searches == 3).await;
    let queries: Vec<&str> = r.top_queries.iter().map(|q| q.query.as_str()).collect();
    assert!(queries.contains(&"환불 [번호]"), "{queries:?}");
    assert!(
        server
            .log_says("deleted 1 row(s) recorded more than 2 day(s) ago")
            .await,
        "{}",
        server.log()
    );
}

#[tokio::test]
async fn a_locked_store_never_blocks_search() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _recorder) = recording_app(dir.path()).await;
    // Another process holds the write lock for the whole test.
    let lock = rusqlite::Connection::open(dir.path().join("doum.sqlite")).unwrap();
    lock.execute_batch("BEGIN EXCLUSIVE; INSERT INTO searches (at, query, normalized, results, page, source) VALUES (0, 'x', 'x', 0, 1, 'page');")
        .unwrap();
    for q in ["환불", "세금계산서", "무상캐시"] {
        let (status, html) = app.html(&format!("/search?q={}", enc(q))).await;
        assert_eq!(status, 200);
        assert!(html.contains("도움말 검색 결과"));
    }
    // A vote cannot be committed: it is refused, not acknowledged.
    let resp = app
        .client
        .post(app.url("/articles/free-cash-status/feedback"))
        .form(&[("helpful", "yes")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    lock.execute_batch("ROLLBACK").unwrap();
}

/// A search counts once per query typed: the results page's own sort, category and
/// page links refine it, and a browser reload (of results or of an article) records
/// nothing new.
#[tokio::test]
async fn refining_and_reloading_record_nothing_new() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _recorder) = recording_app(dir.path()).await;
    let (_, html) = app.html(&format!("/search?q={}&size=3", enc("환불"))).await;
    // Follow the page's own links: sort, a category, the next page.
    let links: Vec<String> = html
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|u| u.starts_with("/search?"))
        .map(|u| u.replace("&#38;", "&"))
        .collect();
    for needle in ["sort=updated", "category=", "page=2"] {
        let link = links.iter().find(|u| u.contains(needle)).unwrap();
        assert!(link.ends_with("&re=1"), "{link}");
        let (status, _) = app.html(link).await;
        assert_eq!(status, 200);
    }
    let reload = |path: String| {
        let req = app
            .client
            .get(app.url(&path))
            .header("Cache-Control", "max-age=0");
        async move { assert_eq!(req.send().await.unwrap().status(), 200) }
    };
    reload(format!("/search?q={}", enc("환불"))).await;
    app.html("/articles/free-cash-status").await;
    reload("/articles/free-cash-status".into()).await;
    // The queue is written in order: once this last search is in, so is everything above.
    app.html(&format!("/search?q={}", enc("세금계산서"))).await;
    let r = report_when(dir.path(), |r| {
        r.top_queries.iter().any(|q| q.query == "세금계산서")
    })
    .await;
    assert_eq!(r.searches, 2, "{r:?}");
    assert_eq!(r.views, 1, "{r:?}");
}

/// A customer's chat history is deleted when they ask the chatbot (and
/// confirm), when they ask a support agent (`DELETE
/// /api/agent/chat-history/{key}`), and by `doum forget`; only theirs, and
/// never for a skill call that is not authenticated.
#[tokio::test]
async fn a_customers_chat_history_is_deleted_when_they_ask() {
    const SKILL_SECRET: &str = "kakao-skill-secret-for-the-forget-test";
    let dir = tempfile::tempdir().unwrap();
    let recorder = Arc::new(analytics::open(dir.path()));
    let config = WebConfig::new("https://help.example.com")
        .with_agent_token(Some(TOKEN.into()))
        .with_kakao_secret(Some(SKILL_SECRET.into()));
    let assistant = common::assistant(CONTENT, AccountSource::sample());
    let app =
        spawn_state(AppState::new(assistant.clone(), config).with_analytics(recorder.clone()))
            .await;
    // The same store behind a server without the skill secret: anyone could
    // name any user there.
    let open = spawn_state(
        AppState::new(assistant, WebConfig::new("https://help.example.com"))
            .with_analytics(recorder.clone()),
    )
    .await;
    let fixture = kakao_turn("");
    let say = |app: &TestApp, user: &str, utterance: &str| {
        let mut body = fixture.clone();
        body["userRequest"]["utterance"] = serde_json::json!(utterance);
        body["userRequest"]["user"]["properties"]["plusfriendUserKey"] = serde_json::json!(user);
        body["userRequest"]["user"]["properties"]
            .as_object_mut()
            .unwrap()
            .remove("appUserId");
        body["userRequest"]
            .as_object_mut()
            .unwrap()
            .remove("callbackUrl");
        let req = app.client.post(app.url("/kakao/skill")).json(&body);
        async move {
            let resp = req
                .header("X-Doum-Skill-Secret", SKILL_SECRET)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 200);
            let v: serde_json::Value = resp.json().await.unwrap();
            let card = v["template"]["outputs"][0]["textCard"].clone();
            (v, card)
        }
    };
    let turns = || {
        let r = SqliteStore::open_dir(dir.path())
            .unwrap()
            .report(0, 10)
            .unwrap();
        r.chat_outcomes.iter().map(|(_, n)| n).sum::<u64>()
    };

    say(&app, "pfk-forget-me", "환불계좌 등록").await;
    say(&app, "pfk-forget-me", "쀍뛝쉙 뷁").await;
    say(&app, "pfk-stays", "세금계산서 발행").await;

    // Asked in their own words: a card asks to confirm; nothing is deleted yet.
    let (asked, card) = say(&app, "pfk-forget-me", "제 대화 기록 지워 주세요").await;
    assert_eq!(card["title"], "대화 기록을 지울까요?", "{asked}");
    let confirm = &asked["template"]["quickReplies"][0];
    assert_eq!(
        confirm["label"],
        doum::chat::forget::CONFIRM_TEXT,
        "{asked}"
    );
    assert_eq!(confirm["extra"]["doum"], "forget", "{asked}");

    // Confirmed right away: the two questions still queued for the writer go too.
    let (done, card) = say(&app, "pfk-forget-me", doum::chat::forget::CONFIRM_TEXT).await;
    assert_eq!(card["title"], "대화 기록을 지웠어요", "{done}");
    assert!(
        card["description"].as_str().unwrap().contains("2건"),
        "{done}"
    );
    assert_eq!(turns(), 1, "only the other customer's question is left");
    let (again, card) = say(&app, "pfk-forget-me", doum::chat::forget::CONFIRM_TEXT).await;
    assert_eq!(card["title"], "지울 대화 기록이 없어요", "{again}");

    // Without the skill secret nothing is deleted, and the customer is sent
    // to a person: said when they ask, not after a confirmation that could
    // only fail, and with no "try again later".
    for said in ["대화 기록 삭제해 주세요", doum::chat::forget::CONFIRM_TEXT] {
        let (refused, card) = say(&open, "pfk-stays", said).await;
        assert_eq!(
            card["title"], "이 챗봇에서는 대화 기록을 지울 수 없어요",
            "{said}: {refused}"
        );
        assert!(!refused.to_string().contains("다시 시도"), "{refused}");
        assert!(refused.to_string().contains("\"operator\""), "{refused}");
    }
    assert_eq!(turns(), 1);

    // A support agent deletes on the customer's behalf.
    let history = |key: &str| app.url(&format!("/api/agent/chat-history/{}", enc(key)));
    let resp = app
        .client
        .delete(history("pfk-stays"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401, "the agent token is needed");
    let as_agent = |method: reqwest::Method, key: &str| {
        app.client
            .request(method, history(key))
            .bearer_auth(TOKEN)
            .send()
    };
    let resp = as_agent(reqwest::Method::DELETE, "pfk stays/..")
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(v["error"]["field"], "key", "{v}");
    let resp = as_agent(reqwest::Method::GET, "pfk-stays").await.unwrap();
    assert_eq!(resp.status(), 405);
    let resp = as_agent(reqwest::Method::DELETE, "pfk-stays")
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(v, serde_json::json!({"deleted": 1}));
    assert_eq!(turns(), 0);

    // Or on the lookup page, with a form that takes the key and a ticked box.
    say(&app, "pfk-form", "세금계산서 발행").await;
    let form = |fields: &[(&str, &str)], site: &str| {
        app.client
            .post(app.url("/agent/chat-history/delete"))
            .bearer_auth(TOKEN)
            .header("sec-fetch-site", site)
            .form(fields)
            .send()
    };
    let resp = form(&[("key", "pfk-form"), ("confirmed", "yes")], "cross-site")
        .await
        .unwrap();
    assert_eq!(resp.status(), 403, "a form posted from another site");
    let resp = form(&[("key", "pfk-form")], "same-origin").await.unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/agent?forgotten=invalid");
    let resp = form(&[("key", "pfk-form"), ("confirmed", "yes")], "same-origin")
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/agent?forgotten=1");
    assert_eq!(turns(), 0);
    let page = agent_page(&app, "/agent?forgotten=1").await;
    assert!(
        page.contains("고객의 챗봇 질문 기록 1건을 지웠습니다."),
        "{page}"
    );
    assert!(page.contains(r#"action="/agent/chat-history/delete""#));

    // And so does an operator, from the command line.
    say(&app, "pfk-cli", "세금계산서 발행").await;
    report_when(dir.path(), |r| !r.chat_outcomes.is_empty()).await;
    assert_eq!(turns(), 1);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_doum"))
        .args(["forget", "pfk-cli", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("deleted 1 chatbot question(s)"), "{said}");
    assert_eq!(turns(), 0);
}

/// A search that showed one answer (가장 알맞은 답변) is recorded with it: the
/// report counts such searches, leaves them out of "nobody opened a result"
/// (the customer may have read the answer in the box), and lists the ones after
/// which a customer opened another result instead, on the agent page too.
#[tokio::test]
async fn searches_that_showed_an_answer_are_told_apart_in_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _recorder) = recording_app(dir.path()).await;
    let passed = "환불계좌 어디서 등록해요";
    let (_, html) = app.html(&format!("/search?q={}", enc(passed))).await;
    assert!(html.contains("가장 알맞은 답변"), "{html}");
    // The customer opens the second result instead, by the page's own link.
    let second = html
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|u| u.replace("&#38;", "&"))
        .find(|u| u.starts_with("/articles/") && u.ends_with("&rank=2"))
        .expect("a second result");
    assert!(
        !second.starts_with("/articles/refund-account-register?"),
        "{second}"
    );
    assert_eq!(app.html(&second).await.0, 200);
    // Answered through the API and left there; one search without an answer.
    let read = "소재 심사 얼마나 걸려요";
    let (_, json) = app.json(&format!("/api/search?q={}", enc(read))).await;
    assert_eq!(json["answer"]["id"], "creative-review-time", "{json}");
    let (_, html) = app.html(&format!("/search?q={}", enc("세금계산서"))).await;
    assert!(!html.contains("가장 알맞은 답변"));

    let r = report_when(dir.path(), |r| r.searches >= 3 && r.views >= 1).await;
    assert_eq!((r.searches, r.answered), (3, 2), "{r:?}");
    let unopened: Vec<&str> = r.unopened.iter().map(|s| s.query.as_str()).collect();
    assert_eq!(unopened, vec!["세금계산서"], "{r:?}");
    assert_eq!(r.answer_passed_over.len(), 1, "{r:?}");
    let p = &r.answer_passed_over[0];
    assert_eq!(
        (
            p.query.as_str(),
            p.answer.as_str(),
            p.searches,
            p.other_opened
        ),
        (passed, "refund-account-register", 1, 1)
    );

    let page = agent_page(&app, "/agent").await;
    let section = page
        .split("답변 대신 다른 결과를 연 검색어")
        .nth(1)
        .expect("the passed-over table")
        .split("</table>")
        .next()
        .unwrap();
    assert!(section.contains(passed), "{section}");
    assert!(
        section.contains("환불계좌는 어디서 등록하나요?")
            && section.contains("/articles/refund-account-register"),
        "the answer by its title and link: {section}"
    );
    assert!(
        page.contains("가장 알맞은 답변을 보여 준 검색 2회"),
        "{page}"
    );
}

/// Under a chatbot answer, 도움이 됐어요 / 아쉬워요 vote on its entry as the
/// article page's 예 / 아니요 do: stored before the reply, counted in the
/// report's 'not helpful' list; 아쉬워요 offers a person. A vote on an entry
/// the content does not have, or on a server without analytics, is not
/// stored and the customer is told so.
#[tokio::test]
async fn a_vote_under_a_chatbot_answer_counts_as_on_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _recorder) = recording_app(dir.path()).await;
    let fixture = kakao_turn("");
    let call = |app: &TestApp, utterance: &str, extra: Option<&serde_json::Value>| {
        let mut body = fixture.clone();
        body["userRequest"]["utterance"] = serde_json::json!(utterance);
        body["userRequest"]
            .as_object_mut()
            .unwrap()
            .remove("callbackUrl");
        if let Some(extra) = extra {
            body["action"]["clientExtra"] = extra.clone();
        }
        let req = app.client.post(app.url("/kakao/skill")).json(&body);
        async move {
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status(), 200);
            resp.json::<serde_json::Value>().await.unwrap()
        }
    };
    let answered = call(&app, "환불계좌 어디서 등록해요", None).await;
    let quick = answered["template"]["quickReplies"].as_array().unwrap();
    let tap = |label: &str| {
        let q = quick
            .iter()
            .find(|q| q["label"] == label)
            .unwrap_or_else(|| panic!("no {label} under {answered}"));
        (
            q["messageText"].as_str().unwrap().to_string(),
            q["extra"].clone(),
        )
    };
    let (text, no) = tap("아쉬워요");
    assert_eq!(no["id"], "refund-account-register", "{answered}");
    let reply = call(&app, &text, Some(&no)).await;
    let card = &reply["template"]["outputs"][0]["textCard"];
    assert_eq!(card["title"], "의견 감사합니다", "{reply}");
    assert_eq!(card["buttons"][0]["action"], "operator", "{reply}");
    let (text, yes) = tap("도움이 됐어요");
    let reply = call(&app, &text, Some(&yes)).await;
    let card = &reply["template"]["outputs"][0]["textCard"];
    assert_eq!(card["title"], "의견 감사합니다", "{reply}");
    assert!(
        card["buttons"].as_array().is_none_or(|b| b.is_empty()),
        "{reply}"
    );
    // A vote is committed before the reply: the report has both now.
    let r = SqliteStore::open_dir(dir.path())
        .unwrap()
        .report(0, 10)
        .unwrap();
    assert_eq!(r.votes, 2, "{r:?}");
    assert_eq!(
        (
            r.unhelpful[0].id.as_str(),
            r.unhelpful[0].no,
            r.unhelpful[0].yes
        ),
        ("refund-account-register", 1, 1)
    );
    // The 아쉬워요 says which question the entry answered; 도움이 됐어요 adds none.
    assert_eq!(
        r.unhelpful[0].questions,
        ["환불계좌 어디서 등록해요"],
        "{r:?}"
    );
    let page = agent_page(&app, "/agent").await;
    let listed = page
        .split("‘아니요’가 많은 도움말")
        .nth(1)
        .expect("the unhelpful list");
    assert!(
        listed.contains(&format!(
            r#"<span class="meta">챗봇 질문</span> <a href="/agent?q={}">환불계좌 어디서 등록해요</a>"#,
            enc("환불계좌 어디서 등록해요")
        )),
        "{listed}"
    );

    let forged = serde_json::json!({"doum": "vote", "id": "no-such-entry", "helpful": false});
    let without = common::spawn_app(CONTENT).await;
    for (server, extra) in [(&app, &forged), (&without, &no)] {
        let reply = call(server, "아쉬워요", Some(extra)).await;
        assert_eq!(
            reply["template"]["outputs"][0]["textCard"]["title"], "지금은 의견을 남길 수 없어요",
            "{reply}"
        );
    }
    let r = SqliteStore::open_dir(dir.path())
        .unwrap()
        .report(0, 10)
        .unwrap();
    assert_eq!(r.votes, 2, "nothing more stored: {r:?}");
}

/// Every text column of the store (searches, views, votes, chat turns), read
/// straight from the SQLite file.
fn stored_texts(dir: &Path) -> Vec<String> {
    let db = rusqlite::Connection::open(dir.join("doum.sqlite")).unwrap();
    let mut texts = Vec::new();
    for sql in [
        "SELECT query FROM searches",
        "SELECT normalized FROM searches",
        "SELECT query FROM views WHERE query IS NOT NULL",
        "SELECT comment FROM votes WHERE comment IS NOT NULL",
        "SELECT query FROM chat_turns",
    ] {
        let mut stmt = db.prepare(sql).unwrap();
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
        texts.extend(rows.map(Result::unwrap));
    }
    texts
}

/// A phone number typed in the keyboard's full-width mode (or in another
/// script's digits) is masked like one typed in ASCII: in a search from the
/// page and the API, a feedback comment, and a chatbot question.
#[tokio::test]
async fn full_width_and_other_unicode_digits_are_masked_in_what_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _recorder) = recording_app(dir.path()).await;
    let (status, _) = app
        .html(&format!("/search?q={}", enc("번호０１０１２３４５６７８")))
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .json(&format!(
            "/api/search?q={}",
            enc("환불 ０１０－１２３４－５６７８")
        ))
        .await;
    assert_eq!(status, 200);
    let resp = app
        .client
        .post(app.url("/articles/refund-request-how/feedback"))
        .form(&[
            ("helpful", "no"),
            ("comment", "연락처 ٠١٠١٢٣٤٥٦٧٨ 로 전화 주세요"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let body = kakao_turn("환불계좌 ９００１０１－１２３４５６７ 등록");
    let resp = app
        .client
        .post(app.url("/kakao/skill"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    let r = report_when(dir.path(), |r| {
        r.searches >= 2 && r.chat_outcomes.iter().map(|(_, n)| n).sum::<u64>() >= 1
    })
    .await;
    assert_eq!(r.searches, 2, "{r:?}");
    let texts = stored_texts(dir.path());
    for expected in [
        "번호[번호]",
        "환불 [번호]",
        "연락처 [번호] 로 전화 주세요",
        "환불계좌 [번호] 등록",
    ] {
        assert!(texts.iter().any(|t| t == expected), "{expected}: {texts:?}");
    }
    let digits = |t: &str| t.chars().filter(|c| c.is_numeric()).count();
    assert!(texts.iter().all(|t| digits(t) < 9), "{texts:?}");
}

/// A vote posted from another site's page (a form there voting for its
/// visitors) is refused with a Korean 403 page and not stored; the site's own
/// form, and clients that send neither `Origin` nor `Sec-Fetch-Site` (curl,
/// old browsers), still vote.
#[tokio::test]
async fn feedback_posted_from_another_site_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _recorder) = recording_app(dir.path()).await;
    let vote = |origin: Option<&str>, site: Option<&str>| {
        let mut req = app
            .client
            .post(app.url("/articles/free-cash-status/feedback"))
            .form(&[("helpful", "no"), ("comment", "다른 사이트에서 보낸 의견")]);
        if let Some(o) = origin {
            req = req.header("origin", o);
        }
        if let Some(s) = site {
            req = req.header("sec-fetch-site", s);
        }
        async move { req.send().await.unwrap() }
    };
    for (origin, site) in [
        (Some("https://evil.example"), None),
        (None, Some("cross-site")),
        (Some("https://evil.example"), Some("cross-site")),
    ] {
        let resp = vote(origin, site).await;
        assert_eq!(resp.status(), 403, "{origin:?} {site:?}");
        assert!(
            common::content_type(&resp).starts_with("text/html"),
            "{origin:?} {site:?}"
        );
        let html = resp.text().await.unwrap();
        assert!(
            html.contains("다른 사이트에서 보낸 요청은 받지 않습니다"),
            "{html}"
        );
    }
    let store = SqliteStore::open_dir(dir.path()).unwrap();
    assert_eq!(store.report(0, 10).unwrap().votes, 0, "nothing stored");
    for (origin, site) in [
        (None, None),
        (Some("https://help.example.com"), None),
        (None, Some("same-origin")),
    ] {
        let resp = vote(origin, site).await;
        assert_eq!(resp.status(), 303, "{origin:?} {site:?}");
    }
    assert_eq!(store.report(0, 10).unwrap().votes, 3);
}

/// `/articles/{id}?from=` is taken as a search's `q` is: cleaned of control
/// characters and extra spaces, masked, and ignored (the page still shown,
/// the view recorded without a query or rank) when a search would refuse it.
#[tokio::test]
async fn the_query_an_article_was_opened_from_is_taken_as_a_search_query() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _recorder) = recording_app(dir.path()).await;
    let long = "가".repeat(201);
    let opened_from = [
        ("환불\u{0}\u{7}  계좌\u{1b}[31m", Some("환불 계좌 [31m")),
        ("환불 010-1234-5678", Some("환불 [번호]")),
        ("  ", None),
        ("\u{0}", None),
        (long.as_str(), None),
    ];
    for (from, _) in &opened_from {
        let (status, html) = app
            .html(&format!(
                "/articles/refund-request-how?from={}&rank=2",
                enc(from)
            ))
            .await;
        assert_eq!(status, 200, "{from:?}");
        assert!(html.contains("남은 캐시를 환불받으려면"), "{from:?}");
    }
    report_when(dir.path(), |r| r.views >= 5).await;
    let db = rusqlite::Connection::open(dir.path().join("doum.sqlite")).unwrap();
    let mut stmt = db
        .prepare("SELECT query, rank FROM views ORDER BY id")
        .unwrap();
    let views: Vec<(Option<String>, Option<i64>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let expected: Vec<(Option<String>, Option<i64>)> = opened_from
        .iter()
        .map(|(_, q)| (q.map(String::from), q.map(|_| 2)))
        .collect();
    assert_eq!(views, expected);
}

/// `doum report` and the agent page say the chatbot's outcomes in the same
/// Korean words; a search that found nothing within a category filter is
/// listed with that category; the report's times are Korean (KST), a date
/// in `since` starts at midnight in Korea, and a negative span is refused,
/// naming `since`.
#[tokio::test]
async fn the_report_speaks_korean_time_labels_and_categories() {
    let dir = tempfile::tempdir().unwrap();
    let (app, _recorder) = recording_app(dir.path()).await;
    // Searched within a category that does not exist: nothing found.
    app.html(&format!(
        "/search?q={}&category={}",
        enc("환불"),
        enc("없는")
    ))
    .await;
    app.html(&format!(
        "/search?q={}&category={}",
        enc("환불"),
        enc("없는/")
    ))
    .await;
    // The API refuses an unknown category (a 400), so nothing is recorded.
    let (status, _) = app
        .json(&format!(
            "/api/search?q={}&category={}",
            enc("환불"),
            enc("없는")
        ))
        .await;
    assert_eq!(status, 400);
    app.html(&format!("/search?q={}", enc("쀍뛝쉙"))).await;
    let r = report_when(dir.path(), |r| r.searches >= 3).await;
    let listed: Vec<(&str, Option<&str>, u64)> = r
        .no_results
        .iter()
        .map(|s| (s.query.as_str(), s.category.as_deref(), s.count))
        .collect();
    assert_eq!(listed, [("환불", Some("없는"), 2), ("쀍뛝쉙", None, 1)]);

    let now = analytics::now();
    // 2026-01-01 00:00 in Korea is 2025-12-31 15:00 UTC.
    let korean_new_year = 1_767_225_600 - 9 * 3_600;
    let store = SqliteStore::open_dir(dir.path()).unwrap();
    let turn = |outcome| analytics::Event::ChatTurn {
        at: now,
        user: None,
        query: "질문".into(),
        outcome,
        entry_id: None,
    };
    use analytics::ChatOutcome::{Direct, Handoff, List, NotFound};
    store
        .write(&[
            turn(Direct),
            turn(Direct),
            turn(List),
            turn(NotFound),
            turn(Handoff),
            search_event(korean_new_year - 60, "한국 새해 전", 1),
            search_event(korean_new_year + 60, "한국 새해 후", 1),
        ])
        .unwrap();
    drop(store);
    let line = "챗봇 질문 5회 (바로 답변 2 · 목록 1 · 못 찾음 1 · 상담원 요청 1)";

    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_doum"))
            .args(args)
            .arg("--data")
            .arg(dir.path())
            .env_remove("DOUM_DATABASE_URL")
            .output()
            .unwrap()
    };
    let out = run(&["report", "--since", "7d"]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(line), "{text}");
    assert!(!text.contains("direct"), "{text}");
    assert!(text.contains("환불 (카테고리: 없는)"), "{text}");
    let header = text.lines().next().unwrap();
    assert!(
        header.contains(" KST 이후)") && !header.contains("UTC"),
        "{header}"
    );
    let out = run(&["report", "--since", "2026-01-01"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("(2026-01-01 00:00 KST 이후)"), "{text}");
    assert!(text.contains("한국 새해 후"), "{text}");
    assert!(!text.contains("한국 새해 전"), "{text}");
    let out = run(&["report", "--since=-1d"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--since") && err.contains("`-1d`"), "{err}");

    let html = agent_page(&app, "/agent").await;
    assert!(
        html.contains(line),
        "the same line on the agent page: {html}"
    );
    assert!(html.contains("환불 (카테고리: 없는)"), "{html}");

    let report = |since: &str| {
        let req = app
            .client
            .get(app.url(&format!("/api/agent/analytics/report?since={since}")))
            .bearer_auth(TOKEN);
        async move {
            let resp = req.send().await.unwrap();
            (
                resp.status().as_u16(),
                resp.json::<serde_json::Value>().await.unwrap(),
            )
        }
    };
    let (status, v) = report("2026-01-01").await;
    assert_eq!(status, 200);
    let queries: Vec<&str> = v["top_queries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["query"].as_str().unwrap())
        .collect();
    assert!(queries.contains(&"한국 새해 후"), "{v}");
    assert!(!queries.contains(&"한국 새해 전"), "{v}");
    assert_eq!(v["no_results"][0]["category"], "없는", "{v}");
    for bad in ["-1d", "0d", "7w"] {
        let (status, v) = report(bad).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(v["error"]["field"], "since", "{bad}");
        assert!(v["error"]["message"].as_str().unwrap().contains(bad), "{v}");
    }
}

/// A Kakao skill request (the current Open Builder shape, from the test
/// fixture) saying `utterance`, answered at once (no callback URL).
fn kakao_turn(utterance: &str) -> serde_json::Value {
    let fixture = format!(
        "{}/tests/fixtures/kakao/current.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut body: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture).unwrap()).unwrap();
    body["userRequest"]["utterance"] = serde_json::json!(utterance);
    body["userRequest"]
        .as_object_mut()
        .unwrap()
        .remove("callbackUrl");
    body
}
