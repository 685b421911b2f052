//! Typo'd words: which words of a query look like typos, and the index
//! words each may stand for.

use std::sync::Arc;

use tantivy::query::FuzzyTermQuery;
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use super::super::memo::Memo;
use super::super::schema::Fields;
use super::known_or_stop_word;
use crate::korean::{Analyzer, hangul};

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

    /// [`corrections`] of `jamo` among the terms [`Self::expand`] finds.
    pub fn corrections(
        &self,
        searcher: &Searcher,
        field: Field,
        jamo: &str,
        analyzer: &Analyzer,
    ) -> Arc<Vec<Correction>> {
        self.corrections.get_or(jamo, || {
            Arc::new(corrections(
                jamo,
                &self.expand(searcher, field, jamo),
                analyzer,
            ))
        })
    }
}

/// The words a typo'd word (spelled as jamo) may stand for: `near`, the
/// jamo-field terms within typo distance of it, read back as syllables and
/// analyzed as the index analyzed them.
///
/// A word the dictionary reads as one morpheme ("계약", "정도") is a real
/// word the content lacks rather than a typo: its near words ("예약",
/// "정보") mean something else, except the ones that sound the same
/// ([`hangul::sounds_alike`]: "결재" for 결제), the misspelling that makes
/// real words. A typo splits into pieces ("환뷸" → 환 | 뷸, "구룹" → 구 | 룹).
pub fn corrections(jamo: &str, near: &[Term], analyzer: &Analyzer) -> Vec<Correction> {
    let mut words: Vec<Correction> = Vec::new();
    let typed = hangul::compose(jamo).unwrap_or_default();
    let real_word = matches!(analyzer.morphemes(&typed).as_slice(), [one] if one.text == typed);
    for term in near {
        let Some(word) = term.value().as_str().and_then(hangul::compose) else {
            continue;
        };
        if real_word && !hangul::sounds_alike(&typed, &word) {
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
}

/// Chunks of more syllables than this are not tried whole as one typo'd word.
const MAX_WHOLE_SYLLABLES: usize = 6;

/// Words that look like typos: a chunk is suspect when one of its
/// morphemes appears nowhere in the index ("환뷸" → 환 | 뷸); then its stem,
/// spelled as jamo, is matched fuzzily against known stems and nouns (or
/// the whole chunk, see [`Typo`]). `text` is what `words` were analyzed from.
pub(super) fn suspects(
    words: &[crate::korean::analyzer::Word],
    text: &str,
    doc_freq: &dyn Fn(&Term) -> u64,
    fields: &Fields,
) -> Vec<Typo> {
    let mut out: Vec<Typo> = Vec::new();
    let unknown = |jamo: &str| doc_freq(&Term::from_field_text(fields.jamo, jamo)) == 0;
    for w in words {
        let Some(stem) = &w.stem else { continue };
        if out.len() >= MAX_FUZZY_WORDS {
            break;
        }
        let suspect = w
            .morphemes
            .iter()
            .any(|m| !known_or_stop_word(&m.text, doc_freq, fields));
        if !suspect || !stem.text.chars().any(hangul::is_syllable) {
            continue;
        }
        let jamo = hangul::decompose(&stem.text);
        // Under 5 jamo ("하나") a word has too many one-edit neighbours (and
        // a short word with its particle, "돈은", is no typo of the chunk).
        if jamo.chars().count() < 5 || !unknown(&jamo) || out.iter().any(|t| t.jamo == jamo) {
            continue;
        }
        // The chunk the stem starts, when it is one word of syllables.
        let whole = Some(Analyzer::chunk_from(text, stem.start))
            .filter(|c| {
                c.len() > stem.text.len()
                    && c.chars().all(hangul::is_syllable)
                    && c.chars().count() <= MAX_WHOLE_SYLLABLES
            })
            .map(hangul::decompose)
            .filter(|c| unknown(c));
        out.push(Typo { jamo, whole });
    }
    out
}
