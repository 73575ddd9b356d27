//! Where mail goes: complete `.eml` files under the data dir (the default, so a fresh
//! install needs nothing), or an SMTP server (`MENTORPOST_SMTP_URL`).
//!
//! For SMTP the connections are our own small pool built on lettre's
//! `AsyncSmtpConnection` over a TCP stream with `TCP_NODELAY`: lettre's own transport
//! leaves Nagle's algorithm on and writes the body and the end-of-data marker
//! separately, which stalls every mail by ~40 ms (delayed ACK) and caps one
//! connection at ~25 mails/s.

use anyhow::{Context, bail};
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncFileTransport, AsyncTransport, Tokio1Executor};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Connections kept open between sends.
const MAX_IDLE: usize = 8;

#[derive(Clone)]
pub enum Transport {
    Files(AsyncFileTransport<Tokio1Executor>),
    Smtp(Arc<SmtpPool>),
}

impl Transport {
    /// Files under `dir`, or SMTP when `smtp_url` is set.
    pub fn new(dir: PathBuf, smtp_url: Option<&str>) -> anyhow::Result<Transport> {
        match smtp_url {
            Some(url) => Ok(Transport::Smtp(Arc::new(SmtpPool::from_url(url)?))),
            None => {
                std::fs::create_dir_all(&dir).with_context(|| format!("creating mail dir {}", dir.display()))?;
                Ok(Transport::Files(AsyncFileTransport::new(dir)))
            }
        }
    }

    /// Hands one complete mail to the transport.
    pub async fn send(&self, envelope: &Envelope, raw: &[u8]) -> Result<(), SendError> {
        match self {
            Transport::Files(files) => {
                files.send_raw(envelope, raw).await.context("writing the mail file").map_err(SendError::transient)?;
                Ok(())
            }
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
    /// Open connections and when each was last used.
    idle: Mutex<Vec<(Instant, AsyncSmtpConnection)>>,
}

/// A connection idle for longer than this is checked with `NOOP` before reuse; a
/// fresher one is used as it is (servers close idle sessions after minutes).
const FRESH: Duration = Duration::from_secs(5);
/// Connect, greeting and TLS handshake together.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

impl SmtpPool {
    /// `smtp://[user:pass@]host[:port][?tls=starttls]` (port 587 by default) or
    /// `smtps://[user:pass@]host[:port]` (implicit TLS, port 465). User and password
    /// are percent-decoded.
    pub fn from_url(raw: &str) -> anyhow::Result<SmtpPool> {
        let url = url::Url::parse(raw).context("MENTORPOST_SMTP_URL is not a URL")?;
        let host = url.host_str().filter(|h| !h.is_empty()).context("the SMTP URL has no host")?;
        let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
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
            idle: Mutex::new(Vec::new()),
        })
    }

    async fn connect(&self) -> anyhow::Result<AsyncSmtpConnection> {
        let tls = || TlsParameters::new(self.host.clone()).context("TLS parameters");
        let mut conn = match self.security {
            // lettre opens the socket itself here, so Nagle stays on for implicit TLS.
            Security::Implicit => {
                AsyncSmtpConnection::connect_tokio1((self.host.as_str(), self.port), Some(CONNECT_TIMEOUT), &self.hello, Some(tls()?), None)
                    .await
                    .context("connecting to the SMTP server")?
            }
            Security::None | Security::StartTls => {
                let stream = tokio::time::timeout(CONNECT_TIMEOUT, tokio::net::TcpStream::connect((self.host.as_str(), self.port)))
                    .await
                    .context("connecting to the SMTP server timed out")?
                    .with_context(|| format!("connecting to the SMTP server {}:{}", self.host, self.port))?;
                stream.set_nodelay(true).context("setting TCP_NODELAY")?;
                tokio::time::timeout(CONNECT_TIMEOUT, AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello))
                    .await
                    .context("the SMTP greeting timed out")?
                    .context("SMTP greeting")?
            }
        };
        if self.security == Security::StartTls {
            conn.starttls(tls()?, &self.hello).await.context("STARTTLS")?;
        }
        if let Some(creds) = &self.credentials {
            conn.auth(&[Mechanism::Plain, Mechanism::Login], creds).await.context("SMTP authentication")?;
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
            if since.elapsed() < FRESH || conn.test_connected().await {
                return Ok(conn);
            }
        }
    }

    pub async fn send(&self, envelope: &Envelope, raw: &[u8]) -> Result<(), SendError> {
        let mut conn = self.checkout().await.map_err(SendError::transient)?;
        match conn.send(envelope, raw).await {
            Ok(_) => {
                let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
                if idle.len() < MAX_IDLE {
                    idle.push((Instant::now(), conn));
                }
                Ok(())
            }
            Err(err) => {
                let permanent = err.is_permanent();
                // A connection that failed mid-transaction is not reused.
                conn.abort().await;
                Err(SendError { permanent, error: anyhow::Error::new(err).context("SMTP send") })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls() {
        let p = SmtpPool::from_url("smtp://mailer:p%40ss@mail.example.org:2525?tls=starttls").expect("url");
        assert_eq!((p.host.as_str(), p.port, p.security), ("mail.example.org", 2525, Security::StartTls));
        let p = SmtpPool::from_url("smtp://127.0.0.1:1025").expect("url");
        assert_eq!((p.port, p.security, p.credentials.is_none()), (1025, Security::None, true));
        let p = SmtpPool::from_url("smtps://relay.example.org").expect("url");
        assert_eq!((p.port, p.security), (465, Security::Implicit));
        assert!(SmtpPool::from_url("http://x").is_err());
        assert!(SmtpPool::from_url("smtp://").is_err());
    }
}
