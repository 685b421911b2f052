//! What Korean chat adds to a question without saying anything of its
//! topic: crying and laughing jamo (ㅠㅠ, ㅋㅋ, ㅎㅎ), exclamation marks and
//! tildes, ^^ and ;;, trailing dots, emoji and other pictographs.
//!
//! The analyzer never indexes them, but the embedding model reads every
//! character it is given, and on a short question one "!" moves its vector
//! far enough to change the answer ("환불계좌!" was answered with another
//! entry than "환불계좌"). The model is therefore given the question
//! [`without_decoration`].

use std::borrow::Cow;

use super::hangul;

/// `text` with its decoration (see the module docs) replaced by spaces and
/// runs of whitespace collapsed; the characters that carry meaning stay:
/// letters, digits, ASCII punctuation such as `-`, `/`, `%`, `,`, one `?`
/// and the single `.` ending a sentence. Borrowed when nothing changes.
pub fn without_decoration(text: &str) -> Cow<'_, str> {
    let chars: Vec<char> = text.chars().collect();
    let decoration = |i: usize| {
        let c = chars[i];
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        match c {
            '!' | '~' | '^' | ';' | '*' => true,
            // An ellipsis typed as dots ("...", ".."), or a repeated "?".
            '.' => before == Some('.') || after == Some('.'),
            '?' => before == Some('?'),
            c if hangul::is_jamo(c) => true,
            c => !c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace(),
        }
    };
    if !(0..chars.len()).any(decoration) {
        return Cow::Borrowed(text);
    }
    let kept: String = (0..chars.len())
        .map(|i| if decoration(i) { ' ' } else { chars[i] })
        .collect();
    Cow::Owned(kept.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoration_goes_and_meaning_stays() {
        for (typed, read) in [
            ("환불계좌!", "환불계좌"),
            ("환불계좌~~", "환불계좌"),
            ("환불계좌...", "환불계좌"),
            ("환불계좌 ㅠㅠ", "환불계좌"),
            ("환불 언제 돼요?ㅠㅠ 급해요!!", "환불 언제 돼요? 급해요"),
            ("감사합니다^^", "감사합니다"),
            ("캐시 충전 🙏", "캐시 충전"),
            ("왜 안 돼요??", "왜 안 돼요?"),
            ("결제…", "결제"),
        ] {
            assert_eq!(without_decoration(typed), read, "{typed}");
        }
        for plain in [
            "환불계좌",
            "D-14 전에 소재 등록",
            "1,000원 이하 환불",
            "360x360 이미지",
            "수수료 10% 인가요?",
            "세금계산서를 받았어요. 수정할 수 있나요?",
        ] {
            assert!(
                matches!(without_decoration(plain), Cow::Borrowed(_)),
                "{plain}"
            );
        }
    }
}
