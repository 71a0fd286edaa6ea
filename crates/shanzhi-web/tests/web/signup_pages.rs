//! The residents' pages: `/signup` by phone (consent on the first sign-in),
//! `/account`, the claim from the tracking page, deletion, `/privacy`.

use std::sync::Arc;

use axum::http::{Method, StatusCode, header};
use shanzhi_app::timing::ManualClock;

use crate::signup_api::{Gateway, PHONE, now, world};
use crate::support::TestApi;

async fn form(app: &TestApi, uri: &str, cookie: &str, body: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let mut headers = vec![("content-type", "application/x-www-form-urlencoded")];
    if !cookie.is_empty() {
        headers.push(("cookie", cookie));
    }
    let (status, h, bytes) = app.send_raw(None, Method::POST, uri, &headers, body.as_bytes().to_vec()).await;
    (status, h, String::from_utf8_lossy(&bytes).into_owned())
}

async fn page(app: &TestApi, uri: &str, cookie: &str) -> (StatusCode, String) {
    let headers: Vec<(&str, &str)> = if cookie.is_empty() { vec![] } else { vec![("cookie", cookie)] };
    let (status, _, bytes) = app.send_raw(None, Method::GET, uri, &headers, Vec::new()).await;
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

fn csrf_of(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a csrf field") + "name=\"csrf\" value=\"".len();
    html[at..].split('"').next().expect("value").to_owned()
}

#[tokio::test]
async fn a_resident_signs_up_on_the_pages_claims_a_link_and_deletes_the_account() {
    let (gw, url) = Gateway::start().await;
    let clock = Arc::new(ManualClock::new(now()));
    let app = world(&url, clock.clone()).await;

    let (status, login) = page(&app, "/login", "").await;
    assert_eq!(status, StatusCode::OK);
    assert!(login.contains("href=\"/signup\"") && login.contains("手机验证码登录"), "a path beside the password");
    let (status, privacy) = page(&app, "/privacy", "").await;
    assert_eq!(status, StatusCode::OK);
    for part in ["处理目的", "保存期限", "谁能看到", "撤回同意", "注销", "联系我们"] {
        assert!(privacy.contains(part), "the notice says {part}");
    }

    // An anonymous report with its private link, to claim later.
    let body = serde_json::json!({"category": "0110", "lng": 104.072, "lat": 30.652, "crs": "wgs84",
                                  "description": "井盖松动", "channel": "resident"});
    let (status, _, made) = app.send(Method::POST, "/api/v1/matters", &[], Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let number = made["matter"]["number"].as_str().expect("number").to_owned();
    let key = made["private_key"].as_str().expect("key").to_owned();

    let (status, _, sent) = form(&app, "/signup/code", "", &format!("phone={PHONE}")).await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    assert!(
        sent.contains("name=\"consent\"") && sent.contains("href=\"/privacy\""),
        "a first sign-in asks for consent"
    );
    let code = gw.last_code(PHONE);
    let (status, _, refused) = form(&app, "/signup", "", &format!("phone={PHONE}&code={code}&first=1")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no consent, no account");
    assert!(refused.contains("个人信息保护说明") && refused.contains("name=\"consent\""), "asked again");
    let (status, headers, _) =
        form(&app, "/signup", "", &format!("phone={PHONE}&code={code}&first=1&consent=yes")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/account");
    let set = headers[header::SET_COOKIE].to_str().expect("cookie");
    let cookie = set.split(';').next().expect("pair").to_owned();

    let (status, account) = page(&app, "/account", &cookie).await;
    assert_eq!(status, StatusCode::OK, "{account}");
    assert!(account.contains("我的账号") && account.contains("注销账号"));
    assert!(account.contains("id=\"my-username\">r-"), "the user name for a later password sign-in");
    let csrf = csrf_of(&account);
    let (status, headers, _) =
        form(&app, "/account/password", &cookie, &format!("csrf={csrf}&password=Chunxi-Road-2027")).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "an optional first password");
    assert_eq!(headers[header::LOCATION], "/account");

    let (status, track) = page(&app, &format!("/track?number={number}&key={key}"), &cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(track.contains("id=\"claim-form\""), "a signed-in resident may claim the linked report");
    let claim = format!("csrf={csrf}&number={number}&key={key}");
    let (status, _, body) = form(&app, "/account/claim", &cookie, "csrf=wrong&number=x").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, headers, _) = form(&app, "/account/claim", &cookie, &claim).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], format!("/track?number={number}").as_str());
    let (_, track) = page(&app, "/track", &cookie).await;
    assert!(track.contains(&format!("/track?number={number}")), "listed among my reports");

    clock.set(now() + std::time::Duration::from_secs(61));
    let (status, headers, _) = form(&app, "/account/erase-code", &cookie, &format!("csrf={csrf}")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/account?sent=1");
    let (status, _, body) = form(&app, "/account/erase", &cookie, &format!("csrf={csrf}&code=000000x")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let code = gw.last_code(PHONE);
    let (status, headers, _) = form(&app, "/account/erase", &cookie, &format!("csrf={csrf}&code={code}")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(headers[header::SET_COOKIE].to_str().expect("cookie").contains("Max-Age=0"), "signed out");
    let (status, _) = page(&app, "/account", &cookie).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "the session is over");
    let m = app.app.store().matter_by_number(&number).await.expect("read").expect("the matter stays");
    assert!(m.reporter.user_id.is_some(), "still linked to the (erased) account id");
}
