//! What a running server serves, and replacing it in place.
//!
//! A [`Snapshot`] is one consistent state: content, synonyms, index, rules,
//! all built from the same content directory at the same moment. [`Live`]
//! holds the current snapshot; every request loads it once ([`Live::load`])
//! and uses only that, so a reload never shows a request half of one state
//! and half of another.
//!
//! [`Live::reload`] rebuilds from the content directory: content and rules
//! are validated first, the index is built into a temporary directory and
//! swapped in on disk ([`crate::search::build`]), then the new snapshot
//! replaces the old one with one atomic pointer swap. Requests running on
//! the old snapshot finish on it. When anything fails, the old snapshot keeps
//! serving and the errors are kept for `/readyz` ([`Live::status`]).
//!
//! [`watch`] reloads when files under the content directory change
//! (debounced), for `doum serve --watch`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use arc_swap::ArcSwap;

use crate::accounts::AccountSource;
use crate::ask::Assistant;
use crate::config::{self, Paths};
use crate::korean::Analyzer;
use crate::rules::RuleBook;
use crate::search::{self, SearchEngine, build};
use crate::semantic::Embedder;

/// One consistent state of the service.
pub struct Snapshot {
    /// The search engine (content, synonyms, index).
    pub engine: Arc<SearchEngine>,
    /// Search + rules + accounts over the same engine.
    pub assistant: Arc<Assistant>,
    /// When the index this snapshot reads was built (its files' time), or
    /// when the snapshot was made if that is unknown.
    pub built_at: SystemTime,
    /// 1 for the state the server started with, +1 per successful reload.
    pub generation: u64,
}

impl Snapshot {
    /// Number of FAQ entries served.
    pub fn entries(&self) -> usize {
        self.engine.content().entries().len()
    }
}

/// How a reload ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reloaded {
    /// The new generation.
    pub generation: u64,
    /// Entries now served.
    pub entries: usize,
    /// Decisions now loaded.
    pub decisions: usize,
    /// False when the content had not changed and the index was reused.
    pub rebuilt: bool,
}

/// Why a reload did not happen (the old state keeps serving).
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    /// The content or rules have errors; one `file:line: message` per line.
    #[error("{0}")]
    Invalid(String),
    /// Building or opening the new index failed.
    #[error("{0:#}")]
    Failed(anyhow::Error),
    /// This state was not loaded from a content directory.
    #[error("this server was not started from a content directory; nothing to reload from")]
    NotReloadable,
}

/// The last reload attempt, for `/readyz` and logs.
#[derive(Debug, Clone, Default)]
pub struct ReloadStatus {
    /// Successful reloads since start.
    pub succeeded: u64,
    /// Failed reloads since start.
    pub failed: u64,
    /// The errors of the last attempt when it failed; `None` after a success.
    pub last_error: Option<String>,
    /// When the last attempt ended.
    pub last_attempt: Option<SystemTime>,
}

/// Where a reloadable state comes from.
struct Source {
    paths: Paths,
    analyzer: Arc<Analyzer>,
    embedder: Option<Arc<Embedder>>,
    accounts: Arc<AccountSource>,
}

/// The current snapshot, swappable while requests run.
pub struct Live {
    current: ArcSwap<Snapshot>,
    source: Option<Source>,
    /// One reload at a time.
    reloading: Mutex<()>,
    status: Mutex<ReloadStatus>,
    generation: AtomicU64,
    /// Whether semantic re-ranking was asked for (`--semantic on`), for `/readyz`.
    semantic_wanted: std::sync::atomic::AtomicBool,
    /// Whether the content directory is known to be what is served (see
    /// [`Live::check_in_background`]).
    freshness: Mutex<Freshness>,
}

/// Whether what is served is known to match the content directory.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Freshness {
    /// Checked at start, or reloaded since.
    Checked,
    /// Started from the index's snapshot; the content directory's stamp
    /// (this one, when the index was built) is not checked yet.
    Unchecked(String),
    /// Being checked, or rebuilt after a change was found.
    Checking,
}

