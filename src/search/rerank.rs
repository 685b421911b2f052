//! Semantic re-ranking of the lexical candidates.
//!
//! When the lexical ranking is not already clear, the first
//! [`Params::candidates`] results are re-ordered by
//! `(1 − α)·lexical + α·dense`, both min-max normalized over those
//! candidates, where dense is the cosine between the query's and the entry's
//! e5 vectors. Besides the candidates, only the few entries the model finds
//! nearest may enter ([`Params::add`]).
//!
//! α is [`Params::alpha`] plus [`Params::lead_weight`] times the model's
//! own lead: its best cosine among the candidates minus its second best.
//! Min-max normalization stretches any lead to the full scale, so without
//! this a model that barely prefers one candidate weighs as much as one
//! that clearly does.
//!
//! The gate keeps today's ranking (and latency: no query is embedded) when
//! - there is at most one candidate,
//! - the first score is at least [`Params::clear_ratio`] times the second, or
//! - the query has no Hangul syllable (초성 queries such as `ㅎㅂ`, codes,
//!   Latin words): the model reads syllables, not initials.
//!
//! Under load, when every core is already embedding a query, a search
//! whose query vector is not cached keeps its lexical ranking at once
//! instead of queuing (see [`Embedder::try_query`]).
//!
//! An entry the model adds counts as the weakest of the words' candidates;
//! when the words scored theirs alike (one entry found, or a tie), theirs
//! come first on the words' side and the added ones last, so an added entry
//! needs the model's clear preference to pass them.
//!
//! The candidate the model finds nearest, when on the question's topic
//! ([`ON_TOPIC_COSINE`]), is kept within the first [`Params::nearest`]
//! (five): a ranking the two signals disagree on is a hedge, and the first
//! page and the chatbot's list should hold each signal's pick.
//!
//! Re-ranked candidates get the score `min + fused·(max − min)` on the
//! lexical scale, so scores stay descending and comparable within a query.

use std::collections::HashMap;
use std::sync::Arc;

use super::engine::Ranked;
use crate::content::Entry;
use crate::korean::hangul;
use crate::semantic::store::EntryVectors;
use crate::semantic::{Embedder, cosine};

/// How re-ranking mixes and when it runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    /// Weight of the dense score, 0..=1.
    pub alpha: f32,
    /// How many lexical candidates are re-ordered.
    pub candidates: usize,
    /// Top/second lexical score ratio from which the ranking counts as clear.
    pub clear_ratio: f32,
    /// How scores are put on one scale before mixing.
    pub norm: Norm,
    /// How many entries the dense model alone may add to the candidates
    /// (the nearest ones not found by the words), when the lexical ranking
    /// is not clear.
    pub add: usize,
    /// The cosine an added entry must reach (e5 puts unrelated Korean
    /// sentences around .75–.8).
    pub add_floor: f32,
    /// The cosine an added entry must reach when the words found nothing at
    /// all, so that the model's are the only results: [`RELEVANT_COSINE`],
    /// the chatbot's bar for listing an entry the words missed. Strings of
    /// Hangul no one says ("쀍뛝쉙", "뷁뷁") reach .80–.82 with every entry.
    pub alone_floor: f32,
    /// How much α grows with the model's lead (its best cosine among the
    /// candidates minus its second best; leads run from 0 to about .1).
    pub lead_weight: f32,
    /// The candidate the model finds nearest, when on the question's topic
    /// ([`ON_TOPIC_COSINE`]), is moved up to this position (1-based) if the
    /// mix put it lower: the first page, and the chatbot's list, hold the
    /// model's pick as well as the words'. 0: never.
    pub nearest: usize,
}

/// The cosine (multilingual-e5-small, `query: `/`passage: `) from which an
/// entry is worth showing although none or few of the question's words are
/// in it: the chatbot lists it ([`crate::ask::choice::DENSE_RELEVANT`]), and
/// a search the words found nothing for shows it ([`Params::alone_floor`]).
pub const RELEVANT_COSINE: f32 = 0.84;

