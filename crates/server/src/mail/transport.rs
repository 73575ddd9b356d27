//! Where mail goes: complete `.eml` files under the data dir (the default, so a fresh
//! install needs nothing), or an SMTP server (`MENTORPOST_SMTP_URL`).
//!
//! A mail file starts with `Return-Path:` — the envelope sender, the VERP bounce
//! address an SMTP server would have been given — as a delivering MTA writes it, so a
//! self-hoster can see where bounces go and replay them.
//!
//! For SMTP the connections are our own small pool built on lettre's
//! `AsyncSmtpConnection` over a TCP stream with `TCP_NODELAY`: lettre's own transport
//! leaves Nagle's algorithm on and writes the body and the end-of-data marker
//! separately, which stalls every mail by ~40 ms (delayed ACK) and caps one
//! connection at ~25 mails/s.

use crate::config::SmtpTimeouts;
use anyhow::{Context, bail};
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Writes `<uuid>.eml`: the `Return-Path:` line, then the mail. Written under a
/// temporary name and renamed, so a reader never sees half a mail.
async fn write_file(dir: &std::path::Path, envelope: &Envelope, raw: &[u8]) -> anyhow::Result<()> {
    let sender = envelope.from().map(|a| a.to_string()).unwrap_or_default();
    let mut bytes = Vec::with_capacity(raw.len() + sender.len() + 16);
    bytes.extend_from_slice(format!("Return-Path: <{sender}>\r\n").as_bytes());
    bytes.extend_from_slice(raw);
    let name = uuid::Uuid::new_v4();
    let temporary = dir.join(format!(".{name}.tmp"));
    let path = dir.join(format!("{name}.eml"));
    if let Err(err) = tokio::fs::write(&temporary, &bytes).await {
        // A full disk leaves half a file: gone, so nothing half-written stays.
        let _ = tokio::fs::remove_file(&temporary).await;
        return Err(anyhow::Error::new(err).context(format!("writing {}", temporary.display())));
    }
    tokio::fs::rename(&temporary, &path).await.with_context(|| format!("naming {}", path.display()))?;
    Ok(())
}

/// Removes the temporary files of mails a killed process was writing. Each such mail is
/// still in the outbox, unsent, and goes out again; its half is never a mail.
fn remove_half_written(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.ends_with(".tmp") && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    if removed > 0 {
        tracing::info!(removed, dir = %dir.display(), "removed half-written mail files of an earlier run");
    }
}

/// Connections kept open between sends.
const MAX_IDLE: usize = 8;

#[derive(Clone)]
pub enum Transport {
    Files(PathBuf),
    Smtp(Arc<SmtpPool>),
}

impl Transport {
    /// Files under `dir`, or SMTP when `smtp_url` is set.
    pub fn new(dir: PathBuf, smtp_url: Option<&str>, timeouts: SmtpTimeouts) -> anyhow::Result<Transport> {
        match smtp_url {
            Some(url) => Ok(Transport::Smtp(Arc::new(SmtpPool::from_url(url)?.with_timeouts(timeouts)))),
            None => {
                std::fs::create_dir_all(&dir).with_context(|| format!("creating mail dir {}", dir.display()))?;
                remove_half_written(&dir);
                Ok(Transport::Files(dir))
            }
        }
    }

    /// Hands one complete mail to the transport.
    pub async fn send(&self, envelope: &Envelope, raw: &[u8]) -> Result<(), SendError> {
        match self {
            Transport::Files(dir) => write_file(dir, envelope, raw).await.map_err(SendError::transient),
            Transport::Smtp(pool) => pool.send(envelope, raw).await,
        }
    }

    pub fn describe(&self) -> &'static str {
        match self {
            Transport::Files(_) => "files",
            Transport::Smtp(_) => "smtp",
        }
    }
}

/// Why a mail did not go out.
#[derive(Debug)]
pub struct SendError {
    /// The server refused it for good (SMTP 5xx): retrying will not help.
    pub permanent: bool,
    pub error: anyhow::Error,
}

impl SendError {
    fn transient(error: anyhow::Error) -> SendError {
        SendError { permanent: false, error }
    }
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.error)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Security {
    None,
    StartTls,
    Implicit,
}

pub struct SmtpPool {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
    /// A server that accepts a connection and then says nothing must not hold up the
    /// outbox: every step has a deadline.
    timeouts: SmtpTimeouts,
    /// Open connections and when each was last used.
    idle: Mutex<Vec<(Instant, AsyncSmtpConnection)>>,
}

