//! The `http` account source: the advertiser account API.
//!
//! - `GET {base_url}/accounts/{account_id}` → the account JSON (see [`Account`]), or 404.
//! - `GET {base_url}/kakao-links/{key}?kind=plusfriend_user_key|app_user_id` →
//!   `{"key": "<the key asked for>", "account_id": "A-1001"}` (and optionally `"kind"`,
//!   which must then be the kind asked for), or 404. An answer naming another key is
//!   refused (`Unavailable`): it can only be someone else's link.
//!
//! Ids and keys are checked with [`valid_key`] before any URL is built from them (an
//! invalid one is simply not found, and never sent). Redirects are not followed (an
//! answer must come from the configured API), and answers are read chunk by chunk up to
//! [`HttpConfig::max_body_bytes`], never whole. The caches hold at most
//! [`MAX_CACHE_ENTRIES`] entries each, keyed by valid (so at most 128-character) ids.
//!
//! Each request has a timeout (default 800 ms, connecting included) and is retried once
//! on a connection error only (never after a timeout or an answer). Results are cached:
//! found for [`HttpConfig::cache_ttl`], not found for [`HttpConfig::negative_ttl`], and
//! failures for [`HttpConfig::failure_ttl`] so a down API is not hammered. Every
//! failure (down, slow, an unexpected status, garbage) becomes `Unavailable(reason)`:
//! callers then give the general answer, never an error page or a wrong personal answer.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use reqwest::{StatusCode, Url};
use serde::Deserialize;

use super::model::Account;
use super::{AccountLookup, KakaoUserRef, LinkLookup, valid_key};

/// Settings of the account API client.
#[derive(Clone, Debug)]
pub struct HttpConfig {
    /// e.g. `https://accounts.internal.example/v1`
    pub base_url: String,
    /// Per request, connecting included. Default 800 ms.
    pub timeout: Duration,
    /// How long a found account or link is reused. Default 30 s.
    pub cache_ttl: Duration,
    /// How long a 404 is reused. Default 10 s.
    pub negative_ttl: Duration,
    /// How long a failure is reused before asking again. Default 2 s.
    pub failure_ttl: Duration,
    /// Largest accepted answer. Default 2 MiB.
    pub max_body_bytes: usize,
}

impl HttpConfig {
    pub fn new(base_url: &str) -> Self {
        HttpConfig {
            base_url: base_url.to_owned(),
            timeout: Duration::from_millis(800),
            cache_ttl: Duration::from_secs(30),
            negative_ttl: Duration::from_secs(10),
            failure_ttl: Duration::from_secs(2),
            max_body_bytes: 2 * 1024 * 1024,
        }
    }
}

/// A small TTL cache; expired entries are dropped when it grows.
struct TtlCache<K, V> {
    map: Mutex<HashMap<K, (Instant, V)>>,
}

/// The most entries each cache (accounts, links) holds.
pub const MAX_CACHE_ENTRIES: usize = 10_000;

impl<K: Eq + Hash + Clone, V: Clone> TtlCache<K, V> {
    fn new() -> Self {
        TtlCache {
            map: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, k: &K) -> Option<V> {
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.get(k)
            .filter(|(until, _)| Instant::now() < *until)
            .map(|(_, v)| v.clone())
    }

    fn put(&self, k: K, v: V, ttl: Duration) {
        if ttl.is_zero() {
            return;
        }
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_CACHE_ENTRIES {
            let now = Instant::now();
            map.retain(|_, (until, _)| now < *until);
            if map.len() >= MAX_CACHE_ENTRIES {
                map.clear();
            }
        }
        map.insert(k, (Instant::now() + ttl, v));
    }
}

/// What one GET gave.
enum Fetch {
    Body(Vec<u8>),
    NotFound,
    Failed(String),
}

/// The account API client with its cache.
pub struct HttpSource {
    cfg: HttpConfig,
    base: Url,
    client: reqwest::Client,
    accounts: TtlCache<String, AccountLookup>,
    links: TtlCache<(bool, String), LinkLookup>,
}

impl std::fmt::Debug for HttpSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSource")
            .field("cfg", &self.cfg)
            .finish()
    }
}

#[derive(Deserialize)]
struct LinkBody {
    account_id: String,
    /// The key the answer is for: must be the one asked for.
    #[serde(default)]
    key: Option<String>,
    /// The kind of key, if the API says.
    #[serde(default)]
    kind: Option<String>,
}

