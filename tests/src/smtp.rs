//! A real SMTP server on loopback for tests: the protocol is the `mailin` crate's
//! session state machine, the network loop is tokio, so a test can stop the server
//! (an outage) and start it again on the same port.
//!
//! Every accepted mail is kept with its envelope; tests wait for a number of mails
//! with a timeout instead of sleeping.

use mailin::{Action, Handler, Response, SessionBuilder, response};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// One mail as the server accepted it.
#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

#[derive(Default)]
struct Shared {
    mails: Mutex<Vec<Received>>,
    /// Recipients refused with a permanent 550 at RCPT.
    refuse: Mutex<Vec<String>>,
    /// When set, clients must log in (AUTH PLAIN or LOGIN) with these credentials.
    login: Option<(String, String)>,
    arrived: Notify,
}

/// A running SMTP server.
pub struct SmtpServer {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    stop: CancellationToken,
    tasks: TaskTracker,
}

struct Collector {
    shared: Arc<Shared>,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Collector {
    fn check_login(&self, user: &str, password: &str) -> Response {
        match &self.shared.login {
            Some((u, p)) if u == user && p == password => response::AUTH_OK,
            _ => response::INVALID_CREDENTIALS,
        }
    }
}

impl Handler for Collector {
    fn auth_plain(&mut self, _authorization_id: &str, authentication_id: &str, password: &str) -> Response {
        self.check_login(authentication_id, password)
    }

    fn auth_login(&mut self, username: &str, password: &str) -> Response {
        self.check_login(username, password)
    }

    fn rcpt(&mut self, to: &str) -> Response {
        let refused = self.shared.refuse.lock().unwrap_or_else(|e| e.into_inner()).iter().any(|r| r.eq_ignore_ascii_case(to));
        if refused { response::NO_MAILBOX } else { response::OK }
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.from = from.to_owned();
        self.to = to.to_vec();
        self.data.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let mail =
            Received { from: std::mem::take(&mut self.from), to: std::mem::take(&mut self.to), data: std::mem::take(&mut self.data) };
        self.shared.mails.lock().unwrap_or_else(|e| e.into_inner()).push(mail);
        self.shared.arrived.notify_waiters();
        response::OK
    }
}

impl SmtpServer {
    /// Starts on a free loopback port.
    pub async fn start() -> SmtpServer {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), Arc::new(Shared::default())).await
    }

    async fn start_on(addr: SocketAddr, shared: Arc<Shared>) -> SmtpServer {
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket.set_reuseaddr(true).expect("SO_REUSEADDR");
        socket.bind(addr).expect("bind the SMTP port");
        let listener = socket.listen(64).expect("listen");
        let addr = listener.local_addr().expect("local addr");
        let stop = CancellationToken::new();
        let tasks = TaskTracker::new();
        let (stop2, tasks2, shared2) = (stop.clone(), tasks.clone(), shared.clone());
        tasks.spawn(async move {
            loop {
                let accepted = tokio::select! {
                    _ = stop2.cancelled() => return,
                    a = listener.accept() => a,
                };
                let Ok((stream, peer)) = accepted else { continue };
                let (stop3, shared3) = (stop2.clone(), shared2.clone());
                tasks2.spawn(async move {
                    tokio::select! {
                        _ = stop3.cancelled() => {}
                        _ = session(stream, peer.ip(), shared3) => {}
                    }
                });
            }
        });
        SmtpServer { addr, shared, stop, tasks }
    }

    /// Starts a server that accepts mail only after a login with these credentials.
    pub async fn start_with_login(user: &str, password: &str) -> SmtpServer {
        let shared = Shared { login: Some((user.to_owned(), password.to_owned())), ..Shared::default() };
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), Arc::new(shared)).await
    }

    /// `smtp://127.0.0.1:PORT` for `MENTORPOST_SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Stops listening and drops every open connection; returns what is needed to
    /// start again on the same port with the same mailbox.
    pub async fn stop(self) -> StoppedSmtp {
        self.stop.cancel();
        self.tasks.close();
        self.tasks.wait().await;
        StoppedSmtp { addr: self.addr, shared: self.shared }
    }

    /// Refuses mail to `address` permanently (550 at RCPT).
    pub fn refuse(&self, address: &str) {
        self.shared.refuse.lock().unwrap_or_else(|e| e.into_inner()).push(address.to_owned());
    }

    /// Every mail received so far.
    pub fn mails(&self) -> Vec<Received> {
        self.shared.mails.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Waits until at least `n` mails have arrived (panics after `timeout`).
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let arrived = self.shared.arrived.notified();
            let mails = self.mails();
            if mails.len() >= n {
                return mails;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                panic!("waited {timeout:?} for {n} mails, got {}", self.mails().len());
            }
        }
    }
}

