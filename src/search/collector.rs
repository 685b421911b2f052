//! Collecting the relevant matches of a query: every document scoring at
//! least a share of the best score, with its exact score and entry position.
//!
//! The result count and the per-category counts cover every relevant entry,
//! so [`relevant`] is not a top-k; but a long question shares a bigram or
//! two with most of a large index, and scoring all of those only to drop
//! them below the relative cutoff was most of the work. So:
//!
//! Small indexes (under [`PRUNE_MIN_DOCS`]) simply score every match. Larger:
//!
//! 1. one pruned pass (`max_score`) over each segment's BM25 term
//!    clauses, its threshold rising with the best score seen (a share of
//!    it, less a safety margin) and, for [`top_relevant`], with the heads
//!    asked for: documents that only weak clauses match are never visited,
//!    and a document stops being looked up as soon as it cannot reach the
//!    threshold. The constant-score clauses (a typo's fuzzy match) are
//!    collected beside it, and the threshold handed to the pass is lowered
//!    by the most they can add;
//! 2. each candidate is scored again exactly as a full evaluation scores it
//!    (every clause's score added in clause order, as tantivy's union
//!    scorer does), since the pass adds the same terms in another
//!    order and the floats can differ in their last bits; the cutoff is
//!    then applied to those exact scores.
//!
//! The result is identical, score bits and order, to scoring every match:
//! `examples/rank_dump.rs` compares two builds on the dev queries.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings, TermInfo};
use tantivy::query::{Bm25StatisticsProvider, Bm25Weight, EnableScoring, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED, Term};

use super::memo::Memo;
use super::query::Clause;

/// Pruned-pass scores may differ from exact ones in the last bits; candidates are
/// taken from this much below the cutoff, then cut exactly.
const MARGIN: f32 = 0.999;

/// Below this many documents, scoring every match is cheaper than the two
/// passes (the sample content has 74).
pub const PRUNE_MIN_DOCS: u64 = 5_000;

/// What an index's term dictionaries say of the terms searches asked
/// about: each term's entry in every segment (its document frequency and
/// where its postings are), and the BM25 weight of a term by field and
/// document frequency (the only things it depends on in a fixed index;
/// making one fills a 256-entry table). A search asks about the same words
/// two or three times (the plan, the weights, the postings), and searches
/// share most of their words; each lookup was an FST walk per segment.
/// One per [`super::SearchEngine`], whose index never changes; each map is
/// emptied when full: [`TermMemo::TERMS`] terms (about 150 bytes each) and
/// [`TermMemo::WEIGHTS`] weights (about 1 kB each, their table).
pub struct TermMemo {
    infos: Memo<Term, Infos>,
    weights: Memo<(Field, u64), Bm25Weight>,
}

/// A term's entry in each segment (`None` where the segment lacks it).
type Infos = Arc<[Option<TermInfo>]>;

impl Default for TermMemo {
    fn default() -> Self {
        Self {
            infos: Memo::new(Self::TERMS),
            weights: Memo::new(Self::WEIGHTS),
        }
    }
}

impl TermMemo {
    /// Terms remembered at most (about 1.5 MB).
    pub const TERMS: usize = 8_192;
    /// Weights remembered at most (about 2 MB).
    pub const WEIGHTS: usize = 2_048;

    fn infos(&self, searcher: &Searcher, term: &Term) -> tantivy::Result<Infos> {
        self.infos.get_or_try(term, || {
            let mut infos = Vec::with_capacity(searcher.segment_readers().len());
            for r in searcher.segment_readers() {
                infos.push(r.inverted_index(term.field())?.get_term_info(term)?);
            }
            Ok(infos.into())
        })
    }

    fn weight(&self, stats: &Stats<'_>, term: &Term) -> tantivy::Result<Bm25Weight> {
        let key = (term.field(), stats.doc_freq(term)?);
        self.weights.get_or_try(&key, || {
            // What `TermQuery` makes for the term (`Bm25Weight::for_terms`
            // with one term), without the explanation it keeps for `explain`.
            let docs = stats.total_num_docs()?;
            let average = stats.total_num_tokens(term.field())? as Score / docs as Score;
            Ok(Bm25Weight::for_one_term_without_explain(
                key.1, docs, average,
            ))
        })
    }
}

