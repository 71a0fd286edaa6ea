//! `/grid` (我的网格): the grid worker's page on a phone — their grid by
//! name with its open matters on a map and as cards, where they are, and the
//! main actions first: 上报 from the current position with the camera,
//! 自行处置, and the patrol with its running timer. `/grid/report` and
//! `/grid/self-handle` are the two forms (multipart, photos from the camera).

use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use shanzhi_app::AppError;
use shanzhi_app::access::PatrolDesk;
use shanzhi_app::matters::{IntakeRequest, MatterFilter, SelfHandleRequest};
use shanzhi_domain::{GridCode, MatterState, Role, Scope};

use super::supervise::{Alert, alerts};
use super::{Row, local};
use crate::AppState;
use crate::ui::form::{FormData, KeptReport, bad, expired};
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

/// Open matters shown on the page: the grid's own, most recent first.
const MAX_CARDS: usize = 100;

#[derive(Template)]
#[template(path = "grid.html")]
struct GridPage {
    tr: Tr,
    nav: Nav,
    code: String,
    name: String,
    /// The open patrol: its id and when it started (RFC 3339, for the timer).
    patrol: Option<(String, String)>,
    /// The patrol's start as people read it.
    patrol_since: String,
    cards: Vec<Row>,
    /// `[{"n": number, "lng", "lat", "w": warning}]` for the map.
    points: String,
    /// 热点预警 in the grid.
    hotspots: Vec<Alert>,
}

#[derive(Template)]
#[template(path = "grid_report.html")]
struct GridForm {
    tr: Tr,
    nav: Nav,
    /// `report` or `self-handle`.
    mode: &'static str,
    grid_name: String,
    /// (code, name) of the categories the form offers.
    categories: Vec<(String, String)>,
    error: Option<String>,
    kept: Kept,
}

/// What was typed, shown again after a refusal (photos cannot be put back).
#[derive(Debug, Default)]
struct Kept {
    report: KeptReport,
    text: String,
}

/// The viewer's own grid (the scope of their grid worker role).
fn own_grid(viewer: &Viewer) -> Option<GridCode> {
    viewer.actor.grants().iter().find(|g| g.role == Role::GridWorker).and_then(|g| match &g.scope {
        Some(Scope::Grid(code)) => Some(code.clone()),
        _ => None,
    })
}

async fn grid_name(state: &AppState, code: &GridCode) -> String {
    state.app.grid(code, shanzhi_app::grids::today()).await.map(|g| g.info.name).unwrap_or_else(|_| code.to_string())
}

fn not_a_grid_worker() -> AppError {
    AppError::Forbidden(shanzhi_domain::text::Bilingual::new("此页面供网格员使用", "this page is for grid workers"))
}

pub async fn home(State(state): State<AppState>, viewer: Viewer, tr: Tr) -> Response {
    if !viewer.signed_in() {
        return to_login("/grid");
    }
    let Some(code) = own_grid(&viewer) else { return refusal(tr, &viewer, &not_a_grid_worker()) };
    let scoped = state.app.scoped(viewer.actor.clone());
    let filter = MatterFilter {
        grid: Some(code.clone()),
        states: MatterState::open(),
        limit: Some(MAX_CARDS),
        ..MatterFilter::default()
    };
    let items = match scoped.matters(&filter, None).await {
        Ok(p) => p.items,
        Err(e) => return refusal(tr, &viewer, &e),
    };
    let points: Vec<serde_json::Value> = items
        .iter()
        .filter_map(|m| {
            let (lng, lat) = (m.lng?, m.lat?);
            let w = m.time_limit.as_ref().map_or("none", |t| t.warning.as_str());
            Some(serde_json::json!({"n": m.number, "lng": lng, "lat": lat, "w": w, "c": m.category_name}))
        })
        .collect();
    let patrol = match scoped.desk::<PatrolDesk>() {
        Ok(desk) => desk.open_patrol().await.ok().flatten().map(|p| (p.id, p.started_at)),
        Err(_) => None,
    };
    page(GridPage {
        tr,
        nav: viewer.nav(tr),
        name: grid_name(&state, &code).await,
        code: code.to_string(),
        patrol_since: patrol.as_ref().map(|(_, at)| local(at)).unwrap_or_default(),
        patrol,
        cards: items.iter().map(Row::from_view).collect(),
        points: serde_json::Value::from(points).to_string(),
        hotspots: alerts(tr, &scoped).await,
    })
}

