//! The analytics store contract on both backends (SQLite and a real PostgreSQL server),
//! and `doum serve` replicas sharing PostgreSQL: recording, `doum report`, a server
//! that stops or was never there, and URLs whose password must stay secret.
//!
//! The PostgreSQL server is `DOUM_TEST_DATABASE_URL` (`.ci/run` starts one), or one
//! this test process starts with `scripts/test-postgres` from
//! `/usr/lib/postgresql/*/bin`; each test gets a fresh database on it. Only when
//! neither is possible do the PostgreSQL tests print `SKIPPED: …` and return.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::process::DoumProcess;
use common::{CONTENT, enc, search_event};
use doum::analytics::postgres::{PgStore, Target};
use doum::analytics::sqlite::SqliteStore;
use doum::analytics::{self, ChatOutcome, Event, PassedOver, Report, Store, Vote};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/test-postgres");
const PASSWORD: &str = "s3cret-pass-word";

/// The shared server's URL, or why there is none.
fn server() -> Result<&'static str, &'static str> {
    static URL: OnceLock<Result<String, String>> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("DOUM_TEST_DATABASE_URL")
            && !url.trim().is_empty()
        {
            return Ok(url.trim().to_string());
        }
        let (url, dir) = start_own_server()?;
        // Stopped (and its directory removed) once this test process has exited.
        Command::new(SCRIPT)
            .args(["watch", &std::process::id().to_string(), &dir])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("{SCRIPT} watch: {e}"))?;
        Ok(url)
    })
    .as_ref()
    .map(String::as_str)
    .map_err(String::as_str)
}

