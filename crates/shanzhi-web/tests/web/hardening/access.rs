//! Signing in and accounts.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use shanzhi_testkit::PASSWORD;

use super::world;
use crate::support::{TestApi, assert_error};

async fn login_from(app: &TestApi, peer: &str, username: &str, password: &str) -> StatusCode {
    let body = json!({"username": username, "password": password});
    app.send_from(Some(peer), Method::POST, "/api/v1/auth/login", &[], Some(body)).await.0
}

#[tokio::test]
async fn finding_03_parallel_guesses_cannot_race_past_the_lockout() {
    let app = world().await;
    let attempts: Vec<_> = (0..40)
        .map(|i| {
            let password = if i == 20 { PASSWORD.to_owned() } else { format!("Guess-{i:04}-Wrong") };
            let app = &app;
            async move { login_from(app, "203.0.113.50", "handler", &password).await }
        })
        .collect();
    let answers = futures_util::future::join_all(attempts).await;
    let checked = answers.iter().filter(|s| matches!(**s, StatusCode::UNAUTHORIZED | StatusCode::OK)).count();
    let refused = answers.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert!(checked <= 5, "at most five passwords were checked: {answers:?}");
    assert_eq!(checked + refused, 40, "{answers:?}");
}

#[tokio::test]
async fn finding_08_sign_in_never_redirects_off_the_site() {
    let app = world().await;
    for next in [
        "%2F%09%2Fevil.example%2Fx",
        "%2F%2Fevil.example",
        "%2F%5Cevil.example",
        "%2Fa%0Ab",
        "https%3A%2F%2Fevil.example",
    ] {
        let form = format!("username=dispatcher&password={PASSWORD}&next={next}");
        let headers = [("content-type", "application/x-www-form-urlencoded")];
        let (status, h, _) = app.send_raw(None, Method::POST, "/login", &headers, form.into_bytes()).await;
        assert!(status.is_redirection(), "{next}: {status}");
        assert_eq!(h.get("location").and_then(|v| v.to_str().ok()), Some("/"), "{next}");
    }
    let form = format!("username=dispatcher&password={PASSWORD}&next=%2Fdesk%3Ftab%3Dred");
    let headers = [("content-type", "application/x-www-form-urlencoded")];
    let (_, h, _) = app.send_raw(None, Method::POST, "/login", &headers, form.into_bytes()).await;
    assert_eq!(h.get("location").and_then(|v| v.to_str().ok()), Some("/desk?tab=red"), "a path of the site is kept");
}

