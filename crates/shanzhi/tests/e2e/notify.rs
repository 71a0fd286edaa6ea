//! A server killed between a matter event and the delivery of the
//! notifications it caused: the next server delivers each, exactly once, to a
//! real local webhook receiver (the outbox row was written with the event).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use shanzhi_testkit::{HttpSink, test_db};

use crate::support::{Server, heavy};

const PASSWORD: &str = "Shanzhi-Demo-2026";

fn start(cwd: &std::path::Path, db_args: &[String], hook: &str, interval_secs: u64) -> Server {
    let mut cmd = Server::command(cwd, &["--demo"], db_args);
    cmd.env("SHANZHI_NOTIFY_WEBHOOK_URL", hook)
        .env("SHANZHI_NOTIFY_WEBHOOK_SECRET", "crash-test-secret")
        .env("SHANZHI_NOTIFY_INTERVAL_SECS", interval_secs.to_string())
        .env("SHANZHI_SWEEP", "false");
    Server::spawn(cmd)
}

pub(crate) async fn call(
    server: &Server,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> (u16, Value) {
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
    let sink = HttpSink::start().await;
    let hook = sink.url.clone();
    // Deliveries by idempotency key.
    let seen = || {
        let mut by_key: HashMap<String, usize> = HashMap::new();
        for r in sink.received() {
            *by_key.entry(r.header("idempotency-key")).or_default() += 1;
        }
        by_key
    };
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
    assert!(seen().is_empty(), "not delivered before the kill");

    first.signal("-KILL");
    drop(first);
    let second = start(cwd.path(), &db.cli_args, &hook, 1);
    let waited = Instant::now();
    while seen().len() < 2 {
        assert!(waited.elapsed() < Duration::from_secs(30), "not delivered after the restart");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // A few more rounds: nothing is delivered twice.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let seen = seen();
    assert_eq!(seen.len(), 2, "the receipt and the acceptance, to the reporter's webhook: {seen:?}");
    assert!(seen.values().all(|n| *n == 1), "delivered exactly once: {seen:?}");
    drop(second);
}
