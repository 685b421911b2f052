//! The search engine: one per process, shared by the page, the API, the
//! chatbot and the CLI.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use chrono::NaiveDate;
use serde::Serialize;
use tantivy::{Index, IndexReader, ReloadPolicy, Searcher};

use super::build;
use super::cache::{self, ResultsCache};
use super::collector::{self, Compiled, relevant};
use super::named;
use super::query::{FuzzyCache, QueryPlan, SynonymTable, Weights};
use super::request::{SearchRequest, Sort};
use super::rerank::{self, Reranker};
use super::schema::{Fields, register_tokenizers, schema};
use super::snippet::{Highlighter, Snippet};
use super::suggest::Suggester;
use super::words::{EntryWords, WordsCache};
use crate::content::{Catalog, Content, Entry};
use crate::korean::Analyzer;
use crate::semantic::{Embedder, store::EntryVectors};
use tantivy::query::Bm25StatisticsProvider;

/// A search's matches as `(score, entry position)`, best first, and the
/// count estimate when they are only the head of many.
type Collected = (Vec<(f32, u64)>, Option<Estimate>);

/// Results scoring below this share of the best score are not counted as
/// matches: a long question shares a bigram or two with almost every entry,
/// and a customer page should count what is relevant, not what is touched.
pub const RELATIVE_CUTOFF: f32 = 0.2;

/// Above this many relevant matches (within the category filter, if any;
/// in an index of at least 5,000 entries), a search sorted by relevance
/// ranks only the head it shows and estimates the total and the category
/// counts from a sample of about 2,000 documents, as web search engines
/// do ("약 12,000건"); at or below it, counts are exact. Sorting by date
/// counts exactly at any size.
pub const EXACT_COUNT_LIMIT: usize = 1_000;

/// How many ranked entries the chatbot and `doum ask` choose from (and a
/// chat list can page through) in a large index; see
/// [`SearchEngine::rank_question`].
pub const ANSWER_HEAD: usize = 100;

/// Why a search failed after its request was valid.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The page is past the last page of results.
    #[error("page {page} is out of range: {}", past_last(*.total, *.pages))]
    PageOutOfRange {
        /// The page asked for.
        page: usize,
        /// The number of pages there are (1 when nothing was found: the
        /// empty first page).
        pages: usize,
        /// The results found.
        total: usize,
    },
    /// The index could not be read.
    #[error("search failed: {0}")]
    Index(#[from] tantivy::TantivyError),
}

/// What [`SearchError::PageOutOfRange`] says is there.
fn past_last(total: usize, pages: usize) -> String {
    if total == 0 {
        "the search found nothing, so there is only page 1, empty".to_string()
    } else {
        format!("there are {pages} page(s) of results")
    }
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
    /// How the query was read when words of it were typed with the keyboard
    /// in English mode (`ghksqnf` → `환불`): the results are this reading's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_as: Option<String>,
    /// Relevant matches (within the category filter).
    pub total: usize,
    /// True when `total` and the category counts are estimates (more than
    /// [`EXACT_COUNT_LIMIT`] matches), rounded to two significant digits.
    pub estimated: bool,
    /// 1-based page.
    pub page: usize,
    /// Page size.
    pub size: usize,
    /// Matches per category path for this query, ignoring the category filter.
    pub categories: Vec<CategoryCount>,
    /// This page's results.
    pub hits: Vec<Hit>,
    /// This page as JSON, once written ([`Self::json`]).
    #[serde(skip)]
    json: std::sync::OnceLock<bytes::Bytes>,
}

impl SearchResults {
    /// What was searched: the query as read ([`Self::read_as`]) or as typed.
    pub fn searched(&self) -> &str {
        self.read_as.as_deref().unwrap_or(&self.query)
    }

    /// This page as JSON (its serde form, what `/api/search` answers),
    /// written on first use: a page the engine gives again from its
    /// [`ResultsCache`] is not serialized again.
    pub fn json(&self) -> Result<bytes::Bytes, serde_json::Error> {
        if let Some(json) = self.json.get() {
            return Ok(json.clone());
        }
        let json = bytes::Bytes::from(serde_json::to_vec(self)?);
        Ok(self.json.get_or_init(|| json).clone())
    }

