//! Answering one question, optionally for one advertiser account: the flow
//! `doum ask`, the KakaoTalk skill and the agent page share.
//!
//! 1. rank entries for the question ([`SearchEngine::rank`]);
//! 2. pick the entry that answers and its decision ([`choice::answering`]:
//!    not blindly the first hit when close candidates carry different
//!    decisions, never another topic's decision than the question names);
//! 3. if there is a decision and an account is given, look the account up
//!    and evaluate the decision ([`crate::accounts::personalize`]).
//!
//! [`choice`] also says how sure the search is ([`choice::confidence`]): the
//! chatbot's choice between one answer, a list and "not found", and the one
//! answer that pages, the API and `doum search` show ([`sure`]).
//!
//! When the account cannot be used (unknown, the account API down, slow or
//! answering garbage) the answer is the general entry, with the reason kept
//! for logs and agents: never an error page, never someone else's facts.

pub mod cache;
pub mod choice;
pub mod sure;

use std::path::Path;
use std::sync::Arc;

use anyhow::Result;
use chrono::NaiveDate;

pub use choice::{Choice, LIST_LEN, Verdict};

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
    /// The decisions' topic words, to match a question's topic.
    topics: choice::Topics,
    /// The choices of recent questions.
    choices: cache::ChoiceCache,
    /// The sure answers of recent searches.
    sure: sure::SureCache,
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
    /// Nothing relevant was found, so no entry's decision was evaluated:
    /// the first candidate is a guess, and a personal answer to a guess
    /// would mislead. Also when the chatbot does not answer from the help
    /// center at all ([`Answer::instead`]).
    NoMatch,
}

