//! The SQLite store: one file, WAL, `synchronous=FULL` (a committed vote is on disk).
//!
//! The schema is versioned with `PRAGMA user_version`; [`SqliteStore::open`] applies
//! the migrations it has not seen, in one transaction each.

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, Result};
use rusqlite::Connection;

use super::report::Report;
use super::sql::{self, Db, Param, Row};
use super::{Event, Store, Vote};

/// The file name inside the data directory.
pub const FILE_NAME: &str = "doum.sqlite";

/// Schema migrations, in order; `user_version` is how many have run.
const MIGRATIONS: [&str; 4] = [
    "
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
",
    // The entry a search showed as its one answer (NULL: none, or recorded
    // before the answer box); indexes that hold every column the report and
    // the most viewed list read, so that they read the indexes alone
    // (replacing the single-column ones: no more indexes to write); and the
    // chatbot turns by user, for deleting a customer's history.
    "ALTER TABLE searches ADD COLUMN answer_id TEXT;
CREATE INDEX searches_report ON searches (at, page, normalized, results, answer_id);
DROP INDEX searches_at;
CREATE INDEX views_report ON views (query, at, entry_id);
DROP INDEX views_query;
CREATE INDEX views_at_entry ON views (at, entry_id);
DROP INDEX views_at;
CREATE INDEX chat_turns_user ON chat_turns (user_hash);",
    // For a vote under a chatbot answer, the question the answer was given
    // for (NULL for a vote on an article page).
    "ALTER TABLE votes ADD COLUMN question TEXT;",
    // The category filter a search was run within (NULL: none, or recorded
    // before), so that a search that found nothing in an empty or unknown
    // category is told apart in the report.
    "ALTER TABLE searches ADD COLUMN category TEXT;",
];

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
        // A deleted row is overwritten, not left in a free page: what the
        // retention purge deletes is gone from the file.
        conn.pragma_update(None, "secure_delete", "ON")?;
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

/// The shared SQL ([`sql`]) on a connection or transaction.
struct Sqlite<'c>(&'c Connection);

fn bind(params: &[Param<'_>]) -> Vec<rusqlite::types::Value> {
    use rusqlite::types::Value;
    params
        .iter()
        .map(|p| match *p {
            Param::Int(i) | Param::OptInt(Some(i)) => Value::Integer(i),
            Param::Text(t) | Param::OptText(Some(t)) => Value::Text(t.to_string()),
            Param::OptInt(None) | Param::OptText(None) => Value::Null,
        })
        .collect()
}

impl Db for Sqlite<'_> {
    fn exec(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64> {
        let mut st = self.0.prepare_cached(sql)?;
        Ok(st.execute(rusqlite::params_from_iter(bind(params)))? as u64)
    }

    fn rows(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>> {
        let mut st = self.0.prepare_cached(sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(bind(params)), |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl Store for SqliteStore {
    fn write(&self, events: &[Event]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for e in events {
            sql::insert_event(&mut Sqlite(&tx), e)?;
        }
        tx.commit()?;
        Ok(())
    }

    fn vote(&self, v: &Vote) -> Result<()> {
        sql::insert_vote(&mut Sqlite(&self.conn()), v)
    }

    fn report(&self, since: i64, limit: usize) -> Result<Report> {
        // One read transaction: the report's queries see one snapshot (WAL),
        // not a purge or a batch that lands between two of them.
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let report = sql::report(&mut Sqlite(&tx), since, limit)?;
        tx.commit()?;
        Ok(report)
    }

    fn most_viewed(&self, since: i64, limit: usize) -> Result<Vec<(String, u64)>> {
        sql::most_viewed(&mut Sqlite(&self.conn()), since, limit)
    }

    fn purge(&self, before: i64) -> Result<u64> {
        // The connection is taken for one batch at a time: the writer and
        // the pages wait for a batch, not for the whole purge.
        let n = sql::purge(|table| sql::delete_before(&mut Sqlite(&self.conn()), table, before))?;
        self.checkpoint_after(n)
    }

    fn forget(&self, user: &str) -> Result<u64> {
        let n = sql::delete_user(&mut Sqlite(&self.conn()), user)?;
        self.checkpoint_after(n)
    }
}

impl SqliteStore {
    /// After `n` rows were deleted: copies the overwritten pages back into
    /// the database file now, so that the deleted rows do not linger in the
    /// write-ahead log. Returns `n`.
    fn checkpoint_after(&self, n: u64) -> Result<u64> {
        if n > 0 {
            self.conn()
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file written before the answer box (schema 1) keeps its searches
    /// and takes answers after the upgrade.
    #[test]
    fn a_schema_1_file_is_upgraded_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.pragma_update(None, "user_version", 1).unwrap();
            conn.execute(
                "INSERT INTO searches (at, query, normalized, results, page, source) \
                 VALUES (?1, '환불', '환불', 3, 1, 'page')",
                [super::super::now()],
            )
            .unwrap();
        }
        let store = SqliteStore::open(&path).unwrap();
        store
            .write(&[Event::Search {
                at: super::super::now(),
                query: "환불계좌 등록".into(),
                normalized: "환불계좌 등록".into(),
                results: 4,
                page: 1,
                source: "api",
                category: None,
                answer: Some("refund-account-register".into()),
            }])
            .unwrap();
        let r = store.report(0, 10).unwrap();
        assert_eq!((r.searches, r.answered), (2, 1));
        let version: usize = store
            .conn()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, MIGRATIONS.len());
        let indexes: Vec<String> = store
            .conn()
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            indexes,
            [
                "chat_turns_at",
                "chat_turns_user",
                "searches_report",
                "views_at_entry",
                "views_report",
                "votes_entry"
            ],
            "the report's covering indexes replace the single-column ones"
        );
    }
}
