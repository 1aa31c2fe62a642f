//! Group commit: writes that arrive together commit together.
//!
//! A burst of group posts asks for thousands of small transactions a second (store an activity,
//! create a post and queue its Announces, record a delivery's outcome). On SQLite they all queue
//! for the one writer, and each pays for its own commit and for the hand-offs between tokio and
//! the SQLite thread; on PostgreSQL each pays for its own commit. [`Db::write`](super::Db::write)
//! instead hands the work to a runner that takes every write waiting at that moment (up to
//! [`MAX_BATCH`]) and runs them in one transaction, each inside a savepoint of its own: a write
//! that fails is rolled back alone and its caller gets its error; the others commit. A caller
//! hears its result only once the transaction committed, so nothing is acknowledged that a
//! crash could lose. When the queue is empty a write runs at once, in a batch of one.
//!
//! SQLite has one runner (one writer); PostgreSQL has [`PG_RUNNERS`], each taking its own batches.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use sqlx::postgres::PgPool;
use sqlx::sqlite::SqlitePool;
use tokio::sync::{Mutex, mpsc, oneshot};

use super::Tx;

/// Writes committed in one transaction at most.
pub const MAX_BATCH: usize = 256;
/// Batch runners of one process on PostgreSQL.
pub const PG_RUNNERS: usize = 4;
/// Writes waiting for a runner before callers wait to hand theirs over.
const QUEUE: usize = 4096;

/// A write waiting for its batch.
trait Job: Send {
    /// Runs the write in the batch's transaction; returns what to tell the caller once the
    /// batch committed (or failed to), and the error that left the transaction unusable, if any.
    fn run<'t>(self: Box<Self>, tx: &'t mut Tx, alone: bool) -> BoxFuture<'t, (Box<dyn Finish>, Option<sqlx::Error>)>;
    /// The batch could not start: the write did not run.
    fn fail(self: Box<Self>, error: sqlx::Error);
}

trait Finish: Send {
    fn finish(self: Box<Self>, committed: Result<(), &sqlx::Error>);
}

struct Write<F, T, E> {
    work: F,
    reply: oneshot::Sender<Result<T, E>>,
}

struct Done<T, E> {
    result: Result<T, E>,
    reply: oneshot::Sender<Result<T, E>>,
}

impl<F, T, E> Job for Write<F, T, E>
where
    F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: From<sqlx::Error> + Send + 'static,
{
    fn run<'t>(self: Box<Self>, tx: &'t mut Tx, alone: bool) -> BoxFuture<'t, (Box<dyn Finish>, Option<sqlx::Error>)> {
        let Write { work, reply } = *self;
        Box::pin(async move {
            if alone {
                // The only write of its transaction: it fails alone without a savepoint.
                let result = match AssertUnwindSafe(work(&mut *tx)).catch_unwind().await {
                    Ok(r) => r,
                    Err(_) => Err(E::from(sqlx::Error::Protocol("a batched write panicked".into()))),
                };
                let broken = result
                    .is_err()
                    .then(|| sqlx::Error::Protocol("the write failed".into()));
                return (Box::new(Done { result, reply }) as Box<dyn Finish>, broken);
            }
            let (result, broken) = match savepoint(tx, work).await {
                Ok(result) => (result, None),
                Err(e) => (Err(E::from(copy_error(&e))), Some(e)),
            };
            (Box::new(Done { result, reply }) as Box<dyn Finish>, broken)
        })
    }

    fn fail(self: Box<Self>, error: sqlx::Error) {
        let _ = self.reply.send(Err(E::from(error)));
    }
}

impl<T: Send, E: From<sqlx::Error> + Send> Finish for Done<T, E> {
    fn finish(self: Box<Self>, committed: Result<(), &sqlx::Error>) {
        // A write that failed keeps its own error; one that succeeded is told if the batch
        // did not commit.
        let result = match (self.result, committed) {
            (Err(e), _) => Err(e),
            (Ok(v), Ok(())) => Ok(v),
            (Ok(_), Err(e)) => Err(E::from(copy_error(e))),
        };
        let _ = self.reply.send(result);
    }
}

/// Runs one write inside a savepoint: undone alone when it fails (or panics). The outer error
/// is the savepoint's own: the transaction can no longer be used.
async fn savepoint<F, T, E>(tx: &mut Tx, work: F) -> Result<Result<T, E>, sqlx::Error>
where
    F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, Result<T, E>> + Send,
    E: From<sqlx::Error>,
{
    execute(tx, "SAVEPOINT batch_write").await?;
    let result = match AssertUnwindSafe(work(&mut *tx)).catch_unwind().await {
        Ok(r) => r,
        Err(_) => Err(E::from(sqlx::Error::Protocol("a batched write panicked".into()))),
    };
    if result.is_ok() {
        execute(tx, "RELEASE SAVEPOINT batch_write").await?;
    } else {
        execute(tx, "ROLLBACK TO SAVEPOINT batch_write").await?;
        execute(tx, "RELEASE SAVEPOINT batch_write").await?;
    }
    Ok(result)
}