/// The answer to one question.
pub struct Answer<'a> {
    /// Relevant entries, best first.
    pub candidates: Vec<Ranked<'a>>,
    /// How the chatbot answers the question: with the first entry, with a
    /// list of the candidates, or "not found" ([`Choice::verdict`]).
    pub verdict: Verdict,
    /// When nothing was found, the question corrected into one that is
    /// answered ([`Assistant::correction`]).
    pub correction: Option<String>,
    /// What the chatbot does instead of answering from the help center
    /// (small talk, a request for a person or the menu …), if anything:
    /// then it shows none of the candidates.
    pub instead: Option<crate::chat::Instead>,
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
        Ok(Self::from_parts(
            engine,
            Arc::new(rules),
            Arc::new(accounts),
        ))
    }

    /// An assistant over parts already loaded and validated (a reload keeps
    /// its account source).
    pub fn from_parts(
        engine: Arc<SearchEngine>,
        rules: Arc<RuleBook>,
        accounts: Arc<AccountSource>,
    ) -> Self {
        let topics = choice::Topics::new(&rules, &engine);
        Self {
            engine,
            rules,
            accounts,
            topics,
            choices: cache::ChoiceCache::default(),
            sure: sure::SureCache::default(),
        }
    }

    /// Ranks entries for `question`, puts the entry that answers first
    /// ([`Assistant::choose`]) and, when `account_id` is given and there is a
    /// decision for it, evaluates the decision for that account as of `today`.
    pub async fn ask(
        &self,
        question: &str,
        account_id: Option<&str>,
        today: NaiveDate,
    ) -> Result<Answer<'_>, SearchError> {
        let choice = self.choose(question)?;
        let correction = self.correction_if_nothing(question, &choice);
        Ok(self
            .answer(question, choice, correction, account_id, today)
            .await)
    }

    /// [`Self::correction`] when `choice` (for `question`) found nothing.
    pub fn correction_if_nothing(&self, question: &str, choice: &Choice<'_>) -> Option<String> {
        (choice.verdict() == Verdict::Nothing)
            .then(|| self.correction(question))
            .flatten()
    }

    /// The answer for `question`, already chosen ([`Self::choose`]), with
    /// its [`Self::correction_if_nothing`]: the decision evaluated for
    /// `account_id`, unless the verdict is "not found" or the chatbot does
    /// not answer from the help center ([`Personal::NoMatch`]).
    pub async fn answer<'a>(
        &self,
        question: &str,
        choice: Choice<'a>,
        correction: Option<String>,
        account_id: Option<&str>,
        today: NaiveDate,
    ) -> Answer<'a> {
        let verdict = choice.verdict();
        // The categories the chatbot lists when one is typed alone, as the
        // skill reads them for each request.
        let main_categories = crate::chat::skill::main_categories(self.engine.content());
        let instead = crate::chat::Instead::of(question, verdict, &main_categories);
        let personal = match (verdict, instead, account_id) {
            (Verdict::Nothing, _, Some(_)) | (_, Some(_), Some(_)) => Personal::NoMatch,
            _ => {
                self.personal(choice.decision.as_deref(), account_id, today)
                    .await
            }
        };
        Answer {
            candidates: choice.ranked,
            verdict,
            correction,
            instead,
            personal,
        }
    }

    /// The ranking for `question` with the entry that answers first, its
    /// decision and the search's confidence ([`choice::choose`]); the same
    /// choice again for a question asked recently ([`cache::ChoiceCache`]).
    pub fn choose(&self, question: &str) -> Result<choice::Choice<'_>, SearchError> {
        let content = self.engine.content();
        if let Some(choice) = self.choices.get(question, content) {
            return Ok(choice);
        }
        let choice = choice::choose(&self.engine, &self.topics, question)?;
        self.choices.put(question, &choice, content);
        Ok(choice)
    }

    /// For a question nothing answers: the question corrected as the
    /// no-result page corrects it ([`SearchEngine::correction`]), when the
    /// corrected question would be answered, with one entry or a list. The
    /// chatbot's not-found card offers it ("혹시 ‘…’ 말씀이신가요?"), and
    /// so does `doum ask`.
    pub fn correction(&self, question: &str) -> Option<String> {
        let fixed = self.engine.correction(question)?;
        let choice = self.choose(&fixed).ok()?;
        (choice.verdict() != Verdict::Nothing).then_some(fixed)
    }

    /// Whether the choice for `question` is remembered (see [`Self::choose`]).
    pub fn remembers(&self, question: &str) -> bool {
        self.choices.contains(question)
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

impl Personal {
    /// The one line a reader gets when there is no personal answer although an
    /// account was given (`None` when there is nothing to say).
    pub fn notice(&self) -> Option<&'static str> {
        match self {
            Personal::NoAccount | Personal::Answered(_) => None,
            Personal::NoDecision => {
                Some("이 도움말에는 계정별 맞춤 안내가 없어 일반 안내를 드려요")
            }
            Personal::AccountNotFound => Some("계정을 찾을 수 없어 일반 안내를 드려요"),
            Personal::Unavailable(_) => {
                Some("지금은 계정 정보를 확인할 수 없어 일반 안내를 드려요")
            }
            Personal::NoMatch => Some("질문에 맞는 도움말을 찾지 못해 맞춤 안내를 드리지 않아요"),
        }
    }

    /// A stable name for machines: `answered`, `no_account`, `no_decision`,
    /// `account_not_found`, `account_unavailable`, `no_match`.
    pub fn status(&self) -> &'static str {
        match self {
            Personal::NoAccount => "no_account",
            Personal::NoDecision => "no_decision",
            Personal::Answered(_) => "answered",
            Personal::AccountNotFound => "account_not_found",
            Personal::Unavailable(_) => "account_unavailable",
            Personal::NoMatch => "no_match",
        }
    }
}

/// What is printed when no entry matches the question.
pub const NO_MATCH: &str = "관련된 도움말을 찾지 못했어요. 다른 단어로 다시 물어봐 주세요.";

/// Header of `doum ask`'s list when the chatbot would answer with one.
pub const LIST_HEADER: &str =
    "※ 딱 맞는 답을 하나로 정하지 못했어요. 챗봇은 이 중에서 고르게 해요:";
/// Before the first entry's answer under such a list.
pub const FIRST_PICKED: &str = "1번을 고르면 받는 답변:";
/// Before the nearest entries when nothing relevant was found.
pub const NEAREST: &str = "가장 가까운 도움말 (질문에 맞지 않아요):";