impl HttpSource {
    pub fn new(cfg: HttpConfig) -> anyhow::Result<Self> {
        let base = Url::parse(&cfg.base_url)
            .with_context(|| format!("invalid account API URL `{}`", cfg.base_url))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            bail!("account API URL must be http(s): `{}`", cfg.base_url);
        }
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout)
            .user_agent(concat!("doum/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("cannot build the account API client")?;
        Ok(HttpSource {
            cfg,
            base,
            client,
            accounts: TtlCache::new(),
            links: TtlCache::new(),
        })
    }

    pub fn config(&self) -> &HttpConfig {
        &self.cfg
    }

    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty();
            for s in segments {
                path.push(s);
            }
        }
        url
    }

    fn ttl_of(&self, found: bool, not_found: bool) -> Duration {
        if found {
            self.cfg.cache_ttl
        } else if not_found {
            self.cfg.negative_ttl
        } else {
            self.cfg.failure_ttl
        }
    }

    /// Looks an account up (cached).
    pub async fn account(&self, id: &str) -> AccountLookup {
        if !valid_key(id) {
            return AccountLookup::NotFound;
        }
        if let Some(hit) = self.accounts.get(&id.to_owned()) {
            return hit;
        }
        let result = self.fetch_account(id).await;
        let ttl = self.ttl_of(
            matches!(result, AccountLookup::Found(_)),
            matches!(result, AccountLookup::NotFound),
        );
        self.accounts.put(id.to_owned(), result.clone(), ttl);
        result
    }

    async fn fetch_account(&self, id: &str) -> AccountLookup {
        match self.get(self.url(&["accounts", id])).await {
            Fetch::NotFound => AccountLookup::NotFound,
            Fetch::Failed(why) => AccountLookup::Unavailable(why),
            Fetch::Body(body) => match serde_json::from_slice::<Account>(&body) {
                Err(e) => AccountLookup::Unavailable(format!("invalid JSON from account API: {e}")),
                Ok(a) if a.account_id != id => AccountLookup::Unavailable(format!(
                    "account API answered with account {} for {id}",
                    a.account_id
                )),
                Ok(a) => AccountLookup::Found(Arc::new(a)),
            },
        }
    }

    /// Finds the ad account linked to a Kakao user (cached).
    pub async fn link(&self, user: &KakaoUserRef) -> LinkLookup {
        if !valid_key(user.key()) {
            return LinkLookup::NotLinked;
        }
        let key = (
            matches!(user, KakaoUserRef::PlusfriendUserKey(_)),
            user.key().to_owned(),
        );
        if let Some(hit) = self.links.get(&key) {
            return hit;
        }
        let result = self.fetch_link(user).await;
        let ttl = self.ttl_of(
            matches!(result, LinkLookup::Linked(_)),
            matches!(result, LinkLookup::NotLinked),
        );
        self.links.put(key, result.clone(), ttl);
        result
    }

    async fn fetch_link(&self, user: &KakaoUserRef) -> LinkLookup {
        let mut url = self.url(&["kakao-links", user.key()]);
        url.query_pairs_mut().append_pair("kind", user.kind());
        match self.get(url).await {
            Fetch::NotFound => LinkLookup::NotLinked,
            Fetch::Failed(why) => LinkLookup::Unavailable(why),
            Fetch::Body(body) => match serde_json::from_slice::<LinkBody>(&body) {
                Ok(b) if b.key.as_deref() != Some(user.key()) => LinkLookup::Unavailable(format!(
                    "account API answered a link for key {:?}, not the key asked for",
                    b.key.unwrap_or_default()
                )),
                Ok(b) if b.kind.as_deref().is_some_and(|k| k != user.kind()) => {
                    LinkLookup::Unavailable(format!(
                        "account API answered a link of kind {:?}, asked for {}",
                        b.kind.unwrap_or_default(),
                        user.kind()
                    ))
                }
                Ok(b) if !valid_key(&b.account_id) => LinkLookup::Unavailable(
                    "account API answered an empty or invalid account_id".into(),
                ),
                Ok(b) => LinkLookup::Linked(b.account_id),
                Err(e) => LinkLookup::Unavailable(format!("invalid JSON from account API: {e}")),
            },
        }
    }

    /// One GET with the timeout, retried once on a connection error.
    async fn get(&self, url: Url) -> Fetch {
        let ms = self.cfg.timeout.as_millis();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let resp = match self.client.get(url.clone()).send().await {
                Ok(r) => r,
                Err(e) if e.is_connect() && attempt == 1 => {
                    tracing::debug!("account API connection failed, retrying once: {e}");
                    continue;
                }
                Err(e) if e.is_timeout() => {
                    return Fetch::Failed(format!("account API did not answer within {ms} ms"));
                }
                Err(e) if e.is_connect() => {
                    return Fetch::Failed(format!("cannot connect to account API: {e}"));
                }
                Err(e) => return Fetch::Failed(format!("account API request failed: {e}")),
            };
            let status = resp.status();
            if status == StatusCode::NOT_FOUND {
                return Fetch::NotFound;
            }
            if !status.is_success() {
                return Fetch::Failed(format!("account API answered HTTP {status}"));
            }
            return self.read_capped(resp).await;
        }
    }

    /// Reads an answer chunk by chunk, stopping as soon as it passes the size cap.
    async fn read_capped(&self, mut resp: reqwest::Response) -> Fetch {
        let max = self.cfg.max_body_bytes;
        let too_large = || Fetch::Failed(format!("account API answer is over {max} bytes"));
        if resp.content_length().is_some_and(|n| n > max as u64) {
            return too_large();
        }
        let mut body = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() + chunk.len() > max {
                        return too_large();
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => return Fetch::Body(body),
                Err(e) if e.is_timeout() => {
                    return Fetch::Failed(format!(
                        "account API did not answer within {} ms",
                        self.cfg.timeout.as_millis()
                    ));
                }
                Err(e) => {
                    return Fetch::Failed(format!("account API answer could not be read: {e}"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caches_hold_a_bounded_number_of_entries() {
        let cache: TtlCache<String, u32> = TtlCache::new();
        for i in 0..(MAX_CACHE_ENTRIES + 500) {
            cache.put(format!("k{i}"), 1, Duration::from_secs(60));
            assert!(cache.map.lock().unwrap().len() <= MAX_CACHE_ENTRIES);
        }
        assert_eq!(cache.get(&format!("k{}", MAX_CACHE_ENTRIES + 499)), Some(1));
    }
}
