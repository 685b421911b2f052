//! The `http` account source: the advertiser account API.
//!
//! - `GET {base_url}/accounts/{account_id}` → the account JSON (see [`Account`]), or 404.
//! - `GET {base_url}/kakao-links/{key}?kind=plusfriend_user_key|app_user_id` →
//!   `{"account_id": "A-1001"}`, or 404.
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
use super::{AccountLookup, KakaoUserRef, LinkLookup};

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

const CACHE_PRUNE_AT: usize = 10_000;

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
        if map.len() >= CACHE_PRUNE_AT {
            let now = Instant::now();
            map.retain(|_, (until, _)| now < *until);
            if map.len() >= CACHE_PRUNE_AT {
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
}

impl HttpSource {
    pub fn new(cfg: HttpConfig) -> anyhow::Result<Self> {
        let base = Url::parse(&cfg.base_url)
            .with_context(|| format!("invalid account API URL `{}`", cfg.base_url))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            bail!("account API URL must be http(s): `{}`", cfg.base_url);
        }
        let client = reqwest::Client::builder()
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
        if id.is_empty() {
            return AccountLookup::NotFound;
        }
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
        if user.key().is_empty() {
            return LinkLookup::NotLinked;
        }
        let mut url = self.url(&["kakao-links", user.key()]);
        url.query_pairs_mut().append_pair("kind", user.kind());
        match self.get(url).await {
            Fetch::NotFound => LinkLookup::NotLinked,
            Fetch::Failed(why) => LinkLookup::Unavailable(why),
            Fetch::Body(body) => match serde_json::from_slice::<LinkBody>(&body) {
                Ok(b) if !b.account_id.is_empty() => LinkLookup::Linked(b.account_id),
                Ok(_) => LinkLookup::Unavailable("account API answered an empty account_id".into()),
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
            if resp
                .content_length()
                .is_some_and(|n| n > self.cfg.max_body_bytes as u64)
            {
                return Fetch::Failed("account API answer is too large".into());
            }
            return match resp.bytes().await {
                Ok(b) if b.len() > self.cfg.max_body_bytes => {
                    Fetch::Failed("account API answer is too large".into())
                }
                Ok(b) => Fetch::Body(b.to_vec()),
                Err(e) if e.is_timeout() => {
                    Fetch::Failed(format!("account API did not answer within {ms} ms"))
                }
                Err(e) => Fetch::Failed(format!("account API answer could not be read: {e}")),
            };
        }
    }
}
