//! Recent searches' pages of results, by request ([`ResultsCache`]).
//!
//! A help center's searches repeat: a few hundred questions ("환불",
//! "세금계산서 발행", "캐시 충전") make most of its traffic. An engine's index
//! and content never change while it serves (a reload opens a new engine,
//! with an empty cache), so a page of results is a function of its request
//! alone and can be given again from memory, as Solr's `queryResultCache`
//! and Elasticsearch's request cache do. The page, the API and the CLI
//! search through it ([`super::SearchEngine::search`]); the answers the
//! chatbot chooses from are ranked apart and not cached here.
//!
//! Only complete results are remembered: a search the semantic model could
//! not re-rank because every core was already embedding a query stays
//! lexical for that one request, and the next identical search is ranked
//! again in full.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, MutexGuard};

use lru::LruCache;

use super::engine::SearchResults;
use super::request::SearchRequest;

/// The most recently used pages of results, at most
/// [`ResultsCache::CAPACITY`] (a few kilobytes each), shared by every
/// thread searching one engine.
pub struct ResultsCache {
    pages: Option<Mutex<LruCache<SearchRequest, Arc<SearchResults>, foldhash::fast::RandomState>>>,
}

impl Default for ResultsCache {
    fn default() -> Self {
        Self::with_capacity(Self::CAPACITY)
    }
}

impl ResultsCache {
    /// Requests remembered at most (Solr's default for its query results
    /// cache): about 3 MB at most.
    pub const CAPACITY: usize = 512;

    /// A cache of at most `capacity` pages; 0 remembers nothing.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            pages: NonZeroUsize::new(capacity).map(|n| {
                Mutex::new(LruCache::with_hasher(
                    n,
                    foldhash::fast::RandomState::default(),
                ))
            }),
        }
    }

    /// The page of results remembered for `req`, if any (it becomes the
    /// most recently used).
    pub fn get(&self, req: &SearchRequest) -> Option<Arc<SearchResults>> {
        self.lock()?.get(req).cloned()
    }

    /// Remembers `results` as the page for `req`, forgetting the least
    /// recently used page when full.
    pub fn put(&self, req: &SearchRequest, results: &Arc<SearchResults>) {
        if let Some(mut pages) = self.lock() {
            pages.put(req.clone(), Arc::clone(results));
        }
    }

    fn lock(
        &self,
    ) -> Option<
        MutexGuard<'_, LruCache<SearchRequest, Arc<SearchResults>, foldhash::fast::RandomState>>,
    > {
        // A panic while holding the lock leaves a consistent cache.
        let pages = self.pages.as_ref()?;
        Some(pages.lock().unwrap_or_else(|e| e.into_inner()))
    }
}
