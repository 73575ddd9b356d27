//! Batched writes: many concurrent writes of one shape (posting a message) merged into
//! one call that does them with a few set-based statements.
//!
//! Why: a message posted alone costs about nine statements, and on both backends the
//! statement round trips, not the rows, are the cost (on SQLite each one is a hand-off
//! to the connection's worker thread; on PostgreSQL each one starts an executor). Fifty
//! messages as six statements cost a tenth of the CPU per message (measured, see
//! `docs/benchmarks.md`).
//!
//! On SQLite a lane runs inside the writer's group commit, in a savepoint; if it fails,
//! its effects are rolled back and every item runs again alone in its own savepoint, so
//! one bad item fails alone and never takes its neighbours down. On PostgreSQL one of a
//! few group committers ([`PgLanes`]) runs it in a transaction of its own, or, for a
//! lane that writes with one statement ([`Lane::one_write_statement`]), in no
//! transaction at all: that statement commits alone, and a failed one wrote nothing, so
//! the items can run again one by one the same way.

use super::{Erased, StoreError};
use futures_util::future::BoxFuture;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Executor};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};

/// Most items one lane call takes: bounds the statements' parameter counts (nine per
/// message, far below both backends' limits) and the latency a batch adds.
pub const MAX_LANE_BATCH: usize = 128;

/// PostgreSQL group committers per lane. Each holds one connection while it commits;
/// while one commits, the next collects what arrived meanwhile.
const PG_COMMITTERS: usize = 4;

/// Runs `items` inside the open transaction and returns one result per item, in order.
/// An item refused by a rule returns its own `Err`; an `Err` for the whole call means
/// the batch failed as a whole (a constraint, a lost connection).
pub type LaneFn<I, O> = for<'c> fn(&'c mut AnyConnection, &'c [I]) -> BoxFuture<'c, Result<Vec<Result<O, StoreError>>, StoreError>>;

/// [`LaneFn`] on the SQLite writer's direct connection (see `db::direct`): the same
/// contract, called on the writer's thread with no hand-off.
pub type DirectFn<I, O> = fn(&rusqlite::Connection, &[I]) -> Result<Vec<Result<O, StoreError>>, StoreError>;

/// A kind of write that can be batched. Declared once as a `static`.
pub struct Lane<I, O> {
    pub name: &'static str,
    pub run: LaneFn<I, O>,
    /// On SQLite, the same writes on the writer's direct connection: when set, SQLite
    /// runs this and never `run`.
    pub direct: Option<DirectFn<I, O>>,
    /// On PostgreSQL the call makes all its writes with one statement, so it runs
    /// outside a transaction. Why: `BEGIN` and `COMMIT` are two round trips, and the
    /// gap before `COMMIT` holds the statement's row locks while the client is busy
    /// elsewhere (measured: most of the posting p99, see `docs/benchmarks.md`). The
    /// call must then return `Err` only when that statement failed, never after it
    /// committed.
    pub one_write_statement: bool,
}

pub(super) type Reply = oneshot::Sender<Result<Erased, StoreError>>;

/// A lane with its item and output types erased, so one writer queue carries every lane.
pub(super) trait ErasedLane: Send + Sync {
    /// Identifies the lane (the address of its `static`).
    fn key(&self) -> usize;
    fn name(&self) -> &'static str;
    fn one_write_statement(&self) -> bool;
    /// Whether the lane runs on the SQLite writer's direct connection.
    fn has_direct(&self) -> bool;
    /// [`ErasedLane::run_group`] on the direct connection, inside its open transaction;
    /// `alone`: the batch is all the transaction holds.
    fn run_direct_group(&self, conn: &rusqlite::Connection, items: Vec<Erased>, alone: bool) -> Vec<Result<Erased, StoreError>>;
    /// Runs `items` with the savepoint-and-fallback rule; one result per item.
    fn run_group<'c>(
        &'c self,
        conn: &'c mut AnyConnection,
        items: Vec<Erased>,
        placement: Placement,
    ) -> BoxFuture<'c, Vec<Result<Erased, StoreError>>>;
}

