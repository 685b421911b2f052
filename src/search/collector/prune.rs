//! The pruned pass: MaxScore over the BM25 term clauses, with the
//! constant-score clauses beside it (see the module docs of the parent).

use tantivy::{DocId, Score, Searcher, SegmentReader};

use super::heads::Heads;
use super::split::{Running, Shared, Split, both};
use super::{Compiled, MARGIN, TermClause, TermCursor};

/// What a pruned pass leaves: per segment, the candidates (document, score
/// from the pass plus the constant clauses, ascending by document), and the
/// final floor a candidate's score must reach.
pub(super) struct Pass {
    pub(super) candidates: Vec<Vec<(DocId, Score)>>,
    pub(super) floor: Score,
    pub(super) complete: bool,
}

/// One pruned pass over every segment (see the module docs). A segment
/// where the query has [`SPLIT_MIN_POSTINGS`] postings or more is cut in
/// two halves, the second scored on a helper thread ([`both`]), when no other
/// pruned pass is running (see [`Running`]). Each half raises its own
/// threshold (and a [`Shared`] one), and the heads are merged after: the
/// candidates hold every document one pass would keep, and the exact cut
/// that follows gives the same result.
pub(super) fn prune(
    searcher: &Searcher,
    query: &Compiled,
    cutoff: f32,
    mut heads: Heads,
    keep: &Keep<'_>,
) -> tantivy::Result<Pass> {
    let running = Running::start();
    let mut best: Score = 0.0;
    let mut candidates: Vec<Vec<(DocId, Score)>> = Vec::new();
    for (segment, reader) in searcher.segment_readers().iter().enumerate() {
        // The constant clauses' documents, with what they add.
        let mut bonus: Vec<(DocId, Score)> = Vec::new();
        for (w, c) in &query.constants {
            let c = *c;
            w.for_each_no_score(reader, &mut |docs| {
                bonus.extend(docs.iter().map(|&d| (d, c)));
            })?;
        }
        bonus.sort_unstable_by_key(|&(d, _)| d);
        bonus.dedup_by(|next, first| {
            if next.0 == first.0 {
                first.1 += next.1;
                true
            } else {
                false
            }
        });
        let max_doc = reader.max_doc();
        let range = Range {
            query,
            reader,
            segment,
            bonus: &bonus,
            cutoff,
            keep,
        };
        let mut done = if query.postings(segment) >= SPLIT_MIN_POSTINGS && running.alone() {
            let half = max_doc / 2;
            let later = Progress::start(best, heads.empty_like());
            let shared = Shared::default();
            let (first, second) = both(
                Split::Pass,
                || range.pass(0..half, Progress::start(best, heads), &shared),
                || range.pass(half..max_doc, later, &shared),
            );
            first?.then(second?)
        } else {
            range.pass(0..max_doc, Progress::start(best, heads), &Shared::default())?
        };
        best = done.best;
        heads = done.heads;
        let mut docs = std::mem::take(&mut done.docs);
        if !bonus.is_empty() {
            // Documents of the constant clauses the pass did not visit:
            // their score is at least the constant part.
            docs = merge(docs, &bonus);
        }
        candidates.push(docs);
    }
    let floor = threshold(best, cutoff, &heads);
    Ok(Pass {
        candidates,
        floor,
        complete: heads.complete(),
    })
}

/// Which entry positions a head of [`super::top_relevant`] keeps.
pub(super) type Keep<'a> = dyn Fn(u64) -> bool + Sync + 'a;

/// What a document's score must reach to be a candidate: the cutoff share
/// of the best score, or what the heads want, less a safety margin.
fn threshold(best: Score, cutoff: f32, heads: &Heads) -> Score {
    (best * cutoff).max(heads.entry()) * MARGIN
}

