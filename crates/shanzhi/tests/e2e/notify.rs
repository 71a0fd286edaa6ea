//! A server killed between a matter event and the delivery of the
//! notifications it caused: the next server delivers each, exactly once, to a
//! real local webhook receiver (the outbox row was written with the event).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use shanzhi_testkit::test_db;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::{Server, heavy};

const PASSWORD: &str = "Shanzhi-Demo-2026";

/// Deliveries received, by idempotency key.
type Seen = Arc<Mutex<HashMap<String, usize>>>;

/// A webhook receiver on a free port: counts each idempotency key, answers 200.
async fn receiver() -> (String, Seen) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    let seen: Seen = Arc::default();
    let keep = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let keep = keep.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let n = sock.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
                    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                    let length: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    if buf.len() < end + 4 + length {
                        continue;
                    }
                    if let Some(key) = head.lines().find_map(|l| l.strip_prefix("idempotency-key:")) {
                        *keep.lock().expect("lock").entry(key.trim().to_owned()).or_default() += 1;
                    }
                    let _ = sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").await;
                    return;
                }
            });
        }
    });
    (url, seen)
}

fn start(cwd: &std::path::Path, db_args: &[String], hook: &str, interval_secs: u64) -> Server {
    let mut cmd = Server::command(cwd, &["--demo"], db_args);
    cmd.env("SHANZHI_NOTIFY_WEBHOOK_URL", hook)
        .env("SHANZHI_NOTIFY_WEBHOOK_SECRET", "crash-test-secret")
        .env("SHANZHI_NOTIFY_INTERVAL_SECS", interval_secs.to_string())
        .env("SHANZHI_SWEEP", "false");
    Server::spawn(cmd)
}

async fn call(server: &Server, token: &str, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
    let r = reqwest::Client::new()
        .request(method, format!("{}{path}", server.base))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_notification_caused_before_a_kill_is_delivered_once_after_the_restart() {
    let _heavy = heavy().await;
    let db = test_db().await;
    let cwd = tempfile::tempdir().expect("cwd");
    let (hook, seen) = receiver().await;
    // The first server's worker looks once at start, then not for an hour.
    let first = start(cwd.path(), &db.cli_args, &hook, 3600);
    let resident = first.sign_in("demo_resident", PASSWORD).await;
    let (status, prefs) = call(
        &first,
        &resident,
        reqwest::Method::PUT,
        "/api/v1/me/notifications",
        json!({"channels": {"my_reports": ["webhook"]}}),
    )
    .await;
    assert_eq!(status, 200, "{prefs}");
    let (_, grids) = first.get("/api/v1/grids?community=510104022006").await;
    let grid = grids["features"][0]["properties"]["code"].as_str().expect("a grid of 总府路社区").to_owned();
    let report = json!({"category": "0110", "grid": grid, "description": "总府路 2 号门口路面塌陷"});
    let (status, created) = call(&first, &resident, reqwest::Method::POST, "/api/v1/matters", report).await;
    assert!(status == 200 || status == 201, "{created}");
    let id = created["matter"]["id"].as_str().or(created["id"].as_str()).expect("matter id").to_owned();
    let community = first.sign_in("demo_community", PASSWORD).await;
    let (status, accepted) =
        call(&first, &community, reqwest::Method::POST, &format!("/api/v1/matters/{id}/commands/accept"), json!({}))
            .await;
    assert_eq!(status, 200, "{accepted}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(seen.lock().expect("lock").is_empty(), "not delivered before the kill");

    first.signal("-KILL");
    drop(first);
    let second = start(cwd.path(), &db.cli_args, &hook, 1);
    let waited = Instant::now();
    while seen.lock().expect("lock").is_empty() {
        assert!(waited.elapsed() < Duration::from_secs(30), "not delivered after the restart");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // A few more rounds: nothing is delivered twice.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 2, "the receipt and the acceptance, to the reporter's webhook: {seen:?}");
    assert!(seen.values().all(|n| *n == 1), "delivered exactly once: {seen:?}");
    drop(second);
}
