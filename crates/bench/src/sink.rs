//! A discard-only SMTP server on loopback (the `mailin` state machine): it accepts
//! every mail, keeps nothing but a count, and acknowledges at once (`TCP_QUICKACK`),
//! so a client's small last write of DATA does not wait for a delayed ACK.

use anyhow::Context;
use mailin::{Action, Handler, Response, SessionBuilder, response};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

#[derive(Clone)]
pub struct Sink {
    pub addr: SocketAddr,
    received: Arc<AtomicU64>,
}

impl Sink {
    /// Mails accepted so far.
    pub fn received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }
}

struct Counter(Arc<AtomicU64>);

impl Handler for Counter {
    fn data_end(&mut self) -> Response {
        self.0.fetch_add(1, Ordering::Relaxed);
        response::OK
    }
}

pub async fn start() -> anyhow::Result<Sink> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let received = Arc::new(AtomicU64::new(0));
    let counter = received.clone();
    tokio::spawn(async move {
        while let Ok((stream, peer)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let _ = stream.set_nodelay(true);
                let (read, mut write) = stream.into_split();
                let mut read = BufReader::new(read);
                let mut session = SessionBuilder::new("sink.localhost").build(peer.ip(), Counter(counter));
                let Ok(greeting) = session.greeting().buffer() else { return };
                if write.write_all(&greeting).await.is_err() {
                    return;
                }
                let mut line = Vec::with_capacity(1024);
                loop {
                    line.clear();
                    match read.read_until(b'\n', &mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let _ = socket2::SockRef::from(read.get_ref().as_ref()).set_tcp_quickack(true);
                    let res = session.process(&line);
                    if res.action == Action::NoReply {
                        continue;
                    }
                    let Ok(bytes) = res.buffer() else { return };
                    if write.write_all(&bytes).await.is_err() || res.action == Action::Close {
                        return;
                    }
                }
            });
        }
    });
    Ok(Sink { addr, received })
}

/// The sink on a thread and runtime of its own, so that it does not share the load
/// generator's (its CPU still counts as the bench process's). It runs until the
/// process ends.
pub fn start_on_thread() -> anyhow::Result<Sink> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("smtp-sink".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime,
                Err(err) => {
                    let _ = tx.send(Err(anyhow::Error::from(err)));
                    return;
                }
            };
            runtime.block_on(async move {
                match start().await {
                    Ok(sink) => {
                        let _ = tx.send(Ok(sink));
                        std::future::pending::<()>().await;
                    }
                    Err(err) => {
                        let _ = tx.send(Err(err));
                    }
                }
            });
        })
        .context("starting the SMTP sink thread")?;
    rx.recv().context("the SMTP sink thread ended")?
}
