//! The SQLite writer: one thread owns the writing connections and commits many writes
//! per transaction (group commit). Its sqlx connection runs the `Db::write` closures;
//! its direct (rusqlite) connection runs the batched lanes that have a direct runner
//! (see `direct`), one transaction after the other, so there is one writer.
//!
//! Why: with `synchronous = FULL` every commit costs an fsync (~0.35 ms here), so one
//! commit per message tops out near 3,000 writes/s, and concurrent writers on separate
//! connections fail with `SQLITE_BUSY`. Collecting whatever is queued while the
//! previous commit ran into one transaction keeps full durability and scales with load.
//! Each write runs inside its own savepoint, so a write that fails (a constraint, a
//! validation inside the transaction) is rolled back alone. Items of a batched lane
//! (see `lane`) queued for one commit run as one lane call.

use super::checkpoint::Progress;
use super::lane::{ErasedLane, Placement, Reply};
use super::{Erased, Note, WriteFn};
use mentorpost_model::{Refusal, ValidationError};
use sqlx::{AnyConnection, Connection, Executor};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, watch};

/// Most writes committed in one transaction. Bounds the latency a single large batch
/// adds to the first write in it.
const MAX_BATCH: usize = 256;

/// WAL frames (about 4 KiB each, so 256 MiB) past which the writer lets the log start
/// over.
///
/// Why: SQLite restarts the WAL from its first frame only when a write transaction
/// begins while every frame has been copied into the database. Under steady load the
/// background checkpointer never catches up with a writer that commits back to back,
/// so the WAL grew without end (gigabytes in a minute of load), and every frame went
/// to a fresh file page the kernel had to allocate and zero first: a sixth of the
/// writer's time, and the posts' throughput fell by a third. Once a background round
/// has copied everything it saw of a WAL this long, the writer copies the little that
/// came since itself, between two transactions, and the next transaction reuses the
/// file from its start. That copy ends in an fsync of the database file (10–20 ms
/// here), a pause every writer queued meanwhile waits out; at this bound it comes
/// every few seconds at full load, rare enough to stay out of the p99.
pub const RESTART_FRAMES: i64 = 65536;

/// Why a read or write of the store did not happen: a domain rule refused it, or the
/// database failed. The HTTP layer maps it to a status (`error.rs`); nothing here knows
/// HTTP.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// A domain rule (checked inside the transaction, for a write) refused it.
    #[error("{0}")]
    Rejected(#[from] Refusal),
    #[error("the database writer has stopped")]
    WriterGone,
    /// The connection to the database was lost or could not be made (a PostgreSQL
    /// restart): a write may or may not have committed, and a retry with the same
    /// client id finds out.
    #[error("the database cannot be reached")]
    Unreachable,
    /// The disk (or the database server's) is full: nothing was written.
    #[error("the disk is full")]
    Full,
}

impl StoreError {
    pub fn not_found() -> Self {
        StoreError::Rejected(Refusal::NotFound)
    }
    pub fn invalid(code: &'static str, message: impl Into<String>) -> Self {
        StoreError::Rejected(Refusal::invalid(code, message))
    }
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        StoreError::Rejected(Refusal::conflict(code, message))
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        StoreError::Rejected(Refusal::forbidden(message))
    }
}

impl From<ValidationError> for StoreError {
    fn from(err: ValidationError) -> Self {
        StoreError::Rejected(err.into())
    }
}

type ErasedWork = WriteFn<Erased>;

enum Command {
    Write {
        work: ErasedWork,
        reply: Reply,
    },
    /// One item of a batched lane; the writer merges the items of one group commit.
    Batched {
        lane: Arc<dyn ErasedLane>,
        item: Erased,
        reply: Reply,
    },
    Close {
        reply: oneshot::Sender<()>,
    },
}

/// Queued items of one lane, each with the caller waiting for its result.
type LaneGroup = (Arc<dyn ErasedLane>, Vec<(Erased, Reply)>);

/// What one group commit holds: single writes in arrival order, and lane items.
#[derive(Default)]
struct Batch {
    writes: Vec<(ErasedWork, Reply)>,
    lanes: Vec<LaneGroup>,
    len: usize,
}

