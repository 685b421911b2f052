//! One skill call, end to end, without HTTP: the orchestration the `POST /kakao/skill`
//! handler (and any test or tool) calls.
//!
//! [`handle`] parses nothing (the caller hands it a [`SkillRequest`]); it reads the
//! [`Turn`], fetches what [`Turn::lookup`] asks for from the search engine, turns entries
//! into [`Candidate`]s, and when the featured entry names a decision, looks up the ad
//! account linked to the Kakao user and asks the rules engine
//! ([`Assistant::personal`]) for a personal answer. Then [`answer`] builds the response.
//!
//! # Time
//!
//! Open Builder gives a skill 5 seconds. The account work (link lookup + account lookup)
//! gets [`SkillConfig::account_time_box`] (1.5 s by default). When it has not finished by
//! then:
//!
//! - if the request carries a `callbackUrl` on an allowed host (see
//!   [`SkillConfig::callback_allow`]), [`handle`] answers at once with [`callback_ack`]
//!   (`useCallback: true`) and a spawned task keeps waiting for the account work (up to
//!   [`SkillConfig::callback_wait`]), then POSTs the final [`SkillResponse`] to the callback
//!   URL (valid once, for one minute). The outcome is logged;
//! - otherwise the general answer is given at once (the account counts as unavailable).
//!
//! # Callback URLs
//!
//! The callback URL comes from the request, so it is checked before anything is sent to
//! it: it must parse, carry no user name or password, and either be `https` on a host
//! that is, or ends in `.` + , one of the host suffixes in [`SkillConfig::callback_allow`]
//! (default [`DEFAULT_CALLBACK_HOSTS`]: `kakao.com`, `kakaoenterprise.com`), or have
//! exactly an origin listed there (`http://127.0.0.1:PORT`: the way tests allow a local
//! server; never configure it in production). Redirects are not followed.
//!
//! # How sure the search is, and which entry answers
//!
//! Both come from the core ([`crate::ask::choice`]), shared with `doum ask` and the
//! agent preview: [`Assistant::choose`] ranks, puts the entry that answers first (with
//! the decision to personalize it with) and says how sure it is; the dialogue turns the
//! confidence into one answer, a list or "not found".

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use reqwest::Url;

use super::dialogue::{
    Candidate, ChatConfig, DialogueInput, Forgotten, LinkStatus, PersonalAnswer, Verdict, answer,
    callback_ack, featured,
};
use super::handling::{Handling, handling};
use super::kakao::request::SkillRequest;
use super::kakao::response::SkillResponse;
use super::requests::Request;
use super::turn::{Lookup, Turn};
use crate::accounts::{KakaoUserRef, LinkLookup};
use crate::ask::choice::Choice;
use crate::ask::{Assistant, Personal};
use crate::content::{Content, Entry};
use crate::rules::DecisionResult;

/// Host suffixes Kakao's callback URLs live on.
pub const DEFAULT_CALLBACK_HOSTS: [&str; 2] = ["kakao.com", "kakaoenterprise.com"];
/// Default time box of the account work within the skill's 5 seconds.
pub const DEFAULT_ACCOUNT_TIME_BOX: Duration = Duration::from_millis(1500);
/// Default wait for the account work on the callback path (the URL lives one minute).
pub const DEFAULT_CALLBACK_WAIT: Duration = Duration::from_secs(40);
/// How long a write the customer waits for (deleting their chat history, a
/// vote on an answer) may take within the skill's 5 seconds; past it they
/// are told it could not be done now.
pub const STORE_TIME_BOX: Duration = Duration::from_secs(3);
/// Timeout of the POST to the callback URL.
pub const CALLBACK_POST_TIMEOUT: Duration = Duration::from_secs(10);

