//! `prompts`: rounds of the journey's prompt scheduler (reflection invitations,
//! action reminders, and whatever else comes due) over many mentorships, timed by the
//! release binary itself (`mentorpost mail prompts --rounds N` prints each round's
//! milliseconds, without the process start), next to a floor measured in the same run:
//! the same command with zero rounds, which starts, migrates and opens the database
//! and runs nothing.
//!
//! The data set is written straight into a fresh database: one programme, N active
//! mentorships (a mentor and a mentee who read by mail), each with an agreed end date,
//! ten logged sessions over the past ten months and three actions (one done, two open
//! and due within the next two months); one mentorship in a hundred logged a session
//! an hour ago. The first round adds the timers the records call for and fires the due
//! ones; the next rounds find nothing new (the common case); then one mentorship in a
//! hundred logs a new session, and the round after that invites its members.
//!
//! ```sh
//! export CARGO_TARGET_DIR=$HOME/.cache/mentorpost-target
//! cargo build --release -p mentorpost-server -p mentorpost-bench
//! cargo run --release -p mentorpost-bench --bin prompts -- \
//!     --postgres postgres://postgres@127.0.0.1:5432/test --write-docs
//! ```

use anyhow::Context;
use clap::Parser;
use mentorpost_bench::cli::{self, Table};
use mentorpost_bench::server::{self, Database};
use mentorpost_bench::{docs, sys};
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

const HEADING: &str = "## Journey prompts";
const TARGET_MS: f64 = 1000.0;
const MEETINGS: usize = 10;

#[derive(Debug, Parser)]
#[command(name = "prompts", about = "Prompt scheduler benchmark for mentorpost: rounds over many mentorships")]
struct Cli {
    #[command(flatten)]
    table: Table,
    #[arg(long, default_value_t = 10_000)]
    mentorships: usize,
    /// Rounds with nothing new, timed after the first.
    #[arg(long, default_value_t = 5)]
    quiet_rounds: usize,
}

struct Run {
    backend: &'static str,
    load_s: f64,
    first: Round,
    quiet_p50_ms: f64,
    quiet_max_ms: f64,
    busy: Round,
    floor_ms: f64,
}

/// One round as the command printed it.
#[derive(Clone, Copy, Debug, Default)]
struct Round {
    added: u64,
    fired: u64,
    mails: u64,
    ms: f64,
}

fn main() -> ExitCode {
    cli::table_main(HEADING, |cli: &Cli| &cli.table, one_backend, section)
}

async fn one_backend(cli: &Cli, bin: &Path, db: &Database) -> anyhow::Result<Run> {
    let backend = db.backend();
    server::migrate(bin, db)?;
    eprintln!("[{backend}] writing {} mentorships × {MEETINGS} sessions × 3 actions", cli.mentorships);
    let started = Instant::now();
    db.load_sql(&data_set(cli.mentorships))?;
    let load_s = started.elapsed().as_secs_f64();
    db.checkpoint()?;

    // The floor: the command with no round at all, timed from outside.
    let t0 = Instant::now();
    rounds(bin, db, 0)?;
    let floor_ms = t0.elapsed().as_secs_f64() * 1000.0;

    let first_and_quiet = rounds(bin, db, 1 + cli.quiet_rounds)?;
    let first = first_and_quiet.first().copied().context("no round printed")?;
    let mut quiet: Vec<f64> = first_and_quiet[1..].iter().map(|r| r.ms).collect();
    quiet.sort_by(f64::total_cmp);
    let quiet_p50_ms = quiet.get(quiet.len() / 2).copied().unwrap_or_default();
    let quiet_max_ms = quiet.last().copied().unwrap_or_default();

    db.load_sql(&new_sessions(cli.mentorships))?;
    let busy = rounds(bin, db, 1)?.first().copied().context("no round printed")?;
    eprintln!("[{backend}] first {first:?}, quiet p50 {quiet_p50_ms:.1} ms, busy {busy:?}");
    Ok(Run { backend, load_s, first, quiet_p50_ms, quiet_max_ms, busy, floor_ms })
}