/// `scripts/test-postgres start`: `(url, directory)`.
fn start_own_server() -> Result<(String, String), String> {
    let out = Command::new(SCRIPT)
        .arg("start")
        .output()
        .map_err(|e| format!("{SCRIPT}: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
    match line.split_once(' ') {
        Some((url, dir)) => Ok((url.to_string(), dir.to_string())),
        None => Err(format!("{SCRIPT} printed `{line}`")),
    }
}

fn skip(why: &str) {
    eprintln!("SKIPPED: no PostgreSQL server could be started ({why})");
}

/// `url` with another database name.
fn with_db(url: &str, db: &str) -> String {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    format!("{base}/{db}{query}")
}

/// A fresh, empty database on `server`; its URL.
fn fresh_db(server: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let name = format!(
        "doum_test_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(server, tokio_postgres::NoTls)
            .await
            .expect("connecting to the test server");
        tokio::spawn(conn);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("creating a test database");
    });
    with_db(server, &name)
}

/// An article view at `at`, from a results page (`(query, rank)`) or not.
fn view(at: i64, entry_id: &str, from: Option<(&str, usize)>) -> Event {
    Event::View {
        at,
        entry_id: entry_id.into(),
        query: from.map(|(q, _)| q.into()),
        rank: from.map(|(_, r)| r),
    }
}

/// A chatbot turn at `at` by the Kakao user `user` (hashed, as the skill stores it).
fn chat_turn(
    at: i64,
    user: Option<&str>,
    query: &str,
    outcome: ChatOutcome,
    entry_id: Option<&str>,
) -> Event {
    Event::ChatTurn {
        at,
        user: user.map(analytics::hash_user),
        query: query.into(),
        outcome,
        entry_id: entry_id.map(Into::into),
    }
}

/// The store contract: what is written is what the report and the home page's most
/// viewed list say. One body for both backends.
fn contract(store: &dyn Store) {
    let now = analytics::now();
    store
        .write(&[
            search_event(now, "환불", 12),
            search_event(now, " 환불 ", 12),
            search_event(now, "세금계산서", 3),
            search_event(now, "쀍뛝", 0),
            search_event(now - 30 * 86_400, "오래된 검색", 0),
            // Three searches that showed one answer: one whose customer opened
            // another result, one who opened the answer, one who opened nothing.
            answered_search(now, "환불계좌 등록", "refund-account-register"),
            view(now, "refund-request-how", Some(("환불계좌 등록", 2))),
            answered_search(now, "캐시 잔액", "cash-balance"),
            view(now, "cash-balance", Some(("캐시 잔액", 1))),
            answered_search(now, "무상캐시 환불", "free-cash-refund"),
            view(now, "refund-request-how", Some(("환불", 1))),
            view(now, "free-cash-status", None),
            view(now, "refund-request-how", None),
            chat_turn(
                now,
                Some("kakao-user"),
                "배송 조회",
                ChatOutcome::NotFound,
                None,
            ),
            chat_turn(
                now,
                None,
                "환불 계좌",
                ChatOutcome::Direct,
                Some("refund-account"),
            ),
        ])
        .unwrap();
    store
        .vote(&Vote::new("free-cash-status", false, Some("기한이 없어요")))
        .unwrap();
    store
        .vote(
            &Vote::new("free-cash-status", false, None)
                .for_question(Some(" 무료 캐시 010-1234-5678 언제 없어져요 ")),
        )
        .unwrap();
    store
        .vote(&Vote::new("free-cash-status", true, None).for_question(Some("무료 캐시 기한")))
        .unwrap();
    store
        .vote(&Vote::new(
            "refund-request-how",
            false,
            Some("계좌가 달라요"),
        ))
        .unwrap();

    let r = store.report(now - 7 * 86_400, 10).unwrap();
    assert_eq!(r.searches, 7, "the old search is outside the window");
    assert_eq!(r.answered, 3);
    assert_eq!(r.views, 5);
    assert_eq!(r.votes, 4);
    assert_eq!(r.top_queries[0].query, "환불");
    assert_eq!((r.top_queries[0].count, r.top_queries[0].results), (2, 12));
    let no: Vec<&str> = r.no_results.iter().map(|s| s.query.as_str()).collect();
    assert_eq!(no, vec!["쀍뛝"]);
    let unopened: Vec<&str> = r.unopened.iter().map(|s| s.query.as_str()).collect();
    assert_eq!(
        unopened,
        vec!["세금계산서"],
        "환불 was opened; 무상캐시 환불 showed its answer"
    );
    assert_eq!(
        r.answer_passed_over,
        vec![PassedOver {
            query: "환불계좌 등록".into(),
            answer: "refund-account-register".into(),
            searches: 1,
            other_opened: 1,
        }],
        "캐시 잔액's customer opened its answer"
    );
    assert_eq!(r.unhelpful[0].id, "free-cash-status");
    assert_eq!((r.unhelpful[0].no, r.unhelpful[0].yes), (2, 1));
    assert_eq!(r.unhelpful[0].comments, vec!["기한이 없어요"]);
    // The chatbot question of a 아쉬워요, masked; a 도움이 됐어요's is not listed.
    assert_eq!(
        r.unhelpful[0].questions,
        vec!["무료 캐시 [번호] 언제 없어져요"]
    );
    assert!(r.unhelpful[1].questions.is_empty());
    assert_eq!(r.unhelpful[1].id, "refund-request-how");
    assert_eq!(r.unhelpful[1].comments, vec!["계좌가 달라요"]);
    assert_eq!(r.chat_not_found[0].query, "배송 조회");
    assert_eq!(
        r.chat_outcomes,
        vec![("direct".to_string(), 1), ("not_found".to_string(), 1)]
    );
    assert_eq!(
        store.most_viewed(0, 5).unwrap(),
        vec![
            ("refund-request-how".to_string(), 3),
            ("cash-balance".to_string(), 1),
            ("free-cash-status".to_string(), 1)
        ]
    );
    assert_eq!(store.report(0, 10).unwrap().searches, 8);
    assert_eq!(
        store.report(now + 60, 10).unwrap(),
        Report {
            since: now + 60,
            ..Report::default()
        }
    );
    let text = r.to_text();
    assert!(
        text.contains("결과가 없는 검색어") && text.contains("쀍뛝"),
        "{text}"
    );
    assert!(
        text.contains("가장 알맞은 답변을 보여 준 검색 3회")
            && text.contains("답변 대신 다른 결과를 연 검색어")
            && text.contains("환불계좌 등록  (답변 refund-account-register, 다른 결과 열람 1회)"),
        "{text}"
    );
}

/// A first-page search at `at` that showed `answer` as its one answer.
fn answered_search(at: i64, q: &str, answer: &str) -> Event {
    let mut event = search_event(at, q, 5);
    if let Event::Search { answer: shown, .. } = &mut event {
        *shown = Some(answer.into());
    }
    event
}

/// Privacy: what customers typed is stored with phone numbers and e-mail addresses
/// masked, and `purge` deletes what every table recorded before the cut, across more
/// rows than one batch deletes, and nothing newer. One body for both backends.
fn privacy_contract(store: &dyn Store) {
    let now = analytics::now();
    let old = now - 91 * 86_400;
    let batch = analytics::sql::PURGE_BATCH as usize;
    let mut events: Vec<Event> = (0..batch + 3)
        .map(|i| search_event(old + i as i64, "환불", 1))
        .collect();
    events.extend([
        search_event(now, "환불 계좌 110-123-456789로", 12),
        view(old, "refund-request-how", Some(("환불", 1))),
        view(
            now,
            "refund-account",
            Some(("환불 계좌 110-123-456789로", 1)),
        ),
        chat_turn(
            old,
            Some("kakao-user"),
            "배송 조회",
            ChatOutcome::NotFound,
            None,
        ),
        chat_turn(
            now,
            None,
            "제 번호는 010-1234-5678이에요",
            ChatOutcome::NotFound,
            None,
        ),
    ]);
    store.write(&events).unwrap();
    let old_vote = Vote {
        at: old,
        ..Vote::new("free-cash-status", false, Some("기한이 없어요"))
    };
    store.vote(&old_vote).unwrap();
    store
        .vote(&Vote::new(
            "refund-account",
            false,
            Some("답장은 kim@example.com"),
        ))
        .unwrap();

    let cut = now - 90 * 86_400;
    assert_eq!(store.purge(cut).unwrap(), (batch + 3 + 3) as u64);
    let r = store.report(0, 10).unwrap();
    assert_eq!((r.searches, r.views, r.votes), (1, 1, 1), "{r:?}");
    assert_eq!(r.chat_outcomes, vec![("not_found".to_string(), 1)]);
    assert_eq!(r.top_queries[0].query, "환불 계좌 [번호]로");
    assert!(
        r.unopened.is_empty(),
        "the view's query is masked alike: {r:?}"
    );
    assert_eq!(r.chat_not_found[0].query, "제 번호는 [번호]이에요");
    assert_eq!(r.unhelpful[0].id, "refund-account");
    assert_eq!(r.unhelpful[0].comments, vec!["답장은 [이메일]"]);
    assert_eq!(store.purge(cut).unwrap(), 0, "nothing left to delete");
    assert_eq!(store.report(0, 10).unwrap(), r);

    // A customer who asks has every turn of theirs deleted, and nobody else's.
    let asked = |who: &str, q: &str| chat_turn(now, Some(who), q, ChatOutcome::List, None);
    store
        .write(&[
            asked("forget-me", "환불 계좌"),
            asked("someone-else", "환불 계좌"),
            asked("forget-me", "세금계산서"),
        ])
        .unwrap();
    assert_eq!(analytics::forget_keys(store, &["forget-me"]).unwrap(), 2);
    assert_eq!(analytics::forget_keys(store, &["forget-me"]).unwrap(), 0);
    let after = store.report(0, 10).unwrap();
    assert_eq!(
        after.chat_outcomes,
        vec![("list".to_string(), 1), ("not_found".to_string(), 1)],
        "{after:?}"
    );
}

#[test]
fn the_sqlite_store_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(dir.path()).unwrap();
    contract(&store);
    // Reopening migrates nothing twice and keeps the data.
    drop(store);
    let again = SqliteStore::open_dir(dir.path()).unwrap();
    assert_eq!(again.report(0, 10).unwrap().votes, 4);
}

