//! Korean analysis on top of lindera and mecab-ko-dic.
//!
//! One [`Analyzer`] (built once) turns
//! text into the token kinds doum indexes and queries:
//!
//! - **morphemes**: nouns, verb/adjective stems, roots, foreign words and
//!   numbers; particles, endings and suffixes dropped (as nori's default stop
//!   tags do); compound nouns kept whole *and* split into their parts; Latin
//!   lowercased. See [`Analyzer::morphemes`].
//! - **bigrams**: overlapping Hangul syllable pairs, ignoring spaces between
//!   syllables, so "세금 계산 서" and "세금계산서" share all their bigrams.
//! - **stems**: each whitespace chunk without its trailing particles and
//!   endings ("템플릿을" → "템플릿"), the unit typo correction works on.
//! - **초성**: the initial consonants of nouns and noun runs ("가상계좌" →
//!   "ㄱㅅㄱㅈ").
//!
//! Every whitespace-separated chunk is segmented on its own: lindera keeps
//! spaces in its path search, so "무상캐시 사용" could otherwise split
//! differently from "무상캐시" alone. Documents and queries therefore split the
//! same way whatever the spacing around a word.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use anyhow::{Result, anyhow};
use lindera::dictionary::load_fs_dictionary;
use lindera::mode::Mode;
use lindera::segmenter::Segmenter;
use lindera_dictionary::viterbi::Lattice;

use super::details::{Fields, WordFields};
use super::hangul;

/// A kept token with its byte offsets in the analyzed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// Normalized text (Latin lowercased).
    pub text: String,
    /// Byte offset of the first character in the analyzed text.
    pub start: usize,
    /// Byte offset just past the last character.
    pub end: usize,
    /// Token position (compound parts share their compound's position).
    pub position: usize,
    /// True for nouns, roots and foreign words (what 초성 and noun runs use).
    pub nominal: bool,
}

/// The analysis of one whitespace chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The chunk without trailing particles and endings (position = chunk index).
    pub stem: Option<Piece>,
    /// Its content morphemes (positions continue across chunks).
    pub morphemes: Vec<Piece>,
}

/// The stem of a segmented chunk at `base` (its morphemes' offsets are
/// relative to the chunk): up to its last non-functional morpheme.
fn stem_of(text: &str, base: usize, raws: &[Raw], position: usize) -> Option<Piece> {
    let keep = raws.iter().rposition(|r| !is_functional(&r.tag))? + 1;
    let end = base + raws[keep - 1].end;
    let stem = lowercase(&text[base..end]);
    stem.chars()
        .any(|c| hangul::is_syllable(c) || c.is_alphanumeric())
        .then_some(Piece {
            text: stem,
            start: base,
            end,
            position,
            nominal: true,
        })
}

/// Part-of-speech tags whose morphemes are kept (everything else, particles
/// `J*`, endings `E*`, suffixes `XS*`, adverbs, determiners, interjections,
/// symbols, auxiliaries and pronouns, is dropped).
const KEPT_TAGS: [&str; 9] = ["NNG", "NNP", "NR", "VV", "VA", "XR", "SL", "SH", "SN"];
/// Tags that count as nominal for noun runs and 초성.
const NOMINAL_TAGS: [&str; 5] = ["NNG", "NNP", "XR", "SL", "SH"];
/// Light verbs and adjectives that carry no topic ("하다", "되다", "있다", ...),
/// and the courtesy verbs 드리다 ("안내해 드립니다", "문의 드려요") and 돕다
/// ("도와주세요"), which say only that something is asked or offered.
const STOP_STEMS: [&str; 14] = [
    "하", "되", "있", "없", "같", "보", "알", "모르", "싶", "그렇", "이렇", "어떻", "드리", "돕",
];

/// Syllables from which a chunk may be run-together words (see
/// [`Analyzer::spaced`]).
pub const RUN_TOGETHER_SYLLABLES: usize = 6;
/// Content words from which such a chunk is spaced.
pub const RUN_TOGETHER_WORDS: usize = 3;

/// Chunks an [`Analyzer::memoized`] scope remembers before it starts afresh
/// (a chunk and its morphemes take a few hundred bytes).
pub const MEMO_LIMIT: usize = 30_000;
/// Chunks a searching thread remembers (see
/// [`Analyzer::remember_queries_on_this_thread`]): about half a megabyte.
pub const QUERY_MEMO_LIMIT: usize = 2_048;

