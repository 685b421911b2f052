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
//!
//! The parts: `heads.rs` (the best scores a pass keeps), `prune.rs` (the
//! pruned pass, MaxScore), `rescore.rs` (exact scores), `split.rs` (two
//! threads for one large search), and this file (the compiled query, the
//! term memo, and the entry points).

mod heads;
mod prune;
mod rescore;
mod split;

pub use prune::SPLIT_MIN_POSTINGS;
pub use rescore::SPLIT_MIN_SPANS;
pub use split::{Split, splits};

use heads::{Best, Heads};
use prune::{Keep, prune};
use rescore::rescore;

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings, TermInfo};
use tantivy::query::{Bm25StatisticsProvider, Bm25Weight, EnableScoring, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, Term};

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
/// [`TermMemo::WEIGHTS`] weights (about 1 kB each, their table). Beside
/// them, each segment's entry positions ([`Positions`]), read once.
pub struct TermMemo {
    infos: Memo<Term, Infos>,
    weights: Memo<(Field, u64), Bm25Weight>,
    positions: std::sync::OnceLock<Arc<Positions>>,
}

/// Each segment's documents' entry positions (the `ord` fast field), read
/// once per index: opening the fast field's column decodes its block
/// metadata, and both passes of every search did so (2 % of a search at
/// 100,000 entries), then looked each document up in its blocks. 4 bytes
/// a document (400 kB at 100,000 entries).
pub struct Positions(Box<[Box<[u32]>]>);

impl Positions {
    /// Stands for a document without an entry position (none in doum's
    /// indexes).
    const NONE: u32 = u32::MAX;

    fn read(searcher: &Searcher) -> tantivy::Result<Self> {
        let mut segments = Vec::with_capacity(searcher.segment_readers().len());
        for reader in searcher.segment_readers() {
            let column = reader.fast_fields().u64("ord")?;
            let positions: Box<[u32]> = (0..reader.max_doc())
                .map(|doc| {
                    column
                        .first(doc)
                        .and_then(|p| u32::try_from(p).ok())
                        .filter(|&p| p != Self::NONE)
                        .unwrap_or(Self::NONE)
                })
                .collect();
            segments.push(positions);
        }
        Ok(Self(segments.into()))
    }

    /// The entry position of `doc` in segment `segment`.
    fn of(&self, segment: usize, doc: DocId) -> Option<u64> {
        let p = *self.0.get(segment)?.get(doc as usize)?;
        (p != Self::NONE).then_some(u64::from(p))
    }
}

/// A term's entry in each segment (`None` where the segment lacks it).
type Infos = Arc<[Option<TermInfo>]>;

impl Default for TermMemo {
    fn default() -> Self {
        Self {
            infos: Memo::new(Self::TERMS),
            weights: Memo::new(Self::WEIGHTS),
            positions: std::sync::OnceLock::new(),
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

    /// The index's [`Positions`], read on first use.
    fn positions(&self, searcher: &Searcher) -> tantivy::Result<Arc<Positions>> {
        if let Some(p) = self.positions.get() {
            return Ok(p.clone());
        }
        let p = Arc::new(Positions::read(searcher)?);
        Ok(self.positions.get_or_init(|| p).clone())
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
    /// The index's entry positions.
    positions: Arc<Positions>,
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
            positions: stats.memo.positions(searcher)?,
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

/// Keeps the matches scoring at least `cutoff` × the best (and above 0),
/// best first, ties by entry position.
fn cut(mut scored: Vec<(Score, u64)>, cutoff: f32) -> Vec<(Score, u64)> {
    let best = scored.iter().map(|m| m.0).fold(0.0, f32::max);
    scored.retain(|&(score, _)| score >= best * cutoff && score > 0.0);
    scored.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    scored
}
