//! Draining before a stop: once told to stop, the server keeps serving for a while
//! (`Config::drain`) so requests already written on idle keep-alive connections are
//! answered instead of reset. Meanwhile `/readyz` answers 503 (load balancers stop
//! sending new work) and every response carries `Connection: close` (clients open
//! their next connection elsewhere). The drain ends early once no connection is open.

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::serve::Listener;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// Counts the open connections of a [`CountingListener`] (HTTP and upgraded WebSocket
/// ones alike: an upgraded connection keeps the accepted stream).
#[derive(Clone)]
pub struct OpenConnections(std::sync::Arc<watch::Sender<usize>>);

impl Default for OpenConnections {
    fn default() -> Self {
        OpenConnections(std::sync::Arc::new(watch::Sender::new(0)))
    }
}

impl OpenConnections {
    pub fn count(&self) -> usize {
        *self.0.borrow()
    }

    /// Resolves once no connection is open.
    pub async fn all_closed(&self) {
        let mut open = self.0.subscribe();
        let _ = open.wait_for(|n| *n == 0).await;
    }
}

/// A TCP listener whose accepted streams are counted while they live.
pub struct CountingListener {
    inner: TcpListener,
    open: OpenConnections,
}

impl CountingListener {
    pub fn new(inner: TcpListener, open: OpenConnections) -> CountingListener {
        CountingListener { inner, open }
    }
}

impl Listener for CountingListener {
    type Io = CountedStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        // axum's accept retries and logs failures (too many open files…) itself.
        let (stream, addr) = Listener::accept(&mut self.inner).await;
        self.open.0.send_modify(|n| *n += 1);
        (CountedStream { stream, open: self.open.clone() }, addr)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// An accepted stream that counts as open until dropped.
pub struct CountedStream {
    stream: TcpStream,
    open: OpenConnections,
}

impl Drop for CountedStream {
    fn drop(&mut self) {
        self.open.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

impl AsyncRead for CountedStream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for CountedStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[io::IoSlice<'_>]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// While draining, every response but a protocol switch asks the client to close the
/// connection; hyper then closes it after the response, so a keep-alive client moves
/// to another instance for its next request.
pub async fn close_connections_while_draining(State(state): State<crate::state::AppState>, mut response: Response) -> Response {
    if state.draining.is_cancelled() && response.status() != StatusCode::SWITCHING_PROTOCOLS {
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}
