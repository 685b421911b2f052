//! The PostgreSQL store, for several replicas sharing one analytics database
//! (`DOUM_DATABASE_URL=postgres://…`).
//!
//! - One connection, opened lazily and reopened after any failure; while the server is
//!   unreachable a new attempt is made at most every [`RETRY_AFTER`], so a down database
//!   costs a request nothing but a log line.
//! - Timeouts: [`CONNECT_TIMEOUT`] on connecting, [`STATEMENT_TIMEOUT`] on every
//!   statement, both on the client (a silent network cannot hang a thread) and on the
//!   server (`statement_timeout`, `lock_timeout`).
//! - Migrations: the numbered SQL files in `src/analytics/migrations/postgres/`, each
//!   applied in its own transaction and recorded in `doum_schema_version`, under an
//!   advisory lock so replicas starting together migrate once.
//! - No TLS: meant for a loopback or private-network database. `sslmode=require` (or
//!   stricter) is refused rather than silently connecting in clear.
//! - The password never reaches a log or an error: the store is named by
//!   [`Target::name`] (`user@host:port/db`).

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use tokio::runtime::Runtime;
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls, Statement};

use super::report::Report;
use super::sql::{self, Db, Param, Row};
use super::{Event, Store, Vote};

/// How long connecting (TCP + authentication + migrations) may take.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long any one statement may take.
pub const STATEMENT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one statement of a report may take (reports read everything since a date,
/// off the request path: `doum report`, the agent page and API).
pub const REPORT_STATEMENT_TIMEOUT: Duration = Duration::from_secs(60);
/// After a failed connection, how long before the next attempt.
pub const RETRY_AFTER: Duration = Duration::from_secs(2);

/// Schema migrations, in order: `(version, SQL)`.
const MIGRATIONS: [(i32, &str); 4] = [
    (1, include_str!("migrations/postgres/0001_analytics.sql")),
    (
        2,
        include_str!("migrations/postgres/0002_search_answer.sql"),
    ),
    (
        3,
        include_str!("migrations/postgres/0003_vote_question.sql"),
    ),
    (
        4,
        include_str!("migrations/postgres/0004_search_category.sql"),
    ),
];
/// The advisory lock replicas take while migrating (any constant; "doum" in ASCII).
const MIGRATION_LOCK: i64 = 0x646f_756d;

/// A parsed `postgres://` URL and a printable name for it without the password.
#[derive(Clone)]
pub struct Target {
    config: tokio_postgres::Config,
    name: String,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

impl Target {
    /// Parses a connection URL (`postgres://user:password@host:port/db?…`) or a
    /// `key=value` string. Errors name the problem, never the password.
    pub fn parse(url: &str) -> Result<Self> {
        // The parser's messages name the option, never the value.
        let mut config = tokio_postgres::Config::from_str(url.trim()).map_err(|e| {
            anyhow!(
                "the PostgreSQL URL (DOUM_DATABASE_URL / --database-url) is invalid: {}",
                chain(&e)
            )
        })?;
        match config.get_ssl_mode() {
            SslMode::Disable | SslMode::Prefer => {}
            _ => anyhow::bail!(
                "the PostgreSQL URL asks for sslmode=require, but doum connects without TLS \
                 (meant for a loopback or private-network database): use sslmode=disable, \
                 or put a TLS-terminating proxy next to doum"
            ),
        }
        if config.get_hosts().is_empty() {
            config.host("localhost");
        }
        if config.get_application_name().is_none() {
            config.application_name("doum");
        }
        config.connect_timeout(CONNECT_TIMEOUT);
        let host = match config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            #[cfg(unix)]
            Some(Host::Unix(p)) => p.display().to_string(),
            None => String::new(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let name = format!(
            "postgres://{}@{host}:{port}/{}",
            config.get_user().unwrap_or(""),
            config.get_dbname().unwrap_or("")
        );
        Ok(Target { config, name })
    }

    /// `postgres://user@host:port/db`: safe to log.
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// An error and its causes (`db error: ERROR: …`): tokio-postgres puts the useful
/// part in the source.
fn chain(e: &tokio_postgres::Error) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// An open connection and the statements prepared on it.
struct Conn {
    client: Client,
    statements: HashMap<String, Statement>,
}

#[derive(Default)]
struct State {
    conn: Option<Conn>,
    /// No new attempt before this, and why the last one failed.
    backoff: Option<(Instant, String)>,
}

/// Analytics in a PostgreSQL database.
pub struct PgStore {
    target: Target,
    rt: Option<Runtime>,
    state: Mutex<State>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("target", &self.target)
            .finish()
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).conn = None;
        if let Some(rt) = self.rt.take() {
            // Safe from any thread, async or not.
            rt.shutdown_background();
        }
    }
}

impl PgStore {
    /// A store for `target`; nothing is connected yet ([`PgStore::connect`] does).
    pub fn new(target: Target) -> Result<Self> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .thread_name("doum-postgres")
            .build()
            .context("starting the PostgreSQL client runtime")?;
        Ok(PgStore {
            target,
            rt: Some(rt),
            state: Mutex::new(State::default()),
        })
    }

    /// The database, printable.
    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Connects (and migrates) now, if not connected: `Err` says why not.
    /// Blocking: call it off the async runtime.
    pub fn connect(&self) -> Result<()> {
        self.with_db(|_| Ok(()))
    }

    fn rt(&self) -> &Runtime {
        self.rt.as_ref().expect("the runtime lives until drop")
    }

    /// Runs `f` on a connection, connecting first when needed; on any error the
    /// connection is dropped (its state is unknown) and reopened next time.
    fn with_db<T>(&self, f: impl FnOnce(&mut Pg<'_>) -> Result<T>) -> Result<T> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.conn.as_ref().is_some_and(|c| c.client.is_closed()) {
            state.conn = None;
        }
        if state.conn.is_none() {
            if let Some((until, why)) = &state.backoff
                && Instant::now() < *until
            {
                anyhow::bail!("PostgreSQL {} unavailable: {why}", self.target.name);
            }
            match self.open_conn() {
                Ok(conn) => {
                    if state.backoff.take().is_some() {
                        tracing::info!("analytics: PostgreSQL {} is back", self.target.name);
                    }
                    state.conn = Some(conn);
                }
                Err(e) => {
                    let why = format!("{e:#}");
                    state.backoff = Some((Instant::now() + RETRY_AFTER, why.clone()));
                    anyhow::bail!("PostgreSQL {} unavailable: {why}", self.target.name);
                }
            }
        }
        let conn = state.conn.as_mut().expect("connected above");
        let mut db = Pg {
            rt: self.rt(),
            conn,
            timeout: STATEMENT_TIMEOUT,
        };
        let out = f(&mut db);
        if out.is_err() {
            state.conn = None;
        }
        out
    }

    fn open_conn(&self) -> Result<Conn> {
        let rt = self.rt();
        let (client, connection) = rt
            .block_on(async {
                tokio::time::timeout(CONNECT_TIMEOUT, self.target.config.connect(NoTls)).await
            })
            .map_err(|_| anyhow!("connecting timed out after {CONNECT_TIMEOUT:?}"))?
            .map_err(|e| anyhow!("connecting: {}", chain(&e)))?;
        let name = self.target.name.clone();
        rt.spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("analytics: PostgreSQL {name} connection ended: {e}");
            }
        });
        let mut conn = Conn {
            client,
            statements: HashMap::new(),
        };
        let mut db = Pg {
            rt,
            conn: &mut conn,
            timeout: STATEMENT_TIMEOUT,
        };
        let ms = STATEMENT_TIMEOUT.as_millis();
        db.batch(&format!(
            "SET statement_timeout = {ms}; SET lock_timeout = {ms}; \
             SET idle_in_transaction_session_timeout = {}; SET synchronous_commit = on",
            ms * 4
        ))?;
        migrate(&mut db).context("migrating the analytics schema")?;
        Ok(conn)
    }
}