/// A segment where the query's term clauses hold this many postings or
/// more is pruned in two halves on two threads. Measured at 100,000
/// entries on the dev queries (fastest of six runs each, split against
/// not): under 50,000 postings 1.05× (handing the half over costs more
/// than it saves), 50,000–100,000 0.85×, 100,000–200,000 0.80×,
/// 200,000–400,000 0.73×, more 0.67×.
pub const SPLIT_MIN_POSTINGS: u64 = 50_000;

/// What one segment's pass over a range of its documents needs.
struct Range<'a> {
    query: &'a Compiled,
    reader: &'a SegmentReader,
    segment: usize,
    /// The constant clauses' documents in the segment, ascending.
    bonus: &'a [(DocId, Score)],
    cutoff: f32,
    keep: &'a Keep<'a>,
}

impl Range<'_> {
    /// The pass over `docs`, going on from `from` (the best score and heads
    /// so far), its threshold never below `shared`'s (which it raises in
    /// turn).
    fn pass(
        &self,
        docs: std::ops::Range<DocId>,
        from: Progress,
        shared: &Shared,
    ) -> tantivy::Result<Progress> {
        let Progress {
            docs: mut out,
            mut best,
            mut heads,
        } = from;
        let bonus = self.bonus;
        let mut at = bonus.partition_point(|&(d, _)| d < docs.start);
        let slack = self.query.bonus;
        let cutoff = self.cutoff;
        let start = threshold(best, cutoff, &heads) - slack;
        let mut visit = |doc, score| {
            while at < bonus.len() && bonus[at].0 < doc {
                at += 1;
            }
            let score = match bonus.get(at) {
                Some(&(d, b)) if d == doc => score + b,
                _ => score,
            };
            out.push((doc, score));
            best = best.max(score);
            heads.0.push(score);
            if self
                .query
                .positions
                .of(self.segment, doc)
                .is_some_and(self.keep)
            {
                heads.1.push(score);
            }
            shared.raise(threshold(best, cutoff, &heads)) - slack
        };
        max_score(
            &self.query.terms,
            self.reader,
            self.segment,
            docs,
            start,
            &mut visit,
        )?;
        Ok(Progress {
            docs: out,
            best,
            heads,
        })
    }
}

/// Where a pass stands: its candidates (document, score; ascending), the
/// best score and the heads.
struct Progress {
    docs: Vec<(DocId, Score)>,
    best: Score,
    heads: Heads,
}

impl Progress {
    /// No candidates yet; `best` and `heads` from the segments before.
    fn start(best: Score, heads: Heads) -> Self {
        Self {
            docs: Vec::new(),
            best,
            heads,
        }
    }

    /// This pass's progress followed by `later`'s, over the documents after
    /// this one's.
    fn then(mut self, later: Progress) -> Self {
        self.docs.extend(later.docs);
        self.best = self.best.max(later.best);
        self.heads = self.heads.merged(later.heads);
        self
    }
}

