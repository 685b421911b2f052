//! A collector for every match with its score and entry position.
//!
//! Ranking needs all matches, not a top-k: the result count and the
//! per-category counts cover every relevant entry, and the relevance cutoff
//! is relative to the best score. `TopDocs` with a limit of the index size
//! would allocate for the whole index on every query; this collects only
//! what matches, reading the entry position from the `ord` fast field.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Collects `(score, entry position)` for every matching document.
pub struct AllMatches;

/// Per-segment part of [`AllMatches`].
pub struct SegmentMatches {
    ords: Column<u64>,
    out: Vec<(Score, u64)>,
}

impl Collector for AllMatches {
    type Fruit = Vec<(Score, u64)>;
    type Child = SegmentMatches;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<SegmentMatches> {
        Ok(SegmentMatches {
            ords: segment.fast_fields().u64("ord")?,
            out: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<(Score, u64)>>) -> tantivy::Result<Vec<(Score, u64)>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for SegmentMatches {
    type Fruit = Vec<(Score, u64)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        if let Some(ord) = self.ords.first(doc) {
            self.out.push((score, ord));
        }
    }

    fn harvest(self) -> Vec<(Score, u64)> {
        self.out
    }
}
