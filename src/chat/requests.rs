//! Requests about the chat itself rather than questions for the help center:
//! "상담원 연결해 주세요" (a person, please) and "처음으로" (back to the
//! menu). KakaoTalk users type them because every channel chatbot has them;
//! searched as questions they found unrelated entries ("상담원 연결" listed
//! the chat-history and 비즈월렛 entries, for the words 상담 and 연결).
//!
//! Unlike [`super::small_talk`], a request does not skip the search: the
//! help center's own answer comes first when the search is sure of one.
//! A help center whose product has a feature called 상담원 연결 answers
//! "상담원 연결" with that entry (one of the shared dev sets has such an
//! entry); only when the search would list entries or find nothing does
//! the chatbot treat the utterance as a request ([`super::dialogue::answer`]).
//!
//! Like small talk, the whole utterance must be the request (fillers such as
//! 네 or 혹시, spaces, punctuation and emoticons aside, see
//! [`super::small_talk`]): "상담원 연결 시간이 궁금해요" is a question.

use super::small_talk::{bare, typed_in_english_mode};

/// A request about the chat itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// 상담원 연결, 상담사랑 통화하고 싶어요, 사람이랑 얘기할래요: a human agent.
    Person,
    /// 처음으로, 메뉴, 홈: the welcome card with the main categories.
    Menu,
}

/// Who the customer asks for. A noun that names a human agent on its own
/// (상담원, 상담사) is a request even bare; the others (사람, 직원, 고객센터)
/// need a verb after them: "직원" alone is a topic.
const AGENTS: [&str; 8] = [
    "상담원",
    "상담원님",
    "상담사",
    "상담사님",
    "상담직원",
    "상담원분",
    "상담사분",
    "사람상담원",
];

/// Nouns that ask for a person only with a verb of [`VERBS`] after them.
const OTHERS: [&str; 12] = [
    "사람",
    "진짜사람",
    "실제사람",
    "직원",
    "직원분",
    "담당자",
    "담당자님",
    "담당직원",
    "고객센터",
    "콜센터",
    "상담",
    "채팅상담",
];

/// What may stand between the noun and the verb ("상담원이랑", "직원 좀").
const PARTICLES: [&str; 17] = [
    "", "이랑", "랑", "과", "와", "하고", "한테", "에게", "을", "를", "으로", "로", "이", "가",
    "님", "좀", "분",
];

/// What the customer asks the noun for, spaces removed.
const VERBS: [&str; 52] = [
    "연결",
    "연결요",
    "연결해요",
    "연결해줘",
    "연결해줘요",
    "연결해주세요",
    "연결해주세여",
    "연결해주실래요",
    "연결해주시겠어요",
    "연결해주실수있나요",
    "연결좀",
    "연결좀해주세요",
    "연결좀해줘",
    "연결부탁",
    "연결부탁해요",
    "연결부탁드려요",
    "연결부탁드립니다",
    "연결원해요",
    "연결하고싶어요",
    "연결하고싶습니다",
    "연결할래요",
    "연결가능한가요",
    "연결가능할까요",
    "연결되나요",
    "연결돼요",
    "연결할수있나요",
    "불러줘",
    "불러주세요",
    "바꿔줘",
    "바꿔주세요",
    "얘기하고싶어요",
    "얘기하고싶습니다",
    "얘기할래요",
    "이야기하고싶어요",
    "이야기할래요",
    "대화하고싶어요",
    "대화할래요",
    "통화하고싶어요",
    "통화하고싶습니다",
    "통화할래요",
    "통화",
    "상담",
    "상담요",
    "상담하고싶어요",
    "상담할래요",
    "상담받고싶어요",
    "상담원해요",
    "요청",
    "요청해요",
    "요청합니다",
    "원해요",
    "부탁드려요",
];

/// Ways of asking for the menu, spaces removed, Latin lowercased.
const MENU: [&str; 26] = [
    "처음",
    "처음으로",
    "처음부터",
    "처음부터다시",
    "처음화면",
    "처음메뉴",
    "첫화면",
    "메뉴",
    "메뉴보기",
    "메뉴보여줘",
    "메뉴보여주세요",
    "전체메뉴",
    "메인",
    "메인메뉴",
    "메인화면",
    "메인으로",
    "홈",
    "홈으로",
    "홈화면",
    "시작",
    "시작하기",
    "다시시작",
    "처음으로돌아가기",
    "뒤로가기",
    "menu",
    "home",
];

/// What `utterance` asks of the chat, if it is only such a request.
pub fn request(utterance: &str) -> Option<Request> {
    let text = bare(utterance)?;
    if MENU.contains(&text.as_str()) {
        return Some(Request::Menu);
    }
    if asks_for_a_person(&text) {
        return Some(Request::Person);
    }
    request(&typed_in_english_mode(utterance)?)
}

/// `text` (see [`bare`]) is a noun for a person, a particle, then a verb
/// asking for them; or an agent's name alone ("상담원", "상담원이요").
fn asks_for_a_person(text: &str) -> bool {
    let rest_after = |nouns: &[&str]| -> Vec<&str> {
        nouns
            .iter()
            .filter_map(|n| text.strip_prefix(n))
            .flat_map(|rest| PARTICLES.iter().filter_map(move |p| rest.strip_prefix(p)))
            .collect()
    };
    let verb = |rest: &&str| VERBS.contains(rest);
    let alone = |rest: &&str| rest.is_empty() || *rest == "요";
    rest_after(&AGENTS).iter().any(|r| verb(r) || alone(r)) || rest_after(&OTHERS).iter().any(verb)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asking_for_a_person_as_people_type_it() {
        for typed in [
            "상담원",
            "상담원 연결",
            "상담원 연결해 주세요",
            "상담원연결해주세요!!",
            "혹시 상담원 연결 가능한가요?",
            "상담원이요",
            "상담사랑 통화하고 싶어요",
            "사람이랑 얘기할래요",
            "진짜 사람이랑 대화하고 싶어요 ㅠㅠ",
            "직원 좀 불러 주세요",
            "담당자 바꿔 주세요",
            "고객센터 연결",
            "1:1 상담 요청",
            "상담 요청합니다",
            "네 상담원 연결 부탁드려요",
            // The 한/영 key not pressed: 상담원 연결.
            "tkdekadnjs dusruf",
        ] {
            assert_eq!(request(typed), Some(Request::Person), "{typed}");
        }
    }

    #[test]
    fn asking_for_the_menu() {
        for typed in [
            "처음으로",
            "처음 으로",
            "메뉴",
            "메인 메뉴",
            "홈",
            "Menu",
            "처음부터 다시",
        ] {
            assert_eq!(request(typed), Some(Request::Menu), "{typed}");
        }
    }

    #[test]
    fn questions_about_people_and_counselling_are_not_requests() {
        for typed in [
            "직원",
            "사람",
            "담당자",
            "상담 가능 시간",
            "상담원 연결 시간이 궁금해요",
            "직원 초대",
            "담당자 변경",
            "퇴사한 직원 내보내기",
            "사람 추가하고 싶어요",
            "고객센터 전화번호",
            "점심 메뉴 추천해 주세요",
            "메뉴 설정",
            "처음 광고 만들기",
            "환불",
            "",
        ] {
            assert_eq!(request(typed), None, "{typed}");
        }
    }
}
