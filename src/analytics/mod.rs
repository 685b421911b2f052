//! Search analytics and feedback: what customers searched for, opened, and thought
//! of the answers, and how chatbot turns ended. Core only (no HTTP).
//!
//! # What is recorded
//!
//! | event | fields |
//! |---|---|
//! | [`Event::Search`] | query as typed, [`normalize`]d query, result count, page, time, source (`page`/`api`), the entry shown as its answer |
//! | [`Event::View`] | entry id, time, and for a click from a results page the normalized query and rank |
//! | [`Event::ChatTurn`] | hashed Kakao user key ([`hash_user`]), question, [`ChatOutcome`], entry shown |
//! | [`Vote`] | entry id, 예/아니요, optional comment (at most [`MAX_COMMENT_CHARS`]) |
//!
//! No IP addresses, no cookies, no raw Kakao user keys; what customers typed is stored
//! with phone and other long numbers and e-mail addresses masked ([`redact`]), and kept
//! no longer than the retention a server is given ([`Recorder::keep_for`],
//! [`RETENTION`] by default). A customer's chatbot questions are deleted when
//! they ask ([`Recorder::forget`], [`forget_keys`]).
//!
//! # Never in the way
//!
//! [`Recorder::record`] hands events to a bounded queue ([`QUEUE_CAPACITY`]) that one
//! writer thread drains in batches; it never blocks and never fails: when the queue is
//! full the event is dropped and counted, and when the store cannot write (locked,
//! corrupt, disk full) the error is logged and the service keeps serving.
//! A [`Vote`] is different: [`Recorder::vote`] writes it synchronously and returns only
//! after the commit, so a vote the customer saw acknowledged survives a crash.
//!
//! The store is a trait ([`Store`]) with two implementations, chosen by [`Location`]:
//! [`sqlite::SqliteStore`] keeps everything in one SQLite file in WAL mode
//! (`data/doum.sqlite` by default); [`postgres::PgStore`] keeps it in a PostgreSQL
//! database several replicas share (`DOUM_DATABASE_URL`). Both run the same SQL
//! ([`sql`]), so their reports agree.

pub mod postgres;
pub mod recent;
pub mod redact;
pub mod report;
pub mod sql;
pub mod sqlite;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Result;
pub use recent::Recent;
use serde::Serialize;
use sha2::{Digest, Sha256};

pub use report::{EntryFeedback, PassedOver, QueryStat, Report};

/// Events waiting for the writer before new ones are dropped.
pub const QUEUE_CAPACITY: usize = 4096;
/// The longest feedback comment kept, in characters.
pub const MAX_COMMENT_CHARS: usize = 500;
/// The most events written in one transaction.
const BATCH: usize = 256;
/// How long the writer gathers events after the first of a batch (an event
/// reaches the store at most this much later; closing the recorder writes
/// what is queued within a [`NAP`]).
const GATHER: std::time::Duration = std::time::Duration::from_millis(100);
/// How long the writer sleeps between looks at the queue while gathering
/// (closing the recorder waits at most this long for the last batch).
const NAP: std::time::Duration = std::time::Duration::from_millis(5);

/// How long analytics are kept unless configured otherwise
/// (`doum serve --analytics-retention-days`): 90 days, three times the
/// window of the most viewed entries, enough to compare a quarter's
/// searches.
pub const RETENTION: std::time::Duration = std::time::Duration::from_secs(90 * 86_400);
/// How often [`Recorder::keep_for`] deletes what has grown too old.
pub const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(3_600);

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// How a chatbot turn ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatOutcome {
    /// One entry answered the question.
    Direct,
    /// A list of candidate entries.
    List,
    /// Nothing good was found (the card offers the 상담원 button).
    NotFound,
    /// The customer asked for a person, and the help center had no answer
    /// of its own to that (the card offers the 상담원 button).
    Handoff,
}

impl ChatOutcome {
    /// Every outcome, in the order a question goes: answered, listed, not
    /// found, a person asked for (the order reports list them in).
    pub const ALL: [ChatOutcome; 4] = [
        ChatOutcome::Direct,
        ChatOutcome::List,
        ChatOutcome::NotFound,
        ChatOutcome::Handoff,
    ];

