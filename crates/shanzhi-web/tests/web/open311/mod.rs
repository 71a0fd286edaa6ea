//! Open311 GeoReport v2 conformance: every endpoint in JSON and XML, every
//! error case of the spec, snapshots of the bodies (`tests/snapshots`), and
//! "nothing is created" after each refused post. The clock is fixed so that
//! numbers, datetimes and deadlines in the snapshots are stable; ids and the
//! discovery changeset are masked.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use shanzhi_app::timing::ManualClock;
use shanzhi_domain::Role;
use shanzhi_store::{MatterQuery, MatterScope};
use shanzhi_testkit::{TestApp, one_grid_community};
use shanzhi_web::HttpOptions;
use tower::ServiceExt;

use crate::support::TestApi;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

struct World {
    api: TestApi,
    /// An API token of a resident (posts) and of a town dispatcher.
    resident_key: String,
    dispatcher_key: String,
}

struct Answer {
    status: StatusCode,
    content_type: String,
    text: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

/// 2026-11-27 (a Friday) 10:00 in Chengdu.
fn noon() -> jiff::Timestamp {
    "2026-11-27T02:00:00Z".parse().expect("time")
}

async fn world() -> World {
    let app = TestApp::new()
        .with_clock(Arc::new(ManualClock::new(noon())))
        .with_features(one_grid_community("510104022006", 104.07, 30.65))
        .with_categories()
        .with_department("510104-chengguan", "锦江区城管局")
        .with_accounts(&[("dispatcher", Role::Dispatcher, Some("510104022")), ("resident", Role::Resident, None)]);
    let limits = HttpOptions {
        body_bytes: 1024 * 1024,
        timeout: Duration::from_secs(10),
        public_url: "http://shanzhi.test".to_owned(),
        ..HttpOptions::default()
    };
    let api = TestApi::start_with(app, limits).await;
    let resident_key = api.app.operator().create_api_token("resident", "open311").await.expect("token").token;
    let dispatcher_key = api.app.operator().create_api_token("dispatcher", "open311").await.expect("token").token;
    World { api, resident_key, dispatcher_key }
}

impl World {
    async fn call(&self, method: Method, uri: &str, content_type: Option<&str>, body: Vec<u8>) -> Answer {
        let mut r = Request::builder().method(method).uri(uri).header(header::HOST, "shanzhi.test");
        if let Some(t) = content_type {
            r = r.header(header::CONTENT_TYPE, t);
        }
        let response =
            self.api.router.clone().oneshot(r.body(Body::from(body)).expect("request")).await.expect("response");
        let status = response.status();
        let content_type =
            response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.expect("body");
        Answer { status, content_type, text: String::from_utf8_lossy(&bytes).into_owned() }
    }

    async fn get(&self, uri: &str) -> Answer {
        let a = self.call(Method::GET, uri, None, Vec::new()).await;
        check_format(uri, &a);
        a
    }

    async fn post(&self, uri: &str, form: &[(&str, &str)]) -> Answer {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let a = self.call(Method::POST, uri, Some("application/x-www-form-urlencoded"), body.into_bytes()).await;
        check_format(uri, &a);
        a
    }

    async fn post_multipart(&self, uri: &str, form: &[(&str, &str)], media: &[u8]) -> Answer {
        let boundary = "----shanzhi-boundary";
        let mut body = Vec::new();
        for (k, v) in form {
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").bytes());
        }
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"media\"; filename=\"p.png\"\r\nContent-Type: image/png\r\n\r\n"
            )
            .bytes(),
        );
        body.extend(media);
        body.extend(format!("\r\n--{boundary}--\r\n").bytes());
        let kind = format!("multipart/form-data; boundary={boundary}");
        let a = self.call(Method::POST, uri, Some(&kind), body).await;
        check_format(uri, &a);
        a
    }

    /// Matters and attachment-bearing events in the store.
    async fn stored(&self) -> (usize, usize) {
        let q = MatterQuery {
            scope: MatterScope { everything: true, ..MatterScope::default() },
            limit: 1000,
            ..MatterQuery::default()
        };
        let store = self.api.app.store();
        let matters = store.matters(&q).await.expect("matters");
        let ids: Vec<shanzhi_domain::MatterId> = matters.iter().map(|m| m.id.clone()).collect();
        (matters.len(), store.attachment_ids(&ids).await.expect("attachments").len())
    }

    fn key(&self) -> String {
        self.resident_key.clone()
    }
}