/// Remembered segmentations of whitespace-free chunks, at most `limit`, by
/// the analyzer `owner` (see [`Analyzer::id`]).
struct ChunkMemo {
    chunks: HashMap<String, Vec<Raw>, foldhash::fast::RandomState>,
    limit: usize,
    owner: u64,
}

impl ChunkMemo {
    fn new(limit: usize) -> Self {
        ChunkMemo {
            chunks: HashMap::default(),
            limit,
            owner: 0,
        }
    }
}

/// Starts this thread's memo with room for `limit` chunks, unless one is
/// already active.
fn remember_up_to(limit: usize) {
    MEMO.with(|m| {
        m.borrow_mut().get_or_insert_with(|| ChunkMemo::new(limit));
    });
}

/// The next [`Analyzer::id`].
static NEXT_ANALYZER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// The Korean analyzer. Cheap to share (`Arc`), safe to use from many threads.
pub struct Analyzer {
    segmenter: Segmenter,
    /// Reads the fields of dictionary words without lindera's map of the
    /// word list (`None`: through lindera, see [`WordFields::open`]).
    words: Option<WordFields>,
    /// Unique per analyzer in this process: a thread's memo holds one
    /// analyzer's segmentations (another dictionary may segment otherwise).
    id: u64,
}

thread_local! {
    static LATTICE: RefCell<Lattice> = RefCell::new(Lattice::default());
    /// Segmentations of this thread's current [`Analyzer::memoized`] scope.
    static MEMO: RefCell<Option<ChunkMemo>> = const { RefCell::new(None) };
}

/// One segmented morpheme, before filtering, with byte offsets in its chunk.
struct Raw {
    // Shared: noun runs for 초성 keep surfaces beyond the chunk's borrow.
    surface: Rc<str>,
    start: usize,
    end: usize,
    tag: Rc<str>,
    kind: Rc<str>,
    expression: Rc<str>,
}

impl Analyzer {
    /// Loads the lindera dictionary at `dict_dir` (memory-mapped) and builds
    /// the segmenter.
    pub fn load(dict_dir: &Path) -> Result<Self> {
        let mut dictionary = load_fs_dictionary(dict_dir).map_err(|e| {
            anyhow!(
                "loading the Korean dictionary at {}: {e}",
                dict_dir.display()
            )
        })?;
        // ko-dic ships mecab-ko-dic's left-space penalty (particles and
        // endings cost more after a space). Every chunk is segmented on its
        // own, without spaces, so the penalty never applies; but lindera
        // builds its table from the details of every word of the dictionary,
        // which maps all of `dict.words` (38 MB) into memory and takes about
        // 0.1 s at every start.
        if dictionary.metadata.space_penalty.is_some() {
            let mut metadata = (*dictionary.metadata).clone();
            metadata.space_penalty = None;
            dictionary.metadata = std::sync::Arc::new(metadata);
        }
        let words = WordFields::open(dict_dir, &dictionary);
        let segmenter = Segmenter::new(Mode::Normal, dictionary, None);
        let id = NEXT_ANALYZER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(Self {
            segmenter,
            words,
            id,
        })
    }

    /// Runs `f` with chunk segmentations remembered until it returns (on this
    /// thread; at most [`MEMO_LIMIT`] chunks, then the memo starts afresh):
    /// indexing analyzes each document's text several ways (morphemes,
    /// stems, 초성), and a help center's documents share most of their words,
    /// so an indexing thread segments each distinct chunk about once. Every
    /// chunk is segmented on its own, so the results are exactly those
    /// without the memo.
    pub fn memoized<T>(&self, f: impl FnOnce() -> T) -> T {
        let outer = MEMO.with(|m| m.borrow_mut().replace(ChunkMemo::new(MEMO_LIMIT)));
        let out = f();
        MEMO.with(|m| *m.borrow_mut() = outer);
        out
    }

    /// Remembers chunk segmentations on this thread from now on, as in
    /// [`Analyzer::memoized`] but without end (bounded by [`MEMO_LIMIT`]),
    /// unless a memo is already active: for the index writer's threads,
    /// which doum does not run itself and which end with the build.
    pub fn remember_on_this_thread(&self) {
        remember_up_to(MEMO_LIMIT);
    }

    /// Remembers chunk segmentations on this thread from now on, at most
    /// [`QUERY_MEMO_LIMIT`], unless a memo is already active: for the threads
    /// that analyze queries. Customers' questions share most of their words
    /// ("환불", "세금계산서", "캐시충전"), and segmenting them is about a fifth of
    /// a search on a small help center. Exact, as for [`Analyzer::memoized`].
    pub fn remember_queries_on_this_thread(&self) {
        remember_up_to(QUERY_MEMO_LIMIT);
    }

