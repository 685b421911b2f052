//! Greetings, thanks and goodbyes: what people say to a chatbot that is not a
//! question. In KakaoTalk most conversations start with "안녕하세요" and many end
//! with "감사합니다"; searching them finds nothing, and answering "딱 맞는 답을
//! 찾지 못했어요" to a greeting is rude. A whole utterance that is only such a
//! phrase (with fillers like 네, emoticons like ㅎㅎ or ^^, punctuation and
//! spaces ignored) gets a reply in kind; anything more ("안녕하세요 환불
//! 문의드려요") is a question and is searched as typed.

use super::kakao::text::char_len;

/// A conversational turn that is not a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmallTalk {
    /// 안녕하세요, 반갑습니다, hello.
    Greeting,
    /// 감사합니다, 고마워요, 알겠습니다.
    Thanks,
    /// 수고하세요, 안녕히 계세요, bye.
    Goodbye,
}

impl SmallTalk {
    /// The usual phrase of this kind (what a quick reply would send).
    pub fn phrase(self) -> &'static str {
        match self {
            SmallTalk::Greeting => "안녕하세요",
            SmallTalk::Thanks => "감사합니다",
            SmallTalk::Goodbye => "수고하세요",
        }
    }
}

/// The phrases of each kind, without spaces, Latin letters lowercased.
const PHRASES: [(SmallTalk, &[&str]); 3] = [
    (
        SmallTalk::Greeting,
        &[
            "안녕",
            "안녕하세요",
            "안녕하세여",
            "안녕하십니까",
            "안뇽",
            "하이",
            "하이요",
            "헬로",
            "헬로우",
            "반가워요",
            "반갑습니다",
            "여보세요",
            "저기요",
            "계세요",
            "hi",
            "hello",
            "hey",
        ],
    ),
    (
        SmallTalk::Thanks,
        &[
            "감사",
            "감사해요",
            "감사합니다",
            "감사드립니다",
            "감사드려요",
            "고마워",
            "고마워요",
            "고맙습니다",
            "땡큐",
            "땡스",
            "알겠습니다",
            "알겠어요",
            "잘알겠습니다",
            "확인했습니다",
            "확인했어요",
            "해결됐어요",
            "해결됐습니다",
            "도움이됐어요",
            "도움이되었어요",
            "thanks",
            "thankyou",
            "thx",
        ],
    ),
    (
        SmallTalk::Goodbye,
        &[
            "수고하세요",
            "수고하셨습니다",
            "수고많으세요",
            "안녕히계세요",
            "잘있어요",
            "바이",
            "빠이",
            "bye",
            "byebye",
            "goodbye",
        ],
    ),
];

/// Words said before or beside a phrase that add nothing to it ("네 감사합니다",
/// "정말 고맙습니다").
const FILLERS: [&str; 9] = ["네", "넵", "예", "아", "앗", "오", "정말", "너무", "진짜"];

/// Utterances longer than this (characters) are never small talk.
const MAX_CHARS: usize = 30;

/// What `utterance` is, if it is only a greeting, thanks or a goodbye.
pub fn small_talk(utterance: &str) -> Option<SmallTalk> {
    if char_len(utterance) > MAX_CHARS {
        return None;
    }
    // Keep syllables and letters: spaces, punctuation, emoticons and lone jamo
    // (ㅎㅎ, ㅋㅋ, ㅠㅠ) say nothing here.
    let mut text: String = utterance
        .chars()
        .filter(|c| crate::korean::hangul::is_syllable(*c) || c.is_ascii_alphabetic())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    loop {
        let before = text.len();
        for f in FILLERS {
            if let Some(rest) = text.strip_prefix(f).filter(|r| !r.is_empty()) {
                text = rest.to_string();
            }
        }
        if text.len() == before {
            break;
        }
    }
    PHRASES
        .iter()
        .find(|(_, phrases)| phrases.contains(&text.as_str()))
        .map(|(kind, _)| *kind)
        .or_else(|| small_talk(&typed_in_english_mode(utterance)?))
}

/// What `utterance` says when it was typed with the keyboard in English mode
/// (`dkssudgktpdy` → 안녕하세요; see [`crate::korean::keyboard`]): every word
/// of its letters must spell whole syllables. Punctuation is dropped.
fn typed_in_english_mode(utterance: &str) -> Option<String> {
    let letters: String = utterance
        .chars()
        .filter(|c| c.is_ascii_alphabetic() || c.is_whitespace())
        .collect();
    let words = letters
        .split_whitespace()
        .map(crate::korean::keyboard::hangul)
        .collect::<Option<Vec<String>>>()?;
    (!words.is_empty()).then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greetings_thanks_and_goodbyes_as_people_type_them() {
        for (typed, kind) in [
            ("안녕하세요", SmallTalk::Greeting),
            ("안녕하세요!!", SmallTalk::Greeting),
            ("안녕 하세요~", SmallTalk::Greeting),
            ("Hello", SmallTalk::Greeting),
            ("네 감사합니다 ^^", SmallTalk::Thanks),
            ("감사합니다ㅎㅎ", SmallTalk::Thanks),
            ("정말 고맙습니다!", SmallTalk::Thanks),
            ("넵 알겠습니다", SmallTalk::Thanks),
            ("수고하세요~", SmallTalk::Goodbye),
            ("안녕히 계세요", SmallTalk::Goodbye),
            // Typed with the keyboard in English mode.
            ("dkssudgktpdy", SmallTalk::Greeting),
            ("rkatkgkqslek!", SmallTalk::Thanks),
            ("tnrh gktpdy~", SmallTalk::Goodbye),
        ] {
            assert_eq!(small_talk(typed), Some(kind), "{typed}");
            assert_eq!(small_talk(kind.phrase()), Some(kind));
        }
    }

    #[test]
    fn anything_more_is_a_question() {
        for typed in [
            "안녕하세요 환불 문의드립니다",
            "감사합니다 그런데 환불은 언제 되나요",
            "세금계산서 감사",
            "환불",
            "네",
            "ㅎㅎ",
            "",
            "결제 안녕",
            "asdfghjkl",
            "ghksqnf",
        ] {
            assert_eq!(small_talk(typed), None, "{typed}");
        }
    }
}
