//! Helpers shared by the integration tests: the analyzer, engines over a
//! content directory, and a real server on a loopback port.
#![allow(dead_code)]

pub mod process;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use doum::accounts::AccountSource;
use doum::ask::Assistant;
use doum::korean::Analyzer;
use doum::search::{SearchEngine, build};
use doum::web::{AppState, WebConfig};

/// The product's content directory.
pub const CONTENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/content");

/// Where the Korean dictionary is cached: `DOUM_DICT_DIR`, or
/// `<CARGO_MANIFEST_DIR>/index/dictionary` (built there the first time).
pub fn dict_dir() -> PathBuf {
    std::env::var_os("DOUM_DICT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("index/dictionary"))
}

/// The process-wide analyzer.
pub fn analyzer() -> Arc<Analyzer> {
    static ANALYZER: OnceLock<Arc<Analyzer>> = OnceLock::new();
    ANALYZER
        .get_or_init(|| {
            doum::config::load_analyzer(&dict_dir(), &mut |msg| eprintln!("{msg}"))
                .expect("loading the Korean analyzer")
        })
        .clone()
}

/// An engine over `content_dir`, indexed into a temporary directory that
/// lives as long as the process. Built once per content directory.
pub fn engine(content_dir: impl AsRef<Path>) -> Arc<SearchEngine> {
    static ENGINES: OnceLock<Mutex<HashMap<PathBuf, Arc<SearchEngine>>>> = OnceLock::new();
    let dir = content_dir.as_ref().to_path_buf();
    let mut engines = ENGINES.get_or_init(Default::default).lock().unwrap();
    engines
        .entry(dir.clone())
        .or_insert_with(|| {
            let content = doum::config::load_content(&dir).expect("loading content");
            let analyzer = analyzer();
            let tmp = tempfile::tempdir().expect("temporary index directory");
            build::build(content.clone(), &analyzer, tmp.path(), &mut |_, _| {}).expect("indexing");
            let engine = SearchEngine::open(tmp.path(), content, analyzer).expect("opening");
            // Keep the index files for the rest of the process.
            std::mem::forget(tmp);
            Arc::new(engine)
        })
        .clone()
}

/// A running server and a client for it.
pub struct TestApp {
    /// Where it listens.
    pub addr: SocketAddr,
    /// A client without redirects.
    pub client: reqwest::Client,
}

impl TestApp {
    /// The absolute URL of `path_and_query`.
    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://{}{}", self.addr, path_and_query)
    }

    /// GET `path_and_query`.
    pub async fn get(&self, path_and_query: &str) -> reqwest::Response {
        self.client
            .get(self.url(path_and_query))
            .send()
            .await
            .expect("request")
    }

    /// GET, expecting JSON: (status, body).
    pub async fn json(&self, path_and_query: &str) -> (u16, serde_json::Value) {
        let resp = self.get(path_and_query).await;
        let status = resp.status().as_u16();
        let ct = content_type(&resp);
        let text = resp.text().await.expect("body");
        assert!(
            ct.starts_with("application/json"),
            "{path_and_query}: content-type {ct}, body {text}"
        );
        let value = serde_json::from_str(&text).expect("JSON body");
        (status, value)
    }

    /// GET, expecting HTML: (status, body).
    pub async fn html(&self, path_and_query: &str) -> (u16, String) {
        let resp = self.get(path_and_query).await;
        let status = resp.status().as_u16();
        let ct = content_type(&resp);
        assert!(ct.starts_with("text/html"), "{path_and_query}: {ct}");
        (status, resp.text().await.expect("body"))
    }
}

/// Serves `doum::web::app` over `content_dir` on `127.0.0.1:0` in a task of
/// the current runtime.
pub async fn spawn_app(content_dir: impl AsRef<Path>) -> TestApp {
    spawn_with(
        content_dir,
        AccountSource::sample(),
        WebConfig::new("https://help.example.com"),
    )
    .await
}