    /// Runs `f` on the segmentation of one whitespace-free chunk, with
    /// offsets relative to the chunk: borrowed from this thread's memo when
    /// it remembers the chunk, otherwise segmented (and then remembered, when
    /// a memo is active). `f` must not analyze (the memo is borrowed).
    fn with_segments<R>(&self, chunk: &str, mut f: impl FnMut(&[Raw]) -> R) -> R {
        let hit = MEMO.with(|m| {
            let memo = m.borrow();
            let memo = memo.as_ref().filter(|m| m.owner == self.id)?;
            memo.chunks.get(chunk).map(|raws| f(raws))
        });
        if let Some(out) = hit {
            return out;
        }
        let mut raws = Vec::new();
        self.segment_chunk_uncached(chunk, &mut raws);
        let out = f(&raws);
        MEMO.with(|m| {
            if let Some(memo) = m.borrow_mut().as_mut() {
                if memo.chunks.len() >= memo.limit || memo.owner != self.id {
                    memo.chunks.clear();
                    memo.owner = self.id;
                }
                memo.chunks.insert(chunk.to_string(), raws);
            }
        });
        out
    }

    /// Segments one chunk. A noun typed bare can read as a light verb and
    /// its ending ("보고서" → 보/VX + 고서/EC, leaving nothing to search);
    /// when a chunk reads as nothing but such function words and the same
    /// chunk followed by a particle reads as one noun ("보고서가" → 보고서),
    /// the noun reading is kept: the chunk then means what it means in
    /// running text.
    fn segment_chunk_uncached(&self, chunk: &str, out: &mut Vec<Raw>) {
        self.segment(chunk, out);
        if chunk.chars().filter(|&c| hangul::is_syllable(c)).count() < 2
            || out.iter().any(keeps_something)
        {
            return;
        }
        let Some(last) = chunk.chars().last().filter(|&c| hangul::is_syllable(c)) else {
            return;
        };
        // The subject particle as written after this last syllable.
        let particle = if hangul::has_final(last) {
            "이"
        } else {
            "가"
        };
        let mut noun = Vec::new();
        self.segment(&format!("{chunk}{particle}"), &mut noun);
        let one_noun = noun.first().is_some_and(|r| {
            r.start == 0 && r.end == chunk.len() && NOMINAL_TAGS.contains(&first_tag(&r.tag))
        });
        if one_noun {
            noun.truncate(1);
            *out = noun;
        }
    }

    fn segment(&self, chunk: &str, out: &mut Vec<Raw>) {
        LATTICE.with(|lattice| {
            let mut lattice = lattice.borrow_mut();
            let Ok(tokens) = self
                .segmenter
                .segment_with_lattice(Cow::Borrowed(chunk), &mut lattice)
            else {
                return;
            };
            for mut token in tokens {
                let surface: Rc<str> = Rc::from(&*token.surface);
                let (start, end) = (token.byte_start, token.byte_end);
                let id = token.word_id;
                let Fields {
                    tag,
                    kind,
                    expression,
                } = self
                    .words
                    .as_ref()
                    .filter(|_| id.is_system())
                    .and_then(|w| w.fields(self.id, id.id()))
                    .unwrap_or_else(|| Fields::of(token.details()));
                out.push(Raw {
                    surface,
                    start,
                    end,
                    tag,
                    kind,
                    expression,
                });
            }
        });
    }

    /// True when the dictionary holds `word` as one of its entries: a real
    /// word, however rare ("상다", "토계"), rather than a surface it can
    /// only read as pieces or as an unknown run ("츤구", "쮜소": typos).
    pub fn is_dictionary_word(&self, word: &str) -> bool {
        !self
            .segmenter
            .dictionary
            .prefix_dictionary
            .find_surface(word)
            .is_empty()
    }

    /// Splits `text` into whitespace chunks `(byte offset, chunk)`.
    pub fn chunks(text: &str) -> impl Iterator<Item = (usize, &str)> {
        text.split_whitespace()
            .map(move |chunk| (chunk.as_ptr() as usize - text.as_ptr() as usize, chunk))
    }

    /// The rest of the whitespace chunk of `text` from byte `start` on (a
    /// word's stem starts its chunk, so this is the word as typed, endings
    /// included).
    pub fn chunk_from(text: &str, start: usize) -> &str {
        let rest = &text[start..];
        rest.find(char::is_whitespace).map_or(rest, |n| &rest[..n])
    }

