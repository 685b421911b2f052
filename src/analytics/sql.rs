//! The SQL both stores run: inserts for every event and the report queries, written
//! once in the common subset of SQLite and PostgreSQL, plus the report assembled once
//! in Rust over their rows.
//!
//! A store only has to run a statement with [`Param`]s ([`Db::exec`]) and return rows
//! of `(text, integer, integer)` ([`Db::rows`]). Placeholders are written `?1`, `?2`, …
//! (SQLite); the PostgreSQL store turns them into `$1`, `$2`, … ([`numbered_dollars`]).
//! Integers are 64-bit in both schemas, and every query selects exactly three columns
//! (text, BIGINT, BIGINT), so one row type fits all.

use anyhow::Result;

use super::redact::redact;
use super::report::{EntryFeedback, PassedOver, QueryStat, Report};
use super::{Event, Vote};

/// A statement parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param<'a> {
    /// A 64-bit integer.
    Int(i64),
    /// An integer or NULL.
    OptInt(Option<i64>),
    /// Text.
    Text(&'a str),
    /// Text or NULL.
    OptText(Option<&'a str>),
}

/// One result row: a text column and two integers.
pub type Row = (String, i64, i64);

/// What a store gives the shared SQL: run a statement, read rows.
pub trait Db {
    /// Runs a statement that returns no rows; how many rows it changed.
    fn exec(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64>;
    /// Runs a query whose rows are `(text, integer, integer)`.
    fn rows(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>>;
}

/// `?1` → `$1`: SQLite's numbered placeholders as PostgreSQL writes them (the shared
/// SQL has no `?` anywhere else).
pub fn numbered_dollars(sql: &str) -> String {
    sql.replace('?', "$")
}

/// Writes one event (inside the caller's transaction), what was typed
/// [`redact`]ed.
pub fn insert_event(db: &mut dyn Db, event: &Event) -> Result<()> {
    let inserted = match event {
        Event::Search {
            at,
            query,
            normalized,
            results,
            page,
            source,
            category,
            answer,
        } => db.exec(
            "INSERT INTO searches \
             (at, query, normalized, results, page, source, answer_id, category) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            &[
                Param::Int(*at),
                Param::Text(&redact(query)),
                Param::Text(&redact(normalized)),
                Param::Int(*results as i64),
                Param::Int(*page as i64),
                Param::Text(source),
                Param::OptText(answer.as_deref()),
                Param::OptText(category.as_deref().map(redact).as_deref()),
            ],
        ),
        Event::View {
            at,
            entry_id,
            query,
            rank,
        } => db.exec(
            "INSERT INTO views (at, entry_id, query, rank) VALUES (?1, ?2, ?3, ?4)",
            &[
                Param::Int(*at),
                Param::Text(entry_id),
                Param::OptText(query.as_deref().map(redact).as_deref()),
                Param::OptInt(rank.map(|r| r as i64)),
            ],
        ),
        Event::ChatTurn {
            at,
            user,
            query,
            outcome,
            entry_id,
        } => db.exec(
            "INSERT INTO chat_turns (at, user_hash, query, outcome, entry_id) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            &[
                Param::Int(*at),
                Param::OptText(user.as_deref()),
                Param::Text(&redact(query)),
                Param::Text(outcome.as_str()),
                Param::OptText(entry_id.as_deref()),
            ],
        ),
    };
    inserted.map(drop)
}

/// Writes one vote, its comment and question [`redact`]ed.
pub fn insert_vote(db: &mut dyn Db, v: &Vote) -> Result<()> {
    db.exec(
        "INSERT INTO votes (at, entry_id, helpful, comment, question) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        &[
            Param::Int(v.at),
            Param::Text(&v.entry_id),
            Param::Int(i64::from(v.helpful)),
            Param::OptText(v.comment.as_deref().map(redact).as_deref()),
            Param::OptText(v.question.as_deref().map(redact).as_deref()),
        ],
    )
    .map(drop)
}

/// The tables whose rows carry the time they were recorded (`at`): all of
/// them, so [`purge`] leaves nothing older behind.
pub const DATED_TABLES: [&str; 4] = ["searches", "views", "votes", "chat_turns"];

/// The most rows one statement of [`purge`] deletes: a store's writers wait
/// for one such statement, not for the whole purge.
pub const PURGE_BATCH: u64 = 5_000;

/// Deletes up to [`PURGE_BATCH`] rows of `table` (one of [`DATED_TABLES`])
/// recorded before `before` (unix seconds), oldest first; how many went.
pub fn delete_before(db: &mut dyn Db, table: &str, before: i64) -> Result<u64> {
    anyhow::ensure!(DATED_TABLES.contains(&table), "no dated table `{table}`");
    db.exec(
        &format!(
            "DELETE FROM {table} WHERE id IN \
             (SELECT id FROM {table} WHERE at < ?1 ORDER BY id LIMIT ?2)"
        ),
        &[Param::Int(before), Param::Int(PURGE_BATCH as i64)],
    )
}

