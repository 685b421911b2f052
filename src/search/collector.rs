//! Collecting the relevant matches of a query: every document scoring at
//! least a share of the best score, with its exact score and entry position.
//!
//! The result count and the per-category counts cover every relevant entry,
//! so this is not a top-k; but a long question shares a bigram or two with
//! most of a large index, and scoring all of those only to drop them below
//! the relative cutoff was most of the work. So:
//!
//! Small indexes (under [`WAND_MIN_DOCS`]) simply score every match. Larger:
//!
//! 1. one block-max WAND pass ([`Weight::for_each_pruning`]) over each
//!    segment, its threshold rising with the best score seen (a share of
//!    it, less a safety margin): blocks of postings that cannot reach the
//!    cutoff are skipped without scoring;
//! 2. each candidate is scored again exactly as a full evaluation scores it
//!    (the union scorer, terms summed in clause order), since block-max
//!    WAND adds the same terms in another order and the floats can differ
//!    in their last bits; the cutoff is then applied to those exact scores.
//!
//! The result is identical, score bits and order, to scoring every match:
//! `examples/rank_dump.rs` compares the two builds on the dev queries.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use tantivy::query::{EnableScoring, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, Searcher, TERMINATED};

/// WAND scores may differ from exact ones in the last bits; candidates are
/// taken from this much below the cutoff, then cut exactly.
const MARGIN: f32 = 0.999;

/// Below this many documents, scoring every match is cheaper than the two
/// passes (the sample content has 74).
const WAND_MIN_DOCS: u64 = 5_000;

/// Every document of `searcher` scoring at least `cutoff` × the best score
/// (and above 0), as `(exact score, entry position)`, best first, ties by
/// position. Documents without an entry position (none in doum's indexes)
/// are skipped.
pub fn relevant(
    searcher: &Searcher,
    query: &dyn Query,
    cutoff: f32,
) -> tantivy::Result<Vec<(Score, u64)>> {
    let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    relevant_with(searcher, weight.as_ref(), cutoff)
}

/// [`relevant`] with the query's weight already made.
pub fn relevant_with(
    searcher: &Searcher,
    weight: &dyn Weight,
    cutoff: f32,
) -> tantivy::Result<Vec<(Score, u64)>> {
    if searcher.num_docs() < WAND_MIN_DOCS {
        let mut scored: Vec<(Score, u64)> = Vec::new();
        for reader in searcher.segment_readers() {
            let ords = reader.fast_fields().u64("ord")?;
            weight.for_each(reader, &mut |doc, score| {
                if let Some(ord) = ords.first(doc) {
                    scored.push((score, ord));
                }
            })?;
        }
        return Ok(cut(scored, cutoff));
    }
    let mut best_wand: Score = 0.0;
    let mut candidates: Vec<Vec<(DocId, Score)>> = Vec::new();
    for reader in searcher.segment_readers() {
        let mut docs: Vec<(DocId, Score)> = Vec::new();
        weight.for_each_pruning(best_wand * cutoff * MARGIN, reader, &mut |doc, score| {
            docs.push((doc, score));
            if score > best_wand {
                best_wand = score;
            }
            best_wand * cutoff * MARGIN
        })?;
        candidates.push(docs);
    }
    // Exact scores of the candidates still above the final floor
    // (documents collected while the best was lower may not be).
    let floor = best_wand * cutoff * MARGIN;
    Ok(cut(rescore(searcher, weight, candidates, floor)?, cutoff))
}

/// The exact scores (and entry positions) of each segment's candidates
/// scoring at least `floor` (by their block-max WAND score).
fn rescore(
    searcher: &Searcher,
    weight: &dyn Weight,
    candidates: Vec<Vec<(DocId, Score)>>,
    floor: Score,
) -> tantivy::Result<Vec<(Score, u64)>> {
    let mut scored: Vec<(Score, u64)> = Vec::new();
    for (reader, docs) in searcher.segment_readers().iter().zip(candidates) {
        let mut docs = docs.into_iter().filter(|&(_, s)| s >= floor).peekable();
        if docs.peek().is_none() {
            continue;
        }
        let ords = reader.fast_fields().u64("ord")?;
        let mut scorer: Box<dyn Scorer> = weight.scorer(reader, 1.0)?;
        for (doc, _) in docs {
            if scorer.doc() < doc {
                scorer.seek(doc);
            }
            if scorer.doc() != doc {
                continue;
            }
            if let Some(ord) = ords.first(doc) {
                scored.push((scorer.score(), ord));
            }
        }
    }
    Ok(scored)
}

/// The head of the relevant matches: see [`top_relevant`].
#[derive(Debug, Clone, Default)]
pub struct Top {
    /// Relevant matches, exact scores, best first (ties by entry
    /// position). They include the best `all` matches and the best `kept`
    /// matches that pass the filter; past those, the list may miss some.
    pub ranked: Vec<(Score, u64)>,
    /// True when `ranked` is every relevant match (neither head filled up,
    /// so nothing was skipped): counts taken from it are exact.
    pub complete: bool,
}

/// A min-heap of the best `cap` scores seen.
struct Best {
    cap: usize,
    heap: BinaryHeap<Reverse<Ordered>>,
}

