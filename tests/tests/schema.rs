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

/// The newest migration and the one before it, from the migration files.
fn last_two_versions() -> (i64, i64) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/sqlite");
    let mut versions: Vec<i64> = std::fs::read_dir(&dir)
        .expect("the migrations")
        .flatten()
        .filter_map(|e| e.file_name().to_string_lossy().split('_').next().and_then(|v| v.parse().ok()))
        .collect();
    versions.sort_unstable();
    let newest = *versions.last().expect("a migration");
    (versions[versions.len() - 2], newest)
}

/// An instance of the previous release (its schema: every migration but the newest)
/// with a person, a mentorship and a message in it upgrades to the newest schema, and
/// everything in it is still there.
async fn previous_release_upgrades(url: &str) {
    let (previous, newest) = last_two_versions();
    let db = mentorpost_server::db::Db::connect(url).await.expect("connect");
    db.migrate_to(Some(previous)).await.expect("the previous release's schema");
    let (user, programme, mentorship, thread, message) =
        (uuid::Uuid::now_v7(), uuid::Uuid::now_v7(), uuid::Uuid::now_v7(), uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    let statements = vec![
        format!(
            "INSERT INTO users (id, email, display_name, timezone, locale, is_admin, password_hash, created_at, updated_at) VALUES ('{user}', 'zofia@example.org', 'Zofia Kowalska', 'Europe/Warsaw', 'nl', 0, NULL, 1, 1)"
        ),
        format!(
            "INSERT INTO programmes (id, name, timezone, default_contact_every_days, default_response_within_hours, default_meeting_rhythm, created_at) VALUES ('{programme}', 'Łódź mentors', 'Europe/Warsaw', 7, 48, 'weekly', 1)"
        ),
        format!(
            "INSERT INTO mentorships (id, programme_id, status, contact_every_days, response_within_hours, meeting_rhythm, ground_rules, goals, agreement_updated_at, last_seq, created_at) VALUES ('{mentorship}', '{programme}', 'active', 7, 48, 'weekly', '', '', 1, 1, 1)"
        ),
        format!("INSERT INTO mentorship_members (mentorship_id, user_id, role, joined_at) VALUES ('{mentorship}', '{user}', 'mentee', 1)"),
        format!(
            "INSERT INTO threads (id, mentorship_id, subject, created_by, created_at, last_message_at, last_seq, message_count) VALUES ('{thread}', '{mentorship}', 'Eerste gesprek', '{user}', 1, 1, 1, 1)"
        ),
        format!(
            "INSERT INTO messages (id, thread_id, mentorship_id, author_id, body, source, created_at, seq) VALUES ('{message}', '{thread}', '{mentorship}', '{user}', 'Dzień dobry!', 'web', 1, 1)"
        ),
    ];
    db.write(move |conn| {
        Box::pin(async move {
            for sql in statements {
                sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *conn).await?;
            }
            Ok(())
        })
    })
    .await
    .expect("data in the previous schema");
    db.migrate().await.expect("the upgrade");
    let applied: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations").fetch_one(db.pool()).await.expect("version");
    assert_eq!(applied, newest);
    let body: String = sqlx::query_scalar("SELECT body FROM messages WHERE id = $1")
        .bind(message.to_string())
        .fetch_one(db.pool())
        .await
        .expect("message");
    assert_eq!(body, "Dzień dobry!");
    // Running it again (the next instance's start) changes nothing.
    db.migrate().await.expect("a second run");
    db.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_previous_release_upgrades_on_sqlite() {
    let dir = tempfile::tempdir().expect("tmp");
    previous_release_upgrades(&mentorpost_server::db::default_sqlite_url(dir.path())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_previous_release_upgrades_on_postgres() {
    match mentorpost_tests::fresh_pg().await {
        Some((url, _guard)) => previous_release_upgrades(&url).await,
        None => eprintln!("PostgreSQL suite skipped: set {PG_ENV} to run it"),
    }
}

/// During a rolling upgrade an instance of the previous version restarts on a database
/// the new version already migrated: it starts (its migrations find newer ones they do
/// not know, and go on).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_previous_release_starts_on_a_newer_schema() {
    let (previous, _) = last_two_versions();
    let dir = tempfile::tempdir().expect("tmp");
    let db = mentorpost_server::db::Db::connect(&mentorpost_server::db::default_sqlite_url(dir.path())).await.expect("connect");
    db.migrate().await.expect("the newest schema");
    // The previous release knows the migrations up to `previous` only.
    db.migrate_to(Some(previous)).await.expect("the previous release starts on the newer schema");
    db.close().await;
}