#[test]
fn the_sqlite_store_masks_and_deletes_what_it_should_not_keep() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(dir.path()).unwrap();
    privacy_contract(&store);
    // What was deleted is gone from the files, not left in free pages or the log.
    let old = analytics::now() - 100 * 86_400;
    store
        .write(&[search_event(old, "지워질 검색어 qzxj", 0)])
        .unwrap();
    let bytes = || {
        std::fs::read_dir(dir.path())
            .unwrap()
            .map(|f| std::fs::read(f.unwrap().path()).unwrap())
            .collect::<Vec<_>>()
    };
    let holds = |files: &[Vec<u8>]| files.iter().any(|f| f.windows(4).any(|w| w == b"qzxj"));
    assert!(holds(&bytes()), "written");
    assert_eq!(store.purge(old + 1).unwrap(), 1);
    assert!(!holds(&bytes()), "deleted but still in a file");
    // So is a customer's question deleted at their request.
    store
        .write(&[chat_turn(
            analytics::now(),
            Some("forget-me"),
            "지워 달라는 질문 qzxj",
            ChatOutcome::NotFound,
            None,
        )])
        .unwrap();
    assert!(holds(&bytes()), "written");
    assert_eq!(analytics::forget_keys(&store, &["forget-me"]).unwrap(), 1);
    assert!(!holds(&bytes()), "forgotten but still in a file");
}

