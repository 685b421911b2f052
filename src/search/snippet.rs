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
    let chars: Vec<char> = text
        .chars()
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect();
    let lower: Vec<char> = chars.iter().flat_map(|c| c.to_lowercase().next()).collect();
    // All matches (start, end, term index), longest term wins on overlaps.
    let mut matches: Vec<(usize, usize, usize)> = Vec::new();
    for (ti, term) in terms.iter().enumerate() {
        let t: Vec<char> = term.chars().collect();
        if t.is_empty() || t.len() > lower.len() {
            continue;
        }
        let mut i = 0;
        while i + t.len() <= lower.len() {
            if lower[i..i + t.len()] == t[..] {
                if !matches.iter().any(|&(s, e, _)| i < e && s < i + t.len()) {
                    matches.push((i, i + t.len(), ti));
                }
                i += t.len();
            } else {
                i += 1;
            }
        }
    }
    matches.sort();

    // The window with the most distinct terms.
    let mut best = (0usize, 0usize); // (distinct terms, window start)
    for &(s, _, _) in &matches {
        let start = s.saturating_sub(LEAD);
        let mut seen: Vec<usize> = matches
            .iter()
            .filter(|&&(ms, me, _)| ms >= start && me <= start + SNIPPET_CHARS)
            .map(|&(_, _, t)| t)
            .collect();
        seen.sort();
        seen.dedup();
        if seen.len() > best.0 {
            best = (seen.len(), start);
        }
    }
    let mut start = best.1;
    // Prefer to start at a word boundary.
    if start > 0 {
        let back = chars[..start]
            .iter()
            .rev()
            .take(LEAD)
            .position(|c| c.is_whitespace());
        if let Some(b) = back {
            start -= b;
        }
    }
    let end = (start + SNIPPET_CHARS).min(chars.len());
    let mut end_cut = end;
    if end < chars.len()
        && let Some(b) = chars[start..end].iter().rposition(|c| c.is_whitespace())
        && b > SNIPPET_CHARS / 2
    {
        end_cut = start + b;
    }
    let mut out = String::new();
    let mut offset = 0;
    if start > 0 {
        out.push('…');
        offset = 1;
    }
    out.extend(chars[start..end_cut].iter());
    let trimmed_len = out.trim_end().chars().count();
    let mut text_out: String = out.chars().take(trimmed_len).collect();
    if end_cut < chars.len() {
        text_out.push('…');
    }
    let highlights = matches
        .iter()
        .filter(|&&(s, e, _)| s >= start && e <= end_cut && e - start + offset <= trimmed_len)
        .map(|&(s, e, _)| [s - start + offset, e - start + offset])
        .collect();
    Snippet {
        text: text_out,
        highlights,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