/// How a lane call sits in its transaction.
#[derive(Clone, Copy, Debug)]
pub(super) enum Placement {
    /// Other writes share the transaction: the batch runs in a savepoint.
    Shared,
    /// The batch is all the transaction holds: no savepoint (two statements fewer); if
    /// it fails, the transaction is rolled back and begun again with `begin`.
    Alone { begin: &'static str },
    /// No transaction: the batch's one write statement commits alone (PostgreSQL).
    Autocommit,
}

pub(super) struct TypedLane<I: 'static, O: 'static>(pub &'static Lane<I, O>);

impl<I: Send + Sync + 'static, O: Send + 'static> TypedLane<I, O> {
    fn typed(&self, items: Vec<Erased>) -> Option<Vec<I>> {
        let count = items.len();
        let typed: Vec<I> = items.into_iter().filter_map(|item| item.downcast::<I>().ok().map(|b| *b)).collect();
        if typed.len() != count {
            // Cannot happen: `Db::write_batched` boxes exactly `I` for this lane.
            tracing::error!(lane = self.0.name, "batched write with a foreign item type");
            return None;
        }
        Some(typed)
    }
}

impl<I: Send + Sync + 'static, O: Send + 'static> ErasedLane for TypedLane<I, O> {
    fn key(&self) -> usize {
        std::ptr::from_ref(self.0) as usize
    }

    fn name(&self) -> &'static str {
        self.0.name
    }

    fn one_write_statement(&self) -> bool {
        self.0.one_write_statement
    }

    fn has_direct(&self) -> bool {
        self.0.direct.is_some()
    }

    fn run_direct_group(&self, conn: &rusqlite::Connection, items: Vec<Erased>, alone: bool) -> Vec<Result<Erased, StoreError>> {
        let count = items.len();
        let (Some(run), Some(typed)) = (self.0.direct, self.typed(items)) else {
            return (0..count).map(|_| Err(StoreError::WriterGone)).collect();
        };
        let first = if alone { run(conn, &typed) } else { in_direct_savepoint(conn, run, &typed) };
        let err = match first {
            Ok(results) => return pad(results, count),
            Err(err) => err,
        };
        if alone && let Err(restart) = super::direct::batch(conn, "ROLLBACK; BEGIN IMMEDIATE") {
            tracing::error!(lane = self.0.name, error = %restart, "could not restart the transaction of a failed batch");
            return (0..count).map(|_| Err(StoreError::Database(sqlx::Error::Protocol("transaction lost".into())))).collect();
        }
        if count == 1 {
            return vec![Err(err)];
        }
        tracing::debug!(lane = self.0.name, items = count, error = %err, "batch failed; running its items one by one");
        typed
            .iter()
            .map(|item| match in_direct_savepoint(conn, run, std::slice::from_ref(item)) {
                Ok(mut results) => results.pop().unwrap_or(Err(StoreError::WriterGone)).map(|v| Box::new(v) as Erased),
                Err(err) => Err(err),
            })
            .collect()
    }

    fn run_group<'c>(
        &'c self,
        conn: &'c mut AnyConnection,
        items: Vec<Erased>,
        placement: Placement,
    ) -> BoxFuture<'c, Vec<Result<Erased, StoreError>>> {
        Box::pin(async move {
            let count = items.len();
            let Some(typed) = self.typed(items) else {
                return (0..count).map(|_| Err(StoreError::WriterGone)).collect();
            };
            let run = self.0.run;
            let first = match placement {
                Placement::Shared => in_savepoint(conn, run, &typed).await,
                Placement::Alone { .. } | Placement::Autocommit => run(&mut *conn, &typed).await,
            };
            match first {
                Ok(results) => return pad(results, count),
                Err(err) => {
                    if let Placement::Alone { begin } = placement {
                        let restarted = async {
                            sqlx::query("ROLLBACK").execute(&mut *conn).await?;
                            sqlx::query(begin).execute(&mut *conn).await
                        };
                        if let Err(restart) = restarted.await {
                            tracing::error!(lane = self.0.name, error = %restart, "could not restart the transaction of a failed batch");
                            return (0..count)
                                .map(|_| Err(StoreError::Database(sqlx::Error::Protocol("transaction lost".into()))))
                                .collect();
                        }
                    }
                    if count == 1 {
                        return vec![Err(err)];
                    }
                    tracing::debug!(lane = self.0.name, items = count, error = %err, "batch failed; running its items one by one");
                }
            }
            let mut out = Vec::with_capacity(count);
            for item in &typed {
                let alone = std::slice::from_ref(item);
                let one = match placement {
                    Placement::Autocommit => run(&mut *conn, alone).await,
                    _ => in_savepoint(conn, run, alone).await,
                };
                let one = match one {
                    Ok(mut results) => results.pop().unwrap_or(Err(StoreError::WriterGone)),
                    Err(err) => Err(err),
                };
                out.push(one.map(|v| Box::new(v) as Erased));
            }
            out
        })
    }
}

/// One erased result per item; a lane that answered too few leaves the rest failed.
fn pad<O: Send + 'static>(results: Vec<Result<O, StoreError>>, count: usize) -> Vec<Result<Erased, StoreError>> {
    let mut out: Vec<Result<Erased, StoreError>> = results.into_iter().map(|r| r.map(|v| Box::new(v) as Erased)).collect();
    out.truncate(count);
    while out.len() < count {
        out.push(Err(StoreError::WriterGone));
    }
    out
}

/// Runs a lane call inside a savepoint: released on success, rolled back on error.
async fn in_savepoint<I, O>(conn: &mut AnyConnection, run: LaneFn<I, O>, items: &[I]) -> Result<Vec<Result<O, StoreError>>, StoreError> {
    sqlx::query("SAVEPOINT lane").execute(&mut *conn).await?;
    match run(&mut *conn, items).await {
        Ok(results) => {
            sqlx::query("RELEASE lane").execute(&mut *conn).await?;
            Ok(results)
        }
        Err(err) => {
            sqlx::query("ROLLBACK TO lane").execute(&mut *conn).await?;
            sqlx::query("RELEASE lane").execute(&mut *conn).await?;
            Err(err)
        }
    }
}