    /// What reports call it (`doum report`, the agent page).
    pub fn label(self) -> &'static str {
        match self {
            ChatOutcome::Direct => "바로 답변",
            ChatOutcome::List => "목록",
            ChatOutcome::NotFound => "못 찾음",
            ChatOutcome::Handoff => "상담원 요청",
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ChatOutcome::Direct => "direct",
            ChatOutcome::List => "list",
            ChatOutcome::NotFound => "not_found",
            ChatOutcome::Handoff => "handoff",
        }
    }
}

/// Something that happened, to be written off the request path.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A search was run.
    Search {
        /// When (unix seconds).
        at: i64,
        /// As typed (trimmed).
        query: String,
        /// See [`normalize`].
        normalized: String,
        /// Matches counted.
        results: usize,
        /// 1-based page.
        page: usize,
        /// `page` or `api`.
        source: &'static str,
        /// The category filter it was searched within (`/`-joined levels, as
        /// given: it may name no category), if any.
        category: Option<String>,
        /// The entry the search showed as its one answer (가장 알맞은 답변,
        /// [`crate::ask::sure::SureAnswer`]), if it showed one.
        answer: Option<String>,
    },
    /// An article was opened; `query`/`rank` when it came from a results page.
    View {
        /// When.
        at: i64,
        /// Entry id.
        entry_id: String,
        /// The normalized query of the results page it was opened from.
        query: Option<String>,
        /// 1-based position on that results page.
        rank: Option<usize>,
    },
    /// A chatbot turn with a question.
    ChatTurn {
        /// When.
        at: i64,
        /// [`hash_user`] of the Kakao user key, if any.
        user: Option<String>,
        /// The question.
        query: String,
        /// How it ended.
        outcome: ChatOutcome,
        /// The entry answered with, for [`ChatOutcome::Direct`].
        entry_id: Option<String>,
    },
}

/// A 예/아니요 vote on an article, with an optional comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vote {
    /// When.
    pub at: i64,
    /// Entry id.
    pub entry_id: String,
    /// 예 (true) or 아니요 (false).
    pub helpful: bool,
    /// Trimmed, at most [`MAX_COMMENT_CHARS`], `None` when empty.
    pub comment: Option<String>,
    /// For a vote under a chatbot answer, the question the answer was given
    /// for (trimmed, at most [`MAX_COMMENT_CHARS`]); `None` on an article page.
    pub question: Option<String>,
}

impl Vote {
    /// A vote now; the comment is trimmed, cut to [`MAX_COMMENT_CHARS`], dropped when empty.
    pub fn new(entry_id: &str, helpful: bool, comment: Option<&str>) -> Self {
        Vote {
            at: now(),
            entry_id: entry_id.to_string(),
            helpful,
            comment: kept_text(comment),
            question: None,
        }
    }

    /// The same vote, given under the chatbot's answer to `question` (kept
    /// as the comment is; none when empty).
    pub fn for_question(self, question: Option<&str>) -> Self {
        Vote {
            question: kept_text(question),
            ..self
        }
    }
}

/// `text` trimmed and cut to [`MAX_COMMENT_CHARS`]; `None` when empty.
fn kept_text(text: Option<&str>) -> Option<String> {
    text.map(|c| c.trim().chars().take(MAX_COMMENT_CHARS).collect::<String>())
        .filter(|c| !c.is_empty())
}

