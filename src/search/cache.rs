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

use std::sync::Arc;

use super::engine::SearchResults;
use super::memo::Lru;
use super::request::SearchRequest;

/// The most recently used pages of results, at most [`CAPACITY`] of them
/// weighing at most [`BUDGET`] ([`SearchResults::weight`]), shared by every
/// thread searching one engine.
pub type ResultsCache = Lru<SearchRequest, Arc<SearchResults>>;

/// An empty [`ResultsCache`].
pub fn new() -> ResultsCache {
    Lru::with_budget(CAPACITY, BUDGET)
}

/// Requests remembered at most (Solr's default for its query results
/// cache).
pub const CAPACITY: usize = 512;

/// The most the remembered pages may weigh, in bytes (as Solr's
/// `maxRamMB`), so that large pages cannot take a server's memory: a page
/// of ten results weighs 25 KB on average at 100,000 entries (the dev
/// queries; 8 KB of JSON), one of 30 results 66 KB, one of 50 about 100
/// KB. So 512 pages of ten fit; 512 pages of 50 would have taken 50 MB.
pub const BUDGET: usize = 16 << 20;
