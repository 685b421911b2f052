//! Operating doum: the real `doum serve` binary on a loopback port, reloaded,
//! watched, signalled, measured, held to its limits, and loaded while its
//! content changes and its account API fails.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

use common::process::DoumProcess;

const TOKEN: &str = "ops-test-token-0123456789abcdefghijklmnop";
const SECRET: &str = "ops-test-skill-secret-0123456789abcdef";

/// A `doum serve` process (`common::process::DoumProcess`); killed when dropped.
/// Its analytics go to a data directory of its own, removed with it (not to the
/// checkout's `data/`).
struct Server(DoumProcess, tempfile::TempDir);

impl Server {
    /// Starts `doum serve --addr 127.0.0.1:0` over `content` and `index`
    /// with `args` and `env`, and waits until it listens.
    fn start(content: &Path, index: &Path, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_doum"));
        for var in [
            "DOUM_CONTENT",
            "DOUM_INDEX",
            "DOUM_ACCOUNTS",
            "DOUM_ACCOUNTS_URL",
            "DOUM_AGENT_TOKEN",
            "DOUM_KAKAO_SECRET",
            "DOUM_WATCH",
            "DOUM_ADDR",
            "DOUM_PUBLIC_URL",
            "DOUM_DATA",
            "DOUM_DATABASE_URL",
        ] {
            cmd.env_remove(var);
        }
        let data = tempfile::tempdir().unwrap();
        cmd.arg("--data").arg(data.path());
        cmd.arg("--content")
            .arg(content)
            .arg("--index")
            .arg(index)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .env("DOUM_DICT_DIR", common::dict_dir())
            .env("DOUM_MODEL_DIR", common::model_dir())
            .env("RUST_LOG", "doum=info")
            .env("DOUM_AGENT_TOKEN", TOKEN);
        for (k, v) in env {
            cmd.env(k, v);
        }
        Server(DoumProcess::start(cmd), data)
    }

    /// Its data directory.
    fn data(&self) -> &Path {
        self.1.path()
    }

    fn url(&self, path: &str) -> String {
        self.0.url(path)
    }

    fn base(&self) -> &str {
        &self.0.base
    }

    fn addr(&self) -> String {
        self.0.base.trim_start_matches("http://").to_string()
    }

    fn log(&self) -> String {
        self.0.log()
    }

    fn signal(&self, sig: &str) {
        let ok = Command::new("kill")
            .args([sig, &self.0.child.id().to_string()])
            .status()
            .expect("running kill")
            .success();
        assert!(ok, "kill {sig} failed");
    }
}

/// A content directory with only `faq/` and the shared facts its entries use
/// (no rules, no holidays, no synonyms).
fn faq_only(root: &Path) -> PathBuf {
    let dir = root.join("content");
    common::copy_dir(&Path::new(common::CONTENT).join("faq"), &dir.join("faq"));
    std::fs::copy(
        Path::new(common::CONTENT).join("facts.yaml"),
        dir.join("facts.yaml"),
    )
    .expect("copying facts.yaml");
    dir
}

/// The whole shipped content, copied.
fn full_copy(root: &Path) -> PathBuf {
    let dir = root.join("content");
    common::copy_dir(Path::new(common::CONTENT), &dir);
    dir
}

