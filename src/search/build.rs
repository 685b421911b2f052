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
//!
//! One build at a time: a build holds `index/.lock` (exclusive; others wait), and
//! while holding it removes what crashed builds left (`.faq-build-*`, `.faq-link-*`).
//! A server holds a shared lock on its build's `.in-use` file ([`hold`]); an old
//! build is deleted only when no one holds it, otherwise it stays until a later
//! build finds it free.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tantivy::indexer::NoMergePolicy;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, TantivyDocument};

use super::schema::{Fields, schema};
use super::snapshot;
use crate::content::{Content, Entry};
use crate::korean::{Analyzer, KoreanTokenizer, TokenizerKind};
use crate::semantic::Embedder;
use crate::semantic::store::{EntryVectors, PassageCache, embed_entries};

/// Name of the live index link inside the index directory.
pub const LIVE: &str = "faq";
const META: &str = "doum.json";
/// The build lock inside the index directory.
pub const LOCK: &str = ".lock";
/// The file a server holds a shared lock on while it reads a build.
const IN_USE: &str = ".in-use";

/// What an index was built from, stored beside it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct IndexMeta {
    /// SHA-256 over the content files (see [`content_fingerprint`]).
    pub content_fingerprint: String,
    /// Number of entries indexed.
    pub entries: usize,
    /// Schema version of doum's index; bumped when fields or analysis change.
    pub schema_version: u32,
    /// Cheap stamp of the content directory when it was indexed (see
    /// [`snapshot::content_stamp`]); the content itself is in the snapshot.
    #[serde(default)]
    pub content_stamp: String,
}

/// Bump when the schema, the analysis or the snapshot's layout changes, so old
/// indexes are rebuilt.
pub const SCHEMA_VERSION: u32 = 10;