/// The categories a form offers: every leaf for a report, only those that
/// allow it for 自行处置.
pub(crate) async fn categories(state: &AppState, viewer: &Viewer, self_handle: bool) -> Vec<(String, String)> {
    let scoped = state.app.scoped(viewer.actor.clone());
    let leaves = scoped.open311_services().await.unwrap_or_default();
    let allowed: Vec<String> = match scoped.categories().await {
        Ok(all) => all.into_iter().filter(|(c, _)| c.self_handle).map(|(c, _)| c.code.to_string()).collect(),
        Err(_) => Vec::new(),
    };
    leaves
        .into_iter()
        .filter(|s| !self_handle || allowed.contains(&s.service_code))
        .map(|s| (s.service_code, s.service_name))
        .collect()
}

async fn form_page(
    state: &AppState,
    viewer: &Viewer,
    tr: Tr,
    mode: &'static str,
    error: Option<String>,
    kept: Kept,
) -> Response {
    let Some(code) = own_grid(viewer) else { return refusal(tr, viewer, &not_a_grid_worker()) };
    page(GridForm {
        tr,
        nav: viewer.nav(tr),
        mode,
        grid_name: grid_name(state, &code).await,
        categories: categories(state, viewer, mode == "self-handle").await,
        error,
        kept,
    })
}

pub async fn report_form(State(state): State<AppState>, viewer: Viewer, tr: Tr) -> Response {
    if !viewer.signed_in() {
        return to_login("/grid/report");
    }
    form_page(&state, &viewer, tr, "report", None, Kept::default()).await
}

pub async fn self_handle_form(State(state): State<AppState>, viewer: Viewer, tr: Tr) -> Response {
    if !viewer.signed_in() {
        return to_login("/grid/self-handle");
    }
    form_page(&state, &viewer, tr, "self-handle", None, Kept::default()).await
}

/// The report as the form sent it; photos `before` are the report's.
fn intake_request(form: &FormData) -> Result<IntakeRequest, AppError> {
    let field = |k: &str| form.filled(k);
    let number = |k: &str| -> Result<Option<f64>, AppError> {
        field(k).map(|v| v.parse::<f64>().map_err(|_| bad("经纬度应为数字", "coordinates must be numbers"))).transpose()
    };
    Ok(IntakeRequest {
        category: field("category").ok_or_else(|| bad("请选择事项分类", "choose a category"))?,
        lng: number("lng")?,
        lat: number("lat")?,
        description: field("description").unwrap_or_default(),
        channel: Some("grid_worker".to_owned()),
        address: field("address"),
        photos: form.files_of("photos"),
        ..IntakeRequest::default()
    })
}

/// Read the form, check the session, run `act`; back to the form with the
/// message when refused (nothing written), else to the matter.
async fn submit(state: AppState, viewer: Viewer, tr: Tr, request: Request, mode: &'static str) -> Response {
    if !viewer.signed_in() {
        return to_login(&format!("/grid/{mode}"));
    }
    let form = match FormData::read(request, &state).await {
        Ok(f) => f,
        Err(e) => return refusal(tr, &viewer, &e),
    };
    if !viewer.csrf_ok(form.filled("csrf").as_deref()) {
        return refusal(tr, &viewer, &expired());
    }
    let scoped = state.app.scoped(viewer.actor.clone());
    let outcome = match intake_request(&form) {
        Ok(report) if mode == "report" => scoped.intake(report).await.map(|a| a.matter),
        Ok(report) => {
            let request = SelfHandleRequest {
                report,
                text: form.field("text"),
                after: Vec::new(),
                after_photos: form.files_of("after"),
            };
            scoped.self_handle(request).await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(m) => {
            let done = if mode == "report" { "" } else { "?done=self_handle" };
            Redirect::to(&format!("/m/{}{done}", m.number)).into_response()
        }
        Err(e) => {
            let message = e.message();
            let kept = Kept { report: KeptReport::from_form(&form), text: form.field("text") };
            let text = if tr.en { message.en } else { message.zh };
            let mut r = form_page(&state, &viewer, tr, mode, Some(text), kept).await;
            *r.status_mut() = match e {
                AppError::Forbidden(_) => StatusCode::FORBIDDEN,
                AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::BAD_REQUEST,
            };
            r
        }
    }
}

pub async fn report_submit(State(state): State<AppState>, viewer: Viewer, tr: Tr, request: Request) -> Response {
    submit(state, viewer, tr, request, "report").await
}

pub async fn self_handle_submit(State(state): State<AppState>, viewer: Viewer, tr: Tr, request: Request) -> Response {
    submit(state, viewer, tr, request, "self-handle").await
}