/// The searcher's BM25 statistics, for one search, from the index's
/// [`TermMemo`].
pub struct Stats<'a> {
    searcher: &'a Searcher,
    memo: &'a TermMemo,
    tokens: RefCell<HashMap<Field, u64>>,
}

impl<'a> Stats<'a> {
    /// Statistics of `searcher`, whose terms `memo` remembers.
    pub fn new(searcher: &'a Searcher, memo: &'a TermMemo) -> Self {
        Self {
            searcher,
            memo,
            tokens: RefCell::default(),
        }
    }

    /// The searcher these are the statistics of.
    pub fn searcher(&self) -> &'a Searcher {
        self.searcher
    }
}

impl Bm25StatisticsProvider for Stats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        if let Some(&n) = self.tokens.borrow().get(&field) {
            return Ok(n);
        }
        let n = self.searcher.total_num_tokens(field)?;
        self.tokens.borrow_mut().insert(field, n);
        Ok(n)
    }
    fn total_num_docs(&self) -> tantivy::Result<u64> {
        self.searcher.total_num_docs()
    }
    /// The sum of the segments' document frequencies, as
    /// `Searcher::doc_freq` counts it.
    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        Ok(self
            .memo
            .infos(self.searcher, term)?
            .iter()
            .flatten()
            .map(|i| u64::from(i.doc_freq))
            .sum())
    }
}

/// A query's clauses made ready once, for every pass over the index.
pub struct Compiled {
    /// Every clause, in query order (the order a full evaluation adds
    /// their scores in).
    parts: Vec<Part>,
    /// The constant-score clauses, each with the score it adds.
    constants: Vec<(Arc<dyn Weight>, Score)>,
    /// The BM25 term clauses, each with the most it can add to a
    /// document's score (the pruned pass runs on them; infinite in an
    /// index too small to prune).
    terms: Vec<TermClause>,
    /// The most the constant-score clauses add to one document.
    bonus: Score,
}

/// One clause of a [`Compiled`] query.
enum Part {
    /// A BM25 term clause: `terms[i]`.
    Term(usize),
    /// A constant-score clause (a fuzzy match): its weight.
    Constant(Arc<dyn Weight>),
}

/// A BM25 term clause: the term, its weight (boost included) and the most
/// it can add. It scores exactly as tantivy's `TermQuery` does (the same
/// [`Bm25Weight`], field norms and term frequencies), on postings read
/// directly, so the passes' inner loops call concrete methods instead of a
/// boxed scorer's.
struct TermClause {
    term: Term,
    /// The term's entry in each segment.
    infos: Infos,
    weight: Bm25Weight,
    bound: Score,
}

impl TermClause {
    /// The clause's postings in segment `segment` of the searcher (`None`
    /// when it lacks the term).
    fn cursor(
        &self,
        reader: &SegmentReader,
        segment: usize,
    ) -> tantivy::Result<Option<TermCursor<'_>>> {
        let Some(Some(info)) = self.infos.get(segment) else {
            return Ok(None);
        };
        let field = self.term.field();
        let postings = reader
            .inverted_index(field)?
            .read_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
        let fieldnorms = match reader.fieldnorms_readers().get_field(field)? {
            Some(f) => f,
            None => FieldNormReader::constant(reader.max_doc(), 1),
        };
        Ok(Some(TermCursor {
            postings,
            fieldnorms,
            weight: &self.weight,
        }))
    }
}

/// A term clause's postings in one segment, scored as BM25.
struct TermCursor<'a> {
    postings: SegmentPostings,
    fieldnorms: FieldNormReader,
    /// Borrowed: a weight holds a 256-entry table, a kilobyte to copy.
    weight: &'a Bm25Weight,
}

impl TermCursor<'_> {
    #[inline]
    fn doc(&self) -> DocId {
        self.postings.doc()
    }
    #[inline]
    fn advance(&mut self) -> DocId {
        self.postings.advance()
    }
    #[inline]
    fn seek(&mut self, target: DocId) -> DocId {
        self.postings.seek(target)
    }
    #[inline]
    fn score(&self) -> Score {
        let doc = self.postings.doc();
        self.weight
            .score(self.fieldnorms.fieldnorm_id(doc), self.postings.term_freq())
    }
}

