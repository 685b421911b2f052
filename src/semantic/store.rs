//! Entry vectors: computed at index time, stored beside the index, and
//! cached by the hash of the embedded text.
//!
//! `vectors.bin` in an index build holds one vector per entry, in entry
//! order, with the model's id; an engine only uses it when the id and the
//! count match. `passages-<id12>.bin` in the model directory (the
//! embedder's id: engine and model) maps SHA-256(embedded text) to its
//! vector, so a re-index (or a test building yet another temporary index of
//! the same content) embeds only texts it has never seen. The cache is rewritten whole through a temporary file and a
//! rename; two writers racing only lose each other's additions.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use anyhow::{Context, Result, bail, ensure};
use sha2::{Digest, Sha256};

use super::{DIM, Embedder};
use crate::content::Entry;

/// The vectors file inside an index build.
pub const VECTORS_FILE: &str = "vectors.bin";
const VECTORS_MAGIC: &[u8; 8] = b"DOUMVEC1";
const CACHE_MAGIC: &[u8; 8] = b"DOUMPAS1";
/// Vectors the passage cache keeps (about 1.5 kB each).
const CACHE_LIMIT: usize = 50_000;

/// The text an entry is embedded from: its question and its body.
pub fn passage_text(entry: &Entry) -> String {
    format!("{}\n{}", entry.title, entry.body.text())
}

type Key = [u8; 32];

fn key(text: &str) -> Key {
    Sha256::digest(text.as_bytes()).into()
}

/// One vector per entry, in entry order.
#[derive(Debug, Clone)]
pub struct EntryVectors {
    data: Vec<f32>,
}

impl EntryVectors {
    /// Entry `ord`'s vector.
    pub fn get(&self, ord: usize) -> Option<&[f32]> {
        self.data.get(ord * DIM..(ord + 1) * DIM)
    }