impl Batch {
    fn push(&mut self, cmd: Command) {
        match cmd {
            Command::Write { work, reply } => self.writes.push((work, reply)),
            Command::Batched { lane, item, reply } => match self.lanes.iter_mut().find(|(l, _)| l.key() == lane.key()) {
                Some((_, items)) => items.push((item, reply)),
                None => self.lanes.push((lane, vec![(item, reply)])),
            },
            Command::Close { .. } => return,
        }
        self.len += 1;
    }
}

pub struct Writer {
    tx: mpsc::UnboundedSender<Command>,
}

impl Writer {
    /// Starts the writer on a thread of its own with its own single-threaded runtime.
    /// Why: every statement is a round trip to the connection's worker thread, and the
    /// writer is the one serial path of all writes; on the shared runtime each wake-up
    /// would wait behind request and socket tasks for a worker thread.
    /// `commits` counts the transactions committed (the checkpointer follows it);
    /// `checkpoints` is the checkpointer's progress (the writer restarts the WAL by it).
    /// `restart_frames` is [`RESTART_FRAMES`] except in tests.
    pub fn spawn(
        conn: AnyConnection,
        direct: rusqlite::Connection,
        commits: watch::Sender<u64>,
        checkpoints: watch::Receiver<Progress>,
        restart_frames: i64,
    ) -> std::io::Result<Writer> {
        let (tx, rx) = mpsc::unbounded_channel();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        std::thread::Builder::new()
            .name("mentorpost-sqlite-writer".into())
            .spawn(move || runtime.block_on(run(conn, direct, rx, commits, checkpoints, restart_frames)))?;
        Ok(Writer { tx })
    }

    /// Runs `work` in the next group commit; returns its value and what it noted (to
    /// publish once committed, which it is when this returns `Ok`).
    pub async fn submit<T: Send + 'static>(&self, work: WriteFn<T>) -> Result<(T, Vec<Note>), StoreError> {
        let erased: ErasedWork = Box::new(move |conn| {
            Box::pin(async move {
                // Collected in the writer's task, which polls the work; a savepoint
                // rolled back drops its notes with its result.
                let (value, notes) = super::publish::collecting(work(conn)).await;
                Ok(Box::new((value?, notes)) as Erased)
            })
        });
        let (reply, rx) = oneshot::channel();
        self.tx.send(Command::Write { work: erased, reply }).map_err(|_| StoreError::WriterGone)?;
        let value = rx.await.map_err(|_| StoreError::WriterGone)??;
        value.downcast::<(T, Vec<Note>)>().map(|b| *b).map_err(|_| StoreError::WriterGone)
    }

    pub fn submit_batched(&self, lane: Arc<dyn ErasedLane>, item: Erased, reply: Reply) {
        if let Err(mpsc::error::SendError(Command::Batched { reply, .. })) = self.tx.send(Command::Batched { lane, item, reply }) {
            let _ = reply.send(Err(StoreError::WriterGone));
        }
    }

    pub async fn close(&self) {
        let (reply, rx) = oneshot::channel();
        if self.tx.send(Command::Close { reply }).is_ok() {
            let _ = rx.await;
        }
    }
}

async fn run(
    mut conn: AnyConnection,
    direct: rusqlite::Connection,
    mut rx: mpsc::UnboundedReceiver<Command>,
    commits: watch::Sender<u64>,
    mut checkpoints: watch::Receiver<Progress>,
    restart_frames: i64,
) {
    while let Some(first) = rx.recv().await {
        if checkpoints.has_changed().unwrap_or(false) {
            let seen = *checkpoints.borrow_and_update();
            if seen.back_to_back && seen.wal_frames >= restart_frames && seen.copied_frames == seen.wal_frames {
                catch_up_checkpoint(&mut conn).await;
            }
        }
        let mut batch = Batch::default();
        let mut pending = Some(first);
        while let Some(cmd) = pending.take() {
            if let Command::Close { reply } = cmd {
                if commit_batch(&mut conn, &direct, batch).await {
                    commits.send_modify(|n| *n += 1);
                }
                drop(direct);
                let _ = conn.close().await;
                let _ = reply.send(());
                return;
            }
            batch.push(cmd);
            if batch.len < MAX_BATCH {
                pending = rx.try_recv().ok();
            }
        }
        if commit_batch(&mut conn, &direct, batch).await {
            commits.send_modify(|n| *n += 1);
        }
    }
}

