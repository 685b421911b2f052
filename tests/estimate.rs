//! Estimated counts in a large index: past 1,000 matches, a search sorted by
//! relevance ranks only the head it shows and estimates its counts ("약
//! N건"); its hits must still be those of an exact ranking, and sorting by
//! date must still count exactly. The pruned ranking must be the exhaustive
//! one.

mod common;

use std::path::Path;

use doum::config::load_content;
use doum::search::{SearchRequest, Sort, ensure_index};

#[test]
fn a_broad_search_in_a_large_index_estimates_its_counts_and_keeps_its_hits() {
    let dir = tempfile::tempdir().unwrap();
    let source = load_content(Path::new(common::CONTENT)).unwrap();
    let corpus = dir.path().join("content");
    doum::generate::write(Path::new(common::CONTENT), &source, 6_000, 1, &corpus).unwrap();
    let content = load_content(&corpus).unwrap();
    let engine = ensure_index(
        &dir.path().join("index"),
        content.clone(),
        common::analyzer(),
        None,
        &mut |_, _| {},
    )
    .unwrap();

    // The exact ranking: every relevant match, scored.
    let exact: Vec<String> = engine
        .rank("광고")
        .unwrap()
        .iter()
        .map(|r| r.entry.id.to_string())
        .collect();
    assert!(exact.len() > 1_000, "{} matches", exact.len());

    for page in [1, 3] {
        let req = SearchRequest::new("광고")
            .unwrap()
            .size(10)
            .unwrap()
            .page(page)
            .unwrap();
        let results = engine.search(&req).unwrap();
        assert!(results.estimated, "page {page}: counts should be estimated");
        let ids: Vec<&str> = results.hits.iter().map(|h| h.id.as_str()).collect();
        let want: Vec<&str> = exact[(page - 1) * 10..page * 10]
            .iter()
            .map(String::as_str)
            .collect();
        assert_eq!(ids, want, "page {page}: the hits of the exact ranking");
        // Two significant digits, from a sample: near the exact count.
        let (lo, hi) = (exact.len() * 6 / 10, exact.len() * 14 / 10);
        assert!(
            (lo..=hi).contains(&results.total),
            "estimated {} for {} matches",
            results.total,
            exact.len()
        );
        let all = results.categories.iter().map(|c| c.count).max().unwrap();
        assert!(all <= results.total * 2, "{:?}", results.categories);
    }

    // Sorted by date, the count is exact.
    let req = SearchRequest::new("광고").unwrap().sort(Sort::Updated);
    let results = engine.search(&req).unwrap();
    assert!(!results.estimated);
    assert_eq!(results.total, exact.len());

    // The pruned ranking is the exhaustive one, entries and score bits, on
    // every query of both dev sets (long questions have 40–80 clauses).
    let eval = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/eval");
    let mut queries = 0;
    use doum::search::collector::{Split, splits};
    let (passes, rescorings) = (splits(Split::Pass), splits(Split::Rescore));
    for file in ["dev-queries.tsv", "dev-b/queries.tsv"] {
        for q in doum::search::eval::read_queries(&eval.join(file)).unwrap() {
            let bits = |ranked: Vec<doum::search::Ranked<'_>>| -> Vec<(String, u32)> {
                ranked
                    .iter()
                    .map(|r| (r.entry.id.to_string(), r.score.to_bits()))
                    .collect()
            };
            let pruned = bits(engine.rank(&q.query).unwrap());
            let full = bits(engine.rank_exhaustively(&q.query).unwrap());
            assert_eq!(pruned, full, "{}", q.query);
            // What the chatbot chooses from: the head of the same ranking.
            let head = engine.rank_question(&q.query).unwrap().ranked;
            let n = full.len().min(doum::search::engine::ANSWER_HEAD);
            assert_eq!(bits(head), full[..n], "{}: the head", q.query);
            queries += 1;
        }
    }
    assert!(queries >= 300, "{queries} dev queries");
    // Long questions hold enough postings for a pass to split the index
    // over two threads, and broad ones enough candidates for the exact
    // rescoring to split them: both kinds were among the ones compared.
    assert!(splits(Split::Pass) > passes, "no pass split the index");
    assert!(
        splits(Split::Rescore) > rescorings,
        "no rescoring split its candidates"
    );

    // An engine remembers the terms searches asked about (their dictionary
    // entries per segment and their weights), and a searching thread the
    // segmentations of the chunks it analyzed: a fresh engine on the same
    // index, on a fresh thread, asked in the opposite order, ranks exactly
    // as the one that has served every query.
    let fresh =
        doum::search::SearchEngine::open(&dir.path().join("index"), content, common::analyzer())
            .unwrap();
    let mut all = Vec::new();
    for file in ["dev-queries.tsv", "dev-b/queries.tsv"] {
        all.extend(doum::search::eval::read_queries(&eval.join(file)).unwrap());
    }
    let bits = |ranked: Vec<doum::search::Ranked<'_>>| -> Vec<(String, u32)> {
        ranked
            .iter()
            .map(|r| (r.entry.id.to_string(), r.score.to_bits()))
            .collect()
    };
    let cold: Vec<_> = std::thread::scope(|s| {
        s.spawn(|| {
            all.iter()
                .rev()
                .map(|q| bits(fresh.rank(&q.query).unwrap()))
                .collect()
        })
        .join()
        .unwrap()
    });
    for (q, cold) in all.iter().rev().zip(cold) {
        assert_eq!(cold, bits(engine.rank(&q.query).unwrap()), "{}", q.query);
    }

    // A narrow query in the same index is counted exactly.
    let results = engine
        .search(&SearchRequest::new("환불계좌").unwrap())
        .unwrap();
    assert!(!results.estimated);
    assert_eq!(results.total, engine.rank("환불계좌").unwrap().len());
}

/// A thread that analyzes queries remembers their chunks' segmentations; what
/// it remembers is exactly what a fresh analysis gives.
#[test]
fn remembered_segmentations_are_exact() {
    let eval = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/eval");
    let mut queries: Vec<String> = Vec::new();
    for file in ["dev-queries.tsv", "dev-b/queries.tsv"] {
        let read = doum::search::eval::read_queries(&eval.join(file)).unwrap();
        queries.extend(read.into_iter().map(|q| q.query));
    }
    let analyzer = common::analyzer();
    // A fresh thread without a memo.
    let fresh: Vec<_> = std::thread::scope(|s| {
        s.spawn(|| queries.iter().map(|q| analyzer.words(q)).collect())
            .join()
            .unwrap()
    });
    // A thread that remembers, asked twice, in the opposite order.
    let remembered: Vec<_> = std::thread::scope(|s| {
        s.spawn(|| {
            analyzer.remember_queries_on_this_thread();
            for q in &queries {
                analyzer.words(q);
            }
            queries
                .iter()
                .rev()
                .map(|q| analyzer.words(q))
                .collect::<Vec<_>>()
        })
        .join()
        .unwrap()
    });
    for ((q, a), b) in queries.iter().zip(&fresh).zip(remembered.iter().rev()) {
        assert_eq!(a, b, "{q}");
    }
    assert!(queries.len() >= 300);
}
