//! The layers every request passes, outermost first: a client's request id
//! checked, request id, tracing, security headers, uniform JSON errors, panic
//! catcher, timeout, body-size limit.

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, MatchedPath, State};
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::{ApiError, HttpOptions};

pub fn wrap(router: Router, limits: HttpOptions) -> Router {
    let policy = content_security_policy(limits.map_tiles_url.as_deref());
    // `Router::layer` wraps: the last layer added is the outermost.
    router
        .layer(RequestBodyLimitLayer::new(limits.body_bytes))
        // The extractors' own cap (2 MB) would undercut the configured limit.
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, limits.timeout))
        .layer(CatchPanicLayer::custom(|_| ApiError::for_status(StatusCode::INTERNAL_SERVER_ERROR).into_response()))
        .layer(axum::middleware::map_response(json_errors))
        .layer(axum::middleware::map_response_with_state(policy, security_headers))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetRequestIdLayer::x_request_id(UuidV7))
        .layer(axum::middleware::map_request(checked_request_id))
}

/// The pages' policy: scripts, styles, fonts and requests from this host
/// only, no inline script or style, no framing; images also from the
/// configured base-map tile server.
fn content_security_policy(tiles: Option<&str>) -> HeaderValue {
    let tiles = tiles
        .and_then(|t| url::Url::parse(&t.replace(['{', '}'], "")).ok())
        .map(|u| format!(" {}", u.origin().ascii_serialization()))
        .unwrap_or_default();
    let policy = format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:{tiles}; \
         font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
         frame-ancestors 'none'"
    );
    HeaderValue::from_str(&policy).unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"))
}

/// Security headers on every answer; a handler's own policy (photos are
/// served sandboxed) is kept.
async fn security_headers(State(policy): State<HeaderValue>, mut response: Response) -> Response {
    let h = response.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // A private tracking link (`/track?…&key=…`) must not leave in a Referer.
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("permissions-policy", HeaderValue::from_static("geolocation=(self), camera=(self), microphone=()"));
    response
}

/// A client's own `x-request-id` is kept only if it is a plain token (it
/// goes into the log as it is); anything else gets a fresh id.
async fn checked_request_id(mut request: Request<Body>) -> Request<Body> {
    let ok = request.headers().get("x-request-id").is_none_or(|v| {
        let b = v.as_bytes();
        (1..=64).contains(&b.len()) && b.iter().all(|c| c.is_ascii_alphanumeric() || b"-_.:".contains(c))
    });
    if !ok {
        request.headers_mut().remove("x-request-id");
    }
    request
}

/// Request ids are UUIDv7, so they sort by time in the logs. A client's own
/// `x-request-id` is kept.
#[derive(Debug, Clone, Copy)]
struct UuidV7;

impl MakeRequestId for UuidV7 {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&uuid::Uuid::now_v7().to_string()).ok().map(RequestId::new)
    }
}

/// The route, not the path: paths carry ids and tokens (`/open311/v2/tokens/…`)
/// that do not belong in a log.
fn request_span(request: &Request<Body>) -> tracing::Span {
    let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
    let route = request.extensions().get::<MatchedPath>().map_or("(no route)", MatchedPath::as_str);
    tracing::info_span!("request", method = %request.method(), route = %route, request_id = %id)
}

/// Errors made outside the handlers (unknown method, body too large,
/// timeout…) come as plain text; give them the JSON error format too.
/// Handlers' own errors (JSON, Open311's XML, the UI's pages) pass unchanged.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let formatted =
        response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
            v.starts_with("application/json") || v.starts_with("text/xml") || v.starts_with("text/html")
        });
    if !(status.is_client_error() || status.is_server_error()) || formatted {
        return response;
    }
    let mut replacement = ApiError::for_status(status).into_response();
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(value) = response.headers().get(&name) {
            replacement.headers_mut().insert(name, value.clone());
        }
    }
    replacement
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use axum::body::to_bytes;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    async fn panicking() -> &'static str {
        panic!("boom")
    }

    async fn call(uri: &str) -> (StatusCode, serde_json::Value, bool) {
        let router = Router::new()
            .route("/slow", get(|| async { tokio::time::sleep(Duration::from_secs(5)).await }))
            .route("/panic", get(panicking));
        let limits = HttpOptions { body_bytes: 1024, timeout: Duration::from_millis(50), ..HttpOptions::default() };
        let request = Request::builder().uri(uri).body(Body::empty()).expect("request");
        let response = wrap(router, limits).oneshot(request).await.expect("response");
        let has_id = response.headers().contains_key("x-request-id");
        let status = response.status();
        let body = to_bytes(response.into_body(), usize::MAX).await.expect("body");
        (status, serde_json::from_slice(&body).expect("JSON error body"), has_id)
    }

    #[tokio::test]
    async fn a_slow_handler_times_out_with_a_json_503() {
        let (status, body, has_id) = call("/slow").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["error"]["code"], "timeout");
        assert!(has_id);
    }

    #[tokio::test]
    async fn a_panic_becomes_a_json_500_and_the_server_lives_on() {
        let (status, body, _) = call("/panic").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(body["error"]["code"], "internal_error");
        assert_eq!(body["error"]["message"], "服务器内部错误");
    }
}
