//! `mentorpost probe`: the container's health check. The runtime image carries the
//! binary and nothing else (no curl), so the binary asks itself. One HTTP/1.0 request
//! over loopback and its status line is all a health check needs; a full HTTP client
//! in the server binary for that would be weight without use.

use anyhow::{Context, bail};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Docker's default health-check timeout is 30 s; answer well before it.
const TIMEOUT: Duration = Duration::from_secs(3);

/// Ok when the server listening on `listen` answers `GET path` with a 2xx status.
pub async fn ready(listen: SocketAddr, path: &str) -> anyhow::Result<()> {
    let addr = reachable(listen);
    let status = tokio::time::timeout(TIMEOUT, status_of(addr, path))
        .await
        .with_context(|| format!("no answer from {addr} within {} s", TIMEOUT.as_secs()))??;
    if !(200..300).contains(&status) {
        bail!("{addr}{path} answered {status}");
    }
    println!("ready: {addr}{path} answered {status}");
    Ok(())
}

/// A listener on every interface is reached through loopback.
fn reachable(mut listen: SocketAddr) -> SocketAddr {
    if listen.ip().is_unspecified() {
        listen.set_ip(if listen.is_ipv4() { Ipv4Addr::LOCALHOST.into() } else { Ipv6Addr::LOCALHOST.into() });
    }
    listen
}

async fn status_of(addr: SocketAddr, path: &str) -> anyhow::Result<u16> {
    let mut stream = tokio::net::TcpStream::connect(addr).await.with_context(|| format!("connecting to {addr}"))?;
    stream
        .write_all(format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .context("sending the request")?;
    // The status line fits in the first bytes; the body does not matter.
    let mut head = [0u8; 64];
    let mut len = 0;
    while len < 12 {
        let n = stream.read(&mut head[len..]).await.context("reading the answer")?;
        if n == 0 {
            break;
        }
        len += n;
    }
    parse_status(&head[..len]).with_context(|| format!("{addr} did not answer HTTP: {:?}", String::from_utf8_lossy(&head[..len])))
}

/// The status code of an HTTP/1.x status line.
fn parse_status(head: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(head.get(..12)?).ok()?;
    let rest = text.strip_prefix("HTTP/1.")?;
    rest.get(2..5)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_status_of_a_status_line() {
        assert_eq!(parse_status(b"HTTP/1.1 200 OK\r\n"), Some(200));
        assert_eq!(parse_status(b"HTTP/1.0 503 Service Unavailable"), Some(503));
        assert_eq!(parse_status(b"SSH-2.0-OpenSSH"), None);
        assert_eq!(parse_status(b"HTTP/1.1 2"), None);
    }

    #[test]
    fn a_listener_on_every_interface_is_asked_over_loopback() {
        let addr = |s: &str| s.parse::<SocketAddr>().expect("an address");
        assert_eq!(reachable(addr("0.0.0.0:8080")), addr("127.0.0.1:8080"));
        assert_eq!(reachable(addr("[::]:9")), addr("[::1]:9"));
        assert_eq!(reachable(addr("10.1.2.3:80")), addr("10.1.2.3:80"));
    }
}