impl Compiled {
    /// How many postings the term clauses hold in segment `segment`: what a
    /// pass over it may walk.
    fn postings(&self, segment: usize) -> u64 {
        self.terms
            .iter()
            .filter_map(|t| t.infos.get(segment)?.as_ref())
            .map(|i| u64::from(i.doc_freq))
            .sum()
    }

    /// Makes `clauses` ready (see [`super::query::QueryPlan::clauses`]).
    pub fn new(
        searcher: &Searcher,
        stats: &Stats<'_>,
        clauses: Vec<Clause>,
    ) -> tantivy::Result<Self> {
        let scoring = EnableScoring::enabled_from_statistics_provider(stats, searcher);
        let mut parts = Vec::with_capacity(clauses.len());
        let mut constants = Vec::new();
        let mut terms = Vec::new();
        let pruned = searcher.num_docs() >= PRUNE_MIN_DOCS;
        for c in clauses {
            match c {
                Clause::Bm25 { term, boost } => {
                    // What the term's scorer uses (see `TermQuery`'s weight).
                    let weight = stats.memo.weight(stats, &term)?.boost_by(boost);
                    let infos = stats.memo.infos(searcher, &term)?;
                    let bound = if pruned {
                        weight.max_score()
                    } else {
                        Score::INFINITY
                    };
                    parts.push(Part::Term(terms.len()));
                    terms.push(TermClause {
                        term,
                        infos,
                        weight,
                        bound: bound.max(0.0),
                    });
                }
                Clause::Constant { query, score } => {
                    let weight: Arc<dyn Weight> = Arc::from(query.weight(scoring)?);
                    constants.push((weight.clone(), score));
                    parts.push(Part::Constant(weight));
                }
            }
        }
        let bonus = constants.iter().map(|(_, c)| c.max(0.0)).sum();
        Ok(Self {
            parts,
            terms,
            constants,
            bonus,
        })
    }
}

/// Every document of `searcher` scoring at least `cutoff` × the best score
/// (and above 0), as `(exact score, entry position)`, best first, ties by
/// position. Documents without an entry position (none in doum's indexes)
/// are skipped.
pub fn relevant(
    searcher: &Searcher,
    query: &Compiled,
    cutoff: f32,
) -> tantivy::Result<Vec<(Score, u64)>> {
    if searcher.num_docs() < PRUNE_MIN_DOCS {
        return exhaustive(searcher, query, cutoff);
    }
    let pass = prune(searcher, query, cutoff, Heads::none(), &|_| true)?;
    let exact = rescore(searcher, query, &pass.candidates, pass.floor, &[])?;
    Ok(cut(exact.scored, cutoff))
}

/// What [`relevant`] returns, found by scoring every match of every clause
/// (every clause's score added in clause order, as tantivy's union scorer
/// does; no pruning): what small indexes run, and the reference the pruned
/// pass is tested against.
pub fn exhaustive(
    searcher: &Searcher,
    query: &Compiled,
    cutoff: f32,
) -> tantivy::Result<Vec<(Score, u64)>> {
    let everything: Vec<Vec<(DocId, DocId)>> = searcher
        .segment_readers()
        .iter()
        .map(|r| vec![(0, r.max_doc())])
        .collect();
    let exact = rescore(searcher, query, &[], Score::INFINITY, &everything)?;
    Ok(cut(exact.sampled, cutoff))
}

/// The head of the relevant matches: see [`top_relevant`].
#[derive(Debug, Clone, Default)]
pub struct Top {
    /// Relevant matches, exact scores, best first (ties by entry
    /// position). They include the best `all` matches and the best `kept`
    /// matches that pass the filter; past those, the list may miss some.
    pub ranked: Vec<(Score, u64)>,
    /// True when `ranked` is every relevant match (a head never filled
    /// up, so nothing was skipped): counts taken from it are exact.
    pub complete: bool,
    /// When not complete: a sample of the index for estimating counts.
    pub sample: Option<Sample>,
}