/// The query as analytics groups it: whitespace collapsed, lowercased.
pub fn normalize(query: &str) -> String {
    query
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A Kakao user key, hashed (SHA-256, first 16 hex digits): counts users without
/// keeping the key.
pub fn hash_user(key: &str) -> String {
    let d = Sha256::digest(format!("doum-analytics-user:{key}").as_bytes());
    format!("{d:.16x}")
}

/// Where analytics live.
pub trait Store: Send + Sync {
    /// Writes events in one transaction.
    fn write(&self, events: &[Event]) -> Result<()>;
    /// Writes a vote and commits it durably before returning.
    fn vote(&self, vote: &Vote) -> Result<()>;
    /// The report over everything since `since` (unix seconds), `limit` rows per list.
    fn report(&self, since: i64, limit: usize) -> Result<Report>;
    /// The most opened entries since `since`: `(entry id, views)`, most first.
    fn most_viewed(&self, since: i64, limit: usize) -> Result<Vec<(String, u64)>>;
    /// Deletes everything recorded before `before` (unix seconds), a batch
    /// at a time ([`sql::purge`]); how many rows went.
    fn purge(&self, before: i64) -> Result<u64>;
    /// Deletes every chatbot turn of the user whose key hashes to `user`
    /// ([`hash_user`], [`sql::delete_user`]); how many rows went.
    fn forget(&self, user: &str) -> Result<u64>;
}

/// The service's handle on analytics: a queue in front of a [`Store`], or nothing.
pub struct Recorder {
    store: Option<Arc<dyn Store>>,
    tx: Mutex<Option<SyncSender<Queued>>>,
    writer: Mutex<Option<std::thread::JoinHandle<()>>>,
    dropped: AtomicU64,
    /// The last count of [`Recorder::recently_most_viewed`], by window and limit.
    popular: Arc<Recent<Window, Vec<(String, u64)>>>,
    /// The last report of [`Recorder::recent_report`], by window and limit.
    reports: Arc<Recent<Window, Report>>,
    /// Dropped to stop the thread [`Recorder::keep_for`] started.
    retention: Mutex<Option<SyncSender<()>>>,
}

/// What a [`Recent`] count is kept by: its window (seconds back from now)
/// and how many rows it lists.
type Window = (i64, usize);

/// What the writer thread is handed, in order.
enum Queued {
    /// An event to write.
    Event(Event),
    /// Delete the chatbot turns of these Kakao user keys once everything
    /// queued before is written ([`forget_keys`]), and say how many rows went.
    Forget(Vec<String>, SyncSender<Result<u64>>),
}

/// How long [`Recorder::forget`] waits for the writer.
pub const FORGET_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("enabled", &self.enabled())
            .field("dropped", &self.dropped())
            .finish()
    }
}

impl Recorder {
    /// Records nothing (no data directory, or the store could not be opened).
    pub fn disabled() -> Self {
        Recorder {
            store: None,
            tx: Mutex::new(None),
            writer: Mutex::new(None),
            dropped: AtomicU64::new(0),
            popular: Arc::default(),
            reports: Arc::default(),
            retention: Mutex::new(None),
        }
    }

    /// Records into `store` through a queue of `capacity` events and one writer thread.
    pub fn new(store: Arc<dyn Store>, capacity: usize) -> Self {
        let (tx, rx) = sync_channel(capacity.max(1));
        let writer_store = Arc::clone(&store);
        let writer = std::thread::Builder::new()
            .name("doum-analytics".into())
            .spawn(move || write_loop(rx, writer_store.as_ref()))
            .ok();
        Recorder {
            store: Some(store),
            tx: Mutex::new(writer.as_ref().map(|_| tx)),
            writer: Mutex::new(writer),
            dropped: AtomicU64::new(0),
            popular: Arc::default(),
            reports: Arc::default(),
            retention: Mutex::new(None),
        }
    }

    /// Whether a store is attached.
    pub fn enabled(&self) -> bool {
        self.store.is_some()
    }

