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

use tantivy::query::{EnableScoring, Query, Scorer};
use tantivy::{DocId, DocSet, Score, Searcher};

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
    Ok(cut(scored, cutoff))
}

/// Keeps the matches scoring at least `cutoff` × the best (and above 0),
/// best first, ties by entry position.
fn cut(mut scored: Vec<(Score, u64)>, cutoff: f32) -> Vec<(Score, u64)> {
    let best = scored.iter().map(|m| m.0).fold(0.0, f32::max);
    scored.retain(|&(score, _)| score >= best * cutoff && score > 0.0);
    scored.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored
}
