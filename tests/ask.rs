//! `doum ask`, the real binary over the shipped content and sample accounts.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use common::{CONTENT, dict_dir};

const QUESTION: &str = "환불 받고 싶어요";

/// An index of the shipped content, built once (by `doum index`) for every test here.
fn index_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let out = doum_in(&dir, &["index"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir
    })
}

fn doum_in(index: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_doum"))
        .arg("--content")
        .arg(CONTENT)
        .arg("--index")
        .arg(index)
        .args(args)
        .env("DOUM_DICT_DIR", dict_dir())
        .env("DOUM_MODEL_DIR", common::model_dir())
        .env_remove("DOUM_ACCOUNTS")
        .env_remove("DOUM_ACCOUNTS_URL")
        .env("RUST_LOG", "warn")
        .output()
        .expect("running doum")
}

/// Runs `doum ask … --today 2026-12-01`; expects success; returns stdout.
fn ask(args: &[&str]) -> String {
    let mut all = vec!["ask", "--today", "2026-12-01"];
    all.extend_from_slice(args);
    let out = doum_in(index_dir(), &all);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "doum {all:?} failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// What the general answer to [`QUESTION`] shows: title, breadcrumb, body, link.
const GENERAL: [&str; 4] = [
    "남은 캐시를 환불받으려면 어떻게 하나요?",
    "브랜드 이모티콘 관리자센터 > 결제 관리 > 환불 요청",
    "환불 방법은 충전할 때의 결제수단과 결제한 멤버에 따라 정해집니다.",
    "/articles/refund-request-how",
];

fn assert_general(out: &str) {
    for text in GENERAL {
        assert!(out.contains(text), "no `{text}` in\n{out}");
    }
    assert!(!out.contains("[맞춤 안내]"), "{out}");
}

#[test]
fn personal_answer_for_each_payment() {
    let out = ask(&["--account", "A-1001", QUESTION]);
    assert!(
        out.starts_with("남은 캐시를 환불받으려면 어떻게 하나요?\n"),
        "{out}"
    );
    assert!(out.contains("[맞춤 안내] 결제 건별 환불 방법"), "{out}");
    // P-1: a card payment by a withdrawn member: cash refund; P-2: kakaopay, active: cancel.
    assert!(out.contains(
        "- 결제 P-1 (카드, 50,000원): 2026년 10월 1일 (목)에 결제하신 카드 50,000원은 결제한 멤버가 탈퇴하여 결제 취소는 할 수 없습니다. 대신 등록하신 환불계좌로만 현금환불되며"
    ), "{out}");
    assert!(out.contains("- 결제 P-2 (카카오페이, 30,000원): 2026년 10월 15일 (목)에 결제하신 카카오페이 30,000원은 결제 취소로 환불됩니다."), "{out}");
    assert!(out.contains("- 결제 P-3 (무통장입금, 40,000원)"), "{out}");
    assert!(!out.contains("[판단 근거]"), "{out}");
    assert!(!out.contains("※"), "{out}");

    // Another account, other facts: no refund account registered yet.
    let out = ask(&["--account", "A-1002", QUESTION]);
    assert!(out.contains("- 결제 P-11 (카드, 1,000,000원)"), "{out}");
    assert!(out.contains("아직 환불계좌가 없으니"), "{out}");
    assert!(!out.contains("P-1 "), "{out}");
}

#[test]
fn explain_prints_the_trace() {
    let out = ask(&["--account", "A-1001", "--explain", QUESTION]);
    for text in [
        "[판단 근거]",
        "[refund-method] 결제 P-1 (카드, 50,000원) → cash-refund-withdrawn-member (행 2)",
        "  행 1 (줄 51): 불일치: refund_account_registered = false 조건, 실제 값 true",
        "  행 2 (줄 63): 일치 → cash-refund-withdrawn-member",
        "  행 1 (줄 51): 불일치: payment.member_status = withdrawn 조건, 실제 값 active",
        "  행 5 (줄 94): 일치 → cash-refund",
    ] {
        assert!(out.contains(text), "no `{text}` in\n{out}");
    }
}

#[test]
fn no_account_gives_the_general_answer() {
    let out = ask(&[QUESTION]);
    assert_general(&out);
    assert!(!out.contains("※"), "{out}");
}

#[test]
fn unknown_account_gives_the_general_answer_and_says_why() {
    let out = ask(&["--account", "A-9999", QUESTION]);
    assert_general(&out);
    assert!(
        out.contains("※ 계정을 찾을 수 없어 일반 안내를 드려요"),
        "{out}"
    );
}

#[test]
fn a_date_past_the_holiday_calendar_is_refused() {
    // Business days past the calendar would be counted with weekends only.
    for date in ["0001-01-01", "2031-06-01"] {
        let out = doum_in(
            index_dir(),
            &["ask", "--today", date, "--account", "A-1001", QUESTION],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{date}: {stderr}");
        assert!(
            stderr.contains("--today") && stderr.contains("2025-01-01"),
            "{date}: {stderr}"
        );
    }
}

#[test]
fn json_output() {
    let out = ask(&["--account", "A-1001", "--json", QUESTION]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["account_id"], "A-1001");
    assert_eq!(v["today"], "2026-12-01");
    assert_eq!(v["best"]["id"], "refund-request-how");
    assert_eq!(v["best"]["decision"], "refund-method");
    assert_eq!(v["personal"]["status"], "answered");
    let outcomes: Vec<_> = v["personal"]["result"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        ["cash-refund-withdrawn-member", "card-cancel", "cash-refund"]
    );
    assert!(v["candidates"].as_array().unwrap().len() > 1);

    let out = ask(&["--account", "A-9999", "--json", QUESTION]);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(v["personal"]["status"], "account_not_found");
    assert!(v["personal"].get("result").is_none());
}

/// `doum ask` answers as the chatbot would: one answer, a list to pick
/// from, or "not found" (the same choice, `doum::ask::Assistant::choose`).
#[test]
fn ask_says_when_the_chatbot_would_list_or_find_nothing() {
    // One answer: the entry, then the other candidates' ids.
    let v: serde_json::Value =
        serde_json::from_str(&ask(&["--account", "A-1001", "--json", QUESTION])).unwrap();
    assert_eq!(v["verdict"], "answer");
    let out = ask(&["--account", "A-1001", QUESTION]);
    assert!(
        out.starts_with("남은 캐시를 환불받으려면 어떻게 하나요?\n"),
        "{out}"
    );
    assert!(!out.contains(doum::ask::LIST_HEADER), "{out}");
    assert!(out.contains("\n다른 도움말: "), "{out}");

    // Two entries answer parts of it: the chatbot lists them, and so does
    // `doum ask`, numbered, then what picking the first gives (personal).
    let q = "카드 환불";
    let out = ask(&["--account", "A-1001", q]);
    assert!(out.starts_with(doum::ask::LIST_HEADER), "{out}");
    assert!(out.contains("\n1. "), "{out}");
    assert!(out.contains("\n2. "), "{out}");
    assert!(out.contains("  /articles/"), "{out}");
    let first = out.find(doum::ask::FIRST_PICKED).expect("the first pick");
    assert!(out[first..].contains("[맞춤 안내]"), "{out}");
    assert!(!out.contains("다른 도움말"), "the list names them: {out}");
    let v: serde_json::Value =
        serde_json::from_str(&ask(&["--account", "A-1001", "--json", q])).unwrap();
    assert_eq!(v["verdict"], "list");
    assert_eq!(v["personal"]["status"], "answered");

    // Nothing in the help center: said so, the nearest ids shown as such,
    // and no account's decision evaluated for a guess.
    for q in ["로또 당첨 번호", "오늘 날씨 어때요"] {
        let out = ask(&["--account", "A-1001", "--explain", q]);
        assert!(out.starts_with(doum::ask::NO_MATCH), "{q}: {out}");
        assert!(out.contains(doum::ask::NEAREST), "{q}: {out}");
        assert!(!out.contains("[맞춤 안내]"), "{q}: {out}");
        assert!(!out.contains("[판단 근거]"), "{q}: {out}");
        let v: serde_json::Value =
            serde_json::from_str(&ask(&["--account", "A-1001", "--json", q])).unwrap();
        assert_eq!(v["verdict"], "not_found", "{q}");
        assert_eq!(v["personal"]["status"], "no_match", "{q}");
        assert!(v["personal"].get("result").is_none(), "{q}");
        // Nothing close in spelling is offered for these.
        assert!(!out.contains("말씀이신가요"), "{q}: {out}");
        assert!(v.get("correction").is_none(), "{q}: {v}");
    }
    // Two typos in one word: too far for the search, close enough to
    // correct; offered as the chatbot's not-found card offers it.
    let out = ask(&["훤뷸"]);
    assert!(out.starts_with(doum::ask::NO_MATCH), "{out}");
    assert!(out.contains("혹시 ‘환불’ 말씀이신가요?"), "{out}");
    let v: serde_json::Value = serde_json::from_str(&ask(&["--json", "훤뷸"])).unwrap();
    assert_eq!(v["verdict"], "not_found");
    assert_eq!(v["correction"], "환불");
}

/// What the chatbot says instead of a help entry (a hello, a request for a
/// person or the menu, deleting the history) is what `doum ask` says, so an
/// agent previewing it sees what the customer gets.
#[test]
fn ask_says_what_the_chatbot_does_instead_of_searching() {
    for (q, name, line) in [
        ("안녕하세요", "small_talk", "인사로 답해요"),
        ("상담원 연결해 주세요", "handoff", "상담원 연결 요청"),
        ("처음으로", "menu", "처음 화면 요청"),
        ("대화 기록 삭제해 주세요", "forget", "대화 기록 삭제 요청"),
        ("결제 관리", "category", "분류의 도움말 목록"),
        ("2번", "no_list", "열려 있는 목록"),
        ("더 보기", "no_list", "열려 있는 목록"),
        ("🙂", "menu", "처음 화면 요청"),
    ] {
        let out = ask(&["--account", "A-1001", q]);
        assert!(out.starts_with("챗봇은 "), "{q}: {out}");
        assert!(out.contains(line), "{q}: {out}");
        assert!(!out.contains("/articles/"), "no entry shown: {q}: {out}");
        let v: serde_json::Value =
            serde_json::from_str(&ask(&["--account", "A-1001", "--json", q])).unwrap();
        assert_eq!(v["verdict"], name, "{q}: {v}");
        assert!(v["best"].is_null(), "{q}: {v}");
        assert_eq!(v["personal"]["status"], "no_match", "{q}: {v}");
    }
    // A question about counselling is a question.
    let out = ask(&["상담원 연결 시간이 궁금해요"]);
    assert!(!out.starts_with("챗봇은 "), "{out}");
}

/// `doum ask … | head -1`: the reader closing the pipe ends doum quietly,
/// as it does any Unix tool, not with a panic message.
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_doum_quietly() {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_doum"))
        .arg("--content")
        .arg(CONTENT)
        .arg("--index")
        .arg(index_dir())
        .args(["ask", "--json", QUESTION])
        .env("DOUM_DICT_DIR", dict_dir())
        .env("DOUM_MODEL_DIR", common::model_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Closed before doum has loaded the index and written anything.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
}

#[test]
fn an_entry_without_a_decision_is_the_general_answer() {
    let out = ask(&["--account", "A-1001", "세금계산서 이메일 변경"]);
    assert!(!out.contains("[맞춤 안내]"), "{out}");
    assert!(out.contains("맞춤 안내가 없어 일반 안내를 드려요"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_api_failing_gives_the_general_answer() {
    let addr = common::failing_account_api().await;
    for base in [
        format!("{addr}/down"),
        format!("{addr}/garbage"),
        format!("{addr}/truncated"),
        "http://127.0.0.1:1".to_string(),
    ] {
        let b = base.clone();
        let out = tokio::task::spawn_blocking(move || {
            ask(&["--accounts-url", &b, "--account", "A-1001", QUESTION])
        })
        .await
        .unwrap();
        assert_general(&out);
        assert!(
            out.contains("※ 지금은 계정 정보를 확인할 수 없어 일반 안내를 드려요"),
            "{base}: {out}"
        );
        // The technical reason only with --explain.
        assert!(!out.contains("원인:"), "{out}");
        let b = base.clone();
        let out = tokio::task::spawn_blocking(move || {
            ask(&[
                "--accounts-url",
                &b,
                "--account",
                "A-1001",
                "--explain",
                QUESTION,
            ])
        })
        .await
        .unwrap();
        assert!(out.contains("(원인: "), "{base}: {out}");
    }
}

/// "카드 결제 취소" asks how a card payment is cancelled: the general entry
/// answers (charge-cancel says when a charge is cancelled on the card and
/// when it is refunded instead, its keyword phrase "카드 결제 취소"), not
/// the exception for a withdrawn member's payments, whose "아니요, … 취소할
/// 수 없습니다" would mislead a customer whose member is active. That
/// exception still answers a question about a departed member's card.
#[test]
fn a_card_payment_cancel_is_answered_by_the_general_entry() {
    let out = ask(&["카드 결제 취소"]);
    assert!(
        out.starts_with("잘못 충전한 캐시를 바로 취소할 수 있나요?\n"),
        "{out}"
    );
    let out = ask(&["퇴사자가 결제한 카드 취소"]);
    assert!(
        out.starts_with("탈퇴한 멤버가 결제했던 내역의 카드취소는 가능한가요?\n"),
        "{out}"
    );
}
