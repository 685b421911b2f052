//! The customer center in a real browser: headless Chromium driven through WebDriver
//! (chromedriver + fantoccini), against the real server on a loopback port.
//!
//! Needs the Debian packages `chromium` and `chromium-driver` (`.ci/run` installs them).
//! When Chromium or chromedriver cannot start, the test fails and says why; it never
//! passes without a browser.
//!
//! Screenshots (full page) land in `target/screenshots/`: home, a category, results (with an
//! answer box too; also for a
//! query typed in English mode), article and
//! no-result pages, desktop (1280 px) and phone (360 px). The analytics the run recorded
//! stay in `target/browser-data/` (`doum report --data target/browser-data`).

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use common::{CONTENT, TestApp, enc, spawn_state};
use doum::accounts::AccountSource;
use doum::analytics::{self, Store, sqlite::SqliteStore};
use doum::web::{AppState, WebConfig};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

const CHROMEDRIVER: &str = "chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const WAIT: Duration = Duration::from_secs(20);
const AGENT_TOKEN: &str = "browser-test-agent-token-0123456789abcdef";

/// chromedriver, killed when dropped.
struct Driver {
    child: Child,
    url: String,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

async fn start_driver() -> Driver {
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start `{CHROMEDRIVER}` ({e}): install the Debian packages chromium and \
                 chromium-driver (.ci/run does)"
            )
        });
    // From here on, dropping the driver (even by a panic) kills and reaps chromedriver.
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
        _profile: tempfile::tempdir().unwrap(),
    };
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if let Ok(r) = client.get(format!("{}/status", driver.url)).send().await
            && r.status().is_success()
        {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver on port {port} did not answer /status within 10 s");
}

async fn browser(driver: &Driver) -> Client {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: install the Debian package chromium (.ci/run does)"
    );
    let profile = driver._profile.path().display().to_string();
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                     "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync",
                     "--disable-dev-shm-usage", "--lang=ko-KR",
                     "--window-size=1280,900", format!("--user-data-dir={profile}")]
        }
    });
    let Value::Object(caps) = caps else {
        unreachable!()
    };
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .unwrap_or_else(|e| panic!("Chromium did not start through chromedriver: {e}"))
}

fn screenshots_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A full-page screenshot at `width` px.
async fn screenshot(c: &Client, width: u32, name: &str) {
    // From a short window: a page's scroll height is never less than the
    // window's, so a tall window left by the previous page would stay.
    c.set_window_size(width, 600).await.unwrap();
    let height = c
        .execute(
            "return document.documentElement.scrollHeight + window.outerHeight - window.innerHeight;",
            vec![],
        )
        .await
        .unwrap()
        .as_u64()
        .unwrap_or(900)
        .clamp(600, 4000) as u32;
    c.set_window_size(width, height).await.unwrap();
    let png = c.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "{name}: not a PNG");
    std::fs::write(screenshots_dir().join(name), png).unwrap();
}

/// How far the page scrolls sideways, in CSS px (0: it fits the window).
async fn sideways_scroll(c: &Client) -> i64 {
    c.execute(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
        vec![],
    )
    .await
    .unwrap()
    .as_i64()
    .unwrap()
}

async fn text_of(c: &Client, css: &str) -> String {
    let found = c.wait().at_most(WAIT).for_element(Locator::Css(css)).await;
    match found {
        Ok(el) => el.text().await.unwrap(),
        Err(e) => panic!("no `{css}` on {:?}: {e}", c.current_url().await),
    }
}

async fn click(c: &Client, css: &str) {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no `{css}`: {e}"))
        .click()
        .await
        .unwrap();
}

/// Waits until the page's URL contains `part`.
async fn wait_url(c: &Client, part: &str) {
    for _ in 0..200 {
        if c.current_url().await.unwrap().as_str().contains(part) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "URL never contained {part}: {}",
        c.current_url().await.unwrap()
    );
}