    /// About how many bytes this page holds: its strings with their
    /// allocations, and as much again for its JSON (written when the API
    /// asks for it, see [`Self::json`]). What the [`ResultsCache`] budgets.
    pub fn weight(&self) -> usize {
        /// An allocation's header and rounding, on average.
        const ALLOC: usize = 32;
        let s = |x: &str| x.len() + ALLOC;
        let hits: usize = self
            .hits
            .iter()
            .map(|h| {
                std::mem::size_of::<Hit>()
                    + [&h.id, &h.title, &h.service, &h.breadcrumb, &h.url]
                        .into_iter()
                        .map(|x| s(x))
                        .sum::<usize>()
                    + h.category.iter().map(|c| s(c) + 24).sum::<usize>()
                    + s(&h.snippet.text)
                    + h.snippet.highlights.len() * 16
                    + h.decision.as_deref().map_or(0, s)
            })
            .sum();
        let categories: usize = self
            .categories
            .iter()
            .map(|c| std::mem::size_of::<CategoryCount>() + s(&c.path))
            .sum();
        let strings = std::mem::size_of::<Self>() + s(&self.query) + hits + categories;
        2 * strings
    }
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
    /// Built on first use: at 100,000 entries it takes a noticeable part of a
    /// second, which a start should not wait for (a server builds it right
    /// after starting, see [`crate::reload::Live::check_in_background`]).
    suggester: std::sync::OnceLock<Suggester>,
    /// The live build this engine reads (for its entry vectors).
    dir: PathBuf,
    reranker: Option<Reranker>,
    /// Typo'd words' matches in this index.
    fuzzy: FuzzyCache,
    /// Query terms' dictionary entries and weights in this index.
    terms: collector::TermMemo,
    /// The analyzed words of the entries answers were chosen among.
    words: WordsCache,
    /// Pages of results of recent requests.
    results: ResultsCache,
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
        // Counting categories needs it from the first search on.
        content.catalog();
        Ok(Self {
            content,
            analyzer,
            reader,
            fields,
            synonyms,
            weights: Weights::default(),
            _in_use: build::hold(&dir),
            suggester: std::sync::OnceLock::new(),
            dir,
            reranker: None,
            fuzzy: FuzzyCache::default(),
            terms: collector::TermMemo::default(),
            words: WordsCache::default(),
            results: cache::new(),
        })
    }

    /// The same engine with other field weights (for tuning with `doum eval`).
    pub fn with_weights(mut self, weights: Weights) -> Self {
        self.weights = weights;
        self.forget_results();
        self
    }

    /// Empties the results cache: the pages it holds were ranked otherwise.
    fn forget_results(&mut self) {
        self.results = cache::new();
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
        self.forget_results();
        self
    }

    /// The same engine with other re-ranking parameters (for `doum eval`).
    pub fn with_rerank(mut self, params: rerank::Params) -> Self {
        self.reranker = self.reranker.map(|r| r.with_params(params));
        self.forget_results();
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
        self.suggester
            .get_or_init(|| Suggester::new(self.content.clone()))
    }

    /// `text` with its unknown words spelled as the content's closest words
    /// ([`Suggester::correct`]: "훤뷸 신청" → "환불 신청"), when the content
    /// knows every word of the result: a correction that leaves words no
    /// entry holds is a guess about a question the help center does not
    /// cover ("점심 메뉴 추천해 주세요" is no misspelling of 충전). What the
    /// results page offers as "이것을 찾으셨나요?" and the chatbot's not-found
    /// card as a quick reply, each when the correction finds something.
    pub fn correction(&self, text: &str) -> Option<String> {
        let fixed = self.suggester().correct(text)?;
        let plan = self.plan(&fixed);
        let known = plan.fuzzy.is_empty() && plan.concepts.iter().all(|c| c.known);
        known.then_some(fixed)
    }

    /// The analyzed words of `entry` (remembered by this engine).
    pub fn entry_words(&self, entry: &Entry) -> Arc<EntryWords> {
        self.words.get(&self.analyzer, entry)
    }

    /// The shared analyzer.
    pub fn analyzer(&self) -> &Arc<Analyzer> {
        &self.analyzer
    }

    /// Analyzes a query as the engine does.
    pub fn plan(&self, text: &str) -> QueryPlan {
        let searcher = self.reader.searcher();
        self.plan_in(&collector::Stats::new(&searcher, &self.terms), text)
    }

    /// The plan of `text`; the words it looks up stay in `stats` for
    /// [`Self::compile`].
    fn plan_in(&self, stats: &collector::Stats<'_>, text: &str) -> QueryPlan {
        let doc_freq = |t: &tantivy::Term| stats.doc_freq(t).unwrap_or(0);
        let searcher = stats.searcher();
        let near = |jamo: &str| {
            self.fuzzy.corrections(
                searcher,
                self.fields.jamo,
                jamo,
                &self.analyzer,
                &self.synonyms,
            )
        };
        QueryPlan::new(
            text,
            &self.analyzer,
            &self.synonyms,
            &doc_freq,
            &self.fields,
            &near,
        )
    }

    /// Every relevant entry for `text`, best first (before category
    /// filtering and paging). This is the ranking all clients share: the
    /// page and the API show pages of it ([`Self::search`]), the chatbot
    /// and `doum ask` choose from its head ([`Self::rank_question`]).
    pub fn rank(&self, text: &str) -> Result<Vec<Ranked<'_>>, SearchError> {
        let searcher = self.reader.searcher();
        let stats = collector::Stats::new(&searcher, &self.terms);
        let plan = self.plan_in(&stats, text);
        let mut ranked = self.ranked_plan(&stats, &plan, Scope::Relevant)?;
        // A busy model leaves the words' ranking (counted in `/metrics`).
        let _ = self.rerank(&plan, text, &mut ranked);
        self.named_first(&searcher, &plan, &mut ranked)?;
        Ok(ranked)
    }

    /// [`Self::rank`] without semantic re-ranking, every match scored
    /// without pruning: slow in a large index; the reference the pruned
    /// ranking is tested against (`tests/estimate.rs`).
    pub fn rank_exhaustively(&self, text: &str) -> Result<Vec<Ranked<'_>>, SearchError> {
        self.ranked(text, Scope::Exhaustive)
    }

    /// A question to answer, ranked: what the chatbot and `doum ask` choose
    /// an answer from (see [`RankedQuestion`]). The question is analyzed
    /// once, for the ranking and for what it asks. In a large index only the
    /// head is scored exactly, not every entry sharing a word with it.
    pub fn rank_question(&self, text: &str) -> Result<RankedQuestion<'_>, SearchError> {
        let searcher = self.reader.searcher();
        let stats = collector::Stats::new(&searcher, &self.terms);
        let plan = self.plan_in(&stats, text);
        let head = ANSWER_HEAD.max(self.rerank_candidates());
        let mut ranked = self.ranked_plan(&stats, &plan, Scope::Head(head))?;
        let lexical = ranked.first().map(|r| r.entry);
        let complete = self.rerank(&plan, text, &mut ranked).is_ok();
        let named = self.named_first(&searcher, &plan, &mut ranked)?;
        Ok(RankedQuestion {
            plan,
            ranked,
            lexical,
            named,
            complete,
        })
    }

    /// The lexical ranking of `text` within `scope`, as entries.
    fn ranked(&self, text: &str, scope: Scope) -> Result<Vec<Ranked<'_>>, SearchError> {
        let searcher = self.reader.searcher();
        let stats = collector::Stats::new(&searcher, &self.terms);
        let plan = self.plan_in(&stats, text);
        let mut ranked = self.ranked_plan(&stats, &plan, scope)?;
        self.named_first(&searcher, &plan, &mut ranked)?;
        Ok(ranked)
    }

    /// The entries `plan` names by one of their keyword phrases (see
    /// [`named`]), as positions in the content; none when naming is off
    /// ([`Weights::named`] 0).
    fn named(&self, searcher: &Searcher, plan: &QueryPlan) -> Result<Vec<u64>, SearchError> {
        let Some(key) = plan.phrase().filter(|_| self.weights.named > 0.0) else {
            return Ok(Vec::new());
        };
        let n = self.content.entries().len() as u64;
        let mut ords = named::entries_named(searcher, &self.fields, &key)?;
        ords.retain(|&ord| ord < n);
        Ok(ords)
    }

    /// Puts the entries `plan` names first in `ranked` ([`named::put_first`]);
    /// the one it names when there is exactly one and it was ranked.
    fn named_first<'a>(
        &'a self,
        searcher: &Searcher,
        plan: &QueryPlan,
        ranked: &mut Vec<Ranked<'a>>,
    ) -> Result<Option<&'a Entry>, SearchError> {
        let ords = self.named(searcher, plan)?;
        if ords.is_empty() {
            return Ok(None);
        }
        let entries = self.content.entries();
        let is_named = |e: &Entry| ords.iter().any(|&o| std::ptr::eq(&entries[o as usize], e));
        named::put_first(
            ranked,
            self.weights.named,
            |r| is_named(r.entry),
            |r| &mut r.score,
        );
        Ok(match ords[..] {
            [one] => ranked
                .first()
                .map(|r| r.entry)
                .filter(|e| std::ptr::eq(*e, &entries[one as usize])),
            _ => None,
        })
    }

    /// [`Self::named_first`] over `(score, entry position)` pairs.
    fn named_first_ords(
        &self,
        searcher: &Searcher,
        plan: &QueryPlan,
        ranked: &mut Vec<(f32, u64)>,
    ) -> Result<(), SearchError> {
        let ords = self.named(searcher, plan)?;
        if !ords.is_empty() {
            named::put_first(
                ranked,
                self.weights.named,
                |r| ords.contains(&r.1),
                |r| &mut r.0,
            );
        }
        Ok(())
    }

    /// The lexical ranking of `plan` within `scope`, as entries.
    fn ranked_plan(
        &self,
        stats: &collector::Stats<'_>,
        plan: &QueryPlan,
        scope: Scope,
    ) -> Result<Vec<Ranked<'_>>, SearchError> {
        if plan.is_empty() {
            return Ok(Vec::new());
        }
        let searcher = stats.searcher();
        let query = self.compile(stats, plan)?;
        let ords = match scope {
            Scope::Relevant => relevant(searcher, &query, RELATIVE_CUTOFF)?,
            Scope::Head(n) => collector::best_relevant(searcher, &query, RELATIVE_CUTOFF, n)?,
            Scope::Exhaustive => collector::exhaustive(searcher, &query, RELATIVE_CUTOFF)?,
        };
        let entries = self.content.entries();
        Ok(ords
            .into_iter()
            .filter_map(|(score, ord)| {
                entries
                    .get(ord as usize)
                    .map(|entry| Ranked { entry, score })
            })
            .collect())
    }

    /// How many lexical candidates the re-ranker needs (0 without one).
    fn rerank_candidates(&self) -> usize {
        self.reranker.as_ref().map_or(0, |r| r.params().candidates)
    }

    /// The embedding model's cosines between the question `text`, analyzed
    /// as `plan` and read as the model reads queries ([`Self::model_text`]),
    /// and each of `entries`; `Ok(None)` when semantics are off (the text
    /// is then not prepared at all) or the model cannot read the text (no
    /// Hangul syllable); [`rerank::Busy`] when every core was embedding.
    pub fn similarity(
        &self,
        plan: &QueryPlan,
        text: &str,
        entries: &[&Entry],
    ) -> Result<Option<Vec<f32>>, rerank::Busy> {
        match &self.reranker {
            Some(reranker) => reranker.similarity(&self.model_text(plan, text), entries),
            None => Ok(None),
        }
    }

    /// What the embedding model reads for the query `text` analyzed as
    /// `plan`: typos corrected ([`QueryPlan::as_corrected`]) and run-together
    /// words spaced ([`Analyzer::spaced`]), since the model knows neither,
    /// and without chat decoration (ㅠㅠ, "!", emoji: see
    /// [`crate::korean::decoration`]) or a request to be told ("알려
    /// 주세요": [`crate::search::query::without_requests_to_be_told`]), which
    /// the words ignore and which would move the model's reading of a short
    /// question.
    pub fn model_text(&self, plan: &QueryPlan, text: &str) -> String {
        let corrected = plan.as_corrected(plan.text(text));
        let corrected = crate::korean::decoration::without_decoration(&corrected);
        let corrected =
            crate::search::query::without_requests_to_be_told(&self.analyzer, &corrected);
        let known = |word: &str| {
            plan.concepts
                .iter()
                .any(|c| c.known && c.forms.first().is_some_and(|f| f == &[word]))
        };
        self.analyzer.spaced(corrected.trim(), &known).into_owned()
    }

    /// Re-ranks `ranked` semantically when the gate passes (see
    /// [`Reranker::apply`]; [`rerank::Busy`] leaves the words' ranking).
    fn rerank<'a>(
        &'a self,
        plan: &QueryPlan,
        text: &str,
        ranked: &mut Vec<Ranked<'a>>,
    ) -> Result<(), rerank::Busy> {
        // The gate first: a clear ranking needs no text for the model.
        match self
            .reranker
            .as_ref()
            .filter(|r| r.applies(plan.text(text), ranked))
        {
            Some(r) => r.apply(&self.model_text(plan, text), ranked, self.content.entries()),
            None => Ok(()),
        }
    }

    /// [`Self::rerank`] over `(score, entry position)` pairs (what [`Self::search`]
    /// collects); nothing to do without a re-ranker.
    fn rerank_ords(
        &self,
        plan: &QueryPlan,
        text: &str,
        ranked: &mut Vec<(f32, u64)>,
    ) -> Result<(), rerank::Busy> {
        if self.reranker.is_none() {
            return Ok(());
        }
        let entries = self.content.entries();
        let mut as_ranked: Vec<Ranked<'_>> = ranked
            .iter()
            .map(|&(score, ord)| Ranked {
                entry: &entries[ord as usize],
                score,
            })
            .collect();
        let reranked = self.rerank(plan, text, &mut as_ranked);
        ranked.clear();
        ranked.extend(as_ranked.iter().filter_map(|r| {
            let ord = self.content.position(r.entry.id.as_str())?;
            Some((r.score, ord as u64))
        }));
        reranked
    }

    /// Every relevant match of a compiled query, best first, limited to
    /// entries this engine's content holds.
    fn all_relevant(
        &self,
        searcher: &Searcher,
        query: &Compiled,
    ) -> Result<Vec<(f32, u64)>, SearchError> {
        let n = self.content.entries().len();
        let mut matches = relevant(searcher, query, RELATIVE_CUTOFF)?;
        matches.retain(|&(_, ord)| (ord as usize) < n);
        Ok(matches)
    }

    /// Runs a search request: ranking, category counts, filter, sort, page,
    /// snippets; a request searched recently is answered from this engine's
    /// [`ResultsCache`], with the same results.
    pub fn search(&self, req: &SearchRequest) -> Result<Arc<SearchResults>, SearchError> {
        if let Some(results) = self.cached(req) {
            return Ok(results);
        }
        crate::metrics::global().search_cache(false);
        let (results, complete) = self.search_uncached(req)?;
        let results = Arc::new(results);
        if complete {
            self.results
                .put_weighed(req.clone(), Arc::clone(&results), results.weight());
        }
        Ok(results)
    }

    /// The results of `req` when this engine remembers them (see
    /// [`Self::search`]): a caller can skip handing the search to a worker
    /// thread.
    pub fn cached(&self, req: &SearchRequest) -> Option<Arc<SearchResults>> {
        let results = self.results.get(req)?;
        crate::metrics::global().search_cache(true);
        Some(results)
    }

    /// How many pages of results this engine remembers, and their weight
    /// ([`SearchResults::weight`], at most [`cache::BUDGET`]).
    pub fn cached_pages(&self) -> (usize, usize) {
        self.results.held()
    }

    /// [`Self::search`] without the results cache (for benchmarks, which
    /// measure the search itself), and whether the results are complete:
    /// false when the semantic model was due but busy.
    pub fn search_uncached(
        &self,
        req: &SearchRequest,
    ) -> Result<(SearchResults, bool), SearchError> {
        let searcher = self.reader.searcher();
        let stats = collector::Stats::new(&searcher, &self.terms);
        let plan = self.plan_in(&stats, req.query());
        let catalog = self.content.catalog();
        let inside = req.category_filter().map(|f| catalog.inside(f));
        let keep = |ord: u64| {
            inside
                .as_ref()
                .is_none_or(|inside| catalog.category_of(ord as usize).is_some_and(|c| inside[c]))
        };
        let (mut ranked, estimate) = self.collect(&stats, &plan, req, &keep)?;
        let complete = self.rerank_ords(&plan, req.query(), &mut ranked).is_ok();
        self.named_first_ords(&searcher, &plan, &mut ranked)?;
        let categories = match &estimate {
            None => count_categories(catalog, &ranked),
            Some(e) => estimate_categories(catalog, e, &ranked),
        };
        let mut selected = match &inside {
            None => ranked,
            Some(_) => ranked.into_iter().filter(|&(_, ord)| keep(ord)).collect(),
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
        let total = match &estimate {
            None => selected.len(),
            Some(e) => {
                let in_sample = e.sample.iter().filter(|&&ord| keep(ord)).count();
                round_estimate(e.scaled(in_sample).max(selected.len()))
            }
        };
        let pages = total.div_ceil(req.page_size()).max(1);
        if req.page_number() > pages {
            return Err(SearchError::PageOutOfRange {
                page: req.page_number(),
                pages,
                total,
            });
        }
        let highlighter = Highlighter::new(&plan.highlight_terms());
        let hits = selected
            .iter()
            .skip((req.page_number() - 1) * req.page_size())
            .take(req.page_size())
            .map(|&(score, ord)| hit(&entries[ord as usize], score, &highlighter))
            .collect();
        Ok((
            SearchResults {
                query: req.query().to_string(),
                read_as: plan.read.clone(),
                total,
                estimated: estimate.is_some(),
                page: req.page_number(),
                size: req.page_size(),
                categories,
                hits,
                json: std::sync::OnceLock::new(),
            },
            complete,
        ))
    }

    /// The matches a search needs, as `(score, entry position)`, best first:
    /// every relevant match with no estimate; or, past
    /// [`EXACT_COUNT_LIMIT`] matches when sorting by relevance, the head
    /// the page and the re-ranker need, with a sample for the counts.
    fn collect(
        &self,
        stats: &collector::Stats<'_>,
        plan: &QueryPlan,
        req: &SearchRequest,
        keep: &(dyn Fn(u64) -> bool + Sync),
    ) -> Result<Collected, SearchError> {
        // A results page of entries that share only a question's endings
        // ("안녕하세요": 41 of 76) would list what is touched, not what is
        // relevant. The chatbot and `doum ask` rank such a question too (the
        // model may find its topic) and answer "not found" by their own
        // measure of the words ([`crate::ask::choice`]).
        if plan.is_empty() || plan.knows_nothing() {
            return Ok((Vec::new(), None));
        }
        let searcher = stats.searcher();
        let query = self.compile(stats, plan)?;
        if req.sort_order() != Sort::Relevance {
            return Ok((self.all_relevant(searcher, &query)?, None));
        }
        let n = self.content.entries().len();
        let exact = |mut matches: Vec<(f32, u64)>| {
            matches.retain(|&(_, ord)| (ord as usize) < n);
            matches
        };
        let shown = req.page_number().saturating_mul(req.page_size());
        let rerank = self.rerank_candidates();
        let (all, kept) = match req.category_filter() {
            None => (shown.max(rerank), 0),
            Some(_) => (rerank, shown),
        };
        let top = collector::top_relevant(searcher, &query, RELATIVE_CUTOFF, all, kept, keep)?;
        let Some(sample) = top.sample.filter(|_| !top.complete) else {
            return Ok((exact(top.ranked), None));
        };
        let estimate = Estimate {
            scale: searcher.num_docs() as f64 / sample.docs.max(1) as f64,
            sample: sample
                .relevant
                .into_iter()
                .filter(|&ord| (ord as usize) < n)
                .collect(),
        };
        // Exact below the limit, for the count shown: within the filter
        // when there is one (a small count estimated from a sample is rough).
        let shown_in_sample = estimate.sample.iter().filter(|&&ord| keep(ord)).count();
        if estimate.scaled(shown_in_sample) <= EXACT_COUNT_LIMIT {
            return Ok((self.all_relevant(searcher, &query)?, None));
        }
        Ok((exact(top.ranked), Some(estimate)))
    }

    /// The weights of a plan's query, made once per search.
    fn compile(
        &self,
        stats: &collector::Stats<'_>,
        plan: &QueryPlan,
    ) -> Result<Compiled, SearchError> {
        let searcher = stats.searcher();
        let doc_freq = |t: &tantivy::Term| stats.doc_freq(t).unwrap_or(0);
        let clauses = plan.clauses(
            &self.fields,
            &self.weights,
            searcher,
            &self.fuzzy,
            &doc_freq,
        );
        Ok(Compiled::new(searcher, stats, clauses)?)
    }
}

