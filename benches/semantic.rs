//! Semantic re-ranking: search latency with semantics on and off over a
//! realistic query mix (every query of both dev sets, run against the
//! sample content), and index build time, first time and after one entry
//! changed.
//!
//! Run: `cargo bench --bench semantic`. Needs the dictionary and the model
//! (fetched on first use under `index/`, or `DOUM_DICT_DIR` / `DOUM_MODEL_DIR`)
//! and the dev sets in `../shared/eval`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, black_box, criterion_group, criterion_main};
use doum::config::{Paths, load_analyzer, load_content};
use doum::search::{SearchEngine, SearchRequest, build, eval};
use doum::semantic::{self, Embedder, Model, fetch};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every query of both dev sets.
fn queries() -> Vec<String> {
    let eval_dir = root().join("../shared/eval");
    let mut out = Vec::new();
    for file in ["dev-queries.tsv", "dev-b/queries.tsv"] {
        let path = eval_dir.join(file);
        let labelled = eval::read_queries(&path)
            .unwrap_or_else(|e| panic!("{}: {e:#} (the dev sets are needed)", path.display()));
        out.extend(labelled.into_iter().map(|q| q.query));
    }
    out
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    eprintln!(
        "{name:<48} n={:<4} p50={:>9.3?} p99={:>9.3?} mean={:>9.3?} max={:>9.3?}",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        mean,
        times[times.len() - 1]
    );
}

fn bench(c: &mut Criterion) {
    let paths = Paths::new(root().join("content"), root().join("index"))
        .with_dictionary(std::env::var_os("DOUM_DICT_DIR").map(Into::into))
        .with_model(std::env::var_os("DOUM_MODEL_DIR").map(Into::into));
    let analyzer = load_analyzer(&paths.dictionary, &mut |s| eprintln!("{s}")).expect("dictionary");
    let content = load_content(&paths.content).expect("content");
    let started = Instant::now();
    let embedder = semantic::load(&paths.model, &mut |s| eprintln!("{s}")).expect("model");
    eprintln!("model load: {:?}", started.elapsed());
    let dir = tempfile::tempdir().expect("tempdir");
    build::build_with(
        content.clone(),
        &analyzer,
        dir.path(),
        Some(&embedder),
        &mut |_, _| {},
    )
    .expect("index");
    let open = || SearchEngine::open(dir.path(), Arc::clone(&content), analyzer.clone()).unwrap();
    let lexical = open();
    let semantic = open().with_semantic(Some(Arc::clone(&embedder)));

    let queries = queries();
    let requests: Vec<SearchRequest> = queries
        .iter()
        .filter_map(|q| SearchRequest::new(q).ok())
        .collect();

    // Each query once, the query cache emptied before each: unseen questions.
    let mut off = Vec::new();
    let (mut on, mut on_gated, mut off_gated, mut on_clear, mut off_clear) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for r in &requests {
        let t = Instant::now();
        let (ranked, _) = black_box(lexical.search_uncached(r).expect("search"));
        let d_off = t.elapsed();
        embedder.forget_queries();
        let t = Instant::now();
        black_box(semantic.search_uncached(r).expect("search"));
        let d_on = t.elapsed();
        off.push(d_off);
        on.push(d_on);
        // The re-ranker's gate (see `search::rerank`): under two candidates
        // the model may add entries, otherwise only an unclear lead counts.
        let params = doum::search::rerank::Params::default();
        let unclear = r.query().chars().any(doum::korean::hangul::is_syllable)
            && match ranked.hits.as_slice() {
                [first, second, ..] => first.score < params.clear_ratio * second.score,
                _ => params.add > 0,
            };
        if unclear {
            on_gated.push(d_on);
            off_gated.push(d_off);
        } else {
            on_clear.push(d_on);
            off_clear.push(d_off);
        }
    }
    eprintln!(
        "re-ranked (gate passed): {} of {}",
        on_gated.len(),
        requests.len()
    );
    report("search, semantic off, all", off);
    report("search, semantic on (cold query cache), all", on);
    report("search, semantic off, unclear queries", off_gated);
    report("search, semantic on, unclear queries", on_gated);
    report("search, semantic off, clear queries", off_clear);
    report("search, semantic on, clear queries", on_clear);

    let mut g = c.benchmark_group("search-mix");
    g.sample_size(10);
    g.bench_function("semantic off: every dev query", |b| {
        b.iter(|| {
            for r in &requests {
                black_box(lexical.search_uncached(r).expect("search"));
            }
        })
    });
    g.bench_function("semantic on, cold query cache: every dev query", |b| {
        b.iter(|| {
            embedder.forget_queries();
            for r in &requests {
                black_box(semantic.search_uncached(r).expect("search"));
            }
        })
    });
    // The re-ranking itself, the query vectors cached: what keeping the
    // model's pick on the first page (`rerank::Params::nearest`) costs
    // against the mix alone, in the same run.
    let mix_alone = open()
        .with_semantic(Some(Arc::clone(&embedder)))
        .with_rerank(doum::search::rerank::Params {
            nearest: 0,
            ..Default::default()
        });
    for r in &requests {
        black_box(semantic.search_uncached(r).expect("search"));
    }
    g.bench_function("semantic on, warm query cache: every dev query", |b| {
        b.iter(|| {
            for r in &requests {
                black_box(semantic.search_uncached(r).expect("search"));
            }
        })
    });
    g.bench_function(
        "semantic on, warm query cache, nearest=0: every dev query",
        |b| {
            b.iter(|| {
                for r in &requests {
                    black_box(mix_alone.search_uncached(r).expect("search"));
                }
            })
        },
    );
    g.finish();

    index_times(c, &paths, &analyzer);
}