async fn execute(tx: &mut Tx, sql: &'static str) -> Result<(), sqlx::Error> {
    crate::with_tx!(tx, c => sqlx::query(sql).execute(c).await.map(|_| ()))
}

/// The same failure for every write of a batch that did not commit: one that says the
/// database is unavailable stays so (and is retried by those who retry such failures).
fn copy_error(e: &sqlx::Error) -> sqlx::Error {
    if super::is_unavailable(e) {
        sqlx::Error::Io(std::io::Error::other(format!("batch not committed: {e}")))
    } else {
        sqlx::Error::Protocol(format!("batch not committed: {e}"))
    }
}

/// Where batches begin their transactions.
#[derive(Clone)]
pub(super) enum Target {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl Target {
    async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(match self {
            Target::Sqlite(p) => Tx::Sqlite(p.begin().await?),
            Target::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }
}

/// The queue of writes of one process, and its runners.
#[derive(Clone)]
pub struct Batcher {
    queue: mpsc::Sender<Box<dyn Job>>,
}

impl std::fmt::Debug for Batcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batcher").finish_non_exhaustive()
    }
}

impl Batcher {
    /// Starts `runners` runners on the current tokio runtime; they end when every handle to
    /// the batcher is gone.
    pub(super) fn start(target: Target, runners: usize) -> Batcher {
        let (queue, jobs) = mpsc::channel::<Box<dyn Job>>(QUEUE);
        let jobs = Arc::new(Mutex::new(jobs));
        for _ in 0..runners {
            let (jobs, target) = (jobs.clone(), target.clone());
            tokio::spawn(async move {
                while let Some(batch) = next_batch(&jobs).await {
                    run_batch(&target, batch).await;
                }
            });
        }
        Batcher { queue }
    }

    pub(super) async fn write<F, T, E>(&self, work: F) -> Result<T, E>
    where
        F: for<'t> FnOnce(&'t mut Tx) -> BoxFuture<'t, Result<T, E>> + Send + 'static,
        T: Send + 'static,
        E: From<sqlx::Error> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        if self.queue.send(Box::new(Write { work, reply })).await.is_err() {
            return Err(E::from(sqlx::Error::PoolClosed));
        }
        // A runner that went away (its runtime ended) answers nothing.
        answer
            .await
            .unwrap_or_else(|_| Err(E::from(sqlx::Error::WorkerCrashed)))
    }
}

/// Waits for one write, then takes those queued behind it.
async fn next_batch(jobs: &Mutex<mpsc::Receiver<Box<dyn Job>>>) -> Option<Vec<Box<dyn Job>>> {
    let mut jobs = jobs.lock().await;
    let first = jobs.recv().await?;
    let mut batch = vec![first];
    while batch.len() < MAX_BATCH {
        match jobs.try_recv() {
            Ok(job) => batch.push(job),
            Err(_) => break,
        }
    }
    Some(batch)
}

async fn run_batch(target: &Target, batch: Vec<Box<dyn Job>>) {
    let mut tx = match target.begin().await {
        Ok(tx) => tx,
        Err(e) => {
            for job in batch {
                job.fail(copy_error(&e));
            }
            return;
        }
    };
    let mut done = Vec::with_capacity(batch.len());
    let mut broken = None;
    let alone = batch.len() == 1;
    for job in batch {
        if let Some(e) = &broken {
            job.fail(copy_error(e));
            continue;
        }
        // A savepoint that could not be taken, released or rolled back leaves the transaction
        // unusable: the rest of the batch fails with the same error rather than running in it,
        // and nothing is committed.
        let (finish, error) = job.run(&mut tx, alone).await;
        done.push(finish);
        broken = error;
    }
    let committed = match broken {
        Some(e) => Err(e),
        None => tx.commit().await,
    };
    for d in done {
        d.finish(committed.as_ref().map(|_| ()));
    }
}

/// Hands what `items` yields to `record`, as many at a time as have arrived (at most
/// [`MAX_BATCH`]), until the senders are gone: outcomes that come in one by one from concurrent
/// work are written in batches, without waiting for the slowest of them.
pub async fn in_batches<T, Fut>(mut items: mpsc::UnboundedReceiver<T>, mut record: impl FnMut(Vec<T>) -> Fut)
where
    Fut: std::future::Future<Output = ()>,
{
    while let Some(first) = items.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match items.try_recv() {
                Ok(item) => batch.push(item),
                Err(_) => break,
            }
        }
        record(batch).await;
    }
}
