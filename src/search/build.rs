//! Building the index: into a temporary directory, swapped in atomically.
//!
//! Layout under the index directory (default `index/`):
//!
//! ```text
//! index/faq            -> symlink to the live build, replaced atomically
//! index/faq-<stamp>/   tantivy files + doum.json (what was indexed)
//!                      + vectors.bin (entry vectors, when semantic re-ranking is on)
//! index/dictionary/    the Korean dictionary (see crate::korean::dictionary)
//! index/model/         the embedding model and its passage cache (see crate::semantic)
//! ```
//!
//! A failed build (invalid content, a crash, a full disk) never touches the
//! live index: the new build only becomes live by renaming a symlink over
//! `index/faq`, which is atomic.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tantivy::{Index, TantivyDocument, doc};

use super::schema::{register_tokenizers, schema};
use crate::content::Content;
use crate::korean::Analyzer;
use crate::semantic::Embedder;
use crate::semantic::store::{EntryVectors, PassageCache, embed_entries};

/// Name of the live index link inside the index directory.
pub const LIVE: &str = "faq";
const META: &str = "doum.json";

/// What an index was built from, stored beside it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct IndexMeta {
    /// SHA-256 over the content files (see [`content_fingerprint`]).
    pub content_fingerprint: String,
    /// Number of entries indexed.
    pub entries: usize,
    /// Schema version of doum's index; bumped when fields or analysis change.
    pub schema_version: u32,
}

/// Bump when the schema or the analysis changes, so old indexes are rebuilt.
pub const SCHEMA_VERSION: u32 = 2;

/// A fingerprint of everything indexing reads: entries and synonyms.
pub fn content_fingerprint(content: &Content) -> String {
    let mut h = Sha256::new();
    h.update(SCHEMA_VERSION.to_le_bytes());
    for e in content.entries() {
        h.update(e.id.as_str().as_bytes());
        h.update([0]);
        h.update(e.title.as_bytes());
        h.update(e.category.joined().as_bytes());
        h.update(e.keywords.join("\u{1f}").as_bytes());
        h.update(e.body_markdown.as_bytes());
        h.update([0]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The live index directory, if there is one.
pub fn live_dir(index_dir: &Path) -> Option<PathBuf> {
    let link = index_dir.join(LIVE);
    let target = fs::read_link(&link).ok()?;
    let dir = if target.is_absolute() {
        target
    } else {
        index_dir.join(target)
    };
    dir.join(META).is_file().then_some(dir)
}

/// Reads the meta of the live index.
pub fn live_meta(index_dir: &Path) -> Option<IndexMeta> {
    let dir = live_dir(index_dir)?;
    serde_json::from_slice(&fs::read(dir.join(META)).ok()?).ok()
}

/// True when the live index was built from exactly this content.
pub fn is_current(index_dir: &Path, content: &Content) -> bool {
    live_meta(index_dir).is_some_and(|m| {
        m.content_fingerprint == content_fingerprint(content) && m.schema_version == SCHEMA_VERSION
    })
}

/// True when the live index holds entry vectors of the model `model_id`.
pub fn has_vectors(index_dir: &Path, model_id: &str, entries: usize) -> bool {
    live_dir(index_dir).is_some_and(|dir| EntryVectors::read(&dir, model_id, entries).is_ok())
}

/// Builds the lexical index for `content` and makes it live.
/// `progress(done, total)` is called as entries are added.
pub fn build(
    content: &Content,
    analyzer: &Arc<Analyzer>,
    index_dir: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<PathBuf> {
    build_with(content, analyzer, index_dir, None, progress)
}

/// Builds the index and, with an `embedder`, the entry vectors beside it
/// (only entries whose text the passage cache has not seen are embedded).
/// `progress(done, total)` counts embedded and added entries.
pub fn build_with(
    content: &Content,
    analyzer: &Arc<Analyzer>,
    index_dir: &Path,
    embedder: Option<&Embedder>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<PathBuf> {
    fs::create_dir_all(index_dir)
        .with_context(|| format!("creating the index directory {}", index_dir.display()))?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f").to_string();
    let name = format!("{LIVE}-{stamp}");
    let staging = tempfile::Builder::new()
        .prefix(".faq-build-")
        .tempdir_in(index_dir)
        .context("creating a temporary build directory")?;

    let entries = content.entries().len();
    let mut embedded = 0;
    if let Some(embedder) = embedder {
        let mut cache = PassageCache::open(embedder.passage_cache());
        let (vectors, computed) = embed_entries(
            embedder,
            content.entries(),
            &mut cache,
            &mut |done, total| progress(done, total + entries),
        )?;
        vectors.write(staging.path(), embedder.id())?;
        embedded = computed;
    }
    write_index(content, analyzer, staging.path(), &mut |done, _| {
        progress(embedded + done, embedded + entries)
    })?;
    let meta = IndexMeta {
        content_fingerprint: content_fingerprint(content),
        entries: content.entries().len(),
        schema_version: SCHEMA_VERSION,
    };
    fs::write(staging.path().join(META), serde_json::to_vec_pretty(&meta)?)?;

    // Make it live: move the staging dir to its final name, then swap the link.
    let final_dir = index_dir.join(&name);
    let staging = staging.keep();
    fs::rename(&staging, &final_dir).context("moving the new index into place")?;
    let previous = live_dir(index_dir);
    let tmp_link = index_dir.join(format!(".{LIVE}-link-{stamp}"));
    std::os::unix::fs::symlink(&name, &tmp_link).context("creating the index link")?;
    if let Err(e) = fs::rename(&tmp_link, index_dir.join(LIVE)) {
        let _ = fs::remove_file(&tmp_link);
        let _ = fs::remove_dir_all(&final_dir);
        bail!("could not swap in the new index: {e}");
    }
    // Older builds are no longer reachable; open readers keep their files alive.
    if let Some(prev) = previous
        && prev != final_dir
    {
        let _ = fs::remove_dir_all(prev);
    }
    Ok(final_dir)
}

fn write_index(
    content: &Content,
    analyzer: &Arc<Analyzer>,
    dir: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<()> {
    let (schema, f) = schema();
    let index = Index::create_in_dir(dir, schema).context("creating the tantivy index")?;
    register_tokenizers(&index, analyzer);
    let mut writer = index
        .writer_with_num_threads::<TantivyDocument>(1, 50_000_000)
        .context("opening the index writer")?;
    let total = content.entries().len();
    for (ord, e) in content.entries().iter().enumerate() {
        let keywords = format!(
            "{}\n{}",
            e.keywords.join("\n"),
            e.category.levels().join("\n")
        );
        let all = format!("{}\n{}\n{}", e.title, keywords, e.body_text);
        writer.add_document(doc!(
            f.id => e.id.as_str(),
            f.ord => ord as u64,
            f.title => e.title.as_str(),
            f.title_bigram => e.title.as_str(),
            f.keywords => keywords.as_str(),
            f.body => e.body_text.as_str(),
            f.body_bigram => e.body_text.as_str(),
            f.jamo => all.as_str(),
            f.chosung => all.as_str(),
        ))?;
        progress(ord + 1, total);
    }
    writer.commit().context("committing the index")?;
    writer
        .wait_merging_threads()
        .context("finishing the index")?;
    Ok(())
}
