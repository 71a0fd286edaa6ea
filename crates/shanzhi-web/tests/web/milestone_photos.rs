//! Photos of a milestone (issue 16): the committee records progress with a
//! photo on the proposal's page; the photo is served only to those who may
//! read the proposal (anyone once it is noticed); a bad upload or a photo
//! id not one's own is refused in both languages and nothing is recorded.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use shanzhi_testkit::INSIDE;

use crate::deliberation_api::world;
use crate::deliberation_pages::community;
use crate::desk::{csrf_of, get, post_form, sign_in_as};
use crate::grid_page::post_multipart;
use crate::self_handle_api::PNG;
use crate::support::assert_error;

fn photos_of(remarks: &Value) -> Vec<String> {
    let all = remarks.as_array().map(Vec::as_slice).unwrap_or_default();
    all.iter()
        .flat_map(|r| r["images"].as_array().cloned().unwrap_or_default())
        .filter_map(|i| i["href"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_milestone_photo_is_public_once_the_proposal_is_noticed() {
    let w = world().await;
    community(&w).await;
    let app = &w.api;
    let raised = json!({"community": INSIDE, "title": "院落停车", "body": "规划停车位", "origin": "resident", "method": "quick"});
    let (_, p) = w.call(Some("resident_a"), Method::POST, "/api/v1/proposals", Some(raised)).await;
    let id = p["id"].as_str().expect("id").to_owned();
    let here = format!("/c/{INSIDE}/p/{id}");
    let remarks = format!("/api/v1/proposals/{id}/remarks");

    // A bad upload is refused in both languages, the input kept, nothing recorded.
    let committee = sign_in_as(app, "committee_a").await;
    let page = get(app, &here, &committee).await;
    assert!(page.body.contains("name=\"photos\""), "the note form takes photos: {}", page.body);
    let csrf = csrf_of(&page.body);
    let fields = [("csrf", csrf.as_str()), ("kind", "milestone"), ("text", "车位划线完成"), ("percent", "40")];
    let note = format!("{here}/do/note");
    let bad = post_multipart(app, &note, &committee, &fields, &[("photos", PNG), ("photos", b"not a photo")]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert!(bad.body.contains("只接受 JPEG、PNG 或 WebP 图片"), "why, in Chinese: {}", bad.body);
    assert!(bad.body.contains("车位划线完成</textarea>"), "the text is kept: {}", bad.body);
    let en = format!("{committee}; lang=en");
    let bad_en = post_multipart(app, &note, &en, &fields, &[("photos", b"GIF89a")]).await;
    assert_eq!(bad_en.status, StatusCode::BAD_REQUEST, "{}", bad_en.body);
    assert!(bad_en.body.contains("only JPEG, PNG or WebP images are accepted"), "and in English: {}", bad_en.body);
    assert!(!get(app, &here, &committee).await.body.contains("车位划线完成（"), "no note recorded");
    let (_, before) = w.call(Some("committee_a"), Method::GET, &remarks, None).await;
    assert!(photos_of(&before).is_empty() && before.as_array().is_some_and(Vec::is_empty), "{before}");

    // A photo id that is not one's own upload is refused over the API.
    let stranger = json!({"kind": "milestone", "text": "x", "images": ["01a00000-0000-7000-8000-000000000000"]});
    let (status, answer) =
        w.call(Some("committee_a"), Method::POST, &format!("/api/v1/proposals/{id}/notes"), Some(stranger)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_error(&answer, "unknown_attachment");

    // Recorded with a photo: the committee sees it, the public does not yet.
    let made = post_multipart(app, &note, &committee, &fields, &[("photos", PNG)]).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let (_, after) = w.call(Some("committee_a"), Method::GET, &remarks, None).await;
    let photos = photos_of(&after);
    assert_eq!(photos.len(), 1, "{after}");
    let photo = &photos[0];
    assert!(photo.starts_with(&format!("{here}/images/")), "{photo}");
    assert!(get(app, &here, &committee).await.body.contains(&format!("<img src=\"{photo}\"")), "a thumbnail");
    assert_eq!(get(app, photo, &committee).await.status, StatusCode::OK, "the committee sees it");
    assert_eq!(get(app, photo, "").await.status, StatusCode::NOT_FOUND, "not public before the notice");
    assert_eq!(get(app, &here, "").await.status, StatusCode::NOT_FOUND, "nor the proposal");
    let elsewhere = photo.replacen(INSIDE, "510104022007", 1);
    assert_eq!(get(app, &elsewhere, &committee).await.status, StatusCode::NOT_FOUND, "only under its community");

    // Supported, the step finished: the notice makes it public, photo and all.
    for who in ["resident_a", "resident_b"] {
        let (status, _) = w.call(Some(who), Method::POST, &format!("/api/v1/proposals/{id}/supports"), None).await;
        assert!(status.is_success(), "{who}: {status}");
    }
    let csrf = csrf_of(&get(app, &here, &committee).await.body);
    let step = [("csrf", csrf.as_str()), ("step", "collect"), ("artefact", "minutes")];
    assert_eq!(post_form(app, &format!("{here}/do/finish"), &committee, &step).await.status, StatusCode::SEE_OTHER);
    let public = get(app, &here, "").await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(
        public.body.contains(&format!("<img src=\"{photo}\"")) && public.body.contains("进度 40%"),
        "{}",
        public.body
    );
    assert_eq!(get(app, photo, "").await.status, StatusCode::OK, "public once noticed");
}
