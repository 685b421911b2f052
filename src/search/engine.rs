//! The search engine: one per process, shared by the page, the API, the
//! chatbot and the CLI.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use serde::Serialize;
use tantivy::{Index, IndexReader, ReloadPolicy, Searcher};

use super::build;
use super::collector::relevant;
use super::query::{QueryPlan, SynonymTable, Weights};
use super::request::{SearchRequest, Sort};
use super::rerank::{self, Reranker};
use super::schema::{Fields, register_tokenizers, schema};
use super::snippet::{Snippet, snippet};
use super::suggest::Suggester;
use crate::content::{CategoryPath, Content, Entry};
use crate::korean::Analyzer;
use crate::semantic::{Embedder, store::EntryVectors};

/// Results scoring below this share of the best score are not counted as
/// matches: a long question shares a bigram or two with almost every entry,
/// and a customer page should count what is relevant, not what is touched.
pub const RELATIVE_CUTOFF: f32 = 0.2;

/// Why a search failed after its request was valid.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The page is past the last page of results.
    #[error("page {page} is out of range: there are {pages} page(s) of results")]
    PageOutOfRange {
        /// The page asked for.
        page: usize,
        /// The number of pages there are.
        pages: usize,
    },
    /// The index could not be read.
    #[error("search failed: {0}")]
    Index(#[from] tantivy::TantivyError),
}

/// How many matches a category (path prefix) has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryCount {
    /// `/`-joined path: `결제 관리` or `결제 관리/환불 요청`.
    pub path: String,
    /// Matches within it.
    pub count: usize,
}

/// One result.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// Entry id.
    pub id: String,
    /// The question.
    pub title: String,
    /// The service.
    pub service: String,
    /// Category levels.
    pub category: Vec<String>,
    /// "서비스 > 대분류 > 소분류".
    pub breadcrumb: String,
    /// Plain text around the matches, with match ranges.
    pub snippet: Snippet,
    /// Path of the article page (relative to the site).
    pub url: String,
    /// Last update.
    pub updated: NaiveDate,
    /// Relevance score (higher is better; comparable within one query).
    pub score: f32,
    /// The rules decision that personalizes this entry, if any.
    pub decision: Option<String>,
}

/// A page of results.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// The query as searched (trimmed).
    pub query: String,
    /// Relevant matches (within the category filter).
    pub total: usize,
    /// 1-based page.
    pub page: usize,
    /// Page size.
    pub size: usize,
    /// Matches per category path for this query, ignoring the category filter.
    pub categories: Vec<CategoryCount>,
    /// This page's results.
    pub hits: Vec<Hit>,
}

/// A ranked candidate without presentation (for the chatbot and `ask`).
#[derive(Debug, Clone, Copy)]
pub struct Ranked<'a> {
    /// The entry.
    pub entry: &'a Entry,
    /// Its score.
    pub score: f32,
}

/// The FAQ search engine over one index and the content it was built from.
pub struct SearchEngine {
    content: Arc<Content>,
    analyzer: Arc<Analyzer>,
    reader: IndexReader,
    fields: Fields,
    synonyms: SynonymTable,
    weights: Weights,
    /// Keeps this build from being deleted by a later `doum index` (see [`build::hold`]).
    _in_use: Option<std::fs::File>,
    suggester: Suggester,
    categories: Categories,
    /// The live build this engine reads (for its entry vectors).
    dir: PathBuf,
    reranker: Option<Reranker>,
}

impl SearchEngine {
    /// Opens the live index under `index_dir`, which must have been built
    /// from `content` (see [`super::ensure_index`]).
    pub fn open(index_dir: &Path, content: Arc<Content>, analyzer: Arc<Analyzer>) -> Result<Self> {
        let dir = build::live_dir(index_dir).with_context(|| {
            format!(
                "no index in {}: run `doum index` first",
                index_dir.display()
            )
        })?;
        let index = Index::open_in_dir(&dir)
            .with_context(|| format!("opening the index at {}", dir.display()))?;
        register_tokenizers(&index, &analyzer);
        let (_, fields) = schema();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .context("opening an index reader")?;
        let synonyms = SynonymTable::new(content.synonyms(), &analyzer);
        let suggester = Suggester::new(&content);
        let categories = Categories::new(&content);
        Ok(Self {
            categories,
            content,
            analyzer,
            reader,
            fields,
            synonyms,
            weights: Weights::default(),
            _in_use: build::hold(&dir),
            suggester,
            dir,
            reranker: None,
        })
    }

    /// The same engine with other field weights (for tuning with `doum eval`).
    pub fn with_weights(mut self, weights: Weights) -> Self {
        self.weights = weights;
        self
    }

