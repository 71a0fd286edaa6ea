//! E-mail notices over SMTP to a real local server: aiosmtpd from PyPI
//! (`scripts/smtp-sink.py`, run by SHANZHI_INTEROP_PYTHON like the interop
//! test; required under CI=true). A resident who chose e-mail for their
//! reports gets the receipt of a new report once, at their address, with the
//! matter's number in the body.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use shanzhi_testkit::test_db;

use crate::notify::call;
use crate::support::{Server, heavy, interop_python};

const SCRIPTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts");
const PASSWORD: &str = "Shanzhi-Demo-2026";

/// The SMTP server, killed when dropped.
struct SmtpSink {
    child: Child,
    port: u16,
    out: std::path::PathBuf,
}

impl SmtpSink {
    fn start(python: &std::path::Path, dir: &std::path::Path) -> SmtpSink {
        let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port();
        let out = dir.join("mail.jsonl");
        let mut child = Command::new(python)
            .arg(format!("{SCRIPTS}/smtp-sink.py"))
            .arg(port.to_string())
            .arg(&out)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the SMTP sink");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("the sink's first line");
        assert_eq!(line.trim(), "ready", "the SMTP sink did not start");
        SmtpSink { child, port, out }
    }

    fn messages(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn a_residents_receipt_arrives_by_email_once() {
    let Some(python) = interop_python("e-mail") else { return };
    let _heavy = heavy().await;
    let db = test_db().await;
    let cwd = tempfile::tempdir().expect("cwd");
    let sink = SmtpSink::start(&python, cwd.path());
    let mut cmd = Server::command(cwd.path(), &["--demo"], &db.cli_args);
    cmd.env("SHANZHI_SMTP_HOST", "127.0.0.1")
        .env("SHANZHI_SMTP_PORT", sink.port.to_string())
        .env("SHANZHI_SMTP_FROM", "善治平台 <noreply@shanzhi.example.cn>")
        .env("SHANZHI_SMTP_STARTTLS", "false")
        .env("SHANZHI_NOTIFY_INTERVAL_SECS", "1")
        .env("SHANZHI_SWEEP", "false");
    let server = Server::spawn(cmd);
    let resident = server.sign_in("demo_resident", PASSWORD).await;
    let prefs = json!({"channels": {"my_reports": ["email"]}, "email": "wang.fang@example.cn"});
    let (status, saved) = call(&server, &resident, reqwest::Method::PUT, "/api/v1/me/notifications", prefs).await;
    assert_eq!(status, 200, "{saved}");
    let (_, grids) = server.get("/api/v1/grids?community=510104022006").await;
    let grid = grids["features"][0]["properties"]["code"].as_str().expect("a grid of 总府路社区").to_owned();
    let report = json!({"category": "0110", "grid": grid, "description": "总府路 8 号人行道井盖缺失"});
    let (status, created) = call(&server, &resident, reqwest::Method::POST, "/api/v1/matters", report).await;
    assert!(status == 200 || status == 201, "report refused: {created}");
    let number = created["matter"]["number"].as_str().or(created["number"].as_str()).expect("number").to_owned();

    let mine = |m: &Value| m["body"].as_str().is_some_and(|b| b.contains(&number));
    let waited = Instant::now();
    while !sink.messages().iter().any(mine) {
        assert!(waited.elapsed() < Duration::from_secs(30), "no e-mail arrived: {:?}", sink.messages());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // A few more worker rounds: nothing arrives twice.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let messages: Vec<Value> = sink.messages().into_iter().filter(mine).collect();
    assert_eq!(messages.len(), 1, "exactly one e-mail for the report: {messages:?}");
    let m = &messages[0];
    assert_eq!(m["rcpt_tos"], json!(["wang.fang@example.cn"]));
    assert_eq!(m["mail_from"], "noreply@shanzhi.example.cn");
    let subject = m["subject"].as_str().expect("subject");
    assert!(subject.starts_with("【善治】") && subject.contains(&number), "{subject}");
    let body = m["body"].as_str().expect("body");
    let (zh, en) = (body.find("已收到").expect("Chinese text"), body.find("received").expect("English text"));
    assert!(zh < en, "Chinese first, English second: {body}");
    drop(server);
}