#[test]
fn the_postgres_store_masks_and_deletes_what_it_should_not_keep() {
    let server = match server() {
        Ok(s) => s,
        Err(why) => return skip(why),
    };
    let store = PgStore::new(Target::parse(&fresh_db(server)).unwrap()).unwrap();
    privacy_contract(&store);
}

#[test]
fn the_postgres_store_keeps_the_contract() {
    let server = match server() {
        Ok(s) => s,
        Err(why) => return skip(why),
    };
    let url = fresh_db(server);
    let store = PgStore::new(Target::parse(&url).unwrap()).unwrap();
    contract(&store);
    // A second store (another replica) migrates nothing twice and sees the same data.
    drop(store);
    let again = PgStore::new(Target::parse(&url).unwrap()).unwrap();
    assert_eq!(again.report(0, 10).unwrap().votes, 4);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let versions: Vec<i32> = rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client
            .query("SELECT version FROM doum_schema_version ORDER BY 1", &[])
            .await
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    });
    assert_eq!(versions, vec![1, 2, 3, 4]);

    // The server drops the connection (a restart, a failover): the store reopens it. The
    // batch in flight when it notices may be lost (and logged); the next is written.
    let terminated: i64 = rt.block_on(async {
        let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        client
            .query_one(
                "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity \
                 WHERE datname = current_database() AND pid <> pg_backend_pid()",
                &[],
            )
            .await
            .unwrap()
            .get(0)
    });
    assert_eq!(terminated, 1, "the store's one connection");
    let later = [search_event(analytics::now(), "재접속", 1)];
    if again.write(&later).is_err() {
        again.write(&later).unwrap();
    }
    assert_eq!(again.report(0, 50).unwrap().searches, 9);
}

#[test]
fn postgres_urls_keep_their_password_out_of_names_and_errors() {
    let url = format!("postgres://doum:{PASSWORD}@127.0.0.1:5999/analytics");
    let t = Target::parse(&url).unwrap();
    assert_eq!(t.name(), "postgres://doum@127.0.0.1:5999/analytics");
    assert!(!format!("{t:?}").contains(PASSWORD));
    let location = doum::config::analytics_location(Path::new("data"), Some(&url)).unwrap();
    assert!(!format!("{location} {location:?}").contains(PASSWORD));
    assert!(matches!(
        doum::config::analytics_location(Path::new("data"), Some("  ")).unwrap(),
        analytics::Location::Dir(_)
    ));

    for (bad, says) in [
        (format!("{url}?sslmode=require"), "sslmode=require"),
        (format!("{url}?sslmode=verify-full"), "sslmode"),
        (format!("{url}?colour=blue"), "colour"),
        (
            format!("postgres://doum:{PASSWORD}@127.0.0.1:notaport/x"),
            "port",
        ),
    ] {
        let e = format!("{:#}", Target::parse(&bad).unwrap_err());
        assert!(e.contains(says), "{e}");
        assert!(!e.contains(PASSWORD), "{e}");
    }

    // Nothing listens there: the error says why, without the password.
    let store = PgStore::new(Target::parse(&url).unwrap()).unwrap();
    let e = format!("{:#}", store.connect().unwrap_err());
    assert!(
        e.contains("unavailable") && e.contains("127.0.0.1:5999"),
        "{e}"
    );
    assert!(!e.contains(PASSWORD), "{e}");
    // Within the back-off the store does not even try, and says so.
    let e = format!("{:#}", store.report(0, 10).unwrap_err());
    assert!(e.contains("unavailable"), "{e}");
}