/// Deletes every chatbot turn recorded for the Kakao user whose key hashes
/// to `user` ([`super::hash_user`]); how many went. The only table that
/// knows who said something is `chat_turns`: searches, views and votes
/// carry no user.
pub fn delete_user(db: &mut dyn Db, user: &str) -> Result<u64> {
    db.exec(
        "DELETE FROM chat_turns WHERE user_hash = ?1",
        &[Param::Text(user)],
    )
}

/// Deletes every row of every [`DATED_TABLES`] table recorded before
/// `before`, [`PURGE_BATCH`] rows at a time through `delete` (which runs
/// [`delete_before`] on a connection it holds for that batch only); how
/// many rows went.
pub fn purge(mut delete: impl FnMut(&str) -> Result<u64>) -> Result<u64> {
    let mut total = 0;
    for table in DATED_TABLES {
        loop {
            let n = delete(table)?;
            total += n;
            if n < PURGE_BATCH {
                break;
            }
        }
    }
    Ok(total)
}

const TOP: &str = "SELECT normalized, COUNT(*), COALESCE(MAX(results), 0) FROM searches \
     WHERE at >= ?1 AND page = 1 GROUP BY normalized ORDER BY 2 DESC, 1 LIMIT ?2";
/// Searches that found nothing, per query and category filter: a row's text
/// is the query, then a tab and the category when there was one (queries
/// hold no tabs, see [`super::normalize`]; [`with_category`] splits them).
const NO_RESULTS: &str = "SELECT normalized || \
     CASE WHEN category IS NULL THEN '' ELSE '\t' || category END, \
     COUNT(*), CAST(0 AS BIGINT) FROM searches \
     WHERE at >= ?1 AND page = 1 AND results = 0 GROUP BY normalized, category \
     ORDER BY 2 DESC, 1 LIMIT ?2";
/// Searches that found something, showed no answer of their own, and whose
/// results nobody opened. A search the answer box answered is not among them:
/// its customer may have read the answer without a click.
const UNOPENED: &str = "SELECT s.normalized, COUNT(*), COALESCE(MAX(s.results), 0) \
     FROM searches s WHERE s.at >= ?1 AND s.page = 1 AND s.results > 0 \
     AND s.answer_id IS NULL AND NOT EXISTS \
     (SELECT 1 FROM views v WHERE v.query = s.normalized AND v.at >= ?1) \
     GROUP BY s.normalized ORDER BY 2 DESC, 1 LIMIT ?2";
/// Searches that showed an answer, after which a customer opened another
/// result of the same query: the answer may be the wrong one. A row is
/// `(answer id + ' ' + query, searches with that answer, other entries opened)`
/// (ids hold no spaces, see [`split_answered`]), most other openings first.
const ANSWER_PASSED_OVER: &str = "SELECT a.answer_id || ' ' || a.normalized, a.n, a.other \
     FROM (SELECT s.answer_id, s.normalized, COUNT(*) AS n, \
       (SELECT COUNT(*) FROM views v WHERE v.query = s.normalized AND v.at >= ?1 \
        AND v.entry_id <> s.answer_id) AS other \
       FROM searches s WHERE s.at >= ?1 AND s.page = 1 AND s.answer_id IS NOT NULL \
       GROUP BY s.answer_id, s.normalized) a \
     WHERE a.other > 0 ORDER BY 3 DESC, 2 DESC, 1 LIMIT ?2";
const CHAT_NOT_FOUND: &str = "SELECT query, COUNT(*), CAST(0 AS BIGINT) FROM chat_turns \
     WHERE at >= ?1 AND outcome = 'not_found' GROUP BY query ORDER BY 2 DESC, 1 LIMIT ?2";
const UNHELPFUL: &str = "SELECT entry_id, COUNT(CASE WHEN helpful = 0 THEN 1 END), \
     COUNT(CASE WHEN helpful = 1 THEN 1 END) FROM votes WHERE at >= ?1 \
     GROUP BY entry_id HAVING COUNT(CASE WHEN helpful = 0 THEN 1 END) > 0 \
     ORDER BY 2 DESC, 1 LIMIT ?2";
const COMMENTS: &str = "SELECT comment, at, id FROM votes WHERE entry_id = ?1 \
     AND helpful = 0 AND comment IS NOT NULL AND at >= ?2 ORDER BY at DESC, id DESC LIMIT 5";
const QUESTIONS: &str = "SELECT question, at, id FROM votes WHERE entry_id = ?1 \
     AND helpful = 0 AND question IS NOT NULL AND at >= ?2 ORDER BY at DESC, id DESC LIMIT 5";
const CHAT_OUTCOMES: &str = "SELECT outcome, COUNT(*), CAST(0 AS BIGINT) FROM chat_turns \
     WHERE at >= ?1 GROUP BY outcome ORDER BY 1";
