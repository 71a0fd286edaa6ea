//! 善治成都 over the pages and the API: a town editor writes and submits,
//! the city's reviewer returns it with a comment, the editor revises (a
//! new version), the reviewer publishes; the public list finds it by a
//! two-character word, the article and the Atom feed show it escaped;
//! before that nobody outside sees it; an editor of another town and
//! malformed input are refused in both languages, changing nothing.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use shanzhi_domain::Role;
use shanzhi_testkit::TestApp;

use crate::desk::{csrf_of, get, post_form, sign_in_as};
use crate::grid_page::post_multipart;
use crate::self_handle_api::PNG;
use crate::support::{TestApi, assert_error};

const TOWN: &str = "510104022000";
const TITLE: &str = "院落<自治>&议事";
/// The title as the pages escape it.
const ON_PAGE: &str = "院落&#60;自治&#62;&#38;议事";

async fn world() -> TestApi {
    let app = TestApp::new().with_divisions().with_staff(Role::Dispatcher).with_staff(Role::Supervisor);
    let api = TestApi::start(app).await;
    api.app.add_account("other_editor", Role::Dispatcher, Some("510104023")).await;
    api
}

async fn api(app: &TestApi, who: &str, method: Method, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
    let auth = app.bearer(who).await;
    let (status, _, body) = app.send(method, uri, &[("authorization", auth.as_str())], body).await;
    (status, body)
}

fn article(title: &str) -> Value {
    json!({"kind": "case", "title": title, "summary": "居民自己议定院落的事", "body": "第一稿",
        "tags": ["院落治理"], "places": ["510104022006"], "links": [], "source": "春熙路街道供稿"})
}

#[tokio::test]
async fn an_editor_and_a_reviewer_take_an_article_to_the_public_pages() {
    let app = world().await;
    let editor = sign_in_as(&app, "t_dispatcher").await;
    let reviewer = sign_in_as(&app, "t_supervisor").await;

    // Written on the page; a refused form comes back as typed.
    let form = get(&app, "/cases/new", &editor).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert!(form.body.contains(&format!("value=\"{TOWN}\"")), "the editor's town to start from");
    let csrf = csrf_of(&form.body);
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("division", TOWN),
        ("kind", "case"),
        ("title", "  "),
        ("summary", "居民自己议定院落的事"),
        ("body", "## 起因\n\n<script>alert(1)</script>院落停车难"),
        ("tags", "院落治理，场景营造"),
        ("places", "510104022006"),
        ("links", ""),
        ("source", "春熙路街道供稿"),
    ];
    let refused = post_form(&app, "/cases/new", &editor, &fields).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("标题应为") && refused.body.contains("院落治理，场景营造"), "{}", refused.body);
    fields[3] = ("title", TITLE);
    let made = post_multipart(&app, "/cases/new", &editor, &fields, &[("photos", PNG)]).await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let here = made.location.clone();
    let id = here.rsplit('/').next().expect("id").to_owned();

    // Nobody outside sees a draft, nor its photo.
    assert_eq!(get(&app, &here, "").await.status, StatusCode::NOT_FOUND);
    let draft = get(&app, &here, &editor).await;
    let photo = draft.body.split("<img src=\"").nth(1).and_then(|s| s.split('"').next()).expect("the photo").to_owned();
    assert!(photo.starts_with(&format!("{here}/images/")), "{photo}");
    assert_eq!(get(&app, &photo, &editor).await.status, StatusCode::OK, "the editor sees it");
    assert_eq!(get(&app, &photo, "").await.status, StatusCode::NOT_FOUND, "the public does not");
    let other = sign_in_as(&app, "other_editor").await;
    assert_eq!(get(&app, &here, &other).await.status, StatusCode::NOT_FOUND, "another town's editor");

    // Submitted, returned with a comment.
    let page = get(&app, &here, &editor).await;
    assert!(page.body.contains("提交审核"), "{}", page.body);
    let submit = [("csrf", csrf.as_str()), ("version", "1")];
    assert_eq!(post_form(&app, &format!("{here}/do/submit"), &editor, &submit).await.status, StatusCode::SEE_OTHER);
    let page = get(&app, &here, &reviewer).await;
    assert!(page.body.contains("id=\"review-form\""), "the reviewer's form: {}", page.body);
    let rcsrf = csrf_of(&page.body);
    let silent = [("csrf", rcsrf.as_str()), ("version", "1"), ("comment", "")];
    let r = post_form(&app, &format!("{here}/do/return"), &reviewer, &silent).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "a return says why");
    let back = [("csrf", rcsrf.as_str()), ("version", "1"), ("comment", "请补充议事会的经过")];
    assert_eq!(post_form(&app, &format!("{here}/do/return"), &reviewer, &back).await.status, StatusCode::SEE_OTHER);

    // Revised: a second version, the first kept.
    let edit = get(&app, &format!("{here}/edit"), &editor).await;
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.body);
    assert!(edit.body.contains("name=\"version\" value=\"1\""));
    fields[5] = ("body", "## 起因\n\n<script>alert(1)</script>院落停车难，议事会三次讨论定下方案。");
    let image_id = photo.rsplit('/').next().expect("image id").to_owned();
    let mut revised = fields.clone();
    revised.push(("version", "1"));
    revised.push(("image", image_id.as_str()));
    let saved = post_form(&app, &format!("{here}/edit"), &editor, &revised).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let page = get(&app, &here, &editor).await;
    assert!(page.body.contains("请补充议事会的经过"), "the comment stays on record");
    let (_, shown) = api(&app, "t_dispatcher", Method::GET, &format!("/api/v1/cases/{id}"), None).await;
    assert_eq!(shown["version"], 2);
    assert_eq!(shown["versions"].as_array().map(Vec::len), Some(2), "every version kept: {shown}");

    // Not public until published.
    let before = get(&app, "/cases?q=%E8%AE%AE%E4%BA%8B", "").await;
    assert!(!before.body.contains(&format!("/cases/{id}")), "unpublished stays out of the list");
    let submit = [("csrf", csrf.as_str()), ("version", "2")];
    assert_eq!(post_form(&app, &format!("{here}/do/submit"), &editor, &submit).await.status, StatusCode::SEE_OTHER);
    let publish = [("csrf", rcsrf.as_str()), ("version", "2"), ("comment", "")];
    assert_eq!(post_form(&app, &format!("{here}/do/publish"), &reviewer, &publish).await.status, StatusCode::SEE_OTHER);

    // Public: found by a two-character word (议事), shown escaped, printable, fed.
    let found = get(&app, "/cases?q=%E8%AE%AE%E4%BA%8B", "").await;
    assert_eq!(found.status, StatusCode::OK);
    assert!(found.body.contains(&format!("/cases/{id}")) && found.body.contains(ON_PAGE), "{}", found.body);
    let missing = get(&app, "/cases?q=%E7%94%B5%E6%A2%AF", "").await;
    assert!(!missing.body.contains(&format!("/cases/{id}")), "电梯 is not in it");
    let tagged = get(&app, "/cases?tag=%E5%9C%BA%E6%99%AF%E8%90%A5%E9%80%A0", "").await;
    assert!(tagged.body.contains(&format!("/cases/{id}")), "by tag");
    let public = get(&app, &here, "").await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.contains("<h2>起因</h2>") && public.body.contains("&lt;script&gt;alert(1)"));
    assert!(!public.body.contains("<script>alert"), "no raw HTML");
    assert!(
        public.body.contains("总府路社区居委会") && public.body.contains("春熙路街道供稿"),
        "places named, source named"
    );
    assert!(!public.body.contains("请补充议事会的经过"), "the review stays inside");
    assert!(public.body.contains("data-print"), "a print button; the layout is print CSS");
    assert!(public.body.contains(&format!("src=\"{photo}\"")), "the photo kept through the edit");
    assert_eq!(get(&app, &photo, "").await.status, StatusCode::OK, "public with the article");
    let feed = get(&app, "/cases/feed.atom", "").await;
    assert_eq!(feed.status, StatusCode::OK);
    assert!(feed.body.starts_with("<?xml") && feed.body.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">"));
    assert!(feed.body.contains(&format!("<id>urn:uuid:{id}</id>")));
    assert!(feed.body.contains(&format!("<link href=\"http://127.0.0.1:8080/cases/{id}\"/>")), "absolute links");
    assert!(feed.body.contains("<title>院落&lt;自治&gt;&amp;议事</title>"), "escaped: {}", feed.body);
    assert!(!feed.body.contains(TITLE));
    assert_eq!(feed.body.matches("<entry>").count(), feed.body.matches("</entry>").count());
}

