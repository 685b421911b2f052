//! The KakaoTalk skill over a real server on a loopback port: answers, Kakao's limits,
//! personal answers for linked users, the time box, the callback path, and the guards
//! (secret, body size, malformed JSON). `doum chat --once` against the same server.

mod common;

use std::time::Duration;

use axum::Router;
use axum::extract::Path;
use axum::routing::{get, post};
use doum::accounts::{AccountSource, HttpConfig, HttpSource};
use doum::web::WebConfig;
use serde_json::{Value, json};
use tokio::sync::{mpsc, watch};

use common::{CONTENT, TestApp, spawn_app, spawn_with};

const BASE: &str = "https://help.example.com";
/// Linked to A-1001 in data/accounts.yaml.
const LINKED_USER: &str = "pfk-7f3a9c21";
/// The skill secret the test apps are configured with: personal answers need one.
const SECRET: &str = "kakao-skill-secret-for-tests";

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/kakao/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).expect("fixture JSON")
}

/// The current-format fixture saying `utterance` as `user` (no callback URL).
fn says(utterance: &str, user: &str) -> Value {
    let mut v = fixture("current.json");
    v["userRequest"]["utterance"] = json!(utterance);
    v["userRequest"]["user"]["properties"]["plusfriendUserKey"] = json!(user);
    v["userRequest"]["user"]["properties"]
        .as_object_mut()
        .unwrap()
        .remove("appUserId");
    v["userRequest"]
        .as_object_mut()
        .unwrap()
        .remove("callbackUrl");
    v
}

/// The settings of a production-like skill server: the secret is set.
fn config() -> WebConfig {
    WebConfig::new(BASE).with_kakao_secret(Some(SECRET.into()))
}

async fn app() -> TestApp {
    spawn_with(CONTENT, AccountSource::sample(), config()).await
}

async fn post_raw(app: &TestApp, body: Vec<u8>, secret: Option<&str>) -> (u16, String, Value) {
    let mut req = app
        .client
        .post(app.url("/kakao/skill"))
        .header("content-type", "application/json")
        .body(body);
    if let Some(s) = secret {
        req = req.header("X-Doum-Skill-Secret", s);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let ct = common::content_type(&resp);
    let text = resp.text().await.expect("body");
    let value = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, ct, value)
}

/// The title of [`doum::chat::SkillResponse::failure`]'s card.
const FAILURE_TITLE: &str = "잠시 문제가 생겼어요";

/// A 200 is not enough: the failure card is a 200 too.
fn assert_not_failure(v: &Value) {
    let outputs = v["template"]["outputs"].as_array();
    assert!(
        v["useCallback"] == true || outputs.is_some_and(|o| !o.is_empty()),
        "no answer: {v}"
    );
    for o in outputs.into_iter().flatten() {
        assert_ne!(
            o["textCard"]["title"], FAILURE_TITLE,
            "the failure answer: {v}"
        );
    }
}

/// POSTs a skill request; expects 200 JSON and a valid SkillResponse that is not the
/// failure answer.
async fn skill(app: &TestApp, body: &Value) -> Value {
    let (status, ct, v) = post_raw(app, serde_json::to_vec(body).unwrap(), Some(SECRET)).await;
    assert_eq!(status, 200, "{v}");
    assert!(ct.starts_with("application/json"), "{ct}");
    assert_valid_skill_response(&v);
    assert_not_failure(&v);
    v
}

fn chars(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.chars().count())
}

fn check_buttons(buttons: Option<&Value>, max: usize, what: &str) {
    let Some(buttons) = buttons else { return };
    let buttons = buttons.as_array().expect("buttons array");
    assert!(buttons.len() <= max, "{what}: {} buttons", buttons.len());
    let label_max = if buttons.len() == 2 { 8 } else { 14 };
    for b in buttons {
        let label = chars(&b["label"]);
        assert!(
            (1..=label_max).contains(&label),
            "{what}: button label {b} over {label_max}"
        );
        let action = b["action"].as_str().expect("button action");
        match action {
            "webLink" => assert!(
                b["webLinkUrl"]
                    .as_str()
                    .is_some_and(|u| u.starts_with("http"))
            ),
            "message" => assert!(b["messageText"].is_string()),
            "block" => assert!(b["blockId"].is_string()),
            "phone" => assert!(b["phoneNumber"].is_string()),
            "share" | "operator" => {}
            other => panic!("{what}: unknown button action {other}"),
        }
    }
}

/// Every Kakao limit on a SkillResponse: outputs 1–3, simpleText ≤ 1000, textCard title
/// ≤ 50 and title + description ≤ 400, listCard 1–5 items (header ≤ 50, item title ≤ 50,
/// description ≤ 100, ≤ 2 buttons), quickReplies ≤ 10 with labels ≤ 14, buttons ≤ 3 with
/// labels ≤ 14 (≤ 8 when two).
fn assert_valid_skill_response(v: &Value) {
    assert_eq!(v["version"], "2.0", "{v}");
    if v["useCallback"] == json!(true) {
        assert!(chars(&v["data"]["text"]) <= 1000, "{v}");
        return;
    }
    let t = &v["template"];
    let outputs = t["outputs"].as_array().expect("outputs");
    assert!(
        (1..=3).contains(&outputs.len()),
        "outputs: {}",
        outputs.len()
    );
    for o in outputs {
        let kinds: Vec<&String> = o.as_object().unwrap().keys().collect();
        assert_eq!(kinds.len(), 1, "one kind per output: {o}");
        if let Some(s) = o.get("simpleText") {
            assert!((1..=1000).contains(&chars(&s["text"])), "{s}");
        } else if let Some(c) = o.get("textCard") {
            let title = chars(&c["title"]);
            let desc = chars(&c["description"]);
            assert!(title <= 50, "title {title}: {c}");
            assert!(
                title + desc <= 400,
                "title+description {}: {c}",
                title + desc
            );
            assert!(title + desc > 0, "empty card");
            check_buttons(c.get("buttons"), 3, "textCard");
        } else if let Some(l) = o.get("listCard") {
            assert!((1..=50).contains(&chars(&l["header"]["title"])), "{l}");
            let items = l["items"].as_array().expect("items");
            assert!((1..=5).contains(&items.len()), "{} items", items.len());
            for i in items {
                assert!((1..=50).contains(&chars(&i["title"])), "{i}");
                assert!(chars(&i["description"]) <= 100, "{i}");
            }
            check_buttons(l.get("buttons"), 2, "listCard");
        } else {
            panic!("unexpected output kind {o}");
        }
    }
    if let Some(q) = t.get("quickReplies") {
        let q = q.as_array().expect("quickReplies");
        assert!(q.len() <= 10, "{} quick replies", q.len());
        for r in q {
            assert!((1..=14).contains(&chars(&r["label"])), "{r}");
            assert!(
                matches!(r["action"].as_str(), Some("message" | "block")),
                "{r}"
            );
            assert!(chars(&r["messageText"]) <= 200, "{r}");
        }
    }
}

