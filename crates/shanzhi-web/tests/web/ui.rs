//! The web UI without a browser: sign-in and its redirects, the English
//! switch, CSRF on writes, scope refusals as pages, assets served locally.
//! (The whole loop runs in Chromium in `crates/shanzhi/tests/e2e/browser.rs`.)

use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use shanzhi_domain::Role;
use shanzhi_testkit::{PASSWORD, TestApp};
use tower::ServiceExt;

use crate::support::TestApi;

pub struct Answer {
    pub status: StatusCode,
    pub location: String,
    pub cookie: String,
    pub body: String,
}

/// A browser's request: a session cookie, a form body.
pub async fn call(app: &TestApi, method: Method, uri: &str, cookie: &str, form: Option<&str>) -> Answer {
    let mut r = Request::builder().method(method).uri(uri);
    if !cookie.is_empty() {
        r = r.header(header::COOKIE, cookie);
    }
    let body = match form {
        Some(f) => {
            r = r.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(f.to_owned())
        }
        None => Body::empty(),
    };
    let response = app.router.clone().oneshot(r.body(body).expect("request")).await.expect("response");
    let get = |h| response.headers().get(h).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let (location, cookie) = (get(header::LOCATION), get(header::SET_COOKIE));
    let status = response.status();
    let bytes = to_bytes(response.into_body(), usize::MAX).await.expect("body");
    Answer { status, location, cookie, body: String::from_utf8_lossy(&bytes).into_owned() }
}

async fn world() -> TestApi {
    TestApi::start(TestApp::new().with_divisions().with_categories().with_account(
        "ui_dispatcher",
        Role::Dispatcher,
        Some("510104022"),
    ))
    .await
}

async fn sign_in(app: &TestApi) -> String {
    let a = call(
        app,
        Method::POST,
        "/login",
        "",
        Some(&format!("username=ui_dispatcher&password={PASSWORD}&next=%2Fdesk")),
    )
    .await;
    assert_eq!((a.status, a.location.as_str()), (StatusCode::SEE_OTHER, "/desk"), "{}", a.body);
    assert!(a.cookie.contains("HttpOnly") && a.cookie.contains("SameSite=Lax"), "{}", a.cookie);
    a.cookie.split(';').next().expect("cookie").to_owned()
}

#[tokio::test]
async fn sign_in_guards_pages_and_never_redirects_off_site() {
    let app = world().await;
    let a = call(&app, Method::GET, "/desk", "", None).await;
    assert_eq!((a.status, a.location.as_str()), (StatusCode::SEE_OTHER, "/login?next=%2Fdesk"));
    let wrong = call(&app, Method::POST, "/login", "", Some("username=ui_dispatcher&password=nope")).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("role=\"alert\""), "the error is announced");
    let evil = call(
        &app,
        Method::POST,
        "/login",
        "",
        Some(&format!("username=ui_dispatcher&password={PASSWORD}&next=//evil.example")),
    )
    .await;
    assert_eq!(evil.location, "/", "no open redirect");
    let cookie = sign_in(&app).await;
    let desk = call(&app, Method::GET, "/desk", &cookie, None).await;
    assert_eq!(desk.status, StatusCode::OK);
    assert!(desk.body.contains("调度工作台") && desk.body.contains("lang=\"zh-CN\""));
    assert!(desk.body.contains("<a href=\"/desk\" aria-current=\"page\">"), "the page's own link is marked");
    let header = desk.body.split("</header>").next().expect("a header");
    assert_eq!(header.matches("aria-current").count(), 1, "and only that one");
    let en = call(&app, Method::GET, "/desk", &format!("{cookie}; lang=en"), None).await;
    assert!(en.body.contains("Dispatch desk") && en.body.contains("lang=\"en\""), "the English switch");
    // Pages fetch nothing from another host.
    for page in [&desk.body, &en.body] {
        for attr in ["src=\"http", "href=\"http", "url(http"] {
            assert!(!page.contains(attr), "{attr} in a page");
        }
    }
}

