//! Snippets: plain text around the matched words, with the matches marked.
//!
//! A [`Snippet`] carries the text and the character ranges of the matches
//! (`highlights`, `[start, end)` in Unicode scalar values of `text`), so every
//! client marks them its own way: the page with `<mark>`, the CLI in bold,
//! JSON clients as they like. [`Snippet::marked`] renders them between
//! caller-chosen markers.

use serde::Serialize;

/// How many characters a snippet shows at most.
pub const SNIPPET_CHARS: usize = 120;
/// How many characters of context to keep before the first match.
const LEAD: usize = 20;

/// Plain text with marked matches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Snippet {
    /// Plain text (may start or end with "…").
    pub text: String,
    /// Character ranges `[start, end)` of the matched words in `text`.
    pub highlights: Vec<[usize; 2]>,
}

impl Snippet {
    /// The text with each match wrapped in `open` … `close`.
    pub fn marked(&self, open: &str, close: &str) -> String {
        let chars: Vec<char> = self.text.chars().collect();
        let mut out = String::with_capacity(self.text.len() + 16);
        let mut at = 0;
        for [s, e] in &self.highlights {
            out.extend(&chars[at..*s]);
            out.push_str(open);
            out.extend(&chars[*s..*e]);
            out.push_str(close);
            at = *e;
        }
        out.extend(&chars[at..]);
        out
    }

    /// The text HTML-escaped, matches in `<mark>`.
    pub fn html(&self) -> String {
        let chars: Vec<char> = self.text.chars().collect();
        let mut out = String::new();
        let mut at = 0;
        let esc = |out: &mut String, cs: &[char]| {
            for &c in cs {
                match c {
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    '&' => out.push_str("&amp;"),
                    '"' => out.push_str("&quot;"),
                    _ => out.push(c),
                }
            }
        };
        for [s, e] in &self.highlights {
            esc(&mut out, &chars[at..*s]);
            out.push_str("<mark>");
            esc(&mut out, &chars[*s..*e]);
            out.push_str("</mark>");
            at = *e;
        }
        esc(&mut out, &chars[at..]);
        out
    }
}

/// Builds the snippet of `text` for `terms` (lowercase; longest first).
pub fn snippet(text: &str, terms: &[String]) -> Snippet {
    let lower = lowercase(text);
    // Byte offsets only carry over when lowercasing kept every length (it
    // does for Hangul and ASCII); otherwise match on the text as is.
    let haystack = if lower.len() == text.len() {
        &*lower
    } else {
        text
    };
    // Character index of every byte offset that starts a character.
    let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    let n_chars = starts.len();
    let char_at = |byte: usize| starts.partition_point(|&b| b < byte);

    // All matches as char ranges (start, end, term index); longer terms
    // come first, so on overlaps the longest wins.
    let mut matches: Vec<(usize, usize, usize)> = Vec::new();
    for (ti, term) in terms.iter().enumerate() {
        if term.is_empty() {
            continue;
        }
        // Leftmost non-overlapping occurrences, as `str::match_indices`
        // finds them, with a vectorized search.
        for b in memchr::memmem::find_iter(haystack.as_bytes(), term.as_bytes()) {
            let (s, e) = (char_at(b), char_at(b + term.len()));
            if !matches.iter().any(|&(ms, me, _)| s < me && ms < e) {
                matches.push((s, e, ti));
            }
        }
    }
    matches.sort_unstable();

    // The window with the most distinct terms.
    let mut best = (0usize, 0usize); // (distinct terms, window start)
    let mut seen: Vec<usize> = Vec::new();
    for &(s, _, _) in &matches {
        let start = s.saturating_sub(LEAD);
        seen.clear();
        seen.extend(
            matches
                .iter()
                .filter(|&&(ms, me, _)| ms >= start && me <= start + SNIPPET_CHARS)
                .map(|&(_, _, t)| t),
        );
        seen.sort_unstable();
        seen.dedup();
        if seen.len() > best.0 {
            best = (seen.len(), start);
        }
    }
    let byte = |c: usize| starts.get(c).copied().unwrap_or(text.len());
    let is_space = |c: usize| text[byte(c)..].starts_with(char::is_whitespace);
    let mut start = best.1;
    // Prefer to start just after a space.
    if start > 0
        && let Some(back) = (start.saturating_sub(LEAD)..start)
            .rev()
            .find(|&c| is_space(c))
    {
        start = back + 1;
    }
    let mut end = (start + SNIPPET_CHARS).min(n_chars);
    // Prefer to end at a space, when one is not too far back.
    if end < n_chars
        && let Some(cut) = (start + SNIPPET_CHARS / 2..end)
            .rev()
            .find(|&c| is_space(c))
    {
        end = cut;
    }
    let body = text[byte(start)..byte(end)].trim_end();
    let body_chars = body.chars().count();
    let lead = usize::from(start > 0);
    let mut out = String::with_capacity(body.len() + 8);
    if start > 0 {
        out.push('…');
    }
    out.extend(body.chars().map(|c| if c == '\n' { ' ' } else { c }));
    if end < n_chars {
        out.push('…');
    }
    let highlights = matches
        .iter()
        .filter(|&&(s, e, _)| s >= start && e <= start + body_chars)
        .map(|&(s, e, _)| [s - start + lead, e - start + lead])
        .collect();
    Snippet {
        text: out,
        highlights,
    }
}

/// `text.to_lowercase()`, without copying when nothing changes (Hangul,
/// digits, punctuation and lowercase Latin: most help-center text).
fn lowercase(text: &str) -> std::borrow::Cow<'_, str> {
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
    fn lowercase_copies_only_when_something_changes() {
        for t in [
            "환불 계좌, 3일 (영업일)…",
            "ＡＢＣ ΣΑΣ Ⅻ ǅ İ 환불",
            "Kakao 환불",
            "ß",
        ] {
            assert_eq!(lowercase(t), t.to_lowercase(), "{t}");
        }
        assert!(matches!(
            lowercase("환불 계좌 3일"),
            std::borrow::Cow::Borrowed(_)
        ));
        let s = snippet("KAKAO 계정으로 환불", &["kakao".to_string()]);
        assert_eq!(s.highlights, vec![[0, 5]]);
    }

    #[test]
    fn marks_terms_and_cuts_around_them() {
        let text = format!(
            "{} 환불계좌를 먼저 등록해 주세요. 환불은 영업일 기준 3일.",
            "가".repeat(300)
        );
        let s = snippet(&text, &["환불".to_string(), "등록".to_string()]);
        assert!(s.text.starts_with('…'));
        assert!(s.marked("[", "]").contains("[환불]계좌를 먼저 [등록]해"));
        assert!(s.text.chars().count() <= SNIPPET_CHARS + 2);
        let html = Snippet {
            text: "<b>환불</b>".into(),
            highlights: vec![[3, 5]],
        }
        .html();
        assert_eq!(html, "&lt;b&gt;<mark>환불</mark>&lt;/b&gt;");
    }

    #[test]
    fn no_match_gives_the_beginning() {
        let s = snippet("짧은 본문입니다.", &["없음".to_string()]);
        assert_eq!(s.text, "짧은 본문입니다.");
        assert!(s.highlights.is_empty());
    }
}
