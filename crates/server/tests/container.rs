//! The container: `deploy/Dockerfile` and `deploy/compose.yaml`.
//!
//! Where a Docker engine with the compose plugin runs, the image is built, the compose
//! file started, and a message posted on it reaches the mail catcher. Where none runs
//! the test says so and passes; what can be checked without one always runs: every
//! setting the files give is one the binary knows, and the health check they call
//! tells a ready server from a missing one.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(repo().join(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
}

/// The `MENTORPOST_*` settings a line sets: `KEY: value` in YAML, `KEY=value` in a
/// Dockerfile `ENV`. `${MENTORPOST_PORT}` and the like are the compose file's own
/// variables, not settings.
fn settings_in(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let line = line.trim_start().trim_start_matches("ENV ");
        if !line.starts_with("MENTORPOST_") {
            continue;
        }
        let key: String = line.chars().take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_').collect();
        if line[key.len()..].starts_with([':', '=']) {
            out.insert(key);
        }
    }
    out
}

#[test]
fn the_container_files_set_only_settings_the_binary_knows() {
    // A misspelt variable would be ignored in silence; the binary's help lists the
    // ones it reads.
    let help = common::run_ok(Command::new(common::BIN).args(["serve", "--help"]));
    let known: BTreeSet<String> = help
        .split("[env: ")
        .skip(1)
        .map(|rest| rest.chars().take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_').collect())
        .collect();
    assert!(known.contains("MENTORPOST_DATABASE_URL") && known.contains("MENTORPOST_HTTP"), "{known:?}");
    let compose = read("deploy/compose.yaml");
    let dockerfile = read("deploy/Dockerfile");
    let used: BTreeSet<String> = settings_in(&compose).into_iter().chain(settings_in(&dockerfile)).collect();
    assert!(used.contains("MENTORPOST_SMTP_URL") && used.contains("MENTORPOST_DATA_DIR"), "{used:?}");
    let unknown: Vec<&String> = used.difference(&known).collect();
    assert!(unknown.is_empty(), "deploy/ sets settings the binary does not read: {unknown:?}");
    // The image runs as a user without rights, and checks its health with the binary.
    assert!(dockerfile.contains("\nUSER 65532"), "the image must not run as root");
    assert!(dockerfile.contains("CMD [\"/usr/local/bin/mentorpost\", \"probe\"]"));
    assert_eq!(compose.matches("[\"CMD\", \"/usr/local/bin/mentorpost\", \"probe\"]").count(), 2);
}

#[test]
fn probe_tells_a_ready_server_from_a_missing_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut child = common::mentorpost(dir.path(), None)
        .args(["serve", "--http", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn serve");
    let addr = common::announced_addr(&mut child);
    let out = Command::new(common::BIN).args(["probe", "--http", &addr]).output().expect("probe");
    let _ = child.kill();
    let _ = child.wait();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("answered 200"));
    // The same port with nobody behind it now.
    let out = Command::new(common::BIN).args(["probe", "--http", &addr]).output().expect("probe");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stderr).contains("connecting to"), "{}", String::from_utf8_lossy(&out.stderr));
    // Something that is not mentorpost answers no HTTP 200 on /readyz either.
    let other = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let other_addr = other.local_addr().expect("addr").to_string();
    let echo = std::thread::spawn(move || {
        if let Ok((mut s, _)) = other.accept() {
            let _ = std::io::Write::write_all(&mut s, b"SSH-2.0-OpenSSH_9.2\r\n");
        }
    });
    let out = Command::new(common::BIN).args(["probe", "--http", &other_addr]).output().expect("probe");
    let _ = echo.join();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did not answer HTTP"), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Why the compose test cannot run here, if it cannot.
fn docker_missing() -> Option<String> {
    let engine = Command::new("docker").args(["info", "--format", "{{.ServerVersion}}"]).output();
    match engine {
        Err(e) => return Some(format!("no docker command ({e})")),
        Ok(out) if !out.status.success() => {
            return Some(format!(
                "no Docker engine answers ({})",
                String::from_utf8_lossy(&out.stderr).trim().lines().last().unwrap_or_default()
            ));
        }
        Ok(_) => {}
    }
    match Command::new("docker").args(["compose", "version"]).output() {
        Ok(out) if out.status.success() => None,
        _ => Some("the docker compose plugin is not installed".to_owned()),
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// `docker compose` on the project's file under its own project name; taken down with
/// its volumes on drop.
struct Compose {
    project: String,
    ports: [(&'static str, u16); 3],
}

impl Compose {
    fn command(&self) -> Command {
        let mut cmd = Command::new("docker");
        cmd.current_dir(repo()).args(["compose", "-p", &self.project, "-f", "deploy/compose.yaml"]);
        for (var, port) in self.ports {
            cmd.env(var, port.to_string());
        }
        cmd
    }
}

impl Drop for Compose {
    fn drop(&mut self) {
        let _ = self.command().args(["down", "--volumes", "--timeout", "10"]).status();
    }
}

#[test]
fn compose_up_gives_a_working_instance_whose_mail_reaches_the_catcher() {
    if let Some(why) = docker_missing() {
        eprintln!("SKIPPED: the container test needs Docker with compose: {why}.");
        return;
    }
    let compose = Compose {
        project: format!("mentorpost-test-{}", std::process::id()),
        ports: [("MENTORPOST_PORT", free_port()), ("MENTORPOST_2_PORT", free_port()), ("MAILPIT_PORT", free_port())],
    };
    // --wait returns once every service's health check passes.
    let up = compose.command().args(["up", "--build", "--detach", "--wait", "--wait-timeout", "1200"]).status().expect("docker compose up");
    if !up.success() {
        let _ = compose.command().args(["logs", "--no-color"]).status();
        panic!("docker compose up failed");
    }
    let base = format!("http://127.0.0.1:{}", compose.ports[0].1);
    let base_2 = format!("http://127.0.0.1:{}", compose.ports[1].1);
    let mailpit = format!("http://127.0.0.1:{}", compose.ports[2].1);
    let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(10)).build().expect("client");
    for b in [&base, &base_2] {
        let ready = client.get(format!("{b}/readyz")).send().expect("readyz");
        assert_eq!(ready.status(), 200, "{b}/readyz");
    }

    // Posted on the second instance: the mail still goes out once, through the catcher.
    let (token, threads) = common::demo_threads(&client, &base_2);
    let marker = format!("container-{}", uuid::Uuid::new_v4().simple());
    for thread in threads.as_array().expect("threads") {
        let id = thread["id"].as_str().expect("id");
        let posted = client
            .post(format!("{base_2}/api/v1/threads/{id}/messages"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"body": format!("Hallo Henk, {marker}"), "client_msg_id": uuid::Uuid::new_v4().to_string()}))
            .send()
            .expect("post");
        assert_eq!(posted.status(), 201);
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let found: serde_json::Value =
            client.get(format!("{mailpit}/api/v1/search?query={marker}")).send().expect("mailpit search").json().expect("json");
        let to_henk =
            found["messages"].as_array().into_iter().flatten().any(|m| {
                m["To"].as_array().into_iter().flatten().any(|to| to["Address"].as_str() == Some("henk@demo.mentorpost.localhost"))
            });
        if to_henk {
            break;
        }
        assert!(Instant::now() < deadline, "no mail for Henk with the marker reached the catcher: {found}");
        std::thread::sleep(Duration::from_millis(200));
    }
}
