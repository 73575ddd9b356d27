//! SQLite's WAL is checkpointed by a task of its own, not inside the writer's commits:
//! every commit is still durable when acknowledged, the checkpointer catches up with the
//! last commit, and closing the database leaves the WAL cut back to nothing.

use mentorpost_server::db::Db;
use sqlx::Row;
use std::time::Duration;

#[tokio::test]
async fn the_checkpointer_follows_the_writer_and_closing_truncates_the_wal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("wal.db");
    let url = format!("sqlite://{}", path.display());
    let db = Db::connect(&url).await.expect("sqlite");
    db.migrate().await.expect("migrate");
    let mut progress = db.checkpoints().expect("SQLite has a checkpointer");

    const WRITES: u64 = 40;
    for i in 0..WRITES {
        db.write(move |conn| {
            Box::pin(async move {
                sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2)")
                    .bind(format!("wal-{i}"))
                    .bind("ŝ".repeat(2000))
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            })
        })
        .await
        .expect("write");
    }
    let wal = dir.path().join("wal.db-wal");
    assert!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0) > 0, "the commits went to the WAL");

    let caught_up = tokio::time::timeout(
        Duration::from_secs(20),
        progress.wait_for(|p| p.commits_covered >= WRITES && p.wal_frames > 0 && p.copied_frames == p.wal_frames),
    )
    .await
    .expect("the checkpointer reaches the last commit in time")
    .map(|p| *p)
    .expect("the checkpointer runs");
    assert_eq!(caught_up.copied_frames, caught_up.wal_frames, "no reader held frames back: everything was copied");

    db.close().await;
    assert_eq!(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0), 0, "closing leaves an empty WAL");

    let db = Db::connect(&url).await.expect("reopen");
    let row = sqlx::query("SELECT COUNT(*) FROM settings WHERE key LIKE 'wal-%'").fetch_one(db.pool()).await.expect("count");
    assert_eq!(row.try_get::<i64, _>(0).expect("count"), WRITES as i64, "every acknowledged write is in the database file");
    db.close().await;
}

/// Under writes that never pause, the background checkpointer never finds the WAL fully
/// copied at the moment a transaction begins, so without the writer's catch-up the log
/// would never start over and the file would grow by everything written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_sustained_writes_the_wal_starts_over_instead_of_growing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("busy.db");
    let url = format!("sqlite://{}", path.display());
    let tuning = mentorpost_server::db::SqliteTuning { wal_restart_frames: 64 };
    let db = Db::connect_tuned(&url, tuning).await.expect("sqlite");
    db.migrate().await.expect("migrate");

    // 8 writers back to back, 8 KiB each (two pages plus overflow), 128 MiB in all.
    const WRITERS: usize = 8;
    const PER_WRITER: usize = 2048;
    let payload = "x".repeat(8192);
    let mut tasks = Vec::new();
    for w in 0..WRITERS {
        let db = db.clone();
        let payload = payload.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..PER_WRITER {
                let value = payload.clone();
                db.write(move |conn| {
                    Box::pin(async move {
                        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2)")
                            .bind(format!("busy-{w}-{i}"))
                            .bind(value)
                            .execute(&mut *conn)
                            .await?;
                        Ok(())
                    })
                })
                .await
                .expect("write");
            }
        }));
    }
    let wal = dir.path().join("busy.db-wal");
    let mut largest = 0;
    for task in tasks {
        tokio::time::timeout(Duration::from_secs(300), task).await.expect("the writes finish").expect("writer task");
        largest = largest.max(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
    }
    let written = (WRITERS * PER_WRITER * payload.len()) as u64;
    assert!(largest < written / 2, "the WAL file reached {largest} bytes for {written} bytes written: it did not start over under load");
    let row = sqlx::query("SELECT COUNT(*) FROM settings WHERE key LIKE 'busy-%'").fetch_one(db.pool()).await.expect("count");
    assert_eq!(row.try_get::<i64, _>(0).expect("count"), (WRITERS * PER_WRITER) as i64);
    db.close().await;
}
