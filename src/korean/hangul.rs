//! Hangul arithmetic: syllables, jamo, 초성 and decomposition for typo matching.

const SYLLABLE_FIRST: u32 = 0xAC00;
const SYLLABLE_LAST: u32 = 0xD7A3;
/// Compatibility jamo for the 19 initial consonants, in syllable order.
const CHOSEONG: [char; 19] = [
    'ㄱ', 'ㄲ', 'ㄴ', 'ㄷ', 'ㄸ', 'ㄹ', 'ㅁ', 'ㅂ', 'ㅃ', 'ㅅ', 'ㅆ', 'ㅇ', 'ㅈ', 'ㅉ', 'ㅊ', 'ㅋ',
    'ㅌ', 'ㅍ', 'ㅎ',
];
/// The 21 medial vowels.
const JUNGSEONG: [char; 21] = [
    'ㅏ', 'ㅐ', 'ㅑ', 'ㅒ', 'ㅓ', 'ㅔ', 'ㅕ', 'ㅖ', 'ㅗ', 'ㅘ', 'ㅙ', 'ㅚ', 'ㅛ', 'ㅜ', 'ㅝ', 'ㅞ',
    'ㅟ', 'ㅠ', 'ㅡ', 'ㅢ', 'ㅣ',
];
/// The 27 final consonants (index 0 = none).
const JONGSEONG: [&str; 28] = [
    "", "ㄱ", "ㄲ", "ㄱㅅ", "ㄴ", "ㄴㅈ", "ㄴㅎ", "ㄷ", "ㄹ", "ㄹㄱ", "ㄹㅁ", "ㄹㅂ", "ㄹㅅ",
    "ㄹㅌ", "ㄹㅍ", "ㄹㅎ", "ㅁ", "ㅂ", "ㅂㅅ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ",
    "ㅎ",
];

/// A precomposed Hangul syllable (가..힣).
pub fn is_syllable(c: char) -> bool {
    (SYLLABLE_FIRST..=SYLLABLE_LAST).contains(&(c as u32))
}

/// A syllable with a final consonant ("입", "금"; not "가"): it takes "이",
/// not "가", as its subject particle.
pub fn has_final(c: char) -> bool {
    is_syllable(c) && !(c as u32 - SYLLABLE_FIRST).is_multiple_of(28)
}

/// A Hangul compatibility jamo (ㄱ..ㅣ).
pub fn is_jamo(c: char) -> bool {
    ('\u{3131}'..='\u{318E}').contains(&c)
}

/// A compatibility consonant (ㄱ..ㅎ).
pub fn is_consonant(c: char) -> bool {
    ('\u{3131}'..='\u{314E}').contains(&c)
}

/// True when `s` is non-empty and made only of compatibility jamo ("ㄱㅅㄱㅈ", "ㅠㅠ").
pub fn is_all_jamo(s: &str) -> bool {
    !s.is_empty() && s.chars().all(is_jamo)
}

/// True when `s` has at least two characters, all consonants: a 초성 query.
pub fn is_chosung_query(s: &str) -> bool {
    s.chars().count() >= 2 && s.chars().all(is_consonant)
}

/// The initial consonant of each syllable; other characters pass through.
pub fn initials(s: &str) -> String {
    s.chars()
        .map(|c| {
            if is_syllable(c) {
                CHOSEONG[((c as u32 - SYLLABLE_FIRST) / 588) as usize]
            } else {
                c
            }
        })
        .collect()
}

/// True when `a` and `b` differ only in vowels that today's standard
/// speech pronounces alike: ㅐ and ㅔ, ㅒ and ㅖ, ㅙ, ㅞ and ㅚ. Those are
/// the vowels Korean writers confuse, so a misspelling of this kind can be
/// another dictionary word ("결재" for 결제).
pub fn sounds_alike(a: &str, b: &str) -> bool {
    fn sound(c: char) -> Option<(u32, usize, u32)> {
        let i = (c as u32)
            .checked_sub(SYLLABLE_FIRST)
            .filter(|_| is_syllable(c))?;
        let medial = match ((i % 588) / 28) as usize {
            5 => 1,
            7 => 3,
            11 | 15 => 10,
            m => m,
        };
        Some((i / 588, medial, i % 28))
    }
    a != b
        && a.chars().count() == b.chars().count()
        && a.chars()
            .zip(b.chars())
            .all(|(x, y)| x == y || sound(x).is_some_and(|s| Some(s) == sound(y)))
}

/// Syllables spelled out as compatibility jamo ("환불" → "ㅎㅘㄴㅂㅜㄹ"), so
/// edit distance counts keystrokes rather than whole syllables.
pub fn decompose(s: &str) -> String {
    // A syllable (three bytes) spells as up to three jamo (three bytes each).
    let mut out = String::with_capacity(s.len() * 3);
    for c in s.chars() {
        if is_syllable(c) {
            let i = c as u32 - SYLLABLE_FIRST;
            out.push(CHOSEONG[(i / 588) as usize]);
            out.push(JUNGSEONG[((i % 588) / 28) as usize]);
            out.push_str(JONGSEONG[(i % 28) as usize]);
        } else {
            out.push(c);
        }
    }
    out
}

