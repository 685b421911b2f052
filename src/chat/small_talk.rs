//! Greetings, thanks, goodbyes and "who are you": what people say to a chatbot
//! that is not a question for the help center. In KakaoTalk most conversations start with "안녕하세요" and many end
//! with "감사합니다"; searching them finds nothing, and answering "딱 맞는 답을
//! 찾지 못했어요" to a greeting is rude. A whole utterance that is only such a
//! phrase (with fillers like 네, emoticons like ㅎㅎ or ^^, punctuation and
//! spaces ignored) gets a reply in kind; anything more ("안녕하세요 환불
//! 문의드려요") is a question and is searched as typed.

use crate::text::char_len;

/// A conversational turn that is not a question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmallTalk {
    /// 안녕하세요, 반갑습니다, hello.
    Greeting,
    /// 감사합니다, 고마워요, 알겠습니다.
    Thanks,
    /// 수고하세요, 안녕히 계세요, bye.
    Goodbye,
    /// 너 누구야, 이름이 뭐예요, 사람이에요?, 뭘 물어볼 수 있어요?: about the
    /// chatbot itself.
    AboutBot,
}

impl SmallTalk {
    /// The usual phrase of this kind (what a quick reply would send).
    pub fn phrase(self) -> &'static str {
        match self {
            SmallTalk::Greeting => "안녕하세요",
            SmallTalk::Thanks => "감사합니다",
            SmallTalk::Goodbye => "수고하세요",
            SmallTalk::AboutBot => "누구세요",
        }
    }
}

/// The phrases of each kind, without spaces, Latin letters lowercased.
const PHRASES: [(SmallTalk, &[&str]); 4] = [
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
    (
        SmallTalk::AboutBot,
        &[
            "누구",
            "누구세요",
            "누구야",
            "누구예요",
            "누구에요",
            "너누구야",
            "넌누구야",
            "너는누구야",
            "너는누구니",
            "당신은누구세요",
            "당신누구야",
            "이름이뭐야",
            "이름이뭐예요",
            "이름이뭐에요",
            "이름이뭐니",
            "너이름이뭐야",
            "너이름이뭐니",
            "네이름이뭐야",
            "니이름이뭐야",
            "이름이뭐죠",
            "넌뭐야",
            "너뭐야",
            "챗봇이야",
            "챗봇이에요",
            "챗봇이예요",
            "챗봇인가요",
            "봇이야",
            "봇이에요",
            "로봇이야",
            "로봇이에요",
            "로봇인가요",
            "사람이야",
            "사람이에요",
            "사람이예요",
            "사람인가요",
            "상담원이에요",
            "상담원이세요",
            "뭐할수있어",
            "뭐할수있어요",
            "너뭐할수있어",
            "무엇을할수있나요",
            "뭘물어볼수있어요",
            "뭐물어볼수있어요",
            "뭘물어봐야돼요",
            "자기소개해줘",
            "자기소개해봐",
            "자기소개해주세요",
            "whoareyou",
            "whatsyourname",
            "whatisyourname",
        ],
    ),
];

/// Words said before or beside a phrase that add nothing to it ("네 감사합니다",
/// "정말 고맙습니다").
const FILLERS: [&str; 10] = [
    "네", "넵", "예", "아", "앗", "오", "정말", "너무", "진짜", "혹시",
];

/// Utterances longer than this (characters) are never small talk.
const MAX_CHARS: usize = 30;

/// Chat shorthand typed as initial consonants ("ㅎㅇ" for 하이, "ㄳ" for
/// 감사), each repeated at will ("ㄳㄳ"): said alone, it is small talk, not
/// a 초성 search.
const SHORTHAND: [(SmallTalk, &[&str]); 3] = [
    (SmallTalk::Greeting, &["ㅎㅇ", "ㅎ2", "ㅇㄴ"]),
    (SmallTalk::Thanks, &["ㄱㅅ", "ㄳ", "ㄱㅅㄱㅅ", "ㄱㅅㅇ"]),
    (SmallTalk::Goodbye, &["ㅂㅇ", "ㅂㅂ", "ㅃㅃ", "ㅂ2"]),
];

