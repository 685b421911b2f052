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

/// The most recently used pages of results, at most [`CAPACITY`], shared
/// by every thread searching one engine.
pub type ResultsCache = Lru<SearchRequest, Arc<SearchResults>>;

/// Requests remembered at most (Solr's default for its query results
/// cache). A page of ten results and its JSON take about 10 KB (measured:
/// 320 pages, 3 MB), so 5 MB at most.
pub const CAPACITY: usize = 512;
