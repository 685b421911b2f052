//! Typo'd words: which words of a query look like typos, and the index
//! words each may stand for.

use std::sync::Arc;

use tantivy::query::FuzzyTermQuery;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use super::super::memo::Memo;
use super::super::schema::Fields;
use super::known_or_stop_word;
use super::synonyms::SynonymTable;
use crate::korean::{Analyzer, hangul};

/// Real words of this many syllables or more that the content lacks are
/// read as their one-edit neighbours too (see [`corrections`]).
pub const LONG_WORD_SYLLABLES: usize = 3;

/// At most this many words of one query are matched fuzzily (each costs a
/// Levenshtein automaton).
const MAX_FUZZY_WORDS: usize = 3;

/// How many edits a typo'd word (spelled as jamo) may be from the word
/// meant: 1, or 2 for long words (15+ jamo, about 5 syllables). Distance 2
/// costs ~45 µs to build its automaton, and short words have too many
/// 2-edit neighbours.
pub fn typo_distance(jamo: &str) -> u8 {
    if jamo.chars().count() >= 15 { 2 } else { 1 }
}

/// The index's words within typo distance of a word (see [`typo_distance`]),
/// remembered per word: building a Levenshtein automaton over jamo and
/// walking the term dictionaries with it was a quarter of a search's time,
/// and the same typos come back. One cache per index (a [`crate::search::SearchEngine`]);
/// emptied when it holds [`FuzzyCache::CAPACITY`] words.
pub struct FuzzyCache {
    terms: Memo<String, Arc<Vec<Term>>>,
    corrections: Memo<String, Arc<Vec<Correction>>>,
}

impl Default for FuzzyCache {
    fn default() -> Self {
        Self {
            terms: Memo::new(Self::CAPACITY),
            corrections: Memo::new(Self::CAPACITY),
        }
    }
}

impl FuzzyCache {
    /// Words remembered at most.
    pub const CAPACITY: usize = 10_000;

    /// The terms of `field` (a jamo field) within [`typo_distance`] of
    /// `jamo` (transpositions count as one edit), in every segment.
    pub fn expand(&self, searcher: &Searcher, field: Field, jamo: &str) -> Arc<Vec<Term>> {
        self.terms.get_or(jamo, || {
            Arc::new(fuzzy_terms(searcher, field, jamo).unwrap_or_default())
        })
    }

    /// [`corrections`] of `jamo` among the terms [`Self::expand`] finds;
    /// when there are none, among the one-word members of the synonym
    /// groups ([`SynonymTable::words_near`]): a typo of a word the content
    /// lacks but a synonym group holds ("가걱" for 가격, where the content
    /// says 요금) stands for that word, which brings its synonyms.
    pub fn corrections(
        &self,
        searcher: &Searcher,
        field: Field,
        jamo: &str,
        analyzer: &Analyzer,
        synonyms: &SynonymTable,
    ) -> Arc<Vec<Correction>> {
        self.corrections.get_or(jamo, || {
            let found = corrections(jamo, &self.expand(searcher, field, jamo), analyzer);
            if !found.is_empty() {
                return Arc::new(found);
            }
            let near: Vec<Term> = synonyms
                .words_near(jamo, usize::from(typo_distance(jamo)))
                .into_iter()
                .map(|j| Term::from_field_text(field, &j))
                .collect();
            Arc::new(corrections(jamo, &near, analyzer))
        })
    }
}

/// The words a typo'd word (spelled as jamo) may stand for: `near`, the
/// jamo-field terms within typo distance of it, read back as syllables and
/// analyzed as the index analyzed them.
///
/// A word the dictionary reads as one morpheme and holds as an entry
/// ("계약", "정도") is a real word the content lacks rather than a typo
/// (a run it cannot read, "쮜소", is one morpheme too, but no word): its near words ("예약",
/// "정보") mean something else, except the ones that sound the same
/// ([`hangul::sounds_alike`]: "결재" for 결제), the misspelling that makes
/// real words. A typo splits into pieces ("환뷸" → 환 | 뷸, "구룹" → 구 | 룹).
/// From `LONG_WORD_SYLLABLES` syllables on, a real word's one-edit
/// neighbours are taken too: long words seldom have real words one
/// keystroke away, and the dictionary holds the spellings customers type
/// for loanwords ("메세지" for 메시지, "비지니스" for 비즈니스, "컨텐츠" for
/// 콘텐츠), which the content, written to the standard, lacks.
pub fn corrections(jamo: &str, near: &[Term], analyzer: &Analyzer) -> Vec<Correction> {
    let mut words: Vec<Correction> = Vec::new();
    let typed = hangul::compose(jamo).unwrap_or_default();
    let real_word = matches!(analyzer.morphemes(&typed).as_slice(), [one] if one.text == typed)
        && analyzer.is_dictionary_word(&typed);
    let long_word = typed.chars().count() >= LONG_WORD_SYLLABLES && typo_distance(jamo) == 1;
    for term in near {
        let Some(word) = term.value().as_str().and_then(hangul::compose) else {
            continue;
        };
        if real_word && !long_word && !hangul::sounds_alike(&typed, &word) {
            continue;
        }
        let morphemes: Vec<String> = analyzer
            .morphemes(&word)
            .into_iter()
            .map(|p| p.text)
            .collect();
        if !morphemes.is_empty() && !words.iter().any(|c| c.morphemes == morphemes) {
            words.push(Correction { word, morphemes });
        }
    }
    words
}

