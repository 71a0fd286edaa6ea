//! `POST servicerequestupdates` (the mySociety extension FixMyStreet posts
//! with): a partner's update becomes one note on the timeline and one entry
//! of the updates feed, however often it is posted; refusals change nothing.

use axum::http::StatusCode;

use super::{World, assert_errors, post_one, world};

const FEED: &str = "/open311/v2/servicerequestupdates.json?start_date=2026-11-27";

async fn posted_request(w: &World) -> String {
    let posted = post_one(w, &[("service_code", "0101"), ("description", "井盖缺失")]).await;
    posted["service_request_id"].as_str().expect("id").to_owned()
}

/// The commands on the request's timeline, in order.
async fn timeline(w: &World, id: &str) -> Vec<String> {
    let op = w.api.app.operator().scoped("test");
    op.timeline(id).await.expect("timeline").into_iter().map(|e| e.command).collect()
}

#[tokio::test]
async fn a_partners_update_posted_twice_is_noted_once_on_the_timeline_and_in_the_feed() {
    let w = world().await;
    let id = posted_request(&w).await;
    let key = w.key();
    let form = [
        ("api_key", key.as_str()),
        ("service_request_id", id.as_str()),
        ("update_id", "fms-4711"),
        ("status", "OPEN"),
        ("updated_datetime", "2026-11-27T10:30:00+08:00"),
        ("description", "井盖周围又塌了一块"),
        ("first_name", "张"),
        ("email", "zhang@example.org"),
    ];
    let first = w.post("/open311/v2/servicerequestupdates.json", &form).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text);
    let ours = first.json()[0]["update_id"].as_str().expect("our id").to_owned();
    assert_eq!(ours, format!("{id}.2"), "the feed's name for the entry");

    let again = w.post("/open311/v2/servicerequestupdates.json", &form).await;
    assert_eq!(again.status, StatusCode::OK, "a repeat records nothing: {}", again.text);
    assert_eq!(again.json()[0]["update_id"], ours.as_str());
    let xml = w.post("/open311/v2/servicerequestupdates.xml", &form).await;
    assert_eq!(xml.status, StatusCode::OK, "{}", xml.text);
    assert!(
        xml.text.contains(&format!(
            "<service_request_updates><request_update><update_id>{ours}</update_id></request_update></service_request_updates>"
        )),
        "{}",
        xml.text
    );

    assert_eq!(timeline(&w, &id).await, ["report", "note"]);
    let note = w.api.app.operator().scoped("test").timeline(&id).await.expect("timeline").remove(1);
    assert_eq!(note.details["text"], "井盖周围又塌了一块");
    assert_eq!(note.details["partner"]["update_id"], "fms-4711");
    assert_eq!(note.details["partner"]["status"], "open");
    assert!(!note.details.to_string().contains("example.org"), "the partner's personal fields are not kept");

    let feed = w.get(FEED).await.json();
    let entries: Vec<_> =
        feed.as_array().expect("list").iter().filter(|u| u["description"] == "井盖周围又塌了一块").collect();
    assert_eq!(entries.len(), 1, "{feed}");
    assert_eq!(entries[0]["update_id"], ours.as_str());
    assert_eq!(entries[0]["status"], "open", "our status of the request, not the partner's word");

    // Another update of the same partner is another note.
    let second = [("update_id", "fms-4712"), ("description", "已拉警戒线")];
    let mut form2: Vec<(&str, &str)> =
        form.iter().copied().filter(|(k, _)| !matches!(*k, "update_id" | "description")).collect();
    form2.extend(second);
    let other = w.post("/open311/v2/servicerequestupdates.json", &form2).await;
    assert_eq!(other.status, StatusCode::CREATED, "{}", other.text);
    assert_eq!(timeline(&w, &id).await, ["report", "note", "note"]);
}

/// Fields changed (an empty value drops the field), the api_key, the answer.
type Refused<'a> = (&'a [(&'a str, &'a str)], Option<&'a str>, StatusCode);

#[tokio::test]
async fn refused_updates_get_the_spec_errors_and_add_nothing() {
    let w = world().await;
    let id = posted_request(&w).await;
    let key = w.key();
    let good = [
        ("service_request_id", id.as_str()),
        ("update_id", "fms-1"),
        ("status", "FIXED"),
        ("updated_datetime", "2026-11-27T10:30:00+08:00"),
        ("description", "已修好"),
    ];
    let with = |changes: &[(&str, &str)], api_key: Option<&str>| {
        let mut form: Vec<(String, String)> = good
            .iter()
            .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        form.extend(changes.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        if let Some(k) = api_key {
            form.push(("api_key".to_owned(), k.to_owned()));
        }
        form
    };
    let cases: [Refused; 6] = [
        (&[], None, StatusCode::FORBIDDEN),
        (&[("update_id", "")], Some(&key), StatusCode::BAD_REQUEST),
        (&[("status", "BROKEN")], Some(&key), StatusCode::BAD_REQUEST),
        (&[("updated_datetime", "yesterday")], Some(&key), StatusCode::BAD_REQUEST),
        (&[("description", "")], Some(&key), StatusCode::BAD_REQUEST),
        (&[("service_request_id", "510104-20990101-000001")], Some(&key), StatusCode::NOT_FOUND),
    ];
    for (changes, api_key, status) in cases {
        let form = with(changes, api_key);
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let a = w.post("/open311/v2/servicerequestupdates.json", &pairs).await;
        assert_errors(&a, status);
    }
    assert_eq!(timeline(&w, &id).await, ["report"], "nothing was noted");
}

#[tokio::test]
async fn a_fixmystreet_report_posted_again_is_the_matter_filed_the_first_time() {
    let w = world().await;
    let fms = [("service_code", "0101"), ("description", "井盖缺失"), ("attribute[fixmystreet_id]", "9001")];
    let first = post_one(&w, &fms).await;
    let again = post_one(&w, &fms).await;
    assert_eq!(again["service_request_id"], first["service_request_id"], "a retry files nothing new");
    assert_eq!(w.stored().await.0, 1);
    let other =
        post_one(&w, &[("service_code", "0101"), ("description", "井盖缺失"), ("attribute[fixmystreet_id]", "9002")])
            .await;
    assert_ne!(
        other["service_request_id"], first["service_request_id"],
        "another FixMyStreet report is another matter"
    );
    assert_eq!(w.stored().await.0, 2);
}