/// Everything a skill call needs besides the [`Assistant`].
#[derive(Debug, Clone)]
pub struct SkillConfig {
    /// Links, main categories, account-linking page.
    pub chat: ChatConfig,
    /// How long the account work may take before the general answer (or the callback
    /// path) is chosen.
    pub account_time_box: Duration,
    /// How long the callback path waits for the account work before giving up on the
    /// personal answer.
    pub callback_wait: Duration,
    /// Where callbacks may go: host suffixes (`kakao.com` allows `kakao.com` and
    /// `*.kakao.com`, https only), or exact origins written with their scheme
    /// (`http://127.0.0.1:8081`, for tests).
    pub callback_allow: Vec<String>,
    /// Whether the skill call is authenticated, so that it may act for the
    /// Kakao user it names: look up their account for personal answers, and
    /// delete their chat history when they ask ([`Turn::Forget`]). Off by
    /// default: only a caller that has authenticated the skill call (the web
    /// layer, with the skill secret) turns it on; off, every answer is the
    /// general one and nothing is deleted.
    pub personal_answers: bool,
    /// Where each question's outcome is recorded (see [`turn_event`]); `None`: nowhere.
    pub analytics: Option<Arc<crate::analytics::Recorder>>,
}

impl SkillConfig {
    /// Defaults: 1.5 s time box, Kakao's callback hosts, no personal answers.
    pub fn new(chat: ChatConfig) -> Self {
        SkillConfig {
            chat,
            account_time_box: DEFAULT_ACCOUNT_TIME_BOX,
            callback_wait: DEFAULT_CALLBACK_WAIT,
            callback_allow: default_callback_allow(),
            personal_answers: false,
            analytics: None,
        }
    }
}

/// The analytics event of a turn with a question (how it ended, by the same
/// [`super::verdict`] the answer is built from); `None` for other turns.
pub fn turn_event(req: &SkillRequest, input: &DialogueInput) -> Option<crate::analytics::Event> {
    use crate::analytics::{ChatOutcome, Event, hash_user, now};
    let Turn::Ask { query } = &input.turn else {
        return None;
    };
    if query.is_empty() {
        return None;
    }
    let outcome = match handling(query, &input.candidates, input.confidence) {
        Handling::Search(Verdict::Clear) => ChatOutcome::Direct,
        Handling::Search(Verdict::Several) => ChatOutcome::List,
        Handling::Search(Verdict::Nothing) => ChatOutcome::NotFound,
        Handling::Request(Request::Person) => ChatOutcome::Handoff,
        // Going back to the menu is not a question.
        Handling::Request(Request::Menu) => return None,
    };
    Some(Event::ChatTurn {
        at: now(),
        user: kakao_user_refs(req).first().map(|r| hash_user(r.key())),
        query: query.clone(),
        outcome,
        entry_id: (outcome == ChatOutcome::Direct)
            .then(|| input.candidates.first().map(|c| c.id.clone()))
            .flatten(),
    })
}

