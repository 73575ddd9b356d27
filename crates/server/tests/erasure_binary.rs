//! An erasure killed with SIGKILL in the middle is finished by the next start of the
//! server, on both backends: the real binary, a person with 20,000 messages,
//! `mentorpost user erase` stopped after a few batches (the hidden test hook waits
//! there) and killed; then `serve` resumes it, and every message of theirs is a
//! tombstone while the others' are untouched.

mod common;

use common::{mentorpost, run_ok};

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

const EMAIL: &str = "erase.me@kill.test";
const MESSAGES: usize = 20_000;
const OTHERS: usize = 1_000;
const WAIT: Duration = Duration::from_secs(120);

/// Writes the person, another member, their mentorship and the messages straight into
/// the migrated database.
async fn seed(db: &mentorpost_server::db::Db) -> (String, String) {
    let (person, other) = (uuid::Uuid::now_v7().to_string(), uuid::Uuid::now_v7().to_string());
    let (programme, mentorship, thread) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    let mut statements = vec![
        format!(
            "INSERT INTO users (id, email, display_name, timezone, locale, is_admin, password_hash, created_at, updated_at) VALUES
             ('{person}', '{EMAIL}', 'Małgorzata Wiśniewska', 'Europe/Warsaw', 'en', 0, NULL, 0, 0),
             ('{other}', 'other@kill.test', 'Henk de Boer', 'Europe/Amsterdam', 'nl', 0, NULL, 0, 0)"
        ),
        format!(
            "INSERT INTO programmes (id, name, timezone, default_contact_every_days, default_response_within_hours, default_meeting_rhythm, created_at)
             VALUES ('{programme}', 'Kill test', 'Europe/Amsterdam', 7, 48, 'weekly', 0)"
        ),
        format!(
            "INSERT INTO mentorships (id, programme_id, status, start_date, contact_every_days, response_within_hours, meeting_rhythm, ground_rules, goals, agreement_updated_at, last_seq, created_at)
             VALUES ('{mentorship}', '{programme}', 'active', '2026-01-05', 7, 48, 'weekly', '', '', 0, {n}, 0)",
            n = MESSAGES + OTHERS
        ),
        format!(
            "INSERT INTO mentorship_members (mentorship_id, user_id, role, joined_at, left_at) VALUES
             ('{mentorship}', '{person}', 'mentee', 0, NULL), ('{mentorship}', '{other}', 'mentor', 0, NULL)"
        ),
        format!(
            "INSERT INTO threads (id, mentorship_id, subject, created_by, created_at, last_message_at, last_seq, message_count)
             VALUES ('{thread}', '{mentorship}', 'Wekelijks', '{other}', 0, 0, 0, {n})",
            n = MESSAGES + OTHERS
        ),
    ];
    let rows: Vec<String> = (0..MESSAGES + OTHERS)
        .map(|i| {
            let author = if i < MESSAGES { &person } else { &other };
            format!(
                "('{}', '{thread}', '{mentorship}', '{author}', 'Wiadomość {i}: dziękuję za rozmowę, do zobaczenia w czwartek', 'web', {i}, {})",
                uuid::Uuid::now_v7(),
                i + 1
            )
        })
        .collect();
    for chunk in rows.chunks(500) {
        statements.push(format!(
            "INSERT INTO messages (id, thread_id, mentorship_id, author_id, body, source, created_at, seq) VALUES {}",
            chunk.join(",")
        ));
    }
    // Through the writer: the read pool of SQLite is read-only.
    db.write(move |conn| {
        Box::pin(async move {
            for sql in statements {
                sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut *conn).await?;
            }
            Ok(())
        })
    })
    .await
    .expect("seed");
    (person, other)
}

async fn count(db: &mentorpost_server::db::Db, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned())).bind(bind.to_owned()).fetch_one(db.pool()).await.expect("count")
}

#[test]
fn an_erasure_killed_mid_way_is_finished_by_the_next_start() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    for pg in common::backends("erase_kill") {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = pg.as_ref().map(|p| p.url.clone());
        run_ok(mentorpost(dir.path(), url.as_deref()).arg("migrate"));
        let db_url = url.clone().unwrap_or_else(|| mentorpost_server::db::default_sqlite_url(dir.path()));
        let db = runtime.block_on(mentorpost_server::db::Db::connect(&db_url)).expect("connect");
        let (person, other) = runtime.block_on(seed(&db));

        // Stopped after ten batches (the attachments', the quoted mail's, some of the
        // messages'), then killed.
        let mut child = mentorpost(dir.path(), url.as_deref())
            .args(["user", "erase", "--email", EMAIL, "--reason", "kill -9 test", "--pause-after-batches", "10"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn erase");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let line = rx.recv_timeout(WAIT).expect("the erasure reached its pause");
        assert_eq!(line, "paused after 10 batches");
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");

        let left = runtime.block_on(count(&db, "SELECT COUNT(*) FROM messages WHERE author_id = $1 AND body <> ''", &person));
        assert!(left > 0 && left < MESSAGES as i64, "some batches of messages were done, the rest not: {left} left");
        assert_eq!(runtime.block_on(count(&db, "SELECT COUNT(*) FROM erasures WHERE user_id = $1 AND finished_at IS NULL", &person)), 1);
        assert_eq!(runtime.block_on(count(&db, "SELECT COUNT(*) FROM users WHERE email = $1", EMAIL)), 0, "the account closed at once");

        // The next start finishes it.
        let mut served = mentorpost(dir.path(), url.as_deref())
            .args(["serve", "--http", "127.0.0.1:0"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn serve");
        let started = Instant::now();
        while runtime.block_on(count(&db, "SELECT COUNT(*) FROM users WHERE id = $1 AND erased_at IS NOT NULL", &person)) == 0 {
            assert!(started.elapsed() < WAIT, "the server did not finish the erasure");
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = served.kill();
        let _ = served.wait();
        assert_eq!(runtime.block_on(count(&db, "SELECT COUNT(*) FROM messages WHERE author_id = $1 AND body <> ''", &person)), 0);
        assert_eq!(
            runtime.block_on(count(&db, "SELECT COUNT(*) FROM messages WHERE author_id = $1 AND deleted_reason = 'erasure'", &person)),
            MESSAGES as i64
        );
        assert_eq!(
            runtime.block_on(count(&db, "SELECT COUNT(*) FROM messages WHERE author_id = $1 AND body <> ''", &other)),
            OTHERS as i64
        );
        assert_eq!(runtime.block_on(count(&db, "SELECT COUNT(*) FROM erasures WHERE user_id = $1 AND addresses IS NULL", &person)), 1);

        // Asked again on the command line: the address names no one any more.
        let out =
            mentorpost(dir.path(), url.as_deref()).args(["user", "erase", "--email", EMAIL, "--reason", "again"]).output().expect("run");
        assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("no account"), "{out:?}");
        runtime.block_on(db.close());
    }
}
