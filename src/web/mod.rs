//! The HTTP layer (work in progress).
use crate::search::SearchEngine;
use std::sync::Arc;
/// Serves until stopped.
pub async fn serve(_addr: &str, _engine: Arc<SearchEngine>) -> anyhow::Result<()> {
    Ok(())
}
