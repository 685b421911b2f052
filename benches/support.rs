//! What the benches share: corpora by size, the query mix, percentiles.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use doum::config::{load_analyzer, load_content};
use doum::content::Content;
use doum::korean::Analyzer;
use doum::search::{SearchEngine, eval};

/// The seed of every generated bench corpus.
pub const SEED: u64 = 1;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn target() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// Corpus sizes to run: `DOUM_BENCH_SIZES` (comma-separated), default the
/// sample content only (74 entries, shown as 0 = "the sample").
pub fn sizes() -> Vec<usize> {
    match std::env::var("DOUM_BENCH_SIZES") {
        Ok(s) => s
            .split(',')
            .map(|n| n.trim().parse().expect("DOUM_BENCH_SIZES: numbers"))
            .collect(),
        Err(_) => vec![74],
    }
}

/// Every query of both dev sets (`DOUM_EVAL_DIR`, default `../shared/eval`).
pub fn queries() -> Vec<String> {
    let dir = std::env::var_os("DOUM_EVAL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/eval"));
    ["dev-queries.tsv", "dev-b/queries.tsv"]
        .iter()
        .flat_map(|f| eval::read_queries(&dir.join(f)).expect("dev queries (../shared/eval)"))
        .map(|q| q.query)
        .collect()
}

/// The Korean analyzer.
pub fn analyzer() -> Arc<Analyzer> {
    let paths = doum::config::Paths::new(root().join("content"), root().join("index"))
        .with_dictionary(std::env::var_os("DOUM_DICT_DIR").map(PathBuf::from));
    load_analyzer(&paths.dictionary, &mut |s| eprintln!("{s}")).expect("dictionary")
}

/// The content directory of a size: the sample content for 74, else a
/// generated corpus (made on first use).
pub fn corpus_dir(size: usize) -> PathBuf {
    if size == 74 {
        return root().join("content");
    }
    let dir = target().join(format!("bench-corpus/{size}-seed{SEED}"));
    if !dir.exists() {
        eprintln!("generating {size} entries into {}", dir.display());
        let sample = load_content(&root().join("content")).expect("sample content");
        doum::generate::write(&root().join("content"), &sample, size, SEED, &dir)
            .expect("generate corpus");
    }
    dir
}

/// The content of a size.
pub fn content(size: usize) -> Arc<Content> {
    load_content(&corpus_dir(size)).expect("content")
}

/// An engine over the corpus of a size (indexed under
/// `target/bench-index/<size>` on first use), and its entry count.
pub fn engine(size: usize, analyzer: &Arc<Analyzer>) -> (SearchEngine, usize) {
    let content = content(size);
    let index = target().join(format!("bench-index/{size}"));
    let n = content.entries().len();
    let engine =
        doum::search::ensure_index(&index, content, analyzer.clone(), None, &mut |_, _| {})
            .expect("index");
    (engine, n)
}

/// How many rounds of the query mix to time at a corpus size.
pub fn rounds(entries: usize) -> usize {
    match entries {
        0..=1000 => 20,
        1001..=20_000 => 5,
        _ => 2,
    }
}

/// The `p`-th percentile (0-100) of sorted durations.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Prints p50, p99, mean and max of per-call timings.
pub fn report(label: &str, mut times: Vec<Duration>) {
    times.sort_unstable();
    let mean = times.iter().sum::<Duration>() / times.len().max(1) as u32;
    println!(
        "  {label:<50} p50 {:>9.1?}  p99 {:>9.1?}  mean {:>9.1?}  max {:>9.1?}  ({} calls)",
        percentile(&times, 50.0),
        percentile(&times, 99.0),
        mean,
        times.last().copied().unwrap_or_default(),
        times.len()
    );
}