/// [`in_savepoint`] on the direct connection.
fn in_direct_savepoint<I, O>(
    conn: &rusqlite::Connection,
    run: DirectFn<I, O>,
    items: &[I],
) -> Result<Vec<Result<O, StoreError>>, StoreError> {
    use super::direct::batch;
    batch(conn, "SAVEPOINT lane")?;
    match run(conn, items) {
        Ok(results) => {
            batch(conn, "RELEASE lane")?;
            Ok(results)
        }
        Err(err) => {
            batch(conn, "ROLLBACK TO lane; RELEASE lane")?;
            Err(err)
        }
    }
}

type PgQueue = Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<(Erased, Reply)>>>;

/// PostgreSQL's batched writes: per lane, a queue and a few group committers that each
/// take whatever is queued, run it as one lane call in one transaction, and commit.
pub(super) struct PgLanes {
    pool: AnyPool,
    queues: Mutex<HashMap<usize, mpsc::UnboundedSender<(Erased, Reply)>>>,
}

impl PgLanes {
    pub fn new(pool: AnyPool) -> PgLanes {
        PgLanes { pool, queues: Mutex::new(HashMap::new()) }
    }

    pub fn submit(&self, lane: Arc<dyn ErasedLane>, item: Erased, reply: Reply) {
        let mut queues = self.queues.lock().unwrap_or_else(|e| e.into_inner());
        let tx = queues.entry(lane.key()).or_insert_with(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            let rx: PgQueue = Arc::new(tokio::sync::Mutex::new(rx));
            for _ in 0..PG_COMMITTERS {
                tokio::spawn(pg_committer(self.pool.clone(), lane.clone(), rx.clone()));
            }
            tx
        });
        if let Err(mpsc::error::SendError((_, reply))) = tx.send((item, reply)) {
            let _ = reply.send(Err(StoreError::WriterGone));
        }
    }

    /// Stops the committers once they have committed what they hold.
    pub fn close(&self) {
        self.queues.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

async fn pg_committer(pool: AnyPool, lane: Arc<dyn ErasedLane>, rx: PgQueue) {
    // One connection kept across batches, so its prepared statements stay warm.
    let mut conn: Option<PoolConnection<Any>> = None;
    loop {
        let mut batch = Vec::new();
        {
            let mut rx = rx.lock().await;
            match rx.recv().await {
                Some(first) => batch.push(first),
                None => return,
            }
            while batch.len() < MAX_LANE_BATCH
                && let Ok(next) = rx.try_recv()
            {
                batch.push(next);
            }
        }
        let (items, replies): (Vec<Erased>, Vec<Reply>) = batch.into_iter().unzip();
        let outcome = match conn.take() {
            Some(c) => Ok(c),
            None => pool.acquire().await,
        };
        let outcome = match outcome {
            Ok(mut c) => {
                let result = if lane.one_write_statement() {
                    let results = lane.run_group(&mut c, items, Placement::Autocommit).await;
                    Ok(results)
                } else {
                    commit_group(&mut c, lane.as_ref(), items).await
                };
                if result.as_ref().is_ok_and(|results| !results.iter().any(connection_trouble)) {
                    conn = Some(c);
                } else {
                    // Its state is unknown: close it rather than pool it.
                    drop(c.detach());
                }
                result
            }
            Err(err) => Err(err),
        };
        match outcome {
            Ok(results) => {
                for (result, reply) in results.into_iter().zip(replies) {
                    let _ = reply.send(result);
                }
            }
            Err(err) => {
                let full = super::is_disk_full(&err);
                let unreachable = super::is_unreachable(&err);
                if full || unreachable {
                    tracing::warn!(lane = lane.name(), error = %err, "batched write refused by the database");
                } else {
                    tracing::error!(lane = lane.name(), error = %err, "batched write transaction failed");
                }
                for reply in replies {
                    let _ = reply.send(Err(if full {
                        StoreError::Full
                    } else if unreachable {
                        StoreError::Unreachable
                    } else {
                        StoreError::Database(sqlx::Error::Protocol("batched write transaction failed".into()))
                    }));
                }
            }
        }
    }
}

/// An error that says nothing about the item and something about the connection (lost,
/// timed out, out of step): the connection is not used again.
fn connection_trouble(result: &Result<Erased, StoreError>) -> bool {
    matches!(result, Err(StoreError::Database(err)) if !matches!(err, sqlx::Error::Database(_) | sqlx::Error::RowNotFound))
}

async fn commit_group(
    conn: &mut AnyConnection,
    lane: &dyn ErasedLane,
    items: Vec<Erased>,
) -> Result<Vec<Result<Erased, StoreError>>, sqlx::Error> {
    sqlx::query("BEGIN").execute(&mut *conn).await?;
    let results = lane.run_group(conn, items, Placement::Alone { begin: "BEGIN" }).await;
    if let Err(err) = sqlx::query("COMMIT").execute(&mut *conn).await {
        let _ = conn.execute("ROLLBACK").await;
        return Err(err);
    }
    Ok(results)
}
