//! Storage: one query layer shared by SQLite and PostgreSQL.
//!
//! [`Db`] holds a pool of either engine's native sqlx driver. Queries are written once, with
//! `$1` placeholders (which sqlx's SQLite driver also accepts), and run through [`with_db!`],
//! which expands the same code for both pools so each engine keeps its own types (real booleans,
//! real timestamps). Where the dialects really differ, a repository matches on [`Db`] itself.
//! Migrations are kept side by side in `migrations/sqlite` and `migrations/postgres`.

pub mod actor_keys;
pub mod actors;
pub mod batch;
pub mod blocks;
pub mod conversations;
pub mod deliveries;
pub mod events;
pub mod filters;
pub mod follows;
pub mod groups;
pub mod inbox;
pub mod limits;
pub mod lists;
pub mod media;
pub mod notifications;
pub mod oauth;
pub mod polls;
pub mod posts;
pub mod relay;
pub mod reports;
pub mod users;
pub mod web_sessions;

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

/// A connection pool of one engine.
#[derive(Clone, Debug)]
pub enum Db {
    /// Readers, and the one writer. SQLite lets one connection write at a time; writers that
    /// collide on its file lock poll until the busy timeout and then fail. So this process queues
    /// its writes, in arrival order, for a single connection (a pool of one), and reads use the
    /// others: transactions (`begin`) and the storage functions that write run on the writer.
    Sqlite(SqlitePool, SqlitePool, batch::Batcher),
    Postgres(PgPool, batch::Batcher),
}

/// Runs `$body` with `$pool` bound to the engine's pool; the body is compiled once per engine.
#[macro_export]
macro_rules! with_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::storage::Db::Sqlite($pool, ..) => $body,
            $crate::storage::Db::Postgres($pool, _) => $body,
        }
    };
}

/// [`with_db!`] for a statement that writes: on SQLite it runs on the writer connection.
#[macro_export]
macro_rules! with_db_write {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::storage::Db::Sqlite(_, $pool, _) => $body,
            $crate::storage::Db::Postgres($pool, _) => $body,
        }
    };
}

/// A transaction of either engine: a domain change and the side effects it queues (deliveries)
/// commit together or not at all.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, sqlx::Sqlite>),
    Postgres(sqlx::Transaction<'static, sqlx::Postgres>),
}

/// Runs `$body` with `$conn` bound to the transaction's connection; compiled once per engine.
#[macro_export]
macro_rules! with_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $tx {
            $crate::storage::Tx::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::storage::Tx::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}

/// Where a statement runs: on the pool (a connection of its own, committed at once) or in the
/// caller's transaction. Storage functions take `impl Into<Exec>`, so the same function reads or
/// writes alone (`&state.db`) or as one step of a service's transaction (`&mut tx`); only
/// functions that write several statements, which must commit together, take `&mut Tx` itself.
pub enum Exec<'a> {
    Db(&'a Db),
    Tx(&'a mut Tx),
}

impl<'a> From<&'a Db> for Exec<'a> {
    fn from(db: &'a Db) -> Self {
        Exec::Db(db)
    }
}

impl<'a> From<&'a mut Tx> for Exec<'a> {
    fn from(tx: &'a mut Tx) -> Self {
        Exec::Tx(tx)
    }
}