/// The best `all` relevant matches (score at least `cutoff` × the best) and
/// the best `kept` of those whose entry position passes `keep`, with their
/// exact scores, in one pruned pass whose threshold rises with
/// both heads (on small indexes, every relevant match; see [`relevant`]).
/// What is past both heads is not scored at all; a sample of about
/// [`SAMPLE_DOCS`] documents, scored exactly, stands in for it.
pub fn top_relevant(
    searcher: &Searcher,
    query: &Compiled,
    cutoff: f32,
    all: usize,
    kept: usize,
    keep: &Keep<'_>,
) -> tantivy::Result<Top> {
    if searcher.num_docs() < PRUNE_MIN_DOCS {
        return Ok(Top {
            ranked: relevant(searcher, query, cutoff)?,
            complete: true,
            sample: None,
        });
    }
    head_and_sample(searcher, query, cutoff, (all, kept), keep, true)
}

/// The best `n` relevant matches (every relevant match in small indexes),
/// exact, best first: [`top_relevant`] without the count sample, for
/// clients that show a few answers and no counts (the chatbot, `ask`).
pub fn best_relevant(
    searcher: &Searcher,
    query: &Compiled,
    cutoff: f32,
    n: usize,
) -> tantivy::Result<Vec<(Score, u64)>> {
    if searcher.num_docs() < PRUNE_MIN_DOCS {
        return relevant(searcher, query, cutoff);
    }
    let top = head_and_sample(searcher, query, cutoff, (n, 0), &|_| true, false)?;
    let mut ranked = top.ranked;
    ranked.truncate(n);
    Ok(ranked)
}

/// The pruned pass and the exact scores of [`top_relevant`]; the count
/// sample only when `sample` is asked for.
fn head_and_sample(
    searcher: &Searcher,
    query: &Compiled,
    cutoff: f32,
    (all, kept): (usize, usize),
    keep: &Keep<'_>,
    sample: bool,
) -> tantivy::Result<Top> {
    let heads = Heads(Best::new(all), Best::new(kept));
    let pass = prune(searcher, query, cutoff, heads, keep)?;
    let runs = if pass.complete || !sample {
        Vec::new()
    } else {
        sample_runs(searcher)
    };
    let exact = rescore(searcher, query, &pass.candidates, pass.floor, &runs)?;
    let ranked = cut(exact.scored, cutoff);
    let sample = (!pass.complete && sample).then(|| {
        let floor = ranked.first().map_or(Score::INFINITY, |m| m.0 * cutoff);
        Sample {
            relevant: exact
                .sampled
                .iter()
                .filter(|&&(score, _)| score >= floor && score > 0.0)
                .map(|&(_, ord)| ord)
                .collect(),
            docs: exact.sample_docs,
        }
    });
    Ok(Top {
        ranked,
        complete: pass.complete,
        sample,
    })
}

/// A min-heap of the best `cap` scores seen.
struct Best {
    cap: usize,
    heap: BinaryHeap<Reverse<Ordered>>,
}