/// Copies the frames the last background checkpoint did not see, with no write
/// transaction open, so the next one starts the WAL over (see [`RESTART_FRAMES`]).
async fn catch_up_checkpoint(conn: &mut AnyConnection) {
    let started = std::time::Instant::now();
    match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&mut *conn).await {
        Ok(row) => {
            use sqlx::Row;
            tracing::debug!(
                frames = row.try_get::<i64, _>(1).unwrap_or(-1),
                copied = row.try_get::<i64, _>(2).unwrap_or(-1),
                ms = started.elapsed().as_secs_f64() * 1e3,
                "WAL catch-up checkpoint"
            );
        }
        Err(err) => tracing::warn!(error = %err, "WAL catch-up checkpoint failed"),
    }
}

/// Commits `batch` and answers its writers; `true` when a transaction was committed.
/// Lanes with a direct runner commit on the direct connection, the rest on the sqlx
/// one: two transactions one after the other when a batch holds both (rare: under
/// load nearly every write is a post).
async fn commit_batch(conn: &mut AnyConnection, direct: &rusqlite::Connection, batch: Batch) -> bool {
    if batch.len == 0 {
        return false;
    }
    let (direct_lanes, lanes): (Vec<LaneGroup>, Vec<LaneGroup>) = batch.lanes.into_iter().partition(|(lane, _)| lane.has_direct());
    let mut committed = false;
    if !batch.writes.is_empty() || !lanes.is_empty() {
        committed |= commit_sqlx(conn, batch.writes, lanes).await;
    }
    if !direct_lanes.is_empty() {
        committed |= commit_direct(direct, direct_lanes);
    }
    committed
}

/// Lane items split into calls of at most [`super::lane::MAX_LANE_BATCH`].
fn lane_calls(lanes: Vec<LaneGroup>) -> Vec<LaneGroup> {
    let mut groups: Vec<LaneGroup> = Vec::new();
    for (lane, entries) in lanes {
        for chunk in chunks(entries, super::lane::MAX_LANE_BATCH) {
            groups.push((lane.clone(), chunk));
        }
    }
    groups
}

fn lane_replies(groups: Vec<LaneGroup>) -> impl Iterator<Item = Reply> {
    groups.into_iter().flat_map(|(_, items)| items.into_iter().map(|(_, r)| r))
}

fn begin_failed() -> StoreError {
    StoreError::Database(sqlx::Error::Protocol("could not begin transaction".into()))
}

fn commit_failed(full: bool) -> StoreError {
    if full { StoreError::Full } else { StoreError::Database(sqlx::Error::Protocol("commit failed".into())) }
}

fn record_commit(writes: usize, commit_ms: f64) {
    metrics::histogram!("mentorpost_sqlite_commit_writes").record(writes as f64);
    metrics::histogram!("mentorpost_sqlite_commit_seconds").record(commit_ms / 1e3);
    if commit_ms > 5.0 {
        tracing::debug!(commit_ms, writes, "slow commit");
    }
}

/// The direct lanes' transaction, run on this thread with no hand-off (see `direct`).
fn commit_direct(conn: &rusqlite::Connection, lanes: Vec<LaneGroup>) -> bool {
    use super::direct::batch;
    let groups = lane_calls(lanes);
    if let Err(err) = batch(conn, "BEGIN IMMEDIATE") {
        tracing::error!(error = %err, "could not begin a write transaction");
        for reply in lane_replies(groups) {
            let _ = reply.send(Err(begin_failed()));
        }
        return false;
    }
    // A lane batch alone in the transaction needs no savepoint of its own.
    let alone = groups.len() == 1;
    let mut results: Vec<(Result<Erased, StoreError>, Reply)> = Vec::new();
    for (lane, chunk) in groups {
        let (items, replies): (Vec<Erased>, Vec<Reply>) = chunk.into_iter().unzip();
        let outcomes = lane.run_direct_group(conn, items, alone);
        results.extend(outcomes.into_iter().zip(replies));
    }
    let committing = std::time::Instant::now();
    let committed = batch(conn, "COMMIT");
    record_commit(results.len(), committing.elapsed().as_secs_f64() * 1e3);
    let failed = match committed {
        Ok(()) => None,
        Err(err) => {
            let full = matches!(err, StoreError::Full);
            commit_failed_log(&err, full);
            if let Err(err) = batch(conn, "ROLLBACK") {
                tracing::debug!(error = %err, "rollback after a failed commit");
            }
            Some(full)
        }
    };
    answer_all(results, failed)
}