    /// Queues an event; never blocks (a full queue drops it, see the module docs).
    pub fn record(&self, event: Event) {
        let tx = self.tx.lock().unwrap_or_else(|e| e.into_inner());
        let Some(tx) = tx.as_ref() else { return };
        match tx.try_send(Queued::Event(event)) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                let n = self.dropped.fetch_add(1, Ordering::Relaxed) + 1;
                if n.is_power_of_two() {
                    tracing::warn!("analytics queue full: {n} event(s) dropped so far");
                }
            }
            Err(TrySendError::Disconnected(_)) => {
                tracing::warn!("analytics writer stopped; event dropped");
            }
        }
    }

    /// Events dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Writes a vote synchronously (blocking: call it off the async runtime).
    /// `Ok` means it is committed.
    pub fn vote(&self, vote: &Vote) -> Result<()> {
        match &self.store {
            Some(s) => s.vote(vote),
            None => anyhow::bail!("analytics are off: no data store"),
        }
    }

    /// The report (blocking).
    pub fn report(&self, since: i64, limit: usize) -> Result<Report> {
        match &self.store {
            Some(s) => s.report(since, limit),
            None => anyhow::bail!("analytics are off: no data store"),
        }
    }

    /// The most opened entries (blocking); empty when off or failing (logged).
    pub fn most_viewed(&self, since: i64, limit: usize) -> Vec<(String, u64)> {
        let Some(s) = &self.store else {
            return Vec::new();
        };
        s.most_viewed(since, limit).unwrap_or_else(|e| {
            tracing::warn!("analytics: most viewed unavailable: {e:#}");
            Vec::new()
        })
    }

    /// The most opened entries of the last `window` seconds, at most
    /// `limit`, as counted at most `max_age` ago, or about then: what the
    /// home page shows. Counting scans every view of the window (over a
    /// million views, 1.3 s in SQLite, holding its connection), so a busy
    /// page must not count per request ([`Recent`]): the first call counts
    /// (blocking; calls while it does get an empty list), later ones take
    /// the last count, and when it is older than `max_age` one of them
    /// starts counting again on a thread of its own, for the calls after
    /// it. Empty when analytics are off or counting failed (logged).
    pub fn recently_most_viewed(
        &self,
        window: i64,
        limit: usize,
        max_age: std::time::Duration,
    ) -> Vec<(String, u64)> {
        let Some(count) = self.most_viewed_work(window, limit) else {
            return Vec::new();
        };
        match self.popular.get((window, limit), max_age, count) {
            Some(Ok((list, _))) => list,
            Some(Err(())) | None => Vec::new(),
        }
    }

    /// Starts the count [`Self::recently_most_viewed`] gives on a thread of
    /// its own (a server starting), claimed from this call on: home pages
    /// meanwhile get an empty list. Nothing when analytics are off.
    pub fn count_most_viewed_in_background(&self, window: i64, limit: usize) {
        if let Some(count) = self.most_viewed_work(window, limit) {
            self.popular.work_out_in_background((window, limit), count);
        }
    }

    /// What counts the most viewed entries of the last `window` seconds (a
    /// failure logged); `None` when analytics are off.
    fn most_viewed_work(
        &self,
        window: i64,
        limit: usize,
    ) -> Option<impl FnOnce() -> std::result::Result<Vec<(String, u64)>, ()> + Send + 'static> {
        let store = self.store.clone()?;
        Some(move || {
            store.most_viewed(now() - window, limit).map_err(|e| {
                tracing::warn!("analytics: most viewed unavailable: {e:#}");
            })
        })
    }

    /// The report of the last `window` seconds, `limit` rows per list, as
    /// made at most `max_age` ago or about then, and its age (blocking):
    /// the agent page's. A report reads every search and view of its
    /// window (seconds over a million searches), and the page is loaded for
    /// every lookup an agent makes, so it is made now and then, as the most
    /// viewed entries are ([`Self::recently_most_viewed`]). `None` while the
    /// first report is being made by another request; an error when
    /// analytics are off or the store fails.
    pub fn recent_report(
        &self,
        window: i64,
        limit: usize,
        max_age: std::time::Duration,
    ) -> Option<Result<(Report, std::time::Duration)>> {
        let Some(make) = self.report_work(window, limit) else {
            return Some(Err(anyhow::anyhow!("analytics are off: no data store")));
        };
        self.reports.get((window, limit), max_age, make)
    }

    /// Starts making the report [`Self::recent_report`] gives on a thread
    /// of its own, so that the first page asking for it does not wait (a
    /// server starting with the agent area on): from this call on, pages
    /// are told it is being made. Nothing when analytics are off.
    pub fn make_report_in_background(&self, window: i64, limit: usize) {
        if let Some(make) = self.report_work(window, limit) {
            self.reports.work_out_in_background((window, limit), make);
        }
    }

    /// What makes the report of the last `window` seconds (a failure
    /// logged); `None` when analytics are off.
    fn report_work(
        &self,
        window: i64,
        limit: usize,
    ) -> Option<impl FnOnce() -> Result<Report> + Send + 'static> {
        let store = self.store.clone()?;
        Some(move || {
            store.report(now() - window, limit).map_err(|e| {
                tracing::warn!("analytics: no report: {e:#}");
                e
            })
        })
    }

    /// Keeps what is recorded for `retention` only: a thread of its own
    /// deletes older searches, views, votes and chatbot turns now and then
    /// every [`PURGE_EVERY`], until [`Self::close`]. Queries, comments and
    /// questions are what customers typed, and may hold what they should
    /// not have (a phone number, a name): they are not kept longer than
    /// the analysis needs. Nothing happens when analytics are off.
    pub fn keep_for(&self, retention: std::time::Duration) {
        let Some(store) = self.store.clone() else {
            return;
        };
        let (stop, stopped) = sync_channel::<()>(1);
        let keep = i64::try_from(retention.as_secs()).unwrap_or(i64::MAX);
        let spawned = std::thread::Builder::new()
            .name("doum-retention".into())
            .spawn(move || {
                loop {
                    let before = now().saturating_sub(keep);
                    match store.purge(before) {
                        Ok(0) => {}
                        Ok(n) => tracing::info!(
                            "analytics: deleted {n} row(s) recorded more than {} day(s) ago",
                            keep / 86_400
                        ),
                        Err(e) => tracing::warn!("analytics: deleting old rows failed: {e:#}"),
                    }
                    if !matches!(
                        stopped.recv_timeout(PURGE_EVERY),
                        Err(std::sync::mpsc::RecvTimeoutError::Timeout)
                    ) {
                        return;
                    }
                }
            });
        match spawned {
            Ok(_) => *self.retention.lock().unwrap_or_else(|e| e.into_inner()) = Some(stop),
            Err(e) => tracing::warn!("analytics: no retention thread: {e}"),
        }
    }

    /// Deletes every chatbot turn recorded for these Kakao user keys (raw
    /// keys: they are hashed here as the chatbot stores them), including
    /// turns still waiting in the queue: the deletion goes through the
    /// writer, after what was queued before it. Blocking (at most
    /// [`FORGET_WAIT`]): call it off the async runtime. `Ok(0)` when
    /// analytics are off: nothing was kept.
    pub fn forget(&self, keys: &[&str]) -> Result<u64> {
        let Some(store) = &self.store else {
            return Ok(0);
        };
        let tx = self.tx.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let Some(tx) = tx else {
            // The writer has stopped: nothing is queued any more.
            return forget_keys(store.as_ref(), keys);
        };
        let (done, result) = sync_channel(1);
        // A full queue makes this wait for the writer: a deletion must not be
        // dropped the way an event is.
        let owned = keys.iter().map(|k| k.to_string()).collect();
        if tx.send(Queued::Forget(owned, done)).is_err() {
            return forget_keys(store.as_ref(), keys);
        }
        result.recv_timeout(FORGET_WAIT).map_err(|_| {
            anyhow::anyhow!("the analytics writer did not answer within {FORGET_WAIT:?}")
        })?
    }

    /// Writes every queued event and stops the writer; later events are dropped.
    pub fn close(&self) {
        self.retention
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        self.tx.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(w) = self.writer.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = w.join();
        }
    }
}