    /// One analysis per whitespace chunk: its stem and its content
    /// morphemes, from a single segmentation (what a query needs).
    pub fn words(&self, text: &str) -> Vec<Word> {
        let mut out = Vec::new();
        let mut position = 0;
        for (index, (base, chunk)) in Self::chunks(text).enumerate() {
            if hangul::is_all_jamo(chunk) {
                // "ㄱㅅㄱㅈ": 초성 typed on purpose, not a word to segment.
                continue;
            }
            let word = self.with_segments(chunk, |raws| {
                let mut morphemes = Vec::new();
                for raw in raws {
                    keep_raw(raw, base, &mut position, &mut morphemes);
                }
                Word {
                    stem: stem_of(text, base, raws, index),
                    morphemes,
                }
            });
            out.push(word);
        }
        out
    }

    /// `text` with its run-together chunks spaced between their words
    /// ("세금계산서이메일변경" → "세금계산서 이메일 변경"), for a reader trained
    /// on spaced text: the embedding model reads a run-together query as
    /// subword pieces that seldom line up with its words.
    ///
    /// A chunk is spaced when it holds at least [`RUN_TOGETHER_SYLLABLES`]
    /// syllables and [`RUN_TOGETHER_WORDS`] content words. The segmentation
    /// of such a chunk is less sure than that of spaced text ("세금계산서의"
    /// reads as 세금 + 계산 + 서의), so a cut goes only before a word of two
    /// syllables or more that follows another word, both of which `known`
    /// accepts (the caller's vocabulary: what the content holds). Particles
    /// and endings stay with the word before them ("캠페인만들기버튼비활성화"
    /// → "캠페인 만들기 버튼 비활성화").
    pub fn spaced<'t>(&self, text: &'t str, known: &dyn Fn(&str) -> bool) -> Cow<'t, str> {
        let mut cuts = Vec::new();
        for (base, chunk) in Self::chunks(text) {
            let syllables = chunk.chars().filter(|&c| hangul::is_syllable(c)).count();
            if syllables < RUN_TOGETHER_SYLLABLES {
                continue;
            }
            // The first piece of each content word.
            let mut words: Vec<Piece> = Vec::new();
            for w in self.words(chunk) {
                for piece in w.morphemes {
                    if words.last().is_none_or(|l| l.position != piece.position) {
                        words.push(piece);
                    }
                }
            }
            if words.len() < RUN_TOGETHER_WORDS {
                continue;
            }
            for pair in words.windows(2) {
                let (before, word) = (&pair[0], &pair[1]);
                let cut = base + word.start;
                if word.start > 0
                    && cut > cuts.last().copied().unwrap_or(0)
                    && text.is_char_boundary(cut)
                    && word.text.chars().count() > 1
                    && known(&word.text)
                    && known(&before.text)
                {
                    cuts.push(cut);
                }
            }
        }
        if cuts.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = String::with_capacity(text.len() + cuts.len());
        let mut from = 0;
        for cut in cuts {
            out.push_str(&text[from..cut]);
            out.push(' ');
            from = cut;
        }
        out.push_str(&text[from..]);
        Cow::Owned(out)
    }

    /// Content morphemes of `text`, in order, with offsets and positions.
    pub fn morphemes(&self, text: &str) -> Vec<Piece> {
        self.words(text)
            .into_iter()
            .flat_map(|w| w.morphemes)
            .collect()
    }

    /// Each chunk without trailing particles, endings and suffixes, as typed
    /// ("템플릿을" → "템플릿", "환뷸" → "환뷸"). Chunks of 초성 are skipped.
    pub fn stems(&self, text: &str) -> Vec<Piece> {
        self.words(text)
            .into_iter()
            .filter_map(|w| w.stem)
            .collect()
    }

    /// 초성 strings of nouns and noun runs (up to three adjacent nouns, also
    /// across a space: "대체 발송" → "ㄷㅊㅂㅅ"), and of each chunk's stem
    /// ("캐러셀로" → "ㅋㄹㅅ", which the dictionary splits as 캐 + 러셀: a
    /// loanword's 초성 is that of the word as written), for queries typed as
    /// initial consonants.
    pub fn chosung(&self, text: &str) -> Vec<Piece> {
        // (surface, start, end, joins the previous noun)
        let mut nouns: Vec<(Rc<str>, usize, usize, bool)> = Vec::new();
        // Chunk stems of Hangul syllables: (start, end).
        let mut stems: Vec<(usize, usize)> = Vec::new();
        let mut prev_chunk_ended_in_noun = false;
        for (base, chunk) in Self::chunks(text) {
            if hangul::is_all_jamo(chunk) {
                prev_chunk_ended_in_noun = false;
                continue;
            }
            prev_chunk_ended_in_noun = self.with_segments(chunk, |raws| {
                if let Some(keep) = raws.iter().rposition(|r| !is_functional(&r.tag)) {
                    let end = base + raws[keep].end;
                    if text[base..end].chars().all(hangul::is_syllable) {
                        stems.push((base, end));
                    }
                }
                let mut last_end: Option<usize> = None;
                for (i, r) in raws.iter().enumerate() {
                    let (start, end) = (base + r.start, base + r.end);
                    let nominal = NOMINAL_TAGS.contains(&first_tag(&r.tag));
                    if nominal {
                        let joins = match last_end {
                            Some(e) => e == start,
                            None => i == 0 && prev_chunk_ended_in_noun,
                        };
                        nouns.push((r.surface.clone(), start, end, joins));
                        last_end = Some(end);
                    } else if first_tag(&r.tag).starts_with('J') && last_end == Some(start) {
                        // A particle after a noun keeps the run: people type the
                        // 초성 of the content words ("채널이 휴면" → "ㅊㄴㅎㅁ").
                        last_end = Some(end);
                    } else {
                        last_end = None;
                    }
                }
                last_end.is_some()
            });
        }
        let mut out = Vec::new();
        let mut i = 0;
        while i < nouns.len() {
            let mut j = i + 1;
            while j < nouns.len() && nouns[j].3 {
                j += 1;
            }
            for a in i..j {
                for b in a + 1..=(a + 3).min(j) {
                    let word: String = nouns[a..b].iter().map(|n| &*n.0).collect();
                    let initials = hangul::initials(&word);
                    if initials.chars().count() >= 2 && initials.chars().all(hangul::is_jamo) {
                        out.push(Piece {
                            text: initials,
                            start: nouns[a].1,
                            end: nouns[b - 1].2,
                            position: out.len(),
                            nominal: true,
                        });
                    }
                }
            }
            i = j;
        }
        for (start, end) in stems {
            let initials = hangul::initials(&text[start..end]);
            let new = !out.iter().any(|p| p.start == start && p.text == initials);
            if new && initials.chars().count() >= 2 {
                out.push(Piece {
                    text: initials,
                    start,
                    end,
                    position: out.len(),
                    nominal: true,
                });
            }
        }
        out
    }
}