/// The totals in one pass over each table: `(searches, of them answered)`,
/// `(views, 0)`, `(votes, 0)`, in that order.
const COUNTS: &str = "SELECT 'a-searches', COUNT(*), COUNT(answer_id) FROM searches \
     WHERE at >= ?1 AND page = 1 \
     UNION ALL SELECT 'b-views', COUNT(*), CAST(0 AS BIGINT) FROM views WHERE at >= ?1 \
     UNION ALL SELECT 'c-votes', COUNT(*), CAST(0 AS BIGINT) FROM votes WHERE at >= ?1 \
     ORDER BY 1";
const MOST_VIEWED: &str = "SELECT entry_id, COUNT(*), CAST(0 AS BIGINT) FROM views \
     WHERE at >= ?1 GROUP BY entry_id ORDER BY 2 DESC, 1 LIMIT ?2";

fn n(v: i64) -> u64 {
    v.max(0) as u64
}

fn stats(db: &mut dyn Db, sql: &str, since: i64, limit: usize) -> Result<Vec<QueryStat>> {
    Ok(db
        .rows(sql, &[Param::Int(since), Param::Int(limit as i64)])?
        .into_iter()
        .map(|(query, count, results)| QueryStat {
            query,
            count: n(count),
            results: n(results),
            category: None,
        })
        .collect())
}

/// A [`NO_RESULTS`] row's query split from its category.
fn with_category(mut stat: QueryStat) -> QueryStat {
    if let Some(tab) = stat.query.find('\t') {
        stat.category = Some(stat.query[tab + 1..].to_string());
        stat.query.truncate(tab);
    }
    stat
}

/// The report over everything since `since` (unix seconds), `limit` rows per list.
pub fn report(db: &mut dyn Db, since: i64, limit: usize) -> Result<Report> {
    let top_queries = stats(db, TOP, since, limit)?;
    let no_results = stats(db, NO_RESULTS, since, limit)?
        .into_iter()
        .map(with_category)
        .collect();
    let unopened = stats(db, UNOPENED, since, limit)?;
    let answer_passed_over = db
        .rows(
            ANSWER_PASSED_OVER,
            &[Param::Int(since), Param::Int(limit as i64)],
        )?
        .into_iter()
        .map(|(key, searches, other)| {
            let (answer, query) = split_answered(&key);
            PassedOver {
                query: query.to_string(),
                answer: answer.to_string(),
                searches: n(searches),
                other_opened: n(other),
            }
        })
        .collect();
    let chat_not_found = stats(db, CHAT_NOT_FOUND, since, limit)?;
    let mut unhelpful = Vec::new();
    for (id, no, yes) in db.rows(UNHELPFUL, &[Param::Int(since), Param::Int(limit as i64)])? {
        let mut latest = |sql: &str| -> Result<Vec<String>> {
            Ok(db
                .rows(sql, &[Param::Text(&id), Param::Int(since)])?
                .into_iter()
                .map(|(text, _, _)| text)
                .collect())
        };
        let comments = latest(COMMENTS)?;
        let questions = latest(QUESTIONS)?;
        unhelpful.push(EntryFeedback {
            id,
            no: n(no),
            yes: n(yes),
            comments,
            questions,
        });
    }
    let chat_outcomes = db
        .rows(CHAT_OUTCOMES, &[Param::Int(since)])?
        .into_iter()
        .map(|(o, c, _)| (o, n(c)))
        .collect();
    let counts = db.rows(COUNTS, &[Param::Int(since)])?;
    let (searches, answered, views, votes) = match counts.as_slice() {
        [(_, s, a), (_, v, _), (_, votes, _)] => (n(*s), n(*a), n(*v), n(*votes)),
        other => anyhow::bail!("analytics counts: expected 3 rows, got {}", other.len()),
    };
    Ok(Report {
        since,
        searches,
        answered,
        views,
        votes,
        chat_outcomes,
        top_queries,
        no_results,
        unopened,
        answer_passed_over,
        unhelpful,
        chat_not_found,
    })
}

/// `(answer id, query)` of an [`ANSWER_PASSED_OVER`] row's text: entry ids
/// hold no spaces, so the id ends at the first one.
fn split_answered(key: &str) -> (&str, &str) {
    key.split_once(' ').unwrap_or((key, ""))
}

/// The most opened entries since `since`: `(entry id, views)`, most first.
pub fn most_viewed(db: &mut dyn Db, since: i64, limit: usize) -> Result<Vec<(String, u64)>> {
    Ok(db
        .rows(MOST_VIEWED, &[Param::Int(since), Param::Int(limit as i64)])?
        .into_iter()
        .map(|(id, c, _)| (id, n(c)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_dollars() {
        assert_eq!(
            numbered_dollars("SELECT 1 WHERE a = ?1 AND b >= ?2 OR c = ?1"),
            "SELECT 1 WHERE a = $1 AND b >= $2 OR c = $1"
        );
    }
}