/// Where analytics are kept.
#[derive(Debug, Clone)]
pub enum Location {
    /// `doum.sqlite` in this data directory (one server).
    Dir(std::path::PathBuf),
    /// A PostgreSQL database (several replicas).
    Postgres(Box<postgres::Target>),
}

impl From<&std::path::Path> for Location {
    fn from(dir: &std::path::Path) -> Self {
        Location::Dir(dir.to_path_buf())
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Dir(d) => write!(f, "{}", d.join(sqlite::FILE_NAME).display()),
            Location::Postgres(t) => f.write_str(t.name()),
        }
    }
}

/// The recorder the service runs with. SQLite: when the file cannot be opened
/// (unwritable directory, corrupt or locked file), a disabled recorder and an error in
/// the log. PostgreSQL: always recording; when the server is down the events are
/// dropped with a log line and the connection is retried. The service serves either way.
pub fn open(location: impl Into<Location>) -> Recorder {
    let location = location.into();
    let store: Result<Arc<dyn Store>> = match &location {
        Location::Dir(dir) => sqlite::SqliteStore::open_dir(dir).map(|s| Arc::new(s) as _),
        Location::Postgres(target) => postgres::PgStore::new((**target).clone()).map(|s| {
            if let Err(e) = s.connect() {
                tracing::warn!("analytics: {e:#}; retrying while serving");
            }
            Arc::new(s) as _
        }),
    };
    match store {
        Ok(store) => {
            tracing::info!("analytics: recording to {location}");
            Recorder::new(store, QUEUE_CAPACITY)
        }
        Err(e) => {
            tracing::error!("analytics off (the service keeps serving): {e:#}");
            Recorder::disabled()
        }
    }
}

