//! Suggestions while typing, and a corrected query when a search finds nothing.
//!
//! [`Suggester`] is built once from the content (with the engine) and answers in
//! microseconds: everything it compares is precomputed.
//!
//! # Autocomplete ([`Suggester::suggest`])
//!
//! Up to [`MAX_SUGGESTIONS`] entry titles for what has been typed so far, matched on
//! **jamo**, spaces ignored, so an unfinished last syllable still matches:
//!
//! - a prefix or any part of the title: `환불계` → "환불계좌는 …";
//! - an unfinished syllable: `환부` (ㅎㅘㄴㅂㅜ) is the start of `환불` (ㅎㅘㄴㅂㅜㄹ), and
//!   `무상캣` (the IME briefly shows the next initial as a final) the start of `무상캐시`;
//! - 초성: a query made only of consonants matches the titles' initials (`ㅎㅂㄱㅈ` →
//!   "환불계좌…");
//! - keywords: an entry whose keyword matches is suggested by its title;
//! - typed with the keyboard in English mode, when nothing matches as typed:
//!   `ghksq` spells ㅎㅘㄴㅂ on a Korean keyboard, the start of `환불`.
//!
//! Order: a match at the start of the title, then at the start of a word, then
//! anywhere in the title, then in a keyword; shorter titles first within each.
//! One keystroke (`ㅎ`, `a`) suggests only titles that start with it: nearly
//! every title holds it somewhere.
//!
//! # Correction ([`Suggester::correct`])
//!
//! For a query whose words the content does not know, the closest words of the
//! titles, keywords and categories by jamo edit distance (1, or 2 for words of six
//! jamo or more), e.g. `훤뷸` → `환불`; a word typed in English mode as the Hangul
//! its keys spell (`ghksqnr`, 환북 → `환불`). The caller shows it as
//! "이것을 찾으셨나요?" only when searching it finds something.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use memchr::memmem;
use serde::Serialize;

use super::engine::article_path;
use crate::content::{Content, Keywords};
use crate::korean::{hangul, keyboard};

/// The most suggestions [`Suggester::suggest`] returns.
pub const MAX_SUGGESTIONS: usize = 8;
/// Queries longer than this (characters) get no suggestions.
pub const MAX_SUGGEST_CHARS: usize = 50;

/// One suggested entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// Entry id.
    pub id: String,
    /// Its title (the question).
    pub title: String,
    /// Its article page.
    pub url: String,
}

/// One entry's precomputed forms, as spans of the suggester's text arena
/// (one byte string for all of them: at 100,000 entries, a string per form and
/// copies of the ids and titles took 70 MB, most of a server's heap).
struct Item {
    /// The entry's position in the content.
    entry: u32,
    /// Title without spaces, as jamo, lowercased.
    jamo: Span,
    /// Where in `jamo` the title's words start (byte offsets from its start),
    /// as a span of [`Forms::starts`].
    word_starts: Span,
    /// Where the initials of the title's syllables (spaces removed) end;
    /// they follow the jamo in [`Forms::text`] ([`Item::initials`]).
    initials_end: u32,
    /// Keywords as jamo without spaces, as a span of [`Forms::keywords`].
    keywords: Span,
}

impl Item {
    /// Initials of the title's syllables, spaces removed.
    fn initials(&self) -> Span {
        Span(self.jamo.1, self.initials_end)
    }
}

/// Which pairs of adjacent characters some texts hold, hashed into 128
/// bits: the title's and keywords' pairs with one salt, the initials' (for
/// 초성) with another. A typed text can only match an
/// item that holds each of its own pairs, so a keystroke skips the items
/// whose bits miss one of them before searching their texts: at 100,000
/// entries most titles share no pair with what was typed. A filter only,
/// never a verdict: an item it keeps is still matched as before, so the
/// suggestions are the same.
#[derive(Clone, Copy, Default)]
struct Pairs([u64; 2]);

