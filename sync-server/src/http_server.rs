//! The HTTP accept loop. `axum::serve` has no header-read timeout (hyper has one, but it
//! needs a timer axum does not give it), so a client that opens connections and sends half
//! a request header holds each socket forever: ~1,000 of them use up a common open-file
//! limit and lock everyone out (slowloris). Here every connection is served by hyper's
//! HTTP/1 server with a timer, so a request head must arrive within the configured time,
//! counted from when the server starts waiting for it (on a new connection and between
//! keep-alive requests alike). WebSocket upgrades and graceful shutdown work as with
//! `axum::serve`.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt;

/// Longest pause between accept attempts while accepting fails (too many open files).
const MAX_ACCEPT_BACKOFF: Duration = Duration::from_secs(1);

/// Serves `router` on `listener` until `signal` resolves, then stops accepting, lets every
/// connection finish the request it is on (idle ones close at once) and returns when all
/// have closed. Upgraded connections (WebSockets) are no longer HTTP connections: their
/// owner tracks them.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_timeout: Duration,
    signal: impl Future<Output = ()> + Send,
) {
    let mut signal = pin!(signal);
    // Connection tasks hold a receiver each: `closed()` on the sender resolves once all are gone.
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut backoff = AcceptBackoff::default();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut signal => break,
        };
        let (tcp, remote) = match accepted {
            Ok(conn) => conn,
            Err(e) => {
                let pause = backoff.failed(&e);
                tokio::select! {
                    () = tokio::time::sleep(pause) => continue,
                    () = &mut signal => break,
                }
            }
        };
        backoff.succeeded();
        // Sync messages are small and latency-bound: without TCP_NODELAY, Nagle's algorithm
        // meets the peer's delayed ACK and holds a reply back ~40 ms.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
        tokio::spawn(serve_connection(tcp, remote, router.clone(), header_timeout, stop_rx.clone()));
    }
    drop(listener);
    let _ = stop_tx.send(true);
    drop(stop_rx);
    stop_tx.closed().await;
}

async fn serve_connection(
    tcp: tokio::net::TcpStream,
    remote: SocketAddr,
    router: Router,
    header_timeout: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        // What `into_make_service_with_connect_info` would insert (login limits read it).
        req.extensions_mut().insert(ConnectInfo(remote));
        let router = router.clone();
        async move { Ok::<_, Infallible>(router.oneshot(req).await.unwrap_or_else(|never| match never {})) }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(header_timeout);
    let mut conn = pin!(builder.serve_connection(TokioIo::new(tcp), service).with_upgrades());
    let result = tokio::select! {
        result = conn.as_mut() => result,
        () = async { drop(stop.wait_for(|stopping| *stopping).await) } => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    if let Err(e) = result {
        // Timeouts, resets and malformed requests: the client's doing, not ours.
        tracing::debug!(error = %e, "HTTP connection ended with an error");
    }
}

/// Accept errors come in two kinds: a connection that died before we took it (skip it) and
/// the process being out of file descriptors or memory (EMFILE, ENFILE, ENOBUFS). The second
/// repeats until some connection closes, so retrying at once would spin a core; pausing
/// with a doubling back-off lets the header timeout free sockets while the loop stays alive.
/// One warning per episode, not one per attempt.
#[derive(Default)]
struct AcceptBackoff {
    pause: Option<Duration>,
    failures: u64,
}

impl AcceptBackoff {
    fn failed(&mut self, e: &std::io::Error) -> Duration {
        use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
        if matches!(e.kind(), ConnectionAborted | ConnectionRefused | ConnectionReset) {
            return Duration::ZERO;
        }
        self.failures += 1;
        let pause = match self.pause {
            None => {
                tracing::error!(error = %e, "cannot accept connections; retrying with back-off (raise the open-file limit?)");
                Duration::from_millis(10)
            }
            Some(p) => (p * 2).min(MAX_ACCEPT_BACKOFF),
        };
        self.pause = Some(pause);
        pause
    }

    fn succeeded(&mut self) {
        if self.pause.take().is_some() {
            tracing::warn!(failed_attempts = self.failures, "accepting connections again");
            self.failures = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_files_backs_off_up_to_a_second_and_resets() {
        let mut b = AcceptBackoff::default();
        let emfile = std::io::Error::from_raw_os_error(24);
        let pauses: Vec<_> = (0..10).map(|_| b.failed(&emfile)).collect();
        assert_eq!(pauses[0], Duration::from_millis(10));
        assert!(pauses.windows(2).all(|w| w[1] >= w[0]));
        assert_eq!(pauses[9], MAX_ACCEPT_BACKOFF);
        b.succeeded();
        assert_eq!(b.failed(&emfile), Duration::from_millis(10));
        let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert_eq!(b.failed(&reset), Duration::ZERO, "a dead connection is skipped at once");
    }
}