/// The store `doum report` reads: the SQLite file must exist already, the PostgreSQL
/// server must answer.
pub fn open_for_report(location: &Location) -> Result<Arc<dyn Store>> {
    match location {
        Location::Dir(dir) => {
            let file = dir.join(sqlite::FILE_NAME);
            anyhow::ensure!(
                file.is_file(),
                "no analytics in {}: run `doum serve` (with --data {}) first",
                file.display(),
                dir.display()
            );
            Ok(Arc::new(sqlite::SqliteStore::open(&file)?))
        }
        Location::Postgres(target) => {
            let store = postgres::PgStore::new((**target).clone())?;
            store.connect()?;
            Ok(Arc::new(store))
        }
    }
}

/// How often a store that keeps failing is logged again.
const FAILURE_LOG_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// Deletes the chatbot turns recorded for each Kakao user key (hashed as the
/// chatbot stores them, [`hash_user`]); how many went.
pub fn forget_keys<K: AsRef<str>>(store: &dyn Store, keys: &[K]) -> Result<u64> {
    keys.iter()
        .try_fold(0, |n, k| Ok(n + store.forget(&hash_user(k.as_ref()))?))
}

fn write_loop(rx: Receiver<Queued>, store: &dyn Store) {
    // A store that is down fails every batch: log the first failure, then at most
    // every FAILURE_LOG_EVERY with how many batches failed in between.
    let mut last_log: Option<std::time::Instant> = None;
    let (mut quiet, mut lost) = (0u64, 0u64);
    while let Ok(first) = rx.recv() {
        let first = match first {
            Queued::Event(e) => e,
            Queued::Forget(users, done) => {
                let _ = done.send(forget_keys(store, &users));
                continue;
            }
        };
        // Gather what arrives within GATHER of the first event: each commit
        // is a disk sync, and one per search cost a server a sixth of its CPU.
        // The queue is emptied without waiting on it, then the writer naps:
        // waiting on the channel instead had every search wake this thread
        // (a futex call per event, a tenth of a busy server's CPU).
        let mut batch = vec![first];
        // A deletion queued behind this batch's events, done once they are written.
        let mut forget = None;
        let until = std::time::Instant::now() + GATHER;
        loop {
            let mut closed = false;
            while batch.len() < BATCH && forget.is_none() {
                match rx.try_recv() {
                    Ok(Queued::Event(e)) => batch.push(e),
                    Ok(Queued::Forget(users, done)) => forget = Some((users, done)),
                    Err(TryRecvError::Empty) => break,
                    Err(TryRecvError::Disconnected) => {
                        closed = true;
                        break;
                    }
                }
            }
            let left = until.saturating_duration_since(std::time::Instant::now());
            if closed || batch.len() >= BATCH || forget.is_some() || left.is_zero() {
                break;
            }
            std::thread::sleep(left.min(NAP));
        }
        match store.write(&batch) {
            Ok(()) => {
                if lost > 0 {
                    tracing::info!("analytics: writing again ({lost} batch(es) lost)");
                }
                (last_log, quiet, lost) = (None, 0, 0);
            }
            Err(e) if last_log.is_some_and(|t| t.elapsed() < FAILURE_LOG_EVERY) => {
                quiet += 1;
                lost += 1;
                tracing::debug!("analytics: {} event(s) not written: {e:#}", batch.len());
            }
            Err(e) => {
                let before = if quiet > 0 {
                    format!(" ({quiet} more batch(es) lost since the last message)")
                } else {
                    String::new()
                };
                tracing::warn!(
                    "analytics: {} event(s) not written (search keeps working){before}: {e:#}",
                    batch.len()
                );
                last_log = Some(std::time::Instant::now());
                quiet = 0;
                lost += 1;
            }
        }
        if let Some((users, done)) = forget {
            let _ = done.send(forget_keys(store, &users));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_viewed_count_is_reused_and_made_again_in_the_background() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(sqlite::SqliteStore::open_dir(dir.path()).unwrap());
        let view = |id: &str| Event::View {
            at: now(),
            entry_id: id.to_string(),
            query: None,
            rank: None,
        };
        store.write(&[view("a"), view("a"), view("b")]).unwrap();
        let recorder = Arc::new(Recorder::new(store.clone(), 16));
        let hour = std::time::Duration::from_secs(3600);
        // While the first count is under way, nothing yet (the page shows
        // the newest entries instead).
        recorder.popular.set_working(true);
        assert!(recorder.recently_most_viewed(86_400, 5, hour).is_empty());
        recorder.popular.set_working(false);
        let first = recorder.recently_most_viewed(86_400, 5, hour);
        assert_eq!(first, [("a".to_string(), 2), ("b".to_string(), 1)]);
        // b overtakes a: within the hour the first count stands ...
        store.write(&[view("b"), view("b")]).unwrap();
        assert_eq!(recorder.recently_most_viewed(86_400, 5, hour), first);
        // ... and a count older than asked for is still given, while it is
        // made again for the calls after.
        let zero = std::time::Duration::ZERO;
        assert_eq!(recorder.recently_most_viewed(86_400, 5, zero), first);
        let recount = [("b".to_string(), 3), ("a".to_string(), 2)];
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while recorder.recently_most_viewed(86_400, 5, hour) != recount {
            assert!(std::time::Instant::now() < deadline, "never counted again");
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        // Another window or limit is counted on its own.
        assert_eq!(
            recorder.recently_most_viewed(86_400, 1, hour),
            [("b".to_string(), 3)]
        );
    }

    #[test]
    fn a_report_made_in_the_background_is_the_one_the_first_page_gets() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(sqlite::SqliteStore::open_dir(dir.path()).unwrap());
        let recorder = Arc::new(Recorder::new(store, 16));
        let hour = std::time::Duration::from_secs(3600);
        recorder.make_report_in_background(86_400, 5);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let age = loop {
            // `None` while the background report is still being made.
            if let Some(made) = recorder.recent_report(86_400, 5, hour) {
                break made.unwrap().1;
            }
            assert!(std::time::Instant::now() < deadline, "never made");
            std::thread::sleep(std::time::Duration::from_millis(10));
        };
        // Made before this call asked: one made by the call itself comes
        // with an age of zero.
        assert!(age > std::time::Duration::ZERO, "{age:?}");
        // Off: nothing to make, nothing started.
        Recorder::disabled().make_report_in_background(86_400, 5);
    }

    #[test]
    fn normalizes_queries_and_hashes_users() {
        assert_eq!(normalize("  환불   계좌 ABC "), "환불 계좌 abc");
        let h = hash_user("user-key-1");
        assert_eq!(h.len(), 16);
        assert_ne!(h, hash_user("user-key-2"));
        assert!(!h.contains("user"));
        let v = Vote::new("x", false, Some("   "));
        assert_eq!(v.comment, None);
        let long = "가".repeat(900);
        let v = Vote::new("x", false, Some(&long));
        assert_eq!(
            v.comment.map(|c| c.chars().count()),
            Some(MAX_COMMENT_CHARS)
        );
    }
}
