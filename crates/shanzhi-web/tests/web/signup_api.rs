//! Residents by phone over HTTP, with a fake SMS gateway (a real HTTP server
//! in the test) that checks each request's signature and hands the test the
//! code: sign-up with consent, sign-in, wrong, reused and expired codes, the
//! throttles, hashes at rest, claims and erasure that keeps the matters.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, Method, StatusCode};
use hmac::{Hmac, KeyInit, Mac};
use jiff::Timestamp;
use serde_json::{Value, json};
use sha2::Sha256;
use shanzhi_app::access::SmsConfig;
use shanzhi_app::sms::{SmsGateway, SmsTemplate};
use shanzhi_app::timing::ManualClock;
use shanzhi_testkit::{TestApp, cheap_auth, one_grid_community};

use crate::support::{TestApi, assert_error};

const SECRET: &str = "gateway-test-secret";
pub const PHONE: &str = "13900001111";

/// What the fake gateway received: the phone and text of each message whose
/// signature checked out (a bad one is answered 401 and kept out).
#[derive(Clone, Default)]
pub struct Gateway {
    messages: Arc<Mutex<Vec<(String, String)>>>,
}

impl Gateway {
    pub async fn start() -> (Gateway, String) {
        let gw = Gateway::default();
        let seen = gw.messages.clone();
        let router = axum::Router::new().route(
            "/send",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let seen = seen.clone();
                async move {
                    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("key");
                    mac.update(format!("{}.{body}", header("x-shanzhi-timestamp")).as_bytes());
                    let expected: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
                    if header("x-shanzhi-signature") != format!("sha256={expected}")
                        || header("idempotency-key").is_empty()
                    {
                        return StatusCode::UNAUTHORIZED;
                    }
                    let doc: Value = serde_json::from_str(&body).expect("a JSON body");
                    let phone = doc["mobile"].as_str().expect("mobile").to_owned();
                    let text = doc["content"].as_str().expect("content").to_owned();
                    seen.lock().expect("lock").push((phone, text));
                    StatusCode::OK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/send", listener.local_addr().expect("addr"));
        tokio::spawn(async move { axum::serve(listener, router).await });
        (gw, url)
    }

    /// The six-digit code in the last message to `phone`.
    pub fn last_code(&self, phone: &str) -> String {
        let messages = self.messages.lock().expect("lock");
        let (_, text) = messages.iter().rev().find(|(p, _)| p == phone).expect("a message to the phone");
        let digits: Vec<&str> = text.split(|c: char| !c.is_ascii_digit()).filter(|w| w.len() == 6).collect();
        digits.first().expect("a six-digit code").to_string()
    }

    fn count(&self) -> usize {
        self.messages.lock().expect("lock").len()
    }
}

pub async fn world(url: &str, clock: Arc<ManualClock>) -> TestApi {
    let template =
        SmsTemplate::parse("json", r#"{"mobile": "{phone}", "content": "{text}", "ref": "{key}"}"#).expect("template");
    let gateway =
        SmsGateway { url: url.to_owned(), template, secret: Some(SECRET.to_owned()), timeout: Duration::from_secs(5) };
    let sms = SmsConfig { gateway: Some(gateway), pepper: "test-pepper".to_owned(), ..SmsConfig::default() };
    let auth = shanzhi_app::access::AuthConfig { sms, ..cheap_auth() };
    TestApi::start(
        TestApp::new()
            .with_features(one_grid_community("510104022006", 104.07, 30.65))
            .with_categories()
            .with_accounts(&[("dispatcher", shanzhi_domain::Role::Dispatcher, Some("510104022"))])
            .with_auth(auth)
            .with_clock(clock),
    )
    .await
}

async fn ask(app: &TestApi, phone: &str) -> (StatusCode, Value) {
    let (status, _, body) = app.send(Method::POST, "/api/v1/auth/sms-code", &[], Some(json!({ "phone": phone }))).await;
    (status, body)
}

async fn sign_in(app: &TestApi, phone: &str, code: &str, consent: bool) -> (StatusCode, Value) {
    let body = json!({ "phone": phone, "code": code, "consent": consent });
    let (status, _, body) = app.send(Method::POST, "/api/v1/auth/sms-login", &[], Some(body)).await;
    (status, body)
}

/// Every byte of the SQLite database (file and write-ahead log), if SQLite.
fn database_bytes(app: &TestApi) -> Option<Vec<u8>> {
    let args = &app.app.db().cli_args;
    let dir = (args.first().map(String::as_str) == Some("--data-dir")).then(|| args[1].clone())?;
    let mut bytes = Vec::new();
    for name in ["shanzhi.db", "shanzhi.db-wal"] {
        bytes.extend(std::fs::read(std::path::Path::new(&dir).join(name)).unwrap_or_default());
    }
    Some(bytes)
}

fn occurrences(haystack: &[u8], needle: &str) -> usize {
    haystack.windows(needle.len()).filter(|w| *w == needle.as_bytes()).count()
}

pub fn now() -> Timestamp {
    Timestamp::now()
}

#[tokio::test]
async fn a_code_from_the_gateway_signs_a_resident_up_once_and_is_kept_only_hashed() {
    let (gw, url) = Gateway::start().await;
    let clock = Arc::new(ManualClock::new(now()));
    let app = world(&url, clock.clone()).await;

    let before = database_bytes(&app);
    let sqlite = shanzhi_testkit::backend() == shanzhi_testkit::TestBackend::Sqlite;
    assert_eq!(before.is_some(), sqlite, "the file is read on SQLite");
    let (status, sent) = ask(&app, "+86 139-0000-1111").await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert_eq!(sent["phone"], "139****1111", "the answer shows the number masked");
    assert_eq!(sent["registered"], false);
    assert_eq!(gw.count(), 1, "one signed message reached the gateway");
    let code = gw.last_code(PHONE);
    if let (Some(before), Some(after)) = (before, database_bytes(&app)) {
        assert_eq!(occurrences(&after, &code), occurrences(&before, &code), "the code is not in the database");
    }

    // A first sign-in is a sign-up: without consent it is refused and the code stays usable.
    let (status, body) = sign_in(&app, PHONE, &code, false).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "consent_required");
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let (status, body) = sign_in(&app, PHONE, wrong, true).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_error(&body, "unauthorized");
    assert!(body["error"]["message"].as_str().expect("zh").contains("验证码错误"), "{body}");
    let (status, body) = sign_in(&app, PHONE, "12a456", true).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "invalid_code");

    let (status, login) = sign_in(&app, PHONE, &code, true).await;
    assert_eq!(status, StatusCode::OK, "{login}");
    let bearer = format!("Bearer {}", login["token"].as_str().expect("token"));
    let (status, _, me) = app.send(Method::GET, "/api/v1/me", &[("authorization", &bearer)], None).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["grants"][0]["role"], "resident", "{me}");
    assert!(!me.to_string().contains(PHONE), "the full number is not echoed: {me}");

