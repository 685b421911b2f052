//! Snippets: plain text around the matched words, with the matches marked.
//!
//! A [`Snippet`] carries the text and the character ranges of the matches
//! (`highlights`, `[start, end)` in Unicode scalar values of `text`), so every
//! client marks them its own way: the page with `<mark>`, the CLI in bold,
//! JSON clients as they like. [`Snippet::marked`] renders them between
//! caller-chosen markers.

use serde::Serialize;

use crate::korean::hangul;

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

/// The words a search highlights, each with its substring searcher built
/// once for every snippet of the search.
pub struct Highlighter {
    /// Each term's searcher, whether the term has no letter with case
    /// (then it is found in the text as is, not in its lowercased copy),
    /// and its [`Bound`].
    finders: Vec<(memchr::memmem::Finder<'static>, bool, Bound)>,
}

/// Where a term may match: a Latin word or a number only as a whole word
/// or number ("1" not inside "14일" or "1,000원", "x" not inside "px"),
/// Hangul anywhere (particles and compounds join Korean words).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bound {
    Anywhere,
    Word,
    Number,
}

impl Bound {
    fn of(term: &str) -> Self {
        if term.bytes().all(|b| b.is_ascii_digit()) {
            Bound::Number
        } else if term.bytes().all(|b| b.is_ascii_alphanumeric()) {
            Bound::Word
        } else {
            Bound::Anywhere
        }
    }

    /// True when the match `[s, e)` of `hay` stands on its own.
    fn holds(self, hay: &[u8], s: usize, e: usize) -> bool {
        let joins = |next: Option<u8>, beyond: Option<u8>| match next {
            Some(c) if c.is_ascii_alphanumeric() => true,
            // "1,000", "2.5": a separator inside a number.
            Some(b',' | b'.') => {
                self == Bound::Number && beyond.is_some_and(|d| d.is_ascii_digit())
            }
            _ => false,
        };
        self == Bound::Anywhere
            || !(joins(
                s.checked_sub(1).map(|i| hay[i]),
                s.checked_sub(2).map(|i| hay[i]),
            ) || joins(hay.get(e).copied(), hay.get(e + 1).copied()))
    }
}

impl Highlighter {
    /// Highlights `terms` (lowercase; longest first, so that on overlaps
    /// the longest wins).
    pub fn new(terms: &[String]) -> Self {
        Self {
            finders: terms
                .iter()
                .filter(|t| !t.is_empty())
                .map(|t| {
                    let finder = memchr::memmem::Finder::new(t.as_bytes()).into_owned();
                    (finder, t.chars().all(has_no_case), Bound::of(t))
                })
                .collect(),
        }
    }

