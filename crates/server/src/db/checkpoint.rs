//! SQLite WAL checkpoints on a connection of their own, off the writer's path.
//!
//! Why: by default the connection that commits runs a checkpoint whenever the WAL has
//! grown past 1,000 pages: it copies the pages into the database file and fsyncs it
//! inside that commit. With one writer every write queued behind such a commit waits for
//! it, which showed as the writer's periodic stalls (throughput and p99 of `POST`). The
//! writer turns automatic checkpoints off and reports each commit; this task then runs a
//! `PASSIVE` checkpoint (which never blocks the writer or a reader) at most every
//! [`MIN_GAP`]. Durability is unchanged: a commit is durable once its WAL frames are
//! synced, which the writer still does before it answers.

use sqlx::{AnyConnection, Connection, Row};
use std::time::Duration;
use tokio::sync::watch;

/// Shortest time between two checkpoints. Longer gaps copy a page changed many times
/// once; the WAL grows by what the writer commits meanwhile (a few MiB at full load).
const MIN_GAP: Duration = Duration::from_millis(500);

/// Outcome of the checkpoints so far: the writer's commit count the last one started
/// after, for tests and diagnostics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub commits_covered: u64,
    /// WAL frames the last checkpoint found and how many of them it copied; fewer copied
    /// means a reader still used older frames (they are copied by a later round).
    pub wal_frames: i64,
    pub copied_frames: i64,
    /// This round began as soon as the previous one ended (the WAL was past the
    /// writer's restart bound), so it left only the frames of one short round uncopied.
    pub back_to_back: bool,
}

/// Runs until the writer stops (its commit counter is dropped), then closes `conn`.
/// Past `restart_frames` it checkpoints back to back, so that the writer's catch-up
/// (see `db::writer`) has only a short round's frames left to copy.
pub async fn run(mut conn: AnyConnection, mut commits: watch::Receiver<u64>, progress: watch::Sender<Progress>, restart_frames: i64) {
    let mut pending = false;
    let mut back_to_back = false;
    loop {
        if !pending && commits.changed().await.is_err() {
            break;
        }
        let covered = *commits.borrow_and_update();
        let started = std::time::Instant::now();
        match sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&mut conn).await {
            Ok(row) => {
                let frames = row.try_get::<i64, _>(1).unwrap_or(-1);
                let copied = row.try_get::<i64, _>(2).unwrap_or(-1);
                tracing::trace!(frames, copied, ms = started.elapsed().as_secs_f64() * 1e3, "WAL checkpoint");
                progress.send_replace(Progress { commits_covered: covered, wal_frames: frames, copied_frames: copied, back_to_back });
                if frames >= restart_frames && copied == frames {
                    // Again as soon as the writer has begun a transaction since this
                    // report (its chance to restart the WAL without meeting this task's
                    // checkpoint lock): then the next round is short. If the writes stop
                    // first, the gap ends the wait, as between ordinary rounds.
                    back_to_back = true;
                    let reported = *commits.borrow();
                    if let Ok(Err(_)) = tokio::time::timeout(MIN_GAP, commits.wait_for(|n| *n >= reported + 2)).await {
                        break;
                    }
                    pending = true;
                    continue;
                }
            }
            Err(err) => tracing::warn!(error = %err, "WAL checkpoint failed; the next commit tries again"),
        }
        back_to_back = false;
        // The gap ends early only when the writer stops.
        pending = false;
        let deadline = tokio::time::Instant::now() + MIN_GAP;
        let stopped = loop {
            tokio::select! {
                () = tokio::time::sleep_until(deadline) => break false,
                changed = commits.changed() => match changed {
                    Ok(()) => pending = true,
                    Err(_) => break true,
                },
            }
        };
        if stopped {
            break;
        }
    }
    // The writer has committed its last write: leave a short WAL behind.
    if let Err(err) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut conn).await {
        tracing::debug!(error = %err, "final WAL checkpoint");
    }
    let _ = conn.close().await;
}