/// The cosine from which the model puts an entry on the question's topic:
/// the chatbot's bar for trusting the model's pick
/// ([`crate::ask::choice::DENSE_NEAR`]), and for keeping it on the first
/// page ([`Params::nearest`]). Out-of-domain questions reach .78–.85
/// against help-center entries.
pub const ON_TOPIC_COSINE: f32 = 0.85;

/// How lexical and dense scores are put on one scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Norm {
    /// `(v − min) / (max − min)` over the candidates.
    MinMax,
    /// `(v − mean) / sd` over the candidates: one outlier does not squash
    /// the others.
    ZScore,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            alpha: 0.35,
            candidates: 20,
            clear_ratio: 2.0,
            norm: Norm::MinMax,
            add: 3,
            add_floor: 0.8,
            alone_floor: RELEVANT_COSINE,
            lead_weight: 4.0,
            nearest: 5,
        }
    }
}

impl Params {
    /// Sets one parameter from `name=value` (`alpha`, `candidates`, `clear`,
    /// `norm`, `add`, `floor`, `alone`, `lead`, `nearest`).
    pub fn set(&mut self, assignment: &str) -> Result<(), String> {
        let (name, value) = assignment
            .split_once('=')
            .ok_or_else(|| format!("expected name=value, got `{assignment}`"))?;
        let bad = |_| format!("`{value}` is not a number for {name}");
        match name.trim() {
            "alpha" => self.alpha = value.trim().parse().map_err(bad)?,
            "candidates" => {
                self.candidates = value
                    .trim()
                    .parse()
                    .map_err(|_| format!("`{value}` is not a count"))?
            }
            "clear" => self.clear_ratio = value.trim().parse().map_err(bad)?,
            "norm" => {
                self.norm = match value.trim() {
                    "minmax" => Norm::MinMax,
                    "z" => Norm::ZScore,
                    other => return Err(format!("norm is `minmax` or `z`, not `{other}`")),
                }
            }
            "add" => {
                self.add = value
                    .trim()
                    .parse()
                    .map_err(|_| format!("`{value}` is not a count"))?
            }
            "floor" => self.add_floor = value.trim().parse().map_err(bad)?,
            "alone" => self.alone_floor = value.trim().parse().map_err(bad)?,
            "lead" => self.lead_weight = value.trim().parse().map_err(bad)?,
            "nearest" => {
                self.nearest = value
                    .trim()
                    .parse()
                    .map_err(|_| format!("`{value}` is not a position"))?
            }
            other => return Err(format!("unknown re-rank parameter `{other}`")),
        }
        if !(0.0..=1.0).contains(&self.alpha) {
            return Err("alpha must be between 0 and 1".into());
        }
        if self.lead_weight.is_nan() || self.lead_weight < 0.0 {
            return Err("lead must be 0 or more".into());
        }
        Ok(())
    }
}

/// The model was due but every core was already embedding a query (see
/// [`Embedder::try_query`]): what it would have said is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

/// The model, the entry vectors of one index and the parameters.
pub struct Reranker {
    embedder: Arc<Embedder>,
    vectors: EntryVectors,
    ords: HashMap<String, usize>,
    params: Params,
}