/// How much of a ranking [`SearchEngine::ranked`] scores.
#[derive(Clone, Copy)]
enum Scope {
    /// Every relevant match.
    Relevant,
    /// The best `n` (every relevant match in a small index).
    Head(usize),
    /// Every relevant match, scoring every match without pruning.
    Exhaustive,
}

/// A question ranked for choosing its answer ([`SearchEngine::rank_question`]).
pub struct RankedQuestion<'a> {
    /// What the question asks: its plan (wrong spaces read as meant).
    pub plan: QueryPlan,
    /// The best [`ANSWER_HEAD`] entries of [`SearchEngine::rank`] (every
    /// relevant one in an index under 5,000 entries), re-ranked.
    pub ranked: Vec<Ranked<'a>>,
    /// The entry the words alone put first (before semantic re-ranking).
    pub lexical: Option<&'a Entry>,
    /// The one entry the question names by a keyword phrase of its own
    /// ([`named`]), first in `ranked`.
    pub named: Option<&'a Entry>,
    /// False when re-ranking was due but the model was busy (the ranking
    /// is the words' alone).
    pub complete: bool,
}

/// Counts estimated from a sample of the index.
struct Estimate {
    /// Entry positions of the sample's relevant matches.
    sample: Vec<u64>,
    /// Documents in the index per sampled document.
    scale: f64,
}