/// Above this many entries, `doum serve` starts serving from the index's
/// content snapshot at once and checks in the background whether the content
/// directory changed since the index was built (one `stat` per file: about a
/// second at 100,000 files), reloading if it did. Up to this size the check
/// runs before serving, as it costs little.
pub const CHECK_IN_BACKGROUND_ABOVE: usize = 10_000;

impl Live {
    /// A fixed state (tests, embedding): [`Live::reload`] answers
    /// [`ReloadError::NotReloadable`].
    pub fn fixed(assistant: Arc<Assistant>) -> Self {
        let snapshot = Snapshot {
            engine: Arc::clone(&assistant.engine),
            assistant,
            built_at: SystemTime::now(),
            generation: 1,
        };
        Self::with(snapshot, None)
    }

    /// Loads the content directory, builds the index when it is missing or
    /// stale, and loads the rules: what `doum serve` starts with. Any error
    /// here stops the start (there is no old state to fall back to).
    pub fn open(
        paths: Paths,
        analyzer: Arc<Analyzer>,
        embedder: Option<Arc<Embedder>>,
        accounts: AccountSource,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Self> {
        let source = Source {
            paths,
            analyzer,
            embedder,
            accounts: Arc::new(accounts),
        };
        let (snapshot, unchecked) = source.load_start(progress).map_err(|e| match e {
            ReloadError::Invalid(msg) => anyhow::anyhow!(
                "{msg}\nfix the content in {} and try again",
                source.paths.content.display()
            ),
            other => anyhow::Error::new(other),
        })?;
        let live = Self::with(snapshot, Some(source));
        if let Some(stamp) = unchecked {
            *live.freshness.lock().unwrap_or_else(|e| e.into_inner()) = Freshness::Unchecked(stamp);
        }
        Ok(live)
    }

    /// When the server started from the index's snapshot without checking the
    /// content directory (more than [`CHECK_IN_BACKGROUND_ABOVE`] entries),
    /// checks it on a background thread and reloads when it changed since
    /// the index was built, then builds the engine's suggester (built lazily,
    /// so that a start does not wait for it). Call once after [`Live::open`].
    pub fn check_in_background(self: &Arc<Self>) {
        let stamp = {
            let mut f = self.freshness.lock().unwrap_or_else(|e| e.into_inner());
            match std::mem::replace(&mut *f, Freshness::Checking) {
                Freshness::Unchecked(stamp) => stamp,
                other => {
                    *f = other;
                    return;
                }
            }
        };
        let (Some(dir), live) = (self.content_dir().map(Path::to_path_buf), Arc::clone(self))
        else {
            return;
        };
        let spawned = std::thread::Builder::new()
            .name("doum-freshness".into())
            .spawn(move || {
                let started = std::time::Instant::now();
                match search::snapshot::content_stamp(&dir) {
                    Ok(now) if now == stamp => tracing::info!(
                        "the content is as indexed (checked in {:?})",
                        started.elapsed()
                    ),
                    _ => {
                        tracing::info!("the content changed since the index was built; reloading");
                        let _ = live.reload();
                    }
                }
                *live.freshness.lock().unwrap_or_else(|e| e.into_inner()) = Freshness::Checked;
                // Built lazily; build it now rather than in the first request.
                live.load().engine.suggester();
                search::build::release_freed_memory();
            });
        if let Err(e) = spawned {
            tracing::error!("could not start the content check: {e}");
            *self.freshness.lock().unwrap_or_else(|e| e.into_inner()) = Freshness::Checked;
        }
    }

    /// A line for `/readyz` while the content directory is not yet known to
    /// match what is served (see [`Live::check_in_background`]).
    pub fn freshness_note(&self) -> Option<&'static str> {
        match *self.freshness.lock().unwrap_or_else(|e| e.into_inner()) {
            Freshness::Checked => None,
            Freshness::Unchecked(_) | Freshness::Checking => Some(
                "content: serving the index as built; checking whether the content changed since",
            ),
        }
    }