    let (status, body) = sign_in(&app, PHONE, &code, true).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a used code is spent");
    assert_error(&body, "code_spent");

    // Another code at once is refused (one a minute); after the minute it
    // comes, and signs the same account in (no second account).
    let (status, body) = ask(&app, PHONE).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_error(&body, "rate_limited");
    assert_eq!(gw.count(), 1, "nothing sent");
    clock.set(now() + Duration::from_secs(61));
    let (status, sent) = ask(&app, PHONE).await;
    assert_eq!((status, sent["registered"].as_bool()), (StatusCode::OK, Some(true)), "{sent}");
    let (status, again) = sign_in(&app, PHONE, &gw.last_code(PHONE), false).await;
    assert_eq!(status, StatusCode::OK, "no consent needed the second time: {again}");
    assert_eq!(again["username"], login["username"], "the same account");

    // A code expires after five minutes.
    clock.set(now() + Duration::from_secs(130));
    assert_eq!(ask(&app, PHONE).await.0, StatusCode::OK);
    let late = gw.last_code(PHONE);
    clock.set(now() + Duration::from_secs(130 + 301));
    let (status, body) = sign_in(&app, PHONE, &late, false).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "code_expired");
}

#[tokio::test]
async fn wrong_guesses_spend_a_code_and_a_phone_gets_five_codes_an_hour() {
    let (gw, url) = Gateway::start().await;
    let clock = Arc::new(ManualClock::new(now()));
    let app = world(&url, clock.clone()).await;
    assert_eq!(ask(&app, PHONE).await.0, StatusCode::OK);
    let code = gw.last_code(PHONE);
    let wrong = if code == "000000" { "000001" } else { "000000" };
    for _ in 0..5 {
        assert_eq!(sign_in(&app, PHONE, wrong, true).await.0, StatusCode::UNAUTHORIZED);
    }
    let (status, body) = sign_in(&app, PHONE, &code, true).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "after five wrong guesses even the right code is refused");
    assert_error(&body, "code_spent");

    for minute in 1..=4 {
        clock.set(now() + Duration::from_secs(61 * minute));
        assert_eq!(ask(&app, PHONE).await.0, StatusCode::OK, "code {}", minute + 1);
    }
    clock.set(now() + Duration::from_secs(61 * 5));
    let (status, body) = ask(&app, PHONE).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "a sixth code within the hour: {body}");
    assert_eq!(gw.count(), 5);
    let (status, body) = ask(&app, "12345").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "invalid_phone");
}

