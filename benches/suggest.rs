//! Autocomplete and correction latency on the realistic query mix: every
//! query of both dev sets typed one character at a time (each prefix of up to
//! 12 characters, as the search box asks while someone types), plus each
//! query's 초성, at each corpus size; and `correct` for every whole query.
//!
//! Every single call is timed and p50 / p99 over those calls are printed, per
//! size; criterion's statistics (whole mix per iteration) for corpora of up
//! to 20,000 entries (at 100,000 one pass over the mix takes seconds).
//!
//! Run: `cargo bench --bench suggest` (sample content, 74 entries).
//! Larger corpora: `DOUM_BENCH_SIZES=74,10000,100000 cargo bench --bench suggest`
//! (generated under `target/bench-corpus/` on first use, as for the search
//! bench). Needs no dictionary and no index.

#[path = "support.rs"]
mod support;

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use doum::korean::hangul;
use doum::search::Suggester;

/// What the search box sends while the dev queries are typed.
fn typed(queries: &[String]) -> Vec<String> {
    let mut typed = Vec::new();
    for q in queries {
        let chars: Vec<char> = q.chars().collect();
        for n in 1..=chars.len().min(12) {
            typed.push(chars[..n].iter().collect());
        }
        typed.push(hangul::initials(q).replace(' ', ""));
    }
    typed
}

fn bench(c: &mut Criterion) {
    let queries = support::queries();
    let typed = typed(&queries);
    for size in support::sizes() {
        let content = support::content(size);
        let entries = content.entries().len();
        let t = Instant::now();
        let suggester = Suggester::new(content);
        let built = t.elapsed();
        let rounds = support::rounds(entries);
        let mut suggest = Vec::new();
        let mut correct = Vec::new();
        for _ in 0..rounds {
            for q in &typed {
                let t = Instant::now();
                black_box(suggester.suggest(q, 8));
                suggest.push(t.elapsed());
            }
            for q in &queries {
                let t = Instant::now();
                black_box(suggester.correct(q));
                correct.push(t.elapsed());
            }
        }
        println!(
            "\n{entries} entries (suggester built in {built:.1?}), {} typed prefixes and {} queries x {rounds} rounds:",
            typed.len(),
            queries.len()
        );
        support::report("suggest (every typed prefix)", suggest);
        support::report("correct (every query)", correct);

        if entries > 20_000 {
            continue;
        }
        let mut g = c.benchmark_group(format!("{entries} entries"));
        g.sample_size(10);
        g.bench_function(format!("suggest: {} prefixes", typed.len()), |b| {
            b.iter(|| {
                for q in &typed {
                    black_box(suggester.suggest(q, 8));
                }
            })
        });
        g.bench_function(format!("correct: {} queries", queries.len()), |b| {
            b.iter(|| {
                for q in &queries {
                    black_box(suggester.correct(q));
                }
            })
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
