//! The SQLite store: one file, WAL, `synchronous=FULL` (a committed vote is on disk).
//!
//! The schema is versioned with `PRAGMA user_version`; [`SqliteStore::open`] applies
//! the migrations it has not seen, in one transaction each.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, Result};
use rusqlite::{Connection, params};

use super::report::{EntryFeedback, QueryStat, Report};
use super::{Event, Store, Vote};

/// The file name inside the data directory.
pub const FILE_NAME: &str = "doum.sqlite";

/// Schema migrations, in order; `user_version` is how many have run.
const MIGRATIONS: [&str; 1] = ["
CREATE TABLE searches (
    id INTEGER PRIMARY KEY, at INTEGER NOT NULL, query TEXT NOT NULL,
    normalized TEXT NOT NULL, results INTEGER NOT NULL, page INTEGER NOT NULL,
    source TEXT NOT NULL);
CREATE INDEX searches_at ON searches (at);
CREATE TABLE views (
    id INTEGER PRIMARY KEY, at INTEGER NOT NULL, entry_id TEXT NOT NULL,
    query TEXT, rank INTEGER);
CREATE INDEX views_at ON views (at);
CREATE INDEX views_query ON views (query);
CREATE TABLE votes (
    id INTEGER PRIMARY KEY, at INTEGER NOT NULL, entry_id TEXT NOT NULL,
    helpful INTEGER NOT NULL, comment TEXT);
CREATE INDEX votes_entry ON votes (entry_id, at);
CREATE TABLE chat_turns (
    id INTEGER PRIMARY KEY, at INTEGER NOT NULL, user_hash TEXT,
    query TEXT NOT NULL, outcome TEXT NOT NULL, entry_id TEXT);
CREATE INDEX chat_turns_at ON chat_turns (at);
"];

/// Analytics in one SQLite file.
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl SqliteStore {
    /// Opens (creating if needed) `dir/doum.sqlite` and migrates it.
    pub fn open_dir(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the data directory {}", dir.display()))?;
        Self::open(&dir.join(FILE_NAME))
    }

    /// Opens (creating if needed) the database file and migrates it.
    pub fn open(path: &Path) -> Result<Self> {
        let mut conn = Connection::open(path)
            .with_context(|| format!("opening the analytics database {}", path.display()))?;
        conn.busy_timeout(Duration::from_secs(2))?;
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0))
            .with_context(|| format!("{}: switching to WAL", path.display()))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        migrate(&mut conn).with_context(|| format!("{}: migrating", path.display()))?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let done: usize = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    anyhow::ensure!(
        done <= MIGRATIONS.len(),
        "the database is from a newer doum (schema {done}, this one knows {})",
        MIGRATIONS.len()
    );
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(done) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

fn stats(
    conn: &Connection,
    sql: &str,
    since: i64,
    limit: usize,
) -> rusqlite::Result<Vec<QueryStat>> {
    let mut st = conn.prepare_cached(sql)?;
    let rows = st.query_map(params![since, limit as i64], |r| {
        Ok(QueryStat {
            query: r.get(0)?,
            count: r.get::<_, i64>(1)? as u64,
            results: r.get::<_, Option<i64>>(2)?.unwrap_or(0) as u64,
        })
    })?;
    rows.collect()
}

fn count(conn: &Connection, sql: &str, since: i64) -> rusqlite::Result<u64> {
    conn.query_row(sql, [since], |r| r.get::<_, i64>(0))
        .map(|n| n as u64)
}

impl Store for SqliteStore {
    fn write(&self, events: &[Event]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for e in events {
            match e {
                Event::Search {
                    at,
                    query,
                    normalized,
                    results,
                    page,
                    source,
                } => tx.execute(
                    "INSERT INTO searches (at, query, normalized, results, page, source) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![at, query, normalized, *results as i64, *page as i64, source],
                )?,
                Event::View {
                    at,
                    entry_id,
                    query,
                    rank,
                } => tx.execute(
                    "INSERT INTO views (at, entry_id, query, rank) VALUES (?1, ?2, ?3, ?4)",
                    params![at, entry_id, query, rank.map(|r| r as i64)],
                )?,
                Event::ChatTurn {
                    at,
                    user,
                    query,
                    outcome,
                    entry_id,
                } => tx.execute(
                    "INSERT INTO chat_turns (at, user_hash, query, outcome, entry_id) \
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![at, user, query, outcome.as_str(), entry_id],
                )?,
            };
        }
        tx.commit()?;
        Ok(())
    }

    fn vote(&self, v: &Vote) -> Result<()> {
        self.conn().execute(
            "INSERT INTO votes (at, entry_id, helpful, comment) VALUES (?1, ?2, ?3, ?4)",
            params![v.at, v.entry_id, v.helpful, v.comment],
        )?;
        Ok(())
    }

    fn report(&self, since: i64, limit: usize) -> Result<Report> {
        let conn = self.conn();
        let top = stats(
            &conn,
            "SELECT normalized, COUNT(*), MAX(results) FROM searches \
             WHERE at >= ?1 AND page = 1 GROUP BY normalized \
             ORDER BY 2 DESC, 1 LIMIT ?2",
            since,
            limit,
        )?;
        let none = stats(
            &conn,
            "SELECT normalized, COUNT(*), 0 FROM searches \
             WHERE at >= ?1 AND page = 1 AND results = 0 GROUP BY normalized \
             ORDER BY 2 DESC, 1 LIMIT ?2",
            since,
            limit,
        )?;
        let unopened = stats(
            &conn,
            "SELECT s.normalized, COUNT(*), MAX(s.results) FROM searches s \
             WHERE s.at >= ?1 AND s.page = 1 AND s.results > 0 AND NOT EXISTS \
             (SELECT 1 FROM views v WHERE v.query = s.normalized AND v.at >= ?1) \
             GROUP BY s.normalized ORDER BY 2 DESC, 1 LIMIT ?2",
            since,
            limit,
        )?;
        let chat_not_found = stats(
            &conn,
            "SELECT query, COUNT(*), 0 FROM chat_turns \
             WHERE at >= ?1 AND outcome = 'not_found' GROUP BY query \
             ORDER BY 2 DESC, 1 LIMIT ?2",
            since,
            limit,
        )?;
        let mut unhelpful = Vec::new();
        {
            let mut st = conn.prepare_cached(
                "SELECT entry_id, SUM(helpful = 0), SUM(helpful = 1) FROM votes \
                 WHERE at >= ?1 GROUP BY entry_id HAVING SUM(helpful = 0) > 0 \
                 ORDER BY 2 DESC, 1 LIMIT ?2",
            )?;
            let rows = st.query_map(params![since, limit as i64], |r| {
                Ok(EntryFeedback {
                    id: r.get(0)?,
                    no: r.get::<_, i64>(1)? as u64,
                    yes: r.get::<_, i64>(2)? as u64,
                    comments: Vec::new(),
                })
            })?;
            for row in rows {
                unhelpful.push(row?);
            }
            let mut st = conn.prepare_cached(
                "SELECT comment FROM votes WHERE entry_id = ?1 AND helpful = 0 \
                 AND comment IS NOT NULL AND at >= ?2 ORDER BY at DESC, id DESC LIMIT 5",
            )?;
            for e in &mut unhelpful {
                let rows = st.query_map(params![e.id, since], |r| r.get::<_, String>(0))?;
                e.comments = rows.collect::<rusqlite::Result<_>>()?;
            }
        }
        let mut chat_outcomes = Vec::new();
        {
            let mut st = conn.prepare_cached(
                "SELECT outcome, COUNT(*) FROM chat_turns WHERE at >= ?1 \
                 GROUP BY outcome ORDER BY 1",
            )?;
            let rows = st.query_map([since], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })?;
            for row in rows {
                chat_outcomes.push(row?);
            }
        }
        Ok(Report {
            since,
            searches: count(
                &conn,
                "SELECT COUNT(*) FROM searches WHERE at >= ?1 AND page = 1",
                since,
            )?,
            views: count(&conn, "SELECT COUNT(*) FROM views WHERE at >= ?1", since)?,
            votes: count(&conn, "SELECT COUNT(*) FROM votes WHERE at >= ?1", since)?,
            chat_outcomes,
            top_queries: top,
            no_results: none,
            unopened,
            unhelpful,
            chat_not_found,
        })
    }

    fn most_viewed(&self, since: i64, limit: usize) -> Result<Vec<(String, u64)>> {
        let conn = self.conn();
        let mut st = conn.prepare_cached(
            "SELECT entry_id, COUNT(*) FROM views WHERE at >= ?1 \
             GROUP BY entry_id ORDER BY 2 DESC, 1 LIMIT ?2",
        )?;
        let rows = st.query_map(params![since, limit as i64], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