/// The query's 초성 chunks ("ㄱㅅㄱㅈ"), and their concatenation when the
/// user typed several ("ㄱㅅ ㄱㅈ").
pub fn chosung_query(text: &str) -> Vec<String> {
    let parts: Vec<&str> = text
        .split_whitespace()
        .filter(|c| hangul::is_chosung_query(c))
        .collect();
    let mut out: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
    if parts.len() > 1 {
        out.push(parts.concat());
    }
    out
}

/// Hangul syllable bigrams of `text`, ignoring whitespace between syllables;
/// a lone syllable yields itself; runs of Latin letters and digits yield one
/// lowercased token each.
pub fn bigrams(text: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut prev: Option<(usize, char)> = None; // last Hangul syllable in the run
    let mut run_len = 0;
    let mut position = 0;
    let mut word: Option<(usize, String)> = None; // current Latin/digit word
    let flush_word = |word: &mut Option<(usize, String)>,
                      end: usize,
                      out: &mut Vec<Piece>,
                      position: &mut usize| {
        if let Some((start, w)) = word.take() {
            out.push(Piece {
                text: w,
                start,
                end,
                position: *position,
                nominal: true,
            });
            *position += 1;
        }
    };
    let mut last_single: Option<Piece> = None;
    for (i, c) in text.char_indices() {
        if hangul::is_syllable(c) {
            flush_word(&mut word, i, &mut out, &mut position);
            if let Some((pi, pc)) = prev {
                let mut s = String::with_capacity(6);
                s.push(pc);
                s.push(c);
                out.push(Piece {
                    text: s,
                    start: pi,
                    end: i + c.len_utf8(),
                    position,
                    nominal: true,
                });
                position += 1;
                last_single = None;
            } else {
                last_single = Some(Piece {
                    text: c.to_string(),
                    start: i,
                    end: i + c.len_utf8(),
                    position,
                    nominal: true,
                });
            }
            prev = Some((i, c));
            run_len += 1;
        } else if c.is_whitespace() {
            // Spaces do not break a Hangul run.
            flush_word(&mut word, i, &mut out, &mut position);
        } else {
            if run_len == 1
                && let Some(p) = last_single.take()
            {
                out.push(p);
                position += 1;
            }
            prev = None;
            run_len = 0;
            last_single = None;
            if c.is_alphanumeric() {
                match &mut word {
                    Some((_, w)) => w.extend(c.to_lowercase()),
                    None => word = Some((i, c.to_lowercase().collect())),
                }
            } else {
                flush_word(&mut word, i, &mut out, &mut position);
            }
        }
    }
    if run_len == 1
        && let Some(p) = last_single.take()
    {
        out.push(p);
        position += 1;
    }
    flush_word(&mut word, text.len(), &mut out, &mut position);
    out
}