impl Pairs {
    /// Salts of the two kinds of text.
    const WORDS: u32 = 0;
    const INITIALS: u32 = 1;

    /// Adds every pair of adjacent codes of `text` (codes of `width` bytes).
    fn add(&mut self, text: &[u8], width: usize, salt: u32) {
        let mut codes = text.chunks_exact(width).map(code);
        let Some(mut prev) = codes.next() else {
            return;
        };
        for next in codes {
            let h = prev
                .wrapping_mul(0x9E37_79B1)
                .wrapping_add(next.wrapping_mul(0x85EB_CA77))
                .wrapping_add(salt.wrapping_mul(0xC2B2_AE3D));
            let bit = (h >> 7) % 128;
            self.0[(bit / 64) as usize] |= 1 << (bit % 64);
            prev = next;
        }
    }

    /// The pairs of one text.
    fn of(text: &[u8], width: usize, salt: u32) -> Self {
        let mut p = Pairs::default();
        p.add(text, width, salt);
        p
    }

    /// Holds every pair `other` holds.
    fn holds(self, other: Pairs) -> bool {
        self.0[0] & other.0[0] == other.0[0] && self.0[1] & other.0[1] == other.0[1]
    }
}

/// A code of [`Alphabet`] from its `width` big-endian bytes.
fn code(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0, |c, &b| (c << 8) | u32::from(b))
}

/// `[start, end)` in one of the [`Forms`] arrays.
#[derive(Clone, Copy)]
struct Span(u32, u32);

impl Span {
    fn of<T: ?Sized + std::ops::Index<std::ops::Range<usize>>>(self, within: &T) -> &T::Output {
        &within[self.0 as usize..self.1 as usize]
    }
}

/// The characters of the suggester's texts, numbered in order of first use.
/// The texts are stored as these numbers, `width` bytes each: one byte while
/// the content uses at most 256 characters (Korean titles spelled as jamo,
/// Latin letters, digits and punctuation: about a hundred), instead of
/// UTF-8's three bytes per jamo. At 100,000 entries that is 11 MB instead of
/// 33 MB. A substring of the codes at a multiple of `width` is a substring of
/// the characters, so matching is unchanged.
struct Alphabet {
    codes: HashMap<char, u32>,
    width: usize,
}

impl Alphabet {
    fn new(width: usize) -> Self {
        Alphabet {
            codes: HashMap::new(),
            width,
        }
    }

    /// Appends `s`'s codes to `out`, numbering new characters; `false` when
    /// the alphabet outgrows `width` bytes.
    fn extend(&mut self, s: &str, out: &mut Vec<u8>) -> bool {
        let limit = 1u64 << (8 * self.width);
        for c in s.chars() {
            let next = self.codes.len() as u32;
            let code = *self.codes.entry(c).or_insert(next);
            if u64::from(code) >= limit {
                return false;
            }
            self.push(code, out);
        }
        true
    }

    /// Appends `code` as `width` big-endian bytes.
    fn push(&self, code: u32, out: &mut Vec<u8>) {
        out.extend_from_slice(&code.to_be_bytes()[4 - self.width..]);
    }

    /// `s` as codes, or `None` when it uses a character no text has (then no
    /// text can contain it).
    fn encode(&self, s: &str) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(s.len());
        for c in s.chars() {
            self.push(*self.codes.get(&c)?, &mut out);
        }
        Some(out)
    }
}

/// The arrays [`Item`]s point into.
struct Forms {
    /// Every item's jamo and initials, and every keyword's jamo, as codes of
    /// `alphabet`.
    text: Vec<u8>,
    alphabet: Alphabet,
    /// Word starts, relative to their item's jamo.
    starts: Vec<u32>,
    /// Keyword spans of `text`.
    keywords: Vec<Span>,
    /// Each item's [`Pairs`], in item order: a keystroke reads them first,
    /// without touching the items it skips.
    pairs: Vec<Pairs>,
}