/// A score ordered by [`f32::total_cmp`].
struct Ordered(Score);
impl PartialEq for Ordered {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}
impl Eq for Ordered {}
impl PartialOrd for Ordered {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
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

/// The heads a pass fills: every match, and the matches kept by a filter.
struct Heads(Best, Best);

impl Heads {
    /// No heads: every relevant match is wanted.
    fn none() -> Self {
        Heads(Best::new(0), Best::new(0))
    }
    /// What a match must reach to be wanted by some head (0 with no heads).
    fn entry(&self) -> Score {
        let e = self.0.entry().min(self.1.entry());
        if e.is_finite() { e } else { 0.0 }
    }
    /// Empty heads of the same sizes.
    fn empty_like(&self) -> Self {
        Heads(Best::new(self.0.cap), Best::new(self.1.cap))
    }
    /// The heads of two passes over disjoint documents, as one pass over
    /// both would have filled them.
    fn merged(mut self, other: Heads) -> Self {
        for (into, from) in [(&mut self.0, other.0), (&mut self.1, other.1)] {
            for Reverse(Ordered(score)) in from.heap {
                into.push(score);
            }
        }
        self
    }
    /// The threshold stayed at the relative cutoff while a head was not
    /// full (or with no heads at all).
    fn complete(&self) -> bool {
        let heads = [&self.0, &self.1];
        heads.iter().all(|h| h.cap == 0) || heads.iter().any(|h| h.cap > 0 && !h.full())
    }
}

/// What a pruned pass leaves: per segment, the candidates (document, score
/// from the pass plus the constant clauses, ascending by document), and the
/// final floor a candidate's score must reach.
struct Pass {
    candidates: Vec<Vec<(DocId, Score)>>,
    floor: Score,
    complete: bool,
}

/// One pruned pass over every segment (see the module docs). A segment
/// where the query has [`SPLIT_MIN_POSTINGS`] postings or more is cut in
/// two halves, the second scored on the [`helper`] thread, when no other
/// pruned pass is running (see [`Running`]). Each half raises its own
/// threshold (and a [`Shared`] one), and the heads are merged after: the
/// candidates hold every document one pass would keep, and the exact cut
/// that follows gives the same result.
fn prune(
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
        let ords = reader.fast_fields().u64("ord")?;
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
            ords: &ords,
            bonus: &bonus,
            cutoff,
            keep,
        };
        let mut done = if query.postings(segment) >= SPLIT_MIN_POSTINGS && running.alone() {
            let half = max_doc / 2;
            let later = Progress::start(best, heads.empty_like());
            let shared = Shared::default();
            let mut second = None;
            let first = helper().in_place_scope(|s| {
                s.spawn(|_| second = Some(range.pass(half..max_doc, later, &shared)));
                range.pass(0..half, Progress::start(best, heads), &shared)
            });
            SPLITS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            first?.then(second.expect("the scope ran the second half")?)
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

/// Which entry positions a head of [`top_relevant`] keeps.
type Keep<'a> = dyn Fn(u64) -> bool + Sync + 'a;

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

/// The exact rescoring splits its candidates over two threads from this many (each
/// costs a seek per clause; at 100,000 entries an agent's preview or a
/// search sorted by date rescores about 12,000).
pub const SPLIT_MIN_SPANS: usize = 2_000;

/// What one segment's pass over a range of its documents needs.
struct Range<'a> {
    query: &'a Compiled,
    reader: &'a SegmentReader,
    segment: usize,
    ords: &'a tantivy::columnar::Column<u64>,
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
            if self.ords.first(doc).is_some_and(self.keep) {
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

/// Passes that split their work in two (see [`prune`] and [`rescore`]).
static SPLITS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many pruned passes and exact rescorings so far split their work over
/// two threads (in this process): for tests, which compare the split
/// passes' results with exhaustive scoring.
pub fn split_passes() -> u64 {
    SPLITS.load(std::sync::atomic::Ordering::Relaxed)
}

/// The thread that scores the second half of a split segment.
fn helper() -> &'static rayon::ThreadPool {
    static POOL: std::sync::OnceLock<rayon::ThreadPool> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .thread_name(|_| "doum-search-half".into())
            .build()
            .expect("a thread for searches")
    })
}

/// The highest threshold the passes over the halves of one segment have
/// reached. Each half's best score and heads see only its own documents, so
/// its threshold is at most the one a single pass would reach by then, and
/// so is the higher of the two: either half may use it (as Lucene's slices
/// share their minimum competitive score).
#[derive(Default)]
struct Shared(std::sync::atomic::AtomicU32);

impl Shared {
    /// Raises the shared threshold to `t` if higher; returns the shared one.
    /// (Non-negative floats order as their bits do.)
    fn raise(&self, t: Score) -> Score {
        let t = t.max(0.0);
        let before = self
            .0
            .fetch_max(t.to_bits(), std::sync::atomic::Ordering::Relaxed);
        t.max(Score::from_bits(before))
    }
}

/// Pruned passes running in this process: a pass splits a large segment
/// over two threads only when it runs alone, so that under load the
/// searches share the cores instead of each taking two.
struct Running;