/// Writes a new FAQ entry whose keyword is `word`.
fn add_entry(content: &Path, id: &str, word: &str) {
    let text = format!(
        "---\nid: {id}\ntitle: {word} 설정은 어디에서 바꾸나요?\nservice: 브랜드 이모티콘 관리자센터\n\
category: [결제 관리, 결제방법 및 설정]\nkeywords: [{word}]\nupdated: 2026-11-30\n---\n\
{word} 설정은 광고계정 설정 화면에서 바꿀 수 있습니다.\n"
    );
    std::fs::write(content.join(format!("faq/payment/{id}.md")), text).unwrap();
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn search_ids(c: &reqwest::Client, s: &Server, q: &str) -> Vec<String> {
    let resp = c
        .get(s.url(&format!("/api/search?q={}", common::enc(q))))
        .send()
        .await
        .expect("search");
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

async fn reload(c: &reqwest::Client, s: &Server) -> (u16, Value) {
    let resp = c
        .post(s.url("/api/agent/reload"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("reload");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}

async fn text(c: &reqwest::Client, url: &str) -> (u16, String) {
    let resp = c.get(url).send().await.expect("request");
    (resp.status().as_u16(), resp.text().await.unwrap())
}

/// The value of a metric line `name{labels} value` (or `name value`).
fn metric(body: &str, series: &str) -> f64 {
    body.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no {series} in\n{body}"))
        .trim()
        .parse()
        .unwrap()
}

fn metric_or_zero(body: &str, series: &str) -> f64 {
    body.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

/// A Kakao skill request asking `utterance` as the KakaoTalk user `user`
/// (a distinct user misses the account client's cache).
fn skill_request(utterance: &str, user: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kakao/current.json");
    let mut v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    v["userRequest"]["utterance"] = json!(utterance);
    v["userRequest"]["user"]["properties"] = json!({"plusfriendUserKey": user});
    v["userRequest"]
        .as_object_mut()
        .unwrap()
        .remove("callbackUrl");
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faq_only_content_serves_and_reloads_in_place() {
    let root = tempfile::tempdir().unwrap();
    let content = faq_only(root.path());
    let server = Server::start(&content, &root.path().join("index"), &[], &[]);
    let c = client();

    // Search, pages and the chatbot work without rules or holidays.
    assert!(!search_ids(&c, &server, "환불").await.is_empty());
    assert!(server.data().join("doum.sqlite").is_file(), "its own store");
    let (status, home) = text(&c, &server.url("/")).await;
    assert_eq!(status, 200);
    assert!(home.contains("<form"), "{home}");
    let resp = c
        .post(server.url("/kakao/skill"))
        .json(&skill_request("환불 받고 싶어요", "pfk-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let answer: Value = resp.json().await.unwrap();
    assert_eq!(answer["version"], "2.0");
    assert!(
        !answer.to_string().contains("잠시 문제가 생겼어요"),
        "{answer}"
    );
    let (status, ready) = text(&c, &server.url("/readyz")).await;
    assert_eq!(status, 200, "{ready}");
    assert!(ready.starts_with("ok\n"), "{ready}");
    assert!(ready.contains("rules: ok (0 decisions)"), "{ready}");
    assert!(
        ready.contains("model: ok (semantic re-ranking on)"),
        "{ready}"
    );
    let entries = ready
        .split("index: ok (")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse::<usize>().ok())
        .expect("entry count in /readyz");

    // Reloading needs the agent token.
    let resp = c
        .post(server.url("/api/agent/reload"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);

    // A new entry becomes searchable after a reload (the same requests as
    // before it: the reloaded engine and chatbot do not answer from the old
    // ones' caches of results and choices).
    assert!(
        !search_ids(&c, &server, "결제알림톡")
            .await
            .contains(&"ops-new-entry".to_string())
    );
    let ask_bot = || async {
        let resp = c
            .post(server.url("/kakao/skill"))
            .json(&skill_request("결제알림톡 설정 바꾸는 곳", "pfk-reload"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        resp.json::<Value>().await.unwrap().to_string()
    };
    assert!(!ask_bot().await.contains("결제알림톡 설정은"));
    let sitemap = || async { text(&c, &server.url("/sitemap.xml")).await.1 };
    assert!(!sitemap().await.contains("/articles/ops-new-entry<"));
    add_entry(&content, "ops-new-entry", "결제알림톡");
    let (status, v) = reload(&c, &server).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["status"], "reloaded");
    assert_eq!(v["entries"], entries + 1);
    assert_eq!(v["rebuilt"], true);
    assert_eq!(
        search_ids(&c, &server, "결제알림톡")
            .await
            .first()
            .map(String::as_str),
        Some("ops-new-entry")
    );
    let answer = ask_bot().await;
    assert!(answer.contains("결제알림톡 설정은"), "{answer}");
    // The sitemap is the reloaded content's, not the one rendered before.
    assert!(sitemap().await.contains("/articles/ops-new-entry<"));

    // Broken content: 422 naming file and line, the previous content keeps serving.
    std::fs::write(content.join("faq/payment/broken.md"), "---\nid: broken\n").unwrap();
    let (status, v) = reload(&c, &server).await;
    assert_eq!(status, 422, "{v}");
    assert_eq!(v["error"]["code"], "invalid_content");
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("broken.md:1:"), "{message}");
    assert_eq!(
        search_ids(&c, &server, "결제알림톡")
            .await
            .first()
            .map(String::as_str),
        Some("ops-new-entry")
    );
    let (status, ready) = text(&c, &server.url("/readyz")).await;
    assert_eq!(status, 200, "{ready}");
    assert!(ready.contains("last reload: failed"), "{ready}");
    assert!(ready.contains("broken.md:1:"), "{ready}");
    // The log reaches the test through a reader thread: wait for the line.
    assert!(server.0.log_says("broken.md:1:").await, "{}", server.log());

    // SIGHUP reloads too: fix the content, signal, wait for the generation.
    std::fs::remove_file(content.join("faq/payment/broken.md")).unwrap();
    add_entry(&content, "ops-hup-entry", "휴면해제안내");
    server.signal("-HUP");
    let mut found = false;
    for _ in 0..600 {
        if search_ids(&c, &server, "휴면해제안내")
            .await
            .first()
            .map(String::as_str)
            == Some("ops-hup-entry")
        {
            found = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(found, "SIGHUP did not reload:\n{}", server.log());
    let (_, ready) = text(&c, &server.url("/readyz")).await;
    assert!(!ready.contains("last reload: failed"), "{ready}");

    assert!(search_ids(&c, &server, "qxjzvw").await.is_empty());

    // Metrics: requests by matched route and status, zero-result searches,
    // reloads by outcome, entries.
    let (status, m) = text(&c, &server.url("/metrics")).await;
    assert_eq!(status, 200);
    assert!(
        metric(
            &m,
            "doum_http_requests_total{route=\"/api/search\",method=\"GET\",status=\"200\"}"
        ) >= 5.0
    );
    assert_eq!(
        metric(
            &m,
            "doum_http_requests_total{route=\"/api/agent/reload\",method=\"POST\",status=\"422\"}"
        ),
        1.0
    );
    assert!(metric(&m, "doum_search_zero_results_total") >= 1.0);
    // Listed from the start, whether or not a search was ever skipped.
    assert!(metric(&m, "doum_semantic_skipped_total{reason=\"busy\"}") >= 0.0);
    assert_eq!(metric(&m, "doum_reloads_total{outcome=\"ok\"}"), 2.0);
    assert_eq!(metric(&m, "doum_reloads_total{outcome=\"failed\"}"), 1.0);
    assert_eq!(metric(&m, "doum_index_entries"), (entries + 2) as f64);
    let chat: f64 = ["direct", "list", "not_found"]
        .iter()
        .map(|o| metric_or_zero(&m, &format!("doum_chat_answers_total{{outcome=\"{o}\"}}")))
        .sum();
    assert!(chat >= 1.0, "{m}");
    assert!(
        metric(
            &m,
            "doum_http_request_duration_seconds_count{route=\"/api/search\"}"
        ) >= 5.0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_ids_are_echoed_and_on_the_log_line() {
    let root = tempfile::tempdir().unwrap();
    let content = faq_only(root.path());
    let server = Server::start(&content, &root.path().join("index"), &[], &[]);
    let c = client();
    let resp = c
        .get(server.url("/api/search?q=%ED%99%98%EB%B6%88"))
        .header("x-request-id", "trace-abc.123_x")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "trace-abc.123_x");
    // An unreasonable id is replaced by a generated one.
    let resp = c
        .get(server.url("/healthz"))
        .header("x-request-id", "a b\"c")
        .send()
        .await
        .unwrap();
    let generated = resp.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(generated.len(), 16, "{generated}");
    assert!(generated.bytes().all(|b| b.is_ascii_hexdigit()));
    // Every request gets one, and they differ.
    let other = c.get(server.url("/healthz")).send().await.unwrap();
    assert_ne!(other.headers()["x-request-id"], generated.as_str());
    // The log line of each request carries its id.
    let mut logged = false;
    for _ in 0..100 {
        let log = server.log();
        if log.lines().any(|l| {
            l.contains("trace-abc.123_x") && l.contains("/api/search") && l.contains("status=200")
        }) && log
            .lines()
            .any(|l| l.contains(&generated) && l.contains("/healthz"))
        {
            logged = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(logged, "{}", server.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_reloads_when_content_changes() {
    let root = tempfile::tempdir().unwrap();
    let content = faq_only(root.path());
    let server = Server::start(&content, &root.path().join("index"), &["--watch"], &[]);
    let c = client();
    assert!(
        !search_ids(&c, &server, "광고소재검수알림")
            .await
            .contains(&"ops-watched".to_string())
    );
    add_entry(&content, "ops-watched", "광고소재검수알림");
    let mut found = false;
    for _ in 0..600 {
        if search_ids(&c, &server, "광고소재검수알림")
            .await
            .contains(&"ops-watched".to_string())
        {
            found = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(found, "--watch did not reload:\n{}", server.log());
}

/// Reads until the server closes the connection; fails if it never does
/// (a guard, not a timing assertion).
fn read_to_close(stream: &mut TcpStream) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    let mut out = Vec::new();
    match stream.read_to_end(&mut out) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(e) => panic!(
            "the server held the connection: {e}; read so far: {}",
            String::from_utf8_lossy(&out)
        ),
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn slow_and_oversized_requests_are_cut_off() {
    let root = tempfile::tempdir().unwrap();
    let content = faq_only(root.path());
    let server = Server::start(
        &content,
        &root.path().join("index"),
        &["--read-timeout", "1"],
        &[],
    );

    // Announces 60,000 bytes, sends 10: 408 and the connection is closed.
    let mut s = TcpStream::connect(server.addr()).unwrap();
    s.write_all(
        b"POST /kakao/skill HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
Content-Length: 60000\r\n\r\n0123456789",
    )
    .unwrap();
    let answer = read_to_close(&mut s);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("request_timeout"), "{answer}");

    // Headers that never end: the connection is closed.
    let mut s = TcpStream::connect(server.addr()).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let answer = read_to_close(&mut s);
    assert!(!answer.contains("200 OK"), "{answer}");

    // A body over the limit is refused before it is read.
    let mut s = TcpStream::connect(server.addr()).unwrap();
    s.write_all(
        b"POST /kakao/skill HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
Content-Length: 10000000\r\n\r\n{}",
    )
    .unwrap();
    let answer = read_to_close(&mut s);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("body_too_large"), "{answer}");

    // The server still answers.
    let mut s = TcpStream::connect(server.addr()).unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let answer = read_to_close(&mut s);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn sigterm_finishes_requests_in_flight_then_exits_0() {
    let root = tempfile::tempdir().unwrap();
    let content = faq_only(root.path());
    let mut server = Server::start(&content, &root.path().join("index"), &[], &[]);
    let body = serde_json::to_vec(&skill_request("환불 받고 싶어요", "pfk-1")).unwrap();
    let (first, rest) = body.split_at(body.len() / 2);

    // A request in flight: headers sent, the server asked for the body
    // (100 Continue), half the body sent.
    let mut s = TcpStream::connect(server.addr()).unwrap();
    write!(
        s,
        "POST /kakao/skill HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
Content-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).unwrap();
    assert!(
        String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 100"),
        "{}",
        String::from_utf8_lossy(&buf[..n])
    );
    s.write_all(first).unwrap();

    server.signal("-TERM");
    // New connections are refused once the server stops accepting.
    let mut refused = false;
    for _ in 0..600 {
        if TcpStream::connect(server.addr()).is_err() {
            refused = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(refused, "still accepting after SIGTERM:\n{}", server.log());

    // The request in flight still gets its whole answer.
    s.write_all(rest).unwrap();
    let answer = read_to_close(&mut s);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let json = &answer[answer.find("\r\n\r\n").unwrap() + 4..];
    let v: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert_eq!(v["version"], "2.0");
    assert!(!json.contains("잠시 문제가 생겼어요"), "{json}");

    let status = server.0.child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{}", server.log());
    let log = server.0.whole_log();
    assert!(log.contains("stopped"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_server_keeps_answering_during_and_after_doum_index() {
    let root = tempfile::tempdir().unwrap();
    let content = full_copy(root.path());
    let index = root.path().join("index");
    let server = Server::start(&content, &index, &[], &[]);
    let c = client();
    let before = search_ids(&c, &server, "환불 계좌").await;
    assert!(!before.is_empty());

    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..4 {
        let (c, url, stop, answered) = (
            c.clone(),
            server.url("/api/search?q=%ED%99%98%EB%B6%88%20%EA%B3%84%EC%A2%8C"),
            Arc::clone(&stop),
            Arc::clone(&answered),
        );
        let expected = before.clone();
        workers.push(tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let resp = c.get(&url).send().await.expect("request failed");
                assert_eq!(resp.status(), 200);
                let v: Value = resp.json().await.expect("JSON");
                let ids: Vec<String> = v["hits"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| h["id"].as_str().unwrap().to_string())
                    .collect();
                assert_eq!(ids, expected);
                answered.fetch_add(1, Ordering::SeqCst);
            }
        }));
    }
    // Rebuild the index twice on the same directories (new content the second time).
    for round in 0..2 {
        if round == 1 {
            add_entry(&content, "ops-index-entry", "세금계산서재발행");
        }
        doum_index(&content, &index).await;
    }
    stop.store(true, Ordering::SeqCst);
    for w in workers {
        w.await.expect("a request failed while indexing");
    }
    assert!(answered.load(Ordering::SeqCst) >= 4);
    // After: the server still answers from the index it opened.
    assert_eq!(search_ids(&c, &server, "환불 계좌").await, before);
    let (status, _) = text(&c, &server.url("/readyz")).await;
    assert_eq!(status, 200);
}

/// The account API's behaviour: 0 answers, 1 slow (past the client's
/// timeout), 2 down (500).
#[derive(Clone)]
struct AccountApi {
    mode: Arc<AtomicU8>,
    calls: Arc<AtomicUsize>,
}

async fn account_api(api: AccountApi) -> String {
    use axum::extract::State;
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};
    use axum::routing::get;
    use doum::accounts::{AccountLookup, FileSource};

    let AccountLookup::Found(a) = FileSource::sample().account("A-1001") else {
        panic!("the sample has A-1001")
    };
    let account = Arc::new(serde_json::to_string(&*a).unwrap());
    async fn gate(api: &AccountApi) -> Option<Response> {
        api.calls.fetch_add(1, Ordering::SeqCst);
        match api.mode.load(Ordering::SeqCst) {
            0 => None,
            1 => {
                tokio::time::sleep(Duration::from_millis(1500)).await;
                None
            }
            _ => Some(StatusCode::INTERNAL_SERVER_ERROR.into_response()),
        }
    }
    let router = axum::Router::new()
        .route(
            "/v1/accounts/{id}",
            get({
                let account = Arc::clone(&account);
                move |State(api): State<AccountApi>| async move {
                    match gate(&api).await {
                        Some(r) => r,
                        None => ([("content-type", "application/json")], account.to_string())
                            .into_response(),
                    }
                }
            }),
        )
        .route(
            "/v1/kakao-links/{key}",
            get(
                |State(api): State<AccountApi>,
                 axum::extract::Path(key): axum::extract::Path<String>| async move {
                    match gate(&api).await {
                        Some(r) => r,
                        None => (
                            [("content-type", "application/json")],
                            json!({"account_id": "A-1001", "key": key}).to_string(),
                        )
                            .into_response(),
                    }
                },
            ),
        )
        .with_state(api);
    format!("{}/v1", common::serve_on_loopback(router).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_with_two_reloads_and_a_failing_account_api() {
    let api = AccountApi {
        mode: Arc::new(AtomicU8::new(0)),
        calls: Arc::new(AtomicUsize::new(0)),
    };
    let api_url = account_api(api.clone()).await;
    let root = tempfile::tempdir().unwrap();
    let content = full_copy(root.path());
    let server = Server::start(
        &content,
        &root.path().join("index"),
        &["--accounts-url", &api_url],
        &[("DOUM_KAKAO_SECRET", SECRET)],
    );
    let c = reqwest::Client::builder()
        .pool_max_idle_per_host(32)
        .build()
        .unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for n in 0..32usize {
        let (c, base, stop, answered) = (
            c.clone(),
            server.base().to_string(),
            Arc::clone(&stop),
            Arc::clone(&answered),
        );
        workers.push(tokio::spawn(async move {
            let mut i = n;
            while !stop.load(Ordering::SeqCst) {
                i += 1;
                match i % 3 {
                    0 => {
                        let url = format!("{base}/api/search?q=%ED%99%98%EB%B6%88");
                        let resp = c.get(&url).send().await.expect("search failed");
                        assert_eq!(resp.status(), 200);
                        let v: Value = resp.json().await.expect("search JSON");
                        assert!(v["total"].as_u64().unwrap() > 0, "{v}");
                    }
                    1 => {
                        let url = format!("{base}/search?q=%EC%BA%90%EC%8B%9C");
                        let resp = c.get(&url).send().await.expect("page failed");
                        assert_eq!(resp.status(), 200);
                        let html = resp.text().await.unwrap();
                        assert!(html.contains("</html>"), "{html}");
                    }
                    _ => {
                        let resp = c
                            .post(format!("{base}/kakao/skill"))
                            .header("x-doum-skill-secret", SECRET)
                            .json(&skill_request("환불 받고 싶어요", &format!("pfk-{n}-{i}")))
                            .send()
                            .await
                            .expect("skill call failed");
                        assert_eq!(resp.status(), 200);
                        let v: Value = resp.json().await.expect("skill JSON");
                        assert_eq!(v["version"], "2.0", "{v}");
                        assert!(
                            !v.to_string().contains("잠시 문제가 생겼어요"),
                            "failure card: {v}"
                        );
                    }
                }
                answered.fetch_add(1, Ordering::SeqCst);
            }
        }));
    }

    // While the load runs: reload, the API goes slow, reload again, the API goes down.
    let pause = || tokio::time::sleep(Duration::from_millis(400));
    pause().await;
    add_entry(&content, "ops-load-one", "광고비정산주기");
    let (status, v) = reload(&c, &server).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["generation"], 2);
    api.mode.store(1, Ordering::SeqCst);
    pause().await;
    add_entry(&content, "ops-load-two", "정산내역메일");
    let (status, v) = reload(&c, &server).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["generation"], 3);
    pause().await;
    api.mode.store(2, Ordering::SeqCst);
    pause().await;
    // 32 requests at a time do not make 32 threads: searches wait in line
    // for a few blocking threads per core (`doum::web::runtime`).
    #[cfg(target_os = "linux")]
    {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", server.0.child.id())).unwrap();
        let threads: usize = status
            .lines()
            .find_map(|l| l.strip_prefix("Threads:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let most = cores * (1 + doum::web::BLOCKING_THREADS_PER_CORE) + 6;
        assert!(threads <= most, "{threads} threads (at most {most})");
    }
    stop.store(true, Ordering::SeqCst);
    for w in workers {
        w.await.expect("a request failed under load");
    }
    let answered = answered.load(Ordering::SeqCst);
    eprintln!(
        "{answered} valid responses under load; {} account API calls",
        api.calls.load(Ordering::SeqCst)
    );
    assert!(answered >= 32);
    assert!(api.calls.load(Ordering::SeqCst) > 0);
    assert_eq!(
        search_ids(&c, &server, "정산내역메일")
            .await
            .first()
            .map(String::as_str),
        Some("ops-load-two")
    );
    // The faults were seen and counted.
    let (_, m) = text(&c, &server.url("/metrics")).await;
    assert!(
        metric(
            &m,
            "doum_account_lookups_total{kind=\"link\",outcome=\"unavailable\"}"
        ) >= 1.0,
        "{m}"
    );
    assert_eq!(metric(&m, "doum_reloads_total{outcome=\"ok\"}"), 2.0);
    // The page just searched is in the reloaded engine's cache, and weighs.
    assert!(metric(&m, "doum_search_cache_pages") >= 1.0, "{m}");
    assert!(metric(&m, "doum_search_cache_bytes") > 1_000.0, "{m}");
}

/// Runs `doum index` on `content` into `index`.
async fn doum_index(content: &Path, index: &Path) {
    let (content, index) = (content.to_path_buf(), index.to_path_buf());
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_doum"))
            .arg("--content")
            .arg(&content)
            .arg("--index")
            .arg(&index)
            .arg("index")
            .env("DOUM_DICT_DIR", common::dict_dir())
            .env("DOUM_MODEL_DIR", common::model_dir())
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Scaling out: the index is built once, two stateless replicas serve it from one
/// directory, and a rebuilt index is swapped in under both (`doum index`, then a
/// reload of each replica) while clients keep searching both: no request fails, and
/// afterwards both answer from the new index.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_on_one_index_swap_a_rebuilt_index_without_a_failed_request() {
    let root = tempfile::tempdir().unwrap();
    let content = full_copy(root.path());
    let index = root.path().join("index");
    doum_index(&content, &index).await;
    let replicas = [
        Server::start(&content, &index, &[], &[]),
        Server::start(&content, &index, &[], &[]),
    ];
    let c = client();
    let stop = Arc::new(AtomicBool::new(false));
    let answered = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for server in &replicas {
        for _ in 0..2 {
            let (c, url, stop, answered) = (
                c.clone(),
                server.url("/api/search?q=%ED%99%98%EB%B6%88%20%EA%B3%84%EC%A2%8C"),
                Arc::clone(&stop),
                Arc::clone(&answered),
            );
            workers.push(tokio::spawn(async move {
                while !stop.load(Ordering::SeqCst) {
                    let resp = c.get(&url).send().await.expect("request failed");
                    assert_eq!(resp.status(), 200);
                    let v: Value = resp.json().await.expect("JSON");
                    assert!(v["total"].as_u64().unwrap() > 0, "{v}");
                    answered.fetch_add(1, Ordering::SeqCst);
                }
            }));
        }
    }
    for server in &replicas {
        let ids = search_ids(&c, server, "복제본설정").await;
        assert!(!ids.iter().any(|id| id == "replica-swap-entry"));
    }
    add_entry(&content, "replica-swap-entry", "복제본설정");
    doum_index(&content, &index).await;
    for server in &replicas {
        let (status, body) = reload(&c, server).await;
        assert_eq!(status, 200, "{body}");
    }
    for server in &replicas {
        let ids = search_ids(&c, server, "복제본설정").await;
        assert_eq!(ids.first().map(String::as_str), Some("replica-swap-entry"));
    }
    stop.store(true, Ordering::SeqCst);
    for w in workers {
        w.await.expect("a request failed during the swap");
    }
    assert!(answered.load(Ordering::SeqCst) >= 4);
}
