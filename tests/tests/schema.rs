//! The two migration sets must describe the same schema: same tables, same columns,
//! same nullability. They are separate files so each dialect can use what only it
//! has, and this test keeps them from drifting apart.

use mentorpost_tests::{Backend, PG_ENV, TestServer};
use sqlx::Row;
use std::collections::BTreeSet;

type Schema = BTreeSet<(String, String, bool)>;

async fn sqlite_schema(app: &TestServer) -> Schema {
    let pool = app.state.db.pool();
    let tables =
        sqlx::query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'")
            .fetch_all(pool)
            .await
            .expect("tables");
    let mut out = Schema::new();
    for t in tables {
        let table: String = t.try_get(0).expect("name");
        let cols = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT name, \"notnull\", pk FROM pragma_table_info('{table}')")))
            .fetch_all(pool)
            .await
            .expect("columns");
        for c in cols {
            let name: String = c.try_get(0).expect("column");
            // SQLite lets a non-INTEGER primary key hold NULL unless declared NOT NULL;
            // PostgreSQL never does. Count a key column as NOT NULL on both sides.
            let not_null = c.try_get::<i64, _>(1).expect("notnull") != 0 || c.try_get::<i64, _>(2).expect("pk") != 0;
            out.insert((table.clone(), name, not_null));
        }
    }
    out
}

async fn postgres_schema(app: &TestServer) -> Schema {
    let rows = sqlx::query(
        "SELECT table_name::text, column_name::text, CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END::bigint
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(app.state.db.pool())
    .await
    .expect("columns");
    rows.iter()
        .map(|r| {
            (
                r.try_get::<String, _>(0).expect("table"),
                r.try_get::<String, _>(1).expect("column"),
                r.try_get::<i64, _>(2).expect("nullable") != 0,
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_migration_sets_give_the_same_tables_and_columns() {
    let sqlite = TestServer::start(Backend::Sqlite).await.expect("sqlite");
    let Some(postgres) = TestServer::start(Backend::Postgres).await else {
        eprintln!("PostgreSQL suite skipped: set {PG_ENV} to compare the schemas");
        sqlite.stop().await;
        return;
    };
    let a = sqlite_schema(&sqlite).await;
    let b = postgres_schema(&postgres).await;
    assert!(a.len() > 50, "the schema was read ({} columns)", a.len());
    let only_sqlite: Vec<_> = a.difference(&b).collect();
    let only_postgres: Vec<_> = b.difference(&a).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "schemas differ:\n only in SQLite: {only_sqlite:?}\n only in PostgreSQL: {only_postgres:?}"
    );
    sqlite.stop().await;
    postgres.stop().await;
}
