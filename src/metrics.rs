//! Process-wide counters in the Prometheus text format (`GET /metrics`).
//!
//! The core records what only it knows through one-line hooks on
//! [`global()`] (a zero-result search, a chatbot outcome, an account lookup);
//! the web layer records requests. [`Metrics::render`] writes everything,
//! with the gauges of the live state (entries, index age, reloads).
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `doum_http_requests_total` | counter | `route` (matched path, or `unmatched`), `method`, `status` |
//! | `doum_http_request_duration_seconds` | histogram | `route` |
//! | `doum_search_zero_results_total` | counter | |
//! | `doum_search_cache_total` | counter | `outcome` (`hit`: a page of results given again from the engine's cache, `miss`) |
//! | `doum_chat_answers_total` | counter | `outcome`: `direct`, `list`, `not_found`, `handoff` (a person asked for), `welcome` (also "처음으로"), `small_talk`, `forget_asked`, `forgotten` (a request to delete the chat history, and its confirmation), `voted` (도움이 됐어요 / 아쉬워요 under an answer), `operator_offered` |
//! | `doum_account_lookups_total` | counter | `kind` (`account`, `link`), `outcome` |
//! | `doum_semantic_skipped_total` | counter | `reason` (`busy`: every core was embedding a query, so the search stayed lexical) |
//! | `doum_search_cache_pages` | gauge | pages of results the served engine's cache holds |
//! | `doum_search_cache_bytes` | gauge | what they weigh (at most `search::cache::BUDGET`) |
//! | `doum_index_entries` | gauge | |
//! | `doum_index_age_seconds` | gauge | |
//! | `doum_content_generation` | gauge | |
//! | `doum_reloads_total` | counter | `outcome` (`ok`, `failed`) |

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::SystemTime;

use crate::reload::Live;

/// Upper bounds (seconds) of the latency histogram's buckets.
pub const LATENCY_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default)]
struct Histogram {
    buckets: [u64; LATENCY_BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// The counters. Use [`global()`].
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    zero_results: AtomicU64,
    chat: Mutex<BTreeMap<&'static str, u64>>,
    accounts: Mutex<BTreeMap<(&'static str, &'static str), u64>>,
    semantic_busy: AtomicU64,
    cache_hits: AtomicU64,
    cache_misses: AtomicU64,
}

/// The process's metrics.
pub fn global() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::default)
}

fn bump<K: Ord>(map: &Mutex<BTreeMap<K, u64>>, key: K) {
    *map.lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(key)
        .or_default() += 1;
}