/// The [`SHORTHAND`] `utterance` is, with spaces, punctuation, ㅎ/ㅋ
/// laughter after it and repetitions ignored ("ㅎㅇㅎㅇ~", "ㄳㄳ ㅋㅋ").
fn shorthand(utterance: &str) -> Option<SmallTalk> {
    if utterance
        .chars()
        .any(|c| crate::korean::hangul::is_syllable(c) || c.is_ascii_alphabetic())
    {
        return None;
    }
    let text: String = utterance
        .chars()
        .filter(|c| crate::korean::hangul::is_jamo(*c) || c.is_ascii_digit())
        .collect();
    if text.is_empty() || char_len(&text) > 12 {
        return None;
    }
    SHORTHAND.iter().find_map(|(kind, forms)| {
        forms
            .iter()
            .any(|form| {
                let mut rest = text.as_str();
                let mut times = 0;
                while let Some(r) = rest.strip_prefix(form) {
                    rest = r;
                    times += 1;
                }
                times > 0 && rest.chars().all(|c| matches!(c, 'ㅎ' | 'ㅋ'))
            })
            .then_some(*kind)
    })
}

/// What `utterance` is, if it is only a greeting, thanks or a goodbye.
pub fn small_talk(utterance: &str) -> Option<SmallTalk> {
    if let Some(kind) = shorthand(utterance) {
        return Some(kind);
    }
    let text = bare(utterance)?;
    PHRASES
        .iter()
        .find(|(_, phrases)| phrases.contains(&text.as_str()))
        .map(|(kind, _)| *kind)
        .or_else(|| small_talk(&typed_in_english_mode(utterance)?))
}

/// `utterance` as the phrase lists spell it: syllables and Latin letters
/// only (lowercased), without leading [`FILLERS`]; `None` when it is longer
/// than [`MAX_CHARS`]. Spaces, punctuation, digits, emoticons and lone jamo
/// (ㅎㅎ, ㅋㅋ, ㅠㅠ) say nothing here.
pub(super) fn bare(utterance: &str) -> Option<String> {
    if char_len(utterance) > MAX_CHARS {
        return None;
    }
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
    Some(text)
}

/// What `utterance` says when it was typed with the keyboard in English mode
/// (`dkssudgktpdy` → 안녕하세요; see [`crate::korean::keyboard`]): every word
/// of its letters must spell whole syllables. Punctuation is dropped.
pub(super) fn typed_in_english_mode(utterance: &str) -> Option<String> {
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
            ("너 누구야?", SmallTalk::AboutBot),
            ("이름이 뭐예요", SmallTalk::AboutBot),
            ("혹시 사람이에요?", SmallTalk::AboutBot),
            ("뭘 물어볼 수 있어요?", SmallTalk::AboutBot),
        ] {
            assert_eq!(small_talk(typed), Some(kind), "{typed}");
            assert_eq!(small_talk(kind.phrase()), Some(kind));
        }
    }

    #[test]
    fn chat_shorthand_alone_is_small_talk() {
        for (typed, kind) in [
            ("ㅎㅇ", SmallTalk::Greeting),
            ("ㅎㅇㅎㅇ~", SmallTalk::Greeting),
            ("ㄳ", SmallTalk::Thanks),
            ("ㄳㄳ ㅋㅋ", SmallTalk::Thanks),
            ("ㄱㅅㄱㅅ!", SmallTalk::Thanks),
            ("ㅂㅂ", SmallTalk::Goodbye),
        ] {
            assert_eq!(small_talk(typed), Some(kind), "{typed}");
        }
        // With words, or another 초성, it is a question (a 초성 search).
        for typed in ["ㅎㅇ 환불", "ㄱㅅ 환불", "ㅎㅂ", "ㄱㅅㄱㅈ", "ㅋㅋ", "ㅎㅎ"]
        {
            assert_eq!(small_talk(typed), None, "{typed}");
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
            "담당자가 누구예요",
            "마스터가 누구인지 알고 싶어요",
            "광고 이름이 뭐예요",
        ] {
            assert_eq!(small_talk(typed), None, "{typed}");
        }
    }
}
