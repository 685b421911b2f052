//! The shipped help center: valid as a whole (`doum check`), large enough,
//! and holding the ten policy entries with exactly the titles, categories
//! and decisions the product requires.

mod common;

use std::path::Path;

use doum::content::Content;

const CONTENT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/content");

/// (title, category, decision) of the ten mandatory entries.
const MANDATORY: [(&str, [&str; 2], Option<&str>); 10] = [
    (
        "무상캐시 사용상태를 확인하고 싶어요",
        ["결제 관리", "캐시 관리"],
        None,
    ),
    (
        "캠페인에 연결한 소재를 다른 소재로 변경할 수 있나요?",
        ["광고 만들기/보고서", "소재 관리"],
        Some("creative-deadlines"),
    ),
    (
        "브랜드이모티콘 소재는 언제까지 전달해야 하나요?",
        ["가입 및 기본사항", "상품 안내"],
        Some("creative-deadlines"),
    ),
    (
        "해외결제 지원이 가능한가요?",
        ["결제 관리", "결제방법 및 설정"],
        Some("cash-top-up"),
    ),
    (
        "개인광고주도 현금충전이 가능한가요?",
        ["결제 관리", "캐시 관리"],
        Some("cash-top-up"),
    ),
    (
        "자동결제는 카카오페이로만 등록이 가능한가요?",
        ["결제 관리", "결제방법 및 설정"],
        Some("auto-payment"),
    ),
    (
        "개인광고주도 영업권 설정이 가능한가요?",
        ["가입 및 기본사항", "영업권 설정"],
        Some("sales-rights"),
    ),
    (
        "탈퇴한 멤버가 결제했던 내역의 카드취소는 가능한가요?",
        ["결제 관리", "환불 요청"],
        Some("refund-method"),
    ),
    (
        "신용카드 충전한 비용 영수증은 어디서 확인하나요?",
        ["결제 관리", "캐시 관리"],
        None,
    ),
    (
        "증액 가능한가요?",
        ["광고 만들기/보고서", "광고관리"],
        Some("budget-change"),
    ),
];

#[test]
fn the_shipped_content_checks_clean() {
    let report = doum::check::check(Path::new(CONTENT));
    assert!(report.is_ok(), "{}", report.problems.join("\n"));
    assert!(report.entries >= 67, "{} entries", report.entries);
    assert_eq!(report.decisions, 6);
}

#[test]
fn the_policy_entries_are_there_as_required() {
    let content = Content::load(Path::new(CONTENT)).unwrap();
    for (title, category, decision) in MANDATORY {
        let e = content
            .entries()
            .iter()
            .find(|e| e.title == title)
            .unwrap_or_else(|| panic!("no entry titled {title:?}"));
        assert_eq!(e.category.levels(), category, "{title}");
        if let Some(d) = decision {
            assert_eq!(e.decision.as_deref(), Some(d), "{title}");
        }
    }
    for e in content.entries() {
        assert_eq!(e.service, "브랜드 이모티콘 관리자센터", "{}", e.id);
    }
    for top in ["가입 및 기본사항", "광고 만들기/보고서", "결제 관리"] {
        assert!(
            content
                .entries()
                .iter()
                .filter(|e| e.category.levels()[0] == top)
                .count()
                >= 10,
            "{top}"
        );
    }
}

#[test]
fn check_reports_an_entry_naming_an_unknown_decision_with_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("content");
    common::copy_dir(Path::new(CONTENT), &dir);
    let file = dir.join("faq/payment/refund-withdrawn-member-card.md");
    let text = std::fs::read_to_string(&file).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("decision:"))
        .unwrap()
        + 1;
    std::fs::write(
        &file,
        text.replace("decision: refund-method", "decision: refund-mehtod"),
    )
    .unwrap();

    let report = doum::check::check(&dir);
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    let p = &report.problems[0];
    assert!(
        p.starts_with(&format!(
            "content/faq/payment/refund-withdrawn-member-card.md:{line}: decision `refund-mehtod`"
        )),
        "{p}"
    );
}
