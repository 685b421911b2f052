//! Character-counted text cutting: Kakao's limits on cards and the search
//! page's answer lead.
//!
//! Kakao counts characters, not bytes; we count Unicode scalar values (`char`s), which is
//! exact for Hangul syllables and never splits a character. Every cut ends in [`ELLIPSIS`],
//! and the ellipsis counts toward the limit.

/// The single character that marks a cut.
pub const ELLIPSIS: char = '…';

/// Characters after which a sentence ends (when followed by whitespace or the end).
const SENTENCE_ENDS: &[char] = &['.', '!', '?', '。', '！', '？', '…'];

/// Number of Unicode scalar values in `s`.
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// The byte index just after the first `n` characters of `s` (or `s.len()`).
fn byte_index_after_chars(s: &str, n: usize) -> usize {
    s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
}

/// `s` trimmed; if longer than `max` characters, its first `max - 1` characters
/// (trailing whitespace removed) followed by `…`. `max == 0` gives an empty string.
pub fn truncate(s: &str, max: usize) -> String {
    let s = s.trim();
    if char_len(s) <= max {
        return s.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let head = s[..byte_index_after_chars(s, max - 1)].trim_end();
    let mut out = String::with_capacity(head.len() + ELLIPSIS.len_utf8());
    out.push_str(head);
    out.push(ELLIPSIS);
    out
}

/// `s` trimmed; if longer than `max` characters, cut at the last sentence boundary that
/// fits and end with `…`, so the result has at most `max` characters.
///
/// A sentence boundary is a line break, or one of `. ! ? 。 ！ ？ …` followed by whitespace
/// or the end (so `1.5` is not a boundary). If the last boundary that fits would keep less
/// than a third of the budget, the cut falls back to the last space, then to a plain cut.
pub fn cut_at_sentence(s: &str, max: usize) -> String {
    let s = s.trim();
    if char_len(s) <= max {
        return s.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let budget = max - 1; // room for the ellipsis
    let chars: Vec<char> = s.chars().collect();
    let is_sentence_end = |i: usize| -> bool {
        let c = chars[i];
        if c == '\n' {
            return true;
        }
        SENTENCE_ENDS.contains(&c) && chars.get(i + 1).is_none_or(|n| n.is_whitespace())
    };
    // Largest `k <= budget` such that chars[..k] ends a sentence.
    let sentence = (1..=budget).rev().find(|&k| is_sentence_end(k - 1));
    let min_keep = budget.div_ceil(3);
    let cut = match sentence {
        Some(k) if k >= min_keep => k,
        _ => (1..=budget)
            .rev()
            .find(|&k| chars[k].is_whitespace())
            .filter(|&k| k >= min_keep)
            .unwrap_or(budget),
    };
    let head: String = chars[..cut].iter().collect();
    let mut out = head.trim_end().to_owned();
    out.push(ELLIPSIS);
    out
}

/// `s` with control characters replaced by spaces, runs of whitespace collapsed, trimmed,
/// and capped at `max` characters (no ellipsis: this is for input, not display).
pub fn clean_input(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() || c.is_control() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            if count + 1 >= max {
                break;
            }
            out.push(' ');
            count += 1;
            pending_space = false;
        }
        if count >= max {
            break;
        }
        out.push(c);
        count += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_counts_hangul_as_one() {
        assert_eq!(truncate("가나다", 3), "가나다");
        assert_eq!(truncate("가나다라", 3), "가나…");
        assert_eq!(char_len(&truncate(&"한".repeat(100), 14)), 14);
    }

    #[test]
    fn sentence_cut_prefers_sentence_end() {
        let s = "첫 문장입니다. 두 번째 문장은 조금 더 깁니다. 세 번째 문장은 잘려야 합니다.";
        let out = cut_at_sentence(s, 30);
        assert_eq!(out, "첫 문장입니다. 두 번째 문장은 조금 더 깁니다.…");
        assert!(char_len(&out) <= 30);
    }

    #[test]
    fn sentence_cut_ignores_decimal_points() {
        let s = "수수료는 1.5%입니다 그리고 아주 긴 설명이 계속 이어집니다 끝없이";
        let out = cut_at_sentence(s, 20);
        assert!(!out.starts_with("수수료는 1.…"));
        assert!(out.ends_with('…'));
        assert!(char_len(&out) <= 20);
    }

    #[test]
    fn clean_input_collapses_and_caps() {
        assert_eq!(
            clean_input("  환불\n\t 언제 \u{0}돼요  ", 100),
            "환불 언제 돼요"
        );
        assert_eq!(char_len(&clean_input(&"가 ".repeat(500), 200)), 199);
        assert_eq!(clean_input("abc", 2), "ab");
    }
}
