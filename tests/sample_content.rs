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
            .find(|e| &*e.title == title)
            .unwrap_or_else(|| panic!("no entry titled {title:?}"));
        assert_eq!(e.category.levels(), category, "{title}");
        if let Some(d) = decision {
            assert_eq!(e.decision.as_deref(), Some(d), "{title}");
        }
    }
    for e in content.entries() {
        assert_eq!(&*e.service, "브랜드 이모티콘 관리자센터", "{}", e.id);
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

/// A copy of the shipped content to break on purpose.
fn copy() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("content");
    common::copy_dir(Path::new(CONTENT), &dir);
    (tmp, dir)
}

/// 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn the_shipped_content_has_no_warnings() {
    let report = doum::check::check(Path::new(CONTENT));
    assert!(report.warnings.is_empty(), "{}", report.warnings.join("\n"));
}

#[test]
fn drifting_numbers_and_informal_endings_are_warnings_with_their_line() {
    let (_tmp, dir) = copy();
    let entry = dir.join("faq/getting-started/creative-delivery-deadline.md");
    let mut text = std::fs::read_to_string(&entry).unwrap();
    text.push_str(
        "\n소재는 D-12까지 보내 주세요. 늦으면 취소돼요.\n최소 충전 금액은 1,000원입니다.\n",
    );
    std::fs::write(&entry, &text).unwrap();
    let drift_line = line_of(&text, "D-12");
    let amount_line = line_of(&text, "1,000원입니다");

    let rules = dir.join("rules/budget-change.yaml");
    let yaml = std::fs::read_to_string(&rules)
        .unwrap()
        .replace("캐시로 돌아옵니다.\n    related: [budget-increase-not-allowed, campaign-period-min-budget]", "캐시로 돌아와요.\n    related: [budget-increase-not-allowed, campaign-period-min-budget]");
    std::fs::write(&rules, &yaml).unwrap();
    let yaml_line = line_of(&yaml, "캐시로 돌아와요.");

    let report = doum::check::check(&dir);
    assert!(report.is_ok(), "warnings only: {:?}", report.problems);
    let file = "content/faq/getting-started/creative-delivery-deadline.md";
    let expected = [
        format!(
            "{file}:{drift_line}: warning: `D-12` differs from every D-day declared in facts.yaml (D-2 `approval_d_day`, D-14 `creation_d_day`, D-10 `creative_d_day`)"
        ),
        format!("{file}:{drift_line}: warning: `취소돼요`: sentence ends outside 합니다체"),
        format!(
            "{file}:{amount_line}: warning: `1,000원` is written out: write `{{top_up_min}}` so it follows facts.yaml"
        ),
        format!(
            "content/rules/budget-change.yaml:{yaml_line}: warning: `돌아와요`: sentence ends outside 합니다체"
        ),
    ];
    for want in &expected {
        assert!(
            report.warnings.iter().any(|w| w.starts_with(want.as_str())),
            "no {want:?} in\n{}",
            report.warnings.join("\n")
        );
    }
    assert_eq!(
        report.warnings.len(),
        expected.len(),
        "{:#?}",
        report.warnings
    );

    // The command prints the warnings and still succeeds.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_doum"))
        .arg("--content")
        .arg(&dir)
        .arg("check")
        .env("DOUM_DICT_DIR", common::dict_dir())
        .env("DOUM_MODEL_DIR", common::model_dir())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains(&expected[0]), "{stdout}");
    assert!(stdout.contains("(4 warning(s))"), "{stdout}");
}

#[test]
fn decisions_and_entries_must_point_at_each_other() {
    let (_tmp, dir) = copy();
    // sales-rights no longer links back to sales-rights-overview, which names it.
    let rules = dir.join("rules/sales-rights.yaml");
    let yaml = std::fs::read_to_string(&rules)
        .unwrap()
        .replace("related: [sales-rights-overview, ", "related: [");
    std::fs::write(&rules, yaml).unwrap();
    // A decision that no entry names.
    let orphan = std::fs::read_to_string(dir.join("rules/auto-payment.yaml"))
        .unwrap()
        .replace("id: auto-payment", "id: auto-payment-copy");
    std::fs::write(dir.join("rules/zz-orphan.yaml"), &orphan).unwrap();

    let report = doum::check::check(&dir);
    let entry = dir.join("faq/getting-started/sales-rights-overview.md");
    let line = line_of(&std::fs::read_to_string(entry).unwrap(), "decision:");
    let id_line = line_of(&orphan, "id: auto-payment-copy");
    assert_eq!(
        report.problems,
        [
            format!(
                "content/faq/getting-started/sales-rights-overview.md:{line}: decision `sales-rights` never links back to this entry: add `sales-rights-overview` to the `related:` of at least one of its answers"
            ),
            format!(
                "content/rules/zz-orphan.yaml:{id_line}: no entry names decision `auto-payment-copy` (`decision: auto-payment-copy` in front matter), so no page shows it"
            ),
        ]
    );
}

#[test]
fn an_unknown_fact_fails_the_check_with_its_line() {
    let (_tmp, dir) = copy();
    let entry = dir.join("faq/payment/individual-cash-top-up.md");
    let text = std::fs::read_to_string(&entry)
        .unwrap()
        .replace("{top_up_max}", "{top_up_maximum}");
    std::fs::write(&entry, &text).unwrap();
    let line = line_of(&text, "{top_up_maximum}");
    let report = doum::check::check(&dir);
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(
        report.problems[0].starts_with(&format!(
            "content/faq/payment/individual-cash-top-up.md:{line}: unknown fact `{{top_up_maximum}}`"
        )),
        "{}",
        report.problems[0]
    );
}

#[test]
fn review_notes_stay_in_the_sources() {
    // `# 확인 필요` marks invented specifics for the product owner: a YAML
    // comment in front matter, never part of what customers see or search.
    let content = Content::load(Path::new(CONTENT)).unwrap();
    let mut marked = 0;
    for e in content.entries() {
        let source =
            std::fs::read_to_string(Path::new(CONTENT).parent().unwrap().join(&e.source)).unwrap();
        marked += source.matches("# 확인 필요").count();
        let bodies = doum::content::Form::ALL.map(|form| e.body.read(form));
        for shown in std::iter::once(&e.title[..]).chain(bodies.iter().map(|b| &b[..])) {
            assert!(!shown.contains("확인 필요"), "{}", e.id);
        }
        assert!(
            !e.keywords.iter().any(|k| k.contains("확인 필요")),
            "{}",
            e.id
        );
    }
    assert!(marked >= 20, "{marked} review notes");
}

/// The entry on deleting one's chatbot history tells customers what to send;
/// the chatbot must recognise exactly that, or the entry is wrong.
#[test]
fn the_chat_history_entry_names_what_the_chatbot_recognises() {
    use doum::chat::forget::{CONFIRM_TEXT, ForgetRequest, forget_request};
    let content = Content::load(Path::new(CONTENT)).unwrap();
    let entry = content
        .get("chatbot-history-delete")
        .expect("the entry on deleting chatbot history");
    let body = entry.body.markdown();
    let quoted: Vec<&str> = body.split('`').skip(1).step_by(2).collect();
    assert_eq!(quoted.len(), 2, "the two phrases, in backticks: {body}");
    assert_eq!(forget_request(quoted[0]), Some(ForgetRequest::Asked));
    assert_eq!(quoted[1], CONFIRM_TEXT);
}
