//! The OpenAPI document describes the routes that exist, every operation
//! says what it answers, and the docs page is served from our own assets.
//! (The interop test fuzzes the live document with schemathesis.)

use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt;

use crate::support::spawn_app;

async fn fetch(app: &crate::support::TestApi, method: Method, uri: &str) -> (StatusCode, String, Vec<u8>) {
    let request = Request::builder().method(method).uri(uri).body(Body::empty()).expect("request");
    let response = app.router.clone().oneshot(request).await.expect("response");
    let status = response.status();
    let kind = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    (status, kind, to_bytes(response.into_body(), usize::MAX).await.expect("body").to_vec())
}

#[tokio::test]
async fn the_document_matches_the_routes() {
    let app = spawn_app().await;
    let (status, kind, body) = fetch(&app, Method::GET, "/api/openapi.json").await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, "application/json"));
    let doc: Value = serde_json::from_slice(&body).expect("JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["info"]["title"].as_str().is_some_and(|t| t.contains("善治")));
    let paths = doc["paths"].as_object().expect("paths");
    // Everything a mobile app or a hotline bridge needs is there.
    for p in [
        "/api/v1/auth/login",
        "/api/v1/me",
        "/api/v1/matters",
        "/api/v1/matters/{id}",
        "/api/v1/matters/{id}/timeline",
        "/api/v1/matters/{id}/commands/{command}",
        "/api/v1/attachments",
        "/api/v1/hotline/import",
        "/api/v1/hotspots",
        "/api/v1/categories",
        "/api/v1/locate",
        "/api/v1/grids",
        "/healthz",
    ] {
        assert!(paths.contains_key(p), "{p} is documented");
    }
    let mut operations = 0;
    let mut ids = std::collections::BTreeSet::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("path item") {
            operations += 1;
            let where_ = format!("{method} {path}");
            // Client generators name methods after operation ids: unique, camelCase, a verb first.
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{where_} has an operation id"));
            assert!(ids.insert(id.to_owned()), "{where_}: operation id {id} is used twice");
            assert!(
                id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && id.chars().all(|c| c.is_ascii_alphanumeric()),
                "{where_}: {id} is camelCase"
            );
            assert!(op["summary"].as_str().is_some_and(|s| !s.is_empty()), "{where_} has a summary");
            assert!(op["tags"].as_array().is_some_and(|t| !t.is_empty()), "{where_} has a tag");
            let responses = op["responses"].as_object().expect("responses");
            assert!(responses.keys().any(|k| k.starts_with('2')), "{where_} documents success");
            assert!(responses.contains_key("400") || path == "/healthz", "{where_} documents refusals");
            // The route exists: whatever it answers, it is not the router's 404/405.
            let uri = path.replace('{', "x").replace('}', "");
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let (status, _, body) = fetch(&app, m, &uri).await;
            let code = serde_json::from_slice::<Value>(&body).ok().map(|b| b["error"]["code"].clone());
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{where_} is routed");
            assert_ne!(code, Some(Value::from("not_found")), "{where_} is routed");
        }
    }
    assert!(operations >= 47, "{operations} operations");
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for s in ["MatterView", "IntakeAnswer", "ReportBody", "ErrorBody", "Category", "Located"] {
        assert!(schemas.contains_key(s), "schema {s}");
    }
    // Two types of one name would share one schema and one would describe the
    // other's answers: a work method's step and a case's review step stay apart.
    assert_eq!(schemas["Step"]["type"], "object", "a method's step: {}", schemas["Step"]);
    assert!(schemas["Step"]["properties"]["body"].is_object(), "{}", schemas["Step"]);
    assert_eq!(schemas["CaseStep"]["enum"], serde_json::json!(["submit", "return", "publish", "withdraw"]));
    let errors = &schemas["ErrorDetail"]["required"];
    assert_eq!(errors, &serde_json::json!(["code", "message", "message_en"]));
}

#[tokio::test]
async fn the_docs_page_uses_only_its_own_assets() {
    let app = spawn_app().await;
    let (status, kind, page) = fetch(&app, Method::GET, "/api/docs").await;
    assert_eq!(status, StatusCode::OK);
    assert!(kind.starts_with("text/html"), "{kind}");
    let page = String::from_utf8(page).expect("UTF-8");
    assert!(!page.contains("http://") && !page.contains("https://"), "no other host: {page}");
    for (asset, kind, marker) in [
        ("/assets/vendor/swagger-ui-dist/swagger-ui-bundle.js", "text/javascript", "SwaggerUIBundle"),
        ("/assets/vendor/swagger-ui-dist/swagger-ui.css", "text/css", ".swagger-ui"),
        ("/assets/docs.js", "text/javascript", "validatorUrl: null"),
    ] {
        assert!(page.contains(asset), "the page loads {asset}");
        let (status, got, body) = fetch(&app, Method::GET, asset).await;
        assert_eq!(status, StatusCode::OK, "{asset}");
        assert!(got.starts_with(kind), "{asset}: {got}");
        assert!(String::from_utf8_lossy(&body).contains(marker), "{asset} is the real file");
    }
    let (status, _, _) = fetch(&app, Method::GET, "/assets/nothing.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