    /// The snippet of `text`: up to [`SNIPPET_CHARS`] characters around the
    /// window holding the most distinct terms, with every match marked.
    pub fn snippet(&self, text: &str) -> Snippet {
        let finders = &self.finders;
        // Terms with letters that have case are found in the lowercased text;
        // the others (Hangul, digits) in the text itself, which is the same
        // where it matters and needs no copy.
        let lower = std::cell::OnceCell::new();
        let haystack = || -> &str {
            lower.get_or_init(|| {
                let l = hangul::lowercase(text);
                // Byte offsets only carry over when lowercasing kept every
                // length (it does for Hangul and ASCII); otherwise match on
                // the text as is.
                if l.len() == text.len() {
                    l
                } else {
                    std::borrow::Cow::Borrowed(text)
                }
            })
        };

        // All matches as byte ranges (start, end, term index), kept sorted
        // and non-overlapping; longer terms come first, so on overlaps the
        // longest wins.
        let mut found: Vec<(usize, usize, usize)> = Vec::new();
        for (ti, (finder, caseless, bound)) in finders.iter().enumerate() {
            let len = finder.needle().len();
            let hay = if *caseless { text } else { haystack() };
            // Leftmost non-overlapping occurrences, as `str::match_indices`
            // finds them, with a vectorized search.
            for b in finder.find_iter(hay.as_bytes()) {
                let (s, e) = (b, b + len);
                if !bound.holds(hay.as_bytes(), s, e) {
                    continue;
                }
                // The kept matches starting before `e`: only the last of
                // them can reach past `s` (their ends ascend too).
                let at = found.partition_point(|&(ms, _, _)| ms < e);
                if at == 0 || found[at - 1].1 <= s {
                    found.insert(at, (s, e, ti));
                }
            }
        }
        // The same as character ranges: the matches do not overlap, so one
        // walk over the text counts the characters before each boundary.
        let mut at = (0usize, 0usize); // (byte, char)
        let mut char_at = |byte: usize| {
            at.1 += text[at.0..byte].chars().count();
            at.0 = byte;
            at.1
        };
        let matches: Vec<(usize, usize, usize)> = found
            .iter()
            .map(|&(s, e, ti)| {
                let s = char_at(s);
                (s, char_at(e), ti)
            })
            .collect();

        // The window with the most distinct terms: its start (a character),
        // and the match it was measured from.
        let mut best = (0usize, 0usize, 0usize); // (distinct terms, window start, match)
        let mut seen: Vec<usize> = Vec::new();
        for (j, &(s, _, _)) in matches.iter().enumerate() {
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
                best = (seen.len(), start, j);
            }
        }
        // Its byte offset: walk back from that match (a known byte and
        // character) to the window's start.
        let mut start = best.1;
        let mut start_b = match matches.get(best.2) {
            Some(&(s, _, _)) => text[..found[best.2].0]
                .char_indices()
                .rev()
                .take(s - start)
                .last()
                .map_or(found[best.2].0, |(i, _)| i),
            None => 0,
        };
        // Prefer to start just after a space among the LEAD characters before.
        if let Some((back, (i, c))) = text[..start_b]
            .char_indices()
            .rev()
            .take(LEAD.min(start))
            .enumerate()
            .find(|(_, (_, c))| c.is_whitespace())
        {
            start -= back;
            start_b = i + c.len_utf8();
        }
        // At most SNIPPET_CHARS characters; `middle` is the byte of the
        // character SNIPPET_CHARS / 2 in, `end_b` where the window ends.
        let mut middle = None;
        let mut end_b = text.len();
        for (k, (i, _)) in text[start_b..].char_indices().enumerate() {
            if k == SNIPPET_CHARS / 2 {
                middle = Some(start_b + i);
            }
            if k == SNIPPET_CHARS {
                end_b = start_b + i;
                break;
            }
        }
        // Cut before the text ends: prefer to end at a space, when one is
        // not too far back.
        if end_b < text.len()
            && let Some(middle) = middle
            && let Some((i, _)) = text[middle..end_b]
                .char_indices()
                .rev()
                .find(|(_, c)| c.is_whitespace())
        {
            end_b = middle + i;
        }
        let body = text[start_b..end_b].trim_end();
        let body_chars = body.chars().count();
        let lead = usize::from(start > 0);
        let mut out = String::with_capacity(body.len() + 8);
        if start > 0 {
            out.push('…');
        }
        for (i, line) in body.split('\n').enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(line);
        }
        if end_b < text.len() {
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
}

/// True when `c` is the same in upper and lower case (Hangul, digits).
fn has_no_case(c: char) -> bool {
    if hangul::is_syllable(c) {
        true
    } else if c.is_ascii() {
        !c.is_ascii_alphabetic()
    } else {
        let mut lower = c.to_lowercase();
        let mut upper = c.to_uppercase();
        lower.next() == Some(c)
            && lower.next().is_none()
            && upper.next() == Some(c)
            && upper.next().is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snippet(text: &str, terms: &[String]) -> Snippet {
        Highlighter::new(terms).snippet(text)
    }

    #[test]
    fn lowercase_copies_only_when_something_changes() {
        for t in [
            "환불 계좌, 3일 (영업일)…",
            "ＡＢＣ ΣΑΣ Ⅻ ǅ İ 환불",
            "Kakao 환불",
            "ß",
        ] {
            assert_eq!(crate::korean::hangul::lowercase(t), t.to_lowercase(), "{t}");
        }
        assert!(matches!(
            crate::korean::hangul::lowercase("환불 계좌 3일"),
            std::borrow::Cow::Borrowed(_)
        ));
        let s = snippet("KAKAO 계정으로 환불", &["kakao".to_string()]);
        assert_eq!(s.highlights, vec![[0, 5]]);
    }

    #[test]
    fn numbers_and_latin_words_match_whole() {
        let marked = |text: &str, terms: &[&str]| {
            let terms: Vec<String> = terms.iter().map(|t| t.to_string()).collect();
            snippet(text, &terms).marked("[", "]")
        };
        let numbers = marked("D-14까지 1,000원, 10,000원 또는 1건", &["1", "000"]);
        assert!(
            numbers.ends_with("1,000원, 10,000원 또는 [1]건"),
            "{numbers}"
        );
        assert_eq!(marked("360x360 px 이미지", &["x"]), "360x360 px 이미지");
        assert_eq!(marked("PDF 또는 pdf파일", &["pdf"]), "[PDF] 또는 [pdf]파일");
        assert_eq!(
            marked("10분 안에 10% 할인", &["10"]),
            "[10]분 안에 [10]% 할인"
        );
        // Hangul matches inside words, as particles and compounds need.
        assert_eq!(marked("환불계좌를", &["환불"]), "[환불]계좌를");
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
