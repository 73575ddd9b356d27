//! The SQLite writer: one task owns the only writing connection and commits many
//! writes per transaction (group commit).
//!
//! Why: with `synchronous = FULL` every commit costs an fsync (~0.35 ms here), so one
//! commit per message tops out near 3,000 writes/s, and concurrent writers on separate
//! connections fail with `SQLITE_BUSY`. Collecting whatever is queued while the
//! previous commit ran into one transaction keeps full durability and scales with load.
//! Each write runs inside its own savepoint, so a write that fails (a constraint, a
//! validation inside the transaction) is rolled back alone.

use super::WriteFn;
use sqlx::{AnyConnection, Connection, Executor};
use std::any::Any;
use tokio::sync::{mpsc, oneshot};

/// Most writes committed in one transaction. Bounds the latency a single large batch
/// adds to the first write in it.
const MAX_BATCH: usize = 256;

/// Why a write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// A domain rule checked inside the transaction refused the write.
    #[error("{0}")]
    Rejected(#[from] crate::error::ApiError),
    #[error("the database writer has stopped")]
    WriterGone,
}

type Erased = Box<dyn Any + Send>;
type ErasedWork = WriteFn<Erased>;

enum Command {
    Write { work: ErasedWork, reply: oneshot::Sender<Result<Erased, WriteError>> },
    Close { reply: oneshot::Sender<()> },
}

pub struct Writer {
    tx: mpsc::UnboundedSender<Command>,
}

impl Writer {
    pub fn spawn(conn: AnyConnection) -> Writer {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(conn, rx));
        Writer { tx }
    }

    pub async fn submit<T: Send + 'static>(&self, work: WriteFn<T>) -> Result<T, WriteError> {
        let erased: ErasedWork = Box::new(move |conn| {
            Box::pin(async move {
                let value = work(conn).await?;
                Ok(Box::new(value) as Erased)
            })
        });
        let (reply, rx) = oneshot::channel();
        self.tx.send(Command::Write { work: erased, reply }).map_err(|_| WriteError::WriterGone)?;
        let value = rx.await.map_err(|_| WriteError::WriterGone)??;
        value.downcast::<T>().map(|b| *b).map_err(|_| WriteError::WriterGone)
    }

    pub async fn close(&self) {
        let (reply, rx) = oneshot::channel();
        if self.tx.send(Command::Close { reply }).is_ok() {
            let _ = rx.await;
        }
    }
}

async fn run(mut conn: AnyConnection, mut rx: mpsc::UnboundedReceiver<Command>) {
    let mut batch: Vec<(ErasedWork, oneshot::Sender<Result<Erased, WriteError>>)> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        let mut pending = Some(first);
        while let Some(cmd) = pending.take() {
            match cmd {
                Command::Write { work, reply } => batch.push((work, reply)),
                Command::Close { reply } => {
                    commit_batch(&mut conn, &mut batch).await;
                    let _ = conn.close().await;
                    let _ = reply.send(());
                    return;
                }
            }
            if batch.len() < MAX_BATCH {
                pending = rx.try_recv().ok();
            }
        }
        commit_batch(&mut conn, &mut batch).await;
    }
}

async fn commit_batch(conn: &mut AnyConnection, batch: &mut Vec<(ErasedWork, oneshot::Sender<Result<Erased, WriteError>>)>) {
    if batch.is_empty() {
        return;
    }
    if let Err(err) = conn.execute("BEGIN IMMEDIATE").await {
        tracing::error!(error = %err, "could not begin a write transaction");
        for (_, reply) in batch.drain(..) {
            let _ = reply.send(Err(WriteError::Database(sqlx::Error::Protocol("could not begin transaction".into()))));
        }
        return;
    }
    let mut results = Vec::with_capacity(batch.len());
    for (work, reply) in batch.drain(..) {
        let outcome = run_in_savepoint(conn, work).await;
        results.push((outcome, reply));
    }
    match conn.execute("COMMIT").await {
        Ok(_) => {
            for (outcome, reply) in results {
                let _ = reply.send(outcome);
            }
        }
        Err(err) => {
            tracing::error!(error = %err, "group commit failed; rolling back the batch");
            let _ = conn.execute("ROLLBACK").await;
            for (_, reply) in results {
                let _ = reply.send(Err(WriteError::Database(sqlx::Error::Protocol("commit failed".into()))));
            }
        }
    }
}

async fn run_in_savepoint(conn: &mut AnyConnection, work: ErasedWork) -> Result<Erased, WriteError> {
    conn.execute("SAVEPOINT w").await?;
    match work(conn).await {
        Ok(value) => {
            conn.execute("RELEASE w").await?;
            Ok(value)
        }
        Err(err) => {
            conn.execute("ROLLBACK TO w").await?;
            conn.execute("RELEASE w").await?;
            Err(err)
        }
    }
}
