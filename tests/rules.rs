//! The rules engine: every row of every shipped decision, the holiday calendar, and
//! validation errors with file and line.

mod common;

use common::is_entry;
use std::path::Path;

use chrono::{Datelike, NaiveDate, Weekday};
use doum::rules::load::parse_decision;
use doum::rules::{Calendar, Facts, RuleBook, Value};

/// (method, member status, refund account registered, row, outcome, answer must contain)
type RefundCase = (
    &'static str,
    Option<&'static str>,
    bool,
    usize,
    &'static str,
    &'static str,
);
/// (start date, status, creative status, row, outcome, answer must contain)
type CreativeCase = (
    &'static str,
    &'static str,
    &'static str,
    usize,
    &'static str,
    &'static [&'static str],
);
/// (auto payment method, card kind, row, outcome, answer must contain)
type AutoPaymentCase = (
    Option<&'static str>,
    Option<&'static str>,
    usize,
    &'static str,
    &'static str,
);

fn known(id: &str) -> bool {
    is_entry(id)
}

fn book() -> RuleBook {
    RuleBook::load(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("content")
            .as_path(),
        &known,
    )
    .unwrap_or_else(|e| panic!("shipped rules must load:\n{e}"))
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The fixed "today" of these tests: Tuesday 1 December 2026.
fn today() -> NaiveDate {
    d("2026-12-01")
}

fn list(records: Vec<Facts>) -> Value {
    Value::List(records)
}

/// Evaluates and returns (row, outcome, answer) of the single (or first) result.
fn run(book: &RuleBook, id: &str, facts: &Facts) -> (Option<usize>, String, String) {
    let r = book.evaluate(id, facts, today()).unwrap();
    assert_eq!(r.results.len(), 1, "{id}: one result expected");
    let e = &r.results[0];
    (e.row, e.outcome.clone(), e.answer.clone())
}

#[test]
fn shipped_rules_load() {
    let b = book();
    let ids: Vec<&str> = b.decisions().iter().map(|d| d.id.as_str()).collect();
    for id in [
        "refund-method",
        "creative-deadlines",
        "cash-top-up",
        "budget-change",
        "auto-payment",
        "sales-rights",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    assert_eq!(ids.len(), 6);
    assert!(b.decision("refund-method").unwrap().per_record());
    assert!(!b.decision("cash-top-up").unwrap().per_record());
    assert!(b.evaluate("nope", &Facts::new(), today()).is_err());
}

// ---------------------------------------------------------------- refund-method

fn payment(method: &str, member_status: Option<&str>) -> Facts {
    let mut p = Facts::new()
        .with("payment_id", "P-1")
        .with("method", method)
        .with("amount", 50_000i64)
        .with("paid_at", d("2026-10-01"))
        .with("member_id", "m2");
    p.insert_opt("member_status", member_status);
    p
}

fn refund_facts(p: Facts, refund_account: bool) -> Facts {
    Facts::new()
        .with("refund_account_registered", refund_account)
        .with("cash.paid", 120_000i64)
        .with("cash.free", 5000i64)
        .with("payments", list(vec![p]))
}

#[test]
fn refund_method_every_row() {
    let b = book();
    // (method, member status, refund account registered, row, outcome, answer must contain)
    let table: &[RefundCase] = &[
        (
            "card",
            Some("withdrawn"),
            false,
            1,
            "register-refund-account",
            "광고계정 > 설정 > 비즈월렛 > 환불계좌",
        ),
        (
            "kakaopay",
            Some("withdrawn"),
            false,
            1,
            "register-refund-account",
            "탈퇴",
        ),
        (
            "card",
            Some("withdrawn"),
            true,
            2,
            "cash-refund-withdrawn-member",
            "환불계좌로만 현금환불",
        ),
        (
            "kakaopay",
            Some("withdrawn"),
            true,
            2,
            "cash-refund-withdrawn-member",
            "결제 취소는 할 수 없습니다",
        ),
        (
            "card",
            Some("active"),
            false,
            3,
            "card-cancel",
            "결제 취소로",
        ),
        (
            "kakaopay",
            Some("active"),
            true,
            3,
            "card-cancel",
            "카카오페이",
        ),
        (
            "bank_transfer",
            Some("active"),
            false,
            4,
            "register-refund-account",
            "먼저 광고계정 > 설정 > 비즈월렛 > 환불계좌",
        ),
        (
            "overseas_invoice",
            None,
            false,
            4,
            "register-refund-account",
            "해외 인보이스",
        ),
        (
            "bank_transfer",
            Some("withdrawn"),
            true,
            5,
            "cash-refund",
            "환불계좌로 현금환불",
        ),
        (
            "overseas_invoice",
            Some("active"),
            true,
            5,
            "cash-refund",
            "현금환불",
        ),
        ("card", None, true, 6, "contact-support", "고객센터"),
        ("kakaopay", None, false, 6, "contact-support", "고객센터"),
    ];
    for (method, status, acct, row, outcome, needle) in table {
        let facts = refund_facts(payment(method, *status), *acct);
        let (r, o, a) = run(&b, "refund-method", &facts);
        let ctx = format!("{method}/{status:?}/{acct}: {a}");
        assert_eq!(r, Some(*row), "{ctx}");
        assert_eq!(o, *outcome, "{ctx}");
        let a_flat = a.replace('\n', " ");
        assert!(
            a_flat.contains(&needle.replace('\n', " ")),
            "{ctx} lacks {needle}"
        );
        assert!(a.contains("50,000원"), "{ctx}");
    }
}

#[test]
fn refund_method_per_payment_labels_and_empty_case() {
    let b = book();
    let facts = Facts::new().with("refund_account_registered", true).with(
        "payments",
        list(vec![payment("card", Some("active")), {
            let mut p = payment("bank_transfer", Some("active"));
            p.insert("payment_id", "P-2");
            p.insert("amount", 1_234_567i64);
            p
        }]),
    );
    let r = b.evaluate("refund-method", &facts, today()).unwrap();
    assert!(r.per_record);
    assert_eq!(r.results.len(), 2);
    assert_eq!(
        r.results[0].record.as_deref(),
        Some("결제 P-1 (카드, 50,000원)")
    );
    assert_eq!(
        r.results[1].record.as_deref(),
        Some("결제 P-2 (무통장입금, 1,234,567원)")
    );
    assert!(r.results[0].answer.contains("2026년 10월 1일 (목)"));
    assert_eq!(r.results[1].outcome, "cash-refund");

    let empty = Facts::new()
        .with("refund_account_registered", true)
        .with("payments", list(vec![]));
    let r = b.evaluate("refund-method", &empty, today()).unwrap();
    assert_eq!(r.results.len(), 1);
    assert_eq!(r.results[0].outcome, "no-payments");
    assert_eq!(r.results[0].row, None);
    // An absent list is treated like an empty one.
    let r = b.evaluate("refund-method", &Facts::new(), today()).unwrap();
    assert_eq!(r.results[0].outcome, "no-payments");
}

#[test]
fn trace_shows_each_row_and_the_first_failing_condition() {
    let b = book();
    let facts = refund_facts(payment("bank_transfer", Some("active")), true);
    let r = b.evaluate("refund-method", &facts, today()).unwrap();
    let e = &r.results[0];
    assert_eq!(e.row, Some(5));
    assert_eq!(e.trace.len(), 5);
    let first = e.trace[0].failed.as_ref().unwrap();
    assert_eq!(first.fact, "payment.method");
    assert_eq!(first.condition, "one of [card, kakaopay]");
    assert_eq!(first.actual, "bank_transfer");
    let fourth = e.trace[3].failed.as_ref().unwrap();
    assert_eq!(fourth.fact, "refund_account_registered");
    assert_eq!(fourth.condition, "= false");
    assert_eq!(fourth.actual, "true");
    assert!(e.trace[4].matched && e.trace[4].failed.is_none());
    assert!(e.trace.iter().take(4).all(|s| !s.matched));
    let text = e.explain();
    assert!(
        text.starts_with("[refund-method] 결제 P-1 (무통장입금, 50,000원) → cash-refund (행 5)"),
        "{text}"
    );
    assert!(
        text.contains("payment.method one of [card, kakaopay] 조건, 실제 값 bank_transfer"),
        "{text}"
    );

    // An absent fact shows as (없음).
    let facts = refund_facts(payment("card", None), true);
    let e = &b
        .evaluate("refund-method", &facts, today())
        .unwrap()
        .results[0];
    let f = e.trace[0].failed.as_ref().unwrap();
    assert_eq!(
        (f.fact.as_str(), f.actual.as_str()),
        ("payment.member_status", "(없음)")
    );
    // Lines point into the file.
    assert!(e.trace.iter().all(|s| s.line > 0));
    let json = serde_json::to_value(e).unwrap();
    assert_eq!(json["trace"][0]["failed"]["actual"], "(없음)");
}

// ---------------------------------------------------------------- creative-deadlines

fn campaign(start: &str, status: &str, creative: &str) -> Facts {
    Facts::new()
        .with("campaign_id", "C-1")
        .with("name", "겨울 시즌 이모티콘")
        .with("start_date", d(start))
        .with("budget", 30_000_000i64)
        .with("spent", 1_000_000i64)
        .with("status", status)
        .with("creative_status", creative)
}

fn campaigns(c: Facts) -> Facts {
    Facts::new().with("campaigns", list(vec![c]))
}

#[test]
fn creative_deadlines_every_row() {
    let b = book();
    // today = Tue 2026-12-01
    // (start, status, creative, row, outcome, answer must contain)
    let table: &[CreativeCase] = &[
        (
            "2026-12-15",
            "cancelled",
            "registered",
            1,
            "cancelled",
            &["취소되었습니다"],
        ),
        ("2026-11-01", "ended", "approved", 2, "ended", &["종료"]),
        (
            "2026-11-20",
            "running",
            "approved",
            3,
            "running",
            &["2026년 11월 20일 (금)", "집행중"],
        ),
        (
            "2026-12-15",
            "scheduled",
            "approved",
            4,
            "ready",
            &["시작까지 14일"],
        ),
        // D-2 of 12-02 is Mon 11-30: past, not approved.
        (
            "2026-12-02",
            "scheduled",
            "registered",
            5,
            "auto-cancel",
            &["2026년 11월 30일 (월)", "자동으로 취소"],
        ),
        (
            "2026-12-02",
            "scheduled",
            "none",
            5,
            "auto-cancel",
            &["자동으로 취소"],
        ),
        // D-2 of Thu 12-03 is today.
        (
            "2026-12-03",
            "scheduled",
            "registered",
            6,
            "approval-due-today",
            &["오늘(2026년 12월 1일 (화))"],
        ),
        // D-2 of Tue 12-15 is Sun 12-13 → Fri 12-11, 10 days left.
        (
            "2026-12-15",
            "scheduled",
            "registered",
            7,
            "awaiting-approval",
            &["2026년 12월 11일 (금)까지이며 10일 남았습니다"],
        ),
        // D-10 of Tue 12-08 was Sat 11-28; D-2 is Sun 12-06 → Fri 12-04.
        (
            "2026-12-08",
            "scheduled",
            "none",
            8,
            "creative-overdue",
            &["2026년 11월 28일 (토)", "2026년 12월 4일 (금)까지 3일"],
        ),
        // Christmas: D-2 of Sun 12-27 is Fri 12-25 (성탄절) → Thu 12-24.
        (
            "2026-12-27",
            "scheduled",
            "none",
            9,
            "register-creative",
            &[
                "2026년 12월 17일 (목)까지",
                "16일 남음",
                "2026년 12월 24일 (목)까지",
                "2026년 12월 13일 (일)",
            ],
        ),
        // 설 대체공휴일: D-2 of Thu 2027-02-11 is Tue 02-09 (대체공휴일), 02-06..08 설 연휴 → Fri 02-05.
        (
            "2027-02-11",
            "scheduled",
            "none",
            9,
            "register-creative",
            &["2027년 2월 5일 (금)까지 끝나야"],
        ),
        // 추석 2027 (9/14-16): D-2 of Fri 09-17 is Wed 09-15 → Mon 09-13.
        (
            "2027-09-17",
            "scheduled",
            "none",
            9,
            "register-creative",
            &["2027년 9월 13일 (월)까지 끝나야"],
        ),
        // 대체공휴일(한글날) Mon 2027-10-11: D-2 of Wed 10-13 → Fri 10-08.
        (
            "2027-10-13",
            "scheduled",
            "none",
            9,
            "register-creative",
            &["2027년 10월 8일 (금)까지 끝나야"],
        ),
    ];
    for (start, status, creative, row, outcome, needles) in table {
        let (r, o, a) = run(
            &b,
            "creative-deadlines",
            &campaigns(campaign(start, status, creative)),
        );
        let flat = a.replace('\n', " ");
        let ctx = format!("{start}/{status}/{creative}: {flat}");
        assert_eq!(r, Some(*row), "{ctx}");
        assert_eq!(o, *outcome, "{ctx}");
        for n in *needles {
            assert!(flat.contains(n), "{ctx} lacks {n}");
        }
    }
    let r = b
        .evaluate("creative-deadlines", &Facts::new(), today())
        .unwrap();
    assert_eq!(r.results[0].outcome, "no-campaigns");
}

// ---------------------------------------------------------------- cash-top-up

#[test]
fn cash_top_up_every_row() {
    let b = book();
    let table: &[(bool, &str, usize, &str, &str)] = &[
        (true, "business", 1, "overseas-invoice", "해외 인보이스"),
        (true, "individual", 1, "overseas-invoice", "입금"),
        (
            false,
            "business",
            2,
            "bank-transfer-business",
            "1,000원부터 1,000,000,000원까지",
        ),
        (
            false,
            "individual",
            3,
            "bank-transfer",
            "1,000원부터 1,000,000,000원까지",
        ),
    ];
    for (overseas, kind, row, outcome, needle) in table {
        let f = Facts::new()
            .with("overseas", *overseas)
            .with("advertiser_type", *kind)
            .with("cash.paid", 120_000i64)
            .with("cash.free", 5_000i64);
        let (r, o, a) = run(&b, "cash-top-up", &f);
        let flat = a.replace('\n', " ");
        assert_eq!((r, o.as_str()), (Some(*row), *outcome), "{flat}");
        assert!(flat.contains(needle), "{flat}");
        assert!(
            flat.contains("유상캐시 120,000원, 무상캐시 5,000원"),
            "{flat}"
        );
    }
}

// ---------------------------------------------------------------- budget-change

#[test]
fn budget_change_every_row() {
    let b = book();
    let table: &[(&str, i64, i64, usize, &str, &str)] = &[
        (
            "cancelled",
            2_000_000,
            0,
            1,
            "budget-returned",
            "예산 2,000,000원은 차감 당시의 캐시 종류 그대로 비즈월렛 캐시로 돌아왔습니다",
        ),
        (
            "ended",
            5_000_000,
            4_200_000,
            2,
            "remainder-returned",
            "남은 800,000원은 종료일 다음 날부터 영업일 기준 2일 이내에",
        ),
        (
            "ended",
            3_000_000,
            3_000_000,
            3,
            "budget-used-up",
            "돌아올 남은 예산은 없습니다",
        ),
        (
            "running",
            30_000_000,
            1_000_000,
            4,
            "budget-fixed",
            "29,000,000원이 남았고",
        ),
        (
            "scheduled",
            30_000_000,
            0,
            4,
            "budget-fixed",
            "늘리거나 줄일 수 없습니다",
        ),
    ];
    for (status, budget, spent, row, outcome, needle) in table {
        let c = campaign("2026-12-15", status, "approved")
            .with("budget", *budget)
            .with("spent", *spent);
        let (r, o, a) = run(&b, "budget-change", &campaigns(c));
        let flat = a.replace('\n', " ");
        assert_eq!((r, o.as_str()), (Some(*row), *outcome), "{flat}");
        assert!(flat.contains(needle), "{flat}");
    }
    let r = b.evaluate("budget-change", &Facts::new(), today()).unwrap();
    assert_eq!(r.results[0].outcome, "no-campaigns");
}

// ---------------------------------------------------------------- auto-payment

#[test]
fn auto_payment_every_row() {
    let b = book();
    let table: &[AutoPaymentCase] = &[
        (
            Some("kakaopay"),
            Some("corporate_shared"),
            1,
            "shared-card-on-kakaopay",
            "신용카드(신용카드 정기)",
        ),
        (
            Some("kakaopay"),
            Some("personal"),
            2,
            "kakaopay",
            "카카오페이가 등록",
        ),
        (Some("kakaopay"), None, 2, "kakaopay", "카카오페이가 등록"),
        (
            Some("card"),
            Some("corporate_shared"),
            3,
            "shared-card-as-credit-card",
            "카카오페이로는 등록할 수 없습니다",
        ),
        (
            Some("card"),
            Some("corporate"),
            4,
            "credit-card",
            "법인카드가 신용카드(신용카드 정기)로",
        ),
        (
            Some("card"),
            Some("personal"),
            4,
            "credit-card",
            "개인카드가",
        ),
        (
            None,
            None,
            5,
            "not-registered",
            "아직 자동결제 수단이 없습니다",
        ),
    ];
    for (method, kind, row, outcome, needle) in table {
        let mut f = Facts::new();
        f.insert_opt("auto_payment.method", *method);
        f.insert_opt("auto_payment.card_kind", *kind);
        let (r, o, a) = run(&b, "auto-payment", &f);
        let flat = a.replace('\n', " ");
        assert_eq!((r, o.as_str()), (Some(*row), *outcome), "{flat}");
        assert!(flat.contains(needle), "{flat}");
    }
}

// ---------------------------------------------------------------- sales-rights

#[test]
fn sales_rights_every_row() {
    let b = book();
    let table: &[(&str, Option<&str>, usize, &str, &str)] = &[
        (
            "individual",
            None,
            1,
            "no-active-master",
            "활동 중인 마스터가 없어",
        ),
        ("business", None, 1, "no-active-master", "고객센터"),
        (
            "individual",
            Some("m1"),
            2,
            "individual-master-only",
            "마스터 권한을 다른 멤버에게 넘길 수 없으니",
        ),
        (
            "business",
            Some("m1"),
            3,
            "master-only",
            "이 광고계정의 마스터만 수락하거나 거절",
        ),
    ];
    for (kind, master, row, outcome, needle) in table {
        let mut f = Facts::new().with("advertiser_type", *kind);
        f.insert_opt("master.member_id", *master);
        let (r, o, a) = run(&b, "sales-rights", &f);
        let flat = a.replace('\n', " ");
        assert_eq!((r, o.as_str()), (Some(*row), *outcome), "{flat}");
        assert!(flat.contains(needle), "{flat}");
        // The master's member id is internal: the customer reads no id.
        assert!(!flat.contains("m1"), "{flat}");
    }
}

// ---------------------------------------------------------------- holidays

fn calendar() -> Calendar {
    book().calendar().clone()
}

#[test]
fn holidays_and_substitute_holidays() {
    let c = calendar();
    // (date, is a business day, holiday name)
    let table: &[(&str, bool, Option<&str>)] = &[
        ("2025-01-01", false, Some("신정")),
        ("2025-01-27", false, Some("임시공휴일")),
        ("2025-01-29", false, Some("설날")),
        ("2025-03-03", false, Some("대체공휴일(삼일절)")),
        ("2025-05-05", false, Some("어린이날·부처님오신날")),
        (
            "2025-05-06",
            false,
            Some("대체공휴일(어린이날·부처님오신날)"),
        ),
        ("2025-06-03", false, Some("제21대 대통령선거")),
        ("2025-10-06", false, Some("추석")),
        ("2025-10-08", false, Some("대체공휴일(추석)")),
        ("2025-10-10", true, None),
        ("2026-02-17", false, Some("설날")),
        ("2026-03-02", false, Some("대체공휴일(삼일절)")),
        ("2026-05-01", false, Some("노동절")), // decided in holidays.yaml
        ("2026-05-25", false, Some("대체공휴일(부처님오신날)")),
        ("2026-06-03", false, Some("제9회 전국동시지방선거")),
        ("2026-06-08", true, None), // 현충일 (Sat 6/6) has no substitute
        ("2026-07-17", false, Some("제헌절")),
        ("2026-08-17", false, Some("대체공휴일(광복절)")),
        ("2026-09-25", false, Some("추석")),
        ("2026-09-28", true, None), // 추석 연휴 on Saturday: no substitute
        ("2026-10-05", false, Some("대체공휴일(개천절)")),
        ("2026-12-25", false, Some("성탄절")),
        ("2027-02-07", false, Some("설날")),
        ("2027-02-09", false, Some("대체공휴일(설날)")),
        ("2027-05-13", false, Some("부처님오신날")),
        ("2027-06-07", true, None), // 현충일 (Sun 6/6): no substitute
        ("2027-07-19", false, Some("대체공휴일(제헌절)")),
        ("2027-08-16", false, Some("대체공휴일(광복절)")),
        ("2027-09-15", false, Some("추석")),
        ("2027-10-04", false, Some("대체공휴일(개천절)")),
        ("2027-10-11", false, Some("대체공휴일(한글날)")),
        ("2027-12-27", false, Some("대체공휴일(성탄절)")),
        ("2026-12-01", true, None),
        ("2026-12-05", false, None), // Saturday
        ("2026-12-06", false, None), // Sunday
    ];
    for (date, business, name) in table {
        let dt = d(date);
        assert_eq!(c.is_business_day(dt), *business, "{date}");
        assert_eq!(c.holiday(dt), *name, "{date}");
    }
    assert_eq!(
        c.business_day_on_or_before(d("2027-02-09")),
        d("2027-02-05")
    );
    assert_eq!(
        c.business_day_on_or_before(d("2025-10-09")),
        d("2025-10-02")
    );
    assert_eq!(
        c.business_day_on_or_before(d("2026-12-01")),
        d("2026-12-01")
    );
    assert_eq!(c.business_day_on_or_after(d("2025-10-03")), d("2025-10-10"));
    // The covered range comes from the file, which grows a year at a time.
    let end = c.covered_until().expect("holidays.yaml has a range");
    assert!(end >= d("2027-12-31"), "{end}");
    assert!(c.covers(d("2025-01-01")) && c.covers(end));
    assert!(!c.covers(end.succ_opt().unwrap()));
}

/// Checks the calendar against the substitute-holiday rules, year by year: a substitute
/// day is a weekday right after the holidays it stands for, and every holiday that
/// qualifies for one has one.
#[test]
fn holiday_file_follows_the_substitute_rules() {
    let c = calendar();
    let all: Vec<(NaiveDate, String)> = c.holidays().map(|(d, n)| (d, n.to_owned())).collect();
    assert!(all.len() >= 60, "2025-2027 holidays: {}", all.len());
    let is_weekend = |d: NaiveDate| matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
    for (date, name) in &all {
        if name.starts_with("대체공휴일") {
            assert!(!is_weekend(*date), "{date} {name} falls on a weekend");
        }
    }
    // Holidays with substitutes when they fall on Sat/Sun (or on another holiday).
    let weekend_rule = [
        "삼일절",
        "어린이날",
        "부처님오신날",
        "제헌절",
        "광복절",
        "개천절",
        "한글날",
        "성탄절",
    ];
    for year in 2025..=2027 {
        let subs = all
            .iter()
            .filter(|(d, n)| d.year() == year && n.starts_with("대체공휴일"))
            .count();
        let mut expected = 0;
        for (date, name) in all.iter().filter(|(d, _)| d.year() == year) {
            if name.starts_with("대체공휴일") {
                continue;
            }
            if weekend_rule.iter().any(|h| name.contains(h)) && is_weekend(*date) {
                expected += 1;
            }
            if *name == "어린이날·부처님오신날" {
                expected += 1;
            }
        }
        // 설날·추석: a Sunday (not a Saturday) in the three days earns one substitute.
        for (date, name) in all.iter().filter(|(d, _)| d.year() == year) {
            if (name.starts_with("설날") || name.starts_with("추석"))
                && date.weekday() == Weekday::Sun
            {
                expected += 1;
            }
        }
        assert_eq!(subs, expected, "substitute holidays in {year}");
    }
    // Weekday sanity of fixed-date holidays.
    assert_eq!(d("2026-07-17").weekday(), Weekday::Fri);
    assert_eq!(d("2027-02-07").weekday(), Weekday::Sun);
}

#[test]
fn holiday_file_errors_have_lines() {
    let bad = "covers: { from: 2025-01-01, to: 2025-12-31 }\nholidays:\n  2025-01-01: 신정\n  2026-01-01: 신정\n";
    let e = Calendar::parse(bad, "content/holidays.yaml").unwrap_err();
    assert_eq!(e.line, 4);
    assert!(
        e.to_string().starts_with("content/holidays.yaml:4: "),
        "{e}"
    );
    let e = Calendar::parse("covers: {}\n", "h.yaml").unwrap_err();
    assert!(e.line >= 1, "{e}");
}

// ---------------------------------------------------------------- operators

const OPS: &str = r#"
id: ops
description: every operator
facts:
  n: { type: number, unit: won }
  day: { type: date }
  kind: { type: enum, values: [a, b, c] }
  flag: { type: bool }
  note: { type: text }
rows:
  - when: { n: { between: [10, 20] } }
    outcome: between
    answer: "{n}"
  - when: { n: { "<": 0 } }
    outcome: lt
    answer: "{n}"
  - when: { n: { "≤": 0 } }
    outcome: le
    answer: "{n}"
  - when: { n: { ">": 1000 } }
    outcome: gt
    answer: "{n}"
  - when: { n: { ">=": 1000 } }
    outcome: ge
    answer: "{n}"
  - when: { day: { "<": 2026-01-01 } }
    outcome: date-lt
    answer: "{day}"
  - when: { kind: { "≠": a }, flag: true }
    outcome: ne
    answer: "{kind}"
  - when: { kind: [b, c] }
    outcome: one-of
    answer: "{kind}"
  - when: { note: { present: true } }
    outcome: present
    answer: "{note}"
  - when: { flag: false }
    outcome: eq
    answer: "{flag}"
  - outcome: default
    answer: "기본 {{괄호}}"
"#;

#[test]
fn every_operator() {
    let dec = parse_decision(OPS, "ops.yaml", &|_| true).unwrap();
    let b = RuleBook::from_parts(vec![dec], Calendar::weekends_only());
    let base = || {
        Facts::new()
            .with("n", 500i64)
            .with("day", d("2026-06-01"))
            .with("kind", "a")
            .with("flag", true)
    };
    let cases: Vec<(Facts, &str, &str)> = vec![
        (base().with("n", 10i64), "between", "10원"),
        (base().with("n", 20i64), "between", "20원"),
        (base().with("n", -5i64), "lt", "-5원"),
        (base().with("n", 0i64), "le", "0원"),
        (base().with("n", 1001i64), "gt", "1,001원"),
        (base().with("n", 1000i64), "ge", "1,000원"),
        (
            base().with("day", d("2025-12-31")),
            "date-lt",
            "2025년 12월 31일 (수)",
        ),
        (base().with("kind", "b"), "ne", "b"),
        (base().with("kind", "c").with("flag", false), "one-of", "c"),
        (base().with("note", "메모"), "present", "메모"),
        (base().with("flag", false), "eq", "아니요"),
        (base(), "default", "기본 {괄호}"),
    ];
    for (f, outcome, answer) in cases {
        let r = b.evaluate("ops", &f, today()).unwrap();
        assert_eq!(r.results[0].outcome, outcome, "{f:?}");
        assert_eq!(r.results[0].answer, answer);
    }
    // A fact of the wrong type never matches, and the trace says so.
    let f = base().with("n", "열");
    let r = b.evaluate("ops", &f, today()).unwrap();
    let step = r.results[0].trace[0].failed.as_ref().unwrap();
    assert!(step.actual.contains("형식이 다름"), "{}", step.actual);
    // `≠` does not match an absent fact.
    let mut f = base().with("kind", "b");
    f.remove("kind");
    let r = b.evaluate("ops", &f, today()).unwrap();
    assert_eq!(r.results[0].outcome, "default");
}

// ---------------------------------------------------------------- validation

const GOOD: &str = r#"id: sample
description: 예시
facts:
  flag: { type: bool }
  n: { type: number }
  kind:
    type: enum
    values: [a, b]
rows:
  - when:
      flag: true
    outcome: yes-flag
    answer: 예
    related: [refund-request-how]
  - outcome: fallback
    answer: 아니요
"#;

fn errors(text: &str) -> Vec<String> {
    match parse_decision(text, "content/rules/sample.yaml", &known) {
        Ok(_) => vec![],
        Err(e) => e.0.iter().map(|e| e.to_string()).collect(),
    }
}

fn one_error(text: &str) -> String {
    let e = errors(text);
    assert_eq!(e.len(), 1, "{e:#?}");
    e[0].clone()
}

#[test]
fn good_decision_loads() {
    assert!(errors(GOOD).is_empty());
}

#[test]
fn unknown_fact_is_an_error_with_line() {
    let t = GOOD.replace("      flag: true", "      flga: true");
    let e = one_error(&t);
    assert!(
        e.starts_with("content/rules/sample.yaml:11: unknown fact `flga`"),
        "{e}"
    );
}

#[test]
fn wrong_value_type_is_an_error_with_line() {
    let t = GOOD.replace("      flag: true", "      flag: \"yes\"");
    let e = one_error(&t);
    assert!(
        e.starts_with("content/rules/sample.yaml:11: `flag` is a bool fact"),
        "{e}"
    );

    let t = GOOD.replace("      flag: true", "      kind: c");
    let e = one_error(&t);
    assert!(
        e.starts_with("content/rules/sample.yaml:11: `c` is not a value of `kind`"),
        "{e}"
    );

    let t = GOOD.replace("      flag: true", "      n: { \"<\": 1.5 }");
    assert!(one_error(&t).contains(":11: `n` is a number fact: expected a whole number"));

    let t = GOOD.replace("      flag: true", "      kind: { \">\": a }");
    assert!(one_error(&t).contains(":11: `>` does not apply to `kind`, a enum fact"));
}

#[test]
fn unknown_entry_id_is_an_error_with_line() {
    let t = GOOD.replace(
        "[refund-request-how]",
        "[refund-request-how, no-such-entry]",
    );
    let e = one_error(&t);
    assert_eq!(
        e,
        "content/rules/sample.yaml:14: unknown entry id `no-such-entry` in related"
    );
}

#[test]
fn missing_default_row_is_an_error_with_line() {
    let t = GOOD.replace(
        "  - outcome: fallback",
        "  - when: { flag: false }\n    outcome: fallback",
    );
    let e = one_error(&t);
    assert!(
        e.starts_with("content/rules/sample.yaml:15: missing default row"),
        "{e}"
    );
}

#[test]
fn unreachable_rows_are_errors_with_line() {
    // An earlier row with no conditions.
    let t = GOOD.replace(
        "  - when:\n      flag: true",
        "  - outcome: first\n    answer: 먼저\n  - when:\n      flag: true",
    );
    let e = errors(&t);
    assert_eq!(e.len(), 2, "{e:#?}"); // both later rows
    assert!(
        e[0].starts_with("content/rules/sample.yaml:12: row 2 can never match: row 1 (line 10)"),
        "{e:#?}"
    );

    // An earlier row whose conditions are a subset of the later row's.
    let t = GOOD.replace(
        "  - outcome: fallback",
        "  - when:\n      flag: true\n      n: { \">\": 3 }\n    outcome: never\n    answer: 안 됨\n  - outcome: fallback",
    );
    let e = one_error(&t);
    assert!(
        e.starts_with("content/rules/sample.yaml:15: row 2 can never match: row 1 (line 10)"),
        "{e}"
    );

    // Implied by ranges and sets.
    let t = GOOD
        .replace("      flag: true", "      n: { \">\": 3 }\n      kind: [a, b]")
        .replace(
            "  - outcome: fallback",
            "  - when:\n      n: { between: [5, 9] }\n      kind: a\n    outcome: never\n    answer: 안 됨\n  - outcome: fallback",
        );
    let e = one_error(&t);
    assert!(e.contains("row 2 can never match: row 1"), "{e}");

    // Not implied: a narrower earlier row is fine.
    let t = GOOD.replace(
        "  - outcome: fallback",
        "  - when:\n      n: { \">\": 0 }\n    outcome: fine\n    answer: 됨\n  - outcome: fallback",
    )
    .replace("      flag: true", "      flag: true\n      n: { \">\": 3 }");
    assert!(errors(&t).is_empty(), "{:#?}", errors(&t));
}

#[test]
fn unknown_placeholder_and_syntax_errors_have_lines() {
    let t = GOOD.replace("answer: 아니요", "answer: \"{nope} 아니요\"");
    let e = one_error(&t);
    assert!(
        e.starts_with("content/rules/sample.yaml:16: unknown placeholder `{nope}`"),
        "{e}"
    );

    let t = GOOD.replace("outcome: fallback", "outcome: fallback\n    colour: red");
    let e = one_error(&t);
    assert!(e.starts_with("content/rules/sample.yaml:16:"), "{e}");
    assert!(e.contains("unknown field `colour`"), "{e}");

    let t = GOOD.replace("  n: { type: number }", "  n: { type: money }");
    let e = one_error(&t);
    assert!(
        e.starts_with("content/rules/sample.yaml:5: fact `n`: unknown type `money`"),
        "{e}"
    );
}

#[test]
fn load_reports_every_file_and_duplicate_ids() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    std::fs::write(rules.join("a.yaml"), GOOD).unwrap();
    std::fs::write(rules.join("b.yaml"), GOOD).unwrap();
    std::fs::write(
        rules.join("c.yaml"),
        GOOD.replace("id: sample", "id: other")
            .replace("flag: true", "flag: 1"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("holidays.yaml"),
        "covers: { from: 2026-01-01, to: 2026-12-31 }\nholidays: {}\n",
    )
    .unwrap();
    let e = RuleBook::load(dir.path(), &known).unwrap_err();
    let text = e.to_string();
    assert_eq!(e.0.len(), 2, "{text}");
    assert!(
        text.contains("b.yaml:1: decision id `sample` is already used in"),
        "{text}"
    );
    assert!(text.contains("c.yaml:11: `flag` is a bool fact"), "{text}");
}

// ---------------------------------------------------------------- shared facts

#[test]
fn a_fact_renders_in_a_decision_answer_and_in_derived_days() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    std::fs::write(
        dir.path().join("facts.yaml"),
        "due: { type: d_day, value: 10 }\nmin: { type: won, value: 1000 }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("holidays.yaml"),
        "covers: { from: 2026-01-01, to: 2026-12-31 }\nholidays: {}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("rules/d.yaml"),
        "id: d\ndescription: 소재는 {due}까지 등록합니다.\nfacts:\n  start: { type: date }\nderived:\n  creative_due:\n    days_before: { date: start, days: {due.value} }\nrows:\n  - outcome: ok\n    answer: \"소재는 {due}({creative_due})까지, 최소 {min}. {{그대로}}\"\n",
    )
    .unwrap();
    let book = RuleBook::load(dir.path(), &|_| true).unwrap_or_else(|e| panic!("{e}"));
    let facts = Facts::new().with("start", d("2026-12-15"));
    let (_, _, answer) = run(&book, "d", &facts);
    assert_eq!(
        answer,
        "소재는 D-10(2026년 12월 5일 (토))까지, 최소 1,000원. {그대로}"
    );
    assert_eq!(
        book.decision("d").unwrap().description,
        "소재는 D-10까지 등록합니다."
    );
}

#[test]
fn an_unknown_fact_in_a_decision_answer_is_an_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("rules")).unwrap();
    std::fs::write(
        dir.path().join("facts.yaml"),
        "due: { type: d_day, value: 10 }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("holidays.yaml"),
        "covers: { from: 2026-01-01, to: 2026-12-31 }\nholidays: {}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("rules/d.yaml"),
        "id: d\ndescription: x\nrows:\n  - outcome: ok\n    answer: \"{dew}까지 등록합니다.\"\n",
    )
    .unwrap();
    let e = RuleBook::load(dir.path(), &|_| true)
        .unwrap_err()
        .to_string();
    assert!(e.contains("d.yaml:5: unknown placeholder `{dew}`"), "{e}");
    assert!(e.contains("shared fact declared in facts.yaml"), "{e}");
}