    /// The same engine re-ranking with `embedder` (see [`rerank`]), when
    /// the index holds entry vectors made by that model; otherwise it stays
    /// lexical and says so in the log.
    pub fn with_semantic(mut self, embedder: Option<Arc<Embedder>>) -> Self {
        self.reranker = embedder.and_then(|e| {
            let entries = self.content.entries();
            match EntryVectors::read(&self.dir, e.id(), entries.len()) {
                Ok(v) => Some(Reranker::new(e, v, entries)),
                Err(err) => {
                    tracing::warn!("semantic re-ranking off, searching lexically: {err:#}");
                    None
                }
            }
        });
        self
    }

    /// The same engine with other re-ranking parameters (for `doum eval`).
    pub fn with_rerank(mut self, params: rerank::Params) -> Self {
        self.reranker = self.reranker.map(|r| r.with_params(params));
        self
    }

    /// True when searches are re-ranked semantically.
    pub fn is_semantic(&self) -> bool {
        self.reranker.is_some()
    }

    /// The content this engine serves.
    pub fn content(&self) -> &Arc<Content> {
        &self.content
    }

    /// Autocomplete and query correction over this engine's content.
    pub fn suggester(&self) -> &Suggester {
        &self.suggester
    }

    /// The shared analyzer.
    pub fn analyzer(&self) -> &Arc<Analyzer> {
        &self.analyzer
    }

    /// Analyzes a query as the engine does.
    pub fn plan(&self, text: &str) -> QueryPlan {
        self.plan_in(&self.reader.searcher(), text)
    }

    fn plan_in(&self, searcher: &Searcher, text: &str) -> QueryPlan {
        QueryPlan::new(text, &self.analyzer, &self.synonyms, searcher, &self.fields)
    }

    /// Every relevant entry for `text`, best first (before category
    /// filtering and paging). This is the ranking all clients share.
    pub fn rank(&self, text: &str) -> Result<Vec<Ranked<'_>>, SearchError> {
        let searcher = self.reader.searcher();
        let plan = self.plan_in(&searcher, text);
        let mut ranked = self.rank_plan(&searcher, &plan)?;
        self.rerank(text, &mut ranked);
        Ok(ranked)
    }

    /// [`Self::rank`], and the entry the words alone put first (before
    /// semantic re-ranking).
    pub fn rank_with_lexical(
        &self,
        text: &str,
    ) -> Result<(Vec<Ranked<'_>>, Option<&Entry>), SearchError> {
        let searcher = self.reader.searcher();
        let plan = self.plan_in(&searcher, text);
        let mut ranked = self.rank_plan(&searcher, &plan)?;
        let lexical = ranked.first().map(|r| r.entry);
        self.rerank(text, &mut ranked);
        Ok((ranked, lexical))
    }

    /// The embedding model's cosines between `text` and each of `entries`;
    /// `None` when semantics are off or the model cannot read the text.
    pub fn similarity(&self, text: &str, entries: &[&Entry]) -> Option<Vec<f32>> {
        self.reranker.as_ref()?.similarity(text.trim(), entries)
    }

    fn rerank<'a>(&'a self, text: &str, ranked: &mut Vec<Ranked<'a>>) {
        if let Some(r) = &self.reranker {
            r.apply(text.trim(), ranked, self.content.entries());
        }
    }

    /// [`Self::rerank`] over `(score, entry position)` pairs (what [`Self::search`]
    /// collects); nothing to do without a re-ranker.
    fn rerank_ords(&self, text: &str, ranked: &mut Vec<(f32, u64)>) {
        if self.reranker.is_none() {
            return;
        }
        let entries = self.content.entries();
        let mut as_ranked: Vec<Ranked<'_>> = ranked
            .iter()
            .map(|&(score, ord)| Ranked {
                entry: &entries[ord as usize],
                score,
            })
            .collect();
        self.rerank(text, &mut as_ranked);
        ranked.clear();
        ranked.extend(as_ranked.iter().filter_map(|r| {
            let ord = self.content.position(r.entry.id.as_str())?;
            Some((r.score, ord as u64))
        }));
    }

    fn rank_plan(
        &self,
        searcher: &Searcher,
        plan: &QueryPlan,
    ) -> Result<Vec<Ranked<'_>>, SearchError> {
        let entries = self.content.entries();
        Ok(self
            .ranked_ords(searcher, plan)?
            .into_iter()
            .filter_map(|(score, ord)| {
                entries
                    .get(ord as usize)
                    .map(|entry| Ranked { entry, score })
            })
            .collect())
    }

    /// The relevant matches as `(score, entry position)`, best first (ties
    /// by position).
    fn ranked_ords(
        &self,
        searcher: &Searcher,
        plan: &QueryPlan,
    ) -> Result<Vec<(f32, u64)>, SearchError> {
        if plan.is_empty() {
            return Ok(Vec::new());
        }
        let query = plan.to_query(&self.fields, &self.weights, searcher);
        let mut matches = relevant(searcher, query.as_ref(), RELATIVE_CUTOFF)?;
        matches.retain(|&(_, ord)| (ord as usize) < self.content.entries().len());
        Ok(matches)
    }

    /// Runs a search request: ranking, category counts, filter, sort, page, snippets.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults, SearchError> {
        let searcher = self.reader.searcher();
        let plan = self.plan_in(&searcher, req.query());
        let mut ranked = self.ranked_ords(&searcher, &plan)?;
        self.rerank_ords(req.query(), &mut ranked);
        let categories = self.categories.count(&ranked);
        let mut selected = match req.category_filter() {
            None => ranked,
            Some(filter) => {
                let inside = self.categories.matching(filter);
                ranked
                    .into_iter()
                    .filter(|&(_, ord)| inside[self.categories.of_entry[ord as usize]])
                    .collect()
            }
        };
        let entries = self.content.entries();
        if req.sort_order() == Sort::Updated {
            selected.sort_by(|a, b| {
                entries[b.1 as usize]
                    .updated
                    .cmp(&entries[a.1 as usize].updated)
                    .then(b.0.total_cmp(&a.0))
            });
        }
        let total = selected.len();
        let pages = total.div_ceil(req.page_size()).max(1);
        if req.page_number() > pages {
            return Err(SearchError::PageOutOfRange {
                page: req.page_number(),
                pages,
            });
        }
        let terms = plan.highlight_terms();
        let hits = selected
            .iter()
            .skip((req.page_number() - 1) * req.page_size())
            .take(req.page_size())
            .map(|&(score, ord)| hit(&entries[ord as usize], score, &terms))
            .collect();
        Ok(SearchResults {
            query: req.query().to_string(),
            total,
            page: req.page_number(),
            size: req.page_size(),
            categories,
            hits,
        })
    }
}