/// Runs `mentorpost mail prompts --rounds n` and reads its table.
fn rounds(bin: &Path, db: &Database, n: usize) -> anyhow::Result<Vec<Round>> {
    let out = server::server_cli_output(bin, db, &["mail", "prompts", "--rounds", &n.to_string()])?;
    let mut rounds = Vec::new();
    for line in out.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        if let [_, added, fired, mails, ms] = f[..] {
            rounds.push(Round { added: added.parse()?, fired: fired.parse()?, mails: mails.parse()?, ms: ms.parse()? });
        }
    }
    Ok(rounds)
}

fn data_set(mentorships: usize) -> String {
    let now = chrono::Utc::now();
    let ms = now.timestamp_millis();
    let day = 86_400_000i64;
    let today = now.date_naive();
    let date = |days: i64| (today + chrono::Duration::days(days)).to_string();
    let programme = uuid::Uuid::now_v7();
    let mut sql = String::from("BEGIN;\n");
    let _ = writeln!(
        sql,
        "INSERT INTO programmes (id, name, timezone, default_contact_every_days, default_response_within_hours, default_meeting_rhythm, created_at) VALUES ('{programme}', 'Prompt bench', 'Europe/Amsterdam', 7, 48, 'weekly', {ms});"
    );
    for k in 0..mentorships {
        let (mentor, mentee, m) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
        let _ = writeln!(
            sql,
            "INSERT INTO users (id, email, display_name, timezone, locale, is_admin, password_hash, created_at, updated_at) VALUES ('{mentor}', 'mentor{k}@prompts.bench', 'Mentor {k}', 'Europe/Amsterdam', 'nl', 0, NULL, {ms}, {ms}), ('{mentee}', 'mentee{k}@prompts.bench', 'Mentee {k}', 'Europe/Amsterdam', 'en', 0, NULL, {ms}, {ms});"
        );
        let _ = writeln!(
            sql,
            "INSERT INTO mentorships (id, programme_id, status, start_date, end_date, contact_every_days, response_within_hours, meeting_rhythm, ground_rules, goals, agreement_updated_at, last_seq, created_at) VALUES ('{m}', '{programme}', 'active', '{}', '{}', 7, 48, 'weekly', '', '', {ms}, 0, {});",
            date(-300),
            date(20 + (k % 365) as i64),
            ms - 300 * day
        );
        let _ = writeln!(
            sql,
            "INSERT INTO mentorship_members (mentorship_id, user_id, role, joined_at, left_at) VALUES ('{m}', '{mentor}', 'mentor', {}, NULL), ('{m}', '{mentee}', 'mentee', {}, NULL);",
            ms - 300 * day,
            ms - 300 * day
        );
        let mut meetings: Vec<String> = (0..MEETINGS)
            .map(|j| {
                let ago = (j as i64 + 1) * 30 - (k % 20) as i64;
                let held = ms - ago * day;
                format!("('{}', '{m}', '{mentor}', '{}', {held}, 45, 'video', NULL, {held})", uuid::Uuid::now_v7(), date(-ago))
            })
            .collect();
        if k % 100 == 0 {
            meetings.push(format!(
                "('{}', '{m}', '{mentor}', '{}', {}, 45, 'video', NULL, {})",
                uuid::Uuid::now_v7(),
                date(0),
                ms - 3_600_000,
                ms - 3_600_000
            ));
        }
        let _ = writeln!(
            sql,
            "INSERT INTO meetings (id, mentorship_id, logged_by, held_on, held_at, duration_minutes, mode, note, created_at) VALUES {};",
            meetings.join(",")
        );
        let due = 1 + (k % 60) as i64;
        let _ = writeln!(
            sql,
            "INSERT INTO actions (id, mentorship_id, number, meeting_id, text, owner_id, due_on, created_by, created_at, done_at, done_by) VALUES
             ('{}', '{m}', 1, NULL, 'Een artikel lezen', '{mentee}', '{}', '{mentor}', {}, {ms}, '{mentee}'),
             ('{}', '{m}', 2, NULL, 'Drie openingszinnen oefenen', '{mentee}', '{}', '{mentor}', {}, NULL, NULL),
             ('{}', '{m}', 3, NULL, 'Twee voorbeelden sturen', '{mentor}', '{}', '{mentor}', {}, NULL, NULL);",
            uuid::Uuid::now_v7(),
            date(-3),
            ms - 20 * day,
            uuid::Uuid::now_v7(),
            date(due),
            ms - 20 * day,
            uuid::Uuid::now_v7(),
            date(due + 7),
            ms - 20 * day
        );
    }
    sql.push_str("COMMIT;\n");
    sql
}

