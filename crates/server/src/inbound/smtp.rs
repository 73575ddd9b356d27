//! The SMTP listener (`MENTORPOST_SMTP_LISTEN`): the protocol is the `mailin` crate's
//! session state machine (well kept, no I/O of its own), the network loop is tokio,
//! STARTTLS is tokio-rustls when a certificate is configured.
//!
//! Only recipients in `MAIL_DOMAIN` are accepted (no relaying). A mail is answered
//! with 250 only once the pipeline has stored it; when storage fails the answer is
//! 451, so the sending MTA keeps the mail and tries again — nothing is lost.

use super::{Delivery, Via, receive};
use crate::state::AppState;
use anyhow::Context;
use mailin::{Action, Handler, Response, SessionBuilder, response};
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Longest command or data line accepted (RFC 5321 allows 1000; some clients send
/// longer lines in bodies). Longer lines end the connection.
const MAX_LINE: u64 = 64 * 1024;
/// A client that says nothing for this long is disconnected.
const IDLE: Duration = Duration::from_secs(300);

/// TLS for STARTTLS, from PEM files.
pub fn tls_acceptor(cert: &Path, key: &Path) -> anyhow::Result<tokio_rustls::TlsAcceptor> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(cert)
        .with_context(|| format!("reading {}", cert.display()))?
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("parsing {}", cert.display()))?;
    let key = PrivateKeyDer::from_pem_file(key).with_context(|| format!("reading {}", key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("TLS versions")?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .context("the SMTP certificate and key do not match")?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

/// Accepts connections until `shutdown`; each runs in `tasks`.
pub async fn serve(state: AppState, listener: TcpListener, tls: Option<tokio_rustls::TlsAcceptor>, shutdown: CancellationToken) {
    let tasks = TaskTracker::new();
    tracing::debug!(starttls = tls.is_some(), "SMTP listener accepting");
    loop {
        let accepted = tokio::select! {
            _ = shutdown.cancelled() => break,
            a = listener.accept() => a,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(err) => {
                tracing::warn!(error = %err, "SMTP accept failed");
                continue;
            }
        };
        let (state, tls, stop) = (state.clone(), tls.clone(), shutdown.clone());
        tasks.spawn(async move {
            tokio::select! {
                _ = stop.cancelled() => {}
                result = connection(state, stream, peer, tls) => {
                    if let Err(err) = result {
                        tracing::debug!(%peer, error = %err, "SMTP connection ended");
                    }
                }
            }
        });
    }
    tasks.close();
    tasks.wait().await;
}

/// A finished DATA phase, handed from the protocol handler to the network loop.
struct Completed {
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
    too_large: bool,
}

struct Collector {
    domain: String,
    max_bytes: usize,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
    too_large: bool,
    done: Arc<Mutex<Option<Completed>>>,
}

impl Handler for Collector {
    fn mail(&mut self, _ip: IpAddr, _domain: &str, from: &str) -> Response {
        self.from = from.to_owned();
        response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        let ours = to.rsplit_once('@').is_some_and(|(_, d)| d.trim_end_matches('>').eq_ignore_ascii_case(&self.domain));
        if ours { response::OK } else { Response::custom(550, "5.7.1 Relaying denied: not a mentorpost address".to_owned()) }
    }

    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.from = from.to_owned();
        self.to = to.to_vec();
        self.data.clear();
        self.too_large = false;
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if self.data.len() + buf.len() > self.max_bytes {
            // Keep reading to the end of DATA, but stop storing: the answer is 552.
            self.too_large = true;
        } else {
            self.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let completed = Completed {
            from: std::mem::take(&mut self.from),
            to: std::mem::take(&mut self.to),
            data: std::mem::take(&mut self.data),
            too_large: self.too_large,
        };
        *self.done.lock().unwrap_or_else(|e| e.into_inner()) = Some(completed);
        // Replaced by the network loop with the pipeline's answer.
        response::OK
    }
}

enum Ended<S> {
    Closed,
    Upgrade(BufReader<S>),
}

async fn connection(
    state: AppState,
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    tls: Option<tokio_rustls::TlsAcceptor>,
) -> anyhow::Result<()> {
    let mut builder = SessionBuilder::new(state.config.mail_domain.clone());
    if tls.is_some() {
        builder.enable_start_tls();
    }
    let done = Arc::new(Mutex::new(None));
    let collector = Collector {
        domain: state.config.mail_domain.clone(),
        max_bytes: state.config.inbound.max_bytes,
        from: String::new(),
        to: Vec::new(),
        data: Vec::new(),
        too_large: false,
        done: done.clone(),
    };
    let mut session = builder.build(peer.ip(), collector);
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(stream);
    reader.get_mut().write_all(&session.greeting().buffer()?).await?;
    match talk(&state, &mut session, reader, &done).await? {
        Ended::Closed => Ok(()),
        Ended::Upgrade(reader) => {
            let Some(acceptor) = tls else { return Ok(()) };
            let stream = acceptor.accept(reader.into_inner()).await.context("TLS handshake")?;
            session.tls_active();
            // Whatever the client sent after STARTTLS, before the handshake, is dropped
            // with the plain reader (RFC 3207: no command injection).
            // A second STARTTLS inside TLS is refused by the session itself.
            talk(&state, &mut session, BufReader::new(stream), &done).await.map(|_| ())
        }
    }
}

/// The TCP connection under a stream (plain, or inside TLS).
trait OverTcp {
    fn tcp(&self) -> &tokio::net::TcpStream;
}

impl OverTcp for tokio::net::TcpStream {
    fn tcp(&self) -> &tokio::net::TcpStream {
        self
    }
}

impl OverTcp for tokio_rustls::server::TlsStream<tokio::net::TcpStream> {
    fn tcp(&self) -> &tokio::net::TcpStream {
        self.get_ref().0
    }
}

async fn talk<S: AsyncRead + AsyncWrite + Unpin + OverTcp>(
    state: &AppState,
    session: &mut mailin::Session<Collector>,
    mut reader: BufReader<S>,
    done: &Arc<Mutex<Option<Completed>>>,
) -> anyhow::Result<Ended<S>> {
    let mut line = Vec::with_capacity(1024);
    loop {
        line.clear();
        let read = tokio::time::timeout(IDLE, (&mut reader).take(MAX_LINE).read_until(b'\n', &mut line)).await;
        match read {
            Err(_) => {
                reader.get_mut().write_all(b"421 4.4.2 Idle too long, closing\r\n").await?;
                return Ok(Ended::Closed);
            }
            Ok(Err(err)) => return Err(err.into()),
            Ok(Ok(0)) => return Ok(Ended::Closed),
            Ok(Ok(_)) => {}
        }
        // Acknowledge at once: a client that writes the end of DATA (".") as its own
        // small packet would otherwise wait for our delayed ACK (Nagle), ~40 ms a mail.
        quick_ack(reader.get_ref().tcp());
        if !line.ends_with(b"\n") {
            reader.get_mut().write_all(b"500 5.5.2 Line too long\r\n").await?;
            return Ok(Ended::Closed);
        }
        let res = session.process(&line);
        let completed = done.lock().unwrap_or_else(|e| e.into_inner()).take();
        let bytes = match completed {
            Some(mail) => answer(state, mail).await,
            None => match res.action {
                Action::NoReply => continue,
                _ => res.buffer()?,
            },
        };
        reader.get_mut().write_all(&bytes).await?;
        match res.action {
            Action::Close => return Ok(Ended::Closed),
            Action::UpgradeTls => {
                reader.get_mut().flush().await?;
                return Ok(Ended::Upgrade(reader));
            }
            _ => {}
        }
    }
}

#[cfg(target_os = "linux")]
fn quick_ack(stream: &tokio::net::TcpStream) {
    let _ = socket2::SockRef::from(stream).set_tcp_quickack(true);
}

#[cfg(not(target_os = "linux"))]
fn quick_ack(_stream: &tokio::net::TcpStream) {}

/// The reply to a finished DATA: 250 once stored, 552 when too large, 451 when the
/// pipeline could not store it (the sender retries later).
async fn answer(state: &AppState, mail: Completed) -> Vec<u8> {
    if mail.too_large {
        return b"552 5.3.4 Message too big for mentorpost\r\n".to_vec();
    }
    let delivery =
        Delivery { raw: mail.data, via: Via::Smtp, envelope_from: Some(mail.from).filter(|f| !f.is_empty()), envelope_to: mail.to };
    match receive(state, delivery).await {
        Ok(receipt) => format!("250 2.0.0 Ok: {}\r\n", receipt.outcome).into_bytes(),
        Err(err) => {
            tracing::error!(error = %err, "storing a received mail failed; the sender will retry");
            b"451 4.3.0 Temporary failure, please try again later\r\n".to_vec()
        }
    }
}
