//! Query latency on the realistic query mix: every query of both dev sets
//! (`../shared/eval/dev-queries.tsv`, `dev-b/queries.tsv`), cycled, at each
//! corpus size.
//!
//! - `search`: analysis + query + collection + counts + snippets (what the
//!   page and the API run per request);
//! - `rank`: analysis + query + collection of every relevant match (the
//!   agent page's preview);
//! - `answer head`: the same, the best 100 only in a large index (what the
//!   chatbot and `ask` choose from);
//! - `analysis`: the query plan alone.
//!
//! Besides criterion's statistics (whole mix per iteration), every single
//! call is timed and p50 / p99 over those calls are printed, per size.
//!
//! Run: `cargo bench --bench search` (sample content, 74 entries).
//! Larger corpora: `DOUM_BENCH_SIZES=74,10000,100000 cargo bench --bench search`
//! (each generated with seed 1 under `target/bench-corpus/` and indexed
//! under `target/bench-index/` on first use, then reused).
//! Needs the Korean dictionary (`DOUM_DICT_DIR`, or built on first use).

#[path = "support.rs"]
mod support;

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use doum::search::SearchRequest;

fn bench(c: &mut Criterion) {
    let queries = support::queries();
    let analyzer = support::analyzer();
    for size in support::sizes() {
        let (engine, entries) = support::engine(size, &analyzer);
        let requests: Vec<SearchRequest> = queries
            .iter()
            .map(|q| SearchRequest::new(q).expect("valid query"))
            .collect();
        // Warm up once, then time every call for the percentiles.
        for r in &requests {
            black_box(engine.search_uncached(r).expect("search"));
        }
        let rounds = support::rounds(entries);
        let mut search = Vec::new();
        let mut rank = Vec::new();
        let mut plan = Vec::new();
        let mut answer = Vec::new();
        for _ in 0..rounds {
            for (q, r) in queries.iter().zip(&requests) {
                let t = Instant::now();
                black_box(engine.search_uncached(r).expect("search"));
                search.push(t.elapsed());
                let t = Instant::now();
                black_box(engine.rank(q).expect("rank"));
                rank.push(t.elapsed());
                let t = Instant::now();
                black_box(engine.plan(q));
                plan.push(t.elapsed());
                let t = Instant::now();
                black_box(engine.rank_question(q).expect("rank"));
                answer.push(t.elapsed());
            }
        }
        println!(
            "\n{entries} entries, {} queries x {rounds} rounds:",
            queries.len()
        );
        support::report("search (analysis+query+collect+counts+snippets)", search);
        support::report("rank (analysis+query+collect)", rank);
        support::report("answer head (what the chatbot ranks)", answer);
        support::report("analysis (query plan)", plan);

        let mut g = c.benchmark_group(format!("{entries} entries"));
        g.sample_size(10);
        g.bench_function(format!("search: {} queries", queries.len()), |b| {
            b.iter(|| {
                for r in &requests {
                    black_box(engine.search_uncached(r).expect("search"));
                }
            })
        });
        g.bench_function(format!("rank: {} queries", queries.len()), |b| {
            b.iter(|| {
                for q in &queries {
                    black_box(engine.rank(q).expect("rank"));
                }
            })
        });
        g.bench_function(format!("analysis: {} queries", queries.len()), |b| {
            b.iter(|| {
                for q in &queries {
                    black_box(engine.plan(q));
                }
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
