//! `/report` (我要上报): anyone may report, with no account — pick the place
//! on the map or use the phone's location, choose a category, describe,
//! attach photos, get a tracking number. A grid worker reports here too.

use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use shanzhi_app::AppError;
use shanzhi_app::matters::IntakeRequest;
use shanzhi_app::open311::ServiceInfo;
use shanzhi_domain::Role;

use crate::AppState;
use crate::ui::form::{FormData, KeptReport, bad, expired};
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page};

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage {
    tr: Tr,
    nav: Nav,
    groups: Vec<(String, Vec<ServiceInfo>)>,
    error: Option<String>,
    signed_in: bool,
    /// What was typed, shown again when the report is refused.
    kept: Kept,
}

/// The report form's fields as sent, and whether it carried photos (the page
/// asks for them again).
#[derive(Debug, Default)]
struct Kept {
    report: KeptReport,
    name: String,
    phone: String,
    had_photos: bool,
}

impl Kept {
    fn from_form(form: &FormData) -> Kept {
        Kept {
            report: KeptReport::from_form(form),
            name: form.field("name"),
            phone: form.field("phone"),
            had_photos: !form.files.is_empty(),
        }
    }
}

#[derive(Template)]
#[template(path = "reported.html")]
struct ReportedPage {
    tr: Tr,
    nav: Nav,
    number: String,
    /// The reporter's key (without an account: to rate it later).
    key: Option<String>,
    duplicates: Vec<String>,
}

async fn form_page(state: &AppState, viewer: &Viewer, tr: Tr, error: Option<String>, kept: Kept) -> Response {
    let services = state.app.scoped(viewer.actor.clone()).open311_services().await.unwrap_or_default();
    let mut groups: Vec<(String, Vec<ServiceInfo>)> = Vec::new();
    for s in services {
        let g = s.group.clone().unwrap_or_else(|| tr.t("其他", "Other").to_owned());
        match groups.iter_mut().find(|(name, _)| *name == g) {
            Some((_, list)) => list.push(s),
            None => groups.push((g, vec![s])),
        }
    }
    page(ReportPage { tr, nav: viewer.nav(tr), groups, error, signed_in: viewer.signed_in(), kept })
}

pub async fn form(State(state): State<AppState>, viewer: Viewer, tr: Tr) -> Response {
    form_page(&state, &viewer, tr, None, Kept::default()).await
}

pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    client: crate::client::ClientInfo,
    request: Request,
) -> Response {
    let refuse = |e: AppError| {
        let m = e.message();
        (if tr.en { m.en } else { m.zh }, e)
    };
    let mut kept = Kept::default();
    let outcome = async {
        if !viewer.signed_in() {
            state.throttles.anonymous_reports.check(client.ip)?;
        }
        let form = FormData::read(request, &state).await?;
        kept = Kept::from_form(&form);
        let field = |k: &str| form.filled(k);
        if viewer.signed_in() && !viewer.csrf_ok(field("csrf").as_deref()) {
            return Err(expired());
        }
        let number = |k: &str| -> Result<Option<f64>, AppError> {
            field(k)
                .map(|v| v.parse::<f64>().map_err(|_| bad("经纬度应为数字", "coordinates must be numbers")))
                .transpose()
        };
        let request = IntakeRequest {
            category: field("category").ok_or_else(|| bad("请选择事项分类", "choose a category"))?,
            lng: number("lng")?,
            lat: number("lat")?,
            description: field("description").unwrap_or_default(),
            channel: Some(if viewer.has(Role::GridWorker) { "grid_worker" } else { "resident" }.to_owned()),
            address: field("address"),
            reporter_name: field("name"),
            reporter_phone: field("phone"),
            photos: form.files,
            ..IntakeRequest::default()
        };
        state.app.scoped(viewer.actor.clone()).intake(request).await
    }
    .await;
    match outcome {
        Ok(answer) => page(ReportedPage {
            tr,
            nav: viewer.nav(tr),
            key: answer.private_key,
            number: answer.matter.number,
            duplicates: answer.possible_duplicates,
        }),
        Err(e) => {
            let (text, e) = refuse(e);
            let mut r = form_page(&state, &viewer, tr, Some(text), kept).await;
            *r.status_mut() = match e {
                AppError::Forbidden(_) => StatusCode::FORBIDDEN,
                AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::BAD_REQUEST,
            };
            r
        }
    }
}