/// The answer as text, for `doum ask` and the agent page's preview: what
/// the chatbot would answer, by the same [`Verdict`].
///
/// - what the chatbot does instead, when it does not answer from the help
///   center ([`Answer::instead`]), and nothing else;
/// - "not found": [`NO_MATCH`], the question corrected as the chatbot
///   offers it when there is one, then the nearest entries' ids, nothing
///   personal;
/// - a list: [`LIST_HEADER`] and the entries worth listing
///   ([`choice::worth_listing`], at most [`LIST_LEN`]), numbered, with
///   their titles and paths, then what picking the first gives:
/// - the best entry's title, breadcrumb and article path;
/// - the personal answer when there is one (one paragraph per record, with
///   the record's label), otherwise the entry's body text, preceded by the
///   reason when an account was given but could not be used;
/// - with `explain`, every evaluation's trace ([`crate::rules::Evaluation::explain`])
///   and the technical reason when the account system was unavailable;
/// - after one answer, the other candidates' ids, as "다른 도움말".
pub fn render_text(answer: &Answer<'_>, explain: bool) -> String {
    use std::fmt::Write as _;

    let mut s = String::new();
    if let Some(instead) = answer.instead {
        let _ = writeln!(s, "{}", instead.describe());
        return s;
    }
    let Some(best) = answer.best() else {
        no_match(&mut s, answer.correction.as_deref());
        return s;
    };
    match answer.verdict {
        Verdict::Nothing => {
            no_match(&mut s, answer.correction.as_deref());
            let nearest: Vec<&str> = answer
                .candidates
                .iter()
                .take(3)
                .map(|r| r.entry.id.as_str())
                .collect();
            let _ = writeln!(s, "\n{NEAREST} {}", nearest.join(", "));
            return s;
        }
        Verdict::Several => {
            let _ = writeln!(s, "{LIST_HEADER}");
            let top = answer.candidates[0].score;
            for (n, r) in answer
                .candidates
                .iter()
                .filter(|r| choice::worth_listing(top, r.score))
                .take(LIST_LEN)
                .enumerate()
            {
                let _ = writeln!(
                    s,
                    "{}. {}  {}",
                    n + 1,
                    r.entry.title,
                    crate::search::engine::article_path(r.entry.id.as_str())
                );
            }
            let _ = writeln!(s, "\n{FIRST_PICKED}");
        }
        Verdict::Clear => {}
    }
    let _ = writeln!(s, "{}", best.title);
    let _ = writeln!(s, "{}", best.category.breadcrumb(&best.service));
    let _ = writeln!(
        s,
        "{}",
        crate::search::engine::article_path(best.id.as_str())
    );
    s.push('\n');
    match &answer.personal {
        Personal::Answered(r) => {
            let _ = writeln!(s, "[맞춤 안내] {}", r.title);
            for e in &r.results {
                match &e.record {
                    Some(label) => {
                        let _ = writeln!(s, "- {label}: {}", one_line(&e.answer));
                    }
                    None => {
                        let _ = writeln!(s, "{}", one_line(&e.answer));
                    }
                }
            }
            if explain {
                s.push_str("\n[판단 근거]\n");
                for e in &r.results {
                    let _ = writeln!(s, "{}", e.explain());
                }
            }
        }
        other => {
            if let Some(notice) = other.notice() {
                let _ = writeln!(s, "※ {notice}");
                if let (true, Personal::Unavailable(why)) = (explain, other) {
                    let _ = writeln!(s, "  (원인: {why})");
                }
                s.push('\n');
            }
            let _ = writeln!(s, "{}", best.reading_text().trim_end());
        }
    }
    if answer.verdict == Verdict::Several {
        return s;
    }
    let others: Vec<&str> = answer
        .candidates
        .iter()
        .skip(1)
        .take(3)
        .map(|r| r.entry.id.as_str())
        .collect();
    if !others.is_empty() {
        let _ = writeln!(s, "\n다른 도움말: {}", others.join(", "));
    }
    s
}