/// The syllables a [`decompose`]d spelling stands for ("ㅎㅘㄴㅂㅜㄹ" →
/// "환불"); other characters pass through. `None` when the jamo do not
/// spell syllables (a vowel without an initial consonant, a final no
/// syllable can end with). Every syllable spells with an initial consonant
/// (ㅇ before a vowel sound), so a spelling reads back one way only:
/// of the consonants between two vowels, the last starts the next
/// syllable and the others end the previous one.
pub fn compose(jamo: &str) -> Option<String> {
    let chars: Vec<char> = jamo.chars().collect();
    let vowel = |c: char| JUNGSEONG.contains(&c);
    let initial = |c: char| CHOSEONG.iter().position(|&x| x == c);
    let mut out = String::with_capacity(jamo.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !is_jamo(c) {
            out.push(c);
            i += 1;
            continue;
        }
        let first = initial(c)?;
        let next = *chars.get(i + 1)?;
        let medial = JUNGSEONG.iter().position(|&x| x == next)?;
        i += 2;
        // The consonants up to the next vowel or non-jamo character.
        let run = chars[i..]
            .iter()
            .take_while(|&&c| is_jamo(c) && !vowel(c))
            .count();
        let next_is_vowel = chars.get(i + run).is_some_and(|&c| vowel(c));
        let final_len = if next_is_vowel {
            run.checked_sub(1)?
        } else {
            run
        };
        let spelled: String = chars[i..i + final_len].iter().collect();
        let last = JONGSEONG.iter().position(|&f| f == spelled)?;
        i += final_len;
        let code = SYLLABLE_FIRST + (first as u32 * 21 + medial as u32) * 28 + last as u32;
        out.push(char::from_u32(code)?);
    }
    Some(out)
}

/// `text.to_lowercase()`, without copying when nothing changes (Hangul,
/// digits, punctuation and lowercase Latin: most help-center text).
pub fn lowercase(text: &str) -> std::borrow::Cow<'_, str> {
    let unchanged = |c: char| {
        if c.is_ascii() {
            !c.is_ascii_uppercase()
        } else if matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{2000}'..='\u{206F}' | '\u{3000}'..='\u{318F}')
        {
            // Hangul, jamo, general and CJK punctuation: no case.
            true
        } else {
            let mut lower = c.to_lowercase();
            lower.next() == Some(c) && lower.next().is_none()
        }
    };
    if text.chars().all(unchanged) {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_and_decomposition() {
        assert_eq!(initials("가상계좌"), "ㄱㅅㄱㅈ");
        assert_eq!(decompose("환불"), "ㅎㅘㄴㅂㅜㄹ");
        assert_eq!(decompose("값"), "ㄱㅏㅂㅅ");
        assert!(is_chosung_query("ㄱㅅㄱㅈ"));
        assert!(!is_chosung_query("ㅠㅠ"));
        assert!(is_all_jamo("ㅠㅠ"));
        assert!(has_final('입') && !has_final('가') && !has_final('a'));
    }

    #[test]
    fn vowels_pronounced_alike_sound_alike() {
        assert!(sounds_alike("결재", "결제"));
        assert!(sounds_alike("됬어", "됐어"));
        assert!(sounds_alike("얘기", "예기"));
        assert!(sounds_alike("외", "왜"));
        // Another vowel, another consonant, the same word, another length.
        assert!(!sounds_alike("시간", "기간"));
        assert!(!sounds_alike("메세지", "메시지"));
        assert!(!sounds_alike("결제", "결제"));
        assert!(!sounds_alike("결재", "결제를"));
        assert!(!sounds_alike("결잭", "결제"));
    }

    #[test]
    fn composition_reads_a_decomposed_spelling_back() {
        for word in [
            "환불",
            "값",
            "세금계산서",
            "닭갈비",
            "않아요",
            "각사",
            "읽어",
            "PC 없이",
        ] {
            assert_eq!(compose(&decompose(word)).as_deref(), Some(word), "{word}");
        }
        // Every syllable, alone and before a vowel-initial syllable.
        for code in SYLLABLE_FIRST..=SYLLABLE_LAST {
            let s = char::from_u32(code).unwrap();
            for word in [s.to_string(), format!("{s}아"), format!("{s}가")] {
                assert_eq!(compose(&decompose(&word)), Some(word));
            }
        }
        assert_eq!(compose("ㅏㄴ"), None, "a vowel without an initial");
        assert_eq!(compose("ㄱ"), None, "a consonant without a vowel");
        assert_eq!(compose("ㄱㅏㄷㄷ"), None, "no syllable ends in ㄷㄷ");
    }
}