impl Forms {
    /// Every entry's forms, coded as narrowly as the content's characters
    /// allow, in the order suggestions are tie-broken in: shorter title,
    /// then title, then content order (see [`Suggester::suggest`]; the texts
    /// are laid out in that order too, so a keystroke reads them in turn).
    fn build(entries: &[crate::content::Entry]) -> (Vec<Item>, Forms) {
        let chars: Vec<u32> = entries
            .iter()
            .map(|e| e.title.chars().count() as u32)
            .collect();
        let mut order: Vec<u32> = (0..entries.len() as u32).collect();
        order.sort_unstable_by_key(|&i| (chars[i as usize], &*entries[i as usize].title, i));
        drop(chars);
        let mut width = 1;
        loop {
            let mut forms = Forms::new(width);
            let items: Option<Vec<Item>> = order
                .iter()
                .map(|&i| {
                    let e = &entries[i as usize];
                    forms.item(i, &e.title, &e.keywords)
                })
                .collect();
            if let Some(items) = items {
                forms.text.shrink_to_fit();
                forms.starts.shrink_to_fit();
                forms.keywords.shrink_to_fit();
                forms.pairs.shrink_to_fit();
                return (items, forms);
            }
            // Three bytes number every Unicode character, so this ends.
            width += 1;
        }
    }

    fn new(width: usize) -> Self {
        Forms {
            text: Vec::new(),
            alphabet: Alphabet::new(width),
            starts: Vec::new(),
            keywords: Vec::new(),
            pairs: Vec::new(),
        }
    }

    fn push_text(&mut self, s: &str) -> Option<Span> {
        let start = self.text.len() as u32;
        if !self.alphabet.extend(s, &mut self.text) {
            return None;
        }
        Some(Span(start, self.text.len() as u32))
    }

    /// `None` when the alphabet outgrew its width.
    fn item(&mut self, entry: u32, title: &str, keywords: &Keywords) -> Option<Item> {
        let jamo_start = self.text.len();
        let starts_start = self.starts.len() as u32;
        for word in title.split_whitespace() {
            self.starts.push((self.text.len() - jamo_start) as u32);
            self.push_text(&fold(word))?;
        }
        let jamo = Span(jamo_start as u32, self.text.len() as u32);
        let word_starts = Span(starts_start, self.starts.len() as u32);
        let initials: String = hangul::initials(title)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let initials = self.push_text(&initials)?;
        debug_assert_eq!(initials.0, jamo.1, "the initials follow the jamo");
        let keywords_start = self.keywords.len() as u32;
        for k in keywords.iter() {
            let span = self.push_text(&fold(k))?;
            self.keywords.push(span);
        }
        let width = self.alphabet.width;
        let mut pairs = Pairs::of(jamo.of(&self.text), width, Pairs::WORDS);
        pairs.add(initials.of(&self.text), width, Pairs::INITIALS);
        for k in &self.keywords[keywords_start as usize..] {
            pairs.add(k.of(&self.text), width, Pairs::WORDS);
        }
        self.pairs.push(pairs);
        Some(Item {
            entry,
            jamo,
            word_starts,
            initials_end: initials.1,
            keywords: Span(keywords_start, self.keywords.len() as u32),
        })
    }

    /// The first place `needle` (codes) occurs in `hay`, at a character boundary.
    fn find(&self, needle: &memmem::Finder<'_>, hay: &[u8]) -> Option<usize> {
        let width = self.alphabet.width;
        needle.find_iter(hay).find(|at| at % width == 0)
    }