impl Estimate {
    /// `count` matches of the sample, scaled to the whole index.
    fn scaled(&self, count: usize) -> usize {
        (count as f64 * self.scale).round() as usize
    }
}

/// `n` rounded to two significant digits (12,345 → 12,000; 87 stays).
fn round_estimate(n: usize) -> usize {
    let mut unit = 1;
    while n / unit >= 100 {
        unit *= 10;
    }
    (n + unit / 2) / unit * unit
}

/// The path of an entry's article page.
pub fn article_path(id: &str) -> String {
    format!("/articles/{id}")
}

fn hit(e: &Entry, score: f32, highlighter: &Highlighter) -> Hit {
    Hit {
        id: e.id.to_string(),
        title: e.title.to_string(),
        service: e.service.to_string(),
        category: e.category.levels().to_vec(),
        breadcrumb: e.category.breadcrumb(&e.service),
        snippet: highlighter.snippet(&e.body.text()),
        url: article_path(e.id.as_str()),
        updated: e.updated,
        score,
        decision: e.decision.as_deref().map(str::to_owned),
    }
}

/// Matches per category (a result's own category and those above it), most
/// first, then by path: the content's [`Catalog`] numbers its categories
/// once, so counting is array arithmetic (no strings per match).
fn count_categories(catalog: &Catalog, ranked: &[(f32, u64)]) -> Vec<CategoryCount> {
    listed(
        catalog,
        catalog.tally(ranked.iter().map(|&(_, ord)| ord as usize)),
    )
}

