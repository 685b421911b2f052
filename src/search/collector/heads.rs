//! The best scores a pass has seen: what its threshold rises with.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use tantivy::Score;

/// A min-heap of the best `cap` scores seen.
pub(super) struct Best {
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
    pub(super) fn new(cap: usize) -> Self {
        Self {
            cap,
            heap: BinaryHeap::with_capacity(cap + 1),
        }
    }
    pub(super) fn push(&mut self, score: Score) {
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
pub(super) struct Heads(pub(super) Best, pub(super) Best);

impl Heads {
    /// No heads: every relevant match is wanted.
    pub(super) fn none() -> Self {
        Heads(Best::new(0), Best::new(0))
    }
    /// What a match must reach to be wanted by some head (0 with no heads).
    pub(super) fn entry(&self) -> Score {
        let e = self.0.entry().min(self.1.entry());
        if e.is_finite() { e } else { 0.0 }
    }
    /// Empty heads of the same sizes.
    pub(super) fn empty_like(&self) -> Self {
        Heads(Best::new(self.0.cap), Best::new(self.1.cap))
    }
    /// The heads of two passes over disjoint documents, as one pass over
    /// both would have filled them.
    pub(super) fn merged(mut self, other: Heads) -> Self {
        for (into, from) in [(&mut self.0, other.0), (&mut self.1, other.1)] {
            for Reverse(Ordered(score)) in from.heap {
                into.push(score);
            }
        }
        self
    }
    /// The threshold stayed at the relative cutoff while a head was not
    /// full (or with no heads at all).
    pub(super) fn complete(&self) -> bool {
        let heads = [&self.0, &self.1];
        heads.iter().all(|h| h.cap == 0) || heads.iter().any(|h| h.cap > 0 && !h.full())
    }
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
}
