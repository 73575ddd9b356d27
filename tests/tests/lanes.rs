//! Batched writes (`Db::write_batched`): concurrent items become one lane call, and a
//! batch that fails as a whole is rolled back and its items run again one by one, so
//! one bad item fails alone and the others are committed — on both backends, and for a
//! lane that writes with one statement (on PostgreSQL: no transaction around it), and on
//! SQLite for a lane on the writer's direct connection as well as one on sqlx's.

use futures_util::future::BoxFuture;
use mentorpost_server::db::direct::{Param, execute};
use mentorpost_server::db::{Db, Lane, StoreError};
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

/// On SQLite it runs on the writer's direct connection.
static TEST_LANE: Lane<Item, String> =
    Lane { name: "test", run: write_items, direct: Some(write_items_direct), one_write_statement: false };

/// Writes every item with one multi-row `INSERT`; on SQLite through sqlx.
static ONE_STATEMENT_LANE: Lane<Item, String> =
    Lane { name: "one statement", run: write_in_one_statement, direct: None, one_write_statement: true };

/// Writes every item, then fails the whole call if any item is poisoned: its rows must
/// not survive, and the healthy items must still be committed.
fn write_items<'c>(conn: &'c mut AnyConnection, items: &'c [Item]) -> BoxFuture<'c, Result<Vec<Result<String, StoreError>>, StoreError>> {
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
            return Err(StoreError::Database(sqlx::Error::Protocol("poisoned batch".into())));
        }
        Ok(out)
    })
}

/// [`write_items`] on the SQLite writer's direct connection.
fn write_items_direct(conn: &rusqlite::Connection, items: &[Item]) -> Result<Vec<Result<String, StoreError>>, StoreError> {
    if let Some(first) = items.first() {
        CALLS.lock().unwrap_or_else(|e| e.into_inner()).push((first.tag, items.len()));
    }
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        execute(conn, "INSERT INTO settings (key, value) VALUES ($1, 'lane')", &[Param::from(item.key.clone())])?;
        out.push(Ok(item.key.clone()));
    }
    if items.iter().any(|i| i.poison) {
        return Err(StoreError::Database(sqlx::Error::Protocol("poisoned batch".into())));
    }
    Ok(out)
}

/// A poisoned item's key is taken already, so the statement fails as a whole (and,
/// being one statement, wrote nothing).
fn write_in_one_statement<'c>(
    conn: &'c mut AnyConnection,
    items: &'c [Item],
) -> BoxFuture<'c, Result<Vec<Result<String, StoreError>>, StoreError>> {
    Box::pin(async move {
        if let Some(first) = items.first() {
            CALLS.lock().unwrap_or_else(|e| e.into_inner()).push((first.tag, items.len()));
        }
        let values: Vec<String> = (1..=items.len()).map(|i| format!("(${i}, 'one')")).collect();
        let sql = format!("INSERT INTO settings (key, value) VALUES {}", values.join(", "));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for item in items {
            query = query.bind(if item.poison { "taken".to_owned() } else { item.key.clone() });
        }
        query.execute(&mut *conn).await?;
        Ok(items.iter().map(|i| Ok(i.key.clone())).collect())
    })
}

async fn one_bad_item_of_a_one_statement_lane_fails_alone(db: Db, tag: &'static str) {
    db.migrate().await.expect("migrate");
    db.write(|conn| {
        Box::pin(async move {
            sqlx::query("INSERT INTO settings (key, value) VALUES ('taken', 'before')").execute(&mut *conn).await?;
            Ok(())
        })
    })
    .await
    .expect("seed");
    only_the_poisoned_item_fails(db, tag, &ONE_STATEMENT_LANE, "one").await;
}

async fn one_bad_item_fails_alone(db: Db, tag: &'static str) {
    db.migrate().await.expect("migrate");
    only_the_poisoned_item_fails(db, tag, &TEST_LANE, "lane").await;
}

/// Queues ten items (the fifth poisoned) on `lane`, which writes them with `value`:
/// only the poisoned one fails, the healthy ones are committed once each, nothing of
/// the failed batch is left, and the items met in one batch first.
async fn only_the_poisoned_item_fails(db: Db, tag: &'static str, lane: &'static Lane<Item, String>, value: &str) {
    let items: Vec<Item> = (0..10).map(|i| Item { tag, key: format!("{value}-{i}"), poison: i == 4 }).collect();
    // One current-thread runtime: every item is queued before the writer runs, so
    // they meet in one batch.
    let results = futures_util::future::join_all(items.into_iter().map(|item| db.write_batched(lane, item))).await;
    for (i, result) in results.iter().enumerate() {
        match result {
            Ok(key) => assert_eq!(key, &format!("{value}-{i}")),
            Err(err) => assert_eq!(i, 4, "only the poisoned item fails: {err}"),
        }
    }
    assert!(results[4].is_err());
    let rows =
        sqlx::query("SELECT key FROM settings WHERE value = $1 ORDER BY key").bind(value).fetch_all(db.pool()).await.expect("read back");
    let keys: Vec<String> = rows.iter().map(|r| r.try_get::<String, _>(0).expect("key")).collect();
    let expected: Vec<String> = (0..10).filter(|&i| i != 4).map(|i| format!("{value}-{i}")).collect();
    assert_eq!(keys, expected, "the healthy items are committed once each, nothing of the failed batch or the bad item is left");
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

#[tokio::test]
async fn sqlite_one_statement_batch_failure_runs_items_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Db::connect(&format!("sqlite://{}", dir.path().join("lanes.db").display())).await.expect("sqlite");
    one_bad_item_of_a_one_statement_lane_fails_alone(db, "sqlite one").await;
}

#[tokio::test]
async fn postgres_one_statement_batch_failure_runs_items_alone() {
    let Some((url, _guard)) = mentorpost_tests::fresh_pg().await else {
        eprintln!("PostgreSQL suite skipped: set {} to run it", mentorpost_tests::PG_ENV);
        return;
    };
    let db = Db::connect(&url).await.expect("postgres");
    one_bad_item_of_a_one_statement_lane_fails_alone(db, "postgres one").await;
}

/// A batch that holds a direct lane's items and plain writes commits both (on SQLite two
/// transactions, one per connection), and each write sees what the other committed.
#[tokio::test]
async fn sqlite_direct_lane_items_and_plain_writes_in_one_batch_all_commit() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = Db::connect(&format!("sqlite://{}", dir.path().join("lanes.db").display())).await.expect("sqlite");
    db.migrate().await.expect("migrate");
    let lane_items = (0..5).map(|i| db.write_batched(&TEST_LANE, Item { tag: "mixed", key: format!("mixed-lane-{i}"), poison: false }));
    let writes = (0..5).map(|i| {
        db.write(move |conn| {
            Box::pin(async move {
                sqlx::query("INSERT INTO settings (key, value) VALUES ($1, 'plain')")
                    .bind(format!("mixed-plain-{i}"))
                    .execute(&mut *conn)
                    .await?;
                Ok(())
            })
        })
    });
    // One current-thread runtime: all of them are queued before the writer runs.
    let (lanes, plain) =
        futures_util::future::join(futures_util::future::join_all(lane_items), futures_util::future::join_all(writes)).await;
    assert!(lanes.iter().all(Result::is_ok), "{lanes:?}");
    assert!(plain.iter().all(Result::is_ok), "{plain:?}");
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM settings WHERE key LIKE 'mixed-%'").fetch_one(db.pool()).await.expect("count").get(0);
    assert_eq!(n, 10);
    db.close().await;
}
