//! A tiny HTTP/1.1 receiver on a free loopback port, for tests of what the
//! platform sends out (the notification webhook): it keeps every request's
//! headers (lower-cased names) and body and answers `200` (or `503` to the
//! first few, for tests of retries).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One request received.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    /// The value of header `name` (lower case), empty if absent.
    pub fn header(&self, name: &str) -> String {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
    }
}

/// The receiver's address and what it got so far.
#[derive(Debug, Clone)]
pub struct HttpSink {
    pub url: String,
    pub got: Arc<Mutex<Vec<Received>>>,
}

/// What the sink answers: `503` while `refuse` is above zero (counting down), else `200`.
#[derive(Debug, Default)]
struct Answers {
    refuse: AtomicUsize,
}

impl HttpSink {
    /// Start one (it runs until the test's runtime ends), at `<addr>/hook`.
    pub async fn start() -> HttpSink {
        HttpSink::start_failing(0).await
    }

    /// One that answers `503` to its first `failures` requests (keeping them
    /// too), then `200`.
    pub async fn start_failing(failures: usize) -> HttpSink {
        let answers = Arc::new(Answers { refuse: AtomicUsize::new(failures) });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
        let got: Arc<Mutex<Vec<Received>>> = Arc::default();
        let keep = got.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                tokio::spawn(serve_one(sock, keep.clone(), answers.clone()));
            }
        });
        HttpSink { url, got }
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().expect("lock").clone()
    }
}

async fn serve_one(mut sock: tokio::net::TcpStream, keep: Arc<Mutex<Vec<Received>>>, answers: Arc<Answers>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = sock.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
        let head = String::from_utf8_lossy(&buf[..end]).to_string();
        let headers: Vec<(String, String)> = head
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        let length: usize =
            headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
        if buf.len() < end + 4 + length {
            continue;
        }
        let body = buf[end + 4..end + 4 + length].to_vec();
        keep.lock().expect("lock").push(Received { headers, body });
        let refused = answers.refuse.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
        let status: &[u8] = if refused { b"503 Service Unavailable" } else { b"200 OK" };
        let answer = [b"HTTP/1.1 ".as_slice(), status, b"\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"].concat();
        let _ = sock.write_all(&answer).await;
        return;
    }
}
