//! Where account facts come from: one interface, two sources.
//!
//! - [`FileSource`]: a YAML or JSON file of accounts (the embedded default is the shipped
//!   sample, `data/accounts.yaml`);
//! - [`HttpSource`]: the advertiser account API (`GET {base_url}/accounts/{id}`).
//!
//! Both also link KakaoTalk users to ad accounts ([`AccountSource::link`]). A lookup never
//! fails with an error: it is found, not found, or unavailable with a reason, and
//! callers give the general FAQ answer unless it was found.

pub mod file;
pub mod http;
pub mod model;

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;

pub use file::FileSource;
pub use http::{HttpConfig, HttpSource};
pub use model::Account;

use crate::rules::{DecisionResult, RuleBook};

/// The longest account id or Kakao user key accepted.
pub const MAX_KEY_CHARS: usize = 128;

/// Whether an account id or Kakao user key may be looked up: 1 to [`MAX_KEY_CHARS`]
/// characters out of `A-Z a-z 0-9 _ . -`, and not only dots (`.`, `..` would change a
/// URL path). Anything else is not found, without asking any source.
pub fn valid_key(key: &str) -> bool {
    (1..=MAX_KEY_CHARS).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        && !key.bytes().all(|b| b == b'.')
}

/// The result of looking an account up.
#[derive(Clone, Debug)]
pub enum AccountLookup {
    Found(Arc<Account>),
    /// The source does not know this account (HTTP 404).
    NotFound,
    /// The source could not answer (down, slow, an unexpected status, garbage): the reason,
    /// for logs and the agent page, never for customers.
    Unavailable(String),
}

/// A KakaoTalk user, as the Kakao i Open Builder skill request identifies them.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KakaoUserRef {
    /// `userRequest.user.properties.plusfriendUserKey`
    PlusfriendUserKey(String),
    /// `userRequest.user.properties.appUserId`
    AppUserId(String),
}

impl KakaoUserRef {
    /// The key value.
    pub fn key(&self) -> &str {
        match self {
            KakaoUserRef::PlusfriendUserKey(k) | KakaoUserRef::AppUserId(k) => k,
        }
    }

    /// The `kind` query value of the account API: `plusfriend_user_key` or `app_user_id`.
    pub fn kind(&self) -> &'static str {
        match self {
            KakaoUserRef::PlusfriendUserKey(_) => "plusfriend_user_key",
            KakaoUserRef::AppUserId(_) => "app_user_id",
        }
    }
}

/// The result of looking a Kakao user's linked ad account up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkLookup {
    /// The linked account id.
    Linked(String),
    NotLinked,
    Unavailable(String),
}

/// The account source `doum ask` and `doum serve` use.
#[derive(Debug)]
pub enum AccountSource {
    File(FileSource),
    Http(HttpSource),
}

impl AccountSource {
    /// The shipped sample accounts (embedded).
    pub fn sample() -> Self {
        AccountSource::File(FileSource::sample())
    }

    /// Chooses the source from `--accounts FILE` / `--accounts-url BASE_URL` (or the same
    /// settings in the configuration); with neither, the shipped sample. Both is an error.
    pub fn from_options(file: Option<&Path>, url: Option<&str>) -> anyhow::Result<Self> {
        match (file, url) {
            (Some(_), Some(_)) => {
                anyhow::bail!("give either an accounts file or an account API URL, not both")
            }
            (Some(path), None) => Ok(AccountSource::File(FileSource::load(path)?)),
            (None, Some(url)) => Ok(AccountSource::Http(HttpSource::new(HttpConfig::new(url))?)),
            (None, None) => Ok(Self::sample()),
        }
    }

    /// Looks an account up by id.
    pub async fn account(&self, account_id: &str) -> AccountLookup {
        let found = match self {
            AccountSource::File(f) => f.account(account_id),
            AccountSource::Http(h) => h.account(account_id).await,
        };
        let outcome = match &found {
            AccountLookup::Found(_) => "found",
            AccountLookup::NotFound => "not_found",
            AccountLookup::Unavailable(_) => "unavailable",
        };
        crate::metrics::global().account_lookup("account", outcome);
        found
    }

    /// Finds the ad account linked to a KakaoTalk user.
    pub async fn link(&self, kakao_user: &KakaoUserRef) -> LinkLookup {
        let found = match self {
            AccountSource::File(f) => f.link(kakao_user),
            AccountSource::Http(h) => h.link(kakao_user).await,
        };
        let outcome = match &found {
            LinkLookup::Linked(_) => "linked",
            LinkLookup::NotLinked => "not_linked",
            LinkLookup::Unavailable(_) => "unavailable",
        };
        crate::metrics::global().account_lookup("link", outcome);
        found
    }

    /// For logs: `file data/accounts.yaml` or `http https://...`.
    pub fn describe(&self) -> String {
        match self {
            AccountSource::File(f) => format!("file {}", f.name()),
            AccountSource::Http(h) => format!("http {}", h.config().base_url),
        }
    }
}

/// A personal answer, or why there is none (then give the general FAQ answer).
#[derive(Clone, Debug)]
pub enum Personalized {
    Answered(DecisionResult),
    /// The decision id (from an entry's `decision:`) is not in the rule book.
    UnknownDecision(String),
    AccountNotFound,
    Unavailable(String),
}

/// Looks the account up and evaluates one decision for it.
pub async fn personalize(
    book: &RuleBook,
    source: &AccountSource,
    decision: &str,
    account_id: &str,
    today: NaiveDate,
) -> Personalized {
    if book.decision(decision).is_none() {
        return Personalized::UnknownDecision(decision.to_owned());
    }
    match source.account(account_id).await {
        AccountLookup::Found(a) => match book.evaluate(decision, &a.facts(), today) {
            Ok(r) => Personalized::Answered(r),
            Err(e) => Personalized::UnknownDecision(e.0),
        },
        AccountLookup::NotFound => Personalized::AccountNotFound,
        AccountLookup::Unavailable(why) => Personalized::Unavailable(why),
    }
}
