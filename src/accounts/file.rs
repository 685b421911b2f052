//! The `file` account source: a YAML or JSON file with `accounts:` and `links:`.
//!
//! ```yaml
//! accounts:
//!   - account_id: A-1001        # the account API's JSON contract, one item per account
//!     advertiser_type: individual
//!     ...
//! links:                          # Kakao users linked to ad accounts
//!   plusfriend_user_key: { "pfk-7f3a9c": A-1001 }
//!   app_user_id: { "812345678": A-1002 }
//! ```

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use serde::Deserialize;

use super::model::Account;
use super::{AccountLookup, KakaoUserRef, LinkLookup};

/// The sample accounts shipped with doum (`data/accounts.yaml`), embedded in the binary.
pub const SAMPLE_ACCOUNTS: &str = include_str!("../../data/accounts.yaml");

/// Accounts and Kakao links read from a file, held in memory.
#[derive(Clone, Debug, Default)]
pub struct FileSource {
    name: String,
    accounts: HashMap<String, Arc<Account>>,
    plusfriend: BTreeMap<String, String>,
    app_user: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct RawFile {
    accounts: Vec<Account>,
    #[serde(default)]
    links: RawLinks,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLinks {
    #[serde(default)]
    plusfriend_user_key: BTreeMap<String, String>,
    #[serde(default)]
    app_user_id: BTreeMap<String, String>,
}

impl FileSource {
    /// Reads a `.yaml`/`.yml` or `.json` accounts file.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read accounts file {}", path.display()))?;
        let json = path.extension().and_then(|e| e.to_str()) == Some("json");
        Self::parse(&text, &path.display().to_string(), json)
    }

    /// The embedded sample (`data/accounts.yaml`).
    pub fn sample() -> Self {
        Self::parse(SAMPLE_ACCOUNTS, "data/accounts.yaml (embedded)", false)
            .expect("the embedded sample accounts file is valid (tested)")
    }

    /// Parses accounts file text; `name` is used in messages.
    pub fn parse(text: &str, name: &str, json: bool) -> anyhow::Result<Self> {
        let raw: RawFile = if json {
            serde_json::from_str(text).with_context(|| format!("{name}: invalid accounts JSON"))?
        } else {
            serde_yaml::from_str(text).with_context(|| format!("{name}: invalid accounts YAML"))?
        };
        let mut accounts = HashMap::new();
        for a in raw.accounts {
            let id = a.account_id.clone();
            if accounts.insert(id.clone(), Arc::new(a)).is_some() {
                bail!("{name}: account {id} appears twice");
            }
        }
        for (kind, map) in [
            ("plusfriend_user_key", &raw.links.plusfriend_user_key),
            ("app_user_id", &raw.links.app_user_id),
        ] {
            for (key, id) in map {
                if !accounts.contains_key(id) {
                    bail!("{name}: links.{kind}.{key} points to unknown account {id}");
                }
            }
        }
        Ok(FileSource {
            name: name.to_owned(),
            accounts,
            plusfriend: raw.links.plusfriend_user_key,
            app_user: raw.links.app_user_id,
        })
    }

    /// Where the accounts came from.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn account(&self, id: &str) -> AccountLookup {
        match self.accounts.get(id) {
            Some(a) => AccountLookup::Found(a.clone()),
            None => AccountLookup::NotFound,
        }
    }

    pub fn link(&self, user: &KakaoUserRef) -> LinkLookup {
        let found = match user {
            KakaoUserRef::PlusfriendUserKey(k) => self.plusfriend.get(k),
            KakaoUserRef::AppUserId(k) => self.app_user.get(k),
        };
        match found {
            Some(id) => LinkLookup::Linked(id.clone()),
            None => LinkLookup::NotLinked,
        }
    }

    /// All account ids, sorted.
    pub fn account_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.accounts.keys().map(String::as_str).collect();
        ids.sort();
        ids
    }

    /// All accounts, sorted by id.
    pub fn accounts(&self) -> Vec<Arc<Account>> {
        self.account_ids()
            .into_iter()
            .map(|id| self.accounts[id].clone())
            .collect()
    }
}