/// Index build of the sample content with a cold passage cache, and after
/// one entry changed (warm cache).
fn index_times(c: &mut Criterion, paths: &Paths, analyzer: &Arc<doum::korean::Analyzer>) {
    let model = fetch::ensure(&paths.model, &mut |s| eprintln!("{s}")).expect("model");
    let scratch = tempfile::tempdir().expect("tempdir");
    let cache: PathBuf = scratch.path().join("passages.bin");
    let embedder = Embedder::new(
        Model::load(&model).expect("model"),
        &semantic::vectors_id(),
        cache.clone(),
    );
    let content_dir = scratch.path().join("content");
    copy_dir(&paths.content, &content_dir);
    let index = scratch.path().join("index");

    // A cold build embeds every entry (seconds per entry batch on a small
    // machine): too slow for criterion's repeated samples, so the first-time
    // and one-entry-changed builds are timed once each and printed.
    let content = load_content(&content_dir).unwrap();
    let t = Instant::now();
    build::build(content.clone(), analyzer, &index, &mut |_, _| {}).unwrap();
    eprintln!("index, sample content, semantic off: {:?}", t.elapsed());
    // A build with the model (embedding only what the passage cache lacks).
    let build_semantic =
        |content| build::build_with(content, analyzer, &index, Some(&embedder), &mut |_, _| {});
    let _ = std::fs::remove_file(&cache);
    let t = Instant::now();
    build_semantic(content.clone()).unwrap();
    eprintln!(
        "index, sample content ({} entries), semantic on, first time (cold cache): {:?}",
        content.entries().len(),
        t.elapsed()
    );
    let file = content_dir.join("faq/account/auto-logout.md");
    let original = std::fs::read_to_string(&file).unwrap();
    let mut n = 0u64;
    let mut change = || {
        n += 1;
        std::fs::write(&file, format!("{original}\n변경 {n}회차 안내입니다.\n")).unwrap();
        load_content(&content_dir).unwrap()
    };
    let changed = change();
    let t = Instant::now();
    build_semantic(changed).unwrap();
    eprintln!(
        "index, sample content, semantic on, one entry changed: {:?}",
        t.elapsed()
    );

    let mut g = c.benchmark_group("index");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("sample content, semantic off", |b| {
        b.iter(|| build::build(content.clone(), analyzer, &index, &mut |_, _| {}).unwrap())
    });
    g.bench_function("sample content, semantic on, one entry changed", |b| {
        b.iter_batched(&mut change, &build_semantic, BatchSize::PerIteration)
    });
    g.finish();
    std::fs::write(&file, original).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
