//! Integration tests for `doum::content`: the content directory format is a
//! public contract, so every validation rule has a test asserting the file,
//! the line and the reason.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use doum::content::{CategoryPath, Content, ContentError, ContentErrors, EntryId};
use tempfile::TempDir;

// ---------------------------------------------------------------- helpers

/// A temporary `<tmp>/content` directory with the given files (paths relative
/// to `content/`).
struct Fixture {
    _tmp: TempDir,
    dir: PathBuf,
}

fn fixture(files: &[(&str, &str)]) -> Fixture {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("content");
    fs::create_dir_all(dir.join("faq")).unwrap();
    for (path, text) in files {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    Fixture { _tmp: tmp, dir }
}

/// A valid entry file for `id` (line numbers: `---` 1, id 2, title 3,
/// service 4, category 5, updated 6, `---` 7, body 8).
fn entry(id: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: 질문 {id}?\nservice: 브랜드 이모티콘 관리자센터\ncategory: [결제 관리]\nupdated: 2026-10-01\n---\n답변 {id}.\n"
    )
}

/// `entry(id)` with the line starting with `key:` replaced by `line`
/// (or removed if `line` is empty).
fn entry_with(id: &str, key: &str, line: &str) -> String {
    let text = entry(id);
    let prefix = format!("{key}:");
    assert!(text.contains(&prefix), "no key {key} in template");
    text.lines()
        .filter_map(|l| {
            if l.starts_with(&prefix) {
                (!line.is_empty()).then_some(line)
            } else {
                Some(l)
            }
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// `entry(id)` with `extra` lines added at the end of the front matter
/// (from line 7 on; the closing `---` moves down).
fn entry_plus(id: &str, extra: &str) -> String {
    entry(id).replacen("\n---\n", &format!("\n{extra}\n---\n"), 1)
}

fn load_err(files: &[(&str, &str)]) -> Vec<ContentError> {
    let f = fixture(files);
    match Content::load(&f.dir) {
        Ok(c) => panic!("expected errors, loaded {} entries", c.entries().len()),
        Err(ContentErrors(errors)) => {
            assert!(!errors.is_empty());
            errors
        }
    }
}

/// Asserts exactly one error, at `file`:`line`, whose message contains `reason`.
fn assert_one(errors: &[ContentError], file: &str, line: usize, reason: &str) {
    assert_eq!(
        errors.len(),
        1,
        "expected one error, got:\n{}",
        show(errors)
    );
    assert_error(&errors[0], file, line, reason);
}

fn assert_error(e: &ContentError, file: &str, line: usize, reason: &str) {
    assert_eq!(e.file, Path::new(file), "file of: {e}");
    assert_eq!(e.line, line, "line of: {e}");
    assert!(e.message.contains(reason), "expected `{reason}` in: {e}");
}

fn show(errors: &[ContentError]) -> String {
    ContentErrors(errors.to_vec()).to_string()
}

// ---------------------------------------------------------------- valid content

fn valid_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/content/valid")
}

#[test]
fn valid_multi_folder_directory_loads_everything() {
    let content = Content::load(&valid_dir()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(content.root(), valid_dir());

    // Sorted by id; README.txt and the hidden .draft.md are ignored.
    let ids: Vec<&str> = content.entries().iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "emoticon-proposal-review",
            "login-kakao-account-lost",
            "refund-account-register",
            "refund-withdrawn-member-card",
        ]
    );

    let e = content.get("refund-withdrawn-member-card").unwrap();
    assert_eq!(
        &*e.title,
        "탈퇴한 멤버가 결제했던 내역의 카드취소는 가능한가요?"
    );
    assert_eq!(&*e.service, "브랜드 이모티콘 관리자센터");
    assert_eq!(e.category.levels(), ["결제 관리", "환불 요청"]);
    assert_eq!(e.category.joined(), "결제 관리/환불 요청");
    assert_eq!(
        e.category.breadcrumb(&e.service),
        "브랜드 이모티콘 관리자센터 > 결제 관리 > 환불 요청"
    );
    assert_eq!(e.keywords, ["카드취소", "현금환불"]);
    assert_eq!(e.updated, NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
    assert_eq!(e.decision.as_deref(), Some("refund-method"));
    let related: Vec<&str> = e.related.iter().map(|r| r.as_str()).collect();
    assert_eq!(
        related,
        ["refund-account-register", "emoticon-proposal-review"]
    );
    for r in &e.related {
        assert!(content.get(r.as_str()).is_some());
    }
    assert_eq!(
        e.source,
        Path::new("valid/faq/emoticon/payment/refund-withdrawn-member-card.md").into()
    );
    assert!(e.body.markdown().starts_with("탈퇴한 멤버가"));
    assert!(
        e.body.html().contains("<strong>카드취소가 불가능</strong>"),
        "{}",
        e.body.html()
    );
    assert!(
        e.body
            .html()
            .contains("<a href=\"/faq/refund-account-register\">")
    );
    assert_eq!(
        e.body.text(),
        "탈퇴한 멤버가 결제한 내역은 카드취소가 불가능합니다.\n\
         대신 아래 방법으로 현금 환불을 요청할 수 있습니다.\n\
         환불 계좌 등록\n\
         고객센터에 환불 요청 접수"
    );

    // Block-style category list, no keywords, soft line break.
    let e = content.get("refund-account-register").unwrap();
    assert_eq!(
        e.category,
        CategoryPath::parse("결제 관리/환불 요청").unwrap()
    );
    assert!(e.keywords.is_empty());
    assert_eq!(e.decision, None);
    assert_eq!(
        e.body.text(),
        "[관리자센터] > [결제 관리] > [환불 계좌]에서 등록할 수 있습니다. 예금주는 사업자 명의와 같아야 합니다."
    );

    // Raw HTML is escaped, tables and strikethrough render.
    let e = content.get("emoticon-proposal-review").unwrap();
    assert_eq!(e.category.levels(), ["제안 심사"]);
    assert!(!e.body.html().contains("<b>"), "{}", e.body.html());
    assert!(!e.body.html().contains("<script"), "{}", e.body.html());
    assert!(
        e.body.html().contains("&lt;b&gt;2주&lt;/b&gt;"),
        "{}",
        e.body.html()
    );
    assert!(
        e.body.html().contains("&lt;script&gt;"),
        "{}",
        e.body.html()
    );
    assert!(e.body.html().contains("<table>"), "{}", e.body.html());
    assert!(
        e.body.html().contains("<del>3주</del>"),
        "{}",
        e.body.html()
    );
    for markup in ["<", ">", "|", "~~", "**"] {
        assert!(
            !e.body.text().contains(markup),
            "`{markup}` in {:?}",
            e.body.text()
        );
    }
    assert!(
        e.body.text().starts_with("심사는 보통 2주 걸립니다.\n"),
        "{:?}",
        e.body.text()
    );
    assert!(
        e.body.text().contains("심사 3주 2주"),
        "{:?}",
        e.body.text()
    );

    // Three category levels, a quoted title with ':', a YAML comment.
    let e = content.get("login-kakao-account-lost").unwrap();
    assert_eq!(&*e.title, "카카오계정을 잃어버렸어요: 어떻게 하나요?");
    assert_eq!(
        e.category.prefixes(),
        ["로그인", "로그인/카카오계정", "로그인/카카오계정/분실"]
    );
    assert_eq!(e.updated, NaiveDate::from_ymd_opt(2025, 12, 31).unwrap());
    assert_eq!(
        e.body.text(),
        "카카오계정 찾기에서 이메일 또는 전화번호로 찾을 수 있습니다.\n찾을 수 없다면 고객센터로 문의해 주세요."
    );

    assert_eq!(
        content.synonyms().groups(),
        [
            vec!["환불", "환급", "돈 돌려받기"],
            vec!["카드취소", "결제취소"]
        ]
    );
    assert!(content.get("no-such-entry").is_none());
}

#[test]
fn synonyms_file_is_optional() {
    let f = fixture(&[("faq/a.md", &entry("a"))]);
    let content = Content::load(&f.dir).unwrap();
    assert!(content.synonyms().groups().is_empty());
    assert_eq!(content.entries().len(), 1);
    assert_eq!(&*content.entries()[0].source, Path::new("content/faq/a.md"));
}

#[test]
fn non_markdown_files_are_ignored() {
    let f = fixture(&[
        ("faq/a.md", &entry("a")),
        ("faq/notes.txt", "not: [valid"),
        ("faq/sub/image.png", "\u{1}binary"),
    ]);
    assert_eq!(Content::load(&f.dir).unwrap().entries().len(), 1);
}

#[test]
fn entry_id_and_category_types() {
    let id: EntryId = "refund-card".parse().unwrap();
    assert_eq!(id.to_string(), "refund-card");
    assert_eq!(serde_json::to_string(&id).unwrap(), "\"refund-card\"");
    assert!(serde_json::from_str::<EntryId>("\"Refund\"").is_err());
    assert!(EntryId::try_from("a--b".to_owned()).is_err());
    let c = CategoryPath::parse("결제 관리/환불 요청").unwrap();
    assert_eq!(
        serde_json::to_string(&c).unwrap(),
        r#"["결제 관리","환불 요청"]"#
    );
    assert!(CategoryPath::parse("").is_err());
    assert!(CategoryPath::parse("a/b/c/d").is_err());
}

// ---------------------------------------------------------------- errors, one per case

#[test]
fn no_front_matter() {
    let errors = load_err(&[("faq/a.md", "# 제목\n답변\n")]);
    assert_one(&errors, "content/faq/a.md", 1, "no front matter");
}

#[test]
fn unterminated_front_matter() {
    let errors = load_err(&[("faq/a.md", "---\nid: a\ntitle: 질문\n답변\n")]);
    assert_one(&errors, "content/faq/a.md", 1, "unterminated front matter");
}

#[test]
fn broken_yaml_reports_the_file_line() {
    // `title: a: b` on file line 3 is a YAML syntax error.
    let text = entry_with("a", "title", "title: 질문: 이것");
    let errors = load_err(&[("faq/a.md", &text)]);
    assert_one(&errors, "content/faq/a.md", 3, "invalid YAML");
}

#[test]
fn broken_yaml_further_down() {
    let text = entry_with("a", "updated", "updated: [2026-10-01");
    let errors = load_err(&[("faq/a.md", &text)]);
    assert_eq!(errors.len(), 1, "{}", show(&errors));
    assert_eq!(errors[0].file, Path::new("content/faq/a.md"));
    assert!(errors[0].message.contains("invalid YAML"), "{}", errors[0]);
    // The flow sequence opened on line 6 is reported at or after it, inside the front matter.
    assert!((6..=7).contains(&errors[0].line), "{}", errors[0]);
}

#[test]
fn duplicate_key_is_broken_yaml() {
    let text = entry_plus("a", "title: 또");
    let errors = load_err(&[("faq/a.md", &text)]);
    assert_one(
        &errors,
        "content/faq/a.md",
        7,
        "duplicate key `title` (first on line 3)",
    );
}

#[test]
fn missing_field_is_reported_at_the_front_matter_start() {
    let text = entry_with("a", "service", "");
    let errors = load_err(&[("faq/a.md", &text)]);
    assert_one(&errors, "content/faq/a.md", 1, "missing field `service`");
}

#[test]
fn every_missing_field_is_reported() {
    let errors = load_err(&[("faq/a.md", "---\n---\n답변\n")]);
    assert_eq!(errors.len(), 5, "{}", show(&errors));
    for (e, key) in errors
        .iter()
        .zip(["id", "title", "service", "category", "updated"])
    {
        assert_error(e, "content/faq/a.md", 1, &format!("missing field `{key}`"));
    }
}

#[test]
fn wrong_type() {
    let text = entry_with("a", "category", "category: 결제 관리");
    let errors = load_err(&[("faq/a.md", &text)]);
    assert_one(&errors, "content/faq/a.md", 5, "wrong type for `category`");

    let text = entry_with("a", "title", "title: [질문]");
    let errors = load_err(&[("faq/a.md", &text)]);
    assert_one(&errors, "content/faq/a.md", 3, "wrong type for `title`");

    let text = entry_plus("a", "keywords: [환불, 3]");
    let errors = load_err(&[("faq/a.md", &text)]);
    assert_one(&errors, "content/faq/a.md", 7, "wrong type for `keywords`");
}

#[test]
fn unknown_key_is_reported_at_its_line() {
    let text = entry_with("a", "title", "titel: 질문");
    let errors = load_err(&[("faq/a.md", &text)]);
    // The typo is reported at its own line, and the real key is missing.
    assert_eq!(errors.len(), 2, "{}", show(&errors));
    assert_error(&errors[0], "content/faq/a.md", 1, "missing field `title`");
    assert_error(
        &errors[1],
        "content/faq/a.md",
        3,
        "unknown key `titel` (expected one of id, title, service, category, keywords, updated, decision, related)",
    );
    assert!(
        errors[1]
            .to_string()
            .starts_with("content/faq/a.md:3: unknown key `titel` (expected one of id, title, ")
    );
}

#[test]
fn bad_date() {
    for bad in ["2026-13-01", "2026-02-30", "2026-1-1", "2026/10/01", "어제"] {
        let text = entry_with("a", "updated", &format!("updated: {bad}"));
        let errors = load_err(&[("faq/a.md", &text)]);
        assert_one(&errors, "content/faq/a.md", 6, &format!("bad date `{bad}`"));
    }
}

#[test]
fn bad_id() {
    let text = entry_with("Refund_Card", "id", "id: Refund_Card");
    let errors = load_err(&[("faq/Refund_Card.md", &text)]);
    assert_one(
        &errors,
        "content/faq/Refund_Card.md",
        2,
        "invalid id `Refund_Card`",
    );
}

#[test]
fn id_must_equal_file_stem() {
    let errors = load_err(&[("faq/sub/b.md", &entry("a"))]);
    assert_one(
        &errors,
        "content/faq/sub/b.md",
        2,
        "does not match the file name `b.md`",
    );
}

#[test]
fn bad_decision_id() {
    let text = entry_plus("a", "decision: Refund Method");
    let errors = load_err(&[("faq/a.md", &text)]);
    assert_one(
        &errors,
        "content/faq/a.md",
        7,
        "bad decision id `Refund Method`",
    );
}

#[test]
fn empty_title() {
    let text = entry_with("a", "title", "title: '  '");
    let errors = load_err(&[("faq/a.md", &text)]);
    assert_one(&errors, "content/faq/a.md", 3, "empty title");
}

#[test]
fn empty_service() {
    let text = entry_with("a", "service", "service: ''");
    let errors = load_err(&[("faq/a.md", &text)]);
    assert_one(&errors, "content/faq/a.md", 4, "empty service");
}

#[test]
fn empty_body() {
    let text = entry("a").replace("답변 a.\n", "\n  \n");
    let errors = load_err(&[("faq/a.md", &text)]);
    assert_one(&errors, "content/faq/a.md", 7, "empty body");
}

#[test]
fn category_levels() {
    let cases = [
        ("category: []", "found 0"),
        ("category: [a, b, c, d]", "found 4"),
        ("category: [결제 관리, '']", "level 2 is empty"),
    ];
    for (line, reason) in cases {
        let text = entry_with("a", "category", line);
        let errors = load_err(&[("faq/a.md", &text)]);
        assert_one(&errors, "content/faq/a.md", 5, reason);
    }
}

#[test]
fn a_large_content_is_parsed_in_parallel_with_every_error_in_file_order() {
    // Enough files for the parallel parse (512 and more): the errors come
    // from files read by different threads and must still be complete,
    // sorted and at the right lines.
    let ids: Vec<String> = (0..1200).map(|i| format!("e{i:04}")).collect();
    let mut files: Vec<(String, String)> = ids
        .iter()
        .map(|id| (format!("faq/{id}.md"), entry(id)))
        .collect();
    files[7].1 = entry_with("e0007", "updated", "updated: 2026-13-01");
    files[1100].1 = "no front matter".to_owned();
    files.push(("faq/z/e0500.md".to_owned(), entry("e0500")));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let errors = load_err(&refs);
    let places: Vec<(String, usize)> = errors
        .iter()
        .map(|e| (e.file.display().to_string(), e.line))
        .collect();
    assert_eq!(
        places,
        [
            ("content/faq/e0007.md".to_owned(), 6),
            ("content/faq/e1100.md".to_owned(), 1),
            ("content/faq/z/e0500.md".to_owned(), 2),
        ],
        "{errors:?}"
    );
    assert!(errors[2].message.contains("duplicate id `e0500`"));

    // Without the errors, every entry loads, sorted by id.
    files.truncate(1200);
    files[7].1 = entry("e0007");
    files[1100].1 = entry("e1100");
    let f = fixture(
        &files
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect::<Vec<_>>(),
    );
    let content = Content::load(&f.dir).unwrap();
    let loaded: Vec<&str> = content.entries().iter().map(|e| e.id.as_str()).collect();
    assert_eq!(loaded, ids);
}

#[test]
fn duplicate_id_names_both_files() {
    let errors = load_err(&[("faq/one/a.md", &entry("a")), ("faq/two/a.md", &entry("a"))]);
    assert_one(&errors, "content/faq/two/a.md", 2, "duplicate id `a`");
    assert!(
        errors[0].message.contains("content/faq/one/a.md:2"),
        "{}",
        errors[0]
    );
}

#[test]
fn related_id_must_exist() {
    let text = entry_plus("a", "related: [b, missing]");
    let errors = load_err(&[("faq/a.md", &text), ("faq/b.md", &entry("b"))]);
    assert_one(
        &errors,
        "content/faq/a.md",
        7,
        "related entry `missing` does not exist",
    );
}

#[test]
fn related_to_an_entry_with_other_errors_is_not_reported_missing() {
    let text = entry_plus("a", "related: [b]");
    let broken_b = entry_with("b", "title", "title: ''");
    let errors = load_err(&[("faq/a.md", &text), ("faq/b.md", &broken_b)]);
    assert_one(&errors, "content/faq/b.md", 3, "empty title");
}

#[test]
fn entry_relating_to_itself() {
    let text = entry_plus("a", "related:\n  - a");
    let errors = load_err(&[("faq/a.md", &text)]);
    assert_one(&errors, "content/faq/a.md", 7, "relates to itself");
}

#[test]
fn bad_synonyms_are_reported_with_lines() {
    let errors = load_err(&[
        ("faq/a.md", &entry("a")),
        (
            "synonyms.yaml",
            "groups:\n  - [환불, 환급]\n  - [혼자]\n  - [카드, '']\n",
        ),
    ]);
    assert_eq!(errors.len(), 2, "{}", show(&errors));
    assert_error(&errors[0], "content/synonyms.yaml", 3, "at least 2");
    assert_error(&errors[1], "content/synonyms.yaml", 4, "empty");
}

#[test]
fn synonyms_must_be_lists_of_lists() {
    let errors = load_err(&[
        ("faq/a.md", &entry("a")),
        ("synonyms.yaml", "groups: 환불\n"),
    ]);
    assert_one(
        &errors,
        "content/synonyms.yaml",
        1,
        "wrong type for `groups`",
    );
    let errors = load_err(&[
        ("faq/a.md", &entry("a")),
        ("synonyms.yaml", "group:\n  - [a, b]\n"),
    ]);
    assert_eq!(errors.len(), 2, "{}", show(&errors));
    assert_error(
        &errors[0],
        "content/synonyms.yaml",
        1,
        "unknown key `group`",
    );
    assert_error(
        &errors[1],
        "content/synonyms.yaml",
        1,
        "missing key `groups`",
    );
    let errors = load_err(&[
        ("faq/a.md", &entry("a")),
        ("synonyms.yaml", "groups:\n  - [a, b\n"),
    ]);
    assert_eq!(errors.len(), 1, "{}", show(&errors));
    assert!(errors[0].message.contains("invalid YAML"), "{}", errors[0]);
}

#[test]
fn missing_faq_dir_tells_what_to_do() {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("content");
    fs::create_dir(&dir).unwrap();
    let errors = Content::load(&dir).unwrap_err().0;
    assert_eq!(errors.len(), 1, "{}", show(&errors));
    assert_eq!(errors[0].file, Path::new("content/faq"));
    assert!(errors[0].message.contains("create"), "{}", errors[0]);
    assert!(errors[0].message.contains("faq"), "{}", errors[0]);
    assert_eq!(
        errors[0].to_string(),
        format!("content/faq: {}", errors[0].message)
    );
}

#[test]
fn missing_content_dir() {
    let tmp = TempDir::new().unwrap();
    let errors = Content::load(&tmp.path().join("content")).unwrap_err().0;
    assert_eq!(errors.len(), 1, "{}", show(&errors));
    assert!(
        errors[0].message.contains("does not exist"),
        "{}",
        errors[0]
    );
}

// ---------------------------------------------------------------- collection

#[test]
fn all_errors_are_collected_across_files() {
    let errors = load_err(&[
        ("faq/a.md", &entry_with("a", "title", "titel: 질문")),
        ("faq/x/b.md", "no front matter\n"),
        (
            "faq/x/y/c.md",
            &entry_with("c", "updated", "updated: 2026-02-30"),
        ),
        ("faq/d.md", &entry("d")),
    ]);
    let files: Vec<&Path> = errors.iter().map(|e| e.file.as_path()).collect();
    for f in [
        "content/faq/a.md",
        "content/faq/x/b.md",
        "content/faq/x/y/c.md",
    ] {
        assert!(
            files.contains(&Path::new(f)),
            "no error for {f}:\n{}",
            show(&errors)
        );
    }
    assert!(errors.len() >= 3);
    // Sorted by file then line.
    let mut sorted = errors.clone();
    sorted.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    assert_eq!(errors, sorted);
    // Display: one error per line.
    assert_eq!(show(&errors).lines().count(), errors.len());
}

#[test]
fn all_problems_in_one_file_are_reported() {
    let text = "---\nid: Bad\ntitle: ''\nservice: 서비스\ncategory: []\nupdated: 2026-99-99\nextra: 1\nrelated: [Nope]\n---\n\n";
    let errors = load_err(&[("faq/Bad.md", text)]);
    let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [2, 3, 5, 6, 7, 8, 9], "{}", show(&errors));
}

#[test]
fn crlf_files_load() {
    let text = entry("a").replace('\n', "\r\n");
    let f = fixture(&[("faq/a.md", &text)]);
    let content = Content::load(&f.dir).unwrap_or_else(|e| panic!("{e}"));
    let e = content.get("a").unwrap();
    assert_eq!(&*e.title, "질문 a?");
    assert_eq!(e.body.text(), "답변 a.");
}

#[test]
fn misnamed_synonyms_file_is_reported() {
    let errors = load_err(&[("faq/a.md", &entry("a")), ("synonyms.yml", "groups: []\n")]);
    assert_one(&errors, "content/synonyms.yml", 0, "synonyms.yaml");
}

#[test]
fn related_to_an_unreadable_entry_is_not_reported_missing() {
    let a = entry_plus("a", "related: [b]");
    let errors = load_err(&[("faq/a.md", &a), ("faq/b.md", "no front matter\n")]);
    assert_one(&errors, "content/faq/b.md", 1, "no front matter");
}

// ---------------------------------------------------------------- shared facts (facts.yaml)

const FACTS: &str = "# shared values\ncreative_d_day: { type: d_day, value: 10 }\ntop_up_min: { type: won, value: 1000 }\nreturn_days: { type: days, value: 2 }\n";

#[test]
fn a_fact_renders_in_an_entry_body() {
    let body = "소재는 {creative_d_day}까지 등록합니다. 시작 {creative_d_day.value}일 전입니다.\n\n- 최소 {top_up_min}, {return_days} 이내\n- 중괄호는 {{그대로}} 씁니다.\n";
    let text = format!("{}{body}", entry("a").replace("답변 a.\n", ""));
    let f = fixture(&[("facts.yaml", FACTS), ("faq/a.md", &text)]);
    let c = Content::load(&f.dir).unwrap_or_else(|e| panic!("{e}"));
    let e = c.get("a").unwrap();
    assert!(
        e.body
            .text()
            .contains("소재는 D-10까지 등록합니다. 시작 10일 전입니다."),
        "{}",
        e.body.text()
    );
    assert!(
        e.body.text().contains("최소 1,000원, 2일 이내"),
        "{}",
        e.body.text()
    );
    assert!(e.body.text().contains("{그대로}"), "{}", e.body.text());
    assert!(e.body.html().contains("D-10"), "{}", e.body.html());
    assert!(!e.body.markdown().contains("{creative_d_day}"));
    assert_eq!(
        c.facts().get("top_up_min").unwrap().value.to_string(),
        "1,000원"
    );
}

#[test]
fn an_unknown_fact_in_a_body_is_an_error_at_its_line() {
    // Body starts on line 8; the unknown fact is on the body's third line.
    let text = entry("a").replace(
        "답변 a.\n",
        "첫 줄입니다.\n\n기한은 {creative_dday}입니다.\n",
    );
    let errors = load_err(&[("facts.yaml", FACTS), ("faq/a.md", &text)]);
    assert_one(
        &errors,
        "content/faq/a.md",
        10,
        "unknown fact `{creative_dday}` (declared in facts.yaml: creative_d_day, return_days, top_up_min",
    );
}

#[test]
fn a_bad_facts_file_is_reported_with_its_line() {
    let errors = load_err(&[
        (
            "facts.yaml",
            "ok: { type: won, value: 1 }\nbad: { type: money, value: 1 }\n",
        ),
        ("faq/a.md", &entry("a")),
    ]);
    assert_one(
        &errors,
        "content/facts.yaml",
        2,
        "fact `bad`: unknown type `money`",
    );
}
