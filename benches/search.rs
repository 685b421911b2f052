//! Query latency on the sample content: analysis alone (the baseline) and
//! the whole search (analysis + tantivy + ranking + snippets), per query.
//!
//! Run: `cargo bench --bench search`. Needs the Korean dictionary (built on
//! first use under `index/dictionary`, or `DOUM_DICT_DIR`).

use std::path::Path;
use std::sync::Arc;

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use doum::config::{Paths, load_analyzer, load_content};
use doum::search::{SearchEngine, SearchRequest, build};

const QUERIES: [&str; 10] = [
    "무상캐시 사용상태",
    "탈퇴한 직원이 결제한 카드 취소",
    "소재 언제까지 보내야 하나요",
    "해외결제",
    "개인광고주 무통장입금 한도",
    "자동결제 카카오페이만 돼요?",
    "영업권설정",
    "카드 영수증 어디서 봐요",
    "예산 증액",
    "ㅎㅂ",
];

fn engine() -> (SearchEngine, tempfile::TempDir) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let paths = Paths::new(root.join("content"), root.join("index"));
    let analyzer = load_analyzer(&paths.dictionary, &mut |s| eprintln!("{s}")).expect("dictionary");
    let content = load_content(&paths.content).expect("content");
    let dir = tempfile::tempdir().expect("tempdir");
    build::build(&content, &analyzer, dir.path(), &mut |_, _| {}).expect("index");
    let engine = SearchEngine::open(dir.path(), Arc::clone(&content), analyzer).expect("open");
    (engine, dir)
}

fn bench(c: &mut Criterion) {
    let (engine, _dir) = engine();
    let requests: Vec<SearchRequest> = QUERIES
        .iter()
        .map(|q| SearchRequest::new(q).expect("valid"))
        .collect();
    let mut g = c.benchmark_group("query");
    g.bench_function("baseline: analysis only (10 queries)", |b| {
        b.iter(|| {
            for q in QUERIES {
                black_box(engine.plan(q));
            }
        })
    });
    g.bench_function(
        "search: analysis + tantivy + ranking + snippets (10 queries)",
        |b| {
            b.iter(|| {
                for r in &requests {
                    black_box(engine.search(r).expect("search"));
                }
            })
        },
    );
    g.finish();

    // Per query, to read off the median query's latency.
    let mut g = c.benchmark_group("per-query");
    g.sample_size(30)
        .measurement_time(std::time::Duration::from_secs(2));
    for (q, r) in QUERIES.iter().zip(&requests) {
        g.bench_function(format!("search {q}"), |b| {
            b.iter(|| black_box(engine.search(r).expect("search")))
        });
        g.bench_function(format!("rank {q}"), |b| {
            b.iter(|| black_box(engine.rank(q).expect("rank")))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
