//! The SMTP listener (`MENTORPOST_SMTP_LISTEN`): the protocol is the `mailin` crate's
//! session state machine (well kept, no I/O of its own), the network loop is tokio,
//! STARTTLS is tokio-rustls when a certificate is configured.
//!
//! Only recipients in `MAIL_DOMAIN` are accepted (no relaying), and `postmaster`, which
//! RFC 5321 requires every server to take. A mail is answered with 250 only once the
//! pipeline has stored it; when storage fails the answer is 451, so the sending MTA
//! keeps the mail and tries again — nothing is lost.
//!
//! `MAIL FROM` and `RCPT TO` are read by [`envelope_command`] before mailin sees them:
//! mailin's parser knows neither the null reverse-path `<>` that every delivery report
//! uses, nor quoted local parts, nor ESMTP parameters other than `BODY`. mailin then
//! gets the same command with a stand-in path and keeps driving the session; the
//! handler takes the real path from [`Collector::pending`].

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
    /// The path of the `MAIL`/`RCPT` command being processed, as RFC 5321 reads it.
    pending: Arc<Mutex<Option<String>>>,
    max_bytes: usize,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
    too_large: bool,
    done: Arc<Mutex<Option<Completed>>>,
}

impl Handler for Collector {
    fn mail(&mut self, _ip: IpAddr, _domain: &str, from: &str) -> Response {
        self.from = self.take_pending().unwrap_or_else(|| from.to_owned());
        self.to.clear();
        response::OK
    }

    fn rcpt(&mut self, to: &str) -> Response {
        let to = self.take_pending().unwrap_or_else(|| to.to_owned());
        // RFC 5321 4.5.1: `postmaster` without a domain is the server's own.
        let to = if to.eq_ignore_ascii_case("postmaster") { format!("postmaster@{}", self.domain) } else { to };
        let ours = to.rsplit_once('@').is_some_and(|(_, d)| d.eq_ignore_ascii_case(&self.domain));
        if !ours {
            return Response::custom(550, "5.7.1 Relaying denied: not a mentorpost address".to_owned());
        }
        self.to.push(to);
        response::OK
    }

    fn data_start(&mut self, _domain: &str, _from: &str, _is8bit: bool, _to: &[String]) -> Response {
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

impl Collector {
    fn take_pending(&self) -> Option<String> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// A `MAIL FROM` or `RCPT TO` command as RFC 5321 (4.1.1.2, 4.1.2) reads it.
#[derive(Debug, PartialEq, Eq)]
struct EnvelopeCommand {
    mail: bool,
    /// The path without angle brackets and source route; empty for the null path.
    path: String,
    /// `BODY=8BITMIME` was among the parameters.
    eight_bit: bool,
}

/// Reads a `MAIL FROM:<path> [params]` or `RCPT TO:<path> [params]` line (CRLF or LF
/// at the end). `None` for any other line, or one that is not well formed (mailin then
/// answers it with its own syntax error).
fn envelope_command(line: &[u8]) -> Option<EnvelopeCommand> {
    let line = std::str::from_utf8(line).ok()?.trim_end_matches(['\r', '\n']);
    let upper = line.get(..10)?.to_ascii_uppercase();
    let (mail, rest) = if upper.starts_with("MAIL FROM:") {
        (true, &line[10..])
    } else if upper.starts_with("RCPT TO:") {
        (false, &line[8..])
    } else {
        return None;
    };
    // Some clients write a space after the colon; RFC 5321 does not, but it harms nothing.
    let rest = rest.trim_start_matches(' ').strip_prefix('<')?;
    let (path, params) = split_path(rest)?;
    if path.chars().any(|c| c.is_control()) || (path.is_empty() && !mail) {
        return None;
    }
    // A source route (`@relay1,@relay2:user@domain`) is obsolete; the mailbox is what counts.
    let path = match path.strip_prefix('@') {
        Some(routed) => routed.split_once(':')?.1.to_owned(),
        None => path,
    };
    let mut eight_bit = false;
    for param in params.split(' ').filter(|p| !p.is_empty()) {
        let (key, value) = param.split_once('=').unwrap_or((param, ""));
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return None;
        }
        eight_bit |= key.eq_ignore_ascii_case("BODY") && value.eq_ignore_ascii_case("8BITMIME");
    }
    Some(EnvelopeCommand { mail, path, eight_bit })
}

/// Splits `path>params` at the closing bracket, honouring quoted strings (a quoted
/// local part may hold spaces and `>`). The quotes stay: they are part of the address.
fn split_path(s: &str) -> Option<(String, &str)> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '>' if !quoted => {
                let params = &s[i + 1..];
                if !params.is_empty() && !params.starts_with(' ') {
                    return None;
                }
                return Some((s[..i].to_owned(), params));
            }
            _ => {}
        }
    }
    None
}