/// [`NO_MATCH`], then the corrected question the chatbot offers, if any.
fn no_match(s: &mut String, correction: Option<&str>) {
    use std::fmt::Write as _;
    let _ = writeln!(s, "{NO_MATCH}");
    if let Some(fixed) = correction {
        let _ = writeln!(s, "혹시 ‘{fixed}’ 말씀이신가요?");
    }
}

/// Folded YAML answers may keep line breaks; a list item reads better on one line.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The answer as JSON (`doum ask --json`).
#[derive(Debug, serde::Serialize)]
pub struct AnswerView<'a> {
    /// The question as asked.
    pub question: &'a str,
    /// The account asked for, if any.
    pub account_id: Option<&'a str>,
    /// The date decisions were evaluated on.
    pub today: NaiveDate,
    /// How the chatbot answers: `answer` (the best entry), `list` (the
    /// candidates to pick from) or `not_found` ([`Verdict::name`]); or,
    /// when it does not answer from the help center, `small_talk`,
    /// `forget`, `handoff`, `menu` or `category` ([`crate::chat::Instead::name`]).
    pub verdict: &'static str,
    /// When nothing was found, the corrected question the chatbot offers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correction: Option<&'a str>,
    /// The entry the chatbot shows: its one answer, or the first of its
    /// list; `None` (JSON `null`) when it finds nothing or does not answer
    /// from the help center, so that no program shows a guess.
    pub best: Option<EntryView<'a>>,
    /// The personal part.
    pub personal: PersonalView<'a>,
    /// Every relevant entry, best first.
    pub candidates: Vec<CandidateView<'a>>,
}

/// The best entry in [`AnswerView`].
#[derive(Debug, serde::Serialize)]
pub struct EntryView<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub breadcrumb: String,
    pub url: String,
    pub updated: NaiveDate,
    pub decision: Option<&'a str>,
    pub body_text: std::borrow::Cow<'a, str>,
}

/// The personal part in [`AnswerView`].
#[derive(Debug, serde::Serialize)]
pub struct PersonalView<'a> {
    /// See [`Personal::status`].
    pub status: &'static str,
    /// See [`Personal::notice`].
    pub notice: Option<&'static str>,
    /// Why the account system could not be used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<&'a str>,
    /// The evaluated decision, when answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<&'a crate::rules::DecisionResult>,
}

/// A candidate in [`AnswerView`].
#[derive(Debug, serde::Serialize)]
pub struct CandidateView<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub score: f32,
}

impl<'a> AnswerView<'a> {
    /// The JSON view of `answer`.
    pub fn new(
        answer: &'a Answer<'a>,
        question: &'a str,
        account_id: Option<&'a str>,
        today: NaiveDate,
    ) -> Self {
        let shown = answer.instead.is_none() && answer.verdict != Verdict::Nothing;
        let best = answer.best().filter(|_| shown).map(|e| EntryView {
            id: e.id.as_str(),
            title: &e.title,
            breadcrumb: e.category.breadcrumb(&e.service),
            url: crate::search::engine::article_path(e.id.as_str()),
            updated: e.updated,
            decision: e.decision.as_deref(),
            body_text: e.body.text(),
        });
        let p = &answer.personal;
        let personal = PersonalView {
            status: p.status(),
            notice: p.notice(),
            reason: match p {
                Personal::Unavailable(why) => Some(why),
                _ => None,
            },
            result: match p {
                Personal::Answered(r) => Some(r),
                _ => None,
            },
        };
        Self {
            question,
            account_id,
            today,
            verdict: answer
                .instead
                .map_or(answer.verdict.name(), crate::chat::Instead::name),
            correction: answer.correction.as_deref(),
            best,
            personal,
            candidates: answer
                .candidates
                .iter()
                .map(|r| CandidateView {
                    id: r.entry.id.as_str(),
                    title: &r.entry.title,
                    score: r.score,
                })
                .collect(),
        }
    }
}