/// One mentorship in a hundred logs a session (11 minutes ago: its notes have settled).
fn new_sessions(mentorships: usize) -> String {
    let ms = chrono::Utc::now().timestamp_millis() - 11 * 60_000;
    let today = chrono::Utc::now().date_naive();
    format!(
        "INSERT INTO meetings (id, mentorship_id, logged_by, held_on, held_at, duration_minutes, mode, note, created_at)
         SELECT m.id || '-new', m.id, mm.user_id, '{today}', {ms}, 30, 'phone', NULL, {ms}
         FROM mentorships m JOIN mentorship_members mm ON mm.mentorship_id = m.id AND mm.role = 'mentor'
         WHERE m.id IN (SELECT id FROM mentorships ORDER BY id LIMIT {});",
        (mentorships / 100).max(1)
    )
}

fn section(cli: &Cli, runs: &[Run], m: &sys::Machine) -> String {
    let target = "Target (issue 25, Speed): computing who is due a prompt (reflection, review, closure, follow-up, action reminders) for 10,000 mentorships ≤ 1 s per scheduler round on both backends.";
    let method = format!(
        "Method: `cargo run --release -p mentorpost-bench --bin prompts` writes {} active mentorships (a mentor and a mentee reading by mail, an agreed end date, {MEETINGS} sessions over the past ten months, three actions: one done, two open and due within two months; one mentorship in a hundred logged a session an hour ago) straight into a fresh database, then runs the release binary's `mentorpost mail prompts --rounds N`, which times each round inside the process: the first round (it adds every timer the records call for and fires the due ones — reflection invitations, action reminders due tomorrow, reviews — up to 1,024 a round; a review round long past is not scheduled, its next one is), {} more rounds (the first of them fires the rest of that backlog, the others find nothing new), and — after one mentorship in a hundred logged a new session — one busy round. The floor is the same command with zero rounds, timed from outside (process start, migrations check, pools).",
        cli.mentorships, cli.quiet_rounds
    );
    let mut s = docs::intro(HEADING, target, &method, m);
    let _ = writeln!(
        s,
        "| backend | first round ms (timers added / fired / mails) | next rounds p50 ms | next rounds max ms | busy round ms (fired / mails) | command floor ms | data written in s | target |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---|");
    for r in runs {
        let met = r.first.ms <= TARGET_MS && r.quiet_max_ms <= TARGET_MS && r.busy.ms <= TARGET_MS;
        let _ = writeln!(
            s,
            "| {} | {:.0} ({} / {} / {}) | {:.1} | {:.1} | {:.0} ({} / {}) | {:.0} | {:.1} | {} |",
            r.backend,
            r.first.ms,
            r.first.added,
            r.first.fired,
            r.first.mails,
            r.quiet_p50_ms,
            r.quiet_max_ms,
            r.busy.ms,
            r.busy.fired,
            r.busy.mails,
            r.floor_ms,
            r.load_s,
            if met { "met" } else { "**missed**" }
        );
    }
    s
}