/// [`DEFAULT_CALLBACK_HOSTS`] as owned strings.
pub fn default_callback_allow() -> Vec<String> {
    DEFAULT_CALLBACK_HOSTS
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// The top-level categories of the content, in the order they first appear: offered as
/// quick replies when nothing matched.
pub fn main_categories(content: &Content) -> Vec<String> {
    content
        .catalog()
        .tops_as_filed()
        .map(|c| c.path.clone())
        .collect()
}

/// The request's callback URL, if it may be POSTed to (see the module docs).
pub fn callback_target(req: &SkillRequest, allow: &[String]) -> Option<Url> {
    let raw = req.user_request.callback_url.as_deref()?.trim();
    if raw.is_empty() {
        return None;
    }
    let url = Url::parse(raw).ok()?;
    if !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    let origin = url.origin().ascii_serialization();
    let ok = allow.iter().any(|a| {
        let a = a.trim().trim_end_matches('/').to_ascii_lowercase();
        if a.starts_with("http://") || a.starts_with("https://") {
            origin == a
        } else {
            let suffix = a.trim_start_matches("*.").trim_start_matches('.');
            !suffix.is_empty()
                && url.scheme() == "https"
                && (host == suffix || host.ends_with(&format!(".{suffix}")))
        }
    });
    ok.then_some(url)
}

/// The Kakao user's ids to look a link up by, most stable first.
pub fn kakao_user_refs(req: &SkillRequest) -> Vec<KakaoUserRef> {
    let keys = req.user_keys();
    let mut refs = Vec::new();
    if let Some(k) = keys.plusfriend_user_key {
        refs.push(KakaoUserRef::PlusfriendUserKey(k));
    }
    if let Some(k) = keys.app_user_id {
        refs.push(KakaoUserRef::AppUserId(k));
    }
    refs
}

/// An entry as a dialogue candidate.
pub fn candidate(entry: &Entry, content: &Content, score: f32) -> Candidate {
    Candidate {
        id: entry.id.to_string(),
        title: entry.title.to_string(),
        // The card is read without the page: a table's rows with their headers.
        summary_text: entry.reading_text(),
        category_breadcrumb: entry.category.levels().to_vec(),
        score,
        related: entry
            .related
            .iter()
            .filter_map(|id| content.get(id.as_str()))
            .map(|e| (e.id.to_string(), e.title.to_string()))
            .collect(),
        decision: entry.decision.as_deref().map(str::to_owned),
    }
}

/// The rules engine's result as the chat's personal answer: every record's answer.
pub fn personal_answer(r: &DecisionResult) -> PersonalAnswer {
    let text = match r.results.as_slice() {
        [one] if !r.per_record || one.record.is_none() => one.answer.trim().to_owned(),
        many => many
            .iter()
            .map(|e| match &e.record {
                Some(rec) => format!("• {rec}: {}", e.answer.trim()),
                None => format!("• {}", e.answer.trim()),
            })
            .collect::<Vec<_>>()
            .join("\n"),
    };
    PersonalAnswer {
        text,
        label: r.title.clone(),
    }
}

/// The chat candidates of a question's [`Choice`], the best `limit`: the first carries the
/// decision chosen for it.
pub fn search_candidates(choice: &Choice, content: &Content, limit: usize) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = choice
        .ranked
        .iter()
        .take(limit)
        .map(|r| candidate(r.entry, content, r.score))
        .collect();
    if let Some(first) = out.first_mut() {
        first.decision = choice.decision.clone();
    }
    out
}

/// What the chatbot shows for a search `question` (one answer, a list or
/// "not found") and the ranked ids behind it: what `doum eval --chat` and the
/// quality tests measure.
pub fn chat_outcome(
    engine: &crate::search::SearchEngine,
    topics: &crate::ask::choice::Topics,
    question: &str,
) -> (crate::search::eval::ChatOutcome, Vec<String>) {
    use super::dialogue::{Verdict, visible};
    use super::handling::{Handling, handling};
    use super::turn::PAGE_SIZE;
    use crate::search::eval::ChatOutcome;
    // A greeting or thanks is answered in kind, with no entry (as the skill does).
    if !matches!(Turn::asking(question.to_owned()), Turn::Ask { .. }) {
        return (ChatOutcome::NotFound, Vec::new());
    }
    let Ok(choice) = crate::ask::choice::choose(engine, topics, question) else {
        return (ChatOutcome::NotFound, Vec::new());
    };
    let ranked = choice
        .ranked
        .iter()
        .map(|r| r.entry.id.to_string())
        .collect();
    let candidates = search_candidates(&choice, engine.content(), PAGE_SIZE + 1);
    let outcome = match handling(question, &candidates, choice.confidence) {
        Handling::Search(Verdict::Clear) => ChatOutcome::Direct(candidates[0].id.clone()),
        Handling::Search(Verdict::Several) => ChatOutcome::List(
            visible(&candidates)
                .iter()
                .take(PAGE_SIZE)
                .map(|c| c.id.clone())
                .collect(),
        ),
        // The 상담원 button or the menu: no entry shown, as "not found".
        Handling::Search(Verdict::Nothing) | Handling::Request(_) => ChatOutcome::NotFound,
    };
    (outcome, ranked)
}