fn fuzzy_terms(searcher: &Searcher, field: Field, jamo: &str) -> tantivy::Result<Vec<Term>> {
    let query = FuzzyTermQuery::new(
        Term::from_field_text(field, jamo),
        typo_distance(jamo),
        true,
    );
    let dfa = query.automaton()?;
    let mut out: Vec<Term> = Vec::new();
    for reader in searcher.segment_readers() {
        let index = reader.inverted_index(field)?;
        let mut stream = index.terms().search(&dfa).into_stream()?;
        while stream.advance() {
            if let Ok(text) = std::str::from_utf8(stream.key()) {
                out.push(Term::from_field_text(field, text));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// An index word near a typo'd one (see [`super::QueryPlan::corrections`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// The word, as syllables.
    pub word: String,
    /// Its morphemes, as the index analyzed them.
    pub morphemes: Vec<String>,
}

/// A word that looks like a typo (see [`suspects`]).
pub(super) struct Typo {
    /// Its stem spelled as jamo, matched fuzzily.
    pub(super) jamo: String,
    /// The whole chunk as jamo, when it is longer than the stem and short
    /// enough to be one word: a typo can make the dictionary read a word's
    /// end as particles ("다운로두" → 다운 + 로 + 두), and the stem alone then
    /// finds nothing near it (see [`super::QueryPlan::correct_typos`]).
    pub(super) whole: Option<String>,
    /// The morpheme positions it stands for: every one of its word, or,
    /// in a run-together word that also holds known words, those of the
    /// unknown stretch alone (see [`suspects`]).
    pub(super) positions: Vec<usize>,
}

/// Chunks of more syllables than this are not tried whole as one typo'd word.
const MAX_WHOLE_SYLLABLES: usize = 6;

/// Words that look like typos: a chunk is suspect when one of its
/// morphemes appears nowhere in the index ("환뷸" → 환 | 뷸); then its stem,
/// spelled as jamo, is matched fuzzily against known stems and nouns (or
/// the whole chunk, see [`Typo`]). `text` is what `words` were analyzed from.
///
/// Words run together without spaces are read piece by piece: when such a
/// chunk also holds a word the index knows, of two syllables or more
/// ("대표이미지교체" → 대표 | 이미지 | 교체, "테스트발숑" → 테스트 | 발 | 숑),
/// that word is no typo and stays a word of the question; only each stretch
/// of unknown morphemes between known ones is a suspect ("발숑" → 발송),
/// or, under five jamo, a word the content lacks ("교체"), as it would be
/// typed with spaces. Taking the whole chunk for one typo lost every word
/// of it: the chatbot found the question about nothing.
pub(super) fn suspects(
    words: &[crate::korean::analyzer::Word],
    text: &str,
    doc_freq: &dyn Fn(&Term) -> u64,
    fields: &Fields,
    near: &dyn Fn(&str) -> Arc<Vec<Correction>>,
    analyzer: &Analyzer,
) -> Vec<Typo> {
    let mut out: Vec<Typo> = Vec::new();
    let unknown = |jamo: &str| doc_freq(&Term::from_field_text(fields.jamo, jamo)) == 0;
    let known = |m: &crate::korean::Piece| known_or_stop_word(&m.text, doc_freq, fields);
    for w in words {
        let Some(stem) = &w.stem else { continue };
        if out.len() >= MAX_FUZZY_WORDS {
            break;
        }
        let suspect = w.morphemes.iter().any(|m| !known(m));
        if !suspect || !stem.text.chars().any(hangul::is_syllable) {
            continue;
        }
        if let Some(stretches) = unknown_stretches(w, text, &known) {
            // One typo'd stretch may be part of a compound the content
            // holds whole ("젠화번호": 젠화 is near no word, 전화번호 is).
            let whole = (stretches.len() == 1)
                .then(|| whole_chunk(text, stem.start, &unknown))
                .flatten();
            for (surface, positions) in stretches {
                let jamo = hangul::decompose(&surface);
                // Two syllables the dictionary does not know, with one word
                // of the content near them ("카드결제쮜소" → 취소), are a
                // typo as a short chunk is.
                if out.len() < MAX_FUZZY_WORDS
                    && unknown(&jamo)
                    && (jamo.chars().count() >= 5
                        || two_syllable_typo(
                            &surface,
                            || analyzer.is_dictionary_word(&surface),
                            near,
                        )
                        .is_some())
                    && !out.iter().any(|t| t.jamo == jamo)
                {
                    out.push(Typo {
                        jamo,
                        whole: whole.clone(),
                        positions,
                    });
                }
            }
            continue;
        }
        let mut jamo = hangul::decompose(&stem.text);
        let short = jamo.chars().count() < 5;
        if short {
            // Under 5 jamo ("하나") a word has too many one-edit neighbours,
            // and a short word with its particle ("돈은") is no typo of its
            // chunk; but a two-syllable chunk the dictionary cannot read as
            // a word is one, when one word of the content is near it.
            let chunk = Analyzer::chunk_from(text, stem.start);
            let word = || matches!(w.morphemes.as_slice(), [one] if one.text == chunk);
            match two_syllable_typo(chunk, word, near) {
                Some(chunk) => jamo = chunk,
                None => continue,
            }
        }
        if !unknown(&jamo) || out.iter().any(|t| t.jamo == jamo) {
            continue;
        }
        // The chunk the stem starts, when it is one word of syllables.
        let longer = Analyzer::chunk_from(text, stem.start).len() > stem.text.len();
        let whole = (!short && longer)
            .then(|| whole_chunk(text, stem.start, &unknown))
            .flatten();
        let mut positions: Vec<usize> = w.morphemes.iter().map(|m| m.position).collect();
        positions.dedup();
        out.push(Typo {
            jamo,
            whole,
            positions,
        });
    }
    out
}

/// One position of a word: its morphemes' surface and whether the index
/// knows them all.
struct Unit {
    position: usize,
    start: usize,
    end: usize,
    known: bool,
}

/// The stretches of `w`'s unknown morphemes (their surface in `text`, and
/// positions), when `w` also holds a known word of two syllables or more
/// at a position of its own: `None` for a word to be taken whole (see
/// [`suspects`]). Each unknown word of two syllables or more is a stretch
/// of its own, as if typed with spaces; one-syllable morphemes next to
/// each other, known or not, are likely pieces of one typo'd word ("구룹"
/// → 구 | 룹), so they make one stretch.
fn unknown_stretches(
    w: &crate::korean::analyzer::Word,
    text: &str,
    known: &dyn Fn(&crate::korean::Piece) -> bool,
) -> Option<Vec<(String, Vec<usize>)>> {
    let mut units: Vec<Unit> = Vec::new();
    for m in &w.morphemes {
        match units.last_mut() {
            Some(u) if u.position == m.position => {
                u.start = u.start.min(m.start);
                u.end = u.end.max(m.end);
                u.known &= known(m);
            }
            _ => units.push(Unit {
                position: m.position,
                start: m.start,
                end: m.end,
                known: known(m),
            }),
        }
    }
    let syllables = |u: &Unit| text.get(u.start..u.end).map_or(0, |s| s.chars().count());
    let anchor = |u: &Unit| u.known && syllables(u) >= 2;
    if units.len() < 2 || !units.iter().any(anchor) {
        return None;
    }
    let mut out = Vec::new();
    let mut run: Vec<&Unit> = Vec::new();
    let mut flush = |run: &mut Vec<&Unit>| {
        if let (Some(first), Some(last)) = (run.first(), run.last())
            && run.iter().any(|u| !u.known)
            && let Some(surface) = text.get(first.start..last.end)
        {
            out.push((
                surface.to_string(),
                run.iter().map(|u| u.position).collect(),
            ));
        }
        run.clear();
    };
    for u in &units {
        if anchor(u) {
            flush(&mut run);
        } else if syllables(u) >= 2 {
            // A word of its own, as if typed with spaces.
            flush(&mut run);
            run.push(u);
            flush(&mut run);
        } else {
            run.push(u);
        }
    }
    flush(&mut run);
    Some(out)
}

/// `surface` spelled as jamo when it is two syllables that are no word
/// (`word` says whether the dictionary reads it as one) and exactly one
/// word of the content is near it: a short word typo'd into syllables the
/// dictionary cannot read ("츤구" → 츤 | 구, "감쇼" → 감 | 쇼, both for 친구
/// and 감소), which is too short to be matched fuzzily by its stem. A word
/// the content lacks ("상다", "로또"), or a word and its ending ("돈은",
/// "먹고") with no single word near, stays what it is.
fn two_syllable_typo(
    surface: &str,
    word: impl FnOnce() -> bool,
    near: &dyn Fn(&str) -> Arc<Vec<Correction>>,
) -> Option<String> {
    if surface.chars().count() != 2 || !surface.chars().all(hangul::is_syllable) || word() {
        return None;
    }
    let jamo = hangul::decompose(surface);
    (near(&jamo).len() == 1).then_some(jamo)
}

/// The whole chunk from byte `start` of `text`, spelled as jamo, when it
/// is one word of syllables (at most [`MAX_WHOLE_SYLLABLES`]) that the
/// index does not hold: what a typo'd stem or stretch falls back to (see
/// [`Typo::whole`]).
fn whole_chunk(text: &str, start: usize, unknown: &dyn Fn(&str) -> bool) -> Option<String> {
    Some(Analyzer::chunk_from(text, start))
        .filter(|c| c.chars().all(hangul::is_syllable) && c.chars().count() <= MAX_WHOLE_SYLLABLES)
        .map(hangul::decompose)
        .filter(|c| unknown(c))
}