#[tokio::test]
async fn writes_need_the_csrf_token_and_refusals_are_pages() {
    let app = world().await;
    let cookie = sign_in(&app).await;
    let missing = call(&app, Method::GET, "/m/510104-20261128-000001", &cookie, None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("未找到"), "a page, in Chinese");
    let forged = call(&app, Method::POST, "/logout", &cookie, Some("csrf=forged")).await;
    assert_eq!(forged.status, StatusCode::SEE_OTHER);
    let still = call(&app, Method::GET, "/desk", &cookie, None).await;
    assert_eq!(still.status, StatusCode::OK, "a forged sign-out does not end the session");
}

#[tokio::test]
async fn assets_are_served_from_the_binary() {
    let app = world().await;
    for (path, kind) in [
        ("/assets/app.css", "text/css"),
        ("/assets/app.js", "text/javascript"),
        ("/assets/vendor/htmx.org/htmx.min.js", "text/javascript"),
        ("/assets/vendor/leaflet/leaflet.js", "text/javascript"),
        ("/assets/vendor/echarts/echarts.min.js", "text/javascript"),
        ("/assets/favicon.svg", "image/svg+xml"),
    ] {
        let r = Request::builder().uri(path).body(Body::empty()).expect("request");
        let response = app.router.clone().oneshot(r).await.expect("response");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let got = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(got.starts_with(kind), "{path}: {got}");
    }
    assert_eq!(call(&app, Method::GET, "/assets/vendor/leaflet/VERSION", "", None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(call(&app, Method::GET, "/assets/../Cargo.toml", "", None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn admin_pages_are_for_admins_and_the_map_counts_by_cell() {
    let app = world().await;
    let cookie = sign_in(&app).await;
    let admin = call(&app, Method::GET, "/admin", &cookie, None).await;
    assert_eq!(admin.status, StatusCode::FORBIDDEN, "a dispatcher is not an admin");
    let signed_out = call(&app, Method::GET, "/admin", "", None).await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    let counts = call(&app, Method::GET, "/map/counts?bbox=104.0,30.6,104.1,30.7", "", None).await;
    assert_eq!(counts.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&counts.body).expect("JSON");
    assert!(v["by_grid"].is_object() && v["by_general"].is_object() && v["by_community"].is_object(), "{v}");
    for bad in ["/map/counts?bbox=1,2,3", "/map/counts?bbox=100,20,110,30", "/map/counts?bbox=a,b,c,d"] {
        assert_eq!(call(&app, Method::GET, bad, "", None).await.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let cell = call(&app, Method::GET, "/map/cell/510104022006001", "", None).await;
    assert_eq!(cell.status, StatusCode::OK);
    assert!(cell.body.contains("510104022006001"));
    assert_eq!(call(&app, Method::GET, "/map/cell/nope", "", None).await.status, StatusCode::BAD_REQUEST);
}

/// A refused report keeps what was typed (a point outside every grid used to
/// empty the whole form).
#[tokio::test]
async fn a_refused_report_keeps_its_input() {
    let app = world().await;
    let fields = [
        ("category", "0101"),
        ("lng", "104.2"),
        ("lat", "30.5"),
        ("address", "总府路"),
        ("description", "井盖缺失"),
        ("name", "张"),
        ("phone", "13800138000"),
    ];
    let mut body = String::new();
    for (k, v) in fields {
        body.push_str(&format!("--X\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"));
    }
    body.push_str("--X--\r\n");
    let headers = [("content-type", "multipart/form-data; boundary=X")];
    let (status, _, bytes) = app.send_raw(None, Method::POST, "/report", &headers, body.into_bytes()).await;
    let a =
        Answer { status, location: String::new(), cookie: String::new(), body: String::from_utf8_lossy(&bytes).into() };
    assert!(a.status.is_client_error(), "{}: {}", a.status, a.body);
    assert!(a.body.contains("role=\"alert\""), "the reason is said");
    for kept in [
        "value=\"104.2\"",
        "value=\"30.5\"",
        "value=\"总府路\"",
        ">井盖缺失</textarea>",
        "value=\"0101\" selected",
        "value=\"张\"",
        "value=\"13800138000\"",
    ] {
        assert!(a.body.contains(kept), "{kept} kept");
    }
}
