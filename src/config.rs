//! Configuration in one place: directories, addresses, secrets.
//!
//! Every setting is a flag of the `doum` command line, which also reads it from its
//! environment variable (see `doum --help`; secrets such as `DOUM_AGENT_TOKEN` and
//! `DOUM_KAKAO_SECRET` never come from files in the repository). This library takes
//! directories, addresses and secrets as parameters, never from the environment; only
//! the download fallbacks of the dictionary and model wheels (`DOUM_DICT_WHEEL`,
//! `DOUM_MODEL_WHEEL`, `PYTHON`) are still read where the wheels are fetched.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};

use crate::content::Content;
use crate::korean::{Analyzer, dictionary};
use crate::search::{self, SearchEngine};
use crate::semantic::{self, Embedder, Switch};

/// Where doum reads and writes.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The content directory (`content/`): `faq/`, `synonyms.yaml`, `rules/`.
    pub content: PathBuf,
    /// The index directory (`index/`): the live index and build staging.
    pub index: PathBuf,
    /// Where the Korean dictionary is cached (default `<index>/dictionary`;
    /// `--dictionary` / `DOUM_DICT_DIR` on the command line).
    pub dictionary: PathBuf,
    /// Where the embedding model and its passage cache live (default
    /// `<index>/model`; `--model` / `DOUM_MODEL_DIR` on the command line).
    pub model: PathBuf,
}

impl Paths {
    /// Paths with the dictionary and the model in their default places under `index`
    /// (`<index>/dictionary`, `<index>/model`).
    pub fn new(content: impl Into<PathBuf>, index: impl Into<PathBuf>) -> Self {
        let index = index.into();
        Self {
            content: content.into(),
            dictionary: index.join("dictionary"),
            model: index.join("model"),
            index,
        }
    }

    /// The same paths with the dictionary cached in `dir` when one is given (otherwise
    /// unchanged).
    pub fn with_dictionary(mut self, dir: Option<PathBuf>) -> Self {
        if let Some(dir) = dir {
            self.dictionary = dir;
        }
        self
    }

    /// The same paths with the embedding model in `dir` when one is given (otherwise
    /// unchanged).
    pub fn with_model(mut self, dir: Option<PathBuf>) -> Self {
        if let Some(dir) = dir {
            self.model = dir;
        }
        self
    }
}

/// Where analytics go: the PostgreSQL database at `database_url` (`--database-url` /
/// `DOUM_DATABASE_URL`, shared by replicas) when one is given, otherwise
/// `doum.sqlite` in the data directory. A malformed URL or `sslmode=require` is an
/// error (the message never repeats the password).
pub fn analytics_location(
    data: &Path,
    database_url: Option<&str>,
) -> Result<crate::analytics::Location> {
    use crate::analytics::{Location, postgres::Target};
    match database_url.map(str::trim).filter(|u| !u.is_empty()) {
        Some(url) => Ok(Location::Postgres(Box::new(Target::parse(url)?))),
        None => Ok(Location::Dir(data.to_path_buf())),
    }
}

/// Loads the Korean analyzer, building the dictionary the first time.
pub fn load_analyzer(
    dictionary_dir: &Path,
    progress: &mut dyn FnMut(&str),
) -> Result<Arc<Analyzer>> {
    let dir =
        dictionary::ensure(dictionary_dir, progress).context("preparing the Korean dictionary")?;
    Ok(Arc::new(Analyzer::load(&dir)?))
}

/// Loads the embedding model (fetching it the first time) when `switch` is
/// on. Without it doum searches lexically: the reason is logged here, once,
/// and never fails the command.
pub fn load_semantic(
    paths: &Paths,
    switch: Switch,
    progress: &mut dyn FnMut(&str),
) -> Option<Arc<Embedder>> {
    if switch == Switch::Off {
        return None;
    }
    let started = std::time::Instant::now();
    match semantic::load(&paths.model, progress) {
        Ok(e) => {
            tracing::debug!("embedding model loaded in {:?}", started.elapsed());
            Some(e)
        }
        Err(e) => {
            tracing::warn!("semantic re-ranking off, searching lexically: {e:#}");
            None
        }
    }
}

/// Loads and validates the content directory.
pub fn load_content(dir: &Path) -> Result<Arc<Content>> {
    Content::load(dir).map(Arc::new).map_err(|errors| {
        anyhow::anyhow!(
            "{errors}\n{} problem(s) in {}: fix them and try again",
            errors.len(),
            dir.display()
        )
    })
}

/// Content + analyzer + an up-to-date index: what `serve`, `search` and
/// `ask` start from.
pub fn open_engine(
    paths: &Paths,
    analyzer: Arc<Analyzer>,
    embedder: Option<Arc<Embedder>>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<SearchEngine> {
    // Fast path: an index built from the content as it is now.
    if let Some(engine) = search::open_current(&paths.index, &paths.content, analyzer.clone())? {
        let engine = engine.with_semantic(embedder.clone());
        if embedder.is_none() || engine.is_semantic() {
            return Ok(engine);
        }
    }
    let content = load_content(&paths.content)?;
    search::ensure_index(&paths.index, content, analyzer, embedder, progress)
}
