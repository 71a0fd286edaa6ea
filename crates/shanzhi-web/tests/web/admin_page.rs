//! The admin page's staff list (#15): everyone with an assignment in the
//! administrator's division, by name and with their scopes' names; find by
//! username or name; disable, enable and reset a password from the list (the
//! new password shown once on the answer, never in a URL).

use axum::http::{Method, StatusCode};
use regex::Regex;
use shanzhi_domain::Role;
use shanzhi_testkit::{PASSWORD, TestApp};

use crate::support::TestApi;
use crate::ui::{Answer, call};

async fn world() -> TestApi {
    TestApi::start(
        TestApp::new().with_grid().with_categories().with_department("510104-chengguan", "锦江区城管局").with_accounts(
            &[
                ("a_admin", Role::Admin, Some("510104")),
                ("a_dispatcher", Role::Dispatcher, Some("510104022")),
                ("a_dept", Role::DeptHandler, Some("510104-chengguan")),
            ],
        ),
    )
    .await
}

async fn admin(api: &TestApi) -> String {
    sign_in(api, "a_admin").await
}

/// Post one of the list's forms (multipart, with the page's CSRF token).
async fn act(
    api: &TestApi,
    cookie: &str,
    page: &Answer,
    section: &str,
    username: &str,
) -> (StatusCode, String, String) {
    post_form(api, cookie, page, &format!("/admin/{section}"), &[("username", username)]).await
}

/// Post a form of `page` to `uri` as a browser does (multipart, with the
/// page's CSRF token): the status, the redirect's target and the body.
pub async fn post_form(
    api: &TestApi,
    cookie: &str,
    page: &Answer,
    uri: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let csrf =
        Regex::new(r#"name="csrf" value="([^"]+)""#).expect("regex").captures(&page.body).expect("csrf")[1].to_owned();
    let mut body = format!("--X\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n");
    for (name, value) in fields {
        body.push_str(&format!("--X\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"));
    }
    body.push_str("--X--\r\n");
    let headers = [("cookie", cookie), ("content-type", "multipart/form-data; boundary=X")];
    let (status, headers, bytes) = api.send_raw(None, Method::POST, uri, &headers, body.into_bytes()).await;
    let location = headers.get("location").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    (status, location, String::from_utf8_lossy(&bytes).into_owned())
}

/// Sign in through the login form; the session cookie.
pub async fn sign_in(api: &TestApi, username: &str) -> String {
    let form = format!("username={username}&password={PASSWORD}&next=%2Fadmin");
    let a = call(api, Method::POST, "/login", "", Some(&form)).await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    a.cookie.split(';').next().expect("cookie").to_owned()
}

#[tokio::test]
async fn the_staff_list_names_people_and_scopes_and_acts_on_an_account() {
    let api = world().await;
    let cookie = admin(&api).await;
    let page = call(&api, Method::GET, "/admin", &cookie, None).await;
    assert_eq!(page.status, StatusCode::OK);
    let staff = page.body.split("id=\"staff\"").nth(1).expect("the list").split("</table>").next().expect("end");
    assert!(staff.contains("a_dispatcher") && staff.contains("a_dept"), "{staff}");
    assert!(staff.contains("锦江区城管局"), "a department scope by name: {staff}");
    assert!(!staff.contains("510104-chengguan"), "not by code: {staff}");
    let found = call(&api, Method::GET, "/admin?q=dept", &cookie, None).await;
    let listed = found.body.split("id=\"staff\"").nth(1).expect("the list");
    assert!(listed.contains("a_dept") && !listed.contains("a_dispatcher"), "found by username");

    let (status, location, _) = act(&api, &cookie, &page, "disable", "a_dept").await;
    assert_eq!((status, location.starts_with("/admin?done=")), (StatusCode::SEE_OTHER, true));
    let dept = format!("username=a_dept&password={PASSWORD}&next=%2Ftasks");
    assert_ne!(call(&api, Method::POST, "/login", "", Some(&dept)).await.status, StatusCode::SEE_OTHER, "disabled");
    let after = call(&api, Method::GET, "/admin?q=a_dept", &cookie, None).await;
    assert!(after.body.contains("已停用"), "the list says so");
    let (status, _, _) = act(&api, &cookie, &after, "enable", "a_dept").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(call(&api, Method::POST, "/login", "", Some(&dept)).await.status, StatusCode::SEE_OTHER, "enabled");

    let (status, location, body) = act(&api, &cookie, &after, "reset", "a_dept").await;
    assert_eq!(status, StatusCode::OK, "the new password is on the answer itself");
    assert!(location.is_empty(), "never in a redirect");
    let password =
        Regex::new(r"新密码（仅此一次显示）：(\S+?)<").expect("regex").captures(&body).expect("shown")[1].to_owned();
    let login = format!(
        "username=a_dept&password={}&next=%2Ftasks",
        url::form_urlencoded::byte_serialize(password.as_bytes()).collect::<String>()
    );
    assert_eq!(call(&api, Method::POST, "/login", "", Some(&login)).await.status, StatusCode::SEE_OTHER);
}