/// The shared SQL on one connection, every call bounded by [`STATEMENT_TIMEOUT`].
struct Pg<'a> {
    rt: &'a Runtime,
    conn: &'a mut Conn,
    /// The client-side limit of one statement.
    timeout: Duration,
}

impl Pg<'_> {
    fn run<T, F>(&self, fut: F) -> Result<T>
    where
        F: std::future::Future<Output = Result<T, tokio_postgres::Error>>,
    {
        let limit = self.timeout;
        self.rt
            .block_on(async { tokio::time::timeout(limit, fut).await })
            .map_err(|_| anyhow!("statement timed out after {limit:?}"))?
            .map_err(|e| anyhow!("{}", chain(&e)))
    }

    /// Statements without parameters (transactions, settings, migrations).
    fn batch(&mut self, sql: &str) -> Result<()> {
        let client = &self.conn.client;
        self.run(client.batch_execute(sql))
    }

    fn statement(&mut self, sql: &str) -> Result<Statement> {
        if let Some(s) = self.conn.statements.get(sql) {
            return Ok(s.clone());
        }
        let text = sql::numbered_dollars(sql);
        let client = &self.conn.client;
        let st = self.run(client.prepare(&text))?;
        self.conn.statements.insert(sql.to_string(), st.clone());
        Ok(st)
    }

    /// `f` inside one transaction: committed when it succeeds, rolled back otherwise.
    fn transaction<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.batch("BEGIN")?;
        match f(self) {
            Ok(v) => {
                self.batch("COMMIT")?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.batch("ROLLBACK");
                Err(e)
            }
        }
    }
}