/// A fingerprint of everything indexing reads: entries and synonyms.
pub fn content_fingerprint(content: &Content) -> String {
    let mut h = Sha256::new();
    h.update(SCHEMA_VERSION.to_le_bytes());
    // Another dictionary segments differently: its index is another index.
    h.update(crate::korean::dictionary::dictionary_dir_name().as_bytes());
    for e in content.entries() {
        h.update(e.id.as_str().as_bytes());
        h.update([0]);
        h.update(e.title.as_bytes());
        h.update(e.category.joined().as_bytes());
        h.update(e.keywords.join("\u{1f}").as_bytes());
        h.update(e.body.markdown().as_bytes());
        h.update([0]);
    }
    format!("{:x}", h.finalize())
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

/// The content of the live index, read from its snapshot, when the index
/// was built by this version from `content_dir` as it is now (same stamp);
/// `None` when it was not (or there is no index).
pub fn current_snapshot(index_dir: &Path, content_dir: &Path) -> Option<Content> {
    let (content, stamp) = live_snapshot(index_dir, content_dir)?;
    (snapshot::content_stamp(content_dir).ok()? == stamp).then_some(content)
}

/// The content of the live index, read from its snapshot, and the stamp of
/// the content directory it was built from, *without* checking that the
/// directory still has that stamp (the caller does, see
/// [`crate::reload::Live::check_in_background`]); `None` when there is no
/// index of this version with a snapshot.
pub fn live_snapshot(index_dir: &Path, content_dir: &Path) -> Option<(Content, String)> {
    let dir = live_dir(index_dir)?;
    let meta: IndexMeta = serde_json::from_slice(&fs::read(dir.join(META)).ok()?).ok()?;
    if meta.schema_version != SCHEMA_VERSION || meta.content_stamp.is_empty() {
        return None;
    }
    match snapshot::read(&dir.join(snapshot::FILE), content_dir) {
        Ok(content) if content.entries().len() == meta.entries => {
            Some((content, meta.content_stamp))
        }
        Ok(_) => None,
        Err(e) => {
            tracing::warn!("ignoring the content snapshot: {e:#}");
            None
        }
    }
}

/// Builds the lexical index for `content` and makes it live.
/// `progress(done, total)` is called as entries are added.
pub fn build(
    content: Arc<Content>,
    analyzer: &Arc<Analyzer>,
    index_dir: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<PathBuf> {
    build_with(content, analyzer, index_dir, None, progress)
}

/// Builds the index and, with an `embedder`, the entry vectors beside it
/// (only entries whose text the passage cache has not seen are embedded).
/// `progress(done, total)` counts embedded and added entries.
///
/// The content's snapshot is written first and the index is built from
/// it, with the bodies read from the file one at a time: when the caller hands
/// over its only reference to `content`, the bodies (most of the content's
/// memory, about 250 MB at 100,000 entries) are freed before the index
/// writer and the segment merge need theirs.
pub fn build_with(
    content: Arc<Content>,
    analyzer: &Arc<Analyzer>,
    index_dir: &Path,
    embedder: Option<&Embedder>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<PathBuf> {
    fs::create_dir_all(index_dir)
        .with_context(|| format!("creating the index directory {}", index_dir.display()))?;
    let lock = fs::File::create(index_dir.join(LOCK)).context("creating the index build lock")?;
    lock.lock().context("waiting for the index build lock")?;
    remove_stale(index_dir);
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f").to_string();
    let name = format!("{LIVE}-{stamp}");
    let staging = tempfile::Builder::new()
        .prefix(".faq-build-")
        .tempdir_in(index_dir)
        .context("creating a temporary build directory")?;

    let content_stamp = snapshot::content_stamp(content.root())?;
    let entries = content.entries().len();
    let mut embedded = 0;
    if let Some(embedder) = embedder {
        let mut cache = PassageCache::open(embedder.passage_cache());
        let started = std::time::Instant::now();
        let mut warned = false;
        let (vectors, computed) = embed_entries(
            embedder,
            content.entries(),
            &mut cache,
            &mut |done, total| {
                // Embedding costs tens of milliseconds per passage: say early
                // what a large content will take, and how to avoid it.
                if !warned && done == ESTIMATE_AFTER.min(total) {
                    warned = true;
                    let left =
                        started.elapsed().as_secs_f64() / done as f64 * (total - done) as f64;
                    if left > 600.0 {
                        tracing::warn!(
                            "embedding {total} passages for semantic re-ranking will take about \
                             {:.0} more minutes (they are cached: the next build embeds only \
                             what changed); `--semantic off` builds a lexical index without them",
                            left / 60.0
                        );
                    }
                }
                progress(done, total + entries)
            },
        )?;
        vectors.write(staging.path(), embedder.id())?;
        embedded = computed;
    }
    let meta = IndexMeta {
        content_fingerprint: content_fingerprint(&content),
        entries,
        schema_version: SCHEMA_VERSION,
        content_stamp,
    };
    let snapshot_file = staging.path().join(snapshot::FILE);
    snapshot::write(&snapshot_file, &content)?;
    let root = content.root().to_path_buf();
    drop(content);
    release_freed_memory();
    let stored = snapshot::read(&snapshot_file, &root)
        .context("reading back the content snapshot just written")?;
    write_index(stored, analyzer, staging.path(), &mut |done, _| {
        progress(embedded + done, embedded + entries)
    })?;
    fs::write(staging.path().join(META), serde_json::to_vec_pretty(&meta)?)?;
    fs::write(staging.path().join(IN_USE), b"")?;

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
    // Older builds are no longer reachable: remove those no server holds.
    if let Some(prev) = previous
        && prev != final_dir
    {
        remove_if_unused(&prev);
    }
    remove_unused_builds(index_dir, &final_dir);
    Ok(final_dir)
}

/// Hands the heap's free pages back to the system. glibc keeps what a
/// program frees for its next allocations; after the content's bodies are
/// freed that is a few hundred megabytes at 100,000 entries, which would
/// stay counted against the process while the index writer runs. A server
/// calls it too after building the suggester on a background thread, whose
/// passing allocations would otherwise stay with that thread's arena.
pub(crate) fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only returns free heap pages to the kernel; it
    // takes no pointers and is safe to call at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Passages embedded before the remaining time is estimated.
const ESTIMATE_AFTER: usize = 64;
/// Progress is reported every this many entries.
const PROGRESS_EVERY: usize = 256;
/// The writer's memory budget per indexing thread.
const WRITER_BUDGET_PER_THREAD: usize = 24_000_000;

/// Marks the build in `dir` as in use for as long as the returned file stays open, so
/// no later build deletes it. `None` when it cannot (an old build without the file).
pub fn hold(dir: &Path) -> Option<fs::File> {
    let f = fs::File::open(dir.join(IN_USE)).ok()?;
    f.lock_shared().ok()?;
    Some(f)
}

/// Whether some process [`hold`]s the build in `dir`.
fn in_use(dir: &Path) -> bool {
    fs::File::open(dir.join(IN_USE)).is_ok_and(|f| f.try_lock().is_err())
}

fn remove_if_unused(dir: &Path) {
    if in_use(dir) {
        tracing::info!("keeping {}: a running server still reads it", dir.display());
    } else {
        let _ = fs::remove_dir_all(dir);
    }
}

/// Leftovers of crashed builds (only called with the build lock held).
fn remove_stale(index_dir: &Path) {
    for e in fs::read_dir(index_dir).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(".faq-build-") {
            let _ = fs::remove_dir_all(e.path());
        } else if name.starts_with(&format!(".{LIVE}-link-")) {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// Builds other than `live` that no server holds any more.
fn remove_unused_builds(index_dir: &Path, live: &Path) {
    let prefix = format!("{LIVE}-");
    for e in fs::read_dir(index_dir).into_iter().flatten().flatten() {
        let path = e.path();
        let is_build = e.file_name().to_string_lossy().starts_with(&prefix)
            && path.join(META).is_file()
            && e.file_type().is_ok_and(|t| t.is_dir());
        if is_build && path != live {
            remove_if_unused(&path);
        }
    }
}

/// Indexes `content` into a new index in `dir`, merged into one segment.
/// The content is dropped once its documents are handed to the writer, so
/// it is not held through the commit and the merge, the build's peak.
fn write_index(
    content: Content,
    analyzer: &Arc<Analyzer>,
    dir: &Path,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<()> {
    let (schema, f) = schema();
    let index = Index::create_in_dir(dir, schema).context("creating the tantivy index")?;
    // The same tokenizers searches use, remembering segmentations on the
    // writer's threads: each entry is analyzed for several fields, and
    // entries share most of their words.
    for kind in TokenizerKind::ALL {
        index.tokenizers().register(
            kind.name(),
            TextAnalyzer::from(KoreanTokenizer::new(analyzer.clone(), kind).remembering()),
        );
    }
    index.tokenizers().register(
        super::named::TOKENIZER,
        TextAnalyzer::from(super::named::PhraseTokenizer::new(analyzer.clone(), true)),
    );
    // Analysis runs in the writer's indexing threads, one per core.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let mut writer = index
        .writer_with_num_threads::<TantivyDocument>(threads, threads * WRITER_BUDGET_PER_THREAD)
        .context("opening the index writer")?;
    // No merges in the background: the one merge below takes every segment
    // after the commit, and a background merge started by the commit would
    // hold some of them ("the segments that were merged could not be found"
    // at 100,000 entries).
    writer.set_merge_policy(Box::new(NoMergePolicy));
    let entries = content.entries();
    let total = entries.len();
    for (ord, e) in entries.iter().enumerate() {
        writer.add_document(document(&f, ord, e))?;
        if (ord + 1) % PROGRESS_EVERY == 0 || ord + 1 == total {
            progress(ord + 1, total);
        }
    }
    drop(content);
    writer.commit().context("committing the index")?;
    // One segment: every query term is then looked up, and every scorer set
    // up, once per search instead of once per segment (the index is
    // immutable, so the merge is paid once, at build time).
    let segments = index
        .searchable_segment_ids()
        .context("listing the index segments")?;
    if segments.len() > 1 {
        writer
            .merge(&segments)
            .wait()
            .context("merging the index into one segment")?;
    }
    writer
        .wait_merging_threads()
        .context("finishing the index")?;
    Ok(())
}

/// One entry as an index document: each field gets its text, which the
/// writer analyzes with the field's registered tokenizer.
fn document(f: &Fields, ord: usize, e: &Entry) -> TantivyDocument {
    let keywords = format!(
        "{}\n{}",
        e.keywords.join("\n"),
        e.category.levels().join("\n")
    );
    let head = format!("{}\n{keywords}", e.title);
    let body = e.body.text();
    let all = format!("{head}\n{body}");
    let mut d = TantivyDocument::new();
    d.add_text(f.id, e.id.as_str());
    d.add_u64(f.ord, ord as u64);
    d.add_text(f.title, &e.title);
    d.add_text(f.title_bigram, &e.title);
    d.add_text(f.keywords, &keywords);
    d.add_text(f.body, &body);
    d.add_text(f.body_bigram, &body);
    d.add_text(f.jamo, &all);
    d.add_text(f.chosung, &all);
    d.add_text(f.chosung_head, &head);
    d.add_text(f.phrases, e.keywords.join("\n"));
    d
}