    fn with(snapshot: Snapshot, source: Option<Source>) -> Self {
        Self {
            current: ArcSwap::from_pointee(snapshot),
            source,
            reloading: Mutex::new(()),
            status: Mutex::new(ReloadStatus::default()),
            generation: AtomicU64::new(1),
            semantic_wanted: std::sync::atomic::AtomicBool::new(false),
            freshness: Mutex::new(Freshness::Checked),
        }
    }

    /// The current snapshot. Load it once per request and use only it.
    pub fn load(&self) -> Arc<Snapshot> {
        self.current.load_full()
    }

    /// Whether [`Live::reload`] can do anything.
    pub fn is_reloadable(&self) -> bool {
        self.source.is_some()
    }

    /// The content directory reloads read, if any.
    pub fn content_dir(&self) -> Option<&Path> {
        self.source.as_ref().map(|s| s.paths.content.as_path())
    }

    /// Records whether semantic re-ranking was asked for, so that readiness can
    /// tell a model that failed to load from one that was switched off.
    pub fn want_semantic(&self, wanted: bool) {
        self.semantic_wanted.store(wanted, Ordering::Relaxed);
    }

    /// Whether semantic re-ranking was asked for (see [`Live::want_semantic`]).
    pub fn semantic_wanted(&self) -> bool {
        self.semantic_wanted.load(Ordering::Relaxed)
    }

