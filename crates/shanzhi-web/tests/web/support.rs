//! The HTTP API in process (no socket) over a [`TestApp`], on the backend
//! chosen by SHANZHI_TEST_BACKEND: the router, requests and their answers.

use std::time::Duration;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use serde_json::{Value, json};
use shanzhi_testkit::{PASSWORD, TestApp, TestAppBuilder};
use shanzhi_web::{HttpOptions, router};
use tower::ServiceExt;

/// The router over a [`TestApp`].
pub struct TestApi {
    /// The application with the operator's key (derefs to `App`).
    pub app: TestApp,
    pub router: Router,
}

/// The API over the real Chengdu divisions and nothing else.
pub async fn spawn_app() -> TestApi {
    TestApi::start(TestApp::new().with_divisions()).await
}

impl TestApi {
    /// The API over what `app` builds, with a 64 KiB body limit.
    pub async fn start(app: TestAppBuilder) -> TestApi {
        let limits = HttpOptions { body_bytes: 64 * 1024, timeout: Duration::from_secs(10), ..HttpOptions::default() };
        TestApi::start_with(app, limits).await
    }

    /// The API over what `app` builds, with these settings.
    pub async fn start_with(app: TestAppBuilder, limits: HttpOptions) -> TestApi {
        let app = app.start().await;
        TestApi { router: router(app.app().clone(), limits), app }
    }

    /// Status, request id, content type and JSON body of one request.
    pub async fn request(&self, method: Method, uri: &str, body: Body) -> (StatusCode, Option<String>, String, Value) {
        let request = Request::builder().method(method).uri(uri).body(body).expect("request");
        let response = self.router.clone().oneshot(request).await.expect("response");
        let status = response.status();
        let id = response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let kind = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.expect("body");
        let json = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| panic!("{uri}: every answer is JSON, got {}", String::from_utf8_lossy(&bytes)));
        (status, id, kind, json)
    }

    /// Any request with headers and an optional JSON body; returns the status,
    /// the response headers and the body as JSON (`Null` when empty).
    pub async fn send(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> (StatusCode, HeaderMap, Value) {
        self.send_from(None, method, uri, headers, body).await
    }

    /// As [`TestApi::send`], from a peer address (as a socket would give it).
    pub async fn send_from(
        &self,
        peer: Option<&str>,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> (StatusCode, HeaderMap, Value) {
        let mut all: Vec<(&str, &str)> = headers.to_vec();
        let bytes = match &body {
            Some(json) => {
                all.push(("content-type", "application/json"));
                json.to_string().into_bytes()
            }
            None => Vec::new(),
        };
        let (status, headers, bytes) = self.send_raw(peer, method, uri, &all, bytes).await;
        let json = if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).expect("JSON") };
        (status, headers, json)
    }

    /// Any request with a raw body; the answer's status, headers and bytes.
    pub async fn send_raw(
        &self,
        peer: Option<&str>,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> (StatusCode, HeaderMap, Vec<u8>) {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(p) = peer {
            let addr: std::net::SocketAddr = format!("{p}:40000").parse().expect("peer address");
            request = request.extension(axum::extract::ConnectInfo(addr));
        }
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let response =
            self.router.clone().oneshot(request.body(Body::from(body)).expect("request")).await.expect("response");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.expect("body");
        (status, headers, bytes.to_vec())
    }

    pub async fn get(&self, uri: &str) -> (StatusCode, Value) {
        let (status, id, kind, body) = self.request(Method::GET, uri, Body::empty()).await;
        assert!(id.is_some_and(|id| id.len() == 36), "every response carries a request id");
        assert!(kind == "application/json" || kind == "application/geo+json", "{uri}: content type {kind}");
        (status, body)
    }

    /// `GET uri` is refused with `status` and the error `code` (see
    /// [`assert_error`]); the error body, for a closer look.
    pub async fn get_refused(&self, uri: &str, status: StatusCode, code: &str) -> Value {
        let (got, body) = self.get(uri).await;
        assert_eq!(got, status, "{uri}: {body}");
        assert_error(&body, code);
        body
    }

    /// `method uri` with these headers and body is refused with `status` and
    /// the error `code` (see [`assert_error`]); the error body.
    pub async fn refused(
        &self,
        method: Method,
        uri: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
        status: StatusCode,
        code: &str,
    ) -> Value {
        let (got, _, body) = self.send(method, uri, headers, body).await;
        assert_eq!(got, status, "{uri}: {body}");
        assert_error(&body, code);
        body
    }

    /// The `Authorization` header value of a fresh session of `username`
    /// (an account of the [`TestApp`], password [`PASSWORD`]), signed in over HTTP.
    pub async fn bearer(&self, username: &str) -> String {
        let (status, _, body) = self
            .send(Method::POST, "/api/v1/auth/login", &[], Some(json!({"username": username, "password": PASSWORD})))
            .await;
        assert_eq!(status, StatusCode::OK, "{username}: {body}");
        format!("Bearer {}", body["token"].as_str().expect("token"))
    }
}

/// Errors follow DESIGN.md §4: code, Chinese message, English message.
pub fn assert_error(body: &Value, code: &str) {
    let e = &body["error"];
    assert_eq!(e["code"], code, "{body}");
    let zh = e["message"].as_str().expect("message");
    assert!(zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "Chinese first: {zh}");
    let en = e["message_en"].as_str().expect("message_en");
    assert!(en.starts_with(|c: char| c.is_ascii_alphabetic()) && en != zh, "English second: {body}");
}
