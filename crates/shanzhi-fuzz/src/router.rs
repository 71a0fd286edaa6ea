//! The whole HTTP router in process, over a throw-away SQLite store with the
//! Chengdu divisions, one community's grid, the categories, a department and
//! one account per role the routes care about. A request is built from the
//! input (method, a real route with its placeholders filled, a caller, a
//! content type, query and body); whatever it is, the answer must not be a
//! 5xx (the panic catcher turns a handler's panic into a 500, so a panic is
//! caught here too).

use std::sync::OnceLock;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Method, Request, header};
use serde_json::json;
use shanzhi_app::access::{AdminDesk, NewStaff};
use shanzhi_app::grids::GridImportOptions;
use shanzhi_app::{App, NoProgress};
use shanzhi_domain::{CodeSystem, Role};
use shanzhi_web::{HttpOptions, router};
use tower::ServiceExt;

use crate::input::{Input, SEP};
use crate::requests::runtime;

/// Real routes; `{}` is filled from the input. These keep their places:
/// the saved seeds and regressions choose with bytes below 58 and still
/// reach what they were saved for. Every
/// other path of the OpenAPI document is added after them at setup (see
/// [`api_routes`]), so a new endpoint is fuzzed without an edit here.
const ROUTES: [&str; 58] = [
    "/healthz",
    "/api/v1/divisions",
    "/api/v1/divisions/{}",
    "/api/v1/locate",
    "/api/v1/grids",
    "/api/v1/grids/{}",
    "/api/v1/grids/{}/history",
    "/api/v1/matters",
    "/api/v1/matters/counts",
    "/api/v1/matters/warnings",
    "/api/v1/matters/{}",
    "/api/v1/matters/{}/timeline",
    "/api/v1/matters/{}/suggestion",
    "/api/v1/matters/{}/commands/{}",
    "/api/v1/attachments",
    "/api/v1/attachments/{}",
    "/api/v1/audit",
    "/api/v1/auth/login",
    "/api/v1/calendar",
    "/api/v1/calendar/days/{}",
    "/api/v1/calendar/deadline",
    "/api/v1/calendar/official",
    "/api/v1/calendar/settings",
    "/api/v1/categories",
    "/api/v1/categories/{}",
    "/api/v1/departments",
    "/api/v1/departments/{}",
    "/api/v1/duties",
    "/api/v1/hotline/import",
    "/api/v1/me",
    "/api/v1/me/tokens",
    "/api/v1/patrols",
    "/api/v1/patrols/coverage",
    "/api/v1/patrols/{}",
    "/api/v1/patrols/{}/check-ins",
    "/api/v1/patrols/{}/end",
    "/api/v1/roster",
    "/api/v1/sweep",
    "/api/v1/users",
    "/api/v1/users/{}",
    "/api/v1/users/{}/assignments",
    "/api/v1/users/{}/tokens",
    "/api/openapi.json",
    "/discovery.json",
    "/open311/v2/{}",
    "/open311/v2/requests.json",
    "/open311/v2/requests.xml",
    "/open311/v2/services.json",
    "/open311/v2/servicerequestupdates.json",
    "/open311/v2/{}/{}",
    "/",
    "/report",
    "/track",
    "/map/counts",
    "/map/cell/{}",
    "/m/{}",
    "/m/{}/do/{}",
    "/desk",
];

/// Pages without an OpenAPI entry that [`ROUTES`] did not list.
const PAGES: [&str; 71] = [
    "/account",
    "/account/claim",
    "/account/erase-code",
    "/account/password",
    "/admin",
    "/admin/{}",
    "/admin/categories/{}",
    "/admin/pick/tree",
    "/admin/pick/{}",
    "/admin/users/{}",
    "/c/{}",
    "/c/{}/p/{}",
    "/c/{}/p/{}/notice",
    "/c/{}/p/{}/do/{}",
    "/c/{}/p/{}/images/{}",
    "/callbacks",
    "/callbacks/{}",
    "/cases",
    "/cases/desk",
    "/cases/feed.atom",
    "/cases/new",
    "/cases/{}",
    "/cases/{}/do/{}",
    "/cases/{}/edit",
    "/cases/{}/images/{}",
    "/desk/batch",
    "/grid",
    "/grid/care",
    "/grid/log/{}",
    "/grid/log/{}/comment",
    "/grid/logs",
    "/grid/register",
    "/grid/register/{}/edit",
    "/grid/report",
    "/grid/self-handle",
    "/grid/today",
    "/grid/visit",
    "/grid/tasks",
    "/inbox",
    "/inbox/{}/open",
    "/lang/{}",
    "/login",
    "/map",
    "/map/districts.geojson",
    "/map/tiles.pmtiles",
    "/patrol/start",
    "/privacy",
    "/rankings",
    "/signup",
    "/signup/code",
    "/settings/notifications",
    "/supervise",
    "/supervise/matters",
    "/supervise/report",
    "/supervise/topics",
    "/tasks",
    "/tasks/new",
    "/tasks/{}",
    "/tasks/{}/complete",
    "/tasks/{}/sites/{}",
    "/track/rate",
    "/activities/new",
    "/activities/{}",
    "/activities/{}/do/{}",
    "/activities/{}/edit",
    "/c/{}/leaderboard",
    "/shop",
    "/shop/confirm",
    "/shop/redeem/{}",
    "/volunteer",
    "/grid/register/map",
];