#[derive(PartialEq, PartialOrd)]
struct Ordered(Score);
impl Eq for Ordered {}
impl Ord for Ordered {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl Best {
    fn new(cap: usize) -> Self {
        Self {
            cap,
            heap: BinaryHeap::with_capacity(cap + 1),
        }
    }
    fn push(&mut self, score: Score) {
        if self.cap == 0 {
            return;
        }
        if self.heap.len() < self.cap {
            self.heap.push(Reverse(Ordered(score)));
        } else if self.heap.peek().is_some_and(|m| m.0.0 < score) {
            self.heap.pop();
            self.heap.push(Reverse(Ordered(score)));
        }
    }
    fn full(&self) -> bool {
        self.cap > 0 && self.heap.len() >= self.cap
    }
    /// The score a new match must beat to enter (infinite when this head
    /// wants nothing).
    fn entry(&self) -> Score {
        if self.cap == 0 {
            Score::INFINITY
        } else if self.full() {
            self.heap.peek().map_or(0.0, |m| m.0.0)
        } else {
            0.0
        }
    }
}

/// The best `all` relevant matches (score at least `cutoff` × the best) and
/// the best `kept` of those whose entry position passes `keep`, with their
/// exact scores, in one block-max WAND pass whose threshold rises with
/// both heads (on small indexes, every relevant match; see [`relevant`]).
/// What is past both heads is not scored at all: the caller estimates the
/// counts then (see [`sample`]).
pub fn top_relevant(
    searcher: &Searcher,
    weight: &dyn Weight,
    cutoff: f32,
    all: usize,
    kept: usize,
    keep: &dyn Fn(u64) -> bool,
) -> tantivy::Result<Top> {
    if searcher.num_docs() < WAND_MIN_DOCS {
        return Ok(Top {
            ranked: relevant_with(searcher, weight, cutoff)?,
            complete: true,
        });
    }
    let mut best_wand: Score = 0.0;
    let mut heads = (Best::new(all), Best::new(kept));
    let threshold = |best: Score, heads: &(Best, Best)| {
        (best * cutoff).max(heads.0.entry().min(heads.1.entry())) * MARGIN
    };
    let mut candidates: Vec<Vec<(DocId, Score)>> = Vec::new();
    for reader in searcher.segment_readers() {
        let ords = reader.fast_fields().u64("ord")?;
        let mut docs: Vec<(DocId, Score)> = Vec::new();
        let start = threshold(best_wand, &heads);
        weight.for_each_pruning(start, reader, &mut |doc, score| {
            docs.push((doc, score));
            best_wand = best_wand.max(score);
            heads.0.push(score);
            if ords.first(doc).is_some_and(keep) {
                heads.1.push(score);
            }
            threshold(best_wand, &heads)
        })?;
        candidates.push(docs);
    }
    // The threshold stayed at the relative cutoff while a head was not full.
    let complete = [&heads.0, &heads.1].iter().any(|h| h.cap > 0 && !h.full());
    let floor = threshold(best_wand, &heads);
    let scored = rescore(searcher, weight, candidates, floor)?;
    Ok(Top {
        ranked: cut(scored, cutoff),
        complete,
    })
}

/// How many documents [`sample`] scores, spread over the index.
pub const SAMPLE_DOCS: u32 = 2_048;
/// Documents per sampled stretch (so the sample spans the index, whatever
/// the order entries were indexed in).
const SAMPLE_RUN: u32 = 32;

/// A sample for estimating counts: the entry positions of the sampled
/// documents scoring at least `floor`, and how many documents were sampled.
pub struct Sample {
    /// Entry positions of the sample's relevant documents.
    pub relevant: Vec<u64>,
    /// Documents in the sample.
    pub docs: u64,
}

/// Scores about [`SAMPLE_DOCS`] documents of `searcher`, in evenly spaced
/// stretches of [`SAMPLE_RUN`] consecutive documents per segment, and
/// keeps those scoring at least `floor`.
pub fn sample(searcher: &Searcher, weight: &dyn Weight, floor: Score) -> tantivy::Result<Sample> {
    let total = searcher.num_docs().max(1);
    let mut out = Sample {
        relevant: Vec::new(),
        docs: 0,
    };
    for reader in searcher.segment_readers() {
        let max_doc = reader.max_doc();
        let share = (u64::from(max_doc) * u64::from(SAMPLE_DOCS)).div_ceil(total) as u32;
        let runs = share.div_ceil(SAMPLE_RUN).max(1);
        let step = max_doc / runs;
        if step < SAMPLE_RUN {
            // A small segment: every document.
            let ords = reader.fast_fields().u64("ord")?;
            weight.for_each_pruning(floor * MARGIN, reader, &mut |doc, score| {
                if score >= floor
                    && let Some(ord) = ords.first(doc)
                {
                    out.relevant.push(ord);
                }
                floor * MARGIN
            })?;
            out.docs += u64::from(max_doc);
            continue;
        }
        let ords = reader.fast_fields().u64("ord")?;
        let mut scorer: Box<dyn Scorer> = weight.scorer(reader, 1.0)?;
        for run in 0..runs {
            let start = run * step;
            let end = start + SAMPLE_RUN;
            out.docs += u64::from(SAMPLE_RUN);
            if scorer.doc() == TERMINATED {
                continue;
            }
            if scorer.doc() < start {
                scorer.seek(start);
            }
            while scorer.doc() < end {
                if scorer.score() >= floor
                    && let Some(ord) = ords.first(scorer.doc())
                {
                    out.relevant.push(ord);
                }
                scorer.advance();
            }
        }
    }
    Ok(out)
}

/// Keeps the matches scoring at least `cutoff` × the best (and above 0),
/// best first, ties by entry position.
fn cut(mut scored: Vec<(Score, u64)>, cutoff: f32) -> Vec<(Score, u64)> {
    let best = scored.iter().map(|m| m.0).fold(0.0, f32::max);
    scored.retain(|&(score, _)| score >= best * cutoff && score > 0.0);
    scored.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored
}