/// Content type by suffix, UTF-8, the XML declaration.
fn check_format(uri: &str, a: &Answer) {
    let path = uri.split('?').next().unwrap_or(uri);
    if path.ends_with(".json") {
        assert_eq!(a.content_type, "application/json; charset=utf-8", "{uri}");
        let _ = a.json();
    } else if path.ends_with(".xml") {
        assert_eq!(a.content_type, "text/xml; charset=utf-8", "{uri}");
        assert!(a.text.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"), "{uri}: {}", a.text);
    }
}

/// The spec's error list, in either format, with Chinese and English.
fn assert_errors(a: &Answer, status: StatusCode) {
    assert_eq!(a.status, status, "{}", a.text);
    let description = if a.content_type.starts_with("application/json") {
        let v = a.json();
        let list = v.as_array().expect("errors are a list");
        assert_eq!(list[0]["code"], json!(status.as_u16()), "{v}");
        list[0]["description"].as_str().expect("description").to_owned()
    } else {
        assert!(a.text.contains("<errors><error><code>"), "{}", a.text);
        assert!(a.text.contains(&format!("<code>{}</code>", status.as_u16())), "{}", a.text);
        a.text.clone()
    };
    assert!(description.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "Chinese: {description}");
    assert!(description.contains(" / "), "then English: {description}");
}

/// Snapshot a body with tokens (UUIDs) and the changeset masked, in
/// `tests/snapshots/{name}.snap`.
fn snapshot(name: &str, text: &str) {
    // Pretty-printed with the fields in the order they came.
    let pretty = if text.starts_with('<') {
        text.replace("><", ">\n<")
    } else {
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(&mut out, serde_json::ser::PrettyFormatter::new());
        let mut de = serde_json::Deserializer::from_str(text);
        serde_transcode::transcode(&mut de, &mut ser).expect("JSON");
        String::from_utf8(out).expect("UTF-8")
    };
    insta::with_settings!({
        filters => vec![
            (r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "[uuid]"),
            (r#"("changeset": |<changeset>)"?[0-9T:+\-]{25}"?"#, "$1[changeset]"),
        ],
        snapshot_path => "../../snapshots",
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(name, pretty);
    });
}

async fn post_one(w: &World, extra: &[(&str, &str)]) -> Value {
    let key = w.key();
    let mut form = vec![("api_key", key.as_str()), ("lat", "30.655"), ("long", "104.075")];
    form.extend_from_slice(extra);
    let a = w.post("/open311/v2/requests.json", &form).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    a.json()[0].clone()
}

#[tokio::test]
async fn discovery_is_served_at_three_places_in_both_formats() {
    let w = world().await;
    for base in ["", "/open311", "/open311/v2"] {
        let j = w.get(&format!("{base}/discovery.json")).await;
        assert_eq!(j.status, StatusCode::OK);
        let v = j.json();
        assert_eq!(v["endpoints"][0]["url"], "http://shanzhi.test/open311/v2");
        assert_eq!(v["endpoints"][0]["formats"], json!(["text/xml", "application/json"]));
        let x = w.get(&format!("{base}/discovery.xml")).await;
        assert!(x.text.contains("<formats><format>text/xml</format><format>application/json</format></formats>"));
    }
    snapshot("discovery_json", &w.get("/open311/v2/discovery.json").await.text);
    snapshot("discovery_xml", &w.get("/open311/v2/discovery.xml").await.text);
}

#[tokio::test]
async fn services_and_definitions() {
    let w = world().await;
    let j = w.get("/open311/v2/services.json").await;
    assert_eq!(j.status, StatusCode::OK);
    let list = j.json();
    let list = list.as_array().expect("a bare array");
    assert!(list.iter().all(|s| s["service_code"].is_string() && s["type"] == "realtime"));
    assert!(list.iter().all(|s| s["service_code"] != "01"), "major classes are not services");
    let hazard = list.iter().find(|s| s["service_code"] == "ZZ.0201").expect("fire hazard");
    assert_eq!(hazard["metadata"], true);
    assert_eq!(hazard["group"], "综治事项");
    snapshot("services_json", &j.text);
    snapshot("services_xml", &w.get("/open311/v2/services.xml").await.text);

    // The six datatypes, in order, with list values.
    let d = w.get("/open311/v2/services/ZZ.0201.json").await;
    assert_eq!(d.status, StatusCode::OK);
    let types: Vec<String> =
        d.json()["attributes"].as_array().expect("list").iter().map(|a| a["datatype"].to_string()).collect();
    assert_eq!(
        types,
        ["\"singlevaluelist\"", "\"multivaluelist\"", "\"datetime\"", "\"number\"", "\"string\"", "\"text\""]
    );
    snapshot("definition_json", &d.text);
    snapshot("definition_xml", &w.get("/open311/v2/services/ZZ.0201.xml").await.text);
    // A service without attributes still has a (empty) definition.
    assert_eq!(w.get("/open311/v2/services/12345.zixun.json").await.json()["attributes"], json!([]));
    for bad in ["/open311/v2/services/9999.json", "/open311/v2/services/01.xml", "/open311/v2/services/%20.json"] {
        assert_errors(&w.get(bad).await, StatusCode::NOT_FOUND);
    }
    assert_errors(&w.get("/open311/v2/services.json?jurisdiction_id=999999").await, StatusCode::NOT_FOUND);
    assert_eq!(w.get("/open311/v2/services.json?jurisdiction_id=510104").await.status, StatusCode::OK);
    assert_eq!(w.get("/open311/v2/services.json?jurisdiction_id=").await.status, StatusCode::OK, "empty = absent");
}

#[tokio::test]
async fn posting_in_every_form_and_reading_back() {
    let w = world().await;
    let key = w.key();
    // Form-encoded, JSON answer.
    let posted = post_one(
        &w,
        &[("service_code", "0101"), ("description", "井盖缺失"), ("first_name", "三"), ("last_name", "张")],
    )
    .await;
    let id = posted["service_request_id"].as_str().expect("id").to_owned();
    assert_eq!(id, "510104-20261127-000001");
    assert!(posted["service_notice"].as_str().expect("notice").contains("处置时限 3 个工作日"));
    // XML answer.
    let x = w
        .post(
            "/open311/v2/requests.xml",
            &[("api_key", &key), ("service_code", "0101"), ("address_id", "510104022006001"), ("description", "路灯")],
        )
        .await;
    assert_eq!(x.status, StatusCode::CREATED, "{}", x.text);
    assert!(
        x.text.contains("<service_requests><request><service_request_id>510104-20261127-000002</service_request_id>")
    );
    snapshot("posted_xml", &x.text);
    // Multipart with a photo; the api_key in the query string; every attribute type.
    let m = w
        .post_multipart(
            &format!("/open311/v2/requests.json?api_key={key}"),
            &[
                ("service_code", "ZZ.0201"),
                ("lat", "30.655"),
                ("long", "104.075"),
                ("description", "楼道里电动车充电"),
                ("attribute[hazard_level]", "major"),
                ("attribute[hazard_sources][]", "ebike"),
                ("attribute[hazard_sources][]", "exit_blocked"),
                ("attribute[observed_at]", "2026-11-27T09:30:00+08:00"),
                ("attribute[people_at_risk]", "12"),
                ("attribute[landmark]", "3 栋 2 单元"),
                ("attribute[details]", "晚上常有人充电"),
                ("attribute[fixmystreet_id]", "42"),
                ("media_url", "http://example.org/a.jpg"),
                ("media_url", "http://example.org/b.jpg"),
            ],
            PNG,
        )
        .await;
    assert_eq!(m.status, StatusCode::CREATED, "{}", m.text);
    snapshot("posted_json", &m.text);
    let hazard = m.json()[0]["service_request_id"].as_str().expect("id").to_owned();
    assert_eq!(w.stored().await, (3, 1), "three requests, one photo");
    // The answers are kept with the report (datetimes in UTC).
    let token = m.json()[0]["token"].as_str().expect("token").to_owned();
    let events =
        w.api.app.store().matter_events(&shanzhi_domain::MatterId::parse(&token).expect("id")).await.expect("events");
    let details: Value = serde_json::from_str(&events[0].body).expect("json");
    assert_eq!(details["attributes"]["hazard_sources"], json!(["ebike", "exit_blocked"]));
    assert_eq!(details["attributes"]["observed_at"], "2026-11-27T01:30:00Z");
    assert_eq!(details["attributes"]["people_at_risk"], json!(12.0));
    assert_eq!(details["links"], json!(["http://example.org/a.jpg", "http://example.org/b.jpg"]), "media_url kept");
    // By address only: the community named in it.
    let a = w
        .post(
            "/open311/v2/requests.json",
            &[("api_key", &key), ("service_code", "0101"), ("address_string", "成都市锦江区总府路社区 2 号")],
        )
        .await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let by_address = a.json()[0]["service_request_id"].as_str().expect("id").to_owned();
    let read = w.get(&format!("/open311/v2/requests/{by_address}.json")).await.json();
    assert_eq!(read[0]["address_id"], "510104022006000", "the community's grid");
    assert_eq!(read[0]["address"], "成都市锦江区总府路社区 2 号");

    // Read back: a one-element list in JSON, a request element in XML.
    let one = w.get(&format!("/open311/v2/requests/{id}.json")).await;
    assert_eq!(one.status, StatusCode::OK);
    let v = one.json();
    assert_eq!(v.as_array().map(Vec::len), Some(1));
    assert_eq!(v[0]["service_code"], "0101");
    assert_eq!(v[0]["status"], "open");
    assert_eq!(v[0]["address_id"], "510104022006001");
    assert!(v[0].get("extended_attributes").is_none(), "extensions only when asked");
    snapshot("request_json", &one.text);
    snapshot("request_xml", &w.get(&format!("/open311/v2/requests/{id}.xml")).await.text);
    // The safety line is not public: only the reporter (or the scope) reads it.
    assert_errors(&w.get(&format!("/open311/v2/requests/{hazard}.json")).await, StatusCode::NOT_FOUND);
    let own = w.get(&format!("/open311/v2/requests/{hazard}.json?api_key={key}")).await.json();
    let photo = own[0]["media_url"].as_str().expect("media url").to_owned();
    assert!(photo.starts_with("http://shanzhi.test/open311/v2/media/"), "{photo}");
    let path = photo.trim_start_matches("http://shanzhi.test");
    let anonymous = w.call(Method::GET, path, None, Vec::new()).await;
    assert_eq!(anonymous.status, StatusCode::NOT_FOUND, "a hazard's photo is not public");
    let shown = w.call(Method::GET, &format!("{path}?api_key={key}"), None, Vec::new()).await;
    assert_eq!((shown.status, shown.content_type.as_str()), (StatusCode::OK, "image/png"));
    // Tokens resolve to the id.
    let t = w.get(&format!("/open311/v2/tokens/{}.json", posted["token"].as_str().expect("token"))).await;
    assert_eq!(t.json()[0]["service_request_id"], id);
    snapshot("token_json", &t.text);
    let t = w.get(&format!("/open311/v2/tokens/{}.xml", posted["token"].as_str().expect("t"))).await;
    assert!(t.text.contains(&id));
    snapshot("token_xml", &t.text);
    assert_errors(&w.get("/open311/v2/tokens/nope.json").await, StatusCode::NOT_FOUND);
    assert_errors(&w.get("/open311/v2/requests/510104-20261127-999999.json").await, StatusCode::NOT_FOUND);
    assert_errors(&w.get("/open311/v2/requests/510104-20261127-999999.xml").await, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn refused_posts_get_the_spec_errors_and_create_nothing() {
    let w = world().await;
    let key = w.key();
    let good = |extra: &[(&'static str, &'static str)]| {
        let mut f: Vec<(&str, String)> =
            vec![("service_code", "0101".into()), ("lat", "30.655".into()), ("long", "104.075".into())];
        for (k, v) in extra {
            f.retain(|(n, _)| n != k);
            f.push((k, (*v).to_owned()));
        }
        f
    };
    let long = "长".repeat(4001);
    // (form, with the resident's api_key, expected status)
    type Case<'a> = (Vec<(&'a str, String)>, bool, StatusCode);
    let cases: Vec<Case> = vec![
        (good(&[]), false, StatusCode::FORBIDDEN),                         // no api_key
        (good(&[("api_key", "szt_wrong")]), false, StatusCode::FORBIDDEN), // wrong api_key
        (good(&[("service_code", "")]), true, StatusCode::BAD_REQUEST),
        (good(&[("service_code", "9999")]), true, StatusCode::NOT_FOUND),
        (good(&[("lat", ""), ("long", "")]), true, StatusCode::BAD_REQUEST), // no location
        (good(&[("long", "")]), true, StatusCode::BAD_REQUEST),              // lat without long
        (good(&[("lat", "north")]), true, StatusCode::BAD_REQUEST),
        (good(&[("lat", "0"), ("long", "0")]), true, StatusCode::BAD_REQUEST), // outside every grid
        (good(&[("address_id", "510104022006099"), ("lat", ""), ("long", "")]), true, StatusCode::BAD_REQUEST),
        (good(&[("address_string", "火星"), ("lat", ""), ("long", "")]), true, StatusCode::BAD_REQUEST),
        (good(&[("jurisdiction_id", "999999")]), true, StatusCode::NOT_FOUND),
        (good(&[("jurisdiction_id", "510105")]), true, StatusCode::BAD_REQUEST), // 青羊区: outside
        (good(&[("phone", "12")]), true, StatusCode::BAD_REQUEST),
        (good(&[("media_url", "javascript:alert(1)")]), true, StatusCode::BAD_REQUEST),
        (good(&[("service_code", "ZZ.0201")]), true, StatusCode::BAD_REQUEST), // required attribute missing
        (good(&[("service_code", "ZZ.0201"), ("attribute[hazard_level]", "huge")]), true, StatusCode::BAD_REQUEST),
        (
            good(&[
                ("service_code", "ZZ.0201"),
                ("attribute[hazard_level]", "major"),
                ("attribute[people_at_risk]", "many"),
            ]),
            true,
            StatusCode::BAD_REQUEST,
        ),
        (
            good(&[
                ("service_code", "ZZ.0201"),
                ("attribute[hazard_level]", "major"),
                ("attribute[observed_at]", "昨天"),
            ]),
            true,
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (i, (mut form, with_key, status)) in cases.into_iter().enumerate() {
        if with_key {
            form.push(("api_key", key.clone()));
        }
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        for suffix in ["json", "xml"] {
            let a = w.post(&format!("/open311/v2/requests.{suffix}"), &pairs).await;
            assert_errors(&a, status);
            assert_eq!(a.status, status, "case {i} ({suffix}): {pairs:?}");
        }
        // The same refused post with a photo stores no photo.
        let a = w.post_multipart("/open311/v2/requests.json", &pairs, PNG).await;
        assert_eq!(a.status, status, "case {i} multipart");
    }
    let a = w
        .post(
            "/open311/v2/requests.json",
            &[
                ("api_key", &key),
                ("service_code", "0101"),
                ("lat", "30.655"),
                ("long", "104.075"),
                ("description", &long),
            ],
        )
        .await;
    assert_errors(&a, StatusCode::BAD_REQUEST);
    let a = w
        .post_multipart(
            "/open311/v2/requests.json",
            &[("api_key", &key), ("service_code", "0101"), ("lat", "30.655"), ("long", "104.075")],
            b"%PDF-1.7",
        )
        .await;
    assert_errors(&a, StatusCode::BAD_REQUEST);
    assert_eq!(w.stored().await, (0, 0), "nothing was created");
    snapshot("error_json", &w.post("/open311/v2/requests.json", &[("service_code", "0101")]).await.text);
    snapshot("error_xml", &w.post("/open311/v2/requests.xml", &[("service_code", "0101")]).await.text);
}

#[tokio::test]
async fn listing_follows_every_filter_of_the_spec() {
    let w = world().await;
    let a = post_one(&w, &[("service_code", "0101"), ("description", "第一件")]).await;
    let b = post_one(&w, &[("service_code", "0102"), ("description", "第二件")]).await;
    let (a_id, b_id) = (a["service_request_id"].as_str().expect("a"), b["service_request_id"].as_str().expect("b"));
    let ids = |v: Value| -> Vec<String> {
        v.as_array().expect("list").iter().map(|r| r["service_request_id"].as_str().expect("id").to_owned()).collect()
    };
    let all = w.get("/open311/v2/requests.json").await;
    assert_eq!(ids(all.json()), [b_id, a_id], "newest first, the last 90 days by default");
    snapshot("requests_json", &all.text);
    snapshot("requests_xml", &w.get("/open311/v2/requests.xml").await.text);
    assert_eq!(ids(w.get("/open311/v2/requests.json?service_code=0102").await.json()), [b_id]);
    assert_eq!(ids(w.get("/open311/v2/requests.json?service_code=0101,0102").await.json()), [b_id, a_id]);
    assert_eq!(ids(w.get("/open311/v2/requests.json?status=closed").await.json()), Vec::<String>::new());
    assert_eq!(ids(w.get("/open311/v2/requests.json?status=open").await.json()), [b_id, a_id]);
    assert_eq!(
        ids(w.get("/open311/v2/requests.json?status=&service_code=").await.json()),
        [b_id, a_id],
        "empty = absent"
    );
    // service_request_id overrides every other filter.
    let q = format!("/open311/v2/requests.json?service_request_id={a_id},{b_id}&status=closed&service_code=0102");
    assert_eq!(ids(w.get(&q).await.json()).len(), 2);
    // Dates: inside, outside, over 90 days, malformed, backwards.
    let inside = "/open311/v2/requests.json?start_date=2026-11-27T00:00:00%2B08:00&end_date=2026-11-28T00:00:00Z";
    assert_eq!(ids(w.get(inside).await.json()).len(), 2);
    assert!(ids(w.get("/open311/v2/requests.json?end_date=2026-11-01T00:00:00Z").await.json()).is_empty());
    for bad in [
        "/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-11-27T00:00:00Z",
        "/open311/v2/requests.xml?start_date=tomorrow",
        "/open311/v2/requests.json?start_date=2026-11-27T00:00:00Z&end_date=2026-11-01T00:00:00Z",
        "/open311/v2/requests.json?status=pending",
        "/open311/v2/requests.json?page=0",
        "/open311/v2/requests.json?page_size=5000",
        "/open311/v2/requests.json?page=x",
    ] {
        assert_errors(&w.get(bad).await, StatusCode::BAD_REQUEST);
    }
    assert_errors(&w.get("/open311/v2/requests.json?jurisdiction_id=510199").await, StatusCode::NOT_FOUND);
    assert_eq!(ids(w.get("/open311/v2/requests.json?jurisdiction_id=510104").await.json()).len(), 2);
    assert!(ids(w.get("/open311/v2/requests.json?jurisdiction_id=510105").await.json()).is_empty());
    // Extensions: pages, updated_after, extensions=true.
    assert_eq!(ids(w.get("/open311/v2/requests.json?page_size=1").await.json()), [b_id]);
    assert_eq!(ids(w.get("/open311/v2/requests.json?page_size=1&page=2").await.json()), [a_id]);
    assert_eq!(ids(w.get("/open311/v2/requests.json?count=1").await.json()), [b_id], "three's count");
    assert!(ids(w.get("/open311/v2/requests.json?updated_after=2026-11-27T03:00:00Z").await.json()).is_empty());
    assert_eq!(ids(w.get("/open311/v2/requests.json?updated_after=2026-11-27T01:00:00Z").await.json()).len(), 2);
    let ext = w.get(&format!("/open311/v2/requests/{a_id}.json?extensions=true")).await.json();
    assert_eq!(ext[0]["extended_attributes"]["detailed_status"], "reported");
    assert_eq!(ext[0]["notes"][0]["type"], "submitted");
    assert!(w.get("/open311/v2/requests.xml?extensions=true").await.text.contains("<notes><note><datetime>"));
}

#[tokio::test]
async fn closed_only_after_verification_and_the_updates_feed() {
    let w = world().await;
    let posted = post_one(&w, &[("service_code", "0101"), ("description", "井盖缺失")]).await;
    let id = posted["service_request_id"].as_str().expect("id").to_owned();
    let op = w.api.app.operator().scoped("test");
    let status = || async { w.get(&format!("/open311/v2/requests/{id}.json")).await.json()[0].clone() };
    for (command, args) in [
        ("accept", Value::Null),
        ("dispatch", json!({"to": {"kind": "department", "code": "510104-chengguan"}})),
        ("sign", Value::Null),
        ("respond", json!({"text": "已更换井盖"})),
    ] {
        op.command(&id, command, args).await.expect(command);
        assert_eq!(status().await["status"], "open", "still open after {command}");
    }
    let now = status().await;
    assert_eq!(now["agency_responsible"], "锦江区城管局");
    assert_eq!(now["service_notice"], "核查时限 1 个工作日");
    assert!(now["expected_datetime"].as_str().is_some_and(|d| d.ends_with("+08:00")), "{now}");
    op.command(&id, "verify", json!({"passed": true, "note": "现场核查合格"})).await.expect("verify");
    assert_eq!(status().await["status"], "closed");

    let feed = w.get("/open311/v2/servicerequestupdates.json?start_date=2026-11-27T00:00:00%2B08:00").await;
    assert_eq!(feed.status, StatusCode::OK, "{}", feed.text);
    let updates = feed.json();
    let statuses: Vec<&str> =
        updates.as_array().expect("list").iter().map(|u| u["status"].as_str().expect("status")).collect();
    assert_eq!(statuses, ["open", "open", "action_scheduled", "in_progress", "investigating", "fixed"]);
    assert_eq!(updates[4]["description"], "已更换井盖");
    assert_eq!(updates[0]["update_id"], format!("{id}.1"));
    snapshot("updates_json", &feed.text);
    snapshot("updates_xml", &w.get("/open311/v2/servicerequestupdates.xml?start_date=2026-11-27").await.text);
    let page = w.get("/open311/v2/servicerequestupdates.json?start_date=2026-11-27&page_size=2&page=3").await.json();
    assert_eq!(page.as_array().map(Vec::len), Some(2));
    assert_eq!(page[1]["status"], "fixed");
    assert_errors(
        &w.get("/open311/v2/servicerequestupdates.json?start_date=2026-01-01&end_date=2026-11-27").await,
        StatusCode::BAD_REQUEST,
    );
}

#[tokio::test]
async fn scoped_keys_read_more_and_bad_urls_are_refused() {
    let w = world().await;
    let hazard = post_one(&w, &[("service_code", "ZZ.0101"), ("description", "邻里纠纷")]).await;
    let hazard = hazard["service_request_id"].as_str().expect("id").to_owned();
    let dispute_line = w.get("/open311/v2/requests.json").await.json();
    assert!(dispute_line.as_array().expect("list").is_empty(), "disputes are not on the public development line");
    let with_scope = w.get(&format!("/open311/v2/requests.json?api_key={}", w.dispatcher_key)).await.json();
    assert_eq!(with_scope[0]["service_request_id"], hazard.as_str(), "the town dispatcher's scope covers it");
    assert_errors(&w.get("/open311/v2/requests.json?api_key=szt_nope").await, StatusCode::FORBIDDEN);
    // Bad suffixes (400, XML) and unknown resources (404).
    for bad in ["/open311/v2/services.html", "/open311/v2/services", "/open311/v2/requests/1.txt"] {
        let a = w.call(Method::GET, bad, None, Vec::new()).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(a.text.starts_with("<?xml") && a.text.contains("<errors>"), "{}", a.text);
    }
    assert_errors(&w.get("/open311/v2/nothing.json").await, StatusCode::NOT_FOUND);
    assert_errors(&w.get("/open311/v2/things/1.json").await, StatusCode::NOT_FOUND);
    assert_errors(&w.post("/open311/v2/services.json", &[]).await, StatusCode::NOT_FOUND);
}

mod updates;