/// A connection idle for longer than this is checked with `NOOP` before reuse; a
/// fresher one is used as it is (servers close idle sessions after minutes).
const FRESH: Duration = Duration::from_secs(5);

/// Runs one step of an SMTP session within `limit`; `what` names the step in the error.
async fn within<T, E>(limit: Duration, what: &str, step: impl Future<Output = Result<T, E>>) -> anyhow::Result<T>
where
    E: std::error::Error + Send + Sync + 'static,
{
    match tokio::time::timeout(limit, step).await {
        Ok(done) => done.with_context(|| what.to_owned()),
        Err(_) => bail!("{what}: no answer from the SMTP server within {limit:?}"),
    }
}

impl SmtpPool {
    /// `smtp://[user:pass@]host[:port][?tls=starttls]` (port 587 by default) or
    /// `smtps://[user:pass@]host[:port]` (implicit TLS, port 465). User and password
    /// are percent-decoded.
    pub fn from_url(raw: &str) -> anyhow::Result<SmtpPool> {
        let url = url::Url::parse(raw).context("MENTORPOST_SMTP_URL is not a URL")?;
        // An IPv6 address without its brackets: it is connected to, not put in a URL.
        let host = match url.host().context("the SMTP URL has no host")? {
            url::Host::Domain("") => bail!("the SMTP URL has no host"),
            url::Host::Domain(name) => name.to_owned(),
            url::Host::Ipv4(ip) => ip.to_string(),
            url::Host::Ipv6(ip) => ip.to_string(),
        };
        let starttls = url.query_pairs().any(|(k, v)| k == "tls" && (v == "starttls" || v == "required"));
        let (security, default_port) = match url.scheme() {
            "smtps" => (Security::Implicit, 465),
            "smtp" if starttls => (Security::StartTls, 587),
            "smtp" => (Security::None, 587),
            other => bail!("SMTP URL scheme must be smtp or smtps, not {other}"),
        };
        let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
        let credentials =
            (!url.username().is_empty()).then(|| Credentials::new(decode(url.username()), decode(url.password().unwrap_or(""))));
        Ok(SmtpPool {
            host,
            port: url.port().unwrap_or(default_port),
            security,
            credentials,
            hello: ClientId::default(),
            timeouts: SmtpTimeouts::default(),
            idle: Mutex::new(Vec::new()),
        })
    }

    pub fn with_timeouts(mut self, timeouts: SmtpTimeouts) -> SmtpPool {
        self.timeouts = timeouts;
        self
    }