impl Reranker {
    /// A re-ranker over `entries` (in index order) and their `vectors`.
    pub fn new(embedder: Arc<Embedder>, vectors: EntryVectors, entries: &[Entry]) -> Self {
        let ords = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.as_str().to_string(), i))
            .collect();
        Self {
            embedder,
            vectors,
            ords,
            params: Params::default(),
        }
    }

    /// The same re-ranker with other parameters.
    pub fn with_params(mut self, params: Params) -> Self {
        self.params = params;
        self
    }

    /// The parameters in force.
    pub fn params(&self) -> Params {
        self.params
    }

    /// Cosines between `query` and each of `entries`, when the model can
    /// read the query (it has a Hangul syllable; `Ok(None)` otherwise); an
    /// entry without a vector gets 0. [`Busy`] when every core was already
    /// embedding a query.
    pub fn similarity(&self, query: &str, entries: &[&Entry]) -> Result<Option<Vec<f32>>, Busy> {
        if !query.chars().any(hangul::is_syllable) {
            return Ok(None);
        }
        let q = self.query_vector(query).ok_or(Busy)?;
        Ok(Some(
            entries
                .iter()
                .map(|e| {
                    self.ords
                        .get(e.id.as_str())
                        .and_then(|&ord| self.vectors.get(ord))
                        .map_or(0.0, |v| cosine(&q, v))
                })
                .collect(),
        ))
    }

    /// The query's vector, or `None` when every core is already embedding
    /// queries (the search then keeps its lexical ranking, counted in
    /// `doum_semantic_skipped_total`).
    fn query_vector(&self, query: &str) -> Option<Arc<[f32]>> {
        let v = self.embedder.try_query(query);
        if v.is_none() {
            crate::metrics::global().semantic_busy();
        }
        v
    }

    /// True when `query` and `ranked` pass the gate (see the module docs).
    pub fn applies(&self, query: &str, ranked: &[Ranked<'_>]) -> bool {
        if self.params.alpha <= 0.0 || !query.chars().any(hangul::is_syllable) {
            return false;
        }
        match (ranked.first(), ranked.get(1)) {
            (Some(first), Some(second)) => first.score < self.params.clear_ratio * second.score,
            // Under two candidates the words found little: only the dense
            // model can add some.
            _ => self.params.add > 0,
        }
    }

    /// Re-orders the first candidates of `ranked` for `query`, adding up to
    /// [`Params::add`] of `entries` (the content the vectors were made from,
    /// in index order) that the dense model finds nearest. [`Busy`] when
    /// the gate passed but every core was busy embedding queries: `ranked`
    /// stays as the words ranked it.
    pub fn apply<'a>(
        &self,
        query: &str,
        ranked: &mut Vec<Ranked<'a>>,
        entries: &'a [Entry],
    ) -> Result<(), Busy> {
        if !self.applies(query, ranked) {
            return Ok(());
        }
        let p = self.params;
        let k = ranked.len().min(p.candidates);
        let q = self.query_vector(query).ok_or(Busy)?;
        let dense_of = |e: &Entry| {
            let ord = *self.ords.get(e.id.as_str())?;
            Some(cosine(&q, self.vectors.get(ord)?))
        };
        // (entry, lexical score if the words found it, dense score)
        let mut pool: Vec<(&'a Entry, Option<f32>, Option<f32>)> = ranked[..k]
            .iter()
            .map(|r| (r.entry, Some(r.score), dense_of(r.entry)))
            .collect();
        if p.add > 0 {
            let floor = if k == 0 {
                p.add_floor.max(p.alone_floor)
            } else {
                p.add_floor
            };
            let mut near: Vec<(f32, &'a Entry)> = entries
                .iter()
                .enumerate()
                .filter(|(_, e)| !pool.iter().any(|(h, _, _)| h.id == e.id))
                .filter_map(|(ord, e)| Some((cosine(&q, self.vectors.get(ord)?), e)))
                .filter(|(d, _)| *d >= floor)
                .collect();
            near.sort_by(|a, b| b.0.total_cmp(&a.0));
            pool.extend(
                near.into_iter()
                    .take(p.add)
                    .map(|(d, e)| (e, None, Some(d))),
            );
        }
        if pool.len() < 2 {
            return Ok(());
        }
        let lexical: Vec<f32> = pool.iter().filter_map(|x| x.1).collect();
        let (lo, hi) = min_max(lexical.iter().copied());
        // The words scored their candidates alike (they found one entry, or
        // a tie): no scale can stretch that, so their entries take its top
        // and the model's added ones its bottom. Otherwise an entry the
        // words did not find would weigh as much as the only one they found
        // ("해킹" would put the model's nearest entries before the one whose
        // keyword it is).
        let flat = !lexical.is_empty() && hi <= lo;
        let (lex_norm, dense_norm) = match p.norm {
            Norm::MinMax => (
                Scale::min_max(lexical.iter().copied()),
                Scale::min_max(pool.iter().filter_map(|x| x.2)),
            ),
            Norm::ZScore => (
                Scale::z(&lexical),
                Scale::z(&pool.iter().filter_map(|x| x.2).collect::<Vec<_>>()),
            ),
        };
        let alpha =
            (p.alpha + p.lead_weight * model_lead(pool.iter().filter_map(|x| x.2))).min(1.0);
        // (fused score, entry, cosine)
        let mut fused: Vec<(f32, &'a Entry, Option<f32>)> = pool
            .iter()
            .map(|&(e, lex, cosine)| {
                // An added entry counts as the weakest lexical candidate.
                let l = match lex {
                    Some(_) if flat => 1.0,
                    None if flat => 0.0,
                    lex => lex_norm.of(lex.unwrap_or(lo)),
                };
                let d = cosine.map_or(dense_norm.floor(), |d| dense_norm.of(d));
                ((1.0 - alpha) * l + alpha * d, e, cosine)
            })
            .collect();
        // Stable: equal fused scores keep the lexical order.
        fused.sort_by(|a, b| b.0.total_cmp(&a.0));
        if p.nearest > 0 {
            keep_nearest(&mut fused, p.nearest - 1);
        }
        let added = pool.len() - k;
        let scores: Vec<f32> = match p.norm {
            Norm::MinMax if lexical.len() >= 2 => {
                fused.iter().map(|f| lo + f.0 * (hi - lo)).collect()
            }
            _ => {
                // Back onto the lexical scale (or the cosine scale when the
                // words found nothing), keeping the order.
                let (flo, fhi) = min_max(fused.iter().map(|f| f.0));
                let (lo, hi) = if lexical.is_empty() {
                    min_max(pool.iter().filter_map(|x| x.2))
                } else {
                    (lo, hi)
                };
                fused
                    .iter()
                    .map(|f| {
                        if fhi > flo {
                            lo + (f.0 - flo) / (fhi - flo) * (hi - lo)
                        } else {
                            hi
                        }
                    })
                    .collect()
            }
        };
        let head: Vec<Ranked<'a>> = fused
            .iter()
            .zip(scores)
            .map(|(f, score)| Ranked { entry: f.1, score })
            .collect();
        let mut tail: Vec<Ranked<'a>> = ranked.split_off(k);
        if added > 0 {
            tail.retain(|r| !head.iter().any(|h| h.entry.id == r.entry.id));
            // Nothing below the re-ranked head scores above its last.
            let floor = head.last().map_or(0.0, |h| h.score);
            for r in &mut tail {
                r.score = r.score.min(floor);
            }
        }
        ranked.clear();
        ranked.extend(head);
        ranked.extend(tail);
        Ok(())
    }
}

/// Moves the `fused` candidate with the highest cosine up to index `at`,
/// tied with the one it passes, when it is on the question's topic
/// ([`ON_TOPIC_COSINE`]) and the mix put it lower.
fn keep_nearest(fused: &mut Vec<(f32, &Entry, Option<f32>)>, at: usize) {
    let nearest = fused
        .iter()
        .enumerate()
        .filter_map(|(i, f)| Some((i, f.2?)))
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((i, cosine)) = nearest
        && i > at
        && cosine >= ON_TOPIC_COSINE
    {
        let mut moved = fused.remove(i);
        moved.0 = fused[at].0;
        fused.insert(at, moved);
    }
}

/// A normalization fitted on one query's candidates.
#[derive(Debug, Clone, Copy)]
enum Scale {
    MinMax(f32, f32),
    Z(f32, f32),
}

impl Scale {
    fn min_max(values: impl Iterator<Item = f32>) -> Self {
        let (lo, hi) = min_max(values);
        Scale::MinMax(lo, hi)
    }

    fn z(values: &[f32]) -> Self {
        let n = values.len().max(1) as f32;
        let mean = values.iter().sum::<f32>() / n;
        let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
        Scale::Z(mean, var.sqrt())
    }

    fn of(self, v: f32) -> f32 {
        match self {
            Scale::MinMax(lo, hi) if hi > lo => (v - lo) / (hi - lo),
            Scale::MinMax(..) => 0.0,
            Scale::Z(mean, sd) if sd > 0.0 => (v - mean) / sd,
            Scale::Z(..) => 0.0,
        }
    }

    /// The value of a missing score: the bottom of the scale.
    fn floor(self) -> f32 {
        match self {
            Scale::MinMax(..) => 0.0,
            Scale::Z(..) => -2.0,
        }
    }
}

/// The best of `cosines` minus the second best (0 with fewer than two).
fn model_lead(cosines: impl Iterator<Item = f32>) -> f32 {
    let (first, second) = cosines.fold((f32::NEG_INFINITY, f32::NEG_INFINITY), |(a, b), c| {
        if c > a { (c, a) } else { (a, b.max(c)) }
    });
    if second.is_finite() {
        first - second
    } else {
        0.0
    }
}

fn min_max(values: impl Iterator<Item = f32>) -> (f32, f32) {
    values.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_parse_and_check() {
        let mut p = Params::default();
        p.set("alpha=0.5").unwrap();
        p.set("clear=1.8").unwrap();
        p.set("candidates=10").unwrap();
        assert_eq!((p.alpha, p.clear_ratio, p.candidates), (0.5, 1.8, 10));
        assert!(p.set("alpha=2").is_err());
        assert!(p.set("beta=1").is_err());
        assert!(p.set("alpha").is_err());
    }

    #[test]
    fn pool_parameters_parse() {
        let mut p = Params::default();
        p.set("norm=z").unwrap();
        p.set("add=5").unwrap();
        p.set("floor=0.82").unwrap();
        assert_eq!((p.norm, p.add, p.add_floor), (Norm::ZScore, 5, 0.82));
        assert!(p.set("norm=rank").is_err());
        assert!(p.set("add=-1").is_err());
        p.set("lead=2.5").unwrap();
        assert_eq!(p.lead_weight, 2.5);
        assert!(p.set("lead=-1").is_err());
        assert!(p.set("lead=NaN").is_err());
    }

    #[test]
    fn the_model_lead_is_its_best_cosine_minus_its_second() {
        let lead = model_lead([0.81, 0.86, 0.84, 0.80].into_iter());
        assert!((lead - 0.02).abs() < 1e-6, "{lead}");
        assert_eq!(model_lead([0.9, 0.9].into_iter()), 0.0);
        assert_eq!(model_lead([0.9].into_iter()), 0.0);
        assert_eq!(model_lead(std::iter::empty()), 0.0);
    }

    #[test]
    fn scales_put_scores_on_one_footing() {
        let m = Scale::min_max([2.0, 4.0, 3.0].into_iter());
        assert_eq!((m.of(2.0), m.of(3.0), m.of(4.0)), (0.0, 0.5, 1.0));
        assert_eq!(Scale::min_max([1.0, 1.0].into_iter()).of(1.0), 0.0);
        // One far outlier does not squash the others under z-scores.
        let z = Scale::z(&[1.0, 2.0, 3.0, 100.0]);
        assert!(z.of(100.0) > 1.5 && z.of(1.0) < 0.0);
        assert!((z.of(3.0) - z.of(2.0) - (z.of(2.0) - z.of(1.0))).abs() < 1e-6);
        assert_eq!(Scale::z(&[5.0, 5.0]).of(5.0), 0.0);
        assert!(z.floor() < z.of(1.0));
    }

    #[test]
    fn min_max_of_scores() {
        assert_eq!(min_max([3.0, 1.0, 2.0].into_iter()), (1.0, 3.0));
    }
}
