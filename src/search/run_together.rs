//! Words run together without spaces, read as the words the content knows.
//!
//! Korean users often type a whole question as one word ("친구수통계",
//! "자동응답작동안함"). The dictionary segments most such words well, but
//! not all: "친구수통계" comes out as 친구 + 수통 + 계, a word no entry holds,
//! and the whole word was then taken for a typo, losing its 통계. Such a
//! word is read as the fewest pieces, each segmented on its own into words
//! the content knows, then maybe a tail without content ("친구수" + "통계",
//! "자동응답" + "작동" + "안함", or one piece and its tail: "문의" +
//! "드립니다", which the dictionary read as 문 + 의 + …). A typo, or a word the content lacks
//! ("안녕하세요"), finds no such pieces and stays as the dictionary read it.

use std::collections::HashMap;

use crate::korean::analyzer::Word;
use crate::korean::{Analyzer, Piece, hangul};

/// Syllables of a run-together word worth splitting: shorter ones are one
/// word or a typo, longer ones would cost too many analyses.
const MIN_SYLLABLES: usize = 4;
const MAX_SYLLABLES: usize = 16;
/// Syllables of one piece at most.
const MAX_PIECE: usize = 6;

/// Replaces the morphemes of each word of `words` (the analysis of `text`)
/// that holds a morpheme `known` rejects by those of its fewest known
/// pieces, when it has some (see the module docs). Offsets stay those of
/// `text`; positions are renumbered within the word.
pub(super) fn split_words(
    words: &mut [Word],
    text: &str,
    analyzer: &Analyzer,
    known: &dyn Fn(&str) -> bool,
) {
    for w in words.iter_mut() {
        let Some(stem) = &w.stem else { continue };
        // The whole chunk, endings included: what the user ran together.
        let start = stem.start;
        let chunk = Analyzer::chunk_from(text, start);
        let syllables = chunk.chars().count();
        if !(MIN_SYLLABLES..=MAX_SYLLABLES).contains(&syllables)
            || !chunk.chars().all(hangul::is_syllable)
            || w.morphemes.iter().all(|m| known(&m.text))
        {
            continue;
        }
        if let Some(pieces) = fewest_pieces(chunk, analyzer, known) {
            let first = w.morphemes.first().map_or(0, |m| m.position);
            w.morphemes = renumber(pieces, start, first);
        }
    }
}

/// The fewest pieces (two or more, or one followed by a tail) of `chunk`
/// of at least two syllables each ("수", "법" alone fit almost anywhere)
/// whose morphemes are all `known`, followed by a tail with no content
/// morpheme ("안함", "는", "드립니다") or nothing: each piece's byte offset in
/// `chunk` and morphemes (offsets in the piece). `None` when there are no
/// such pieces. One piece and a tail is the word the dictionary cut in the
/// wrong place: "문의드립니다" reads as 문 (door) + 의 + 드립니다, and as 문의
/// + 드립니다 here.
fn fewest_pieces(
    chunk: &str,
    analyzer: &Analyzer,
    known: &dyn Fn(&str) -> bool,
) -> Option<Vec<(usize, Vec<Piece>)>> {
    let bounds: Vec<usize> = chunk
        .char_indices()
        .map(|(i, _)| i)
        .chain([chunk.len()])
        .collect();
    let n = bounds.len() - 1;
    let analyze = |i: usize, j: usize| -> Vec<Piece> {
        analyzer
            .words(&chunk[bounds[i]..bounds[j]])
            .into_iter()
            .flat_map(|w| w.morphemes)
            .collect()
    };
    // best[j]: the fewest pieces covering the first j syllables, and where
    // the last one starts.
    let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    best[0] = Some((0, 0));
    let mut pieces: HashMap<(usize, usize), Vec<Piece>> = HashMap::new();
    for j in 2..=n {
        for i in j.saturating_sub(MAX_PIECE)..=j - 2 {
            let Some((count, _)) = best[i] else { continue };
            if best[j].is_some_and(|(c, _)| c <= count + 1) {
                continue;
            }
            let morphemes = analyze(i, j);
            if !morphemes.is_empty() && morphemes.iter().all(|m| known(&m.text)) {
                best[j] = Some((count + 1, i));
                pieces.insert((i, j), morphemes);
            }
        }
    }
    // The shortest tail among the fewest pieces.
    let (_, tail) = (0..=n)
        .rev()
        .filter_map(|t| best[t].map(|(c, _)| (c, t)))
        .filter(|&(c, t)| (c >= 2 || (c == 1 && t < n)) && (t == n || analyze(t, n).is_empty()))
        .min_by_key(|&(c, _)| c)?;
    let mut out = Vec::new();
    let mut j = tail;
    while j > 0 {
        let (_, i) = best[j]?;
        out.push((bounds[i], pieces.remove(&(i, j))?));
        j = i;
    }
    out.reverse();
    Some(out)
}

/// The pieces' morphemes in order, with offsets in the text (the chunk
/// starts at `start`) and positions from `first` on: parts of one compound
/// share a position, as the analyzer gives them.
fn renumber(pieces: Vec<(usize, Vec<Piece>)>, start: usize, first: usize) -> Vec<Piece> {
    let mut position = first;
    let mut out = Vec::new();
    for (offset, morphemes) in pieces {
        let mut last = None;
        for mut m in morphemes {
            if last.is_some_and(|l| l != m.position) {
                position += 1;
            }
            last = Some(m.position);
            m.position = position;
            m.start += start + offset;
            m.end += start + offset;
            out.push(m);
        }
        if last.is_some() {
            position += 1;
        }
    }
    out
}