/// Estimated matches per category: the sample's counts scaled (two
/// significant digits), and at least what `head` holds.
fn estimate_categories(catalog: &Catalog, e: &Estimate, head: &[(f32, u64)]) -> Vec<CategoryCount> {
    let held = catalog.tally(head.iter().map(|&(_, ord)| ord as usize));
    let sampled = catalog.tally(e.sample.iter().map(|&ord| ord as usize));
    let counts = held
        .into_iter()
        .zip(sampled)
        .map(|(h, s)| {
            if s > 0 {
                h.max(round_estimate(e.scaled(s)))
            } else {
                h
            }
        })
        .collect();
    listed(catalog, counts)
}

/// The categories with a count above zero (`counts` by catalog position),
/// most first, then by path.
fn listed(catalog: &Catalog, counts: Vec<usize>) -> Vec<CategoryCount> {
    let mut out: Vec<CategoryCount> = catalog
        .categories()
        .iter()
        .zip(counts)
        .filter(|&(_, n)| n > 0)
        .map(|(c, count)| CategoryCount {
            path: c.path.clone(),
            count,
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.path.cmp(&b.path)));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn estimates_keep_two_significant_digits() {
        assert_eq!(super::round_estimate(87), 87);
        assert_eq!(super::round_estimate(1_049), 1_000);
        assert_eq!(super::round_estimate(12_345), 12_000);
        assert_eq!(super::round_estimate(99_960), 100_000);
    }
}