/// The transaction of single writes and lanes without a direct runner.
async fn commit_sqlx(conn: &mut AnyConnection, writes: Vec<(ErasedWork, Reply)>, lanes: Vec<LaneGroup>) -> bool {
    let mut results: Vec<(Result<Erased, StoreError>, Reply)> = Vec::with_capacity(writes.len());
    let groups = lane_calls(lanes);
    if let Err(err) = sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
        tracing::error!(error = %err, "could not begin a write transaction");
        for reply in writes.into_iter().map(|(_, r)| r).chain(lane_replies(groups)) {
            let _ = reply.send(Err(begin_failed()));
        }
        return false;
    }
    // A lane batch alone in the transaction needs no savepoint of its own.
    let alone = writes.is_empty() && groups.len() == 1;
    for (work, reply) in writes {
        let outcome = run_in_savepoint(conn, work).await;
        results.push((outcome, reply));
    }
    for (lane, chunk) in groups {
        let (items, replies): (Vec<Erased>, Vec<Reply>) = chunk.into_iter().unzip();
        let placement = if alone { Placement::Alone { begin: "BEGIN IMMEDIATE" } } else { Placement::Shared };
        let outcomes = lane.run_group(conn, items, placement).await;
        results.extend(outcomes.into_iter().zip(replies));
    }
    let committing = std::time::Instant::now();
    let committed = sqlx::query("COMMIT").execute(&mut *conn).await;
    record_commit(results.len(), committing.elapsed().as_secs_f64() * 1e3);
    let failed = match committed {
        Ok(_) => None,
        Err(err) => {
            let full = super::is_disk_full(&err);
            commit_failed_log(&err, full);
            let _ = conn.execute("ROLLBACK").await;
            Some(full)
        }
    };
    answer_all(results, failed)
}

/// Answers every writer of a transaction after its `COMMIT`: each its own outcome
/// when it committed; when it failed (`Some(disk full)`, rolled back), the commit's
/// failure. `true` when it committed.
fn answer_all(results: Vec<(Result<Erased, StoreError>, Reply)>, failed: Option<bool>) -> bool {
    match failed {
        None => {
            for (outcome, reply) in results {
                let _ = reply.send(outcome);
            }
            true
        }
        Some(full) => {
            for (_, reply) in results {
                let _ = reply.send(Err(commit_failed(full)));
            }
            false
        }
    }
}

fn commit_failed_log(err: &dyn std::fmt::Display, full: bool) {
    tracing::error!(error = %err, disk_full = full, "group commit failed; rolling back the batch");
}

fn chunks<T>(mut items: Vec<T>, size: usize) -> Vec<Vec<T>> {
    let mut out = Vec::new();
    while items.len() > size {
        let rest = items.split_off(size);
        out.push(std::mem::replace(&mut items, rest));
    }
    out.push(items);
    out
}

async fn run_in_savepoint(conn: &mut AnyConnection, work: ErasedWork) -> Result<Erased, StoreError> {
    sqlx::query("SAVEPOINT w").execute(&mut *conn).await?;
    match work(conn).await {
        Ok(value) => {
            sqlx::query("RELEASE w").execute(&mut *conn).await?;
            Ok(value)
        }
        Err(err) => {
            sqlx::query("ROLLBACK TO w").execute(&mut *conn).await?;
            sqlx::query("RELEASE w").execute(&mut *conn).await?;
            Err(err)
        }
    }
}