impl Metrics {
    /// One HTTP request answered. `route` must come from a fixed set (the
    /// matched route pattern), never from the raw path.
    pub fn request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        bump(
            &self.requests,
            (route.to_owned(), method.to_owned(), status),
        );
        let mut latency = self.latency.lock().unwrap_or_else(|e| e.into_inner());
        let h = latency.entry(route.to_owned()).or_default();
        for (i, le) in LATENCY_BUCKETS.iter().enumerate() {
            if seconds <= *le {
                h.buckets[i] += 1;
            }
        }
        h.count += 1;
        h.sum += seconds;
    }

    /// A search (page or API) found nothing.
    pub fn zero_result_search(&self) {
        self.zero_results.fetch_add(1, Ordering::Relaxed);
    }

    /// A chatbot answer of this kind was sent (see the module table).
    pub fn chat(&self, outcome: &'static str) {
        bump(&self.chat, outcome);
    }

    /// An account lookup ended (`kind`: `account` or `link`; `outcome`:
    /// `found`, `not_found`, `linked`, `not_linked`, `unavailable`).
    pub fn account_lookup(&self, kind: &'static str, outcome: &'static str) {
        bump(&self.accounts, (kind, outcome));
    }

    /// A search was answered from an engine's results cache (`hit`), or
    /// searched.
    pub fn search_cache(&self, hit: bool) {
        let n = if hit {
            &self.cache_hits
        } else {
            &self.cache_misses
        };
        n.fetch_add(1, Ordering::Relaxed);
    }

    /// How many searches were answered from an engine's results cache.
    pub fn search_cache_hits(&self) -> u64 {
        self.cache_hits.load(Ordering::Relaxed)
    }

    /// A search that would have been re-ranked semantically stayed lexical
    /// because every core was already embedding a query.
    pub fn semantic_busy(&self) {
        self.semantic_busy.fetch_add(1, Ordering::Relaxed);
    }

    /// How many searches stayed lexical because the model was busy.
    pub fn semantic_busy_count(&self) -> u64 {
        self.semantic_busy.load(Ordering::Relaxed)
    }

    /// Everything, in the Prometheus text exposition format (version 0.0.4).
    pub fn render(&self, live: &Live) -> String {
        let mut out = String::new();
        header(
            &mut out,
            "doum_http_requests_total",
            "counter",
            "HTTP requests answered, by route, method and status.",
        );
        for ((route, method, status), n) in lock(&self.requests).iter() {
            let _ = writeln!(
                out,
                "doum_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
                label(route),
                label(method)
            );
        }
        header(
            &mut out,
            "doum_http_request_duration_seconds",
            "histogram",
            "Time to answer HTTP requests, by route.",
        );
        for (route, h) in lock(&self.latency).iter() {
            let route = label(route);
            for (le, n) in LATENCY_BUCKETS.iter().zip(h.buckets) {
                let _ = writeln!(
                    out,
                    "doum_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "doum_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "doum_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "doum_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
        header(
            &mut out,
            "doum_search_zero_results_total",
            "counter",
            "Searches (page and API) that found nothing.",
        );
        let _ = writeln!(
            out,
            "doum_search_zero_results_total {}",
            self.zero_results.load(Ordering::Relaxed)
        );
        header(
            &mut out,
            "doum_search_cache_total",
            "counter",
            "Searches answered from the engine's cache of recent results (hit) or searched (miss).",
        );
        for (outcome, n) in [("hit", &self.cache_hits), ("miss", &self.cache_misses)] {
            let _ = writeln!(
                out,
                "doum_search_cache_total{{outcome=\"{outcome}\"}} {}",
                n.load(Ordering::Relaxed)
            );
        }
        header(
            &mut out,
            "doum_chat_answers_total",
            "counter",
            "Chatbot answers by outcome.",
        );
        for (outcome, n) in lock(&self.chat).iter() {
            let _ = writeln!(out, "doum_chat_answers_total{{outcome=\"{outcome}\"}} {n}");
        }
        header(
            &mut out,
            "doum_account_lookups_total",
            "counter",
            "Account and Kakao link lookups by outcome.",
        );
        for ((kind, outcome), n) in lock(&self.accounts).iter() {
            let _ = writeln!(
                out,
                "doum_account_lookups_total{{kind=\"{kind}\",outcome=\"{outcome}\"}} {n}"
            );
        }
        header(
            &mut out,
            "doum_semantic_skipped_total",
            "counter",
            "Searches that stayed lexical although re-ranking was due, by reason.",
        );
        let _ = writeln!(
            out,
            "doum_semantic_skipped_total{{reason=\"busy\"}} {}",
            self.semantic_busy_count()
        );
        let snapshot = live.load();
        let (pages, bytes) = snapshot.engine.cached_pages();
        gauge(
            &mut out,
            "doum_search_cache_pages",
            "Pages of results the served engine's cache holds.",
            pages as f64,
        );
        gauge(
            &mut out,
            "doum_search_cache_bytes",
            "What the cached pages weigh, in bytes (at most the cache's budget).",
            bytes as f64,
        );
        gauge(
            &mut out,
            "doum_index_entries",
            "FAQ entries served.",
            snapshot.entries() as f64,
        );
        let age = SystemTime::now()
            .duration_since(snapshot.built_at)
            .map_or(0.0, |d| d.as_secs_f64());
        gauge(
            &mut out,
            "doum_index_age_seconds",
            "Seconds since the served index was built.",
            age.floor(),
        );
        gauge(
            &mut out,
            "doum_content_generation",
            "1 at start, +1 per successful reload.",
            snapshot.generation as f64,
        );
        let status = live.status();
        header(
            &mut out,
            "doum_reloads_total",
            "counter",
            "Content reloads by outcome.",
        );
        let _ = writeln!(
            out,
            "doum_reloads_total{{outcome=\"ok\"}} {}",
            status.succeeded
        );
        let _ = writeln!(
            out,
            "doum_reloads_total{{outcome=\"failed\"}} {}",
            status.failed
        );
        out
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

fn gauge(out: &mut String, name: &str, help: &str, value: f64) {
    header(out, name, "gauge", help);
    let _ = writeln!(out, "{name} {value}");
}

/// A label value escaped as the text format requires.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