    /// How well `item` matches `needle` (the typed text's codes, see
    /// [`Alphabet::encode`]; lower is better), or `None`.
    fn rank(&self, item: &Item, needle: &memmem::Finder<'_>, chosung: bool) -> Option<u8> {
        if chosung {
            return match self.find(needle, item.initials().of(&self.text)) {
                Some(0) => Some(0),
                Some(_) => Some(2),
                None => None,
            };
        }
        match self.find(needle, item.jamo.of(&self.text)) {
            Some(0) => Some(0),
            Some(at) if item.word_starts.of(&self.starts).contains(&(at as u32)) => Some(1),
            Some(_) => Some(2),
            None => item
                .keywords
                .of(&self.keywords)
                .iter()
                .any(|k| k.of(&self.text).starts_with(needle.needle()))
                .then_some(3),
        }
    }
}

/// How many ranks [`Forms::rank`] gives: start of the title, start of a
/// word, anywhere in it, a keyword.
const RANKS: usize = 4;

/// A word the content uses, for [`Suggester::correct`].
struct Word {
    text: String,
    folded: String,
    jamo: Vec<char>,
}

/// Autocomplete and query correction over one content set.
pub struct Suggester {
    content: Arc<Content>,
    items: Vec<Item>,
    forms: Forms,
    words: Vec<Word>,
    /// The best items for the shortest texts typed so far ([`SHORT`]), by
    /// 초성 or not: the first keystrokes, which nearly every title can match
    /// and everyone types.
    short: Mutex<HashMap<ShortKey, Arc<[u32]>>>,
}

/// A short typed text: by 초성 or not, and its codes.
type ShortKey = (bool, Vec<u8>);

/// Typed texts of at most this many characters (jamo; one syllable, like
/// 환 = ㅎㅘㄴ) are remembered by the [`Suggester`]: they have few pairs to
/// filter titles by, so they read most titles, and every customer's search
/// starts with one of a few thousand of them.
const SHORT: usize = 3;

/// At most this many short texts are remembered.
const SHORT_HELD: usize = 8192;

/// Lowercase, spaces removed, Hangul syllables spelled as jamo.
fn fold(s: &str) -> String {
    let compact: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    hangul::decompose(&compact)
}

/// Levenshtein distance over characters: the one typo measure (corrections here,
/// typo'd words in [`crate::ask`]).
pub fn edit_distance(a: &[char], b: &[char]) -> usize {
    edit_distance_within(a, b, usize::MAX, &mut Vec::new()).unwrap_or(usize::MAX)
}