/// The documents scoring above a rising threshold on a union of BM25 term
/// clauses, by the MaxScore algorithm (Turtle & Flood 1995) in windows of
/// documents, as Lucene's `MaxScoreBulkScorer` does:
///
/// - with the clauses sorted by the most each can add, the longest run of
///   the weakest whose bounds add up to no more than the threshold cannot
///   make a document pass it alone. Only the other, "essential" clauses'
///   postings are walked;
/// - they are walked one clause at a time over a window of
///   [`WINDOW`] documents, adding into an array of scores (no per-document
///   search for the next document among 30–60 clauses);
/// - each document of the window they touched then looks up the weak
///   clauses (a skip-list seek), strongest first, only while its score
///   plus what the rest could add still passes the threshold.
///
/// Only the documents of `range` are scored.
///
/// `visit` is called, in document order, with every document whose score
/// exceeds the current threshold (and maybe some that do not), and returns
/// the new threshold, which must not decrease: the contract of
/// [`tantivy::query::Weight::for_each_pruning`]. Its block-max WAND keeps every clause in
/// a list sorted by document and re-sorts it per step; with the 30–80
/// clauses of a long question that was two thirds of a search at 100,000
/// entries. Scores here add the clauses in another order than a full
/// evaluation; [`super::rescore::rescore`] makes them exact.
fn max_score(
    clauses: &[TermClause],
    reader: &SegmentReader,
    segment: usize,
    range: std::ops::Range<DocId>,
    mut threshold: Score,
    visit: &mut dyn FnMut(DocId, Score) -> Score,
) -> tantivy::Result<()> {
    let mut cursors: Vec<Cursor> = Vec::with_capacity(clauses.len());
    for clause in clauses {
        let Some(mut scorer) = clause.cursor(reader, segment)? else {
            continue;
        };
        let mut doc = scorer.doc();
        if doc < range.start {
            doc = scorer.seek(range.start);
        }
        if doc < range.end {
            cursors.push(Cursor {
                doc,
                bound: clause.bound,
                scorer,
            });
        }
    }
    cursors.sort_by(|a, b| a.bound.total_cmp(&b.bound));
    // `upto[i]`: the most clauses 0..=i add together.
    let upto: Vec<Score> = cursors
        .iter()
        .scan(0.0, |sum, c| {
            *sum += c.bound;
            Some(*sum)
        })
        .collect();
    // Clauses before `essential` cannot pass the threshold by themselves.
    let split = |threshold: Score| upto.partition_point(|&u| u <= threshold);
    let mut essential = split(threshold);
    let mut scores = vec![0.0 as Score; WINDOW as usize];
    let mut touched = [0u64; WINDOW as usize / 64];
    while essential < cursors.len() {
        let Some(base) = cursors[essential..].iter().map(|c| c.doc).min() else {
            break;
        };
        if base >= range.end {
            break;
        }
        let end = base.saturating_add(WINDOW).min(range.end);
        for c in &mut cursors[essential..] {
            while c.doc < end {
                let k = (c.doc - base) as usize;
                scores[k] += c.scorer.score();
                touched[k / 64] |= 1 << (k % 64);
                c.doc = c.scorer.advance();
            }
        }
        for (w, bits) in touched.iter_mut().enumerate() {
            while *bits != 0 {
                let k = w * 64 + bits.trailing_zeros() as usize;
                *bits &= *bits - 1;
                let doc = base + k as DocId;
                let mut score = std::mem::take(&mut scores[k]);
                // Clauses that left the essential ones in this window have
                // added their part already and stand past `end`.
                let mut reachable = true;
                for i in (0..essential).rev() {
                    if score + upto[i] <= threshold {
                        reachable = false;
                        break;
                    }
                    let c = &mut cursors[i];
                    if c.doc < doc {
                        c.doc = c.scorer.seek(doc);
                    }
                    if c.doc == doc {
                        score += c.scorer.score();
                    }
                }
                if reachable && score > threshold {
                    threshold = visit(doc, score);
                    essential = split(threshold);
                }
            }
        }
    }
    Ok(())
}

/// Documents per window of [`max_score`] (its score array fits the L1 cache).
const WINDOW: DocId = 4_096;

/// A term clause's scorer in [`max_score`], with its current document.
struct Cursor<'a> {
    doc: DocId,
    bound: Score,
    scorer: TermCursor<'a>,
}

/// `visited` (ascending) with every document of `bonus` (ascending) it lacks.
fn merge(visited: Vec<(DocId, Score)>, bonus: &[(DocId, Score)]) -> Vec<(DocId, Score)> {
    let mut out = Vec::with_capacity(visited.len() + bonus.len());
    let mut b = bonus.iter().peekable();
    for v in visited {
        while let Some(&&x) = b.peek() {
            if x.0 >= v.0 {
                break;
            }
            out.push(x);
            b.next();
        }
        if b.peek().is_some_and(|x| x.0 == v.0) {
            b.next();
        }
        out.push(v);
    }
    out.extend(b);
    out
}
