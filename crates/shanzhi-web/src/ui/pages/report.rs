//! `/report` (我要上报): anyone may report, with no account — pick the place
//! on the map or use the phone's location, choose a category, describe,
//! attach photos, get a tracking number. A grid worker reports here too.

use askama::Template;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use axum::response::Response;
use shanzhi_app::AppError;
use shanzhi_app::matters::IntakeRequest;
use shanzhi_app::open311::ServiceInfo;
use shanzhi_domain::Role;
use shanzhi_domain::text::Bilingual;

use crate::AppState;
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

async fn form_page(state: &AppState, viewer: &Viewer, tr: Tr, error: Option<String>) -> Response {
    let services = state.app.scoped(viewer.actor.clone()).open311_services().await.unwrap_or_default();
    let mut groups: Vec<(String, Vec<ServiceInfo>)> = Vec::new();
    for s in services {
        let g = s.group.clone().unwrap_or_else(|| tr.t("其他", "Other").to_owned());
        match groups.iter_mut().find(|(name, _)| *name == g) {
            Some((_, list)) => list.push(s),
            None => groups.push((g, vec![s])),
        }
    }
    page(ReportPage { tr, nav: viewer.nav(tr), groups, error, signed_in: viewer.signed_in() })
}

pub async fn form(State(state): State<AppState>, viewer: Viewer, tr: Tr) -> Response {
    form_page(&state, &viewer, tr, None).await
}

fn bad(zh: &str, en: &str) -> AppError {
    AppError::BadRequest { code: "invalid_form", message: Bilingual::new(zh, en) }
}

pub async fn submit(State(state): State<AppState>, viewer: Viewer, tr: Tr, request: Request) -> Response {
    let refuse = |e: AppError| {
        let m = e.message();
        (if tr.en { m.en } else { m.zh }, e)
    };
    let outcome = async {
        let mut form = Multipart::from_request(request, &state).await.map_err(|_| bad("表单无效", "invalid form"))?;
        let mut fields: Vec<(String, String)> = Vec::new();
        let mut photos: Vec<Vec<u8>> = Vec::new();
        while let Some(f) =
            form.next_field().await.map_err(|_| bad("表单无效或照片过大", "invalid form or photos too large"))?
        {
            let name = f.name().unwrap_or("").to_owned();
            if f.file_name().is_some() {
                let b = f.bytes().await.map_err(|_| bad("照片上传失败", "photo upload failed"))?;
                if !b.is_empty() {
                    photos.push(b.to_vec());
                }
            } else {
                fields.push((name, f.text().await.unwrap_or_default()));
            }
        }
        let field =
            |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_owned()).filter(|v| !v.is_empty());
        if viewer.signed_in() && !viewer.csrf_ok(field("csrf").as_deref()) {
            return Err(AppError::Forbidden(Bilingual::new(
                "页面已过期，请刷新后重试",
                "the page expired; reload and retry",
            )));
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
            photos,
            ..IntakeRequest::default()
        };
        state.app.scoped(viewer.actor.clone()).intake(request).await
    }
    .await;
    match outcome {
        Ok(answer) => page(ReportedPage {
            tr,
            nav: viewer.nav(tr),
            key: (!viewer.signed_in()).then(|| answer.matter.id.clone()),
            number: answer.matter.number,
            duplicates: answer.possible_duplicates,
        }),
        Err(e) => {
            let (text, e) = refuse(e);
            let mut r = form_page(&state, &viewer, tr, Some(text)).await;
            *r.status_mut() = match e {
                AppError::Forbidden(_) => StatusCode::FORBIDDEN,
                _ => StatusCode::BAD_REQUEST,
            };
            r
        }
    }
}