/// [`edit_distance`] of `a` and `b` if it is at most `max`, else `None`, in
/// the two rows of `rows` (kept between calls, so a scan over every word of
/// the content allocates once). Stops as soon as a whole row exceeds `max`:
/// most words are far from a typo, and the first rows say so.
pub fn edit_distance_within(
    a: &[char],
    b: &[char],
    max: usize,
    rows: &mut Vec<usize>,
) -> Option<usize> {
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let n = b.len() + 1;
    rows.clear();
    rows.extend(0..n);
    rows.extend(std::iter::repeat_n(0, n));
    let (prev, cur) = rows.split_at_mut(n);
    let (mut prev, mut cur) = (prev, cur);
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > max {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    Some(prev[b.len()]).filter(|d| *d <= max)
}

/// Splits text into words: runs of letters and digits.
fn words_of(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// Korean particles and endings a typed word may carry, longest first; stripped
/// before comparing with the content's words.
const TAILS: [&str; 21] = [
    "으로",
    "에서",
    "에게",
    "까지",
    "부터",
    "하기",
    "하는",
    "하나요",
    "인가요",
    "나요",
    "은",
    "는",
    "이",
    "가",
    "을",
    "를",
    "에",
    "의",
    "도",
    "로",
    "와",
];

fn strip_tail(word: &str) -> &str {
    for t in TAILS {
        if let Some(stem) = word.strip_suffix(t)
            && stem.chars().count() >= 2
        {
            return stem;
        }
    }
    word
}

/// `word` followed by `tail` (one of [`TAILS`], or nothing), the particle
/// spelled for `word`'s last syllable: 은/는, 이/가, 을/를, 과/와 by whether
/// it ends in a consonant, 으로/로 also by whether that consonant is ㄹ
/// ("메일로"). A word not ending in Hangul keeps the tail as typed.
fn with_tail(word: &str, tail: &str) -> String {
    let Some(last) = word.chars().last().filter(|&c| hangul::is_syllable(c)) else {
        return format!("{word}{tail}");
    };
    let consonant = hangul::has_final(last);
    let rieul = hangul::decompose(&last.to_string()).ends_with('ㄹ');
    let pick = |after_consonant, after_vowel| {
        if consonant {
            after_consonant
        } else {
            after_vowel
        }
    };
    let tail = match tail {
        "은" | "는" => pick("은", "는"),
        "이" | "가" => pick("이", "가"),
        "을" | "를" => pick("을", "를"),
        "과" | "와" => pick("과", "와"),
        "으로" | "로" if consonant && !rieul => "으로",
        "으로" | "로" => "로",
        other => other,
    };
    format!("{word}{tail}")
}

impl Suggester {
    /// Precomputes titles, initials, keywords and the content's vocabulary.
    pub fn new(content: Arc<Content>) -> Self {
        let (items, forms) = Forms::build(content.entries());
        let mut seen = HashSet::new();
        let mut words = Vec::new();
        for e in content.entries() {
            let texts = std::iter::once(&*e.title)
                .chain(e.keywords.iter())
                .chain(e.category.levels().iter().map(String::as_str));
            for text in texts {
                for w in words_of(text).map(strip_tail) {
                    if w.chars().count() >= 2 && seen.insert(w.to_lowercase()) {
                        let folded = fold(w);
                        words.push(Word {
                            text: w.to_lowercase(),
                            jamo: folded.chars().collect(),
                            folded,
                        });
                    }
                }
            }
        }
        Suggester {
            content,
            items,
            forms,
            words,
            short: Mutex::default(),
        }
    }

    /// Up to `limit` (at most [`MAX_SUGGESTIONS`]) titles for a partly typed query
    /// (see the module docs). Empty for an empty or over-long query.
    pub fn suggest(&self, typed: &str, limit: usize) -> Vec<Suggestion> {
        let typed = typed.trim();
        if typed.is_empty() || typed.chars().count() > MAX_SUGGEST_CHARS {
            return Vec::new();
        }
        let found = self.suggest_typed(typed, limit);
        if !found.is_empty() {
            return found;
        }
        // Typed with the keyboard in English mode: what its keys spell.
        let compact: String = typed.split_whitespace().collect();
        match keyboard::jamo(&compact) {
            Some(jamo) => self.suggest_typed(&jamo, limit),
            None => found,
        }
    }

    /// [`Self::suggest`] for `typed` as it is.
    fn suggest_typed(&self, typed: &str, limit: usize) -> Vec<Suggestion> {
        let chosung = typed
            .chars()
            .filter(|c| !c.is_whitespace())
            .all(hangul::is_consonant);
        let folded = if chosung {
            typed.chars().filter(|c| !c.is_whitespace()).collect()
        } else {
            fold(typed)
        };
        let Some(needle) = self.forms.alphabet.encode(&folded) else {
            return Vec::new();
        };
        let limit = limit.min(MAX_SUGGESTIONS);
        if limit == 0 {
            return Vec::new();
        }
        let best = if needle.len() <= SHORT * self.forms.alphabet.width {
            self.best_short(needle, chosung)
        } else {
            self.best(&needle, chosung, limit).into()
        };
        let entries = self.content.entries();
        best.iter()
            .take(limit)
            .filter_map(|&at| {
                let e = entries.get(self.items.get(at as usize)?.entry as usize)?;
                Some(Suggestion {
                    id: e.id.to_string(),
                    title: e.title.to_string(),
                    url: article_path(e.id.as_str()),
                })
            })
            .collect()
    }

    /// [`Self::best`] for a short typed text ([`SHORT`]), remembered: the
    /// best [`MAX_SUGGESTIONS`], of which any `limit` are the first.
    fn best_short(&self, needle: Vec<u8>, chosung: bool) -> Arc<[u32]> {
        let key = (chosung, needle);
        if let Some(best) = self.short.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return best;
        }
        let best: Arc<[u32]> = self.best(&key.1, chosung, MAX_SUGGESTIONS).into();
        if let Ok(mut held) = self.short.lock()
            && held.len() < SHORT_HELD
        {
            held.insert(key, Arc::clone(&best));
        }
        best
    }

    /// The positions in `items` of the best `limit` (at least 1) items for
    /// `needle` (the typed text's codes), best first.
    fn best(&self, needle: &[u8], chosung: bool, limit: usize) -> Vec<u32> {
        let salt = if chosung {
            Pairs::INITIALS
        } else {
            Pairs::WORDS
        };
        let wanted = Pairs::of(needle, self.forms.alphabet.width, salt);
        let needle = memmem::Finder::new(needle);
        // Best first: rank, shorter title, title, then content order. The
        // items are in that order but for the rank ([`Forms::build`]), so a
        // match is its rank and position, and a match comes after every
        // match kept before it with a rank as good. One with `limit` such
        // matches before it cannot be shown, so at most `limit` are kept per
        // rank (a one-letter prefix matches most titles of a large help
        // center), and once `limit` titles start with what was typed (rank
        // 0), nothing later can be.
        // One keystroke (a lone jamo or letter) is in nearly every title:
        // only titles that start with it are worth suggesting.
        let first_only = needle.needle().len() <= self.forms.alphabet.width;
        let mut ranked: Vec<(u8, u32)> = Vec::with_capacity(RANKS * limit);
        let mut per_rank = [0; RANKS];
        let held = self.forms.pairs.iter().enumerate();
        for (at, _) in held.filter(|(_, p)| p.holds(wanted)) {
            let Some(it) = self.items.get(at) else {
                continue;
            };
            let Some(r) = self.forms.rank(it, &needle, chosung) else {
                continue;
            };
            if first_only && r > 0 {
                continue;
            }
            let r_at = usize::from(r).min(RANKS - 1);
            if per_rank[..=r_at].iter().sum::<usize>() >= limit {
                continue;
            }
            ranked.push((r, at as u32));
            per_rank[r_at] += 1;
            if per_rank[0] == limit {
                break;
            }
        }
        ranked.sort_unstable();
        ranked.truncate(limit);
        ranked.into_iter().map(|(_, at)| at).collect()
    }

    /// The query with each unknown word replaced by the content's closest word, or
    /// `None` when no word needed (or found) a correction.
    pub fn correct(&self, query: &str) -> Option<String> {
        let mut changed = false;
        let mut out = Vec::new();
        for chunk in query.split_whitespace() {
            // A word typed in English mode with a typo (`ghksqnr`, 환북):
            // the search reads it only when its Hangul is known (see
            // `search::query`), so it is corrected here as that Hangul.
            let keyboard = || keyboard::hangul(chunk).and_then(|h| self.correct_word(&h));
            match self.correct_word(chunk).or_else(keyboard) {
                Some(fixed) => {
                    changed = true;
                    out.push(fixed);
                }
                None => out.push(chunk.to_string()),
            }
        }
        changed.then(|| out.join(" "))
    }

    /// The closest known word to `chunk`, if `chunk` is unknown and one word
    /// is clearly closest, with the particle or ending `chunk` was typed
    /// with ("환뷸이" → "환불이"): the correction reads as the question did.
    fn correct_word(&self, chunk: &str) -> Option<String> {
        let lower = chunk.to_lowercase();
        let stem = strip_tail(&lower);
        if stem.chars().count() < 2 || !stem.chars().all(char::is_alphanumeric) {
            return None;
        }
        let jamo: Vec<char> = fold(stem).chars().collect();
        // Known as a word, or as the start of one: nothing to correct.
        let folded: String = jamo.iter().collect();
        if self.words.iter().any(|w| w.folded.starts_with(&folded)) {
            return None;
        }
        let max = if jamo.len() >= 6 { 2 } else { 1 };
        let mut best: BTreeMap<usize, Vec<&Word>> = BTreeMap::new();
        let mut rows = Vec::new();
        for w in &self.words {
            if w.jamo.len().abs_diff(jamo.len()) > max {
                continue;
            }
            if let Some(d) = edit_distance_within(&jamo, &w.jamo, max, &mut rows) {
                best.entry(d).or_default().push(w);
            }
        }
        let (_, closest) = best.into_iter().next()?;
        match closest.as_slice() {
            [one] => Some(with_tail(&one.text, &lower[stem.len()..])),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `typed` (already folded) ranked against `item`, as `suggest` does.
    fn rank(forms: &Forms, item: &Item, typed: &str, chosung: bool) -> Option<u8> {
        let needle = forms.alphabet.encode(typed)?;
        forms.rank(item, &memmem::Finder::new(&needle), chosung)
    }

    #[test]
    fn a_corrected_word_keeps_the_particle_it_was_typed_with() {
        assert_eq!(with_tail("환불", "이"), "환불이");
        assert_eq!(with_tail("환불", ""), "환불");
        // The particle spelled for the corrected word's last syllable.
        assert_eq!(with_tail("캐시", "을"), "캐시를");
        assert_eq!(with_tail("계좌", "은"), "계좌는");
        assert_eq!(with_tail("기간", "가"), "기간이");
        assert_eq!(with_tail("메일", "으로"), "메일로");
        assert_eq!(with_tail("계정", "로"), "계정으로");
        assert_eq!(with_tail("카드", "와"), "카드와");
        assert_eq!(with_tail("계정", "와"), "계정과");
        assert_eq!(with_tail("email", "로"), "email로");
        assert_eq!(with_tail("환불", "하기"), "환불하기");
    }

    #[test]
    fn unfinished_syllables_and_chosung_match() {
        let mut forms = Forms::new(1);
        let it = forms
            .item(0, "환불계좌는 어떻게 등록하나요?", &Keywords::default())
            .unwrap();
        let cash = forms
            .item(
                1,
                "무상캐시는 언제 소멸되나요?",
                &Keywords::new(["소멸 기한"]).unwrap(),
            )
            .unwrap();
        let f = &forms;
        assert_eq!(rank(f, &it, &fold("환부"), false), Some(0));
        assert_eq!(rank(f, &it, &fold("환불계"), false), Some(0));
        assert_eq!(rank(f, &it, &fold("환불 계좌"), false), Some(0));
        assert_eq!(rank(f, &it, &fold("어떻"), false), Some(1));
        assert_eq!(rank(f, &it, "ㅎㅂㄱㅈ", true), Some(0));
        assert_eq!(rank(f, &it, &fold("무상"), false), None);
        assert_eq!(rank(f, &cash, &fold("무상캐"), false), Some(0));
        assert_eq!(rank(f, &cash, &fold("무상캣"), false), Some(0));
        assert_eq!(rank(f, &cash, &fold("언제"), false), Some(1));
        assert_eq!(rank(f, &cash, &fold("소멸기"), false), Some(3));
        assert_eq!(rank(f, &cash, "ㅅㅁㄷ", true), Some(2));
        // A character no title uses matches nothing.
        assert_eq!(rank(f, &cash, &fold("무상캐시q"), false), None);
    }

    #[test]
    fn content_with_many_characters_gets_wider_codes_and_the_same_matches() {
        // 300 distinct characters (Hanja, which folding keeps as they are)
        // do not fit one-byte codes.
        let many: String = (0..300u32)
            .map(|i| char::from_u32(0x4E00 + i).unwrap())
            .collect();
        let c = |i: u32| char::from_u32(0x4E00 + i).unwrap().to_string();
        let mut narrow = Forms::new(1);
        assert!(narrow.item(0, &many, &Keywords::default()).is_none());
        let mut forms = Forms::new(2);
        let all = forms.item(0, &many, &Keywords::default()).unwrap();
        // Codes 1 and 256 are the bytes 00 01 01 00; code 257 (01 01) occurs
        // inside them one byte off, which is not a match.
        let pair = forms
            .item(1, &format!("{}{}", c(1), c(256)), &Keywords::default())
            .unwrap();
        assert_eq!(rank(&forms, &all, &c(257), false), Some(2));
        assert_eq!(rank(&forms, &pair, &c(257), false), None);
        assert_eq!(rank(&forms, &pair, &c(256), false), Some(2));
        assert_eq!(rank(&forms, &pair, &c(1), false), Some(0));
    }

    #[test]
    fn the_pair_filter_keeps_every_item_that_can_match() {
        let many: String = (0..300u32)
            .map(|i| char::from_u32(0x4E00 + i).unwrap())
            .collect();
        for width in [1, 2] {
            let mut forms = Forms::new(width);
            let mut items = vec![
                forms
                    .item(0, "환불계좌는 어떻게 등록하나요?", &Keywords::default())
                    .unwrap(),
                forms
                    .item(
                        1,
                        "무상캐시는 언제 소멸되나요?",
                        &Keywords::new(["소멸 기한", "API"]).unwrap(),
                    )
                    .unwrap(),
            ];
            if width == 2 {
                items.push(forms.item(2, &many, &Keywords::default()).unwrap());
            }
            let f = &forms;
            let text = |span: Span| span.of(&f.text).to_vec();
            for (it, pairs) in items.iter().zip(&f.pairs) {
                let mut texts = vec![(text(it.jamo), Pairs::WORDS)];
                texts.push((text(it.initials()), Pairs::INITIALS));
                for k in it.keywords.of(&f.keywords) {
                    texts.push((text(*k), Pairs::WORDS));
                }
                for (t, salt) in texts {
                    let n = t.len() / width;
                    for start in 0..n {
                        for end in start + 1..=n.min(start + 8) {
                            let typed = &t[start * width..end * width];
                            assert!(pairs.holds(Pairs::of(typed, width, salt)));
                        }
                    }
                }
            }
            // And it filters: some typed text shares no pairs with the title.
            let refund = f.pairs[0];
            assert!(["무상캐시", "소멸되나", "언제소멸"].iter().any(|t| {
                let typed = f.alphabet.encode(&fold(t)).unwrap();
                !refund.holds(Pairs::of(&typed, width, Pairs::WORDS))
            }));
        }
    }

    #[test]
    fn edit_distance_counts_jamo() {
        let a: Vec<char> = fold("셰금").chars().collect();
        let b: Vec<char> = fold("세금").chars().collect();
        assert_eq!(edit_distance(&a, &b), 1);
        assert_eq!(edit_distance(&[], &['a', 'b']), 2);
        assert_eq!(edit_distance(&['a', 'b'], &['a', 'b']), 0);
        // The bounded one agrees wherever the distance is within its bound.
        let words = [
            "세금",
            "셰금",
            "세금계산서",
            "환불",
            "환뷸",
            "훤뷸",
            "",
            "abc",
            "abd",
        ];
        let mut rows = Vec::new();
        for x in words {
            for y in words {
                let (a, b): (Vec<char>, Vec<char>) =
                    (fold(x).chars().collect(), fold(y).chars().collect());
                let d = edit_distance(&a, &b);
                for max in 0..4 {
                    assert_eq!(
                        edit_distance_within(&a, &b, max, &mut rows),
                        (d <= max).then_some(d),
                        "{x} {y} {max}"
                    );
                }
            }
        }
        assert_eq!(strip_tail("환불을"), "환불");
        assert_eq!(strip_tail("을"), "을");
    }
}
