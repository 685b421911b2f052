//! FAQ search: schema, index building, query planning, ranking, snippets and
//! quality evaluation.

pub mod build;
pub mod cache;
pub mod collector;
pub mod engine;
pub mod eval;
pub mod memo;
pub mod named;
pub mod query;
pub mod request;
pub mod rerank;
mod run_together;
pub mod schema;
pub mod snapshot;
pub mod snippet;
pub mod suggest;
pub mod words;

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;

pub use engine::{CategoryCount, Hit, Ranked, SearchEngine, SearchError, SearchResults};
pub use request::{RequestError, SearchRequest, Sort};
pub use snippet::Snippet;
pub use suggest::{Suggester, Suggestion};

use crate::content::Content;
use crate::korean::Analyzer;
use crate::semantic::Embedder;

/// Opens the engine over the live index without parsing the content, when
/// that index was built from `content_dir` as it is now (its content then
/// comes from the index's snapshot); `None` when it was not.
pub fn open_current(
    index_dir: &Path,
    content_dir: &Path,
    analyzer: Arc<Analyzer>,
) -> Result<Option<SearchEngine>> {
    match build::current_snapshot(index_dir, content_dir) {
        Some(content) => SearchEngine::open(index_dir, Arc::new(content), analyzer).map(Some),
        None => Ok(None),
    }
}

/// Opens the engine over `index_dir`, building the index first when it is
/// missing, was built from other content, or lacks the entry vectors of
/// `embedder` (when semantic re-ranking is on).
pub fn ensure_index(
    index_dir: &Path,
    content: Arc<Content>,
    analyzer: Arc<Analyzer>,
    embedder: Option<Arc<Embedder>>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<SearchEngine> {
    Ok(refresh_index(index_dir, content, analyzer, embedder, progress)?.0)
}

/// [`ensure_index`], also saying whether the index was rebuilt (a reload
/// reports it), from one look at the content's fingerprint.
pub fn refresh_index(
    index_dir: &Path,
    content: Arc<Content>,
    analyzer: Arc<Analyzer>,
    embedder: Option<Arc<Embedder>>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(SearchEngine, bool)> {
    let vectors_ok = embedder
        .as_ref()
        .is_none_or(|e| build::has_vectors(index_dir, e.id(), content.entries().len()));
    let rebuild = !build::is_current(index_dir, &content) || !vectors_ok;
    if rebuild {
        build::build_with(
            content.clone(),
            &analyzer,
            index_dir,
            embedder.as_deref(),
            progress,
        )?;
    }
    let engine = SearchEngine::open(index_dir, content, analyzer)?.with_semantic(embedder);
    Ok((engine, rebuild))
}