/// The command mailin is given instead: same verb, a stand-in path it can parse.
fn for_mailin(command: &EnvelopeCommand) -> Vec<u8> {
    match (command.mail, command.eight_bit) {
        (true, true) => b"MAIL FROM:<sender@envelope.invalid> BODY=8BITMIME\r\n".to_vec(),
        (true, false) => b"MAIL FROM:<sender@envelope.invalid>\r\n".to_vec(),
        (false, _) => b"RCPT TO:<recipient@envelope.invalid>\r\n".to_vec(),
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
    let pending = Arc::new(Mutex::new(None));
    let collector = Collector {
        domain: state.config.mail_domain.clone(),
        pending: pending.clone(),
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
    match talk(&state, &mut session, reader, &done, &pending).await? {
        Ended::Closed => Ok(()),
        Ended::Upgrade(reader) => {
            let Some(acceptor) = tls else { return Ok(()) };
            let stream = acceptor.accept(reader.into_inner()).await.context("TLS handshake")?;
            session.tls_active();
            // Whatever the client sent after STARTTLS, before the handshake, is dropped
            // with the plain reader (RFC 3207: no command injection).
            // A second STARTTLS inside TLS is refused by the session itself.
            talk(&state, &mut session, BufReader::new(stream), &done, &pending).await.map(|_| ())
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
    pending: &Arc<Mutex<Option<String>>>,
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
        let res = match envelope_command(&line) {
            Some(command) => {
                let stand_in = for_mailin(&command);
                *pending.lock().unwrap_or_else(|e| e.into_inner()) = Some(command.path);
                let res = session.process(&stand_in);
                // Refused before the handler ran (a command out of order): forget the path.
                pending.lock().unwrap_or_else(|e| e.into_inner()).take();
                res
            }
            None => session.process(&line),
        };
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
    // An empty envelope sender is the null reverse-path `<>`, and stays empty: it tells
    // the pipeline the mail is automatic.
    let delivery = Delivery { raw: mail.data, via: Via::Smtp, envelope_from: Some(mail.from), envelope_to: mail.to };
    match receive(state, delivery).await {
        Ok(receipt) => format!("250 2.0.0 Ok: {}\r\n", receipt.outcome).into_bytes(),
        Err(err) => {
            tracing::error!(error = %err, "storing a received mail failed; the sender will retry");
            b"451 4.3.0 Temporary failure, please try again later\r\n".to_vec()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(mail: bool, path: &str, eight_bit: bool) -> Option<EnvelopeCommand> {
        Some(EnvelopeCommand { mail, path: path.to_owned(), eight_bit })
    }

    #[test]
    fn envelope_paths_as_rfc_5321_writes_them() {
        assert_eq!(envelope_command(b"MAIL FROM:<>\r\n"), cmd(true, "", false));
        assert_eq!(envelope_command(b"mail from:<> BODY=8BITMIME SIZE=2048\r\n"), cmd(true, "", true));
        assert_eq!(envelope_command(b"MAIL FROM:<> RET=HDRS ENVID=QQ314159\r\n"), cmd(true, "", false));
        assert_eq!(envelope_command(b"MAIL FROM: <jan@example.nl>\n"), cmd(true, "jan@example.nl", false));
        assert_eq!(envelope_command(b"MAIL FROM:<\"jan de vries\"@example.nl>\r\n"), cmd(true, "\"jan de vries\"@example.nl", false));
        assert_eq!(envelope_command(b"MAIL FROM:<\"a>b\\\"c\"@example.nl> SMTPUTF8\r\n"), cmd(true, "\"a>b\\\"c\"@example.nl", false));
        assert_eq!(envelope_command(b"MAIL FROM:<@relay.example,@b.example:jan@example.nl>\r\n"), cmd(true, "jan@example.nl", false));
        assert_eq!(envelope_command(b"RCPT TO:<postmaster>\r\n"), cmd(false, "postmaster", false));
        assert_eq!(
            envelope_command(b"RCPT TO:<reply+abc@mail.example.org> NOTIFY=NEVER\r\n"),
            cmd(false, "reply+abc@mail.example.org", false)
        );
        assert_eq!(envelope_command("MAIL FROM:<zoë@example.nl>\r\n".as_bytes()), cmd(true, "zoë@example.nl", false));
        // Not these: mailin answers them with its own syntax error.
        assert_eq!(envelope_command(b"RCPT TO:<>\r\n"), None);
        assert_eq!(envelope_command(b"MAIL FROM:<a@b.nl\r\n"), None);
        assert_eq!(envelope_command(b"MAIL FROM:<a@b.nl>SIZE=1\r\n"), None);
        assert_eq!(envelope_command(b"MAIL FROM:jan@example.nl\r\n"), None);
        assert_eq!(envelope_command(b"MAIL FROM:<\"open@example.nl>\r\n"), None);
        assert_eq!(envelope_command(b"DATA\r\n"), None);
        assert_eq!(envelope_command(b"MAIL\r\n"), None);
    }
}