async fn recording_app(dir: &Path) -> TestApp {
    let state = AppState::new(
        common::assistant(CONTENT, AccountSource::sample()),
        WebConfig::new("http://127.0.0.1")
            .with_agent_token(Some(AGENT_TOKEN.into()))
            .with_contact_url(Some("https://pf.kakao.com/_doum/chat".into()))
            .unwrap(),
    )
    .with_analytics(Arc::new(analytics::open(dir)));
    spawn_state(state).await
}

async fn type_and_search(c: &Client, query: &str) {
    let input = c.find(Locator::Css("#q")).await.unwrap();
    input.clear().await.unwrap();
    input.send_keys(query).await.unwrap();
    c.find(Locator::Css("form.search button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_url(c, "/search?q=").await;
}

/// The customer's whole path on a desktop, then on a 360 px phone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_searches_filters_pages_reads_votes_and_autocompletes() {
    // Kept after the run so that `doum report --data <target>/browser-data` shows it.
    let data = screenshots_dir().with_file_name("browser-data");
    let _ = std::fs::remove_dir_all(&data);
    let app = recording_app(&data).await;
    let driver = start_driver().await;
    let c = browser(&driver).await;
    let base = app.url("");

    // Home.
    c.goto(&base).await.unwrap();
    assert!(text_of(&c, "h1").await.contains("무엇을 도와드릴까요?"));
    screenshot(&c, 1280, "home-desktop.png").await;

    // A category from the home page's tree: its entries, newest first, a
    // page at a time (the sample's 결제 관리 holds more than one page).
    click(
        &c,
        &format!(".card h3 a[href=\"/categories/{}\"]", enc("결제 관리")),
    )
    .await;
    wait_url(&c, "/categories/").await;
    let h1 = text_of(&c, "h1").await;
    assert!(h1.starts_with("결제 관리 ("), "{h1}");
    let rows = c.find_all(Locator::Css(".hits > li")).await.unwrap();
    assert_eq!(rows.len(), doum::web::pages::CATEGORY_PAGE_SIZE);
    screenshot(&c, 1280, "category-desktop.png").await;
    c.set_window_size(1280, 900).await.unwrap();
    click(&c, ".pagination a[rel=next]").await;
    wait_url(&c, "page=2").await;
    assert_eq!(text_of(&c, ".pagination strong").await, "2");
    assert!(
        !c.find_all(Locator::Css(".hits > li"))
            .await
            .unwrap()
            .is_empty()
    );
    c.goto(&base).await.unwrap();

    // Type a query: the count phrased like the seed, highlighted results.
    c.set_window_size(1280, 900).await.unwrap();
    type_and_search(&c, "환불").await;
    let (_, api) = app.json(&format!("/api/search?q={}", enc("환불"))).await;
    let total = api["total"].as_u64().unwrap();
    let h1 = text_of(&c, ".results-head h1").await;
    assert_eq!(h1, format!("도움말 검색 결과 (총 {total}건)"));
    let marks = c.find_all(Locator::Css(".hits mark")).await.unwrap();
    assert!(!marks.is_empty(), "highlighted words");
    assert_eq!(marks[0].text().await.unwrap(), "환불");
    screenshot(&c, 1280, "results-desktop.png").await;
    c.set_window_size(1280, 900).await.unwrap();

    // Filter by a category: the count follows, the category is marked.
    click(&c, ".facets li.depth-2 a").await;
    wait_url(&c, "category=").await;
    let chosen = text_of(&c, ".facets strong[aria-current] span").await;
    let h1 = text_of(&c, ".results-head h1").await;
    assert!(h1.starts_with("도움말 검색 결과 (총 "), "{h1}");
    assert!(!h1.contains(&format!("총 {total}건")) || total == 0, "{h1}");
    assert!(!chosen.is_empty());

    // Change the sort.
    click(&c, ".segmented a").await;
    wait_url(&c, "sort=updated").await;
    assert_eq!(text_of(&c, ".segmented strong").await, "최신순");

    // Page.
    c.goto(&format!("{base}/search?q={}&size=3", enc("환불")))
        .await
        .unwrap();
    click(&c, ".pagination a[rel=next]").await;
    wait_url(&c, "page=2").await;
    assert_eq!(text_of(&c, ".pagination strong").await, "2");

    // Open an entry from the results.
    let title = text_of(&c, ".hits h3 a").await;
    click(&c, ".hits h3 a").await;
    wait_url(&c, "/articles/").await;
    assert_eq!(text_of(&c, "article h1").await, title);
    assert!(text_of(&c, ".meta").await.starts_with("최종 업데이트"));
    screenshot(&c, 1280, "article-desktop.png").await;
    c.set_window_size(1280, 900).await.unwrap();

    // Vote 아니요 with a comment (a plain form).
    click(&c, ".feedback summary").await;
    c.find(Locator::Css("#comment"))
        .await
        .unwrap()
        .send_keys("예시 화면이 있으면 좋겠어요")
        .await
        .unwrap();
    screenshot(&c, 1280, "feedback-desktop.png").await;
    click(&c, ".feedback button[value=no]").await;
    wait_url(&c, "voted=no").await;
    assert!(text_of(&c, ".thanks").await.contains("감사합니다"));
    let store = SqliteStore::open_dir(&data).unwrap();
    let report = store.report(0, 10).unwrap();
    assert_eq!(report.votes, 1);
    assert_eq!(
        report.unhelpful[0].comments,
        vec!["예시 화면이 있으면 좋겠어요"]
    );

    // Pick an autocomplete suggestion with the keyboard.
    c.goto(&base).await.unwrap();
    let input = c.find(Locator::Css("#q")).await.unwrap();
    input.send_keys("환부").await.unwrap();
    let first = text_of(&c, "#suggestions li").await;
    assert!(first.starts_with("환불"), "{first}");
    assert_eq!(
        input.attr("aria-expanded").await.unwrap().as_deref(),
        Some("true")
    );
    input
        .send_keys(&char::from(Key::Down).to_string())
        .await
        .unwrap();
    assert_eq!(
        input
            .attr("aria-activedescendant")
            .await
            .unwrap()
            .as_deref(),
        Some("suggestion-0")
    );
    input
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .unwrap();
    wait_url(&c, "/articles/").await;
    assert_eq!(text_of(&c, "article h1").await, first);
    // Esc closes the list.
    c.goto(&base).await.unwrap();
    let input = c.find(Locator::Css("#q")).await.unwrap();
    input.send_keys("무상캐").await.unwrap();
    assert!(text_of(&c, "#suggestions li").await.starts_with("무상캐시"));
    input
        .send_keys(&char::from(Key::Escape).to_string())
        .await
        .unwrap();
    assert_eq!(
        input.attr("aria-expanded").await.unwrap().as_deref(),
        Some("false")
    );

    // Typed with the 한/영 key not pressed: suggested and searched as meant.
    c.goto(&base).await.unwrap();
    let input = c.find(Locator::Css("#q")).await.unwrap();
    input.send_keys("ghksq").await.unwrap();
    assert!(text_of(&c, "#suggestions li").await.starts_with("환불"));
    type_and_search(&c, "ghksqnf").await;
    assert!(text_of(&c, ".read-as").await.contains("‘환불’의 검색 결과"));
    let (_, api) = app.json(&format!("/api/search?q={}", enc("환불"))).await;
    assert!(
        text_of(&c, ".results-head h1")
            .await
            .contains(&format!("(총 {}건)", api["total"]))
    );
    let q = c.find(Locator::Css("#q")).await.unwrap();
    assert_eq!(q.prop("value").await.unwrap().as_deref(), Some("환불"));
    screenshot(&c, 1280, "english-mode-desktop.png").await;

    // No results: what to try instead.
    c.goto(&format!("{base}/search?q={}", enc("훤뷸")))
        .await
        .unwrap();
    assert!(text_of(&c, ".did-you-mean").await.contains("환불"));
    assert!(text_of(&c, ".results-head h1").await.contains("(총 0건)"));
    screenshot(&c, 1280, "noresult-desktop.png").await;

    // A question the search is sure of: its answer above the results, the
    // same entry the chatbot answers with; the box opens the article.
    c.set_window_size(1280, 900).await.unwrap();
    c.goto(&base).await.unwrap();
    type_and_search(&c, "환불계좌 어디서 등록해요").await;
    assert_eq!(text_of(&c, ".answer-box .label").await, "가장 알맞은 답변");
    let answer = text_of(&c, "#answer-title a").await;
    assert_eq!(answer, "환불계좌는 어디서 등록하나요?");
    assert!(text_of(&c, ".answer-box .lead").await.contains("환불계좌"));
    screenshot(&c, 1280, "answer-desktop.png").await;
    c.set_window_size(1280, 900).await.unwrap();
    click(&c, ".answer-box .more a").await;
    wait_url(&c, "/articles/refund-account-register").await;
    assert_eq!(text_of(&c, "article h1").await, answer);

    // The same at 360 px: one column, no sideways scrolling.
    c.set_window_size(360, 780).await.unwrap();
    c.goto(&base).await.unwrap();
    let width = c
        .execute("return window.innerWidth;", vec![])
        .await
        .unwrap();
    assert!(width.as_u64().unwrap() <= 400, "phone viewport: {width}");
    screenshot(&c, 360, "home-phone.png").await;
    c.set_window_size(360, 780).await.unwrap();
    type_and_search(&c, "세금계산서").await;
    assert!(
        text_of(&c, ".results-head h1")
            .await
            .starts_with("도움말 검색 결과")
    );
    let columns = c
        .execute(
            "return getComputedStyle(document.querySelector('.layout')).gridTemplateColumns;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        columns.as_str().unwrap().split_whitespace().count(),
        1,
        "one column at 360 px: {columns}"
    );
    assert_eq!(
        sideways_scroll(&c).await,
        0,
        "no horizontal scrolling at 360 px"
    );
    screenshot(&c, 360, "results-phone.png").await;
    c.set_window_size(360, 780).await.unwrap();
    c.goto(&format!(
        "{base}/search?q={}",
        enc("환불계좌 어디서 등록해요")
    ))
    .await
    .unwrap();
    assert!(text_of(&c, "#answer-title").await.contains("환불계좌"));
    screenshot(&c, 360, "answer-phone.png").await;
    // This customer opens another result instead: the agent's report lists
    // the query under the answers passed over (below).
    c.set_window_size(360, 780).await.unwrap();
    click(&c, ".hits > li:nth-child(2) h3 a").await;
    wait_url(&c, "rank=2").await;
    c.set_window_size(360, 780).await.unwrap();
    type_and_search(&c, "세금계산서").await;
    c.set_window_size(360, 780).await.unwrap();
    click(&c, ".hits h3 a").await;
    wait_url(&c, "/articles/").await;
    screenshot(&c, 360, "article-phone.png").await;
    c.set_window_size(360, 780).await.unwrap();
    c.goto(&format!("{base}/search?q={}", enc("쀍뛝쉙")))
        .await
        .unwrap();
    assert!(
        text_of(&c, ".notice")
            .await
            .contains("검색 결과가 없습니다")
    );
    assert_eq!(
        text_of(&c, ".notice .contact a").await,
        "상담원에게 문의하기"
    );
    screenshot(&c, 360, "noresult-phone.png").await;

    // In KakaoTalk, a customer taps 아쉬워요 under the answer to their
    // question (the quick reply's extra, as Kakao sends it back).
    let resp = app
        .client
        .post(app.url("/kakao/skill"))
        .json(&serde_json::json!({
            "userRequest": {"utterance": "아쉬워요",
                "user": {"properties": {"plusfriendUserKey": "pfk-browser-vote"}}},
            "action": {"clientExtra": {"doum": "vote", "id": "refund-account-register",
                "helpful": false, "q": "환불받을 통장 바꾸고 싶어요"}}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    // The agent logs in and sees the analytics of this very run.
    c.set_window_size(1280, 900).await.unwrap();
    c.goto(&format!("{base}/agent")).await.unwrap();
    c.find(Locator::Css("#token"))
        .await
        .unwrap()
        .send_keys(AGENT_TOKEN)
        .await
        .unwrap();
    click(&c, "form.lookup button[type=submit]").await;
    let section = text_of(&c, "section.analytics").await;
    assert!(section.contains("검색 분석 (최근 7일)"), "{section}");
    assert!(section.contains("쀍뛝쉙"), "the no-result query: {section}");
    assert!(section.contains("예시 화면이 있으면 좋겠어요"), "{section}");
    assert!(
        section.contains("챗봇 질문 환불받을 통장 바꾸고 싶어요"),
        "the chatbot question under its entry: {section}"
    );
    let passed = text_of(&c, ".passed-over").await;
    assert!(
        passed.contains("환불계좌 어디서 등록해요")
            && passed.contains("환불계좌는 어디서 등록하나요?"),
        "the answer passed over, by its query and title: {passed}"
    );
    screenshot(&c, 1280, "agent-desktop.png").await;

    // A question two entries answer in part: the preview shows the list
    // the customer would pick from, then what picking the first gives.
    c.goto(&format!(
        "{base}/agent?q={}&account=A-1001&today=2026-12-01",
        enc("카드 환불")
    ))
    .await
    .unwrap();
    let preview = text_of(&c, "section.preview").await;
    assert!(preview.contains(doum::ask::LIST_HEADER), "{preview}");
    assert!(preview.contains(doum::ask::FIRST_PICKED), "{preview}");
    assert!(preview.contains("[맞춤 안내]"), "{preview}");
    screenshot(&c, 1280, "agent-preview-desktop.png").await;
    // An agent on a phone: the decision traces are wider than the screen,
    // so they scroll inside their box and the page does not scroll sideways.
    c.set_window_size(360, 780).await.unwrap();
    assert!(
        c.find_all(Locator::Css(".table-scroll table.data"))
            .await
            .unwrap()
            .len()
            >= 2,
        "the account's decision traces are shown"
    );
    assert_eq!(
        sideways_scroll(&c).await,
        0,
        "no horizontal scrolling of the agent page at 360 px"
    );
    screenshot(&c, 360, "agent-preview-phone.png").await;
    c.set_window_size(1280, 900).await.unwrap();

    // A customer asked the chatbot something, then asked for it to be deleted:
    // the agent types their Kakao key, ticks the box and deletes it.
    let resp = app
        .client
        .post(app.url("/kakao/skill"))
        .json(
            &serde_json::json!({"userRequest": {"utterance": "무상캐시 환불",
            "user": {"properties": {"plusfriendUserKey": "pfk-browser-test"}}}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    c.set_window_size(1280, 900).await.unwrap();
    c.find(Locator::Css("#kakao-key"))
        .await
        .unwrap()
        .send_keys("pfk-browser-test")
        .await
        .unwrap();
    click(&c, "section.forget button[type=submit]").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !c.current_url()
            .await
            .unwrap()
            .as_str()
            .contains("forgotten"),
        "the browser does not send the form before the box is ticked"
    );
    click(&c, "#forget-confirmed").await;
    click(&c, "section.forget button[type=submit]").await;
    wait_url(&c, "forgotten=").await;
    let notice = text_of(&c, ".notice").await;
    assert!(
        notice.contains("고객의 챗봇 질문 기록 1건을 지웠습니다."),
        "{notice}"
    );
    screenshot(&c, 1280, "agent-forget-desktop.png").await;

    c.close().await.unwrap();
}
