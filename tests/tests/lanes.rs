//! Batched writes (`Db::write_batched`): concurrent items become one lane call, and a
//! batch that fails as a whole is rolled back and its items run again one by one, so
//! one bad item fails alone and the others are committed — on both backends.

use futures_util::future::BoxFuture;
use mentorpost_server::db::{Db, Lane, WriteError};
use sqlx::{AnyConnection, Row};
use std::sync::Mutex;

struct Item {
    /// Which test queued it (both tests share `CALLS`).
    tag: &'static str,
    key: String,
    poison: bool,
}

/// Sizes of the lane calls, to see that items were batched.
static CALLS: Mutex<Vec<(&'static str, usize)>> = Mutex::new(Vec::new());

static TEST_LANE: Lane<Item, String> = Lane { name: "test", run: write_items };

/// Writes every item, then fails the whole call if any item is poisoned: its rows must
/// not survive, and the healthy items must still be committed.
fn write_items<'c>(conn: &'c mut AnyConnection, items: &'c [Item]) -> BoxFuture<'c, Result<Vec<Result<String, WriteError>>, WriteError>> {
    Box::pin(async move {
        if let Some(first) = items.first() {
            CALLS.lock().unwrap_or_else(|e| e.into_inner()).push((first.tag, items.len()));
        }
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            sqlx::query("INSERT INTO settings (key, value) VALUES ($1, 'lane')").bind(item.key.clone()).execute(&mut *conn).await?;
            out.push(Ok(item.key.clone()));
        }
        if items.iter().any(|i| i.poison) {
            return Err(WriteError::Database(sqlx::Error::Protocol("poisoned batch".into())));
        }
        Ok(out)
    })
}

async fn one_bad_item_fails_alone(db: Db, tag: &'static str) {
    db.migrate().await.expect("migrate");
    let items: Vec<Item> = (0..10).map(|i| Item { tag, key: format!("lane-{i}"), poison: i == 4 }).collect();
    // One current-thread runtime: every item is queued before the writer runs, so
    // they meet in one batch.
    let results = futures_util::future::join_all(items.into_iter().map(|item| db.write_batched(&TEST_LANE, item))).await;
    for (i, result) in results.iter().enumerate() {
        match result {
            Ok(key) => assert_eq!(key, &format!("lane-{i}")),
            Err(err) => assert_eq!(i, 4, "only the poisoned item fails: {err}"),
        }
    }
    assert!(results[4].is_err());
    let rows = sqlx::query("SELECT key FROM settings WHERE value = 'lane' ORDER BY key").fetch_all(db.pool()).await.expect("read back");
    let keys: Vec<String> = rows.iter().map(|r| r.try_get::<String, _>(0).expect("key")).collect();
    let expected: Vec<String> = (0..10).filter(|&i| i != 4).map(|i| format!("lane-{i}")).collect();
    assert_eq!(keys, expected, "the healthy items are committed, nothing of the failed batch or the bad item is left");
    assert!(CALLS.lock().unwrap_or_else(|e| e.into_inner()).iter().any(|&(t, n)| t == tag && n > 1), "the items were batched");
    db.close().await;
}

#[tokio::test]
async fn sqlite_batch_failure_runs_items_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Db::connect(&format!("sqlite://{}", dir.path().join("lanes.db").display())).await.expect("sqlite");
    one_bad_item_fails_alone(db, "sqlite").await;
}

#[tokio::test]
async fn postgres_batch_failure_runs_items_alone() {
    let Some((url, _guard)) = mentorpost_tests::fresh_pg().await else {
        eprintln!("PostgreSQL suite skipped: set {} to run it", mentorpost_tests::PG_ENV);
        return;
    };
    let db = Db::connect(&url).await.expect("postgres");
    one_bad_item_fails_alone(db, "postgres").await;
}