/// API paths left out: they end the fuzzer's own sessions (signing out,
/// sign out everywhere, password changes, disabling accounts, revoking
/// tokens, deleting one's account), after which every later input would run
/// unauthenticated.
const SESSION_ENDERS: [&str; 8] = [
    "/api/v1/auth/logout",
    "/api/v1/me/erase",
    "/api/v1/me/sign-out-everywhere",
    "/api/v1/me/password",
    "/api/v1/me/tokens/{}",
    "/api/v1/users/{}/disable",
    "/api/v1/users/{}/password",
    "/api/v1/users/{}/tokens/{}",
];

/// [`ROUTES`], [`PAGES`], then the document's paths not yet listed (with
/// `{name}` placeholders as `{}`), less [`SESSION_ENDERS`].
fn api_routes(document: &serde_json::Value) -> Vec<String> {
    let mut routes: Vec<String> = ROUTES.iter().chain(PAGES.iter()).map(|r| (*r).to_owned()).collect();
    let paths = document["paths"].as_object().map(|p| p.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
    for path in paths {
        let mut route = String::with_capacity(path.len());
        let mut inside = false;
        for c in path.chars() {
            match c {
                '{' => inside = true,
                '}' => {
                    inside = false;
                    route.push_str("{}");
                }
                _ if !inside => route.push(c),
                _ => {}
            }
        }
        if !routes.contains(&route) && !SESSION_ENDERS.contains(&route.as_str()) {
            routes.push(route);
        }
    }
    routes
}

const METHODS: [Method; 5] = [Method::GET, Method::POST, Method::PUT, Method::DELETE, Method::PATCH];

const CONTENT_TYPES: [&str; 6] = [
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=XyZ",
    "text/csv",
    "application/octet-stream",
    "",
];

struct World {
    router: Router,
    /// What an input's route byte chooses from: see [`api_routes`].
    routes: Vec<String>,
    /// The number of a matter reported at setup: a path value `@` stands for it.
    matter: String,
    /// `Bearer …` per caller: none, admin (city-wide), dispatcher, resident.
    callers: Vec<Option<String>>,
    _dir: tempfile::TempDir,
}

const PASSWORD: &str = "Fuzz-Shanzhi-2026";

async fn world() -> World {
    // tmpfs when there is one: every report is a committed, synced write.
    let shm = std::path::Path::new("/dev/shm");
    let dir = if shm.is_dir() { tempfile::tempdir_in(shm) } else { tempfile::tempdir() };
    let dir = dir.unwrap_or_else(|e| panic!("temp dir: {e}"));
    let store =
        shanzhi_store_sqlite::open(&dir.path().join("shanzhi.db")).await.unwrap_or_else(|e| panic!("store: {e}"));
    let (app, key) = App::new(std::sync::Arc::new(store));
    let operator = app.operator(&key);
    let setup = |what: &str, e: shanzhi_app::AppError| -> ! { panic!("world: {what}: {}", e.message().en) };
    operator
        .import_divisions(shanzhi_app::demo::CHENGDU_DIVISIONS_CSV.as_bytes(), CodeSystem::Nbs2023)
        .await
        .unwrap_or_else(|e| setup("divisions", e));
    let rect = json!({"type": "Polygon", "coordinates": [[[104.07, 30.65], [104.08, 30.65], [104.08, 30.66], [104.07, 30.66], [104.07, 30.65]]]});
    let grid = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "510104022006000", "kind": "master", "name": "总府路社区"}, "geometry": rect},
        {"type": "Feature", "properties": {"code": "510104022006001", "kind": "general", "name": "一网格"}, "geometry": rect},
    ]});
    let from = jiff::civil::date(2025, 1, 1);
    operator
        .import_grids(&grid.to_string(), GridImportOptions::from(from), &NoProgress)
        .await
        .unwrap_or_else(|e| setup("grid", e));
    operator.ensure_categories("fuzz").await.unwrap_or_else(|e| setup("categories", e));
    let scoped = operator.scoped("fuzz");
    let op = scoped.desk::<AdminDesk>().unwrap_or_else(|e| setup("desk", e));
    op.create_department("510104-chengguan", "锦江区城管局").await.unwrap_or_else(|e| setup("department", e));
    let mut callers = vec![None];
    for (username, role, scope) in [
        ("fuzz_admin", Role::Admin, Some("5101")),
        ("fuzz_dispatcher", Role::Dispatcher, Some("510104022")),
        ("fuzz_resident", Role::Resident, None),
    ] {
        let staff = NewStaff {
            username: username.to_owned(),
            display_name: username.to_owned(),
            phone: None,
            password: Some(PASSWORD.to_owned()),
            role,
            scope: scope.map(str::to_owned),
            from: None,
            to: None,
        };
        op.create_user(staff).await.unwrap_or_else(|e| setup("user", e));
        let token = op.create_token(Some(username), "fuzz").await.unwrap_or_else(|e| setup("token", e));
        callers.push(Some(format!("Bearer {}", token.token)));
    }
    let options = HttpOptions { body_bytes: 256 * 1024, timeout: Duration::from_secs(30), ..HttpOptions::default() };
    let router = router(app.clone(), options);
    // One matter, so the routes under /matters/{id} have something to find.
    let report = json!({"category": "0110", "lng": 104.072, "lat": 30.652, "description": "井盖破损"}).to_string();
    let request = Request::post("/api/v1/matters")
        .header(header::AUTHORIZATION, callers[3].as_deref().unwrap_or_default())
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(report))
        .unwrap_or_else(|e| panic!("world: report: {e}"));
    let response = router.clone().oneshot(request).await.unwrap_or_else(|e| match e {});
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap_or_default();
    let answer: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let matter = answer["matter"]["number"].as_str().unwrap_or_else(|| panic!("world: report: {answer}")).to_owned();
    let request = Request::get("/api/openapi.json").body(Body::empty()).unwrap_or_else(|e| panic!("world: doc: {e}"));
    let response = router.clone().oneshot(request).await.unwrap_or_else(|e| match e {});
    let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap_or_default();
    let document: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let routes = api_routes(&document);
    // The document has far more paths than the fixed list: a wrong fetch
    // would quietly shrink the fuzzed surface.
    assert!(routes.len() > ROUTES.len() + PAGES.len() + 20, "world: OpenAPI paths missing: {} routes", routes.len());
    World { router, routes, matter, callers, _dir: dir }
}

