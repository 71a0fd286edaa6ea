//! Sign-in over HTTP: tokens, cookies, CSRF, sign-out, throttling, and the
//! status codes of scoped refusals.

use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};
use shanzhi_domain::Role;
use shanzhi_testkit::{PASSWORD, TestApp};

use crate::support::{TestApi, assert_error};

async fn with_people() -> TestApi {
    TestApi::start(TestApp::new().with_divisions().with_accounts(&[
        ("dispatcher", Role::Dispatcher, Some("510104022")),
        ("other_dispatcher", Role::Dispatcher, Some("510105002")),
        ("handler", Role::DeptHandler, Some("510104-chengguan")),
    ]))
    .await
}

async fn login(app: &TestApi, username: &str) -> (String, String, String) {
    let (status, headers, body) = app
        .send(Method::POST, "/api/v1/auth/login", &[], Some(json!({"username": username, "password": PASSWORD})))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let cookie = headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).expect("cookie").to_owned();
    (body["token"].as_str().expect("token").to_owned(), body["csrf_token"].as_str().expect("csrf").to_owned(), cookie)
}

#[tokio::test]
async fn a_token_signs_in_and_sign_out_kills_it() {
    let app = with_people().await;
    let (token, _, cookie) = login(&app, "dispatcher").await;
    assert!(
        cookie.starts_with("shanzhi_session=szs_") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax")
    );
    assert!(!cookie.contains("Secure"), "plain HTTP: no Secure flag");
    let bearer = format!("Bearer {token}");
    let (status, _, me) = app.send(Method::GET, "/api/v1/me", &[("authorization", &bearer)], None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], "dispatcher");
    assert_eq!(me["grants"][0]["role"], "dispatcher");
    assert!(!me.to_string().contains(PASSWORD));
    // The scheme's name is case-insensitive (RFC 9110).
    let lower = format!("bearer {token}");
    let (status, _, _) = app.send(Method::GET, "/api/v1/me", &[("authorization", &lower)], None).await;
    assert_eq!(status, StatusCode::OK, "bearer in lower case");

    let (status, _, _) = app.send(Method::POST, "/api/v1/auth/logout", &[("authorization", &bearer)], None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, body) = app.send(Method::GET, "/api/v1/me", &[("authorization", &bearer)], None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, "unauthorized");
    let (status, headers, body) = app.send(Method::GET, "/api/v1/me", &[], None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(headers["www-authenticate"], "Bearer realm=\"shanzhi\"", "a 401 names the scheme");
    assert_error(&body, "unauthorized");
    insta::assert_json_snapshot!(body, @r#"
    {
      "error": {
        "code": "unauthorized",
        "message": "请先登录",
        "message_en": "sign in first"
      }
    }
    "#);
}

#[tokio::test]
async fn behind_tls_the_cookie_is_secure() {
    let app = with_people().await;
    let proxied = TestApi::start_with(
        TestApp::new().with_divisions().with_account("dispatcher", Role::Dispatcher, Some("510104022")),
        shanzhi_web::HttpOptions {
            trusted_proxies: vec!["127.0.0.1/32".parse().expect("net")],
            ..shanzhi_web::HttpOptions::default()
        },
    )
    .await;
    let body = || Some(json!({"username": "dispatcher", "password": PASSWORD}));
    let tls = [("x-forwarded-proto", "https")];
    let secure = |h: &axum::http::HeaderMap| {
        h.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).is_some_and(|c| c.contains("; Secure"))
    };
    let (status, headers, _) =
        proxied.send_from(Some("127.0.0.1"), Method::POST, "/api/v1/auth/login", &tls, body()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(secure(&headers), "a trusted proxy says the client used TLS");
    let (status, headers, _) = app.send(Method::POST, "/api/v1/auth/login", &tls, body()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!secure(&headers), "anyone else's X-Forwarded-Proto is theirs to forge");
}

#[tokio::test]
async fn cookie_requests_that_change_things_need_the_csrf_token() {
    let app = with_people().await;
    let (_, csrf, cookie) = login(&app, "dispatcher").await;
    let session = cookie.split(';').next().expect("pair").to_owned();
    let (status, _, _) = app.send(Method::GET, "/api/v1/me", &[("cookie", &session)], None).await;
    assert_eq!(status, StatusCode::OK, "reads need no CSRF token");
    let (status, _, body) = app.send(Method::POST, "/api/v1/auth/logout", &[("cookie", &session)], None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_error(&body, "csrf_failed");
    let (status, _, _) =
        app.send(Method::POST, "/api/v1/auth/logout", &[("cookie", &session), ("x-csrf-token", "forged")], None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) =
        app.send(Method::POST, "/api/v1/auth/logout", &[("cookie", &session), ("x-csrf-token", &csrf)], None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = app.send(Method::GET, "/api/v1/me", &[("cookie", &session)], None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the revoked session is dead");
}

#[tokio::test]
async fn wrong_passwords_are_throttled_with_retry_after() {
    let app = with_people().await;
    let bad = json!({"username": "handler", "password": "Wrong-Password-1"});
    for _ in 0..4 {
        let (status, _, body) = app.send(Method::POST, "/api/v1/auth/login", &[], Some(bad.clone())).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_error(&body, "unauthorized");
    }
    let (status, headers, body) = app.send(Method::POST, "/api/v1/auth/login", &[], Some(bad)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_error(&body, "too_many_attempts");
    assert!(headers.get(header::RETRY_AFTER).is_some());
    insta::assert_json_snapshot!(body, @r#"
    {
      "error": {
        "code": "too_many_attempts",
        "message": "登录失败次数过多，账号已暂时锁定，请 15 分钟后再试",
        "message_en": "too many failed sign-ins; the account is locked, try again in 15 min"
      }
    }
    "#);
    let good = json!({"username": "handler", "password": PASSWORD});
    let (status, _, _) = app.send(Method::POST, "/api/v1/auth/login", &[], Some(good)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "locked, even with the right password");
    for (body, status) in [
        (json!({"username": "x"}), StatusCode::BAD_REQUEST),
        (json!({"username": "x", "password": "y", "extra": 1}), StatusCode::BAD_REQUEST),
        (Value::String("not an object".into()), StatusCode::BAD_REQUEST),
    ] {
        let (got, _, _) = app.send(Method::POST, "/api/v1/auth/login", &[], Some(body.clone())).await;
        assert_eq!(got, status, "{body}");
    }
}

#[tokio::test]
async fn scoped_refusals_are_404_for_reads_and_403_for_writes() {
    let app = with_people().await;
    let (token, _, _) = login(&app, "dispatcher").await;
    let auth = format!("Bearer {token}");
    let h = [("authorization", auth.as_str())];
    let (status, _, body) = app.send(Method::GET, "/api/v1/roster?division=510104022", &h, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, body) = app.send(Method::GET, "/api/v1/roster?division=510105002", &h, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "not_found");
    let (status, _, body) = app.send(Method::GET, "/api/v1/users/other_dispatcher", &h, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no existence leak: {body}");
    let (status, _, missing) = app.send(Method::GET, "/api/v1/users/no_such_person", &h, None).await;
    assert_eq!((status, &missing["error"]["code"]), (StatusCode::NOT_FOUND, &body["error"]["code"]), "same answer");
    let (status, _, body) = app
        .send(Method::POST, "/api/v1/departments", &h, Some(json!({"code": "510104-newdept", "name": "新部门"})))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_error(&body, "forbidden");
    insta::assert_json_snapshot!(body, @r#"
    {
      "error": {
        "code": "forbidden",
        "message": "您无权在此范围内进行此操作",
        "message_en": "you may not do this in this scope"
      }
    }
    "#);
    let (status, _, body) = app
        .send(
            Method::POST,
            "/api/v1/users",
            &h,
            Some(json!({"username": "sneaky", "display_name": "x", "role": "admin", "scope": "5101"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _, body) = app.send(Method::GET, "/api/v1/users/dispatcher", &h, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["phone"], "13900000000",
        "one's own number (the first account's, see TestAppBuilder::with_account)"
    );
    let (status, _, body) = app.send(Method::GET, "/api/v1/audit", &h, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the audit log is city-wide: {body}");
    let (status, _, body) = app
        .send(
            Method::POST,
            "/api/v1/users/dispatcher/assignments",
            &h,
            Some(json!({"role": "captain", "scope": "5101"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "invalid_role");
}