#[tokio::test]
async fn a_resident_claims_earlier_reports_and_deleting_the_account_keeps_them_without_the_person() {
    let (gw, url) = Gateway::start().await;
    let clock = Arc::new(ManualClock::new(now()));
    let app = world(&url, clock.clone()).await;
    let report = |phone: Option<&str>| {
        let mut body = json!({"category": "0110", "lng": 104.072, "lat": 30.652, "crs": "wgs84",
                              "description": "路灯不亮", "channel": "resident", "reporter_name": "王女士"});
        if let Some(p) = phone {
            body["reporter_phone"] = json!(p);
        }
        body
    };
    // Two anonymous reports: one with the number, one followed by its private link.
    let (status, _, by_phone) = app.send(Method::POST, "/api/v1/matters", &[], Some(report(Some(PHONE)))).await;
    assert_eq!(status, StatusCode::CREATED, "{by_phone}");
    let (status, _, by_link) = app.send(Method::POST, "/api/v1/matters", &[], Some(report(None))).await;
    assert_eq!(status, StatusCode::CREATED, "{by_link}");

    assert_eq!(ask(&app, PHONE).await.0, StatusCode::OK);
    let (status, login) = sign_in(&app, PHONE, &gw.last_code(PHONE), true).await;
    assert_eq!(status, StatusCode::OK, "{login}");
    let bearer = format!("Bearer {}", login["token"].as_str().expect("token"));
    let auth = [("authorization", bearer.as_str())];

    let (status, _, offered) = app.send(Method::GET, "/api/v1/me/claimable", &auth, None).await;
    assert_eq!(status, StatusCode::OK, "{offered}");
    let number = by_phone["matter"]["number"].as_str().expect("number");
    assert_eq!(offered.as_array().map(Vec::len), Some(1), "{offered}");
    assert_eq!(offered[0]["number"], number);
    let (status, _, body) = app.send(Method::POST, "/api/v1/me/claims", &auth, Some(json!({"number": number}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let link_number = by_link["matter"]["number"].as_str().expect("number");
    let key = by_link["private_key"].as_str().expect("a private key for the anonymous reporter");
    let wrong_key = json!({"number": link_number, "key": "szk_wrong"});
    let (status, _, body) = app.send(Method::POST, "/api/v1/me/claims", &auth, Some(wrong_key)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "matter_not_found");
    let claim = json!({"number": link_number, "key": key});
    let (status, _, body) = app.send(Method::POST, "/api/v1/me/claims", &auth, Some(claim.clone())).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _, body) = app.send(Method::POST, "/api/v1/me/claims", &auth, Some(claim)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "claimed once: {body}");

    let (status, _, mine) = app.send(Method::GET, "/api/v1/matters", &auth, None).await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    let mut numbers: Vec<&str> =
        mine["items"].as_array().expect("items").iter().filter_map(|m| m["number"].as_str()).collect();
    numbers.sort_unstable();
    let mut expected = vec![number, link_number];
    expected.sort_unstable();
    assert_eq!(numbers, expected, "both reports are the resident's now");

    // An optional password: then the account signs in by name too, once.
    let username = login["username"].as_str().expect("username");
    let weak = json!({"new_password": "short"});
    let (status, _, body) = app.send(Method::POST, "/api/v1/me/first-password", &auth, Some(weak)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let first = json!({"new_password": "Chunxi-Road-2027"});
    let (status, _, body) = app.send(Method::POST, "/api/v1/me/first-password", &auth, Some(first.clone())).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _, body) = app.send(Method::POST, "/api/v1/me/first-password", &auth, Some(first)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "only a first one: {body}");
    assert_error(&body, "password_exists");
    let by_name = json!({"username": username, "password": "Chunxi-Road-2027"});
    let (status, _, body) = app.send(Method::POST, "/api/v1/auth/login", &[], Some(by_name.clone())).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Deleting the account takes a fresh code.
    clock.set(now() + Duration::from_secs(61));
    assert_eq!(ask(&app, PHONE).await.0, StatusCode::OK);
    let (status, _, body) = app.send(Method::POST, "/api/v1/me/erase", &auth, Some(json!({"code": "12345"}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "invalid_code");
    let code = gw.last_code(PHONE);
    let (status, _, body) = app.send(Method::POST, "/api/v1/me/erase", &auth, Some(json!({"code": code}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _, _) = app.send(Method::GET, "/api/v1/me", &auth, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the sessions ended");
    let (status, _, _) = app.send(Method::POST, "/api/v1/auth/login", &[], Some(by_name)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the password is gone with the account");

    let dispatcher = app.app.store();
    for n in [number, link_number] {
        let m = dispatcher.matter_by_number(n).await.expect("read").expect("the matter stays");
        assert_eq!((m.reporter.name.as_deref(), m.reporter.phone.as_ref()), (None, None), "{n}");
        let events = dispatcher.matter_events(&m.id).await.expect("timeline");
        assert!(!events.is_empty(), "the timeline stays");
    }
    let dispatcher_token = app.bearer("dispatcher").await;
    let (status, _, shown) = app
        .send(
            Method::GET,
            &format!("/api/v1/matters/{}", by_phone["matter"]["id"].as_str().expect("id")),
            &[("authorization", &dispatcher_token)],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(shown["reporter_name"], "已注销用户", "staff see the reporter deleted the account: {shown}");
    assert!(shown["reporter_phone"].is_null() && !shown.to_string().contains(PHONE), "{shown}");
    let chains = shanzhi_app::matters::verify_matter_chains(app.app.app()).await.expect("verify");
    assert_eq!((chains.matters, chains.broken.len()), (2, 0), "every timeline's hash chain still verifies");
    let audit = shanzhi_app::access::verify_audit_chain(app.app.app()).await.expect("verify");
    assert_eq!(audit.broken_at, None, "and the audit chain");
    if shanzhi_testkit::backend() == shanzhi_testkit::TestBackend::Sqlite {
        // Closing checkpoints the write-ahead log into the file.
        app.app.store().close().await;
        let bytes = database_bytes(&app).expect("sqlite");
        assert_eq!(occurrences(&bytes, PHONE), 0, "the number is gone from the database file");
    }
}
