//! Library-level search tests over the product's real content: the ten
//! mandatory policy entries must come first for natural customer queries,
//! spacing must not matter, and the Korean analysis keeps what it promises.

mod common;

use common::{CONTENT, analyzer, engine};
use std::sync::Arc;

use doum::search::{SearchRequest, SearchResults, Sort};

fn search(q: &str) -> Arc<SearchResults> {
    engine(CONTENT)
        .search(&SearchRequest::new(q).unwrap())
        .unwrap()
}

fn first(q: &str) -> Option<String> {
    search(q).hits.first().map(|h| h.id.clone())
}

/// Writes one entry into `content/faq/` of a test content directory.
fn write_entry(content: &std::path::Path, id: &str, title: &str, category: &str, body: &str) {
    let faq = content.join("faq");
    std::fs::create_dir_all(&faq).unwrap();
    let text = format!(
        "---\nid: {id}\ntitle: {title}\nservice: 관리자센터\ncategory: [{category}]\nupdated: 2026-10-01\n---\n{body}\n"
    );
    std::fs::write(faq.join(format!("{id}.md")), text).unwrap();
}

/// The ids of `engine`'s ranking for `q`, best first.
fn ranked_ids(engine: &doum::search::SearchEngine, q: &str) -> Vec<String> {
    engine
        .rank(q)
        .unwrap()
        .iter()
        .map(|r| r.entry.id.to_string())
        .collect()
}