/// The path of an entry's article page.
pub fn article_path(id: &str) -> String {
    format!("/articles/{id}")
}

fn hit(e: &Entry, score: f32, terms: &[String]) -> Hit {
    Hit {
        id: e.id.to_string(),
        title: e.title.clone(),
        service: e.service.clone(),
        category: e.category.levels().to_vec(),
        breadcrumb: e.category.breadcrumb(&e.service),
        snippet: snippet(&e.body_text, terms),
        url: article_path(e.id.as_str()),
        updated: e.updated,
        score,
        decision: e.decision.clone(),
    }
}

/// The categories of the content, numbered once, so counting a result
/// set's categories is array arithmetic (no strings per match).
struct Categories {
    /// Every distinct category path (with its service-less levels).
    paths: Vec<CategoryPath>,
    /// For each path, the ids of its prefixes (`a`, `a/b`, `a/b/c`).
    prefixes: Vec<Vec<usize>>,
    /// Every distinct prefix, `/`-joined.
    prefix_names: Vec<String>,
    /// The path of each entry, by position.
    of_entry: Vec<usize>,
}

impl Categories {
    fn new(content: &Content) -> Self {
        let mut path_ids: HashMap<&CategoryPath, usize> = HashMap::new();
        let mut prefix_ids: HashMap<String, usize> = HashMap::new();
        let mut out = Categories {
            paths: Vec::new(),
            prefixes: Vec::new(),
            prefix_names: Vec::new(),
            of_entry: Vec::with_capacity(content.entries().len()),
        };
        for e in content.entries() {
            let id = *path_ids.entry(&e.category).or_insert_with(|| {
                out.paths.push(e.category.clone());
                let ids = e
                    .category
                    .prefixes()
                    .into_iter()
                    .map(|p| {
                        let next = prefix_ids.len();
                        *prefix_ids.entry(p.clone()).or_insert_with(|| {
                            out.prefix_names.push(p);
                            next
                        })
                    })
                    .collect();
                out.prefixes.push(ids);
                out.paths.len() - 1
            });
            out.of_entry.push(id);
        }
        out
    }

    /// Which paths lie within `filter` (see [`CategoryPath::matches_filter`]).
    fn matching(&self, filter: &str) -> Vec<bool> {
        self.paths
            .iter()
            .map(|p| p.matches_filter(filter))
            .collect()
    }

    /// Matches per category prefix, most first, then by path.
    fn count(&self, ranked: &[(f32, u64)]) -> Vec<CategoryCount> {
        let mut counts = vec![0usize; self.prefix_names.len()];
        for &(_, ord) in ranked {
            for &p in &self.prefixes[self.of_entry[ord as usize]] {
                counts[p] += 1;
            }
        }
        let mut out: Vec<CategoryCount> = counts
            .into_iter()
            .enumerate()
            .filter(|&(_, n)| n > 0)
            .map(|(p, count)| CategoryCount {
                path: self.prefix_names[p].clone(),
                count,
            })
            .collect();
        out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.path.cmp(&b.path)));
        out
    }
}