/// An assistant over `content_dir` (rules from the same directory) and `accounts`.
pub fn assistant(content_dir: impl AsRef<Path>, accounts: AccountSource) -> Arc<Assistant> {
    let engine = engine(content_dir.as_ref());
    Arc::new(Assistant::new(engine, content_dir.as_ref(), accounts).expect("loading the rules"))
}

/// Serves the app over `content_dir` with these accounts and settings.
pub async fn spawn_with(
    content_dir: impl AsRef<Path>,
    accounts: AccountSource,
    config: WebConfig,
) -> TestApp {
    spawn_state(AppState::new(assistant(content_dir, accounts), config)).await
}

/// Serves the app over `state` on `127.0.0.1:0` in a task of the current runtime.
pub async fn spawn_state(state: AppState) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binding a loopback port");
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, doum::web::app(state))
            .await
            .expect("serving");
    });
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp { addr, client }
}

/// Percent-encodes a query-string value.
pub fn enc(s: &str) -> String {
    doum::web::pages::enc(s)
}

/// Whether `id` is an entry of the shipped content (what the rules may link to).
pub fn is_entry(id: &str) -> bool {
    static IDS: OnceLock<Vec<String>> = OnceLock::new();
    IDS.get_or_init(|| {
        let content =
            doum::content::Content::load(Path::new(CONTENT)).expect("shipped content loads");
        content.entries().iter().map(|e| e.id.to_string()).collect()
    })
    .iter()
    .any(|e| e == id)
}

/// Serves `router` on a loopback port in a task of the current runtime and
/// returns its base URL (`http://127.0.0.1:PORT`): a real HTTP peer standing
/// in for the account API or Kakao's callback endpoint.
pub async fn serve_on_loopback(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("binding a loopback port");
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

/// The response's content type ("" when absent).
pub fn content_type(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// A fake account API that fails in every way a real one can, on loopback:
/// `{base}/down` answers 500, `{base}/garbage` HTML, `{base}/truncated` cut-off
/// JSON. Returns `base`.
pub async fn failing_account_api() -> String {
    use axum::http::StatusCode;
    use axum::routing::get;
    let router = axum::Router::new()
        .route(
            "/down/accounts/{id}",
            get(|| async { StatusCode::INTERNAL_SERVER_ERROR }),
        )
        .route(
            "/garbage/accounts/{id}",
            get(|| async { "<html>not an account</html>" }),
        )
        .route(
            "/truncated/accounts/{id}",
            get(|| async { "{\"account_id\": 1" }),
        );
    serve_on_loopback(router).await
}

/// Copies a directory tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}

/// Where the embedding model is cached: `DOUM_MODEL_DIR`, or
/// `<CARGO_MANIFEST_DIR>/index/model` (fetched there the first time).
pub fn model_dir() -> PathBuf {
    std::env::var_os("DOUM_MODEL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("index/model"))
}

/// The process-wide embedding model.
pub fn embedder() -> Arc<doum::semantic::Embedder> {
    doum::semantic::load(&model_dir(), &mut |msg| eprintln!("{msg}")).expect("loading the model")
}

/// A first-page search event, as the pages record it.
pub fn search_event(at: i64, q: &str, results: usize) -> doum::analytics::Event {
    doum::analytics::Event::Search {
        at,
        query: q.into(),
        normalized: doum::analytics::normalize(q),
        results,
        page: 1,
        source: "page",
        category: None,
        answer: None,
    }
}

/// The questions written for the shipped content (`eval/content-queries.tsv`,
/// then `eval/customer-questions.tsv`), as typed.
pub fn content_questions() -> Vec<String> {
    ["content-queries.tsv", "customer-questions.tsv"]
        .iter()
        .flat_map(|file| {
            let path = format!("{}/eval/{file}", env!("CARGO_MANIFEST_DIR"));
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            text.lines()
                .skip(1)
                .filter_map(|l| l.split('\t').next().map(str::to_owned))
                .collect::<Vec<_>>()
        })
        .collect()
}