fn values<'p>(params: &'p [Param<'p>]) -> Vec<&'p (dyn ToSql + Sync)> {
    params
        .iter()
        .map(|p| -> &(dyn ToSql + Sync) {
            match p {
                Param::Int(i) => i,
                Param::OptInt(i) => i,
                Param::Text(t) => t,
                Param::OptText(t) => t,
            }
        })
        .collect()
}

impl Db for Pg<'_> {
    fn exec(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64> {
        let st = self.statement(sql)?;
        let client = &self.conn.client;
        self.run(client.execute(&st, &values(params)))
    }

    fn rows(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>> {
        let st = self.statement(sql)?;
        let client = &self.conn.client;
        let rows = self.run(client.query(&st, &values(params)))?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
            .collect::<Result<_, tokio_postgres::Error>>()
            .map_err(|e| anyhow!("reading analytics rows: {}", chain(&e)))
    }
}

fn migrate(db: &mut Pg<'_>) -> Result<()> {
    db.transaction(|db| {
        db.batch(&format!(
            "SELECT pg_advisory_xact_lock({MIGRATION_LOCK}); \
             CREATE TABLE IF NOT EXISTS doum_schema_version (\
                 version INTEGER PRIMARY KEY, \
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        ))?;
        let client = &db.conn.client;
        let row = db.run(client.query_one(
            "SELECT COALESCE(MAX(version), 0) FROM doum_schema_version",
            &[],
        ))?;
        let done: i32 = row.try_get(0).map_err(|e| anyhow!("{}", chain(&e)))?;
        let known = MIGRATIONS.last().map_or(0, |m| m.0);
        anyhow::ensure!(
            done <= known,
            "the database is from a newer doum (schema {done}, this one knows {known})"
        );
        for (version, sql) in MIGRATIONS.iter().filter(|m| m.0 > done) {
            db.batch(sql)
                .with_context(|| format!("migration {version}"))?;
            db.batch(&format!(
                "INSERT INTO doum_schema_version (version) VALUES ({version})"
            ))?;
            tracing::info!("analytics: PostgreSQL schema migrated to version {version}");
        }
        Ok(())
    })
}

impl Store for PgStore {
    fn write(&self, events: &[Event]) -> Result<()> {
        self.with_db(|db| {
            db.transaction(|db| {
                for e in events {
                    sql::insert_event(db, e)?;
                }
                Ok(())
            })
        })
    }

    fn vote(&self, v: &Vote) -> Result<()> {
        // Autocommit with synchronous_commit on: `Ok` means it is on the server's disk.
        self.with_db(|db| sql::insert_vote(db, v))
    }

    fn report(&self, since: i64, limit: usize) -> Result<Report> {
        self.with_db(|db| {
            db.transaction(|db| {
                // One snapshot for all the report's queries (a purge or another
                // replica's batch may commit between two of them).
                db.batch(&format!(
                    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; \
                     SET LOCAL statement_timeout = {}",
                    REPORT_STATEMENT_TIMEOUT.as_millis()
                ))?;
                db.timeout = REPORT_STATEMENT_TIMEOUT;
                let report = sql::report(db, since, limit);
                db.timeout = STATEMENT_TIMEOUT;
                report
            })
        })
    }

    fn most_viewed(&self, since: i64, limit: usize) -> Result<Vec<(String, u64)>> {
        self.with_db(|db| sql::most_viewed(db, since, limit))
    }

    fn purge(&self, before: i64) -> Result<u64> {
        // Each batch in autocommit: replicas purging at once, and the
        // writers, wait for one batch at most.
        sql::purge(|table| self.with_db(|db| sql::delete_before(db, table, before)))
    }

    fn forget(&self, user: &str) -> Result<u64> {
        self.with_db(|db| sql::delete_user(db, user))
    }
}
