//! The Kakao skill protocol types and the dialogue layer: parsing real-shaped (and legacy)
//! Open Builder requests, every Kakao limit with over-long content, the exact JSON of each
//! output, and the dialogue's answers.

use doum::chat::dialogue::{CLEAR_RATIO, DETAIL_LABEL, GENERAL_LABEL, LINK_LABEL, LIST_HEADER};
use doum::chat::kakao::response::OPERATOR_LABEL;
use doum::chat::turn::{MORE_LABEL, STATE_CONTEXT};
use doum::chat::{
    Button, ButtonAction, Candidate, ChatConfig, ContextValue, DialogueInput, Label, LimitError,
    LinkStatus, ListCard, ListItem, ListItemTarget, Lookup, Output, Outputs, PersonalAnswer,
    QuickReplies, QuickReply, QuickReplyAction, RequestError, SimpleText, SkillRequest,
    SkillResponse, Template, TextCard, Turn, Verdict, answer, featured, verdict,
};
use doum::text::char_len;
use serde_json::{Value, json};

// Kakao i Open Builder's documented limits, written out here rather than taken from the
// crate's constants: if a constant drifts, these tests must fail.
/// textCard title, listCard header/item title: characters.
const MAX_CARD_TITLE: usize = 50;
/// textCard description: characters.
const MAX_CARD_TEXT: usize = 400;
/// simpleText: characters.
const MAX_SIMPLE_TEXT: usize = 1000;
/// listCard items, so one page of the dialogue's lists.
const PAGE_SIZE: usize = 5;
/// Quick replies per answer.
const MAX_QUICK_REPLIES: usize = 10;
/// Button and quick-reply labels: characters.
const MAX_LABEL: usize = 14;
/// Labels of buttons laid out side by side: characters.
const MAX_LABEL_SIDE_BY_SIDE: usize = 8;