fn the_world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| runtime().block_on(world()))
}

/// Bytes a URI path segment may carry as they are; the rest percent-encoded.
fn segment(bytes: &[u8]) -> String {
    let mut out = String::new();
    for b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~".contains(b) {
            out.push(char::from(*b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Choice bytes (method, route, caller, content type), then the path
/// values (`/`-separated; `@` stands for the setup's matter), the query string
/// and the body, separated by newlines.
pub fn http(data: &[u8]) {
    let world = the_world();
    let mut input = Input::new(data);
    let method = METHODS[usize::from(input.byte()) % METHODS.len()].clone();
    let route = world.routes[usize::from(input.byte()) % world.routes.len()].as_str();
    let caller = &world.callers[usize::from(input.byte()) % world.callers.len()];
    let content_type = CONTENT_TYPES[usize::from(input.byte()) % CONTENT_TYPES.len()];
    let mut values = input.field(SEP).split(|b| *b == b'/');
    let mut path = String::new();
    for (i, part) in route.split("{}").enumerate() {
        if i > 0 {
            let value = values.next().unwrap_or_default();
            for (j, piece) in value.split(|b| *b == b'@').enumerate() {
                if j > 0 {
                    path.push_str(&world.matter);
                }
                path.push_str(&segment(piece));
            }
        }
        path.push_str(part);
    }
    let query = input.field(SEP);
    if !query.is_empty() {
        // Only what a URI may carry: other bytes percent-encoded, `&`, `=`, `%` kept.
        path.push('?');
        for b in query {
            if b.is_ascii_graphic() && !b"#".contains(b) {
                path.push(char::from(*b));
            } else {
                path.push_str(&format!("%{b:02X}"));
            }
        }
    }
    let body = input.rest().to_vec();
    let mut request = Request::builder().method(method.clone()).uri(path.as_str());
    if let Some(c) = caller {
        request = request.header(header::AUTHORIZATION, c.as_str());
    }
    if !content_type.is_empty() {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    let Ok(request) = request.body(Body::from(body)) else { return };
    let (status, text) = runtime().block_on(async {
        let response = world.router.clone().oneshot(request).await.unwrap_or_else(|e| match e {});
        let status = response.status();
        let bytes = to_bytes(response.into_body(), usize::MAX).await.unwrap_or_default();
        (status, String::from_utf8_lossy(&bytes).chars().take(2000).collect::<String>())
    });
    // SHANZHI_FUZZ_TRACE=1 shows what the target sends and gets.
    if std::env::var_os("SHANZHI_FUZZ_TRACE").is_some() {
        eprintln!("{method} {path} → {status} {}", text.chars().take(160).collect::<String>());
    }
    assert!(!status.is_server_error(), "{method} {path} answered {status}: {text}");
}