    /// Number of vectors.
    pub fn len(&self) -> usize {
        self.data.len() / DIM
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Writes `dir/vectors.bin` for the model `model_id`.
    pub fn write(&self, dir: &Path, model_id: &str) -> Result<()> {
        let mut out = Vec::with_capacity(16 + 64 + self.data.len() * 4);
        out.extend_from_slice(VECTORS_MAGIC);
        out.extend_from_slice(
            format!("{model_id:<64}")
                .as_bytes()
                .get(..64)
                .unwrap_or(&[]),
        );
        out.extend_from_slice(&(DIM as u32).to_le_bytes());
        out.extend_from_slice(&(self.len() as u32).to_le_bytes());
        for v in &self.data {
            out.extend_from_slice(&v.to_le_bytes());
        }
        fs::write(dir.join(VECTORS_FILE), out).context("writing the entry vectors")
    }

    /// Reads `dir/vectors.bin`, if it was made by `model_id` for `entries` entries.
    pub fn read(dir: &Path, model_id: &str, entries: usize) -> Result<Self> {
        let path = dir.join(VECTORS_FILE);
        let bytes = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        ensure!(
            bytes.len() >= 80 && &bytes[..8] == VECTORS_MAGIC,
            "{} is not a vectors file",
            path.display()
        );
        let id = String::from_utf8_lossy(&bytes[8..72]);
        ensure!(
            id.trim_end() == model_id,
            "{} was made by another model",
            path.display()
        );
        let dim = u32::from_le_bytes(bytes[72..76].try_into()?) as usize;
        let count = u32::from_le_bytes(bytes[76..80].try_into()?) as usize;
        ensure!(
            dim == DIM && count == entries && bytes.len() == 80 + count * DIM * 4,
            "{} holds {count} vectors of {dim}, expected {entries} of {DIM}",
            path.display()
        );
        Ok(Self {
            data: floats(&bytes[80..]),
        })
    }
}

fn floats(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

/// Passage vectors by text hash, shared by every index built with one model.
pub struct PassageCache {
    path: PathBuf,
    vectors: HashMap<Key, Vec<f32>>,
    /// Keys in the order to keep them when the cache is full (newest last).
    order: Vec<Key>,
}

impl PassageCache {
    /// The cache file of `model_id` in `model_dir`.
    pub fn path(model_dir: &Path, model_id: &str) -> PathBuf {
        model_dir.join(format!(
            "passages-{}.bin",
            &model_id[..12.min(model_id.len())]
        ))
    }

    /// Opens the cache (empty when the file is missing or unreadable).
    pub fn open(path: PathBuf) -> Self {
        let mut cache = Self {
            path,
            vectors: HashMap::new(),
            order: Vec::new(),
        };
        if let Ok(bytes) = fs::read(&cache.path)
            && bytes.len() >= 8
            && &bytes[..8] == CACHE_MAGIC
        {
            for record in bytes[8..].chunks_exact(32 + DIM * 4) {
                let k: Key = record[..32].try_into().expect("32 bytes");
                if cache.vectors.insert(k, floats(&record[32..])).is_none() {
                    cache.order.push(k);
                }
            }
        }
        cache
    }

    fn get(&self, k: &Key) -> Option<&Vec<f32>> {
        self.vectors.get(k)
    }

    fn insert(&mut self, k: Key, v: Vec<f32>) {
        if self.vectors.insert(k, v).is_none() {
            self.order.push(k);
        }
    }

    /// Writes the cache, keeping the `used` keys and the newest others.
    fn save(&mut self, used: &[Key]) -> Result<()> {
        let used_set: std::collections::HashSet<&Key> = used.iter().collect();
        let mut order: Vec<Key> = self
            .order
            .iter()
            .filter(|k| !used_set.contains(k))
            .copied()
            .collect();
        order.extend(used.iter().copied());
        let mut seen = std::collections::HashSet::new();
        order.retain(|k| seen.insert(*k));
        if order.len() > CACHE_LIMIT {
            order.drain(..order.len() - CACHE_LIMIT);
        }
        let mut out = Vec::with_capacity(8 + order.len() * (32 + DIM * 4));
        out.extend_from_slice(CACHE_MAGIC);
        for k in &order {
            if let Some(v) = self.vectors.get(k) {
                out.extend_from_slice(k);
                v.iter()
                    .for_each(|f| out.extend_from_slice(&f.to_le_bytes()));
            }
        }
        self.order = order;
        let dir = self.path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        let tmp = tempfile::NamedTempFile::new_in(dir)?;
        fs::write(tmp.path(), out)?;
        tmp.persist(&self.path)
            .map_err(|e| e.error)
            .context("saving the passage cache")?;
        Ok(())
    }
}

/// Embeds every entry, taking unchanged texts from `cache` and computing the
/// rest on all cores. `progress(done, total)` counts computed vectors.
/// Returns the vectors and how many were computed.
pub fn embed_entries(
    embedder: &Embedder,
    entries: &[Entry],
    cache: &mut PassageCache,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(EntryVectors, usize)> {
    let texts: Vec<String> = entries.iter().map(passage_text).collect();
    let keys: Vec<Key> = texts.iter().map(|t| key(t)).collect();
    let mut missing: Vec<usize> = (0..texts.len())
        .filter(|&i| cache.get(&keys[i]).is_none())
        .collect();
    // Texts shared by several entries are embedded once.
    let mut seen = std::collections::HashSet::new();
    missing.retain(|&i| seen.insert(keys[i]));
    let total = missing.len();
    if total > 0 {
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(total);
        let next = AtomicUsize::new(0);
        let (tx, rx) = mpsc::channel::<(usize, Vec<f32>)>();
        std::thread::scope(|scope| -> Result<()> {
            for _ in 0..workers {
                let tx = tx.clone();
                let (next, missing, texts) = (&next, &missing, &texts);
                scope.spawn(move || {
                    loop {
                        let j = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&i) = missing.get(j) else { break };
                        if tx.send((i, embedder.passage(&texts[i]))).is_err() {
                            break;
                        }
                    }
                });
            }
            drop(tx);
            let mut done = 0;
            for (i, v) in rx {
                cache.insert(keys[i], v);
                done += 1;
                progress(done, total);
            }
            if done != total {
                bail!("embedding stopped after {done} of {total} entries");
            }
            Ok(())
        })?;
    }
    let mut data = Vec::with_capacity(entries.len() * DIM);
    for k in &keys {
        data.extend_from_slice(cache.get(k).context("a vector missing after embedding")?);
    }
    if total > 0 {
        // A cache that cannot be written only costs time on the next index.
        if let Err(e) = cache.save(&keys) {
            tracing::warn!("could not save the passage cache: {e:#}");
        }
    }
    Ok((EntryVectors { data }, total))
}
