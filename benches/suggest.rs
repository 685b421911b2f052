//! Autocomplete latency on the sample content: `Suggester::suggest` for a prefix, an
//! unfinished syllable, 초성 and a keyword, and `Suggester::correct` for a typo.
//!
//! Run: `cargo bench --bench suggest`. Needs no dictionary and no index.

use std::path::Path;

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use doum::config::load_content;
use doum::search::Suggester;

const QUERIES: [&str; 6] = ["환부", "무상캐", "ㅎㅂㄱㅈ", "세금계산서 발", "카드", "ㅇ"];

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let content = load_content(&root.join("content")).expect("content");
    let suggester = Suggester::new(content.clone());
    for q in QUERIES {
        c.bench_function(&format!("suggest {q}"), |b| {
            b.iter(|| suggester.suggest(black_box(q), 8))
        });
    }
    c.bench_function("correct 셰금계산서 발행", |b| {
        b.iter(|| suggester.correct(black_box("셰금계산서 발행")))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
