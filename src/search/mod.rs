//! FAQ search: schema, index building, query planning, ranking, snippets and
//! quality evaluation.

pub mod build;
pub mod collector;
pub mod engine;
pub mod eval;
pub mod query;
pub mod request;
pub mod rerank;
pub mod schema;
pub mod snippet;

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;

pub use engine::{CategoryCount, Hit, Ranked, SearchEngine, SearchError, SearchResults};
pub use request::{RequestError, SearchRequest, Sort};
pub use snippet::Snippet;

use crate::content::Content;
use crate::korean::Analyzer;
use crate::semantic::Embedder;

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
    let vectors_ok = embedder
        .as_ref()
        .is_none_or(|e| build::has_vectors(index_dir, e.id(), content.entries().len()));
    if !build::is_current(index_dir, &content) || !vectors_ok {
        build::build_with(
            &content,
            &analyzer,
            index_dir,
            embedder.as_deref(),
            progress,
        )?;
    }
    Ok(SearchEngine::open(index_dir, content, analyzer)?.with_semantic(embedder))
}
