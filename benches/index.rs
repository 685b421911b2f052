//! Index build throughput against the analyzer's own on the same text.
//!
//! For each corpus size (`DOUM_BENCH_SIZES`, default 2,000 generated
//! entries; corpora are generated under `target/bench-corpus/` and reused):
//!
//! - `index/build/N`: `doum index` without embeddings (analysis on every
//!   core, tantivy, the content snapshot, the atomic swap) into a fresh
//!   directory: entries/s, and MB/s of entry text (title, keywords, body).
//! - `analyzer/morphemes/N`: one morpheme analysis of the same text on one
//!   thread, without the build's memo: the segmenter's own throughput (MB/s).
//! - `analyzer/all-fields/N`: every analysis the build makes of each entry
//!   (morphemes, bigrams, jamo, 초성), on one thread, with the build's memo.
//!
//! Run: `cargo bench --bench index`; `DOUM_BENCH_SIZES=10000 cargo bench --bench index`.

mod support;

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, black_box, criterion_group, criterion_main};
use doum::config::load_content;
use doum::korean::TokenizerKind;
use doum::search::build;

fn sizes() -> Vec<usize> {
    match std::env::var("DOUM_BENCH_SIZES") {
        Ok(_) => support::sizes(),
        Err(_) => vec![2_000],
    }
}

fn bench(c: &mut Criterion) {
    let analyzer = support::analyzer();
    for size in sizes() {
        let dir = support::corpus_dir(size);
        let content = load_content(&dir).expect("content");
        let entries = content.entries();
        let texts: Vec<String> = entries
            .iter()
            .map(|e| format!("{}\n{}\n{}", e.title, e.keywords.join("\n"), e.body.text()))
            .collect();
        let bytes: u64 = texts.iter().map(|t| t.len() as u64).sum();
        eprintln!(
            "{size}: {} entries, {:.1} MB of text",
            entries.len(),
            bytes as f64 / 1e6
        );

        let mut g = c.benchmark_group("index");
        g.sample_size(10).measurement_time(Duration::from_secs(20));
        g.throughput(Throughput::Elements(entries.len() as u64));
        g.bench_function(BenchmarkId::new("build entries", size), |b| {
            b.iter(|| {
                let out = tempfile::tempdir().expect("temp dir");
                build::build(content.clone(), &analyzer, out.path(), &mut |_, _| {})
                    .expect("build");
            })
        });
        g.throughput(Throughput::Bytes(bytes));
        g.bench_function(BenchmarkId::new("build bytes", size), |b| {
            b.iter(|| {
                let out = tempfile::tempdir().expect("temp dir");
                build::build(content.clone(), &analyzer, out.path(), &mut |_, _| {})
                    .expect("build");
            })
        });
        g.finish();

        let mut g = c.benchmark_group("analyzer");
        g.sample_size(10).measurement_time(Duration::from_secs(20));
        g.throughput(Throughput::Bytes(bytes));
        g.bench_function(BenchmarkId::new("morphemes", size), |b| {
            b.iter(|| {
                for t in &texts {
                    black_box(analyzer.morphemes(t));
                }
            })
        });
        g.bench_function(BenchmarkId::new("all-fields", size), |b| {
            b.iter(|| {
                analyzer.memoized(|| {
                    for t in &texts {
                        for kind in TokenizerKind::ALL {
                            black_box(kind.tokens(&analyzer, t));
                        }
                    }
                })
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