/// A `doum serve` process over the shipped content, recording into `database_url`.
struct Replica(DoumProcess);

impl std::ops::Deref for Replica {
    type Target = DoumProcess;
    fn deref(&self) -> &DoumProcess {
        &self.0
    }
}

impl Replica {
    fn start(index: &Path, data: &Path, database_url: &str) -> Replica {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_doum"));
        cmd.env_remove("DOUM_ADDR")
            .env_remove("DOUM_PUBLIC_URL")
            .env_remove("DOUM_DATA")
            .args(["--semantic", "off", "--content", CONTENT, "--index"])
            .arg(index)
            .arg("--data")
            .arg(data)
            .args(["serve", "--addr", "127.0.0.1:0"])
            // Every home page asks for a new count of the most viewed entries
            // (made in the background; the default reuses one for a minute).
            .args(["--popular-max-age", "0"])
            .env("DOUM_DATABASE_URL", database_url)
            .env("DOUM_DICT_DIR", common::dict_dir())
            .env("RUST_LOG", "doum=info");
        Replica(DoumProcess::start(cmd))
    }

    async fn get(&self, path: &str) -> u16 {
        reqwest::get(self.url(path))
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    /// `/search?q=` for `q`: the status.
    async fn search(&self, q: &str) -> u16 {
        self.get(&format!("/search?q={}", enc(q))).await
    }

    async fn vote(&self, entry: &str, helpful: &str, comment: &str) -> u16 {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(self.url(&format!("/articles/{entry}/feedback")))
            .form(&[("helpful", helpful), ("comment", comment)])
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}

/// `doum index` once, for replicas to share.
fn index(root: &Path) -> PathBuf {
    let index = root.join("index");
    let out = Command::new(env!("CARGO_BIN_EXE_doum"))
        .args(["--semantic", "off", "--content", CONTENT, "--index"])
        .arg(&index)
        .arg("index")
        .env("DOUM_DICT_DIR", common::dict_dir())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    index
}

/// `doum report --json` against `database_url`.
fn doum_report(database_url: &str, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_doum"))
        .args(["report", "--since", "1d"])
        .args(extra)
        .env("DOUM_DATABASE_URL", database_url)
        .env_remove("DOUM_DATA")
        .output()
        .unwrap()
}

fn report_json(database_url: &str) -> serde_json::Value {
    let out = doum_report(database_url, &["--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Two `doum serve` replicas on one PostgreSQL database both record; one `doum report`
/// sees searches, a click and a 아니요 vote with its comment from both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_record_into_one_postgres_and_doum_report_sees_both() {
    let server = match server() {
        Ok(s) => s.to_string(),
        Err(why) => return skip(why),
    };
    let url = tokio::task::spawn_blocking(move || fresh_db(&server))
        .await
        .unwrap();
    // Trust authentication ignores the password: it is there to prove it is never logged.
    let url = url.replacen("://doum@", &format!("://doum:{PASSWORD}@"), 1);
    let root = tempfile::tempdir().unwrap();
    let idx = index(root.path());
    let (a, b) = (
        Replica::start(&idx, &root.path().join("a"), &url),
        Replica::start(&idx, &root.path().join("b"), &url),
    );
    assert_eq!(a.search("환불").await, 200);
    assert_eq!(b.search("쀍뛝쉙").await, 200);
    assert_eq!(
        b.get(&format!("/api/search?q={}", enc("세금계산서"))).await,
        200
    );
    let click = format!("/articles/refund-request-how?from={}&rank=1", enc("환불"));
    assert_eq!(a.get(&click).await, 200);
    assert_eq!(
        b.vote("free-cash-status", "no", "유효기간이 안 보여요")
            .await,
        303
    );

    // The acknowledged vote is committed already: no waiting.
    let v = {
        let url = url.clone();
        tokio::task::spawn_blocking(move || report_json(&url))
            .await
            .unwrap()
    };
    assert_eq!(v["votes"], 1, "{v}");
    assert_eq!(v["unhelpful"][0]["id"], "free-cash-status");
    assert_eq!(v["unhelpful"][0]["comments"][0], "유효기간이 안 보여요");

    // Searches and views go through each replica's queue: poll until both wrote.
    let mut v = v;
    for _ in 0..200 {
        if v["searches"] == 3 && v["views"] == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        let url = url.clone();
        v = tokio::task::spawn_blocking(move || report_json(&url))
            .await
            .unwrap();
    }
    assert_eq!(
        (v["searches"].as_u64(), v["views"].as_u64()),
        (Some(3), Some(1)),
        "{v}"
    );
    let queries = |k: &str| -> Vec<String> {
        v[k].as_array()
            .unwrap()
            .iter()
            .map(|q| q["query"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(queries("top_queries").contains(&"환불".to_string()), "{v}");
    assert_eq!(queries("no_results"), vec!["쀍뛝쉙"]);
    assert_eq!(queries("unopened"), vec!["세금계산서"], "환불 was clicked");

    // The text report too, and the home page's most viewed list comes from PostgreSQL.
    let out = doum_report(&url, &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("유효기간이 안 보여요") && text.contains("쀍뛝쉙"),
        "{text}"
    );
    // b counted the views at its start, before any; that count is given while a
    // new one is made in the background (`--popular-max-age 0`), so b's home
    // page shows the view soon.
    let mut shown = false;
    for _ in 0..100 {
        let home = reqwest::get(b.url("/"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let popular = home.split("많이 본 도움말").nth(1).unwrap_or_default();
        let first = popular.find("href=\"/articles/").unwrap_or_default();
        if popular[first..].starts_with("href=\"/articles/refund-request-how\"") {
            shown = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(shown, "b's home page never showed the viewed entry first");

    for r in [&a, &b] {
        let log = r.log();
        assert!(
            log.contains("analytics: recording to postgres://doum@127.0.0.1:"),
            "{log}"
        );
        assert!(!log.contains(PASSWORD), "{log}");
    }
    assert!(!String::from_utf8_lossy(&out.stderr).contains(PASSWORD));
}

/// PostgreSQL stops under a running replica: search keeps answering 200, the log says
/// why, and a vote that cannot be committed is refused (503), never acknowledged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_postgres_never_breaks_search() {
    // A server of its own, to stop.
    let (url, dir) = match tokio::task::spawn_blocking(start_own_server).await.unwrap() {
        Ok(s) => s,
        Err(why) => return skip(&why),
    };
    let root = tempfile::tempdir().unwrap();
    let idx = index(root.path());
    let replica = Replica::start(&idx, root.path(), &url);
    assert_eq!(replica.search("환불").await, 200);
    assert_eq!(replica.vote("free-cash-status", "yes", "").await, 303);

    let stopped = Command::new(SCRIPT).args(["stop", &dir]).status().unwrap();
    assert!(stopped.success());
    for q in ["환불", "세금계산서", "무상캐시"] {
        assert_eq!(replica.search(q).await, 200);
    }
    assert_eq!(replica.get("/").await, 200);
    assert!(
        replica.log_says("not written (search keeps working)").await,
        "{}",
        replica.log()
    );
    assert_eq!(replica.vote("free-cash-status", "no", "안 돼요").await, 503);
    assert_eq!(replica.get("/articles/free-cash-status").await, 200);
}

/// No PostgreSQL at the URL at all: `doum serve` still starts and answers, the log says
/// why; `doum report` fails with the reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_postgres_never_breaks_search() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://doum:{PASSWORD}@127.0.0.1:{port}/doum");
    let root = tempfile::tempdir().unwrap();
    let idx = index(root.path());
    let replica = Replica::start(&idx, root.path(), &url);
    assert_eq!(replica.search("환불").await, 200);
    assert_eq!(replica.get("/").await, 200);
    assert!(
        replica.log_says("unavailable: connecting").await,
        "{}",
        replica.log()
    );
    assert!(!replica.log().contains(PASSWORD));

    let out = tokio::task::spawn_blocking(move || doum_report(&url, &[]))
        .await
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("127.0.0.1:{port}")) && err.contains("unavailable"),
        "{err}"
    );
    assert!(!err.contains(PASSWORD), "{err}");

    let out = doum_report("postgres://doum@127.0.0.1/doum?sslmode=require", &[]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("without TLS"));
}
