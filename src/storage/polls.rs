//! Polls and their votes.

use chrono::{DateTime, Utc};

use super::Exec;
use crate::{with_exec, with_write};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PollRow {
    pub post_id: i64,
    /// A JSON array of the options' titles.
    pub options: String,
    /// A remote poll's counts per option (JSON array), as its server last sent them.
    pub counts: String,
    pub multiple: bool,
    pub hide_totals: bool,
    pub expires_at: Option<DateTime<Utc>>,
    pub voters_count: Option<i64>,
}

impl PollRow {
    pub fn titles(&self) -> Vec<String> {
        serde_json::from_str(&self.options).unwrap_or_default()
    }
    pub fn remote_counts(&self) -> Vec<i64> {
        serde_json::from_str(&self.counts).unwrap_or_default()
    }
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|t| t <= now)
    }
}

pub async fn insert(db: impl Into<Exec<'_>>, p: &PollRow) -> Result<(), sqlx::Error> {
    with_write!(db, c => sqlx::query(
        "INSERT INTO polls (post_id, options, counts, multiple, hide_totals, expires_at, voters_count) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (post_id) DO UPDATE SET options = excluded.options, \
         counts = excluded.counts, multiple = excluded.multiple, expires_at = excluded.expires_at, \
         voters_count = excluded.voters_count")
        .bind(p.post_id).bind(&p.options).bind(&p.counts).bind(p.multiple).bind(p.hide_totals)
        .bind(p.expires_at).bind(p.voters_count).execute(c).await.map(|_| ()))
}

pub async fn find(db: impl Into<Exec<'_>>, post_id: i64) -> Result<Option<PollRow>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_as::<_, PollRow>("SELECT * FROM polls WHERE post_id = $1")
        .bind(post_id).fetch_optional(p).await)
}

pub async fn find_many(db: impl Into<Exec<'_>>, post_ids: &[i64]) -> Result<Vec<PollRow>, sqlx::Error> {
    if post_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT * FROM polls WHERE post_id IN ({})",
        super::placeholders(1, post_ids.len())
    );
    with_exec!(db, p => {
        let mut q = sqlx::query_as::<_, PollRow>(sqlx::AssertSqlSafe(sql));
        for id in post_ids {
            q = q.bind(*id);
        }
        q.fetch_all(p).await
    })
}

/// What the votes held here say about some polls, in one statement: per poll and option the
/// votes (`Tally::Option`), per poll the people who voted (`Tally::Voters`), and the options
/// `viewer` chose (`Tally::Mine`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tally {
    Option { post_id: i64, choice: i64, votes: i64 },
    Voters { post_id: i64, voters: i64 },
    Mine { post_id: i64, choice: i64 },
}

pub async fn tallies(
    db: impl Into<Exec<'_>>,
    post_ids: &[i64],
    viewer: Option<i64>,
) -> Result<Vec<Tally>, sqlx::Error> {
    if post_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids = super::placeholders(2, post_ids.len());
    let sql = format!(
        "SELECT 'o', post_id, choice, COUNT(*) FROM poll_votes WHERE post_id IN ({ids}) GROUP BY post_id, choice \
         UNION ALL SELECT 'v', post_id, CAST(0 AS BIGINT), COUNT(DISTINCT actor_id) FROM poll_votes WHERE post_id IN ({ids}) GROUP BY post_id \
         UNION ALL SELECT 'm', post_id, choice, CAST(0 AS BIGINT) FROM poll_votes WHERE actor_id = $1 AND post_id IN ({ids})"
    );
    let rows: Vec<(String, i64, i64, i64)> = with_exec!(db, p => {
        let mut q = sqlx::query_as::<_, (String, i64, i64, i64)>(sqlx::AssertSqlSafe(sql)).bind(viewer.unwrap_or(-1));
        for id in post_ids {
            q = q.bind(*id);
        }
        q.fetch_all(p).await
    })?;
    Ok(rows
        .into_iter()
        .map(|(kind, post_id, choice, n)| match kind.as_str() {
            "o" => Tally::Option {
                post_id,
                choice,
                votes: n,
            },
            "v" => Tally::Voters { post_id, voters: n },
            _ => Tally::Mine { post_id, choice },
        })
        .collect())
}

/// Records one chosen option; `false` when this person had already chosen it.
pub async fn vote(
    db: impl Into<Exec<'_>>,
    post_id: i64,
    actor_id: i64,
    choice: i64,
    ap_id: Option<&str>,
) -> Result<bool, sqlx::Error> {
    let now = super::now();
    with_write!(db, c => sqlx::query(
        "INSERT INTO poll_votes (id, post_id, actor_id, choice, ap_id, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (post_id, actor_id, choice) DO NOTHING")
        .bind(crate::ids::id_at(now)).bind(post_id).bind(actor_id).bind(choice).bind(ap_id).bind(now)
        .execute(c).await.map(|r| r.rows_affected() == 1))
}

/// The options someone chose in a poll.
pub async fn choices_of(db: impl Into<Exec<'_>>, post_id: i64, actor_id: i64) -> Result<Vec<i64>, sqlx::Error> {
    with_exec!(db, p => sqlx::query_scalar("SELECT choice FROM poll_votes WHERE post_id = $1 AND actor_id = $2 ORDER BY choice")
        .bind(post_id).bind(actor_id).fetch_all(p).await)
}
