//! E-mail in, end to end with the real binary: the e-mail-only mentee's notification
//! arrives at a real SMTP server; the test answers it as Gmail would (quoting the
//! original below a "wrote:" line, plain text and HTML) through the service's SMTP
//! listener with a real SMTP client; the mentor, connected by WebSocket, receives
//! exactly the reply's own text.

#[path = "../../../tests/src/smtp.rs"]
#[allow(dead_code)]
mod smtp;

use lettre::address::Envelope;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use mentorpost_client::{Api, Live};
use mentorpost_model::EventKind;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_mentorpost");
const WAIT: Duration = Duration::from_secs(30);
const HENK: &str = "henk@demo.mentorpost.localhost";
const REPLY: &str = "Dag Çağrı,\n\nDonderdag om 10 uur is prima. Ik heb de link al gevonden, dus dat gaat vast goed.\n\nGroet,\nHenk";

struct Served {
    child: Child,
    http: String,
    smtp: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `serve --demo` with outgoing mail to `smtp_url` and the SMTP listener on a
/// free port; waits for the log lines that name both addresses.
fn serve(data_dir: &std::path::Path, smtp_url: &str) -> Served {
    let mut child = Command::new(BIN)
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("MENTORPOST_DATABASE_URL")
        .env("MENTORPOST_LOG", "info")
        .args(["serve", "--demo", "--http", "127.0.0.1:0", "--smtp-listen", "127.0.0.1:0", "--smtp-url", smtp_url])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn serve");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let value = |key: &str| line.split(key).nth(1).and_then(|r| r.split_whitespace().next()).map(str::to_owned);
            if let Some(smtp) = value("smtp_addr=") {
                let _ = tx.send(("smtp", smtp));
            } else if let Some(http) = value(" addr=") {
                let _ = tx.send(("http", http));
            }
        }
    });
    let (mut http, mut smtp) = (None, None);
    while http.is_none() || smtp.is_none() {
        match rx.recv_timeout(Duration::from_secs(60)).expect("the server announced its addresses") {
            ("smtp", a) => smtp = Some(a),
            (_, a) => http = Some(a),
        }
    }
    Served { child, http: format!("http://{}", http.unwrap_or_default()), smtp: smtp.unwrap_or_default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gmail_reply_by_the_email_only_mentee_reaches_the_mentor_live_as_its_own_text() {
    let sink = smtp::SmtpServer::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let served = serve(dir.path(), &sink.url());

    // The demo's first message to Henk goes out as a notification.
    let notification = loop {
        let mails = sink.wait_for(1, WAIT).await;
        if let Some(m) = mails.iter().find(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(HENK))) {
            break m.clone();
        }
        sink.wait_for(mails.len() + 1, WAIT).await;
    };
    let parsed = smtp::parse(&notification);
    let reply_to = parsed.reply_to().and_then(|a| a.first()).and_then(|a| a.address()).expect("Reply-To").to_owned();
    assert!(reply_to.starts_with("reply+"), "{reply_to}");
    let message_id = parsed.message_id().expect("Message-ID").to_owned();
    let subject = parsed.subject().expect("Subject").to_owned();
    let original = parsed.body_text(0).expect("text part").into_owned();

    // The mentor watches live.
    let mentor = Api::login(&served.http, "cagri@demo.mentorpost.localhost", "mentorpost-demo").await.expect("mentor logs in");
    let mut live = Live::connect(&mentor).await.expect("socket");
    tokio::time::timeout(WAIT, live.hello()).await.expect("hello in time").expect("hello");

    // Henk answers from Gmail: his text on top, the original quoted below.
    let quoted: String = original.lines().map(|l| if l.is_empty() { ">\r\n".to_owned() } else { format!("> {l}\r\n") }).collect();
    let text = format!(
        "{}\r\n\r\nOp do 3 dec 2026 om 14:05 schreef Çağrı Yılmaz via mentorpost <\r\nnotifications@mentorpost.localhost>:\r\n\r\n{quoted}",
        REPLY.replace('\n', "\r\n")
    );
    let html = format!(
        "<div dir=\"ltr\">{}</div><br><div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">Op do 3 dec 2026 om 14:05 schreef Çağrı Yılmaz via mentorpost &lt;<a href=\"mailto:notifications@mentorpost.localhost\">notifications@mentorpost.localhost</a>&gt;:<br></div><blockquote class=\"gmail_quote\" style=\"margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex\">{}</blockquote></div>",
        REPLY.split("\n\n").map(|p| p.replace('\n', "<br>")).collect::<Vec<_>>().join("</div><div dir=\"ltr\"><br></div><div dir=\"ltr\">"),
        original.replace('&', "&amp;").replace('<', "&lt;").replace('\n', "<br>")
    );
    let raw = format!(
        "MIME-Version: 1.0\r\nDate: Thu, 3 Dec 2026 14:31:07 +0100\r\nReferences: <{message_id}>\r\nIn-Reply-To: <{message_id}>\r\nMessage-ID: <CAF{}@mail.gmail.com>\r\nSubject: Re: {subject}\r\nFrom: Henk Jansen <{HENK}>\r\nTo: {reply_to}\r\nContent-Type: multipart/alternative; boundary=\"000000000000a1b2c3d4e5f6\"\r\n\r\n--000000000000a1b2c3d4e5f6\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{text}\r\n--000000000000a1b2c3d4e5f6\r\nContent-Type: text/html; charset=\"UTF-8\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{html}\r\n--000000000000a1b2c3d4e5f6--\r\n",
        uuid::Uuid::new_v4().simple()
    );
    let (host, port) = served.smtp.rsplit_once(':').expect("host:port");
    let client = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host).port(port.parse().expect("port")).build();
    let envelope = Envelope::new(Some(HENK.parse().expect("from")), vec![reply_to.parse().expect("to")]).expect("envelope");
    let accepted = client.send_raw(&envelope, raw.as_bytes()).await.expect("the listener accepts the reply");
    assert!(accepted.is_positive());

    let body = tokio::time::timeout(WAIT, async {
        loop {
            let event = live.next_event().await.expect("socket").expect("socket open");
            if event.kind == EventKind::MessageCreated && event.data["message"]["source"] == "email" {
                return event.data["message"]["body"].as_str().unwrap_or_default().to_owned();
            }
        }
    })
    .await
    .expect("the reply arrived live");
    assert_eq!(body, REPLY);
    live.close().await;
}