static RUNNING: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl Running {
    fn start() -> Self {
        RUNNING.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Running
    }
    /// No other pass is running.
    fn alone(&self) -> bool {
        RUNNING.load(std::sync::atomic::Ordering::Relaxed) == 1
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        RUNNING.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
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
/// [`Weight::for_each_pruning`]. Its block-max WAND keeps every clause in
/// a list sorted by document and re-sorts it per step; with the 30–80
/// clauses of a long question that was two thirds of a search at 100,000
/// entries. Scores here add the clauses in another order than a full
/// evaluation; [`rescore`] makes them exact.
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

/// How many documents the count sample scores, spread over the index.
pub const SAMPLE_DOCS: u32 = 2_048;
/// Documents per sampled stretch (so the sample spans the index, whatever
/// the order entries were indexed in).
const SAMPLE_RUN: u32 = 64;

/// A sample for estimating counts.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// Entry positions of the sample's relevant documents.
    pub relevant: Vec<u64>,
    /// Documents in the sample.
    pub docs: u64,
}

/// Per segment, the stretches `[start, end)` of the count sample: about
/// [`SAMPLE_DOCS`] documents over the index, in runs of [`SAMPLE_RUN`],
/// evenly spaced.
fn sample_runs(searcher: &Searcher) -> Vec<Vec<(DocId, DocId)>> {
    let total = searcher.num_docs().max(1);
    searcher
        .segment_readers()
        .iter()
        .map(|reader| {
            let max_doc = reader.max_doc();
            let share = (u64::from(max_doc) * u64::from(SAMPLE_DOCS)).div_ceil(total) as u32;
            let runs = share.div_ceil(SAMPLE_RUN).max(1);
            let step = max_doc / runs;
            if step <= SAMPLE_RUN {
                return vec![(0, max_doc)];
            }
            (0..runs)
                .map(|r| (r * step, r * step + SAMPLE_RUN))
                .collect()
        })
        .collect()
}

/// Exact scores of the candidates reaching `floor`, and of every document
/// in the sample `runs`.
struct Exact {
    /// `(score, entry position)` of the candidates.
    scored: Vec<(Score, u64)>,
    /// `(score, entry position)` of the sampled documents that match.
    sampled: Vec<(Score, u64)>,
    /// Documents sampled.
    sample_docs: u64,
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
/// second half of them on the [`helper`] thread.
fn rescore(
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
            let mut second = None;
            let first = helper().in_place_scope(|s| {
                s.spawn(|_| second = Some(score(&merged[m..], &later, acc_later, hit_later)));
                score(&merged[..m], &offsets[..m], acc_first, hit_first)
            });
            SPLITS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            first?;
            second.expect("the scope ran the second half")?;
        } else {
            score(&merged, &offsets, &mut acc, &mut hit)?;
        }
        drop(running);
        let ords = reader.fast_fields().u64("ord")?;
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
                let Some(ord) = ords.first(d) else { continue };
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

/// Keeps the matches scoring at least `cutoff` × the best (and above 0),
/// best first, ties by entry position.
fn cut(mut scored: Vec<(Score, u64)>, cutoff: f32) -> Vec<(Score, u64)> {
    let best = scored.iter().map(|m| m.0).fold(0.0, f32::max);
    scored.retain(|&(score, _)| score >= best * cutoff && score > 0.0);
    scored.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(h: &Best) -> Vec<Score> {
        let mut v: Vec<Score> = h.heap.iter().map(|r| r.0.0).collect();
        v.sort_by(|a, b| b.total_cmp(a));
        v
    }

    #[test]
    fn merged_heads_hold_what_one_pass_over_both_halves_would() {
        let (a, b) = ([5.0, 1.0, 7.0, 3.0], [6.0, 2.0, 8.0]);
        let mut one = Heads(Best::new(3), Best::new(0));
        let mut first = one.empty_like();
        let mut second = one.empty_like();
        for s in a {
            one.0.push(s);
            first.0.push(s);
        }
        for s in b {
            one.0.push(s);
            second.0.push(s);
        }
        let merged = first.merged(second);
        assert_eq!(scores(&merged.0), scores(&one.0));
        assert_eq!(scores(&merged.0), [8.0, 7.0, 6.0]);
        assert_eq!(merged.entry(), one.entry());
        assert_eq!(merged.complete(), one.complete());
    }

    #[test]
    fn the_shared_threshold_only_rises() {
        let shared = Shared::default();
        assert_eq!(shared.raise(2.5), 2.5);
        assert_eq!(
            shared.raise(1.0),
            2.5,
            "a lower threshold gets the shared one"
        );
        assert_eq!(shared.raise(4.0), 4.0);
        assert_eq!(shared.raise(-1.0), 4.0);
    }
}
