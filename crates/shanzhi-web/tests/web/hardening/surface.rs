//! What every answer carries: headers, served files, URLs, logs, positions.

use std::sync::{Arc, Mutex};

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::world;
use crate::support::assert_error;

/// A real JPEG header (a 16×16 baseline frame) with an HTML page after it.
fn polyglot() -> Vec<u8> {
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0];
    jpeg.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x10, 0x03]);
    jpeg.extend_from_slice(&[0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
    jpeg.extend_from_slice(b"<html><body><script>alert(document.cookie)</script></body></html>");
    jpeg
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn finding_18_headers_files_urls_logs_and_positions_are_safe() {
    let log = Captured::default();
    let sink = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || sink.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    // The process-wide subscriber: a thread's own would miss callsites that
    // other tests' threads registered first.
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber of this test binary");
    let app = world().await;

    // Security headers, and a policy without inline script.
    let (status, headers, _) = app.send_raw(None, Method::GET, "/report", &[], vec![]).await;
    assert_eq!(status, StatusCode::OK);
    let csp = headers.get("content-security-policy").and_then(|v| v.to_str().ok()).expect("CSP").to_owned();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(headers.get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"));

    // A photo that is also a web page is served as a picture that runs nothing.
    let dispatcher = app.bearer("dispatcher").await;
    let auth = [("authorization", dispatcher.as_str()), ("content-type", "image/jpeg")];
    let (status, _, body) = app.send_raw(None, Method::POST, "/api/v1/attachments", &auth, polyglot()).await;
    assert_eq!(status, StatusCode::CREATED, "{}", String::from_utf8_lossy(&body));
    let id = serde_json::from_slice::<serde_json::Value>(&body).expect("json")["id"].as_str().expect("id").to_owned();
    let (status, headers, _) =
        app.send_raw(None, Method::GET, &format!("/api/v1/attachments/{id}"), &auth[..1], vec![]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers.get("content-type").and_then(|v| v.to_str().ok()), Some("image/jpeg"));
    assert_eq!(headers.get("x-content-type-options").and_then(|v| v.to_str().ok()), Some("nosniff"));
    let policy = headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(policy.contains("sandbox") && policy.contains("default-src 'none'"), "{policy}");
    // Not an image at all, with an image's first bytes: refused.
    let fake = [&[0xFF, 0xD8, 0xFF][..], b"<html>"].concat();
    let (status, _, _) = app.send_raw(None, Method::POST, "/api/v1/attachments", &auth, fake).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Discovery names the configured address, whatever Host a client sends.
    let forged = [("host", "evil.example"), ("x-forwarded-proto", "https")];
    let (_, _, body) = app.send_raw(None, Method::GET, "/open311/v2/discovery.json", &forged, vec![]).await;
    assert!(!String::from_utf8_lossy(&body).contains("evil.example"));

    // A client's request id that is not a plain token is replaced.
    let (_, headers, _) =
        app.send_raw(None, Method::GET, "/healthz", &[("x-request-id", "1 status=200 path=/admin")], vec![]).await;
    let echoed = headers.get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert_eq!(echoed.len(), 36, "a fresh id, not the client's: {echoed}");
    let (_, headers, _) = app.send_raw(None, Method::GET, "/healthz", &[("x-request-id", "trace-42.a")], vec![]).await;
    assert_eq!(headers.get("x-request-id").and_then(|v| v.to_str().ok()), Some("trace-42.a"), "a plain one is kept");

    // Paths with ids and tokens do not go into the log: their routes do.
    let secret = "szk_secretvalueinthepath";
    app.send_raw(None, Method::GET, &format!("/open311/v2/tokens/{secret}.json"), &[], vec![]).await;
    let text = String::from_utf8_lossy(&log.0.lock().expect("log")).into_owned();
    assert!(text.contains("route="), "{text}");
    assert!(!text.contains(secret), "{text}");
    assert!(!text.contains("status=200 path=/admin"), "no forged fields: {text}");

    // A patrol check-in is where the worker is: in the grid, give or take a
    // phone's error; 40 km away is refused.
    let grid = app.bearer("grid").await;
    let g = [("authorization", grid.as_str())];
    let (status, _, patrol) =
        app.send(Method::POST, "/api/v1/patrols", &g, Some(json!({"grid": "510104022006001"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{patrol}");
    let uri = format!("/api/v1/patrols/{}/check-ins", patrol["id"].as_str().expect("id"));
    let (status, _, body) = app.send(Method::POST, &uri, &g, Some(json!({"lng": 104.5, "lat": 30.655}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_error(&body, "check_in_outside_grid");
    let (status, _, body) = app.send(Method::POST, &uri, &g, Some(json!({"lng": 104.0805, "lat": 30.655}))).await;
    assert_eq!(status, StatusCode::OK, "50 m outside the edge is a phone's error: {body}");
}
