//! Exact scores of the candidates and of the count sample.

use tantivy::query::Scorer;
use tantivy::{DocId, DocSet, Score, Searcher, TERMINATED};

use super::split::{Running, Split, both};
use super::{Compiled, Part, TermCursor};

/// The exact rescoring splits its candidates over two threads from this many (each
/// costs a seek per clause; at 100,000 entries an agent's preview or a
/// search sorted by date rescores about 12,000).
pub const SPLIT_MIN_SPANS: usize = 2_000;

/// Exact scores of the candidates reaching `floor`, and of every document
/// in the sample `runs`.
pub(super) struct Exact {
    /// `(score, entry position)` of the candidates.
    pub(super) scored: Vec<(Score, u64)>,
    /// `(score, entry position)` of the sampled documents that match.
    pub(super) sampled: Vec<(Score, u64)>,
    /// Documents sampled.
    pub(super) sample_docs: u64,
}

/// What [`rescore`] needs of a clause's scorer.
trait Scored {
    fn doc(&self) -> DocId;
    fn seek(&mut self, target: DocId) -> DocId;
    fn advance(&mut self) -> DocId;
    fn score(&mut self) -> Score;
}

impl Scored for TermCursor<'_> {
    fn doc(&self) -> DocId {
        TermCursor::doc(self)
    }
    fn seek(&mut self, target: DocId) -> DocId {
        TermCursor::seek(self, target)
    }
    fn advance(&mut self) -> DocId {
        TermCursor::advance(self)
    }
    fn score(&mut self) -> Score {
        TermCursor::score(self)
    }
}

impl Scored for Box<dyn Scorer> {
    fn doc(&self) -> DocId {
        DocSet::doc(&**self)
    }
    fn seek(&mut self, target: DocId) -> DocId {
        DocSet::seek(&mut **self, target)
    }
    fn advance(&mut self) -> DocId {
        DocSet::advance(&mut **self)
    }
    fn score(&mut self) -> Score {
        Scorer::score(&mut **self)
    }
}

/// Adds one clause's score to every document of the `spans` it matches
/// (`acc` and `hit` hold the spans one after the other, from `offsets`).
fn add_spans(
    scorer: &mut impl Scored,
    spans: &[(DocId, DocId, bool)],
    offsets: &[usize],
    acc: &mut [Score],
    hit: &mut [bool],
) {
    for (&(s, e, _), &o) in spans.iter().zip(offsets) {
        if scorer.doc() == TERMINATED {
            break;
        }
        if scorer.doc() < s {
            scorer.seek(s);
        }
        while scorer.doc() < e {
            let k = o + (scorer.doc() - s) as usize;
            acc[k] += scorer.score();
            hit[k] = true;
            scorer.advance();
        }
    }
}

/// Scores exactly, as the union scorer does (each clause's score added in
/// clause order), the candidates reaching `floor` and the sample `runs`
/// (per segment, ascending), in one forward sweep of each clause; with
/// [`SPLIT_MIN_SPANS`] candidates or more, and no other pass running, the
/// second half of them on a helper thread ([`both`]).
pub(super) fn rescore(
    searcher: &Searcher,
    query: &Compiled,
    candidates: &[Vec<(DocId, Score)>],
    floor: Score,
    runs: &[Vec<(DocId, DocId)>],
) -> tantivy::Result<Exact> {
    let mut out = Exact {
        scored: Vec::new(),
        sampled: Vec::new(),
        sample_docs: 0,
    };
    for (i, reader) in searcher.segment_readers().iter().enumerate() {
        let no_runs = Vec::new();
        let runs = runs.get(i).unwrap_or(&no_runs);
        // Stretches to score: each candidate alone, then the sample runs,
        // merged in document order; `tag` says which a stretch is.
        let mut spans: Vec<(DocId, DocId, bool)> = candidates
            .get(i)
            .into_iter()
            .flatten()
            .filter(|&&(_, s)| s >= floor)
            .map(|&(d, _)| (d, d + 1, false))
            .chain(
                runs.iter()
                    .map(|&(s, e)| (s, e.min(reader.max_doc()), true)),
            )
            .collect();
        if spans.is_empty() {
            continue;
        }
        spans.sort_unstable_by_key(|&(s, _, _)| s);
        // Overlapping stretches (a candidate inside a run) are scored once.
        let mut merged: Vec<(DocId, DocId, bool)> = Vec::with_capacity(spans.len());
        for (s, e, run) in spans {
            match merged.last_mut() {
                Some(last) if s < last.1 => {
                    last.1 = last.1.max(e);
                    last.2 |= run;
                }
                _ => merged.push((s, e, run)),
            }
        }
        let offsets: Vec<usize> = merged
            .iter()
            .scan(0usize, |at, &(s, e, _)| {
                let o = *at;
                *at += (e - s) as usize;
                Some(o)
            })
            .collect();
        let len = merged.last().map_or(0, |_| {
            offsets[offsets.len() - 1]
                + (merged[merged.len() - 1].1 - merged[merged.len() - 1].0) as usize
        });
        let mut acc = vec![0.0 as Score; len];
        let mut hit = vec![false; len];
        // Every clause over some of the stretches, into their slots.
        let score = |spans: &[(DocId, DocId, bool)],
                     offsets: &[usize],
                     acc: &mut [Score],
                     hit: &mut [bool]|
         -> tantivy::Result<()> {
            for part in &query.parts {
                match part {
                    Part::Term(t) => {
                        if let Some(mut cursor) = query.terms[*t].cursor(reader, i)? {
                            add_spans(&mut cursor, spans, offsets, acc, hit);
                        }
                    }
                    Part::Constant(w) => {
                        let mut scorer = w.scorer(reader, 1.0)?;
                        add_spans(&mut scorer, spans, offsets, acc, hit);
                    }
                }
            }
            Ok(())
        };
        let running = Running::start();
        if merged.len() >= SPLIT_MIN_SPANS && running.alone() {
            // The second half of the stretches on the helper thread, into
            // the second half of the slots.
            let m = merged.len() / 2;
            let base = offsets[m];
            let later: Vec<usize> = offsets[m..].iter().map(|o| o - base).collect();
            let (acc_first, acc_later) = acc.split_at_mut(base);
            let (hit_first, hit_later) = hit.split_at_mut(base);
            let (first, second) = both(
                Split::Rescore,
                || score(&merged[..m], &offsets[..m], acc_first, hit_first),
                || score(&merged[m..], &later, acc_later, hit_later),
            );
            first?;
            second?;
        } else {
            score(&merged, &offsets, &mut acc, &mut hit)?;
        }
        drop(running);
        let wanted: std::collections::HashSet<DocId> = candidates
            .get(i)
            .into_iter()
            .flatten()
            .filter(|&&(_, s)| s >= floor)
            .map(|&(d, _)| d)
            .collect();
        for (&(s, e, run), &o) in merged.iter().zip(&offsets) {
            if run {
                out.sample_docs += u64::from(e - s);
            }
            for d in s..e {
                let k = o + (d - s) as usize;
                if !hit[k] {
                    continue;
                }
                let Some(ord) = query.positions.of(i, d) else {
                    continue;
                };
                if wanted.contains(&d) {
                    out.scored.push((acc[k], ord));
                }
                if run && in_runs(runs, d) {
                    out.sampled.push((acc[k], ord));
                }
            }
        }
    }
    Ok(out)
}

fn in_runs(runs: &[(DocId, DocId)], d: DocId) -> bool {
    let i = runs.partition_point(|&(s, _)| s <= d);
    i > 0 && d < runs[i - 1].1
}
