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

type Pages = LruCache<SearchRequest, Arc<SearchResults>, foldhash::fast::RandomState>;

/// The most recently used pages of results, at most
/// [`ResultsCache::CAPACITY`], shared by every thread searching one engine.
pub struct ResultsCache {
    pages: Mutex<Pages>,
}

impl Default for ResultsCache {
    fn default() -> Self {
        let capacity = NonZeroUsize::new(Self::CAPACITY).unwrap_or(NonZeroUsize::MIN);
        Self {
            pages: Mutex::new(LruCache::with_hasher(capacity, Default::default())),
        }
    }
}

impl ResultsCache {
    /// Requests remembered at most (Solr's default for its query results
    /// cache). A page of ten results and its JSON take about 10 KB
    /// (measured: 320 pages, 3 MB), so 5 MB at most.
    pub const CAPACITY: usize = 512;

    /// The page of results remembered for `req`, if any (it becomes the
    /// most recently used).
    pub fn get(&self, req: &SearchRequest) -> Option<Arc<SearchResults>> {
        self.lock().get(req).cloned()
    }

    /// Remembers `results` as the page for `req`, forgetting the least
    /// recently used page when full.
    pub fn put(&self, req: &SearchRequest, results: &Arc<SearchResults>) {
        self.lock().put(req.clone(), Arc::clone(results));
    }

    fn lock(&self) -> MutexGuard<'_, Pages> {
        // A panic while holding the lock leaves a consistent cache.
        self.pages.lock().unwrap_or_else(|e| e.into_inner())
    }
}
