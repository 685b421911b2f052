//! Answering one question, optionally for one advertiser account: the flow
//! `doum ask`, the KakaoTalk skill and the agent page share.
//!
//! 1. rank entries for the question ([`SearchEngine::rank`]);
//! 2. take the best entry;
//! 3. if it names a `decision:` and an account is given, look the account up
//!    and evaluate the decision ([`crate::accounts::personalize`]).
//!
//! When the account cannot be used (unknown, the account API down, slow or
//! answering garbage) the answer is the general entry, with the reason kept
//! for logs and agents: never an error page, never someone else's facts.

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use chrono::NaiveDate;

use crate::accounts::{AccountSource, Personalized, personalize};
use crate::content::Entry;
use crate::rules::RuleBook;
use crate::search::{Ranked, SearchEngine, SearchError};

/// Search, rules and account facts together.
pub struct Assistant {
    /// The search engine (and through it, the content).
    pub engine: Arc<SearchEngine>,
    /// The decisions.
    pub rules: Arc<RuleBook>,
    /// Where account facts come from.
    pub accounts: Arc<AccountSource>,
}

/// What is known of the asker's account for the best entry.
#[derive(Debug)]
pub enum Personal {
    /// No account was given.
    NoAccount,
    /// The best entry names no decision: the general answer is the answer.
    NoDecision,
    /// The decision was evaluated for the account.
    Answered(crate::rules::DecisionResult),
    /// The account is not known to the account system.
    AccountNotFound,
    /// The account system could not be used; the reason is for logs and agents.
    Unavailable(String),
}

/// The answer to one question.
pub struct Answer<'a> {
    /// Relevant entries, best first.
    pub candidates: Vec<Ranked<'a>>,
    /// The personal part, for the best entry.
    pub personal: Personal,
}

impl Answer<'_> {
    /// The best entry, if any.
    pub fn best(&self) -> Option<&Entry> {
        self.candidates.first().map(|r| r.entry)
    }
}

impl Assistant {
    /// Loads the rule book for the engine's content (validated against its
    /// entry ids) and wraps everything.
    pub fn new(
        engine: Arc<SearchEngine>,
        content_dir: &Path,
        accounts: AccountSource,
    ) -> Result<Self> {
        let content = Arc::clone(engine.content());
        let rules = RuleBook::load(content_dir, &|id| content.get(id).is_some()).map_err(|e| {
            anyhow::anyhow!(
                "{e}\nfix the rules in {} and try again",
                content_dir.display()
            )
        })?;
        Ok(Self {
            engine,
            rules: Arc::new(rules),
            accounts: Arc::new(accounts),
        })
    }

    /// Ranks entries for `question` and, when `account_id` is given and the
    /// best entry names a decision, evaluates it for that account as of `today`.
    pub async fn ask(
        &self,
        question: &str,
        account_id: Option<&str>,
        today: NaiveDate,
    ) -> Result<Answer<'_>, SearchError> {
        let candidates = self.engine.rank(question)?;
        let decision = candidates.first().and_then(|r| r.entry.decision.clone());
        let personal = self.personal(decision.as_deref(), account_id, today).await;
        Ok(Answer {
            candidates,
            personal,
        })
    }

    /// The personal answer for one entry's decision.
    pub async fn personal(
        &self,
        decision: Option<&str>,
        account_id: Option<&str>,
        today: NaiveDate,
    ) -> Personal {
        let Some(account_id) = account_id else {
            return Personal::NoAccount;
        };
        let Some(decision) = decision else {
            return Personal::NoDecision;
        };
        match personalize(&self.rules, &self.accounts, decision, account_id, today).await {
            Personalized::Answered(r) => Personal::Answered(r),
            Personalized::UnknownDecision(_) => Personal::NoDecision,
            Personalized::AccountNotFound => Personal::AccountNotFound,
            Personalized::Unavailable(why) => Personal::Unavailable(why),
        }
    }
}
