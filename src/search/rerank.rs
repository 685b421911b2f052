//! Semantic re-ranking of the lexical candidates.
//!
//! When the lexical ranking is not already clear, the first
//! [`Params::candidates`] results are re-ordered by
//! `(1 − α)·lexical + α·dense`, both min-max normalized over those
//! candidates, where dense is the cosine between the query's and the entry's
//! e5 vectors. Nothing outside the candidates moves and nothing new enters,
//! so the dense model can only choose among what the words already found.
//!
//! The gate keeps today's ranking (and latency: no query is embedded) when
//! - there is at most one candidate,
//! - the first score is at least [`Params::clear_ratio`] times the second, or
//! - the query has no Hangul syllable (초성 queries such as `ㅎㅂ`, codes,
//!   Latin words): the model reads syllables, not initials.
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
}

impl Default for Params {
    fn default() -> Self {
        Self {
            alpha: 0.35,
            candidates: 20,
            clear_ratio: 2.0,
        }
    }
}

impl Params {
    /// Sets one parameter from `name=value` (`alpha`, `candidates`, `clear`).
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
            other => return Err(format!("unknown re-rank parameter `{other}`")),
        }
        if !(0.0..=1.0).contains(&self.alpha) {
            return Err("alpha must be between 0 and 1".into());
        }
        Ok(())
    }
}

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

    /// True when `query` and `ranked` pass the gate (see the module docs).
    pub fn applies(&self, query: &str, ranked: &[Ranked<'_>]) -> bool {
        let (Some(first), Some(second)) = (ranked.first(), ranked.get(1)) else {
            return false;
        };
        self.params.alpha > 0.0
            && first.score < self.params.clear_ratio * second.score
            && query.chars().any(hangul::is_syllable)
    }

    /// Re-orders the first candidates of `ranked` for `query`.
    pub fn apply(&self, query: &str, ranked: &mut [Ranked<'_>]) {
        if !self.applies(query, ranked) {
            return;
        }
        let k = ranked.len().min(self.params.candidates);
        let head = &mut ranked[..k];
        let q = self.embedder.query(query);
        let dense: Vec<Option<f32>> = head
            .iter()
            .map(|r| {
                let ord = *self.ords.get(r.entry.id.as_str())?;
                Some(cosine(&q, self.vectors.get(ord)?))
            })
            .collect();
        let (lo, hi) = min_max(head.iter().map(|r| r.score));
        let (dlo, dhi) = min_max(dense.iter().flatten().copied());
        let norm = |v: f32, lo: f32, hi: f32| if hi > lo { (v - lo) / (hi - lo) } else { 0.0 };
        let alpha = self.params.alpha;
        let mut fused: Vec<(f32, Ranked<'_>)> = head
            .iter()
            .zip(&dense)
            .map(|(r, d)| {
                let dense = d.map_or(0.0, |d| norm(d, dlo, dhi));
                ((1.0 - alpha) * norm(r.score, lo, hi) + alpha * dense, *r)
            })
            .collect();
        // Stable: equal fused scores keep the lexical order.
        fused.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (slot, (f, r)) in head.iter_mut().zip(fused) {
            *slot = Ranked {
                entry: r.entry,
                score: lo + f * (hi - lo),
            };
        }
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
    fn min_max_of_scores() {
        assert_eq!(min_max([3.0, 1.0, 2.0].into_iter()), (1.0, 3.0));
    }
}