/// Runs `$body` with `$c` bound to the pool or to the transaction's connection (both are sqlx
/// executors); compiled once per engine and per kind of executor.
#[macro_export]
macro_rules! with_exec {
    ($exec:expr, $c:ident => $body:expr) => {
        match ::core::convert::Into::<$crate::storage::Exec<'_>>::into($exec) {
            $crate::storage::Exec::Db($crate::storage::Db::Sqlite($c, ..)) => $body,
            $crate::storage::Exec::Db($crate::storage::Db::Postgres($c, _)) => $body,
            $crate::storage::Exec::Tx($crate::storage::Tx::Sqlite(t)) => {
                let $c = &mut **t;
                $body
            }
            $crate::storage::Exec::Tx($crate::storage::Tx::Postgres(t)) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// [`with_exec!`] for a statement that writes: on the pool of SQLite it runs on the writer
/// connection (in a transaction it is already there).
#[macro_export]
macro_rules! with_write {
    ($exec:expr, $c:ident => $body:expr) => {
        match ::core::convert::Into::<$crate::storage::Exec<'_>>::into($exec) {
            $crate::storage::Exec::Db($crate::storage::Db::Sqlite(_, $c, _)) => $body,
            $crate::storage::Exec::Db($crate::storage::Db::Postgres($c, _)) => $body,
            $crate::storage::Exec::Tx($crate::storage::Tx::Sqlite(t)) => {
                let $c = &mut **t;
                $body
            }
            $crate::storage::Exec::Tx($crate::storage::Tx::Postgres(t)) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn from_url(url: &str) -> Engine {
        if url.starts_with("postgres") {
            Engine::Postgres
        } else {
            Engine::Sqlite
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "SQLite",
            Engine::Postgres => "PostgreSQL",
        }
    }
}

impl Db {
    /// Opens a pool; SQLite files (and their directory) are created when missing.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Db, sqlx::Error> {
        match Engine::from_url(url) {
            Engine::Postgres => {
                let pool = PgPoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?;
                let batcher = batch::Batcher::start(batch::Target::Postgres(pool.clone()), batch::PG_RUNNERS);
                Ok(Db::Postgres(pool, batcher))
            }
            Engine::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(5))
                    .foreign_keys(true)
                    .pragma("temp_store", "memory");
                if let Some(dir) = options.get_filename().parent()
                    && !dir.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(dir).map_err(sqlx::Error::Io)?;
                }
                let readers = SqlitePoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options.clone())
                    .await?;
                // Writes wait their turn here rather than on the file lock: each is short, and
                // the queue is fair.
                let writer = SqlitePoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await?;
                let batcher = batch::Batcher::start(batch::Target::Sqlite(writer.clone()), 1);
                Ok(Db::Sqlite(readers, writer, batcher))
            }
        }
    }

    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite(..) => Engine::Sqlite,
            Db::Postgres(..) => Engine::Postgres,
        }
    }

    /// Applies the pending migrations of this engine.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self {
            Db::Sqlite(_, writer, _) => sqlx::migrate!("./migrations/sqlite").run(writer).await,
            Db::Postgres(pool, _) => sqlx::migrate!("./migrations/postgres").run(pool).await,
        }
    }

    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Db::Sqlite(_, writer, _) => Tx::Sqlite(writer.begin().await?),
            Db::Postgres(p, _) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Runs `work` in a transaction shared with the other writes waiting at this moment (see
    /// [`batch`]); its result comes back once that transaction committed. `work` must only
    /// write through the transaction it is given (another write of its own would wait for the
    /// batch it is part of).
    pub async fn write<F, T, E>(&self, work: F) -> Result<T, E>
    where
        F: for<'t> FnOnce(&'t mut Tx) -> futures::future::BoxFuture<'t, Result<T, E>> + Send + 'static,
        T: Send + 'static,
        E: From<sqlx::Error> + Send + 'static,
    {
        match self {
            Db::Sqlite(.., b) | Db::Postgres(_, b) => b.write(work).await,
        }
    }

    /// Refreshes the planner's statistics (and, on PostgreSQL, the visibility map that lets
    /// index-only scans skip the table): what autovacuum does after a bulk load. The benchmark
    /// runs it after seeding, so that it measures the steady state rather than a fresh import.
    pub async fn analyze(&self) -> Result<(), sqlx::Error> {
        match self {
            Db::Sqlite(_, writer, _) => sqlx::query("ANALYZE").execute(writer).await.map(|_| ()),
            Db::Postgres(p, _) => sqlx::query("VACUUM ANALYZE").execute(p).await.map(|_| ()),
        }
    }

    /// Keeps the planner's statistics fresh as tables grow, where nobody else does. On
    /// PostgreSQL that is autovacuum's work; where an operator turned it off (seen on shared
    /// servers), the tables changed by more than autovacuum's own threshold (50 rows and 10 %)
    /// since their last analysis are analysed here, so plans chosen on an empty table are not
    /// kept for a large one (a home timeline went from 6 to 88 ms in ten minutes without).
    /// On SQLite, `PRAGMA optimize` (what SQLite advises long-lived connections to run).
    /// Returns the tables analysed.
    pub async fn maintain(&self) -> Result<Vec<String>, sqlx::Error> {
        match self {
            Db::Sqlite(_, writer, _) => {
                sqlx::query("PRAGMA optimize").execute(writer).await?;
                Ok(Vec::new())
            }
            Db::Postgres(p, _) => {
                let autovacuum: String = sqlx::query_scalar("SHOW autovacuum").fetch_one(p).await?;
                if autovacuum == "on" {
                    return Ok(Vec::new());
                }
                let stale: Vec<String> = sqlx::query_scalar(
                    "SELECT relname::text FROM pg_stat_user_tables \
                     WHERE schemaname = current_schema() AND n_mod_since_analyze > 50 + 0.1 * n_live_tup",
                )
                .fetch_all(p)
                .await?;
                for table in &stale {
                    let quoted = format!("\"{}\"", table.replace('"', "\"\""));
                    sqlx::query(sqlx::AssertSqlSafe(format!("ANALYZE {quoted}")))
                        .execute(p)
                        .await?;
                }
                Ok(stale)
            }
        }
    }

    /// A cheap round trip, for readiness checks.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        with_db!(self, p => sqlx::query("SELECT 1").execute(p).await.map(|_| ()))
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(readers, writer, _) => {
                writer.close().await;
                readers.close().await;
            }
            Db::Postgres(p, _) => p.close().await,
        }
    }
}

/// The current time at millisecond precision: what both engines store exactly and what the
/// Mastodon API shows, so a value read back equals the value written.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(3)
}

/// True when the error is a violation of a unique constraint (on either engine).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// True when the database could not do the work now but may later: unreachable, out of
/// connections, shutting down, or (SQLite) locked by another writer past the busy timeout, or
/// (PostgreSQL) a serialization failure, a deadlock or an administrator's shutdown. Such a
/// failure is never the caller's fault: it is answered 503 with `Retry-After`, and queued work
/// is tried again.
pub fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(d) => {
            let code = d.code().unwrap_or_default();
            // SQLite: SQLITE_BUSY (5), SQLITE_LOCKED (6) and their extended codes.
            let sqlite_busy = code.parse::<i64>().is_ok_and(|c| c & 0xff == 5 || c & 0xff == 6);
            // PostgreSQL: serialization failure, deadlock, admin shutdown, cannot connect now.
            let pg_transient = matches!(code.as_ref(), "40001" | "40P01" | "57P01" | "57P02" | "57P03" | "53300");
            sqlite_busy || pg_transient
        }
        _ => false,
    }
}

/// [`is_unavailable`] anywhere in an error's chain.
pub fn cause_is_unavailable(e: &anyhow::Error) -> bool {
    e.chain()
        .any(|c| c.downcast_ref::<sqlx::Error>().is_some_and(is_unavailable))
}

/// `$first, $first+1, …` placeholders for an `IN (…)` list of `n` values.
pub fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}
