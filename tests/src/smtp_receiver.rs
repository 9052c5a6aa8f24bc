//! A tiny SMTP server for tests on 127.0.0.1:0 (RFC 5321, no TLS, no AUTH): it speaks the
//! dialogue lettre needs (EHLO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT),
//! keeps every message it accepts, and can be told to refuse recipients with a 550 (a
//! permanent failure) or to answer 451 (a temporary one).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// Longest message accepted (the server's emails are a few KB).
const MAX_MESSAGE: usize = 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpBehavior {
    Accept,
    /// `550 no such user` at RCPT: permanent.
    RejectRecipient,
    /// `451 try again later` at RCPT: temporary.
    Busy,
}

/// One accepted message: the envelope and the raw RFC 5322 text.
#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub raw: Vec<u8>,
}

struct Inner {
    received: Mutex<Vec<Received>>,
    behavior: Mutex<SmtpBehavior>,
    changed: Notify,
}

#[derive(Clone)]
pub struct SmtpReceiver {
    inner: Arc<Inner>,
    port: u16,
}

impl SmtpReceiver {
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let inner = Arc::new(Inner {
            received: Mutex::new(Vec::new()),
            behavior: Mutex::new(SmtpBehavior::Accept),
            changed: Notify::new(),
        });
        let serving = inner.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let inner = serving.clone();
                tokio::spawn(async move {
                    let _ = session(socket, inner).await;
                });
            }
        });
        Ok(SmtpReceiver { inner, port })
    }

    /// `KITH_SMTP_URL` for this receiver (plain SMTP on loopback).
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn set_behavior(&self, b: SmtpBehavior) {
        *self.inner.behavior.lock().unwrap_or_else(|p| p.into_inner()) = b;
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.received.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Waits (up to `timeout`) until at least `n` messages have arrived.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.inner.changed.notified();
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.received();
            }
        }
    }
}

async fn session(socket: tokio::net::TcpStream, inner: Arc<Inner>) -> std::io::Result<()> {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 kith-test ESMTP ready\r\n").await?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_owned();
        let upper = cmd.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-kith-test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
        } else if upper.starts_with("HELO") {
            b"250 kith-test\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            from = addr(&cmd["MAIL FROM:".len()..]);
            to.clear();
            b"250 OK\r\n"
        } else if upper.starts_with("RCPT TO:") {
            match *inner.behavior.lock().unwrap_or_else(|p| p.into_inner()) {
                SmtpBehavior::Accept => {
                    to.push(addr(&cmd["RCPT TO:".len()..]));
                    b"250 OK\r\n"
                }
                SmtpBehavior::RejectRecipient => b"550 5.1.1 no such user here\r\n",
                SmtpBehavior::Busy => b"451 4.3.0 try again later\r\n",
            }
        } else if upper == "DATA" {
            write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
            let mut raw = Vec::new();
            loop {
                let mut l = Vec::new();
                if lines.read_until(b'\n', &mut l).await? == 0 {
                    return Ok(());
                }
                if l == b".\r\n" || l == b".\n" {
                    break;
                }
                // Dot-unstuffing (RFC 5321 §4.5.2).
                let l = if l.starts_with(b"..") { &l[1..] } else { &l[..] };
                if raw.len() + l.len() > MAX_MESSAGE {
                    write.write_all(b"552 too big\r\n").await?;
                    return Ok(());
                }
                raw.extend_from_slice(l);
            }
            inner.received.lock().unwrap_or_else(|p| p.into_inner()).push(Received {
                from: from.clone(),
                to: std::mem::take(&mut to),
                raw,
            });
            inner.changed.notify_waiters();
            b"250 2.0.0 queued as kith-test\r\n"
        } else if upper == "RSET" || upper == "NOOP" {
            b"250 OK\r\n"
        } else if upper == "QUIT" {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"502 not implemented\r\n"
        };
        write.write_all(reply).await?;
    }
}

fn addr(s: &str) -> String {
    let s = s.trim();
    let inner = s.split('>').next().unwrap_or(s);
    inner.trim_start_matches('<').to_owned()
}