/// The turn, what was fetched for it, and the search's confidence.
fn prepare(assistant: &Assistant, cfg: &ChatConfig, req: &SkillRequest) -> DialogueInput {
    let engine = &assistant.engine;
    let content = engine.content();
    let turn = Turn::from_request(req, cfg);
    let mut input = DialogueInput::new(turn.clone());
    input.reply_block_id = req.block_id().map(str::to_owned);
    match turn.lookup() {
        Lookup::Nothing => {}
        Lookup::Search { query, limit } => match assistant.choose(&query) {
            Ok(choice) => {
                input.candidates = search_candidates(&choice, content, limit);
                if matches!(turn, Turn::Ask { .. }) {
                    input.confidence = choice.confidence;
                    input.correction = assistant.correction_if_nothing(&query, &choice);
                }
            }
            Err(e) => tracing::error!("kakao skill: search failed: {e}"),
        },
        Lookup::Category { path, limit } => {
            // As the category's page lists them: newest first, from the
            // catalog's tree (not the path's levels joined per entry).
            let catalog = content.catalog();
            if let Some(here) = catalog.find(&path) {
                input.candidates = catalog
                    .newest_in(content, here)
                    .take(limit)
                    .map(|e| candidate(e, content, 1.0))
                    .collect();
                input.category_label = Some(here.label().to_owned());
            }
        }
        Lookup::Entry { id } => {
            input.candidates = content
                .get(&id)
                .map(|e| candidate(e, content, 1.0))
                .into_iter()
                .collect();
        }
    }
    input
}

/// Stores a vote on an answer ([`Turn::Vote`]) as the article page does (a
/// vote on the entry, committed before the reply; [`crate::analytics::Recorder::vote`]),
/// with the question the entry answered,
/// within [`STORE_TIME_BOX`]. `false` when it was not stored: analytics
/// off, an id the content does not have, a slow or failing store.
async fn vote(
    assistant: &Arc<Assistant>,
    cfg: &SkillConfig,
    id: &str,
    helpful: bool,
    question: Option<&str>,
) -> bool {
    let Some(recorder) = cfg.analytics.clone() else {
        return false;
    };
    if assistant.engine.content().get(id).is_none() {
        tracing::warn!("kakao skill: a vote on `{id}`, which the content does not have");
        return false;
    }
    let vote = crate::analytics::Vote::new(id, helpful, None).for_question(question);
    within_store_time_box("storing a vote", move || recorder.vote(&vote))
        .await
        .is_some()
}

/// Runs a store write the customer waits for (`what` names it in the log)
/// on the blocking pool, within [`STORE_TIME_BOX`]; `None`, logged, when it
/// failed, panicked or took longer.
async fn within_store_time_box<T: Send + 'static>(
    what: &str,
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Option<T> {
    match tokio::time::timeout(STORE_TIME_BOX, tokio::task::spawn_blocking(work)).await {
        Ok(Ok(Ok(done))) => Some(done),
        Ok(Ok(Err(e))) => {
            tracing::error!("kakao skill: {what} failed: {e:#}");
            None
        }
        Ok(Err(e)) => {
            tracing::error!("kakao skill: {what} failed: {e}");
            None
        }
        Err(_) => {
            tracing::warn!("kakao skill: {what} took over {STORE_TIME_BOX:?}");
            None
        }
    }
}

/// False when questions are recorded but this deployment cannot delete them
/// for the customer: its skill calls are not authenticated, so the Kakao
/// user a call names could be anyone.
fn can_forget(cfg: &SkillConfig) -> bool {
    cfg.analytics.is_none() || cfg.personal_answers
}

/// Deletes the chatbot turns recorded for the Kakao user of `req` (all of
/// the user's keys; see [`crate::analytics::Recorder::forget`]). Only for an
/// authenticated call ([`SkillConfig::personal_answers`]): without the skill
/// secret anyone could name any user ([`Forgotten::Unavailable`]). With
/// analytics off nothing was kept.
async fn forget(cfg: &SkillConfig, req: &SkillRequest) -> Forgotten {
    if !can_forget(cfg) {
        tracing::warn!("kakao skill: chat history not deleted: the call is not authenticated");
        return Forgotten::Unavailable;
    }
    let Some(recorder) = cfg.analytics.clone() else {
        return Forgotten::Deleted(0);
    };
    let keys: Vec<String> = kakao_user_refs(req)
        .iter()
        .map(|r| r.key().to_owned())
        .collect();
    if keys.is_empty() {
        // Turns without a user key are recorded without a user: none are theirs.
        return Forgotten::Deleted(0);
    }
    let deleted = within_store_time_box("deleting the user's chat history", move || {
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        recorder.forget(&keys)
    })
    .await;
    match deleted {
        Some(n) => {
            tracing::info!("kakao skill: deleted {n} chat turn(s) at the user's request");
            Forgotten::Deleted(n)
        }
        None => Forgotten::Failed,
    }
}