/// A stopped server: its port and what it had received.
pub struct StoppedSmtp {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl StoppedSmtp {
    pub async fn start_again(self) -> SmtpServer {
        SmtpServer::start_on(self.addr, self.shared).await
    }

    pub fn mails(&self) -> Vec<Received> {
        self.shared.mails.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

async fn session(stream: tokio::net::TcpStream, peer: IpAddr, shared: Arc<Shared>) {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    let mut builder = SessionBuilder::new("sink.localhost");
    if shared.login.is_some() {
        // Loopback only: plain-text AUTH is fine here.
        builder.enable_auth(mailin::AuthMechanism::Plain).enable_auth(mailin::AuthMechanism::Login).insecure_enable_plaintext_auth();
    }
    let collector = Collector { shared, from: String::new(), to: Vec::new(), data: Vec::new() };
    let mut session = builder.build(peer, collector);
    let Ok(greeting) = session.greeting().buffer() else { return };
    if write.write_all(&greeting).await.is_err() {
        return;
    }
    let mut line = Vec::with_capacity(256);
    loop {
        line.clear();
        match read.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let res = session.process(&line);
        match res.action {
            Action::NoReply => continue,
            Action::Reply | Action::Close | Action::UpgradeTls => {
                let Ok(bytes) = res.buffer() else { return };
                if write.write_all(&bytes).await.is_err() || res.action != Action::Reply {
                    return;
                }
            }
        }
    }
}

/// The parsed form of a received mail.
pub fn parse(mail: &Received) -> mail_parser::Message<'_> {
    mail_parser::MessageParser::default().parse(&mail.data).expect("a parsable RFC 5322 mail")
}

/// An SMTP server that hangs mid-session, in front of a working one: its first
/// `stalled` connections are greeted and answered EHLO, then never answered again
/// (the MAIL command included); every later connection is passed through to `target`.
pub struct StallingRelay {
    pub addr: SocketAddr,
    /// Sessions that sent a command after EHLO and got no answer.
    hung: Arc<tokio::sync::watch::Sender<usize>>,
    stop: CancellationToken,
    tasks: TaskTracker,
}

impl StallingRelay {
    pub async fn start(target: SocketAddr, stalled: usize) -> StallingRelay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the relay");
        let addr = listener.local_addr().expect("local addr");
        let (stop, tasks) = (CancellationToken::new(), TaskTracker::new());
        let hung = Arc::new(tokio::sync::watch::Sender::new(0));
        let (stop2, tasks2, hung2) = (stop.clone(), tasks.clone(), hung.clone());
        tasks.spawn(async move {
            let mut accepted_so_far = 0;
            loop {
                let accepted = tokio::select! {
                    _ = stop2.cancelled() => return,
                    a = listener.accept() => a,
                };
                let Ok((stream, _)) = accepted else { continue };
                accepted_so_far += 1;
                let (stop3, hung3) = (stop2.clone(), hung2.clone());
                let stall = accepted_so_far <= stalled;
                tasks2.spawn(async move {
                    tokio::select! {
                        _ = stop3.cancelled() => {}
                        _ = async {
                            if stall { hang(stream, hung3).await } else { pass_through(stream, target).await }
                        } => {}
                    }
                });
            }
        });
        StallingRelay { addr, hung, stop, tasks }
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Waits until `n` sessions hang after a command (panics after `timeout`).
    pub async fn wait_hung(&self, n: usize, timeout: Duration) {
        let mut hung = self.hung.subscribe();
        let reached = tokio::time::timeout(timeout, hung.wait_for(|h| *h >= n)).await;
        assert!(reached.is_ok(), "waited {timeout:?} for {n} hung SMTP sessions, got {}", *self.hung.borrow());
    }

    pub async fn stop(self) {
        self.stop.cancel();
        self.tasks.close();
        self.tasks.wait().await;
    }
}

/// Greets, answers EHLO (8BITMIME and SMTPUTF8, so the client has no reason to give
/// up), then reads and answers nothing more until the client goes away.
async fn hang(stream: tokio::net::TcpStream, hung: Arc<tokio::sync::watch::Sender<usize>>) {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    if write.write_all(b"220 stalling.localhost ESMTP\r\n").await.is_err() {
        return;
    }
    let mut line = Vec::new();
    let mut counted = false;
    loop {
        line.clear();
        match read.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let upper = line.to_ascii_uppercase();
        if upper.starts_with(b"EHLO") || upper.starts_with(b"HELO") {
            if write.write_all(b"250-stalling.localhost\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n").await.is_err() {
                return;
            }
        } else if !counted {
            counted = true;
            hung.send_modify(|h| *h += 1);
        }
    }
}

async fn pass_through(mut client: tokio::net::TcpStream, target: SocketAddr) {
    if let Ok(mut server) = tokio::net::TcpStream::connect(target).await {
        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
    }
}
