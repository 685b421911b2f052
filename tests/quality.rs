//! Search quality on the shared dev set (`../shared/eval`, beside the
//! checkout here and in CI): doum must keep its figures and beat the classic
//! baselines measured on the same index in the same run.

mod common;

use std::path::Path;
use std::sync::Arc;

use doum::search::{SearchEngine, build, eval};

#[test]
fn dev_set_quality_holds_and_beats_the_baselines() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/eval");
    assert!(
        dir.join("dev-queries.tsv").is_file(),
        "the dev set is missing: expected {}/dev-queries.tsv (the shared eval directory \
         beside the checkout; CI always has it). Without it search quality is not measured, \
         so this test fails instead of passing silently.",
        dir.display()
    );
    let queries = eval::read_queries(&dir.join("dev-queries.tsv")).unwrap();
    let content = doum::config::load_content(&dir.join("dev-corpus")).unwrap();
    let analyzer = common::analyzer();
    let tmp = tempfile::tempdir().unwrap();
    build::build(&content, &analyzer, tmp.path(), &mut |_, _| {}).unwrap();
    let open =
        || SearchEngine::open(tmp.path(), Arc::clone(&content), Arc::clone(&analyzer)).unwrap();

    let doum = eval::evaluate(&open(), &queries);
    eprint!("{doum}");
    assert_eq!(doum.overall.n, queries.len());
    assert!(doum.overall.mrr >= 0.87, "MRR@10 {:.3}", doum.overall.mrr);
    assert!(
        doum.overall.recall1 >= 0.79,
        "R@1 {:.3}",
        doum.overall.recall1
    );
    assert!(
        doum.per_kind["chosung"].mrr >= 0.8,
        "초성 queries must work"
    );
    for (name, weights) in eval::baselines() {
        let base = eval::evaluate(&open().with_weights(weights), &queries);
        assert!(
            doum.overall.mrr > base.overall.mrr + 0.03,
            "{name}: {:.3} vs doum {:.3}",
            base.overall.mrr,
            doum.overall.mrr
        );
    }
}