/// The account work: the linked account, then the decision for it.
async fn account_work(
    assistant: Arc<Assistant>,
    refs: Vec<KakaoUserRef>,
    decision: String,
    today: NaiveDate,
) -> (LinkStatus, Option<PersonalAnswer>) {
    let mut account = None;
    for r in &refs {
        match assistant.accounts.link(r).await {
            LinkLookup::Linked(id) => {
                account = Some(id);
                break;
            }
            LinkLookup::NotLinked => {}
            LinkLookup::Unavailable(why) => {
                tracing::warn!(
                    kind = r.kind(),
                    "kakao skill: link lookup unavailable: {why}"
                );
                return (LinkStatus::Unavailable, None);
            }
        }
    }
    let Some(account) = account else {
        return (LinkStatus::NotLinked, None);
    };
    match assistant
        .personal(Some(&decision), Some(&account), today)
        .await
    {
        Personal::Answered(r) => (LinkStatus::Linked, Some(personal_answer(&r))),
        Personal::Unavailable(why) => {
            tracing::warn!(%account, "kakao skill: account unavailable: {why}");
            (LinkStatus::Unavailable, None)
        }
        Personal::AccountNotFound => {
            tracing::warn!(%account, "kakao skill: linked account not found");
            (LinkStatus::Linked, None)
        }
        Personal::NoDecision | Personal::NoAccount | Personal::NoMatch => {
            (LinkStatus::Linked, None)
        }
    }
}

/// The callback client: no redirects, [`CALLBACK_POST_TIMEOUT`]. `None` (logged) if it
/// cannot be built: a client without those limits is never used instead.
fn http_client() -> Option<&'static reqwest::Client> {
    static CLIENT: OnceLock<Option<reqwest::Client>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(CALLBACK_POST_TIMEOUT)
                .connect_timeout(CALLBACK_POST_TIMEOUT)
                .build()
                .inspect_err(|e| tracing::error!("kakao callback client cannot be built: {e}"))
                .ok()
        })
        .as_ref()
}

/// POSTs `response` to the callback URL and logs the outcome.
pub async fn post_callback(url: &Url, response: &SkillResponse) -> bool {
    let started = Instant::now();
    let host = url.host_str().unwrap_or("").to_owned();
    let Some(client) = http_client() else {
        tracing::error!(%host, "kakao callback not sent: no HTTP client");
        return false;
    };
    match client
        .post(url.clone())
        .json(&response.to_json())
        .send()
        .await
    {
        Ok(r) if r.status().is_success() => {
            tracing::info!(%host, status = r.status().as_u16(), ms = started.elapsed().as_millis() as u64, "kakao callback sent");
            true
        }
        Ok(r) => {
            tracing::warn!(%host, status = r.status().as_u16(), "kakao callback refused");
            false
        }
        Err(e) => {
            tracing::warn!(%host, "kakao callback failed: {e}");
            false
        }
    }
}

/// [`prepare`] on the blocking pool: analysis and ranking are CPU work that must not hold
/// an async worker. `None` if it panicked (logged).
async fn prepare_blocking(
    assistant: &Arc<Assistant>,
    chat: &ChatConfig,
    req: &SkillRequest,
) -> Option<DialogueInput> {
    let (assistant, chat, req) = (Arc::clone(assistant), chat.clone(), req.clone());
    tokio::task::spawn_blocking(move || prepare(&assistant, &chat, &req))
        .await
        .inspect_err(|e| tracing::error!("kakao skill: preparing the answer failed: {e}"))
        .ok()
}