    /// The last reload attempt.
    pub fn status(&self) -> ReloadStatus {
        self.status
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Rebuilds from the content directory and swaps the new state in; on
    /// any error the current state stays. Blocking (it may build an index):
    /// call it from a blocking thread. Concurrent calls run one after another.
    pub fn reload(&self) -> Result<Reloaded, ReloadError> {
        let Some(source) = &self.source else {
            return Err(ReloadError::NotReloadable);
        };
        let _one = self.reloading.lock().unwrap_or_else(|e| e.into_inner());
        let next = self.generation.load(Ordering::SeqCst) + 1;
        let result = source.load(next, &mut |_, _| {});
        let mut status = self.status.lock().unwrap_or_else(|e| e.into_inner());
        status.last_attempt = Some(SystemTime::now());
        match result {
            Ok((snapshot, rebuilt)) => {
                // Built lazily; build it before the swap, not in a request.
                snapshot.engine.suggester();
                let done = Reloaded {
                    generation: next,
                    entries: snapshot.entries(),
                    decisions: snapshot.assistant.rules.decisions().len(),
                    rebuilt,
                };
                self.current.store(Arc::new(snapshot));
                self.generation.store(next, Ordering::SeqCst);
                status.succeeded += 1;
                status.last_error = None;
                tracing::info!(
                    generation = done.generation,
                    entries = done.entries,
                    decisions = done.decisions,
                    rebuilt = done.rebuilt,
                    "reloaded the content"
                );
                Ok(done)
            }
            Err(e) => {
                status.failed += 1;
                status.last_error = Some(e.to_string());
                tracing::error!("reload failed, still serving the previous content:\n{e}");
                Err(e)
            }
        }
    }
}

impl Source {
    /// What a server starts with: [`Source::load`], except that above
    /// [`CHECK_IN_BACKGROUND_ABOVE`] entries the index's snapshot is served
    /// without checking the content directory first; then also returns the
    /// stamp to check it against.
    fn load_start(
        &self,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<(Snapshot, Option<String>), ReloadError> {
        if let Some((content, stamp)) = build::live_snapshot(&self.paths.index, &self.paths.content)
            && content.entries().len() > CHECK_IN_BACKGROUND_ABOVE
        {
            let engine = SearchEngine::open(
                &self.paths.index,
                Arc::new(content),
                Arc::clone(&self.analyzer),
            )
            .ok()
            .map(|engine| engine.with_semantic(self.embedder.clone()))
            .filter(|engine| self.embedder.is_none() || engine.is_semantic());
            if let Some(engine) = engine {
                return Ok((self.assemble(engine, 1)?, Some(stamp)));
            }
        }
        Ok((self.load(1, progress)?.0, None))
    }

    /// Content, rules, index, engine: everything validated before anything
    /// is swapped. Returns the snapshot and whether the index was rebuilt.
    fn load(
        &self,
        generation: u64,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<(Snapshot, bool), ReloadError> {
        let dir = &self.paths.content;
        // Fast path: the index was built from the content as it is now (its
        // snapshot's stamp still matches), so no Markdown file is parsed.
        let current = search::open_current(&self.paths.index, dir, Arc::clone(&self.analyzer))
            .ok()
            .flatten()
            .map(|engine| engine.with_semantic(self.embedder.clone()))
            .filter(|engine| self.embedder.is_none() || engine.is_semantic());
        let (engine, rebuilt) = match current {
            Some(engine) => (engine, false),
            None => {
                let content =
                    config::load_content(dir).map_err(|e| ReloadError::Invalid(e.to_string()))?;
                search::refresh_index(
                    &self.paths.index,
                    content,
                    Arc::clone(&self.analyzer),
                    self.embedder.clone(),
                    progress,
                )
                .map_err(ReloadError::Failed)?
            }
        };
        Ok((self.assemble(engine, generation)?, rebuilt))
    }

    /// The rules over `engine`'s content, and the snapshot of both.
    fn assemble(&self, engine: SearchEngine, generation: u64) -> Result<Snapshot, ReloadError> {
        let dir = &self.paths.content;
        let content = Arc::clone(engine.content());
        let rules = RuleBook::load(dir, &|id| content.get(id).is_some())
            .map_err(|e| ReloadError::Invalid(e.to_string()))?;
        let engine = Arc::new(engine);
        let assistant = Arc::new(Assistant::from_parts(
            Arc::clone(&engine),
            Arc::new(rules),
            Arc::clone(&self.accounts),
        ));
        let built_at = build::live_dir(&self.paths.index)
            .and_then(|d| std::fs::metadata(d.join("doum.json")).ok())
            .and_then(|m| m.modified().ok())
            .unwrap_or_else(SystemTime::now);
        Ok(Snapshot {
            engine,
            assistant,
            built_at,
            generation,
        })
    }
}

/// Keeps watching while alive; drop it to stop.
pub struct Watch {
    _watcher: notify::RecommendedWatcher,
}

/// Reloads `live` whenever files under its content directory change, once
/// they have been quiet for `debounce` (an editor's save, a `git pull` or a
/// copy of many files make one reload).
pub fn watch(live: Arc<Live>, debounce: Duration) -> Result<Watch> {
    use notify::{RecursiveMode, Watcher};

    let dir: PathBuf = live
        .content_dir()
        .context("watching needs a content directory")?
        .to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let mut watcher =
        notify::recommended_watcher(move |event: notify::Result<notify::Event>| match event {
            Ok(e) if e.kind.is_access() => {}
            Ok(_) => {
                let _ = tx.send(());
            }
            Err(e) => tracing::warn!("watching the content: {e}"),
        })
        .context("starting the file watcher")?;
    watcher
        .watch(&dir, RecursiveMode::Recursive)
        .with_context(|| format!("watching {}", dir.display()))?;
    std::thread::Builder::new()
        .name("doum-watch".into())
        .spawn(move || {
            // Ends when the watcher (and with it the sender) is dropped.
            while rx.recv().is_ok() {
                // Wait for quiet: every further event restarts the wait.
                loop {
                    match rx.recv_timeout(debounce) {
                        Ok(()) => continue,
                        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => break,
                        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
                    }
                }
                tracing::info!("content changed; reloading");
                let _ = live.reload();
            }
        })
        .context("starting the watch thread")?;
    tracing::info!("watching {} for changes", dir.display());
    Ok(Watch { _watcher: watcher })
}