fn fixture(name: &str) -> SkillRequest {
    let path = format!(
        "{}/tests/fixtures/kakao/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    SkillRequest::from_slice(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
}

// ---------------------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------------------

#[test]
fn parses_current_payload() {
    let req = fixture("current");
    assert_eq!(req.utterance(), "광고비 환불은 언제 되나요?");
    assert_eq!(req.lang().as_deref(), Some("ko"));
    assert_eq!(req.user_request.timezone.as_deref(), Some("Asia/Seoul"));
    assert_eq!(req.intent.name.as_deref(), Some("폴백 블록"));
    assert_eq!(req.bot.name.as_deref(), Some("도움 봇"));
    assert_eq!(req.block_id(), Some("65f1c0a2b7e4d31a9c0e1f01"));
    assert_eq!(
        req.callback_url(),
        Some("https://bot-api.kakao.com/v1/callback/1a2b3c4d5e")
    );
    assert_eq!(req.client_extra(), None, "an empty clientExtra is no extra");
    let keys = req.user_keys();
    assert_eq!(keys.plusfriend_user_key.as_deref(), Some("Xq9tZ2mK-Lp3"));
    assert_eq!(keys.app_user_id.as_deref(), Some("2941083375"));
    assert_eq!(keys.user_type.as_deref(), Some("botUserKey"));
    assert!(keys.user_id.as_deref().unwrap().starts_with("a1b2"));
    assert_eq!(req.user_request.user.properties.is_friend, Some(true));
    assert_eq!(req.intent.extra["reason"]["code"], json!(1));
}

#[test]
fn parses_legacy_account_id_payload_with_nulls_and_no_contexts() {
    let req = fixture("legacy_account_id");
    assert_eq!(req.utterance(), "세금계산서 발행");
    assert_eq!(req.lang(), None, "lang: null");
    assert!(req.contexts.is_empty(), "contexts missing");
    assert!(req.user_request.params.is_empty(), "params: null");
    assert!(req.action.params.is_empty() && req.action.detail_params.is_empty());
    assert_eq!(req.client_extra(), None);
    assert_eq!(req.callback_url(), None);
    let keys = req.user_keys();
    assert_eq!(keys.user_type.as_deref(), Some("accountId"));
    assert_eq!(keys.user_id.as_deref(), Some("620678"));
    assert_eq!(keys.plusfriend_user_key, None);
    assert_eq!(keys.app_user_id, None);
}

#[test]
fn parses_legacy_kr_payload_with_unknown_fields_and_odd_types() {
    let req = fixture("legacy_kr");
    assert_eq!(req.lang().as_deref(), Some("ko"), "kr is normalised to ko");
    assert!(req.contexts.is_empty(), "contexts: null");
    assert_eq!(req.client_extra(), None, "clientExtra: \"null\" (a string)");
    let keys = req.user_keys();
    assert_eq!(keys.plusfriend_user_key.as_deref(), Some("BlGTEYoiNoSh"));
    assert_eq!(keys.app_user_id.as_deref(), Some("708203191"), "numeric id");
    assert_eq!(keys.user_id.as_deref(), Some("620678"), "numeric id");
    assert_eq!(req.user_request.user.properties.is_friend, Some(false));
    assert_eq!(req.intent.name.as_deref(), Some("지식+"));
}

#[test]
fn tolerates_wrong_shapes_and_rejects_only_non_objects() {
    let req = SkillRequest::from_value(json!({
        "userRequest": { "utterance": 42, "user": "nobody", "block": [], "lang": 3 },
        "action": "oops",
        "contexts": { "not": "a list" },
        "bot": null
    }))
    .unwrap();
    assert_eq!(req.utterance(), "42");
    assert!(req.user_keys().is_empty());
    assert!(req.contexts.is_empty());
    assert_eq!(req.block_id(), None);
    let empty = SkillRequest::from_slice(b"{}").unwrap();
    assert_eq!(empty.utterance(), "");
    assert!(matches!(
        SkillRequest::from_slice(b"[1,2]"),
        Err(RequestError::NotAnObject)
    ));
    assert!(matches!(
        SkillRequest::from_slice(b"not json"),
        Err(RequestError::NotJson(_))
    ));
}

#[test]
fn utterance_is_capped_and_cleaned() {
    let long = "가".repeat(5000);
    let req = SkillRequest::from_value(json!({
        "userRequest": { "utterance": format!("\u{0007}{long}") }
    }))
    .unwrap();
    assert_eq!(char_len(&req.utterance()), 200);
    let syntax = SkillRequest::from_value(json!({
        "userRequest": { "utterance": "title:환불 AND (결제 OR \"취소\")\n\n" }
    }))
    .unwrap();
    // Kept verbatim as plain text: the search layer must treat it as terms.
    assert_eq!(syntax.utterance(), "title:환불 AND (결제 OR \"취소\")");
}

#[test]
fn callback_url_must_be_https() {
    for (url, ok) in [
        ("https://bot-api.kakao.com/cb/1", true),
        ("HTTPS://bot-api.kakao.com/cb/1", true),
        ("http://bot-api.kakao.com/cb/1", false),
        ("file:///etc/passwd", false),
        ("https://", false),
        ("", false),
        // Multi-byte text where the scheme would end must not be sliced through.
        ("https:/가나다라", false),
        ("가https://x", false),
        ("httpsː//bot-api.kakao.com", false),
    ] {
        let req =
            SkillRequest::from_value(json!({ "userRequest": { "callbackUrl": url } })).unwrap();
        assert_eq!(req.callback_url().is_some(), ok, "{url}");
    }
}

#[test]
fn client_extra_accepts_object_or_json_string() {
    let obj = SkillRequest::from_value(json!({
        "action": { "clientExtra": { "doum": "entry", "id": "refund-1" } }
    }))
    .unwrap();
    assert_eq!(obj.client_extra().unwrap()["id"], json!("refund-1"));
    let s = SkillRequest::from_value(json!({
        "action": { "clientExtra": "{\"doum\":\"entry\",\"id\":\"refund-1\"}" }
    }))
    .unwrap();
    assert_eq!(s.client_extra().unwrap()["doum"], json!("entry"));
}

// ---------------------------------------------------------------------------------------
// Limits, each with over-long content
// ---------------------------------------------------------------------------------------

#[test]
fn text_card_title_is_cut_to_50() {
    let title = "가".repeat(51);
    let card = TextCard::new(&title, "설명");
    assert_eq!(char_len(card.title()), MAX_CARD_TITLE);
    assert!(card.title().ends_with('…'));
    let exact = "나".repeat(50);
    assert_eq!(TextCard::new(&exact, "").title(), exact, "50 fits as is");
}

#[test]
fn text_card_description_is_cut_at_sentence_boundary() {
    // 23 sentences of 21 characters plus a space: 505 characters.
    let sentence = "광고비는 영업일 3일 안에 환불됩니다. ";
    assert_eq!(char_len(sentence.trim_end()), 21);
    let description = sentence.repeat(23);
    assert!(char_len(description.trim()) > 500);
    let title = "환불은 언제 되나요?";
    let card = TextCard::new(title, &description);
    let total = char_len(card.title()) + char_len(card.description());
    assert!(total <= MAX_CARD_TEXT, "{total}");
    assert!(
        card.description().ends_with("환불됩니다.…"),
        "{}",
        card.description()
    );
    let kept = card.description().trim_end_matches('…');
    assert!(description.starts_with(kept));
    // It keeps as many whole sentences as fit in 400 - 11 (title) - 1 (…) = 388
    // characters: 17 sentences of 22 characters (with their space) less the last space.
    assert_eq!(char_len(card.title()), 11);
    assert_eq!(char_len(kept), 17 * 22 - 1);
}

#[test]
fn text_card_description_budget_shrinks_with_title() {
    let title = "제".repeat(80); // cut to 50
    let card = TextCard::new(&title, &"문장입니다. ".repeat(100));
    assert_eq!(char_len(card.title()), 50);
    assert!(char_len(card.description()) <= MAX_CARD_TEXT - 50);
    assert!(card.description().ends_with("문장입니다.…"));
}

#[test]
fn description_without_sentence_end_is_still_cut() {
    let card = TextCard::new("", &"띄어쓰기없는긴글".repeat(100));
    assert_eq!(char_len(card.description()), MAX_CARD_TEXT);
    assert!(card.description().ends_with('…'));
}

#[test]
fn simple_text_is_cut_to_1000() {
    let text = "짧은 문장입니다. ".repeat(150); // 1500 characters
    assert_eq!(char_len(&text), 1500);
    let st = SimpleText::new(&text);
    assert!(char_len(st.text()) <= MAX_SIMPLE_TEXT);
    assert!(st.text().ends_with("문장입니다.…"));
    let raw = "가".repeat(1500);
    assert_eq!(char_len(SimpleText::new(&raw).text()), MAX_SIMPLE_TEXT);
}

#[test]
fn list_card_keeps_five_of_seven_items_and_rejects_none() {
    let items = (1..=7).map(|i| ListItem::new(&format!("항목 {i}"), ""));
    let card = ListCard::new("헤더", items).unwrap();
    assert_eq!(card.items().len(), 5);
    assert_eq!(card.items()[4].title(), "항목 5");
    assert_eq!(
        ListCard::new("헤더", Vec::new()).unwrap_err(),
        LimitError::Empty {
            what: "listCard items"
        }
    );
}

#[test]
fn list_card_long_texts_are_cut() {
    let item = ListItem::new(&"제목".repeat(40), &"설명".repeat(100));
    assert_eq!(char_len(item.title()), 50);
    assert_eq!(char_len(item.description()), 100);
    let card = ListCard::new(&"머리".repeat(40), [item]).unwrap();
    assert_eq!(char_len(card.header()), 50);
}

#[test]
fn quick_replies_keep_ten_of_twelve() {
    let replies = (1..=12).map(|i| QuickReply::message(&format!("답 {i}"), &format!("답 {i}")));
    let qr = QuickReplies::new(replies);
    assert_eq!(qr.as_slice().len(), MAX_QUICK_REPLIES);
    let mut full = qr.clone();
    assert!(matches!(
        full.push(QuickReply::message("하나 더", "하나 더")),
        Err(LimitError::TooMany { max: 10, .. })
    ));
    assert_eq!(full, qr, "a failed push changes nothing");
}

#[test]
fn labels_are_cut_to_14() {
    let label = Label::new(&"가".repeat(20));
    assert_eq!(char_len(label.as_str()), MAX_LABEL);
    assert_eq!(label.as_str(), format!("{}…", "가".repeat(13)));
    // A cut never leaves a space before the ellipsis.
    let label = Label::new("광고 계정 연결 방법을 자세히 알려 주세요");
    assert_eq!(label.as_str(), "광고 계정 연결 방법을…");
    assert_eq!(Label::new("자세히 보기").as_str(), "자세히 보기");
    assert_eq!(Label::new("   ").as_str(), "…", "never empty");
    let qr = QuickReply::message(&"분류".repeat(20), "분류");
    assert_eq!(char_len(qr.label().as_str()), MAX_LABEL);
    let b = Button::web_link(&"버튼".repeat(20), "https://help.example.com/");
    assert_eq!(char_len(b.label().as_str()), MAX_LABEL);
}

#[test]
fn two_buttons_side_by_side_get_8_character_labels() {
    let card = TextCard::new("제목", "설명").with_buttons([
        Button::web_link("자세한 안내 페이지 열기", "https://help.example.com/a"),
        Button::operator("상담원과 바로 연결하기"),
    ]);
    for b in card.buttons() {
        assert!(
            char_len(b.label().as_str()) <= MAX_LABEL_SIDE_BY_SIDE,
            "{:?}",
            b.label()
        );
        assert!(b.label().as_str().ends_with('…'));
    }
    assert_eq!(card.buttons()[0].label().as_str(), "자세한 안내…");
    // One or three buttons stack, so 14 characters are fine.
    let one = TextCard::new("제목", "").with_buttons([Button::operator("상담원과 바로 연결하기")]);
    assert_eq!(one.buttons()[0].label().as_str(), "상담원과 바로 연결하기");
    let list = ListCard::new("헤더", [ListItem::new("a", "")])
        .unwrap()
        .with_buttons([
            Button::operator("상담원과 바로 연결하기"),
            Button::web_link("도움 센터 바로 가기", "https://help.example.com/"),
            Button::operator("세 번째"),
        ]);
    assert_eq!(
        list.buttons().len(),
        2,
        "a listCard has at most two buttons"
    );
    assert!(
        list.buttons()
            .iter()
            .all(|b| char_len(b.label().as_str()) <= 8)
    );
}

#[test]
fn at_most_three_buttons_per_card() {
    let buttons = (1..=5).map(|i| Button::operator(&format!("버튼 {i}")));
    let card = TextCard::new("제목", "설명").with_buttons(buttons);
    assert_eq!(card.buttons().len(), 3);
    assert_eq!(card.buttons()[2].label().as_str(), "버튼 3");
}

#[test]
fn outputs_are_one_to_three() {
    let text = || Output::from(SimpleText::new("안녕하세요"));
    assert!(Outputs::new([text(), text(), text()]).is_ok());
    assert_eq!(
        Outputs::new([text(), text(), text(), text()]).unwrap_err(),
        LimitError::TooMany {
            what: "outputs",
            max: 3
        }
    );
    assert_eq!(
        Outputs::new(Vec::new()).unwrap_err(),
        LimitError::Empty { what: "outputs" }
    );
    let mut o = Outputs::one(SimpleText::new("하나"));
    o.push(SimpleText::new("둘")).unwrap();
    o.push(SimpleText::new("셋")).unwrap();
    assert!(o.push(SimpleText::new("넷")).is_err());
    assert_eq!(o.as_slice().len(), 3);
}

#[test]
fn message_texts_are_capped() {
    let qr = QuickReply::message("긴 메시지", &"가".repeat(1000));
    let QuickReplyAction::Message(t) = qr.action() else {
        panic!()
    };
    assert_eq!(char_len(t), 200);
}

// ---------------------------------------------------------------------------------------
// Exact JSON
// ---------------------------------------------------------------------------------------

#[test]
fn simple_text_json() {
    assert_eq!(
        SkillResponse::simple_text("안녕하세요").to_json(),
        json!({"version":"2.0","template":{"outputs":[{"simpleText":{"text":"안녕하세요"}}]}})
    );
}

#[test]
fn text_card_json_with_every_button_action() {
    let card = TextCard::new("제목", "설명").with_buttons([
        Button::web_link("열기", "https://help.example.com/articles/a"),
        Button::new("보내기", ButtonAction::Message("환불".into())),
        Button::new(
            "블록",
            ButtonAction::Block {
                block_id: "blk1".into(),
                message_text: Some("블록 실행".into()),
            },
        )
        .with_extra(
            json!({"doum":"entry","id":"a"})
                .as_object()
                .unwrap()
                .clone(),
        ),
    ]);
    let more = TextCard::new("", "설명만").with_buttons([
        Button::new("전화", ButtonAction::Phone("1544-0000".into())),
        Button::new("공유", ButtonAction::Share),
        Button::operator(OPERATOR_LABEL),
    ]);
    let resp = SkillResponse::new(Template::new(
        Outputs::new([card.into(), more.into()]).unwrap(),
    ));
    assert_eq!(
        resp.to_json(),
        json!({"version":"2.0","template":{"outputs":[
            {"textCard":{"title":"제목","description":"설명","buttons":[
                {"label":"열기","action":"webLink","webLinkUrl":"https://help.example.com/articles/a"},
                {"label":"보내기","action":"message","messageText":"환불"},
                {"label":"블록","action":"block","blockId":"blk1","messageText":"블록 실행",
                 "extra":{"doum":"entry","id":"a"}}
            ]}},
            {"textCard":{"description":"설명만","buttons":[
                {"label":"전화","action":"phone","phoneNumber":"1544-0000"},
                {"label":"공유","action":"share"},
                {"label":"상담원 연결","action":"operator"}
            ]}}
        ]}})
    );
}

#[test]
fn list_card_and_quick_replies_json() {
    let card = ListCard::new(
        "이 중에서 찾으시나요?",
        [
            ListItem::new("환불 안내", "결제 관리 > 환불").with_target(ListItemTarget::Link(
                "https://help.example.com/articles/r".into(),
            )),
            ListItem::new("세금계산서", "").with_target(ListItemTarget::Message {
                text: "세금계산서".into(),
                extra: None,
            }),
            ListItem::new("충전", "결제 관리").with_target(ListItemTarget::Block {
                block_id: "blk".into(),
                text: "충전".into(),
                extra: Some(
                    json!({"doum":"entry","id":"c"})
                        .as_object()
                        .unwrap()
                        .clone(),
                ),
            }),
        ],
    )
    .unwrap()
    .with_buttons([Button::operator("상담원 연결")]);
    let quick = QuickReplies::new([
        QuickReply::message("결제 관리", "결제 관리"),
        QuickReply::new(
            "더 보기",
            QuickReplyAction::Block {
                block_id: "blk".into(),
                text: "더 보기".into(),
            },
        )
        .with_extra(
            json!({"doum":"more","q":"환불","page":2})
                .as_object()
                .unwrap()
                .clone(),
        ),
    ]);
    let resp = SkillResponse::new(Template::new(Outputs::one(card)).with_quick_replies(quick))
        .with_context(ContextValue::new(
            "doum_list",
            3,
            [("q".to_owned(), "환불".to_owned())],
        ));
    assert_eq!(
        resp.to_json(),
        json!({"version":"2.0",
            "template":{
                "outputs":[{"listCard":{
                    "header":{"title":"이 중에서 찾으시나요?"},
                    "items":[
                        {"title":"환불 안내","description":"결제 관리 > 환불",
                         "link":{"web":"https://help.example.com/articles/r"}},
                        {"title":"세금계산서","action":"message","messageText":"세금계산서"},
                        {"title":"충전","description":"결제 관리","action":"block","blockId":"blk",
                         "messageText":"충전","extra":{"doum":"entry","id":"c"}}
                    ],
                    "buttons":[{"label":"상담원 연결","action":"operator"}]
                }}],
                "quickReplies":[
                    {"label":"결제 관리","action":"message","messageText":"결제 관리"},
                    {"label":"더 보기","action":"block","blockId":"blk","messageText":"더 보기",
                     "extra":{"doum":"more","q":"환불","page":2}}
                ]
            },
            "context":{"values":[{"name":"doum_list","lifeSpan":3,"params":{"q":"환불"}}]}
        })
    );
}

#[test]
fn callback_json() {
    let resp = SkillResponse::use_callback("답변을 찾고 있어요. 잠시만 기다려 주세요.");
    assert!(resp.is_callback());
    assert_eq!(
        resp.to_json(),
        json!({"version":"2.0","useCallback":true,
               "data":{"text":"답변을 찾고 있어요. 잠시만 기다려 주세요."}})
    );
    assert_eq!(
        doum::chat::callback_ack().to_json(),
        json!({"version":"2.0","useCallback":true,
               "data":{"text":doum::chat::dialogue::CALLBACK_TEXT}})
    );
    let long = SkillResponse::use_callback(&"기다려 주세요. ".repeat(200)).to_json();
    assert!(char_len(long["data"]["text"].as_str().unwrap()) <= 1000);
}

#[test]
fn failure_is_a_polite_text_card_with_operator_button() {
    let json = SkillResponse::failure().to_json();
    assert_eq!(json["version"], "2.0");
    let card = &json["template"]["outputs"][0]["textCard"];
    assert!(card["title"].as_str().unwrap().contains("문제"));
    assert_eq!(
        card["buttons"],
        json!([{"label":"상담원 연결","action":"operator"}])
    );
}

#[test]
fn data_is_serialized() {
    let resp = SkillResponse::simple_text("a")
        .with_data(json!({"answerId":"x"}).as_object().unwrap().clone());
    assert_eq!(resp.to_json()["data"], json!({"answerId":"x"}));
}

// ---------------------------------------------------------------------------------------
// Dialogue
// ---------------------------------------------------------------------------------------

fn cfg() -> ChatConfig {
    ChatConfig::new(
        "https://help.example.com/",
        vec![
            "결제 관리".into(),
            "광고 만들기".into(),
            "계정과 권한".into(),
            "세금계산서와 증빙 서류 발급".into(),
        ],
    )
}

fn cand(id: &str, title: &str, score: f32) -> Candidate {
    Candidate {
        id: id.into(),
        title: title.into(),
        summary_text: format!("{title}에 대한 안내입니다. 자세한 내용은 도움말을 확인하세요."),
        category_breadcrumb: vec!["결제 관리".into(), "환불".into()],
        score,
        related: Vec::new(),
        decision: None,
    }
}

fn ask(q: &str) -> Turn {
    Turn::Ask { query: q.into() }
}

fn outputs(resp: &SkillResponse) -> Vec<Value> {
    resp.to_json()["template"]["outputs"]
        .as_array()
        .unwrap()
        .clone()
}

fn quick(resp: &SkillResponse) -> Vec<Value> {
    resp.to_json()["template"]["quickReplies"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn verdict_thresholds() {
    let two = |a: f32, b: f32| vec![cand("a", "A", a), cand("b", "B", b)];
    assert_eq!(verdict(&[], None), Verdict::Nothing);
    assert_eq!(verdict(&[cand("a", "A", 0.0)], None), Verdict::Nothing);
    assert_eq!(verdict(&[cand("a", "A", f32::NAN)], None), Verdict::Nothing);
    assert_eq!(verdict(&[cand("a", "A", 3.0)], None), Verdict::Clear);
    assert_eq!(
        verdict(&two(10.0, 10.0 / CLEAR_RATIO), None),
        Verdict::Clear
    );
    assert_eq!(verdict(&two(10.0, 7.0), None), Verdict::Several);
    assert_eq!(verdict(&two(10.0, 7.0), Some(0.95)), Verdict::Clear);
    assert_eq!(verdict(&two(10.0, 2.0), Some(0.1)), Verdict::Nothing);
    assert_eq!(verdict(&two(10.0, 2.0), Some(f32::NAN)), Verdict::Nothing);
}

#[test]
fn clear_best_gives_text_card_with_absolute_link_and_related_quick_replies() {
    let mut best = cand("refund-timing", "광고비 환불은 언제 되나요?", 12.0);
    best.related = vec![
        (
            "refund-how".into(),
            "환불 신청 방법과 필요한 서류 안내".into(),
        ),
        ("refund-card".into(), "카드 결제 취소".into()),
    ];
    let mut input = DialogueInput::new(ask("환불 언제"));
    input.candidates = vec![best, cand("charge", "충전 방법", 3.0)];
    let resp = answer(&input, &cfg());
    let out = outputs(&resp);
    assert_eq!(out.len(), 1);
    let card = &out[0]["textCard"];
    assert_eq!(card["title"], "광고비 환불은 언제 되나요?");
    assert_eq!(
        card["buttons"],
        json!([{"label":DETAIL_LABEL,"action":"webLink",
                "webLinkUrl":"https://help.example.com/articles/refund-timing"}])
    );
    let qr = quick(&resp);
    assert_eq!(qr.len(), 4, "two related entries, then the vote");
    assert_eq!(qr[0]["label"], "환불 신청 방법과 필요한…");
    assert_eq!(qr[0]["action"], "message");
    assert_eq!(qr[0]["messageText"], "환불 신청 방법과 필요한 서류 안내");
    assert_eq!(qr[0]["extra"], json!({"doum":"entry","id":"refund-how"}));
    // The vote carries the question the entry answered.
    assert_eq!(qr[2]["label"], "도움이 됐어요");
    assert_eq!(
        qr[2]["extra"],
        json!({"doum":"vote","id":"refund-timing","helpful":true,"q":"환불 언제"})
    );
    assert_eq!(qr[3]["label"], "아쉬워요");
    assert_eq!(
        qr[3]["extra"],
        json!({"doum":"vote","id":"refund-timing","helpful":false,"q":"환불 언제"})
    );
    // Picked from the list a question gave: that question; opened as a
    // related entry: none.
    let picked = Turn::Pick {
        list: Box::new(ask("환불 언제")),
        n: 1,
    };
    assert_eq!(picked.question(), Some("환불 언제"));
    let related = Turn::Entry {
        id: "refund-timing".into(),
    };
    assert_eq!(related.question(), None);
    input.turn = related;
    let resp = answer(&input, &cfg());
    let vote = quick(&resp).last().unwrap()["extra"].clone();
    assert_eq!(
        vote,
        json!({"doum":"vote","id":"refund-timing","helpful":false}),
        "{resp:?}"
    );
}

#[test]
fn article_url_is_absolute_and_encoded() {
    let c = ChatConfig::new("https://help.example.com///", vec![]);
    assert_eq!(
        c.article_url("환불 안내/1"),
        "https://help.example.com/articles/%ED%99%98%EB%B6%88%20%EC%95%88%EB%82%B4%2F1"
    );
}

#[test]
fn close_candidates_give_list_card() {
    let mut input = DialogueInput::new(ask("환불"));
    input.candidates = vec![
        cand("a", "광고비 환불", 10.0),
        cand("b", "카드 결제 취소", 9.0),
        cand("c", "충전금 환불", 8.5),
        cand("noise", "로그인 문제", 1.0), // below the floor: not listed
    ];
    input.reply_block_id = Some("blk-fallback".into());
    let resp = answer(&input, &cfg());
    let out = outputs(&resp);
    let list = &out[0]["listCard"];
    assert_eq!(list["header"]["title"], LIST_HEADER);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(
        items[0],
        json!({"title":"광고비 환불","description":"결제 관리 > 환불","action":"block",
               "blockId":"blk-fallback","messageText":"광고비 환불",
               "extra":{"doum":"entry","id":"a"}})
    );
    assert_eq!(list["buttons"][0]["action"], "operator");
    assert!(quick(&resp).is_empty(), "nothing more to page to");
    assert_eq!(resp.context()[0].name, STATE_CONTEXT);
    assert_eq!(resp.context()[0].params["q"], "환불");
}

#[test]
fn many_close_candidates_page_with_more() {
    let cands: Vec<Candidate> = (0..8)
        .map(|i| {
            cand(
                &format!("e{i}"),
                &format!("환불 안내 {i}"),
                10.0 - i as f32 * 0.1,
            )
        })
        .collect();
    let mut input = DialogueInput::new(ask("환불"));
    input.candidates = cands.clone();
    let first = answer(&input, &cfg());
    assert_eq!(
        outputs(&first)[0]["listCard"]["items"]
            .as_array()
            .unwrap()
            .len(),
        PAGE_SIZE
    );
    let qr = quick(&first);
    assert_eq!(qr.len(), 1);
    assert_eq!(qr[0]["label"], MORE_LABEL);
    let extra = qr[0]["extra"].as_object().unwrap().clone();
    assert_eq!(
        Value::Object(extra.clone()),
        json!({"doum":"more","q":"환불","page":2})
    );

    // The tap comes back as clientExtra; any replica can answer it.
    let req = SkillRequest::from_value(json!({
        "userRequest": { "utterance": "더 보기" },
        "action": { "clientExtra": extra }
    }))
    .unwrap();
    let turn = Turn::from_request(&req, &cfg());
    assert_eq!(
        turn,
        Turn::More {
            query: "환불".into(),
            page: 2
        }
    );
    assert_eq!(
        turn.lookup(),
        Lookup::Search {
            query: "환불".into(),
            limit: 11
        }
    );
    let mut input = DialogueInput::new(turn);
    input.candidates = cands;
    let second = answer(&input, &cfg());
    let items = outputs(&second)[0]["listCard"]["items"].clone();
    let titles: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["환불 안내 5", "환불 안내 6", "환불 안내 7"]);
    assert!(quick(&second).is_empty(), "last page");

    // A page past the end is a polite card, not an error.
    let mut input = DialogueInput::new(Turn::More {
        query: "환불".into(),
        page: 5,
    });
    input.candidates = vec![cand("a", "A", 1.0)];
    let past = answer(&input, &cfg());
    assert!(
        outputs(&past)[0]["textCard"]["title"]
            .as_str()
            .unwrap()
            .contains("없어요")
    );
}

#[test]
fn more_paging_via_fixture_and_context() {
    let turn = Turn::from_request(&fixture("quick_reply_more"), &cfg());
    assert_eq!(
        turn,
        Turn::More {
            query: "환불".into(),
            page: 2
        }
    );
    // Typed "더 보기" without clientExtra: the list state comes from the context.
    let turn = Turn::from_request(&fixture("context_more"), &cfg());
    assert_eq!(
        turn,
        Turn::More {
            query: "세금계산서".into(),
            page: 2
        }
    );
    // Without either there is no list to continue (not a question to search).
    let bare = SkillRequest::from_value(json!({"userRequest":{"utterance":"더 보기"}})).unwrap();
    assert_eq!(
        Turn::from_request(&bare, &cfg()),
        Turn::NoList {
            typed: "더 보기".into()
        }
    );
}

#[test]
fn nothing_good_gives_operator_button_and_category_quick_replies() {
    let mut input = DialogueInput::new(ask("ㅁㄴㅇㄹ"));
    input.candidates = vec![cand("a", "A", 2.0)];
    input.confidence = Some(0.1);
    let resp = answer(&input, &cfg());
    let out = outputs(&resp);
    assert_eq!(out.len(), 1);
    let card = &out[0]["textCard"];
    assert!(card["description"].as_str().unwrap().contains("다시"));
    assert_eq!(
        card["buttons"],
        json!([{"label":"상담원 연결","action":"operator"}])
    );
    let qr = quick(&resp);
    assert_eq!(qr.len(), 4);
    assert_eq!(
        qr[0],
        json!({"label":"결제 관리","action":"message","messageText":"결제 관리",
               "extra":{"doum":"category","path":"결제 관리"}})
    );
    assert_eq!(qr[3]["label"], "세금계산서와 증빙 서류…");
    assert_eq!(qr[3]["messageText"], "세금계산서와 증빙 서류 발급");
    // No candidates at all: the same.
    let empty = answer(&DialogueInput::new(ask("ㅁㄴㅇㄹ")), &cfg());
    assert_eq!(
        outputs(&empty)[0]["textCard"]["buttons"][0]["action"],
        "operator"
    );
}

#[test]
fn category_quick_reply_lists_top_entries() {
    // Tapped: extra comes back.
    let req = SkillRequest::from_value(json!({
        "userRequest": {"utterance": "결제 관리"},
        "action": {"clientExtra": {"doum":"category","path":"결제 관리"}}
    }))
    .unwrap();
    let turn = Turn::from_request(&req, &cfg());
    assert_eq!(
        turn,
        Turn::Category {
            path: "결제 관리".into(),
            page: 1
        }
    );
    assert_eq!(
        turn.lookup(),
        Lookup::Category {
            path: "결제 관리".into(),
            limit: 6
        }
    );
    // Typed (or sent as a message without extra): matched against the main categories.
    assert_eq!(Turn::from_request(&fixture("legacy_kr"), &cfg()), turn);

    let mut input = DialogueInput::new(turn);
    input.candidates = (0..6)
        .map(|i| cand(&format!("p{i}"), &format!("결제 질문 {i}"), 0.0))
        .collect();
    let resp = answer(&input, &cfg());
    let list = &outputs(&resp)[0]["listCard"];
    assert_eq!(list["header"]["title"], "결제 관리 도움말");
    assert_eq!(list["items"].as_array().unwrap().len(), 5);
    assert_eq!(
        quick(&resp)[0]["extra"],
        json!({"doum":"category","path":"결제 관리","page":2})
    );
    // An empty category falls back to the "nothing" card.
    let empty = answer(
        &DialogueInput::new(Turn::Category {
            path: "없는 분류".into(),
            page: 1,
        }),
        &cfg(),
    );
    assert_eq!(
        outputs(&empty)[0]["textCard"]["buttons"][0]["action"],
        "operator"
    );
}

fn decision_entry() -> Candidate {
    let mut c = cand("refund-eligibility", "광고비 환불을 받을 수 있나요?", 10.0);
    c.decision = Some("refund_eligibility".into());
    c
}

#[test]
fn linked_user_gets_personal_answer_with_general_entry_button() {
    let mut input = DialogueInput::new(ask("나 환불 받을 수 있어?"));
    input.candidates = vec![decision_entry()];
    assert_eq!(
        featured(&input.turn, &input.candidates, None).and_then(|c| c.decision.as_deref()),
        Some("refund_eligibility")
    );
    input.link = LinkStatus::Linked;
    input.personal = Some(PersonalAnswer {
        label: "환불 가능".into(),
        text: "남은 충전금 52,000원을 환불받을 수 있어요.".into(),
    });
    let resp = answer(&input, &cfg());
    let out = outputs(&resp);
    assert_eq!(out.len(), 1);
    let card = &out[0]["textCard"];
    assert_eq!(
        card["description"],
        "내 계정 기준: 환불 가능\n남은 충전금 52,000원을 환불받을 수 있어요."
    );
    assert_eq!(
        card["buttons"],
        json!([{"label":GENERAL_LABEL,"action":"webLink",
                "webLinkUrl":"https://help.example.com/articles/refund-eligibility"}])
    );
}

#[test]
fn unlinked_user_gets_general_answer_and_how_to_link() {
    let mut cfg = cfg();
    cfg.account_link_url = Some("https://help.example.com/kakao/link".into());
    let mut input = DialogueInput::new(ask("환불 받을 수 있나요"));
    input.candidates = vec![decision_entry()];
    input.link = LinkStatus::NotLinked;
    let resp = answer(&input, &cfg);
    let out = outputs(&resp);
    assert_eq!(out.len(), 2);
    assert_eq!(out[0]["textCard"]["title"], "광고비 환불을 받을 수 있나요?");
    assert_eq!(out[0]["textCard"]["buttons"][0]["label"], DETAIL_LABEL);
    let how = &out[1]["textCard"];
    assert!(how["description"].as_str().unwrap().contains("연결"));
    assert_eq!(
        how["buttons"],
        json!([{"label":LINK_LABEL,"action":"webLink",
                "webLinkUrl":"https://help.example.com/kakao/link"}])
    );
    // Account service down: general answer plus a note.
    input.link = LinkStatus::Unavailable;
    let out = outputs(&answer(&input, &cfg));
    assert_eq!(out.len(), 2);
    assert!(
        out[1]["simpleText"]["text"]
            .as_str()
            .unwrap()
            .contains("확인할 수 없어")
    );
}

#[test]
fn entry_turn_shows_that_entry() {
    let req = fixture("current");
    let turn = Turn::from_request(&req, &cfg());
    assert_eq!(turn, ask("광고비 환불은 언제 되나요?"));
    let entry = Turn::Entry { id: "b".into() };
    assert_eq!(entry.lookup(), Lookup::Entry { id: "b".into() });
    let mut input = DialogueInput::new(entry);
    input.candidates = vec![cand("a", "A", 1.0), cand("b", "B 글", 1.0)];
    let out = outputs(&answer(&input, &cfg()));
    assert_eq!(out[0]["textCard"]["title"], "B 글");
}

/// After a list, the number of an item typed on its own ("2번", "두 번째 거요")
/// opens that item of the page the context remembers (a number past the
/// page picks nothing, and the list is shown again); without the context
/// there is no list to pick from.
#[test]
fn a_typed_number_picks_from_the_list_the_context_remembers() {
    let with = |said: &str| {
        let mut v: Value = serde_json::from_slice(
            &std::fs::read(format!(
                "{}/tests/fixtures/kakao/context_more.json",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap(),
        )
        .unwrap();
        v["userRequest"]["utterance"] = json!(said);
        Turn::from_request(&SkillRequest::from_value(v).unwrap(), &cfg())
    };
    let second_list = || {
        Box::new(Turn::More {
            query: "세금계산서".into(),
            page: 1,
        })
    };
    let second = Turn::Pick {
        list: second_list(),
        n: 2,
    };
    for said in ["2", "2번", "2번째요", "두 번째", "두번째 거요", " 2번! "] {
        assert_eq!(with(said), second, "{said}");
    }
    assert_eq!(
        with("6번"),
        Turn::Pick {
            list: second_list(),
            n: 6
        }
    );
    for said in ["0", "네", "2번 환불", "세금계산서 2장", "100번"] {
        assert!(!matches!(with(said), Turn::Pick { .. }), "{said}");
    }
    let bare = SkillRequest::from_value(json!({"userRequest":{"utterance":"2번"}})).unwrap();
    assert_eq!(
        Turn::from_request(&bare, &cfg()),
        Turn::NoList {
            typed: "2번".into()
        }
    );

    // The same page as shown: the list's candidates, the second one opened.
    assert_eq!(
        second.lookup(),
        Lookup::Search {
            query: "세금계산서".into(),
            limit: 6
        }
    );
    let mut input = DialogueInput::new(second.clone());
    input.candidates = vec![
        cand("a", "세금계산서 발행", 3.0),
        cand("b", "세금계산서 수정", 2.5),
        cand("c", "세금계산서 이메일", 2.0),
    ];
    let out = outputs(&answer(&input, &cfg()));
    assert_eq!(out[0]["textCard"]["title"], "세금계산서 수정");
    assert_eq!(
        featured(&second, &input.candidates, None).map(|c| c.id.as_str()),
        Some("b")
    );
    // A number past the list shows the list again.
    let fifth = Turn::Pick {
        list: Box::new(Turn::More {
            query: "세금계산서".into(),
            page: 1,
        }),
        n: 5,
    };
    input.turn = fifth;
    let out = outputs(&answer(&input, &cfg()));
    assert!(out[0]["listCard"].is_object(), "{out:?}");
}

#[test]
fn extra_round_trips_and_is_sanitised() {
    for turn in [
        ask("환불"),
        Turn::More {
            query: "환불".into(),
            page: 3,
        },
        Turn::Category {
            path: "결제 관리".into(),
            page: 1,
        },
        Turn::Entry { id: "x-1".into() },
        Turn::Forget { confirmed: false },
        Turn::Forget { confirmed: true },
        Turn::Vote {
            id: "x-1".into(),
            helpful: false,
            question: Some("환불 언제 돼요".into()),
        },
        Turn::Vote {
            id: "x-1".into(),
            helpful: true,
            question: None,
        },
    ] {
        assert_eq!(Turn::from_extra(&turn.to_extra()), Some(turn));
    }
    // A vote names its entry and says yes or no, as a boolean.
    for bad in [
        json!({"doum":"vote","id":"x-1"}),
        json!({"doum":"vote","id":"x-1","helpful":"yes"}),
        json!({"doum":"vote","helpful":true}),
    ] {
        assert_eq!(Turn::from_extra(bad.as_object().unwrap()), None, "{bad}");
    }
    let hostile = json!({"doum":"more","q":"가".repeat(10_000),"page":"999999"});
    let Some(Turn::More { query, page }) = Turn::from_extra(hostile.as_object().unwrap()) else {
        panic!()
    };
    assert_eq!(char_len(&query), 200);
    assert_eq!(page, 20);
    assert_eq!(
        Turn::from_extra(json!({"doum":"entry","id":""}).as_object().unwrap()),
        None
    );
    assert_eq!(
        Turn::from_extra(json!({"other":"x"}).as_object().unwrap()),
        None
    );
}

#[test]
fn empty_utterance_gets_welcome() {
    let turn = Turn::from_request(&SkillRequest::default(), &cfg());
    assert_eq!(turn.lookup(), Lookup::Nothing);
    let resp = answer(&DialogueInput::new(turn), &cfg());
    assert_eq!(quick(&resp).len(), 4);
    assert_eq!(
        outputs(&resp)[0]["textCard"]["buttons"][0]["action"],
        "operator"
    );
}

#[test]
fn every_dialogue_response_respects_all_limits() {
    // Stress: absurd content everywhere, then check the JSON against Kakao's rules.
    let huge = |c: &str| c.repeat(3000);
    let mut big = cand(&huge("i"), &huge("제목"), 10.0);
    big.summary_text = huge("긴 요약입니다. ");
    big.related = (0..30)
        .map(|i| (format!("r{i}"), format!("{i}{}", huge("관련"))))
        .collect();
    big.category_breadcrumb = vec![huge("분류")];
    let mut cfg = cfg();
    cfg.main_categories = (0..30).map(|i| format!("{i}{}", huge("카"))).collect();
    let many: Vec<Candidate> = (0..40)
        .map(|i| {
            let mut c = big.clone();
            c.id = format!("e{i}");
            c.score = 10.0 - i as f32 * 0.01;
            c
        })
        .collect();
    let turns = [
        ask("q"),
        ask(""),
        Turn::More {
            query: "q".into(),
            page: 2,
        },
        Turn::Category {
            path: huge("경로"),
            page: 1,
        },
        Turn::Entry { id: "e0".into() },
    ];
    for turn in turns {
        for cands in [vec![big.clone()], many.clone(), Vec::new()] {
            for link in [
                LinkStatus::Linked,
                LinkStatus::NotLinked,
                LinkStatus::Unavailable,
            ] {
                let mut input = DialogueInput::new(turn.clone());
                input.candidates = cands.clone();
                input.link = link;
                input.personal = Some(PersonalAnswer {
                    label: huge("라벨"),
                    text: huge("개인 답변입니다. "),
                });
                if let Some(c) = input.candidates.first_mut() {
                    c.decision = Some("d".into());
                }
                check_limits(&answer(&input, &cfg).to_json());
            }
        }
    }
    check_limits(&SkillResponse::failure().to_json());
}

fn check_limits(v: &Value) {
    let len = |v: &Value| char_len(v.as_str().unwrap_or(""));
    assert_eq!(v["version"], "2.0");
    let outputs = v["template"]["outputs"].as_array().unwrap();
    assert!((1..=3).contains(&outputs.len()));
    let check_buttons = |buttons: &Value, max: usize| {
        let Some(bs) = buttons.as_array() else { return };
        assert!(bs.len() <= max);
        let label_max = if bs.len() == 2 { 8 } else { 14 };
        for b in bs {
            assert!((1..=label_max).contains(&len(&b["label"])), "{b}");
        }
    };
    for o in outputs {
        if let Some(t) = o.get("simpleText") {
            assert!((1..=1000).contains(&len(&t["text"])));
        } else if let Some(c) = o.get("textCard") {
            assert!(len(&c["title"]) <= 50);
            assert!(len(&c["title"]) + len(&c["description"]) <= 400);
            assert!(len(&c["title"]) + len(&c["description"]) >= 1);
            check_buttons(&c["buttons"], 3);
        } else if let Some(l) = o.get("listCard") {
            let items = l["items"].as_array().unwrap();
            assert!((1..=5).contains(&items.len()));
            check_buttons(&l["buttons"], 2);
        } else {
            panic!("unexpected output {o}");
        }
    }
    if let Some(qr) = v["template"]["quickReplies"].as_array() {
        assert!(qr.len() <= 10);
        for q in qr {
            assert!((1..=14).contains(&len(&q["label"])));
            assert!(["message", "block"].contains(&q["action"].as_str().unwrap()));
        }
    }
}
