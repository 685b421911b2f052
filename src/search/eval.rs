//! Search quality evaluation: MRR@10, Recall@1 and Recall@5 over labelled
//! queries, overall and per kind, through the same search path as every client.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::query::Weights;
use super::{SearchEngine, SearchRequest};

/// Classic configurations to measure beside doum's own, on the same index
/// and queries in the same run: the same fields, one kind of analysis each,
/// plain BM25 (no synonyms, typo matching or 초성).
pub fn baselines() -> Vec<(&'static str, Weights)> {
    let none = Weights {
        title: 0.0,
        keywords: 0.0,
        body: 0.0,
        title_bigram: 0.0,
        body_bigram: 0.0,
        synonym: 0.0,
        fuzzy: 0.0,
        chosung: 0.0,
    };
    vec![
        (
            "baseline: character bigrams, BM25",
            Weights {
                title_bigram: 2.0,
                body_bigram: 1.0,
                ..none
            },
        ),
        (
            "baseline: mecab-ko morphemes, BM25",
            Weights {
                title: 2.0,
                keywords: 2.0,
                body: 1.0,
                ..none
            },
        ),
    ]
}

/// One labelled query: `query<TAB>relevant<TAB>kind`.
#[derive(Debug, Clone)]
pub struct LabeledQuery {
    /// The query text.
    pub query: String,
    /// The id of the one relevant entry.
    pub relevant: String,
    /// The query's kind (keyword, typo, ...).
    pub kind: String,
}

/// Reads a TSV file with header `query<TAB>relevant<TAB>kind`.
pub fn read_queries(path: &Path) -> Result<Vec<LabeledQuery>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() != 3 {
            bail!(
                "{}:{}: expected 3 tab-separated columns, found {}",
                path.display(),
                i + 1,
                cols.len()
            );
        }
        out.push(LabeledQuery {
            query: cols[0].into(),
            relevant: cols[1].into(),
            kind: cols[2].into(),
        });
    }
    Ok(out)
}

/// Aggregated figures for a set of queries.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Metrics {
    /// Number of queries.
    pub n: usize,
    /// Mean reciprocal rank within the top 10.
    pub mrr: f64,
    /// Share with the relevant entry first.
    pub recall1: f64,
    /// Share with the relevant entry in the top 5.
    pub recall5: f64,
}

impl Metrics {
    fn add(&mut self, rank: Option<usize>) {
        self.n += 1;
        if let Some(r) = rank {
            self.mrr += 1.0 / r as f64;
            self.recall1 += f64::from(u8::from(r == 1));
            self.recall5 += f64::from(u8::from(r <= 5));
        }
    }
    fn finish(mut self) -> Self {
        if self.n > 0 {
            let n = self.n as f64;
            self.mrr /= n;
            self.recall1 /= n;
            self.recall5 /= n;
        }
        self
    }
}

/// A query whose relevant entry was not first.
#[derive(Debug, Clone)]
pub struct Miss {
    /// The query.
    pub query: String,
    /// Its kind.
    pub kind: String,
    /// The relevant id.
    pub relevant: String,
    /// Its rank (1-based) within the top 10, if there.
    pub rank: Option<usize>,
    /// What came first.
    pub first: Option<String>,
}

/// The evaluation report.
#[derive(Debug, Clone)]
pub struct Report {
    /// All queries.
    pub overall: Metrics,
    /// Per kind.
    pub per_kind: BTreeMap<String, Metrics>,
    /// Queries not ranked first.
    pub misses: Vec<Miss>,
}

/// Runs every query through [`SearchEngine::search`] (top 10).
pub fn evaluate(engine: &SearchEngine, queries: &[LabeledQuery]) -> Report {
    let mut overall = Metrics::default();
    let mut per_kind: BTreeMap<String, Metrics> = BTreeMap::new();
    let mut misses = Vec::new();
    for q in queries {
        let ids: Vec<String> = SearchRequest::new(&q.query)
            .and_then(|r| r.size(10))
            .ok()
            .and_then(|r| engine.search(&r).ok())
            .map(|res| res.hits.into_iter().map(|h| h.id).collect())
            .unwrap_or_default();
        let rank = ids.iter().position(|id| *id == q.relevant).map(|p| p + 1);
        overall.add(rank);
        per_kind.entry(q.kind.clone()).or_default().add(rank);
        if rank != Some(1) {
            misses.push(Miss {
                query: q.query.clone(),
                kind: q.kind.clone(),
                relevant: q.relevant.clone(),
                rank,
                first: ids.first().cloned(),
            });
        }
    }
    Report {
        overall: overall.finish(),
        per_kind: per_kind.into_iter().map(|(k, m)| (k, m.finish())).collect(),
        misses,
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<12} {:>4} {:>7} {:>6} {:>6}",
            "kind", "n", "MRR@10", "R@1", "R@5"
        )?;
        let row = |f: &mut fmt::Formatter<'_>, k: &str, m: &Metrics| {
            writeln!(
                f,
                "{:<12} {:>4} {:>7.3} {:>6.3} {:>6.3}",
                k, m.n, m.mrr, m.recall1, m.recall5
            )
        };
        for (k, m) in &self.per_kind {
            row(f, k, m)?;
        }
        row(f, "overall", &self.overall)
    }
}