/// True when [`keep_raw`] keeps some morpheme of `raw`.
fn keeps_something(raw: &Raw) -> bool {
    let mut kept = Vec::new();
    keep_raw(raw, 0, &mut 0, &mut kept);
    !kept.is_empty()
}

fn first_tag(tag: &str) -> &str {
    tag.split('+').next().unwrap_or(tag)
}

/// Particles, endings, suffixes, copulas and symbols: what trails a stem.
fn is_functional(tag: &str) -> bool {
    let t = first_tag(tag);
    t.starts_with('J')
        || t.starts_with('E')
        || t.starts_with("XS")
        || t.starts_with('S') && !matches!(t, "SL" | "SH" | "SN")
        || matches!(t, "VCP" | "VCN" | "VX")
}

fn lowercase(s: &str) -> String {
    hangul::lowercase(s).into_owned()
}

fn keep_tag(tag: &str, text: &str) -> bool {
    if !KEPT_TAGS.contains(&tag) {
        return false;
    }
    !(matches!(tag, "VV" | "VA") && STOP_STEMS.contains(&text))
}

/// Applies the keep rules to one segmented morpheme of the chunk at `base`.
fn keep_raw(raw: &Raw, base: usize, position: &mut usize, out: &mut Vec<Piece>) {
    let (start, end) = (base + raw.start, base + raw.end);
    let tag = first_tag(&raw.tag);
    let nominal = NOMINAL_TAGS.contains(&tag);
    match &*raw.kind {
        "Inflect" => {
            // "됐" = 되/VV + 었/EP: keep the kept parts, spanning the token.
            let mut kept = false;
            for part in raw.expression.split('+') {
                let mut fields = part.split('/');
                let (Some(text), Some(ptag)) = (fields.next(), fields.next()) else {
                    continue;
                };
                if keep_tag(ptag, text) {
                    out.push(Piece {
                        text: lowercase(text),
                        start,
                        end,
                        position: *position,
                        nominal: NOMINAL_TAGS.contains(&ptag),
                    });
                    kept = true;
                }
            }
            if kept {
                *position += 1;
            }
        }
        _ if &*raw.tag == "UNKNOWN" => {
            // An unknown Hangul or Latin run: keep it as typed (typos live here).
            if raw
                .surface
                .chars()
                .any(|c| hangul::is_syllable(c) || c.is_alphanumeric())
                && !raw.surface.chars().all(hangul::is_jamo)
            {
                out.push(Piece {
                    text: lowercase(&raw.surface),
                    start,
                    end,
                    position: *position,
                    nominal: true,
                });
                *position += 1;
            }
        }
        kind => {
            if !keep_tag(tag, &raw.surface) {
                return;
            }
            out.push(Piece {
                text: lowercase(&raw.surface),
                start,
                end,
                position: *position,
                nominal,
            });
            if kind == "Compound" {
                // "계산서" = 계산/NNG + 서/NNG: add the parts, located in the surface.
                let mut from = 0;
                for part in raw.expression.split('+') {
                    let Some(text) = part.split('/').next() else {
                        continue;
                    };
                    if let Some(found) = raw.surface[from..].find(text) {
                        let s = start + from + found;
                        from += found + text.len();
                        if text.chars().count() >= 2 || text.is_ascii() {
                            out.push(Piece {
                                text: lowercase(text),
                                start: s,
                                end: s + text.len(),
                                position: *position,
                                nominal,
                            });
                        }
                    }
                }
            }
            *position += 1;
        }
    }
}
