//! Hangul typed with the keyboard in English mode: `ghksqnf` is what the
//! keys of 환불 give when the 한/영 key was not pressed.
//!
//! Korean keyboards use the standard 두벌식 layout: consonants under the
//! left hand, vowels under the right; Shift gives the five tense consonants
//! (ㅃ ㅉ ㄸ ㄲ ㅆ on Q W E R T) and two vowels (ㅒ ㅖ on O P), and leaves
//! every other letter as it is, so a stray Shift still spells the same
//! jamo; a word all in capitals is read as typed with caps lock on, as
//! lower case (`GHKSQNF` is 환불, not 환뿔). A compound vowel is typed as its two parts (ㅗ + ㅏ = ㅘ)
//! and a final cluster as its two consonants (ㄹ + ㄱ = ㄺ); the input
//! method joins them, and a consonant followed by a vowel starts the next
//! syllable, which is how [`hangul::compose`] reads jamo.

use super::hangul;

/// The compatibility jamo a key gives in 두벌식, `None` for anything but an
/// ASCII letter.
fn key(c: char) -> Option<char> {
    let shifted = match c {
        'Q' => Some('ㅃ'),
        'W' => Some('ㅉ'),
        'E' => Some('ㄸ'),
        'R' => Some('ㄲ'),
        'T' => Some('ㅆ'),
        'O' => Some('ㅒ'),
        'P' => Some('ㅖ'),
        _ => None,
    };
    if shifted.is_some() {
        return shifted;
    }
    Some(match c.to_ascii_lowercase() {
        'q' => 'ㅂ',
        'w' => 'ㅈ',
        'e' => 'ㄷ',
        'r' => 'ㄱ',
        't' => 'ㅅ',
        'y' => 'ㅛ',
        'u' => 'ㅕ',
        'i' => 'ㅑ',
        'o' => 'ㅐ',
        'p' => 'ㅔ',
        'a' => 'ㅁ',
        's' => 'ㄴ',
        'd' => 'ㅇ',
        'f' => 'ㄹ',
        'g' => 'ㅎ',
        'h' => 'ㅗ',
        'j' => 'ㅓ',
        'k' => 'ㅏ',
        'l' => 'ㅣ',
        'z' => 'ㅋ',
        'x' => 'ㅌ',
        'c' => 'ㅊ',
        'v' => 'ㅍ',
        'b' => 'ㅠ',
        'n' => 'ㅜ',
        'm' => 'ㅡ',
        _ => return None,
    })
}

/// The compound vowel two typed vowels make, if any.
fn compound_vowel(a: char, b: char) -> Option<char> {
    Some(match (a, b) {
        ('ㅗ', 'ㅏ') => 'ㅘ',
        ('ㅗ', 'ㅐ') => 'ㅙ',
        ('ㅗ', 'ㅣ') => 'ㅚ',
        ('ㅜ', 'ㅓ') => 'ㅝ',
        ('ㅜ', 'ㅔ') => 'ㅞ',
        ('ㅜ', 'ㅣ') => 'ㅟ',
        ('ㅡ', 'ㅣ') => 'ㅢ',
        _ => return None,
    })
}

/// The jamo that `typed` spells on a 두벌식 keyboard, compound vowels
/// joined and final clusters left as two consonants (as
/// [`hangul::decompose`] spells them): `ghksq` → ㅎㅘㄴㅂ. `None` when
/// `typed` holds anything but ASCII letters.
pub fn jamo(typed: &str) -> Option<String> {
    // Every letter upper case is caps lock, not seven held Shift keys.
    let caps_lock = typed.len() > 1 && !typed.chars().any(|c| c.is_ascii_lowercase());
    let mut out: Vec<char> = Vec::with_capacity(typed.len());
    for c in typed.chars() {
        let c = if caps_lock { c.to_ascii_lowercase() } else { c };
        let j = key(c)?;
        match out.last().and_then(|&prev| compound_vowel(prev, j)) {
            Some(joined) => *out.last_mut()? = joined,
            None => out.push(j),
        }
    }
    Some(out.into_iter().collect())
}

/// The Hangul that `typed` spells on a 두벌식 keyboard, when every key
/// falls into a whole syllable (`ghksqnf` → 환불, `tprmarPtkstj` →
/// 세금계산서); `None` for anything else (`api`, `hello`, `gq`).
pub fn hangul(typed: &str) -> Option<String> {
    let composed = hangul::compose(&jamo(typed)?)?;
    (!composed.is_empty() && composed.chars().all(hangul::is_syllable)).then_some(composed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_words_typed_in_english_mode() {
        assert_eq!(hangul("ghksqnf").as_deref(), Some("환불"));
        assert_eq!(hangul("tprmarPtkstj").as_deref(), Some("세금계산서"));
        assert_eq!(hangul("dkssudgktpdy").as_deref(), Some("안녕하세요"));
        // A final cluster, and a consonant that starts the next syllable.
        assert_eq!(hangul("rkqtdmf").as_deref(), Some("값을"));
        assert_eq!(hangul("dlfr").as_deref(), Some("읽"));
        // Caps lock: only the seven shifted keys change.
        assert_eq!(hangul("GHKSQNF").as_deref(), Some("환불"));
        assert_eq!(hangul("rPwhk").as_deref(), Some("계좌"));
    }

    #[test]
    fn leaves_english_and_stray_jamo_alone() {
        for typed in ["api", "hello", "VAT", "kakao", "gq", "", "환불", "ghk1"] {
            assert_eq!(hangul(typed), None, "{typed}");
        }
        // Some English words do spell syllables: whether to read them so is
        // the search's decision (it asks the content).
        assert_eq!(hangul("sms").as_deref(), Some("는"));
        assert_eq!(jamo("ghksq").as_deref(), Some("ㅎㅘㄴㅂ"));
        assert_eq!(jamo("ghk1"), None);
    }
}