#[tokio::test]
async fn finding_14_throttles_tell_no_names_and_lock_no_one_else_out() {
    let app = world().await;
    // Known and unknown names meet exactly the same answers.
    for name in ["handler", "no_such_user"] {
        let mut answers = Vec::new();
        for _ in 0..6 {
            answers.push(login_from(&app, "203.0.113.60", name, "Wrong-Password-1").await);
        }
        let expected = [vec![StatusCode::UNAUTHORIZED; 4], vec![StatusCode::TOO_MANY_REQUESTS; 2]].concat();
        assert_eq!(answers, expected, "{name}");
    }
    // Someone guessing from one address does not lock the owner out elsewhere.
    assert_eq!(login_from(&app, "198.51.100.20", "handler", PASSWORD).await, StatusCode::OK);
    assert_eq!(login_from(&app, "203.0.113.60", "handler", PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);
}

async fn status_of(app: &TestApi, auth: &str, method: Method, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
    let (status, _, answer) = app.send(method, uri, &[("authorization", auth)], body).await;
    (status, answer)
}

#[tokio::test]
async fn finding_15_accounts_can_be_changed_disabled_and_signed_out_and_tokens_revoked() {
    let app = world().await;
    let admin = app.bearer("admin").await;
    // Tokens: created (shown once), listed without the token, revoked at once.
    let (status, created) =
        status_of(&app, &admin, Method::POST, "/api/v1/me/tokens", Some(json!({"name": "12345 对接"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let token = format!("Bearer {}", created["token"].as_str().expect("token"));
    let (_, listed) = status_of(&app, &admin, Method::GET, "/api/v1/me/tokens", None).await;
    assert_eq!(listed[0]["name"], "12345 对接");
    assert!(!listed.to_string().contains(created["token"].as_str().expect("token")), "never listed");
    assert_eq!(status_of(&app, &token, Method::GET, "/api/v1/me", None).await.0, StatusCode::OK);
    let uri = format!("/api/v1/me/tokens/{}", created["id"].as_str().expect("id"));
    assert_eq!(status_of(&app, &admin, Method::DELETE, &uri, None).await.0, StatusCode::NO_CONTENT);
    assert_eq!(status_of(&app, &token, Method::GET, "/api/v1/me", None).await.0, StatusCode::UNAUTHORIZED);

    // One's own password: the current one proves it; other sessions end.
    let first = app.bearer("dispatcher").await;
    let second = app.bearer("dispatcher").await;
    let change = |current: &str| json!({"current_password": current, "new_password": "Chunxi-Road-2027!"});
    let (status, body) = status_of(&app, &first, Method::POST, "/api/v1/me/password", Some(change("wrong"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = status_of(&app, &first, Method::POST, "/api/v1/me/password", Some(change(PASSWORD))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(status_of(&app, &first, Method::GET, "/api/v1/me", None).await.0, StatusCode::OK, "this session stays");
    assert_eq!(status_of(&app, &second, Method::GET, "/api/v1/me", None).await.0, StatusCode::UNAUTHORIZED);

    // An administrator's reset: a generated password, shown once; sessions end.
    let handler = app.bearer("handler").await;
    let (status, reset) =
        status_of(&app, &admin, Method::POST, "/api/v1/users/handler/password", Some(json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{reset}");
    let generated = reset["password"].as_str().expect("generated").to_owned();
    assert_eq!(status_of(&app, &handler, Method::GET, "/api/v1/me", None).await.0, StatusCode::UNAUTHORIZED);
    let body = json!({"username": "handler", "password": generated});
    let (status, _, signed) = app.send(Method::POST, "/api/v1/auth/login", &[], Some(body.clone())).await;
    assert_eq!(status, StatusCode::OK);
    let handler = format!("Bearer {}", signed["token"].as_str().expect("token"));

    // Disable: nothing of the account works; enable: it signs in again.
    let (status, _) = status_of(&app, &admin, Method::POST, "/api/v1/users/handler/disable", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(status_of(&app, &handler, Method::GET, "/api/v1/me", None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.send(Method::POST, "/api/v1/auth/login", &[], Some(body.clone())).await.0, StatusCode::UNAUTHORIZED);
    let (status, body_of) = status_of(&app, &admin, Method::POST, "/api/v1/users/admin/disable", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not oneself: {body_of}");
    status_of(&app, &admin, Method::POST, "/api/v1/users/handler/enable", None).await;
    assert_eq!(app.send(Method::POST, "/api/v1/auth/login", &[], Some(body)).await.0, StatusCode::OK);
    // Someone without the right to manage people may do none of it.
    let (status, refused) = status_of(&app, &first, Method::POST, "/api/v1/users/handler/disable", None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");

    // Sign out everywhere.
    let other = app.bearer("admin").await;
    let (status, out) = status_of(&app, &admin, Method::POST, "/api/v1/me/sign-out-everywhere", None).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(status_of(&app, &other, Method::GET, "/api/v1/me", None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(status_of(&app, &admin, Method::GET, "/api/v1/me", None).await.0, StatusCode::UNAUTHORIZED);

    // Every change is in the audit log, and no password or token is.
    let log = app.app.store().audit_log(0, 1000).await.expect("audit");
    let actions: Vec<&str> = log.iter().map(|a| a.action.as_str()).collect();
    for action in [
        "token.create",
        "token.revoke",
        "user.password",
        "user.password_reset",
        "user.disable",
        "user.enable",
        "user.sign_out_all",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    let text = format!("{log:?}");
    assert!(!text.contains(&generated) && !text.contains("Chunxi-Road-2027!"));
}

#[tokio::test]
async fn finding_16_creating_a_resident_answers_with_the_resident() {
    let app = world().await;
    let admin = app.bearer("admin").await;
    let new =
        json!({"username": "jumin_li", "display_name": "李居民", "password": "Jumin-Li-2026!", "role": "resident"});
    let (status, created) = status_of(&app, &admin, Method::POST, "/api/v1/users", Some(new.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["username"], "jumin_li");
    let (status, again) = status_of(&app, &admin, Method::POST, "/api/v1/users", Some(new)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "created once: {again}");
    assert_error(&again, "username_taken");
}