    /// A new session: TCP connect, TLS, greeting and EHLO within the connect timeout;
    /// STARTTLS and AUTH within the command timeout each.
    async fn connect(&self) -> anyhow::Result<AsyncSmtpConnection> {
        let limit = self.timeouts.connect;
        let tls = || TlsParameters::new(self.host.clone()).context("TLS parameters");
        let mut conn = match self.security {
            // lettre opens the socket itself here, so Nagle stays on for implicit TLS.
            Security::Implicit => {
                let tls = tls()?;
                within(
                    limit,
                    "connecting to the SMTP server",
                    AsyncSmtpConnection::connect_tokio1((self.host.as_str(), self.port), Some(limit), &self.hello, Some(tls), None),
                )
                .await?
            }
            Security::None | Security::StartTls => {
                let opened = tokio::time::timeout(limit, async {
                    let stream = tokio::net::TcpStream::connect((self.host.as_str(), self.port))
                        .await
                        .with_context(|| format!("connecting to the SMTP server {}:{}", self.host, self.port))?;
                    stream.set_nodelay(true).context("setting TCP_NODELAY")?;
                    AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello).await.context("SMTP greeting")
                })
                .await;
                match opened {
                    Ok(conn) => conn?,
                    Err(_) => bail!("connecting to the SMTP server: no greeting within {limit:?}"),
                }
            }
        };
        if self.security == Security::StartTls {
            within(self.timeouts.command, "STARTTLS", conn.starttls(tls()?, &self.hello)).await?;
        }
        if let Some(creds) = &self.credentials {
            within(self.timeouts.command, "SMTP authentication", conn.auth(&[Mechanism::Plain, Mechanism::Login], creds)).await?;
        }
        Ok(conn)
    }

    /// A pooled connection that still works, or a new one.
    async fn checkout(&self) -> anyhow::Result<AsyncSmtpConnection> {
        loop {
            let pooled = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let Some((since, mut conn)) = pooled else { return self.connect().await };
            if conn.has_broken() {
                continue;
            }
            if since.elapsed() < FRESH || tokio::time::timeout(self.timeouts.command, conn.test_connected()).await.unwrap_or(false) {
                return Ok(conn);
            }
        }
    }

    /// Sends one mail within the total send timeout; a connection that timed out is
    /// dropped, never reused (its state is unknown).
    pub async fn send(&self, envelope: &Envelope, raw: &[u8]) -> Result<(), SendError> {
        let limit = self.timeouts.send;
        match tokio::time::timeout(limit, self.send_now(envelope, raw)).await {
            Ok(sent) => sent,
            Err(_) => Err(SendError::transient(anyhow::anyhow!("SMTP send: not finished within {limit:?}"))),
        }
    }

    async fn send_now(&self, envelope: &Envelope, raw: &[u8]) -> Result<(), SendError> {
        let mut conn = self.checkout().await.map_err(SendError::transient)?;
        match self.transaction(&mut conn, envelope, raw).await {
            Ok(()) => {
                let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
                if idle.len() < MAX_IDLE {
                    idle.push((Instant::now(), conn));
                }
                Ok(())
            }
            Err(err) => {
                // A connection that failed mid-transaction is not reused; one that timed
                // out may not even answer QUIT.
                let _ = tokio::time::timeout(self.timeouts.command, conn.abort()).await;
                Err(err)
            }
        }
    }

    /// MAIL, RCPT, DATA and the message, each within the command timeout: lettre's
    /// `send` in steps, since its async connection has no deadlines of its own.
    async fn transaction(&self, conn: &mut AsyncSmtpConnection, envelope: &Envelope, raw: &[u8]) -> Result<(), SendError> {
        let limit = self.timeouts.command;
        let step = |err: anyhow::Error| {
            let permanent = err.downcast_ref::<lettre::transport::smtp::Error>().is_some_and(|e| e.is_permanent());
            SendError { permanent, error: err.context("SMTP send") }
        };
        let mut options = Vec::new();
        let non_ascii_address = envelope.from().is_some_and(|a| !AsRef::<str>::as_ref(a).is_ascii())
            || envelope.to().iter().any(|a| !AsRef::<str>::as_ref(a).is_ascii());
        if non_ascii_address {
            if !conn.server_info().supports_feature(Extension::SmtpUtfEight) {
                return Err(SendError::transient(anyhow::anyhow!("the SMTP server does not take non-ASCII addresses (SMTPUTF8)")));
            }
            options.push(MailParameter::SmtpUtfEight);
        }
        if !raw.is_ascii() {
            if !conn.server_info().supports_feature(Extension::EightBitMime) {
                return Err(SendError::transient(anyhow::anyhow!("the SMTP server does not take 8-bit mail (8BITMIME)")));
            }
            options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
        }
        within(limit, "MAIL FROM", conn.command(Mail::new(envelope.from().cloned(), options))).await.map_err(step)?;
        for to in envelope.to() {
            within(limit, "RCPT TO", conn.command(Rcpt::new(to.clone(), Vec::new()))).await.map_err(step)?;
        }
        within(limit, "DATA", conn.command(Data)).await.map_err(step)?;
        within(limit, "the end of the mail's data", conn.message(raw)).await.map_err(step)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_written_mail_files_are_removed_at_start_and_whole_ones_kept() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join(".0194-half.tmp"), "Return-Path: <").expect("half");
        std::fs::write(dir.path().join("0194-whole.eml"), "Return-Path: <a@b>\r\n\r\nhello").expect("whole");
        Transport::new(dir.path().to_path_buf(), None, SmtpTimeouts::default()).expect("transport");
        let mut names: Vec<String> =
            std::fs::read_dir(dir.path()).expect("dir").flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        assert_eq!(names, ["0194-whole.eml"]);
    }

    #[test]
    fn smtp_urls() {
        let p = SmtpPool::from_url("smtp://mailer:p%40ss@mail.example.org:2525?tls=starttls").expect("url");
        assert_eq!((p.host.as_str(), p.port, p.security), ("mail.example.org", 2525, Security::StartTls));
        let p = SmtpPool::from_url("smtp://127.0.0.1:1025").expect("url");
        assert_eq!((p.port, p.security, p.credentials.is_none()), (1025, Security::None, true));
        let p = SmtpPool::from_url("smtps://relay.example.org").expect("url");
        assert_eq!((p.port, p.security), (465, Security::Implicit));
        let p = SmtpPool::from_url("smtp://[::1]:2525").expect("url");
        assert_eq!((p.host.as_str(), p.port), ("::1", 2525));
        assert!(SmtpPool::from_url("http://x").is_err());
        assert!(SmtpPool::from_url("smtp://").is_err());
    }
}
