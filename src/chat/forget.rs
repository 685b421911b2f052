//! A customer's request to delete what the chatbot kept of their questions.
//!
//! The chatbot records each question with a hash of the customer's Kakao user
//! key (see [`crate::analytics`]). Anyone may ask to have that deleted, in
//! their own words: "대화 기록 삭제", "제 질문 기록 지워 주세요", "채팅 내역 다
//! 삭제해 줘". The chatbot then asks to confirm, and only the confirmation
//! ([`CONFIRM_TEXT`], sent by the card's quick reply) deletes anything: a
//! question that merely looks like the request costs one extra card, never
//! the customer's history by surprise.
//!
//! Only requests about the conversation itself count: the words must name it
//! (챗봇, 대화, 채팅 or 질문) before 기록/내역/이력, so "결제 내역 삭제" or
//! "충전 기록 지우기" stay questions for the help center.

use std::sync::OnceLock;

use regex::Regex;

use crate::text::char_len;

/// The shortest way to ask (what a quick reply bringing the request back sends).
pub const ASK_TEXT: &str = "대화 기록 삭제";
/// What the confirmation quick reply sends (typing it works too).
pub const CONFIRM_TEXT: &str = "대화 기록 삭제 확인";

/// Utterances longer than this (characters) are never such a request.
const MAX_CHARS: usize = 40;

/// A request to delete the customer's chat history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForgetRequest {
    /// Asked for it: answer with a card asking to confirm.
    Asked,
    /// Confirmed it: delete.
    Confirmed,
}

/// What `utterance` is, if it asks to delete the chat history or confirms it.
pub fn forget_request(utterance: &str) -> Option<ForgetRequest> {
    if char_len(utterance) > MAX_CHARS {
        return None;
    }
    // Syllables only: spaces, punctuation and emoticons (ㅠㅠ, ^^) say nothing here.
    let text: String = utterance
        .chars()
        .filter(|c| crate::korean::hangul::is_syllable(*c))
        .collect();
    let confirm: String = CONFIRM_TEXT.chars().filter(|c| *c != ' ').collect();
    if text == confirm {
        return Some(ForgetRequest::Confirmed);
    }
    static ASKED: OnceLock<Regex> = OnceLock::new();
    let asked = ASKED.get_or_init(|| {
        Regex::new(
            "^(?:내|제|나의|저의|제가|내가)?(?:이|그동안|지금까지|여태)?\
             (?:챗봇|대화|채팅|질문){1,2}(?:한|했던|남긴|하던)?(?:기록|내역|이력)\
             (?:을|를|도|좀|은|는)?(?:다|모두|전부|싹)?\
             (?:삭제|지우|지워|없애|없에|파기)[가-힣]{0,8}$",
        )
        .expect("a valid pattern")
    });
    asked.is_match(&text).then_some(ForgetRequest::Asked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_in_their_own_words_are_recognised() {
        for asked in [
            ASK_TEXT,
            "대화기록 삭제해 주세요",
            "제 질문 기록 지워 주세요!",
            "채팅 내역 다 삭제해 줘",
            "챗봇 대화 기록 지우고 싶어요 ㅠㅠ",
            "지금까지 대화한 기록 삭제할 수 있나요?",
            "내 대화 이력 없애 줘",
        ] {
            assert_eq!(forget_request(asked), Some(ForgetRequest::Asked), "{asked}");
        }
        assert_eq!(forget_request(CONFIRM_TEXT), Some(ForgetRequest::Confirmed));
        assert_eq!(
            forget_request("대화기록삭제확인"),
            Some(ForgetRequest::Confirmed)
        );
    }

    #[test]
    fn questions_about_other_records_stay_questions() {
        for question in [
            "결제 내역 삭제",
            "충전 기록 지우기",
            "광고 소재 삭제",
            "세금계산서 발행 내역 삭제할 수 있나요",
            "대화",
            "기록 삭제",
            "삭제한 캠페인 복구",
            "대화 기록 삭제 확인해 주시고 환불 계좌도 알려 주세요 그리고 캐시도요",
        ] {
            assert_eq!(forget_request(question), None, "{question}");
        }
    }
}