#[tokio::test]
async fn out_of_scope_and_malformed_requests_are_refused_in_both_languages() {
    let app = world().await;
    let (status, body) = api(
        &app,
        "other_editor",
        Method::POST,
        "/api/v1/cases",
        Some(json!({"division": TOWN, "article": article("院落")})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another town's editor: {body}");
    assert_error(&body, "forbidden");
    let (status, body) = api(
        &app,
        "t_dispatcher",
        Method::POST,
        "/api/v1/cases",
        Some(json!({"division": TOWN, "article": article(" ")})),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "invalid_text");
    let mut bad = article("院落");
    bad["tags"] = json!(["<b>"]);
    let (status, body) =
        api(&app, "t_dispatcher", Method::POST, "/api/v1/cases", Some(json!({"division": TOWN, "article": bad}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "invalid_tag");
    let mut stranger = article("院落");
    stranger["images"] = json!(["01a00000-0000-7000-8000-000000000000"]);
    let (status, body) =
        api(&app, "t_dispatcher", Method::POST, "/api/v1/cases", Some(json!({"division": TOWN, "article": stranger})))
            .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "unknown_attachment");
    let (_, desk) = api(&app, "t_dispatcher", Method::GET, "/api/v1/cases/desk", None).await;
    assert_eq!(desk, json!([]), "nothing was written");

    let (status, made) = api(
        &app,
        "t_dispatcher",
        Method::POST,
        "/api/v1/cases",
        Some(json!({"division": TOWN, "article": article("院落")})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let id = made["id"].as_str().expect("id");
    let (status, body) =
        api(&app, "t_dispatcher", Method::POST, &format!("/api/v1/cases/{id}/publish"), Some(json!({"version": 1})))
            .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an editor does not publish");
    assert_error(&body, "forbidden");
    let (status, body) =
        api(&app, "t_supervisor", Method::POST, &format!("/api/v1/cases/{id}/approve"), Some(json!({"version": 1})))
            .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_error(&body, "invalid_step");
    let (status, body) =
        api(&app, "t_supervisor", Method::POST, &format!("/api/v1/cases/{id}/publish"), Some(json!({"version": 1})))
            .await;
    assert_eq!(status, StatusCode::CONFLICT, "a draft is not published: {body}");
    assert_error(&body, "case_state");
    let long = "%E5%AD%97".repeat(51);
    app.get_refused(&format!("/api/v1/cases?q={long}"), StatusCode::BAD_REQUEST, "invalid_query").await;
    app.get_refused("/api/v1/cases?kind=novel", StatusCode::BAD_REQUEST, "invalid_kind").await;
    app.get_refused(&format!("/api/v1/cases/{id}"), StatusCode::NOT_FOUND, "case_not_found").await;
    let (status, list) = app.get("/api/v1/cases").await;
    assert_eq!((status, list), (StatusCode::OK, json!([])), "nothing published");
}