/// A content directory of `entries` (id, title, body), all in `category`.
fn corpus(category: &str, entries: &[(&str, &str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for (id, title, body) in entries {
        write_entry(tmp.path(), id, title, category, body);
    }
    tmp
}

/// The ten mandatory entries, each with two natural queries a customer might
/// type (not copies of the title).
const MANDATORY: [(&str, [&str; 2]); 10] = [
    (
        "free-cash-status",
        [
            "무상캐시 사용상태 확인",
            "무료로 받은 캐시 쓰고 있는지 어디서 봐요?",
        ],
    ),
    (
        "change-campaign-creative",
        [
            "캠페인 소재 다른 걸로 바꾸기",
            "진행 중인 캠페인에 연결된 소재 변경 가능한가요",
        ],
    ),
    (
        "creative-delivery-deadline",
        [
            "브랜드이모티콘 소재 전달 기한",
            "이모티콘 소재 언제까지 보내야 해요?",
        ],
    ),
    (
        "overseas-payment",
        ["해외에서 결제할 수 있나요", "해외 카드로 캐시 충전 되나요?"],
    ),
    (
        "individual-cash-top-up",
        [
            "개인 광고주 현금 충전",
            "개인광고주인데 무통장입금으로 충전할 수 있어요?",
        ],
    ),
    (
        "auto-payment-card-registration",
        [
            "자동결제 카카오페이만 돼요?",
            "자동결제에 신용카드 등록할 수 있나요",
        ],
    ),
    (
        "sales-rights-individual",
        [
            "개인광고주 영업권 설정",
            "개인 광고주도 영업권 받을 수 있나요?",
        ],
    ),
    (
        "refund-withdrawn-member-card",
        [
            "탈퇴한 직원이 결제한 카드 취소",
            "퇴사한 멤버가 카드로 결제한 건 환불",
        ],
    ),
    (
        "card-charge-receipt",
        [
            "신용카드 충전 영수증 확인",
            "카드로 충전한 거 영수증 어디서 뽑아요?",
        ],
    ),
    (
        "budget-increase-not-allowed",
        ["예산 증액", "캠페인 예산 늘릴 수 있나요"],
    ),
];

fn mandatory_misses(include: impl Fn(&str) -> bool) -> Vec<String> {
    let content = engine(CONTENT).content().clone();
    let mut misses = Vec::new();
    for (id, queries) in MANDATORY {
        assert!(content.get(id).is_some(), "mandatory entry {id} is missing");
        for q in queries.into_iter().filter(|q| include(q)) {
            let got = first(q);
            if got.as_deref() != Some(id) {
                misses.push(format!("{q:?}: want {id}, got {got:?}"));
            }
        }
    }
    misses
}

#[test]
fn mandatory_entries_come_first_for_natural_queries() {
    let misses = mandatory_misses(|_| true);
    assert!(
        misses.is_empty(),
        "natural queries missed their mandatory entry:\n{}",
        misses.join("\n")
    );
}

/// The mandatory entries are in the top 3 for every natural query.
#[test]
fn mandatory_entries_are_near_the_top_for_every_natural_query() {
    for (id, queries) in MANDATORY {
        for q in queries {
            let res = search(q);
            let rank = res.hits.iter().position(|h| h.id == id);
            assert!(rank.is_some_and(|r| r < 3), "{q:?}: {id} at {rank:?}");
        }
    }
}

#[test]
fn the_mandatory_titles_find_themselves() {
    let content = engine(CONTENT).content().clone();
    for (id, _) in MANDATORY {
        let title = &content.get(id).unwrap().title;
        assert_eq!(first(title).as_deref(), Some(id), "title {title:?}");
    }
}

#[test]
fn spacing_does_not_change_the_first_hit() {
    let variants = [
        "무상캐시사용상태",
        "무상 캐시 사용 상태",
        "무상캐시 사용상태",
    ];
    let firsts: Vec<_> = variants.iter().map(|q| first(q)).collect();
    assert_eq!(firsts[0].as_deref(), Some("free-cash-status"), "{firsts:?}");
    assert!(
        firsts.iter().all(|f| f == &firsts[0]),
        "{variants:?} -> {firsts:?}"
    );

    let variants = ["세금계산서 발행", "세금 계산서 발행", "세금계산서발행"];
    let firsts: Vec<_> = variants.iter().map(|q| first(q)).collect();
    assert!(firsts[0].is_some());
    assert!(
        firsts.iter().all(|f| f == &firsts[0]),
        "{variants:?} -> {firsts:?}"
    );
}

/// What a question asks (the chatbot's and `ask`'s coverage) reads a
/// question typed with wrong spaces as the words meant: "캐시 충 전" asks
/// about 캐시 and 충전, not about the syllables 충 and 전.
#[test]
fn wrong_spaces_do_not_change_what_a_query_asks() {
    let engine = engine(CONTENT);
    for (typed, meant) in [("캐시 충 전", "캐시 충전"), ("무 통장 입금", "무통장 입금")]
    {
        let plan = |q: &str| engine.rank_question(q).unwrap().plan;
        let (typed, meant) = (plan(typed), plan(meant));
        assert_eq!(typed.concepts, meant.concepts, "{typed:?}");
        assert!(typed.concepts.iter().all(|c| c.known), "{typed:?}");
        assert!(typed.fuzzy.is_empty(), "{typed:?}");
    }
    // A question spaced right keeps its own reading.
    let plan = engine.rank_question("캐시 충전 방법").unwrap().plan;
    assert_eq!(plan.concepts.len(), 2, "{plan:?}");
    // The search ranks by what was meant too: its terms are 캐시 and 충전,
    // not the stray 충 and 전.
    let search = engine.plan("캐시 충 전");
    assert_eq!(search.concepts.len(), 2, "{search:?}");
    assert!(search.morphemes.contains(&"충전".to_string()), "{search:?}");
    assert!(!search.morphemes.contains(&"전".to_string()), "{search:?}");
}

/// A long question is taken as spaced as meant: its bigrams stay within
/// the words typed. A short query keeps the bigrams across its spaces,
/// which find a word split in two ("세금계 산서" → 계산).
#[test]
fn a_long_question_has_no_bigrams_across_its_spaces() {
    use doum::search::query::SPACED_QUESTION_WORDS;
    let engine = engine(CONTENT);
    let long = "회계 담당자가 바뀌어서 세금계산서를 새 담당자가 받아야 합니다. \
                아직도 예전 담당자 메일로 가고 있는데 어디서 바꾸나요?";
    assert!(long.split_whitespace().count() >= SPACED_QUESTION_WORDS);
    let plan = engine.plan(long);
    for within in ["담당", "당자", "계산", "산서", "메일"] {
        assert!(
            plan.bigrams.iter().any(|b| b == within),
            "{within}: {plan:?}"
        );
    }
    for across in ["계담", "가바", "서세", "를새", "새담", "자메"] {
        assert!(
            !plan.bigrams.iter().any(|b| b == across),
            "{across}: {plan:?}"
        );
    }
    let short = engine.plan("세금계 산서 발행");
    assert!(short.bigrams.iter().any(|b| b == "계산"), "{short:?}");
}

#[test]
fn words_run_together_are_read_as_the_words_the_content_knows() {
    // The dictionary segments "친구수통계" as 친구 + 수통 + 계: without the
    // split the whole word was taken for a typo, and its 통계 was lost.
    let tmp = corpus(
        "통계",
        &[
            (
                "friend-stats",
                "친구 수 통계는 어디서 보나요?",
                "관리자센터의 통계 메뉴에서 날짜별 친구 수를 볼 수 있습니다.",
            ),
            (
                "friend-drop",
                "친구가 갑자기 줄었어요",
                "친구가 채널을 차단하면 친구 목록에서 빠집니다.",
            ),
        ],
    );
    let engine = engine(tmp.path());
    let plan = engine.plan("친구수통계");
    assert!(plan.fuzzy.is_empty(), "{plan:?}");
    assert!(plan.morphemes.contains(&"통계".to_string()), "{plan:?}");
    assert!(plan.morphemes.contains(&"친구".to_string()), "{plan:?}");
    let ranked = engine.rank("친구수통계").unwrap();
    assert_eq!(ranked[0].entry.id.as_str(), "friend-stats");
    // A word the content does not know is not split into nothing.
    let hello = engine.plan("안녕하세요");
    assert!(hello.morphemes.contains(&"안녕".to_string()), "{hello:?}");
}

/// A run-together question holding a word the content lacks ("교체") or a
/// typo ("발숑") keeps the words the content knows, as the same question
/// typed with spaces does: the whole chunk taken for one typo had left the
/// chatbot a question about nothing, so it answered "not found".
#[test]
fn a_run_together_question_keeps_its_known_words_beside_an_unknown_one() {
    let tmp = corpus(
        "채널",
        &[
            (
                "profile-image",
                "채널 대표 이미지는 어떻게 바꾸나요?",
                "채널 설정에서 대표 이미지를 새로 올리면 바로 바뀝니다.",
            ),
            (
                "test-send",
                "테스트 발송은 어떻게 하나요?",
                "메시지 작성 화면에서 테스트 발송을 누르면 관리자에게 먼저 보내집니다.",
            ),
            (
                "friend-group",
                "친구 그룹은 어떻게 만드나요?",
                "친구 목록에서 그룹 만들기를 누릅니다.",
            ),
        ],
    );
    let engine = engine(tmp.path());
    let known = |q: &str| -> Vec<Vec<Vec<String>>> {
        let plan = engine.plan(q);
        plan.concepts
            .iter()
            .filter(|c| c.known)
            .map(|c| c.forms.clone())
            .collect()
    };
    let topics = doum::ask::choice::Topics::default();
    let verdict = |q: &str| {
        doum::ask::choice::choose(&engine, &topics, q)
            .unwrap()
            .verdict()
    };
    for (joined, spaced) in [
        ("대표이미지교체", "대표 이미지 교체"),
        ("테스트발숑", "테스트 발숑"),
    ] {
        let plan = engine.plan(joined);
        assert!(!known(joined).is_empty(), "{joined}: {plan:?}");
        assert_eq!(known(joined), known(spaced), "{joined}");
        assert_eq!(plan.fuzzy, engine.plan(spaced).fuzzy, "{joined}");
        assert_ne!(
            verdict(joined),
            doum::ask::choice::Verdict::Nothing,
            "{joined}: {plan:?}"
        );
        assert_eq!(verdict(joined), verdict(spaced), "{joined}");
    }
    assert!(known("대표이미지교체").iter().any(|f| f[0] == ["이미지"]));
    // The typo'd stretch alone is matched and corrected, not the chunk.
    let plan = engine.plan("테스트발숑");
    assert_eq!(plan.corrections.len(), 1, "{plan:?}");
    assert_eq!(plan.corrections[0][0].word, "발송", "{plan:?}");
    assert_eq!(plan.as_corrected("테스트발숑"), "테스트발송");
    assert_eq!(
        engine.rank("테스트발숑").unwrap()[0].entry.id.as_str(),
        "test-send"
    );
}

/// "…알려주세요" asks to be told about the rest of the question: the verb of
/// telling and its 주세요 are no words of it, for the ranking and for the
/// model, so an entry about notifying friends (알리다, 알림) does not come
/// first for every question ending so. Followed by anything but a request,
/// 알리다 is a word of the question ("알려 주려면": how to notify).
#[test]
fn a_request_to_be_told_is_not_part_of_the_question() {
    let tmp = corpus(
        "메시지",
        &[
            (
                "post-notify",
                "새 글을 올리면 친구에게 알림이 가나요?",
                "새 글은 알림으로 가지 않습니다. 친구들에게 알리려면 메시지로 공유해 알려 주세요.",
            ),
            (
                "message-reserve",
                "메시지를 예약 발송할 수 있나요?",
                "메시지 작성 화면에서 발송 시간을 정하면 예약 발송됩니다.",
            ),
            (
                "message-cancel",
                "보낸 메시지를 취소할 수 있나요?",
                "예약 발송한 메시지는 발송 전까지 취소할 수 있습니다.",
            ),
        ],
    );
    let engine = engine(tmp.path());
    let ids = |q: &str| ranked_ids(&engine, q);
    let plain = "메시지 예약 발송";
    for asked in [
        "메시지 예약 발송 알려주세요",
        "메시지 예약 발송 알려 주세요",
        "메시지 예약 발송 좀 알려줘",
        "메시지예약발송알려주세요",
        "메시지 예약 발송 가르쳐 주실 수 있나요?",
    ] {
        let plan = engine.plan(asked);
        assert!(
            !plan.morphemes.iter().any(|m| m == "알리" || m == "가르치"),
            "{asked}: {plan:?}"
        );
        assert!(
            !plan.bigrams.iter().any(|b| b == "알려"),
            "{asked}: {plan:?}"
        );
        assert_eq!(ids(asked), ids(plain), "{asked}");
        assert_eq!(ids(asked)[0], "message-reserve", "{asked}");
    }
    assert_eq!(
        doum::search::query::without_requests_to_be_told(
            engine.analyzer(),
            "메시지 예약 발송 알려 주세요?"
        ),
        "메시지 예약 발송?"
    );
    // Telling as the topic stays a word of the question.
    let plan = engine.plan("친구들에게 새 글을 따로 알려 주려면");
    assert!(plan.morphemes.iter().any(|m| m == "알리"), "{plan:?}");
    assert_eq!(ids("친구들에게 새 글을 따로 알려 주려면")[0], "post-notify");
}

/// Courtesy words say only that something is asked: 드리다 and 돕다 (light
/// verbs, like 하다) and 부탁 (like 문의) are no words of the question, so
/// "…부탁드립니다" asks what the question before it asks (the content's own
/// "안내해 드립니다" made 드리 a word it "knew").
#[test]
fn courtesy_words_are_no_words_of_the_question() {
    let engine = engine(CONTENT);
    let plain = engine.plan("환불계좌 변경");
    for asked in [
        "환불계좌 변경 부탁드립니다",
        "환불계좌 변경 문의 드려요",
        // Run together, the dictionary reads 문 (door) + 의 + 드립니다: the
        // chunk is read as 문의 and a tail without content.
        "환불계좌 변경 문의드립니다",
        "환불계좌 변경 좀 도와주세요",
    ] {
        let plan = engine.plan(asked);
        assert_eq!(plan.morphemes, plain.morphemes, "{asked}");
        assert_eq!(plan.concepts, plain.concepts, "{asked}");
        assert_eq!(
            ranked_ids(&engine, asked)[0],
            ranked_ids(&engine, "환불계좌 변경")[0],
            "{asked}"
        );
    }
}

#[test]
fn a_typo_is_ranked_as_the_word_it_stands_for() {
    // The fuzzy match alone gave every entry holding a word near "환뷸" the
    // same score: the typo'd head word counted as missing, and "캐시 환뷸"
    // put 유상/무상캐시 first.
    let engine = engine(CONTENT);
    for (typo, meant) in [
        ("캐시 환뷸", "캐시 환불"),
        ("세금게산서 발행", "세금계산서 발행"),
    ] {
        let ids = |q: &str| -> Vec<String> {
            engine.rank(q).unwrap()[..3]
                .iter()
                .map(|r| r.entry.id.to_string())
                .collect()
        };
        assert_eq!(ids(typo), ids(meant), "{typo}");
        // The embedding model reads the query as meant.
        assert_eq!(engine.plan(typo).as_corrected(typo), meant);
    }
    let plan = engine.plan("캐시 환뷸");
    assert_eq!(plan.corrections.len(), 1, "{plan:?}");
    assert_eq!(plan.corrections[0][0].word, "환불");
    assert!(plan.highlight_terms().contains(&"환불".to_string()));
    // The typo made the dictionary read the word's end as particles
    // (다운 + 로 + 두): the whole chunk is the typo'd word, and the word it
    // stands for brings its synonyms (내려받다, which the entry's title uses).
    let plan = engine.plan("보고서 다운로두");
    assert_eq!(plan.corrections[0][0].word, "다운로드", "{plan:?}");
    let first = |q: &str| engine.rank(q).unwrap()[0].entry.id.to_string();
    assert_eq!(first("보고서 다운로두"), "report-download");
    assert_eq!(first("보고서 다운로두"), first("보고서 다운로드"));

    // A real word the content lacks ("계약") is not read as its neighbour
    // ("예약"), which means something else.
    let tmp = tempfile::tempdir().unwrap();
    let faq = tmp.path().join("faq");
    std::fs::create_dir_all(&faq).unwrap();
    std::fs::write(
        faq.join("reserve.md"),
        "---\nid: reserve\ntitle: 메시지를 예약해서 보낼 수 있나요?\nservice: 관리자센터\ncategory: [메시지]\nupdated: 2026-10-01\n---\n발송 시간에서 예약을 고르면 됩니다.\n",
    )
    .unwrap();
    let small = common::engine(tmp.path());
    let plan = small.plan("계약 해지");
    assert_eq!(plan.fuzzy.len(), 1, "{plan:?}");
    assert!(plan.corrections.iter().all(|c| c.is_empty()), "{plan:?}");
    assert_eq!(plan.as_corrected("계약 해지"), "계약 해지");
    // "결재" is a real word (approval), but it sounds as 결제 does, and it
    // is the misspelling customers make of it: it is read as 결제.
    let plan = engine.plan("결재 수단 변경");
    assert_eq!(plan.as_corrected("결재 수단 변경"), "결제 수단 변경");
    assert_eq!(first("결재 수단 변경"), first("결제 수단 변경"));
    assert_ne!(first("결재 수단 변경"), first("수단 변경"));
    // Nor is a common word read as a neighbour that merely looks like it.
    let plan = engine.plan("상담원 연결 시간");
    assert_eq!(plan.as_corrected("상담원 연결 시간"), "상담원 연결 시간");
}

/// Misspellings the typo matching used to leave alone: a two-syllable
/// word typo'd into syllables the dictionary cannot read as a word ("츤구"
/// → 츤 | 구, too short to match fuzzily by its stem), a loanword spelled
/// as customers say it ("메세지", "비지니스"), which the dictionary holds as
/// a word of its own, a typo of a word only a synonym group holds
/// ("가걱"), and a typo'd part of a compound ("젠화번호"). Short real
/// words the content lacks stay what they are.
#[test]
fn short_typos_and_loanword_spellings_are_read_as_the_content_words() {
    let tmp = corpus(
        "채널",
        &[
            (
                "friend-group",
                "친구 그룹은 어떻게 만드나요?",
                "친구 목록에서 그룹 만들기를 누릅니다.",
            ),
            (
                "message-reserve",
                "메시지를 예약 발송할 수 있나요?",
                "메시지 작성 화면에서 발송 시간을 정하면 예약 발송됩니다.",
            ),
            (
                "business-verify",
                "비즈니스 인증은 어떻게 받나요?",
                "채널 설정에서 비즈니스 인증을 신청하고 사업자등록증을 올립니다.",
            ),
            (
                "message-price",
                "메시지 요금은 어떻게 정해지나요?",
                "받는 사람 한 명마다 요금이 붙습니다.",
            ),
            (
                "message-cancel",
                "보낸 메시지를 취소할 수 있나요?",
                "발송 전이라면 발송 목록에서 취소를 누릅니다.",
            ),
            (
                "home-info",
                "채널 홈에 전화번호를 넣으려면 어떻게 하나요?",
                "채널 설정의 홈 정보에서 전화번호와 주소를 입력합니다.",
            ),
            (
                "logo",
                "채널 로고는 어떤 크기로 올리나요?",
                "로고 이미지는 정사각형으로 올려 주세요. 상담 시간은 채팅 설정에서 정합니다.",
            ),
        ],
    );
    let engine = engine(tmp.path());
    let first = |q: &str| ranked_ids(&engine, q)[0].clone();
    for (typed, meant, id) in [
        ("츤구 그룹", "친구 그룹", "friend-group"),
        ("메세지 예약", "메시지 예약", "message-reserve"),
        ("비지니스 인증", "비즈니스 인증", "business-verify"),
        // 가격 is no word of the content, but of a synonym group with 요금.
        ("메시지 가걱", "메시지 가격", "message-price"),
        // 젠화 is near no word; the compound the content holds whole is.
        ("젠화번호 넣기", "전화번호 넣기", "home-info"),
        // 쮜소 is no word of the dictionary: a typo although read as one piece.
        ("메시지쮜소", "메시지취소", "message-cancel"),
    ] {
        let plan = engine.plan(typed);
        assert_eq!(plan.as_corrected(typed), meant, "{plan:?}");
        assert_eq!(first(typed), id, "{typed}");
    }
    // "츤구" alone was a question about nothing: no result, "not found".
    let plan = engine.plan("츤구");
    assert!(!plan.knows_nothing(), "{plan:?}");
    assert_eq!(first("츤구"), "friend-group");
    // Real short words the content lacks are not read as a neighbour: "로또"
    // is no typo of 로고, "상다" (a word of the dictionary) none of 상담.
    for typed in ["로또 번호", "상다 시간"] {
        let plan = engine.plan(typed);
        assert_eq!(plan.as_corrected(typed), typed, "{plan:?}");
    }
}

#[test]
fn words_typed_in_english_mode_are_read_as_hangul() {
    let engine = engine(CONTENT);
    let ids = |q: &str| ranked_ids(&engine, q);
    for (typed, meant) in [
        ("ghksqnf", "환불"),
        ("ghksqnfrPwhk", "환불계좌"),
        ("GHKSQNF tlscjd", "환불 신청"),
        ("캐시 ghksqnf", "캐시 환불"),
        ("ghksqnf qkdqjq?", "환불 방법?"),
        ("zoavpdls", "캠페인"),
    ] {
        assert_eq!(engine.plan(typed).read.as_deref(), Some(meant), "{typed}");
        assert_eq!(ids(typed), ids(meant), "{typed}");
        let results = search(typed);
        assert_eq!(results.read_as.as_deref(), Some(meant));
        assert_eq!(results.query, typed, "the query stays as typed");
        assert_eq!(results.total, search(meant).total, "{typed}");
    }
    // The results are highlighted as the words read.
    assert!(
        search("ghksqnf").hits[0]
            .snippet
            .marked("[", "]")
            .contains("[환불]")
    );
    // Latin the content knows, English it lacks, keys that spell no whole
    // syllable, and Hangul the content does not hold stay as typed.
    for typed in [
        "VAT",
        "vat 별도",
        "refund",
        "asdfghjkl",
        "dkssudgktpdy",
        "ghksqnr",
        "tn",
    ] {
        assert_eq!(engine.plan(typed).read, None, "{typed}");
        assert_eq!(search(typed).read_as, None, "{typed}");
    }
    assert!(search("VAT").total > 0);
    assert_eq!(
        search("ghksqnr").total,
        0,
        "a typo in English mode is not guessed"
    );
}

#[test]
fn autocomplete_keeps_the_best_titles_however_many_match() {
    let tmp = tempfile::tempdir().unwrap();
    let filler = |k: usize| "무".repeat(k);
    let mut expected_order = Vec::new();
    // Start of the title (rank 0), start of a later word (1), inside a word
    // (2), only in a keyword (3); lengths mixed, files in no useful order.
    for k in [5, 1, 3] {
        write_entry(
            tmp.path(),
            &format!("start-{k}"),
            &format!("계좌{}", filler(k)),
            "테스트",
            "본문",
        );
    }
    for k in [2, 6, 1, 4] {
        write_entry(
            tmp.path(),
            &format!("word-{k}"),
            &format!("{} 계좌", filler(k)),
            "테스트",
            "본문",
        );
    }
    for k in (1..=20).rev() {
        write_entry(
            tmp.path(),
            &format!("inside-{k:02}"),
            &format!("{}계좌", filler(k)),
            "테스트",
            "본문",
        );
    }
    let faq = tmp.path().join("faq");
    for k in 1..=5 {
        let text = format!(
            "---\nid: keyword-{k}\ntitle: {}\nservice: 관리자센터\ncategory: [테스트]\nkeywords: [계좌이체]\nupdated: 2026-10-01\n---\n본문\n",
            filler(k)
        );
        std::fs::write(faq.join(format!("keyword-{k}.md")), text).unwrap();
    }
    expected_order.extend(["start-1", "start-3", "start-5"]);
    expected_order.extend(["word-1", "word-2", "word-4", "word-6"]);
    expected_order.extend(["inside-01", "inside-02", "inside-03"]);
    let content = doum::config::load_content(tmp.path()).unwrap();
    let suggester = doum::search::Suggester::new(content);
    let ids = |typed: &str, limit: usize| -> Vec<String> {
        suggester
            .suggest(typed, limit)
            .into_iter()
            .map(|s| s.id)
            .collect()
    };
    // 32 titles match; the best eight are the three starting with it, the
    // four with a word starting with it, then the shortest with it inside.
    assert_eq!(ids("계좌", 8), expected_order[..8]);
    for limit in 1..=8 {
        assert_eq!(ids("계좌", limit), expected_order[..limit], "limit {limit}");
    }
    // One syllable (two jamo, remembered once computed), asked at every
    // limit, smallest first: the same order.
    for limit in 1..=8 {
        assert_eq!(
            ids("계", limit),
            expected_order[..limit],
            "계, limit {limit}"
        );
    }
    assert_eq!(ids("ㄱㅈ", 3), ["start-1", "start-3", "start-5"], "초성");
    // Half typed (ㄱㅖㅈㅘ), run together, and in English mode, the same.
    assert_eq!(ids("계좌", 8), ids("계ㅈ", 8));
    assert_eq!(ids("계좌", 8), ids("rPwhk", 8));
    // Only a keyword holds it: after every title that does.
    let by_keyword = ids("계좌이", 8);
    assert_eq!(
        by_keyword,
        [
            "keyword-1",
            "keyword-2",
            "keyword-3",
            "keyword-4",
            "keyword-5"
        ]
    );
    // One keystroke is in nearly every title: only the titles that start
    // with it (ㄱ of 계좌, typed as such or as r in English mode), not the
    // 29 with it further on.
    assert_eq!(ids("ㄱ", 8), ["start-1", "start-3", "start-5"]);
    assert_eq!(ids("r", 8), ["start-1", "start-3", "start-5"]);
    // From the second keystroke on, every place counts again.
    assert_eq!(ids("ㄱㅈ", 8).len(), 8);
}

#[test]
fn results_are_ranked_and_counted_consistently() {
    let res = search("환불");
    assert!(res.total >= 3, "{}", res.total);
    assert!(res.hits.windows(2).all(|w| w[0].score >= w[1].score));
    // Each match has one top-level category, so the top levels add up to
    // the total (a level may contain '/', so ask the content which are top).
    let content = engine(CONTENT).content().clone();
    let tops: Vec<String> = content
        .entries()
        .iter()
        .map(|e| e.category.levels()[0].clone())
        .collect();
    let top: usize = res
        .categories
        .iter()
        .filter(|c| tops.contains(&c.path))
        .map(|c| c.count)
        .sum();
    assert_eq!(top, res.total, "{:?}", res.categories);
    // Counts are most-first.
    assert!(res.categories.windows(2).all(|w| w[0].count >= w[1].count));
}

#[test]
fn query_syntax_is_plain_text() {
    for q in ["환불 AND (", "title:x", "*", "\"환불", "환불) OR 1=1 --"] {
        let req = SearchRequest::new(q).unwrap();
        engine(CONTENT)
            .search(&req)
            .unwrap_or_else(|e| panic!("{q:?}: {e}"));
    }
    assert_eq!(
        first("환불 AND (").as_deref(),
        first("환불").as_deref(),
        "operators are ignored words"
    );
}

// ---------------------------------------------------------------- analysis

fn morphemes(text: &str) -> Vec<String> {
    analyzer()
        .morphemes(text)
        .into_iter()
        .map(|p| p.text)
        .collect()
}

#[test]
fn particles_and_endings_are_dropped() {
    let m = morphemes("환불을 신청하려면 캐시가 필요해요");
    assert!(m.contains(&"환불".to_string()), "{m:?}");
    assert!(m.contains(&"신청".to_string()), "{m:?}");
    assert!(m.contains(&"캐시".to_string()), "{m:?}");
    for particle in ["을", "가", "하려면", "요"] {
        assert!(!m.contains(&particle.to_string()), "{particle:?} in {m:?}");
    }
}

#[test]
fn compounds_are_kept_whole_and_split() {
    // 계산서 is a compound (계산 + 서): the whole word and its parts of two or
    // more syllables, at the compound's position.
    let pieces = analyzer().morphemes("세금계산서");
    let texts: Vec<&str> = pieces.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(texts, ["세금", "계산서", "계산"]);
    assert_eq!(pieces[1].position, pieces[2].position);
    assert_ne!(pieces[0].position, pieces[1].position);
    assert_eq!(&"세금계산서"[pieces[2].start..pieces[2].end], "계산");
}

#[test]
fn run_together_words_are_spaced_for_the_model() {
    let a = analyzer();
    let all = |_: &str| true;
    assert_eq!(
        a.spaced("세금계산서이메일변경", &all),
        "세금 계산서 이메일 변경"
    );
    assert_eq!(
        a.spaced("캠페인만들기버튼비활성화 문의", &all),
        "캠페인 만들기 버튼 비활성화 문의"
    );
    // Spaced text, short words with their particles, and chunks of fewer
    // than three words are left as typed.
    for typed in ["환불 계좌 변경", "충전금은", "환불신청", "무통장입금으로"] {
        assert_eq!(a.spaced(typed, &all), typed);
    }
    // A cut needs both words known: here 이메일 is not.
    let no_email = |w: &str| w != "이메일";
    assert_eq!(
        a.spaced("세금계산서이메일변경", &no_email),
        "세금 계산서이메일변경"
    );
    // Every title and body line of the sample content, typed without spaces:
    // spacing only adds spaces, and spaces most of them again.
    let content = doum::config::load_content(std::path::Path::new(CONTENT)).unwrap();
    let (mut lines, mut spaced) = (0, 0);
    for e in content.entries() {
        let body = e.body.text();
        for line in std::iter::once(&*e.title).chain(body.lines()) {
            let typed: String = line.split_whitespace().collect();
            let out = a.spaced(&typed, &all);
            assert_eq!(out.split_whitespace().collect::<String>(), typed, "{line}");
            lines += 1;
            spaced += usize::from(out != typed);
        }
    }
    assert!(spaced * 2 > lines, "{spaced} of {lines} lines spaced");
}

#[test]
fn spacing_does_not_change_the_morphemes() {
    let joined = morphemes("무상캐시사용상태");
    assert_eq!(joined, ["무상", "캐시", "사용", "상태"]);
    assert_eq!(morphemes("무상 캐시 사용 상태"), joined);
    assert_eq!(morphemes("무상캐시 사용상태"), joined);
}

#[test]
fn latin_is_lowercased() {
    let m = morphemes("API 키와 PG사 KG이니시스");
    assert!(m.contains(&"api".to_string()), "{m:?}");
    assert!(m.contains(&"pg".to_string()), "{m:?}");
    assert!(m.contains(&"kg".to_string()), "{m:?}");
    assert!(m.iter().all(|t| t.to_lowercase() == *t), "{m:?}");
}

#[test]
fn bigrams_ignore_spacing() {
    use doum::korean::analyzer::bigrams;
    let a: Vec<String> = bigrams("세금 계산 서")
        .into_iter()
        .map(|p| p.text)
        .collect();
    let b: Vec<String> = bigrams("세금계산서").into_iter().map(|p| p.text).collect();
    assert_eq!(a, b);
    assert_eq!(b, ["세금", "금계", "계산", "산서"]);
}

#[test]
fn question_words_add_what_they_ask_for() {
    let engine = engine(CONTENT);
    let plan = engine.plan("캐시는 언제까지 쓸 수 있나요");
    assert!(
        plan.synonyms.contains(&vec!["기한".to_string()]),
        "{plan:?}"
    );
    assert!(!plan.morphemes.contains(&"수".to_string()), "{plan:?}");
    let plan = engine.plan("환불은 얼마나 걸려요");
    assert!(
        plan.synonyms.contains(&vec!["기간".to_string()]),
        "{plan:?}"
    );
    assert!(
        !plan.synonyms.contains(&vec!["비용".to_string()]),
        "얼마나 is not a price: {plan:?}"
    );
    let plan = engine.plan("소재가 왜 반려됐나요");
    assert!(
        plan.synonyms.contains(&vec!["이유".to_string()]),
        "{plan:?}"
    );
}

#[test]
fn synonyms_match_verbs_and_compounds_however_they_are_typed() {
    let engine = engine(CONTENT);
    // A verb synonym written in its dictionary form matches any ending.
    let plan = engine.plan("캐시 채우는 법");
    assert!(
        plan.synonyms.contains(&vec!["충전".to_string()]),
        "{plan:?}"
    );
    let plan = engine.plan("소재를 지우고 싶어요");
    assert!(
        plan.synonyms.contains(&vec!["삭제".to_string()]),
        "{plan:?}"
    );
    // A compound member matches with or without its space.
    let joined = engine.plan("세금계산서 돌려받기");
    let spaced = engine.plan("세금 계산서 돌려받기");
    assert_eq!(joined.synonyms, spaced.synonyms);
    assert!(
        joined.synonyms.contains(&vec!["환불".to_string()]),
        "{joined:?}"
    );
}

#[test]
fn an_entrys_words_are_analyzed_once_per_engine() {
    let engine = engine(CONTENT);
    let entry = engine
        .content()
        .get("refund-processing-time")
        .expect("a sample entry");
    let first = engine.entry_words(entry);
    let again = engine.entry_words(entry);
    assert!(std::sync::Arc::ptr_eq(&first, &again), "remembered");
    // The same words as analyzing the entry afresh.
    assert_eq!(
        *first,
        doum::search::words::EntryWords::new(&analyzer(), entry)
    );
    assert!(first.head.contains("환불"), "{:?}", first.head);
    assert!(!first.body.is_empty() && !first.head_stems.is_empty());
}

#[test]
fn a_chosung_query_prefers_the_entry_whose_title_names_it() {
    // A 초성 query names a topic. The body of a sibling entry that mentions
    // 환불계좌 three times used to outscore the entry whose title is about it.
    let tmp = tempfile::tempdir().unwrap();
    let entry =
        |id: &str, title: &str, body: &str| write_entry(tmp.path(), id, title, "환불", body);
    entry(
        "refund-account",
        "환불계좌는 어디서 등록하나요?",
        "설정 메뉴의 계좌 관리에서 본인 명의 계좌를 등록해 주세요.",
    );
    entry(
        "refund-card",
        "탈퇴한 멤버의 카드 결제는 어떻게 환불되나요?",
        "카드 취소가 어려우면 환불계좌로 돌려드립니다. 환불계좌가 없다면 먼저 환불계좌를 등록해 주세요.",
    );
    let engine = engine(tmp.path());
    let ranked = engine.rank("ㅎㅂㄱㅈ").unwrap();
    let ids: Vec<&str> = ranked.iter().map(|r| r.entry.id.as_str()).collect();
    assert_eq!(ids, ["refund-account", "refund-card"]);
}

#[test]
fn a_search_asked_again_is_the_same_page_from_the_cache() {
    let engine = engine(CONTENT);
    let queries = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/semantic_queries.txt"
    ))
    .unwrap();
    let mut checked = 0;
    for q in queries.lines().filter(|q| !q.trim().is_empty()) {
        let plain = SearchRequest::new(q).unwrap();
        let requests = [
            plain.clone(),
            plain.clone().category(Some("결제 관리")).unwrap(),
            plain.clone().sort(Sort::Updated),
            plain.clone().size(3).unwrap(),
        ];
        for req in requests {
            let Ok(first) = engine.search(&req) else {
                continue; // a filter that finds nothing has no page 1 of 3
            };
            let again = engine.cached(&req).expect("a search is remembered");
            assert!(Arc::ptr_eq(&first, &again), "{req:?}: the same page");
            // What is remembered is what searching again gives.
            let (fresh, complete) = engine.search_uncached(&req).unwrap();
            assert!(complete);
            assert_eq!(
                again.json().unwrap(),
                fresh.json().unwrap(),
                "{req:?}: the cached page differs from a fresh search"
            );
            checked += 1;
        }
    }
    assert!(checked >= 40, "{checked} requests checked");
    // Another page of the same query is another request.
    let req = SearchRequest::new("환불").unwrap();
    let second = req.clone().size(2).unwrap().page(2).unwrap();
    let (page1, page2) = (
        engine.search(&req).unwrap(),
        engine.search(&second).unwrap(),
    );
    assert_ne!(page1.hits[0].id, page2.hits[0].id);
}

#[test]
fn the_results_cache_counts_what_each_page_weighs() {
    // An engine of its own: the cache of the shared one changes with the
    // tests running beside this one.
    let tmp = tempfile::tempdir().unwrap();
    common::copy_dir(std::path::Path::new(CONTENT), tmp.path());
    let engine = engine(tmp.path());
    assert_eq!(engine.cached_pages(), (0, 0));
    let requests = [
        SearchRequest::new("환불").unwrap().size(3).unwrap(),
        SearchRequest::new("환불").unwrap().size(30).unwrap(),
        SearchRequest::new("세금계산서 발행").unwrap(),
    ];
    let pages: Vec<Arc<SearchResults>> =
        requests.iter().map(|r| engine.search(r).unwrap()).collect();
    let weight: usize = pages.iter().map(|p| p.weight()).sum();
    assert_eq!(engine.cached_pages(), (3, weight));
    // A page weighs at least the JSON the API writes of it, and more hits
    // weigh more.
    for p in &pages {
        assert!(p.weight() >= p.json().unwrap().len(), "{}", p.query);
    }
    assert!(pages[1].hits.len() > pages[0].hits.len());
    assert!(pages[1].weight() > pages[0].weight());
    assert!(weight < doum::search::cache::BUDGET);
}