fn output<'a>(v: &'a Value, i: usize, kind: &str) -> &'a Value {
    v["template"]["outputs"][i]
        .get(kind)
        .unwrap_or_else(|| panic!("output {i} is not a {kind}: {v}"))
}

fn quick_labels(v: &Value) -> Vec<String> {
    v["template"]["quickReplies"]
        .as_array()
        .map(|q| {
            q.iter()
                .map(|r| r["label"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A loopback account API that answers only once `open` is true (it may never be): links
/// `LINKED_USER` to A-1001 and serves A-1001 from data/accounts.yaml. Each lookup that
/// arrives sends `"started"` on `events`, and `"dropped"` if it is abandoned unanswered
/// (the client went away).
async fn gated_account_api(
    open: watch::Receiver<bool>,
    events: mpsc::UnboundedSender<&'static str>,
) -> String {
    let yaml: serde_yaml::Value = serde_yaml::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/accounts.yaml"))
            .unwrap(),
    )
    .unwrap();
    let all: Value = serde_json::to_value(&yaml).unwrap();
    let a1001 = all["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["account_id"] == "A-1001")
        .unwrap()
        .clone();
    struct Pending(Option<mpsc::UnboundedSender<&'static str>>);
    impl Drop for Pending {
        fn drop(&mut self) {
            if let Some(tx) = self.0.take() {
                let _ = tx.send("dropped");
            }
        }
    }
    let wait = move |events: mpsc::UnboundedSender<&'static str>| {
        let mut open = open.clone();
        async move {
            let _ = events.send("started");
            let mut pending = Pending(Some(events));
            let _ = open.wait_for(|o| *o).await;
            pending.0 = None;
        }
    };
    let (wait2, events2) = (wait.clone(), events.clone());
    let router = Router::new()
        .route(
            "/kakao-links/{key}",
            get(move |Path(key): Path<String>| {
                let (wait, events) = (wait.clone(), events.clone());
                async move {
                    wait(events).await;
                    if key == LINKED_USER {
                        Ok(axum::Json(json!({"key": key, "account_id": "A-1001"})))
                    } else {
                        Err(axum::http::StatusCode::NOT_FOUND)
                    }
                }
            }),
        )
        .route(
            "/accounts/{id}",
            get(move |Path(id): Path<String>| {
                let (a, wait, events) = (a1001.clone(), wait2.clone(), events2.clone());
                async move {
                    wait(events).await;
                    if id == "A-1001" {
                        Ok(axum::Json(a))
                    } else {
                        Err(axum::http::StatusCode::NOT_FOUND)
                    }
                }
            }),
        );
    common::serve_on_loopback(router).await
}

fn http_accounts(base: &str) -> AccountSource {
    let mut cfg = HttpConfig::new(base);
    // Longer than the skill's time box, so the time box is what cuts the wait.
    cfg.timeout = Duration::from_secs(10);
    AccountSource::Http(HttpSource::new(cfg).unwrap())
}

// ---------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn clear_question_gets_text_card_with_link_and_related_quick_replies() {
    let app = app().await;
    let v = skill(&app, &says("비밀번호를 잊어버렸어요", "someone")).await;
    let card = output(&v, 0, "textCard");
    assert!(card["title"].as_str().unwrap().contains("비밀번호"), "{v}");
    let button = &card["buttons"][0];
    assert_eq!(button["action"], "webLink");
    assert_eq!(
        button["webLinkUrl"],
        "https://help.example.com/articles/forgot-kakao-password"
    );
    let quick = v["template"]["quickReplies"].as_array().expect("related");
    assert_eq!(quick.len(), 4, "two related entries, then the vote: {v}");
    let (related, votes) = quick.split_at(2);
    for q in related {
        assert_eq!(q["extra"]["doum"], "entry", "{q}");
    }
    let ids: Vec<&str> = related
        .iter()
        .map(|q| q["extra"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["login-method", "two-step-verification"]);
    let votes: Vec<(&str, &Value)> = votes
        .iter()
        .map(|q| (q["label"].as_str().unwrap(), &q["extra"]))
        .collect();
    assert_eq!(
        votes,
        [
            (
                "도움이 됐어요",
                &serde_json::json!({"doum": "vote", "id": "forgot-kakao-password", "helpful": true,
                                    "q": "비밀번호를 잊어버렸어요"})
            ),
            (
                "아쉬워요",
                &serde_json::json!({"doum": "vote", "id": "forgot-kakao-password", "helpful": false,
                                    "q": "비밀번호를 잊어버렸어요"})
            ),
        ]
    );
}

#[tokio::test]
async fn tapping_a_related_quick_reply_opens_that_entry() {
    let app = app().await;
    let first = skill(&app, &says("비밀번호를 잊어버렸어요", "someone")).await;
    let tap = &first["template"]["quickReplies"][0];
    let mut req = says(tap["messageText"].as_str().unwrap(), "someone");
    req["action"]["clientExtra"] = tap["extra"].clone();
    let v = skill(&app, &req).await;
    let card = output(&v, 0, "textCard");
    assert_eq!(
        card["buttons"][0]["webLinkUrl"],
        "https://help.example.com/articles/login-method"
    );
}

/// A question that is, word for word, a keyword phrase its writer gave one
/// entry ("계정 삭제" on the account-closing entry) gets that entry as the
/// answer, however it is spaced or ordered; the words alone ranked it third,
/// under the member-removal entry.
#[tokio::test]
async fn a_keyword_phrase_is_answered_with_its_entry() {
    let app = app().await;
    for q in ["계정 삭제", "계정삭제", "삭제 계정"] {
        let v = skill(&app, &says(q, "someone")).await;
        let card = output(&v, 0, "textCard");
        assert_eq!(
            card["buttons"][0]["webLinkUrl"], "https://help.example.com/articles/close-ad-account",
            "{q}: {v}"
        );
    }
}

/// A table in an answer reads in the card, where there is no page to lay it
/// out: each row with its column headers, not the cells run together.
#[tokio::test]
async fn an_answers_table_reads_row_by_row_in_the_card() {
    let app = app().await;
    let mut req = says("사업자 광고주와 개인 광고주는 무엇이 다른가요?", "someone");
    req["action"]["clientExtra"] =
        serde_json::json!({"doum": "entry", "id": "advertiser-type-business-individual"});
    let v = skill(&app, &req).await;
    let card = output(&v, 0, "textCard");
    let text = card["description"].as_str().unwrap();
    assert!(
        text.contains("마스터 변경 — 사업자 광고주: 가능 / 개인 광고주: 불가"),
        "{text}"
    );
    assert!(!text.contains("구분 사업자 광고주 개인 광고주"), "{text}");
}

#[tokio::test]
async fn vague_question_gets_list_card_and_more_pages() {
    let app = app().await;
    let v = skill(&app, &says("광고", "someone")).await;
    let list = output(&v, 0, "listCard");
    let items = list["items"].as_array().unwrap();
    assert!((2..=5).contains(&items.len()), "{v}");
    for i in items {
        assert_eq!(i["extra"]["doum"], "entry", "{i}");
    }
    // "더 보기" brings page 2 through clientExtra.
    let more = v["template"]["quickReplies"]
        .as_array()
        .and_then(|q| q.iter().find(|r| r["label"] == "더 보기"))
        .expect("더 보기")
        .clone();
    let mut req = says("더 보기", "someone");
    req["action"]["clientExtra"] = more["extra"].clone();
    let page2 = skill(&app, &req).await;
    let items2 = output(&page2, 0, "listCard")["items"].as_array().unwrap();
    assert_ne!(items2[0]["title"], items[0]["title"]);
}

/// The context a response sets, as Kakao sends it back with the next request.
fn contexts_from(response: &Value) -> Value {
    let values = response["context"]["values"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    Value::Array(
        values
            .iter()
            .map(|c| {
                let params: serde_json::Map<String, Value> = c["params"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), json!({"value": v, "resolvedValue": v})))
                    .collect();
                json!({"name": c["name"], "lifeSpan": c["lifeSpan"], "params": params})
            })
            .collect(),
    )
}

#[tokio::test]
async fn a_number_typed_after_a_list_opens_that_item() {
    let app = app().await;
    let v = skill(&app, &says("광고", "someone")).await;
    let items = output(&v, 0, "listCard")["items"]
        .as_array()
        .unwrap()
        .clone();
    let mut req = says("2번", "someone");
    req["contexts"] = contexts_from(&v);
    let picked = skill(&app, &req).await;
    assert_eq!(
        output(&picked, 0, "textCard")["title"],
        items[1]["title"],
        "{picked}"
    );
    // A number past the page: the same list again, still remembered, not
    // a search for "7번".
    let mut req = says("7번", "someone");
    req["contexts"] = contexts_from(&v);
    let again = skill(&app, &req).await;
    assert_eq!(
        output(&again, 0, "listCard")["items"],
        Value::Array(items.clone())
    );
    assert_eq!(contexts_from(&again), contexts_from(&v), "{again}");
    // Without a list open, "2번", "2" or "더 보기" has nothing to pick from
    // or continue: said so, with the categories, instead of searching the
    // text (which listed unrelated entries).
    for typed in ["2번", "2", "두 번째", "더 보기"] {
        let plain = skill(&app, &says(typed, "someone")).await;
        assert_valid_skill_response(&plain);
        let card = output(&plain, 0, "textCard");
        assert_eq!(
            card["title"], "이어서 보여 드릴 목록이 없어요",
            "{typed}: {plain}"
        );
        assert!(quick_labels(&plain).len() >= 3, "{typed}: {plain}");
    }
}

#[tokio::test]
async fn gibberish_gets_operator_button_and_category_quick_replies() {
    let app = app().await;
    for q in ["qwpzxv ㅋㅋ", "사랑해", "오늘 날씨 어때요"] {
        let v = skill(&app, &says(q, "someone")).await;
        let card = output(&v, 0, "textCard");
        assert!(
            card["buttons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|b| b["action"] == "operator"),
            "{q}: {v}"
        );
        let mut labels = quick_labels(&v);
        labels.sort();
        assert_eq!(
            labels,
            [
                "가입 및 기본사항",
                "결제 관리",
                "계정 및 멤버",
                "광고 만들기/보고서"
            ],
            "{q}: the main categories as quick replies: {v}"
        );
    }
}

#[tokio::test]
async fn category_quick_reply_lists_its_entries() {
    let app = app().await;
    let v = skill(&app, &says("qwpzxv", "someone")).await;
    let cat = v["template"]["quickReplies"][0].clone();
    let mut req = says(cat["messageText"].as_str().unwrap(), "someone");
    req["action"]["clientExtra"] = cat["extra"].clone();
    let list = skill(&app, &req).await;
    let card = output(&list, 0, "listCard");
    assert!(
        card["header"]["title"]
            .as_str()
            .unwrap()
            .starts_with(cat["label"].as_str().unwrap().trim_end_matches('…')),
        "{list}"
    );
    // Typing a main category works too. Its entries come as its page lists
    // them, newest first (they came in file order, which is by id).
    let typed = skill(&app, &says("결제 관리", "someone")).await;
    let card = output(&typed, 0, "listCard");
    assert_eq!(card["header"]["title"], "결제 관리 도움말", "{typed}");
    let content = doum::content::Content::load(std::path::Path::new(CONTENT)).unwrap();
    let catalog = content.catalog();
    let newest: Vec<&str> = catalog
        .newest_in(&content, catalog.get("결제 관리").unwrap())
        .take(5)
        .map(|e| e.title.as_ref())
        .collect();
    let titles: Vec<&str> = card["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, newest, "{typed}");
    let mut by_id: Vec<&doum::content::Entry> = content
        .entries()
        .iter()
        .filter(|e| e.category.levels()[0] == "결제 관리")
        .collect();
    by_id.sort_by(|a, b| a.id.cmp(&b.id));
    assert_ne!(titles[0], by_id[0].title.as_ref(), "not by id");
    // A subcategory's list is headed by its own name, not its path.
    let mut req = says("보고서", "someone");
    req["action"]["clientExtra"] = json!({"doum": "category", "path": "광고 만들기/보고서/보고서"});
    let sub = skill(&app, &req).await;
    assert_eq!(
        output(&sub, 0, "listCard")["header"]["title"],
        "보고서 도움말",
        "{sub}"
    );
}

/// A greeting, thanks or goodbye is answered in kind, with the main categories; a
/// greeting that goes on to ask something is searched.
#[tokio::test]
async fn greetings_and_thanks_are_answered_in_kind() {
    let app = app().await;
    for (said, title) in [
        ("안녕하세요~", "안녕하세요! 무엇을 도와드릴까요?"),
        ("네 감사합니다 ^^", "도움이 되었다니 다행이에요"),
        ("수고하세요!", "이용해 주셔서 감사합니다"),
        ("너 이름이 뭐야?", "저는 도움말 챗봇이에요"),
        ("ㅎㅇ", "안녕하세요! 무엇을 도와드릴까요?"),
        ("ㄳㄳ", "도움이 되었다니 다행이에요"),
        // Nothing said but an emoji or a sigh: welcomed, not "not found".
        ("🙂", "무엇을 도와드릴까요?"),
        ("ㅠㅠ", "무엇을 도와드릴까요?"),
    ] {
        let v = skill(&app, &says(said, "someone")).await;
        assert_valid_skill_response(&v);
        let outputs = v["template"]["outputs"].as_array().unwrap();
        assert_eq!(outputs.len(), 1, "{said}: {v}");
        assert_eq!(output(&v, 0, "textCard")["title"], title, "{said}: {v}");
        assert_eq!(
            quick_labels(&v).len(),
            4,
            "{said}: the main categories: {v}"
        );
    }
    // The same hello typed with the keyboard in English mode.
    let v = skill(&app, &says("dkssudgktpdy", "someone")).await;
    assert_eq!(
        output(&v, 0, "textCard")["title"],
        "안녕하세요! 무엇을 도와드릴까요?",
        "{v}"
    );
    let greeting = skill(&app, &says("안녕하세요", "someone")).await;
    assert!(
        greeting.to_string().contains("\"operator\""),
        "a hello offers 상담원 too: {greeting}"
    );
    let asked = skill(
        &app,
        &says("안녕하세요 무상캐시 환불 문의드려요", "someone"),
    )
    .await;
    let text = asked.to_string();
    assert!(!text.contains("무엇을 도와드릴까요"), "{asked}");
    assert!(
        text.contains("무상캐시"),
        "the question is searched: {asked}"
    );
}

/// "상담원 연결해 주세요" gets the 상담원 button, "처음으로" the menu: not a
/// list of entries that share the words 상담 or 연결. A question about them
/// is still searched.
#[tokio::test]
async fn asking_for_a_person_or_the_menu_is_answered_as_such() {
    let app = app().await;
    for said in [
        "상담원 연결",
        "상담원 연결해 주세요",
        "사람이랑 얘기할래요",
        "1:1 상담 요청",
    ] {
        let v = skill(&app, &says(said, "someone")).await;
        assert_valid_skill_response(&v);
        let card = output(&v, 0, "textCard");
        assert_eq!(card["title"], "상담원에게 연결해 드릴게요", "{said}: {v}");
        assert!(
            card["buttons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|b| b["action"] == "operator"),
            "{said}: {v}"
        );
        assert_eq!(
            quick_labels(&v).len(),
            4,
            "{said}: the main categories: {v}"
        );
    }
    for said in ["처음으로", "메뉴", "홈"] {
        let v = skill(&app, &says(said, "someone")).await;
        assert_eq!(
            output(&v, 0, "textCard")["title"],
            "무엇을 도와드릴까요?",
            "{said}: {v}"
        );
        assert_eq!(quick_labels(&v).len(), 4, "{said}: {v}");
    }
    let asked = skill(&app, &says("상담원 연결 시간이 궁금해요", "someone")).await;
    assert!(
        !asked.to_string().contains("상담원에게 연결해 드릴게요"),
        "a question about it is searched: {asked}"
    );
}

/// Where the product itself has a feature called 상담원 연결 (the second
/// shared dev set: a KakaoTalk channel admin center), the help center's
/// entry answers "상담원 연결"; the request card is only for when the search
/// is not sure of one entry.
#[tokio::test]
async fn the_help_centers_own_answer_comes_before_the_request() {
    let corpus =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/eval/dev-b/corpus");
    assert!(
        corpus.is_dir(),
        "{} is missing: check out the shared eval material beside doum",
        corpus.display()
    );
    let app = spawn_app(&corpus).await;
    let v = skill(&app, &says("상담원 연결", "someone")).await;
    let card = output(&v, 0, "textCard");
    assert_eq!(
        card["title"], "스마트채팅에서 상담원과 바로 연결되게 할 수 있나요?",
        "{v}"
    );
    let v = skill(&app, &says("사람이랑 얘기할래요", "someone")).await;
    assert_eq!(
        output(&v, 0, "textCard")["title"],
        "상담원에게 연결해 드릴게요",
        "{v}"
    );
}

#[tokio::test]
async fn a_question_typed_in_english_mode_is_answered_as_meant() {
    let app = app().await;
    // "환불계좌 등록" with the 한/영 key not pressed.
    let mut typed = skill(&app, &says("ghksqnfrPwhk emdfhr", "someone")).await;
    let mut meant = skill(&app, &says("환불계좌 등록", "someone")).await;
    assert_valid_skill_response(&typed);
    // The same answer; only the votes under it keep each question as asked
    // (as the chatbot's question log does).
    for (v, asked) in [
        (&mut typed, "ghksqnfrPwhk emdfhr"),
        (&mut meant, "환불계좌 등록"),
    ] {
        let quick = v["template"]["quickReplies"].as_array_mut().unwrap();
        let votes: Vec<&mut Value> = quick
            .iter_mut()
            .filter(|q| q["extra"]["doum"] == "vote")
            .collect();
        assert_eq!(votes.len(), 2, "{v}");
        for q in votes {
            assert_eq!(q["extra"]["q"], asked);
            q["extra"].as_object_mut().unwrap().remove("q");
        }
    }
    assert_eq!(typed["template"], meant["template"], "{typed}");
    assert!(typed.to_string().contains("환불계좌"), "{typed}");
}

#[tokio::test]
async fn a_misspelled_question_nothing_answers_is_offered_corrected() {
    let app = app().await;
    // Two typos in one word: too far for the search, close enough to correct.
    let v = skill(&app, &says("훤뷸", "someone")).await;
    assert_valid_skill_response(&v);
    let card = output(&v, 0, "textCard");
    assert_eq!(card["title"], "딱 맞는 답을 찾지 못했어요", "{v}");
    assert!(
        card["description"]
            .as_str()
            .unwrap()
            .starts_with("혹시 ‘환불’ 말씀이신가요?"),
        "{v}"
    );
    let first = &v["template"]["quickReplies"][0];
    assert_eq!(first["label"], "환불", "{v}");
    assert_eq!(first["messageText"], "환불", "{v}");
    assert_eq!(
        quick_labels(&v).len(),
        5,
        "the correction, then the categories: {v}"
    );
    // Tapping it asks the corrected question, which is answered.
    let tapped = skill(&app, &says("환불", "someone")).await;
    assert!(
        !tapped.to_string().contains("딱 맞는 답을 찾지 못했어요"),
        "{tapped}"
    );
    assert!(
        tapped.to_string().contains("refund-request-how"),
        "{tapped}"
    );
    // Out of the help center's scope: a close spelling is no answer, and
    // none is offered ("점심 메뉴 추천" would read as 충전).
    for q in ["점심 메뉴 추천해 주세요", "강아지가 밥을 안 먹어요"] {
        let v = skill(&app, &says(q, "someone")).await;
        let text = v.to_string();
        assert!(!text.contains("말씀이신가요"), "{q}: {v}");
        assert_eq!(quick_labels(&v).len(), 4, "{q}: {v}");
    }
}

#[tokio::test]
async fn empty_utterance_gets_welcome() {
    let app = app().await;
    let v = skill(&app, &says("   ", "someone")).await;
    output(&v, 0, "textCard");
    assert!(!quick_labels(&v).is_empty());
}

// ---------------------------------------------------------------------------------------
// Personal answers
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn linked_user_gets_personal_answer_with_general_entry_button() {
    let app = app().await;
    let v = skill(&app, &says("환불 받고 싶어요", LINKED_USER)).await;
    let outputs = v["template"]["outputs"].as_array().unwrap();
    assert_eq!(outputs.len(), 1, "{v}");
    let card = output(&v, 0, "textCard");
    let desc = card["description"].as_str().unwrap();
    assert!(desc.starts_with("내 계정 기준"), "{v}");
    // A-1001's first payment was made by a withdrawn member by card.
    assert!(desc.contains("P-1"), "{v}");
    let b = &card["buttons"][0];
    assert_eq!(b["label"], "일반 안내 보기");
    assert_eq!(
        b["webLinkUrl"],
        "https://help.example.com/articles/refund-request-how"
    );
}

#[tokio::test]
async fn app_user_id_links_too() {
    let app = app().await;
    let mut req = says("환불 받고 싶어요", "not-linked");
    req["userRequest"]["user"]["properties"]["appUserId"] = json!("812345678");
    let v = skill(&app, &req).await;
    let desc = output(&v, 0, "textCard")["description"].as_str().unwrap();
    assert!(desc.starts_with("내 계정 기준"), "{v}");
}

#[tokio::test]
async fn without_the_secret_answers_are_general_only() {
    // Anyone can POST to a skill without a secret: it must not reveal account facts.
    let app = spawn_with(CONTENT, AccountSource::sample(), WebConfig::new(BASE)).await;
    let mut by_app_id = says("환불 받고 싶어요", "not-linked");
    by_app_id["userRequest"]["user"]["properties"]["appUserId"] = json!("812345678");
    for req in [says("환불 받고 싶어요", LINKED_USER), by_app_id] {
        let (status, _, v) = post_raw(&app, serde_json::to_vec(&req).unwrap(), None).await;
        assert_eq!(status, 200);
        assert_valid_skill_response(&v);
        let text = v.to_string();
        assert!(!text.contains("내 계정"), "{v}");
        assert!(!text.contains("P-1"), "{v}");
        let general = output(&v, 0, "textCard");
        assert_eq!(
            general["buttons"][0]["webLinkUrl"],
            "https://help.example.com/articles/refund-request-how"
        );
        assert_eq!(v["template"]["outputs"].as_array().unwrap().len(), 1, "{v}");
    }
    // The same request with the secret configured and sent is answered personally.
    let v = skill(
        &app_with_secret().await,
        &says("환불 받고 싶어요", LINKED_USER),
    )
    .await;
    assert!(
        output(&v, 0, "textCard")["description"]
            .as_str()
            .unwrap()
            .starts_with("내 계정 기준")
    );
}

async fn app_with_secret() -> TestApp {
    app().await
}

#[tokio::test]
async fn personal_answers_use_the_apps_clock() {
    // A-1001's campaign C-1 starts 2026-12-15; its creative must be approved by D-2
    // (Sunday 12-13, so Friday 12-11).
    let question = "브랜드이모티콘 소재는 언제까지 전달해야 하나요?";
    for (today, expect) in [
        ("2026-12-01", "10일 남았습니다"),
        ("2026-12-11", "오늘(2026년 12월 11일"),
    ] {
        let mut config = config();
        config.clock = doum::rules::Clock::Fixed(today.parse().unwrap());
        let app = spawn_with(CONTENT, AccountSource::sample(), config).await;
        let v = skill(&app, &says(question, LINKED_USER)).await;
        let desc = output(&v, 0, "textCard")["description"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(desc.contains(expect), "{today}: {desc}");
    }
}

#[tokio::test]
async fn unlinked_user_gets_general_answer_and_how_to_link() {
    let app = app().await;
    let v = skill(&app, &says("환불 받고 싶어요", "pfk-nobody")).await;
    let general = output(&v, 0, "textCard");
    assert_eq!(
        general["buttons"][0]["webLinkUrl"],
        "https://help.example.com/articles/refund-request-how"
    );
    assert!(
        !general["description"]
            .as_str()
            .unwrap()
            .starts_with("내 계정")
    );
    let link = output(&v, 1, "textCard");
    assert!(
        link["description"].as_str().unwrap().contains("연결"),
        "{v}"
    );
}

#[tokio::test]
async fn the_how_to_link_card_links_to_the_configured_page() {
    let config = config()
        .with_kakao_link_url(Some("https://biz.example.com/link-kakao".into()))
        .unwrap();
    let app = spawn_with(CONTENT, AccountSource::sample(), config).await;
    let v = skill(&app, &says("환불 받고 싶어요", "pfk-nobody")).await;
    let link = output(&v, 1, "textCard");
    assert_eq!(link["buttons"][0]["action"], "webLink", "{v}");
    assert_eq!(
        link["buttons"][0]["webLinkUrl"], "https://biz.example.com/link-kakao",
        "{v}"
    );
    // Without the setting the card explains but has no button.
    let v = skill(
        &app_without_link().await,
        &says("환불 받고 싶어요", "pfk-nobody"),
    )
    .await;
    assert!(
        output(&v, 1, "textCard")["buttons"]
            .as_array()
            .is_none_or(|b| b.is_empty()),
        "{v}"
    );
}

async fn app_without_link() -> TestApp {
    spawn_with(CONTENT, AccountSource::sample(), config()).await
}

#[tokio::test]
async fn slow_account_api_gives_general_answer_within_the_time_box() {
    // The account API never answers: only the time box can produce this answer.
    let (_open, gate) = watch::channel(false);
    let (events, _seen) = mpsc::unbounded_channel();
    let base = gated_account_api(gate, events).await;
    let app = spawn_with(CONTENT, http_accounts(&base), config()).await;
    let v = skill(&app, &says("환불 받고 싶어요", LINKED_USER)).await;
    let general = output(&v, 0, "textCard");
    assert_eq!(
        general["buttons"][0]["webLinkUrl"],
        "https://help.example.com/articles/refund-request-how"
    );
    assert!(
        !general["description"]
            .as_str()
            .unwrap()
            .starts_with("내 계정")
    );
    let note = output(&v, 1, "simpleText")["text"].as_str().unwrap();
    assert!(note.contains("계정 정보를 확인할 수 없어"), "{v}");
}

/// A loopback callback endpoint: every body POSTed to `/cb/{token}` goes to the receiver.
async fn callback_endpoint() -> (String, mpsc::Receiver<Value>) {
    let (tx, rx) = mpsc::channel::<Value>(4);
    let cb = Router::new().route(
        "/cb/{token}",
        post(move |axum::Json(v): axum::Json<Value>| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(v).await;
                axum::Json(json!({"taskId": "t", "status": "SUCCESS"}))
            }
        }),
    );
    (common::serve_on_loopback(cb).await, rx)
}

#[tokio::test]
async fn slow_account_with_callback_url_answers_later_through_the_callback() {
    let (open, gate) = watch::channel(false);
    let (events, _seen) = mpsc::unbounded_channel();
    let base = gated_account_api(gate, events).await;
    let (cb_base, mut rx) = callback_endpoint().await;
    let mut config = config();
    config.callback_allow = vec![cb_base.clone()];
    let app = spawn_with(CONTENT, http_accounts(&base), config).await;
    let mut req = says("환불 받고 싶어요", LINKED_USER);
    req["userRequest"]["callbackUrl"] = json!(format!("{cb_base}/cb/once"));
    // The account API is held until the skill has answered: the acknowledgement first.
    let v = skill(&app, &req).await;
    assert_eq!(v["useCallback"], true, "{v}");
    assert!(v["data"]["text"].is_string());
    assert!(
        rx.try_recv().is_err(),
        "nothing was posted before the account answered"
    );
    // Then the account answers, and the personal answer comes through the callback.
    open.send(true).unwrap();
    let posted = tokio::time::timeout(Duration::from_secs(60), rx.recv())
        .await
        .expect("the callback came (hang guard)")
        .expect("a body");
    assert_valid_skill_response(&posted);
    let desc = output(&posted, 0, "textCard")["description"]
        .as_str()
        .unwrap();
    assert!(desc.starts_with("내 계정 기준"), "{posted}");
}

#[tokio::test]
async fn a_skill_call_past_its_deadline_is_stopped_and_never_calls_back() {
    let (open, gate) = watch::channel(false);
    let (events, mut seen) = mpsc::unbounded_channel();
    let base = gated_account_api(gate, events).await;
    let (cb_base, mut rx) = callback_endpoint().await;
    let mut config = config();
    config.callback_allow = vec![cb_base.clone()];
    // The deadline passes while the account work is still inside its time box.
    config.skill_deadline = Duration::from_millis(300);
    let app = spawn_with(CONTENT, http_accounts(&base), config).await;
    let mut req = says("환불 받고 싶어요", LINKED_USER);
    req["userRequest"]["callbackUrl"] = json!(format!("{cb_base}/cb/once"));
    let (status, _, v) = post_raw(&app, serde_json::to_vec(&req).unwrap(), Some(SECRET)).await;
    assert_eq!(status, 200);
    assert!(v.get("useCallback").is_none(), "{v}");
    let card = output(&v, 0, "textCard");
    assert_eq!(card["title"], FAILURE_TITLE, "the failure answer: {v}");
    // The stopped work dropped its account lookup (the API saw the client go)...
    let guard = Duration::from_secs(30);
    assert_eq!(
        tokio::time::timeout(guard, seen.recv()).await.unwrap(),
        Some("started")
    );
    assert_eq!(
        tokio::time::timeout(guard, seen.recv())
            .await
            .expect("the lookup was abandoned"),
        Some("dropped")
    );
    // ...so opening the API now starts nothing, and no second answer is ever posted.
    open.send(true).unwrap();
    let again = skill(&app, &says("비밀번호를 잊어버렸어요", "pfk-nobody")).await;
    output(&again, 0, "textCard");
    assert!(rx.try_recv().is_err(), "a stopped call posted a callback");
    assert!(
        seen.try_recv().is_err(),
        "a stopped call went on looking accounts up"
    );
}

#[tokio::test]
async fn callback_to_a_host_not_allowed_is_never_used() {
    let (_open, gate) = watch::channel(false);
    let (events, _seen) = mpsc::unbounded_channel();
    let base = gated_account_api(gate, events).await;
    // Default allow-list: only Kakao's hosts over https.
    let app = spawn_with(CONTENT, http_accounts(&base), config()).await;
    let mut req = says("환불 받고 싶어요", LINKED_USER);
    req["userRequest"]["callbackUrl"] = json!("http://127.0.0.1:9/cb");
    let v = skill(&app, &req).await;
    assert!(v.get("useCallback").is_none(), "{v}");
    output(&v, 0, "textCard");
}

// ---------------------------------------------------------------------------------------
// Guards
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn secret_header_is_required_when_configured() {
    let config = WebConfig::new(BASE).with_kakao_secret(Some("s3cret-value".into()));
    let app = spawn_with(CONTENT, AccountSource::sample(), config).await;
    let body = serde_json::to_vec(&says("환불", "someone")).unwrap();
    let (status, ct, v) = post_raw(&app, body.clone(), None).await;
    assert_eq!(status, 401);
    assert!(ct.starts_with("application/json"));
    assert_eq!(v["error"]["code"], "unauthorized");
    let (status, _, _) = post_raw(&app, body.clone(), Some("wrong")).await;
    assert_eq!(status, 401);
    let (status, _, _) = post_raw(&app, body.clone(), Some("s3cret-valuE")).await;
    assert_eq!(status, 401);
    let (status, _, v) = post_raw(&app, body, Some("s3cret-value")).await;
    assert_eq!(status, 200);
    assert_valid_skill_response(&v);
    assert_not_failure(&v);
}

#[tokio::test]
async fn body_over_64_kib_is_413() {
    let app = app().await;
    let mut req = says("환불", "someone");
    req["userRequest"]["params"]["padding"] = json!("가".repeat(30 * 1024));
    let body = serde_json::to_vec(&req).unwrap();
    assert!(body.len() > 64 * 1024);
    let (status, _, v) = post_raw(&app, body, Some(SECRET)).await;
    assert_eq!(status, 413);
    assert_eq!(v["error"]["code"], "body_too_large");
    // Just under the limit is fine.
    let mut req = says("환불", "someone");
    req["userRequest"]["params"]["padding"] = json!("a".repeat(60 * 1024));
    let v = skill(&app, &req).await;
    assert!(
        v.to_string().contains("환불"),
        "an answer about refunds: {v}"
    );
}

#[tokio::test]
async fn malformed_json_is_400_json() {
    let app = app().await;
    for bad in [
        &b"{\"userRequest\": "[..],
        b"not json",
        b"[1,2,3]",
        b"\"text\"",
        b"",
    ] {
        let (status, ct, v) = post_raw(&app, bad.to_vec(), Some(SECRET)).await;
        assert_eq!(status, 400, "{}", String::from_utf8_lossy(bad));
        assert!(ct.starts_with("application/json"));
        assert_eq!(v["error"]["code"], "invalid_json");
        assert!(
            v["error"]["message"].as_str().unwrap().contains("JSON"),
            "{v}"
        );
    }
}

#[tokio::test]
async fn legacy_and_odd_payloads_are_answered() {
    let app = app().await;
    for name in [
        "legacy_account_id.json",
        "legacy_kr.json",
        "context_more.json",
        "quick_reply_more.json",
        "current.json",
        "minimal.json",
        "button_entry_tap.json",
    ] {
        skill(&app, &fixture(name)).await;
    }
    // An empty object is still a request.
    skill(&app, &json!({})).await;
}

#[tokio::test]
async fn query_syntax_utterances_are_plain_text() {
    let app = app().await;
    for q in [
        "title:환불 AND \"x",
        "*",
        "(((",
        "환불 OR 1=1 --",
        "body:* ~2 ^3",
        "<script>alert(1)</script>",
        "\u{0}\u{7}환불\u{1b}[31m",
        &"환불 ".repeat(1000),
    ] {
        skill(&app, &says(q, "someone")).await;
    }
}

// ---------------------------------------------------------------------------------------
// doum chat
// ---------------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doum_chat_once_prints_the_card() {
    // No secret: `doum chat` sends none.
    let app = spawn_with(CONTENT, AccountSource::sample(), WebConfig::new(BASE)).await;
    let url = format!("http://{}", app.addr);
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_doum"))
            .args(["chat", "--url", &url, "--user", LINKED_USER, "--once"])
            .arg("비밀번호를 잊어버렸어요")
            .env_remove("DOUM_KAKAO_SECRET")
            .output()
            .expect("running doum chat")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("■ "), "{stdout}");
    assert!(stdout.contains("비밀번호"), "{stdout}");
    assert!(
        stdout.contains("https://help.example.com/articles/forgot-kakao-password"),
        "{stdout}"
    );
    assert!(stdout.contains("1) "), "numbered quick replies: {stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doum_chat_sends_the_secret() {
    let config = WebConfig::new(BASE).with_kakao_secret(Some("chat-secret".into()));
    let app = spawn_with(CONTENT, AccountSource::sample(), config).await;
    let url = format!("http://{}", app.addr);
    let out = tokio::task::spawn_blocking(move || {
        let run = |secret: Option<&str>| {
            let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_doum"));
            c.args(["chat", "--url", &url, "--once", "환불"]);
            c.env_remove("DOUM_KAKAO_SECRET");
            if let Some(s) = secret {
                c.env("DOUM_KAKAO_SECRET", s);
            }
            c.output().expect("running doum chat")
        };
        (run(None), run(Some("chat-secret")))
    })
    .await
    .unwrap();
    assert!(!out.0.status.success());
    assert!(String::from_utf8_lossy(&out.0.stderr).contains("401"));
    assert!(
        out.1.status.success(),
        "{}",
        String::from_utf8_lossy(&out.1.stderr)
    );
}

#[test]
fn doum_serve_without_a_secret_says_so_and_warns_off_loopback() {
    use std::io::{BufRead, BufReader};
    let index = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_doum"))
        .args(["serve", "--addr", "0.0.0.0:0", "--content", CONTENT])
        .arg("--index")
        .arg(index.path())
        .arg("--data")
        .arg(index.path().join("data"))
        .env_remove("DOUM_DATABASE_URL")
        .env("DOUM_DICT_DIR", common::dict_dir())
        .env("DOUM_MODEL_DIR", common::model_dir())
        .env("RUST_LOG", "doum=info")
        .env_remove("DOUM_KAKAO_SECRET")
        .env_remove("DOUM_AGENT_TOKEN")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starting doum serve");
    let mut log = String::new();
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        log.push_str(&line);
        log.push('\n');
        if line.contains("WARNING: serving on") || line.contains("error") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        log.contains("DOUM_KAKAO_SECRET is not set: the Kakao skill gives general answers only"),
        "{log}"
    );
    assert!(log.contains("WARNING: serving on 0.0.0.0:"), "{log}");
    assert!(log.contains("personal answers are OFF"), "{log}");
}

/// The entry the search page's answer box shows for `q` (page 1, every
/// category, by relevance), if it shows one.
async fn page_answer(app: &TestApp, q: &str) -> Option<String> {
    page_answer_at(app, &format!("/search?q={}", common::enc(q))).await
}

async fn page_answer_at(app: &TestApp, path: &str) -> Option<String> {
    let (status, html) = app.html(path).await;
    assert_eq!(status, 200, "{path}");
    let rest = html
        .split("id=\"answer-title\"><a href=\"/articles/")
        .nth(1)?;
    Some(rest.split(['?', '"']).next().unwrap().to_owned())
}

#[tokio::test]
async fn the_search_page_answers_with_the_chatbots_one_answer() {
    // The questions written for the shipped content (every third, all
    // kinds): the page shows an answer box exactly when the chatbot answers
    // with one entry, and the same entry.
    let app = app().await;
    let (mut direct, mut other) = (0, 0);
    for q in common::content_questions().iter().step_by(3) {
        let q = q.as_str();
        let v = skill(&app, &says(q, "someone")).await;
        let first = &v["template"]["outputs"][0];
        let chat = first["textCard"]["buttons"][0]["webLinkUrl"]
            .as_str()
            .and_then(|url| url.strip_prefix(&format!("{BASE}/articles/")))
            .map(str::to_owned);
        match &chat {
            Some(_) => direct += 1,
            None => other += 1,
        }
        assert_eq!(page_answer(&app, q).await, chat, "{q}: {v}");
        // The API says the same (`answer` first, absent without one).
        let (_, api) = app.json(&format!("/api/search?q={}", common::enc(q))).await;
        assert_eq!(api["answer"]["id"].as_str(), chat.as_deref(), "{q}: {api}");
        assert!(
            api["hits"].as_array().is_some_and(|h| !h.is_empty()),
            "{api}"
        );
    }
    assert!(direct >= 10 && other >= 5, "{direct} direct, {other} other");

    // Only a question asked anew: not a later page, another order or a
    // category filter.
    let q = "환불계좌 어디서 등록해요";
    assert_eq!(
        page_answer(&app, q).await.as_deref(),
        Some("refund-account-register")
    );
    let e = common::enc(q);
    for refined in [
        format!("?q={e}&sort=updated"),
        format!("?q={e}&category={}", common::enc("결제 관리")),
    ] {
        assert_eq!(
            page_answer_at(&app, &format!("/search{refined}")).await,
            None,
            "{refined}"
        );
        let (_, api) = app.json(&format!("/api/search{refined}")).await;
        assert!(api.get("answer").is_none(), "{api}");
        assert!(api["total"].as_u64().unwrap() > 0, "{api}");
    }
    let (_, api) = app.json(&format!("/api/search?q={e}")).await;
    assert_eq!(
        api["answer"]["url"], "/articles/refund-account-register",
        "{api}"
    );
    assert!(api["answer"]["lead"].as_str().unwrap().contains("환불계좌"));
    // A vague query gets a list from the chatbot and no box on the page.
    assert_eq!(page_answer(&app, "광고").await, None);
}