/// Answers one skill call (see the module docs). Never fails; on the callback path it
/// returns [`callback_ack`] and a spawned task POSTs the final answer. Without
/// [`SkillConfig::personal_answers`] no account is looked up and no decision is used.
pub async fn handle(
    assistant: &Arc<Assistant>,
    cfg: &SkillConfig,
    req: &SkillRequest,
    today: NaiveDate,
) -> SkillResponse {
    let Some(mut input) = prepare_blocking(assistant, &cfg.chat, req).await else {
        return SkillResponse::failure();
    };
    if let Turn::Forget { confirmed } = input.turn {
        // Asked where nothing can be deleted: said at once (see
        // `Forgotten::Unavailable`), not after a confirmation.
        input.forgotten = if confirmed || !can_forget(cfg) {
            Some(forget(cfg, req).await)
        } else {
            None
        };
        return answer(&input, &cfg.chat);
    }
    if let Turn::Vote {
        id,
        helpful,
        question,
    } = &input.turn
    {
        input.vote_saved = Some(vote(assistant, cfg, id, *helpful, question.as_deref()).await);
        return answer(&input, &cfg.chat);
    }
    if let (Some(recorder), Some(event)) = (&cfg.analytics, turn_event(req, &input)) {
        recorder.record(event);
    }
    if !cfg.personal_answers {
        for c in &mut input.candidates {
            c.decision = None;
        }
    }
    let decision =
        featured(&input.turn, &input.candidates, input.confidence).and_then(|c| c.decision.clone());
    let Some(decision) = decision else {
        return answer(&input, &cfg.chat);
    };
    let refs = kakao_user_refs(req);
    if refs.is_empty() {
        input.link = LinkStatus::NotLinked;
        return answer(&input, &cfg.chat);
    }
    let mut work = Box::pin(account_work(Arc::clone(assistant), refs, decision, today));
    match tokio::time::timeout(cfg.account_time_box, &mut work).await {
        Ok((link, personal)) => {
            input.link = link;
            input.personal = personal;
            answer(&input, &cfg.chat)
        }
        Err(_) => match callback_target(req, &cfg.callback_allow) {
            Some(url) => {
                tracing::info!("kakao skill: account work is slow; answering via the callback");
                let chat = cfg.chat.clone();
                let wait = cfg.callback_wait;
                tokio::spawn(finish_via_callback(url, work, wait, input, chat));
                callback_ack()
            }
            None => {
                tracing::warn!(
                    "kakao skill: account work took over {:?}; general answer",
                    cfg.account_time_box
                );
                input.link = LinkStatus::Unavailable;
                answer(&input, &cfg.chat)
            }
        },
    }
}

async fn finish_via_callback(
    url: Url,
    work: impl Future<Output = (LinkStatus, Option<PersonalAnswer>)> + Send + 'static,
    wait: Duration,
    mut input: DialogueInput,
    chat: ChatConfig,
) {
    // A panic while finishing must still send something: run it in its own task.
    let finished = tokio::spawn(async move {
        match tokio::time::timeout(wait, work).await {
            Ok((link, personal)) => {
                input.link = link;
                input.personal = personal;
            }
            Err(_) => {
                tracing::warn!("kakao skill: account work gave up after {wait:?}");
                input.link = LinkStatus::Unavailable;
            }
        }
        answer(&input, &chat)
    })
    .await;
    let response = finished.unwrap_or_else(|e| {
        tracing::error!("kakao skill: the callback answer failed: {e}");
        SkillResponse::failure()
    });
    post_callback(&url, &response).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req_with(url: &str) -> SkillRequest {
        SkillRequest::from_value(serde_json::json!({"userRequest": {"callbackUrl": url}})).unwrap()
    }

    #[test]
    fn callback_hosts_are_checked() {
        let allow = default_callback_allow();
        let ok = |u: &str| callback_target(&req_with(u), &allow).is_some();
        assert!(ok("https://bot-api.kakao.com/v1/callback/abc"));
        assert!(ok("https://kakao.com/cb"));
        assert!(ok("https://x.kakaoenterprise.com/cb"));
        assert!(!ok("http://bot-api.kakao.com/cb"));
        assert!(!ok("https://evilkakao.com/cb"));
        assert!(!ok("https://kakao.com.evil.net/cb"));
        assert!(!ok("https://user:pw@bot-api.kakao.com/cb"));
        assert!(!ok("https://127.0.0.1/cb"));
        assert!(!ok("not a url"));
        let local = vec!["http://127.0.0.1:4321".to_owned()];
        assert!(callback_target(&req_with("http://127.0.0.1:4321/cb"), &local).is_some());
        assert!(callback_target(&req_with("http://127.0.0.1:4322/cb"), &local).is_none());
    }
}
