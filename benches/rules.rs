//! `cargo bench --bench rules`: evaluating decisions over the sample accounts.

use std::hint::black_box;
use std::path::Path;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use doum::accounts::{AccountLookup, FileSource};
use doum::rules::RuleBook;

fn bench(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("content");
    let book = RuleBook::load(&dir, &|_id: &str| true).expect("shipped rules load");
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let sample = FileSource::sample();
    let AccountLookup::Found(a1001) = sample.account("A-1001") else {
        panic!("A-1001 is in the sample")
    };
    let facts = a1001.facts();

    for id in [
        "cash-top-up",
        "auto-payment",
        "sales-rights",
        "refund-method",
        "budget-change",
        "creative-deadlines",
    ] {
        c.bench_function(&format!("evaluate {id} (A-1001)"), |b| {
            b.iter(|| {
                book.evaluate(black_box(id), black_box(&facts), today)
                    .unwrap()
            })
        });
    }
    c.bench_function("evaluate_all (A-1001)", |b| {
        b.iter(|| book.evaluate_all(black_box(&facts), today))
    });
    c.bench_function("account facts (A-1001)", |b| {
        b.iter(|| black_box(&a1001).facts())
    });
    c.bench_function("load and validate content/", |b| {
        b.iter(|| RuleBook::load(black_box(&dir), &|_id: &str| true).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
