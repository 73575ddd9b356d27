//! The data disk fills up under the real binary: writes answer 503 `storage_full`
//! (nothing half-saved), reads keep working, every acknowledged message stays, and
//! once space returns the service writes again by itself. On SQLite the data dir is a
//! small tmpfs; on PostgreSQL the test database lives in a tablespace on one. Both need
//! the right to mount (root), PostgreSQL also a server on this machine; elsewhere the
//! test says it was skipped.

mod common;

use common::{demo_threads, mentorpost};
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Mounted(std::path::PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(dir: &std::path::Path, db: Option<&str>) -> (Served, String) {
    let mut child = mentorpost(dir, db)
        .args(["serve", "--demo", "--http", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("serve");
    let addr = common::announced_addr(&mut child);
    (Served(child), format!("http://{addr}"))
}

/// A small tmpfs mounted at `dir`; `None` (said on stderr) where mounting is not
/// allowed.
fn small_disk(dir: &std::path::Path) -> Option<Mounted> {
    std::fs::create_dir_all(dir).expect("mkdir");
    let mounted = Command::new("mount").args(["-t", "tmpfs", "-o", "size=24m", "tmpfs"]).arg(dir).output();
    if !mounted.as_ref().is_ok_and(|o| o.status.success()) {
        eprintln!("disk-full test skipped: cannot mount a small tmpfs here (needs root): {mounted:?}");
        return None;
    }
    Some(Mounted(dir.to_owned()))
}

#[test]
fn a_full_disk_refuses_writes_keeps_reads_and_recovers() {
    let outer = tempfile::tempdir().expect("tmp");
    let dir = outer.path().join("data");
    let Some(_mount) = small_disk(&dir) else { return };
    full_disk(&dir, &dir, None);
}

/// A tablespace on a small disk holding a whole test database; dropped, then the
/// disk unmounted, on drop.
struct Tablespace {
    admin: String,
    name: String,
    database: String,
    _disk: Mounted,
}

impl Drop for Tablespace {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .arg(&self.admin)
            .arg("-qc")
            .arg(format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.database))
            .output();
        let _ = Command::new("psql").arg(&self.admin).arg("-qc").arg(format!("DROP TABLESPACE IF EXISTS \"{}\"", self.name)).output();
    }
}

#[test]
fn a_full_disk_under_postgresql_refuses_writes_keeps_reads_and_recovers() {
    let Some(admin) = common::postgres_admin_url() else {
        eprintln!("PostgreSQL suite skipped: set {} to run it", common::PG_ENV);
        return;
    };
    let host = url::Url::parse(&admin).ok().and_then(|u| u.host_str().map(str::to_owned)).unwrap_or_default();
    if !["127.0.0.1", "localhost", "::1", "[::1]", ""].contains(&host.as_str()) {
        eprintln!("PostgreSQL disk-full test skipped: the server at {host} is not on this machine, so its disk cannot be filled from here");
        return;
    }
    // The server runs as `postgres`: it must reach and own the tablespace's folder.
    let outer = tempfile::tempdir().expect("tmp");
    std::fs::set_permissions(outer.path(), std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    let disk = outer.path().join("pg");
    let Some(mounted) = small_disk(&disk) else { return };
    let owned = Command::new("chown").args(["postgres:postgres"]).arg(&disk).status();
    if !owned.is_ok_and(|s| s.success()) {
        eprintln!("PostgreSQL disk-full test skipped: cannot give the folder to the postgres user");
        return;
    }
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let space = Tablespace { admin: admin.clone(), name: format!("mp_full_{tag}"), database: format!("mp_full_{tag}"), _disk: mounted };
    let psql = |sql: String| {
        let out = Command::new("psql").arg(&admin).arg("-qc").arg(&sql).output().expect("psql");
        assert!(out.status.success(), "{sql}: {}", String::from_utf8_lossy(&out.stderr));
    };
    psql(format!("CREATE TABLESPACE \"{}\" LOCATION '{}'", space.name, disk.display()));
    psql(format!("CREATE DATABASE \"{}\" TABLESPACE \"{}\"", space.database, space.name));
    let mut url = url::Url::parse(&admin).expect("a URL");
    url.set_path(&space.database);
    let data = tempfile::tempdir().expect("tmp");
    full_disk(&disk, data.path(), Some(url.as_str()));
    drop(space);
}

/// Fills the disk at `fill` while a server on `dir` (and `db`) takes posts; see the
/// module's comment for what must hold.
fn full_disk(fill: &std::path::Path, dir: &std::path::Path, db: Option<&str>) {
    let (served, base) = serve(dir, db);
    let client = reqwest::blocking::Client::builder().no_proxy().timeout(Duration::from_secs(30)).build().expect("client");
    let (token, threads) = demo_threads(&client, &base);
    let thread = threads[0]["id"].as_str().expect("thread").to_owned();
    let url = format!("{base}/api/v1/threads/{thread}/messages");
    let post = |i: usize| {
        client
            .post(&url)
            .bearer_auth(&token)
            .json(&serde_json::json!({"body": format!("Bericht {i}: {}", "woorden ".repeat(200)), "client_msg_id": uuid::Uuid::new_v4().to_string()}))
            .send()
            .expect("post")
    };
    let mut acked = Vec::new();
    for i in 0..5 {
        let answer = post(i);
        assert_eq!(answer.status(), 201);
        acked.push(answer.json::<serde_json::Value>().expect("json")["id"].as_str().expect("id").to_owned());
    }

    // Fill the disk.
    let filler = fill.join("filler");
    let mut file = std::fs::File::create(&filler).expect("filler");
    let chunk = vec![0u8; 64 * 1024];
    while file.write_all(&chunk).is_ok() {}
    drop(file);

    // Writes are refused with a clear 503, quickly, and nothing is half-saved.
    let mut refused = None;
    for i in 5..2000 {
        let started = Instant::now();
        let answer = post(i);
        match answer.status().as_u16() {
            201 => acked.push(answer.json::<serde_json::Value>().expect("json")["id"].as_str().expect("id").to_owned()),
            503 => {
                assert!(started.elapsed() < Duration::from_secs(10), "a refusal must not hang");
                refused = Some(answer.json::<serde_json::Value>().expect("json"));
                break;
            }
            other => panic!("a post on a full disk answered {other}: {:?}", answer.text()),
        }
    }
    let refused = refused.expect("a post on the full disk was refused");
    eprintln!("{}: the full disk refused a post after {} were stored", if db.is_some() { "postgres" } else { "sqlite" }, acked.len());
    assert_eq!(refused["error"]["code"], "storage_full", "{refused}");
    // Reads keep working.
    let read = client.get(&url).bearer_auth(&token).send().expect("read");
    assert_eq!(read.status(), 200, "reads work on a full disk");

    // Space returns: writes work again, by themselves.
    std::fs::remove_file(&filler).expect("free the space");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let answer = post(1000);
        if answer.status() == 201 {
            acked.push(answer.json::<serde_json::Value>().expect("json")["id"].as_str().expect("id").to_owned());
            break;
        }
        assert!(Instant::now() < deadline, "writes did not recover: {}", answer.status());
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(served);

    // Every acknowledged message is there after a restart; no half-written mail file.
    let (served, base) = serve(dir, db);
    let (token, _) = demo_threads(&client, &base);
    let token = token.as_str();
    let mut stored = Vec::new();
    let mut after = 0;
    loop {
        let page: serde_json::Value = client
            .get(format!("{base}/api/v1/threads/{thread}/messages?after={after}&limit=200"))
            .bearer_auth(token)
            .send()
            .expect("messages")
            .json()
            .expect("json");
        let messages = page["messages"].as_array().cloned().unwrap_or_default();
        let Some(last) = messages.last() else { break };
        after = last["seq"].as_i64().expect("seq");
        stored.extend(messages.iter().filter_map(|m| m["id"].as_str().map(str::to_owned)));
    }
    for id in &acked {
        assert!(stored.contains(id), "acknowledged message {id} is missing");
    }
    let half_written = std::fs::read_dir(dir.join("mail"))
        .map(|d| d.flatten().filter(|e| e.file_name().to_string_lossy().ends_with(".tmp")).count())
        .unwrap_or(0);
    assert_eq!(half_written, 0, "a half-written mail file stayed");
    drop(served);
}
