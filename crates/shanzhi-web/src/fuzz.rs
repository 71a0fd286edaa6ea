//! Entry points for the fuzz targets (`crates/shanzhi-fuzz`, `fuzz/`) into
//! request parsing that is private to this crate. Only built with the
//! `fuzzing` feature, so ordinary builds keep their surface; each is a thin
//! wrapper over what the handlers call and adds no behaviour of its own.

use axum::body::Body;
use axum::extract::{Query, Request};
use axum::http::{Uri, header};
use shanzhi_app::fuzz::MatterQuery;
use shanzhi_app::matters::IntakeRequest;
use shanzhi_app::open311::{RequestFilter, RequestPost, UpdateFilter};
use shanzhi_domain::text::Bilingual;

use crate::ApiError;
pub use crate::routes::open311::params::{MAX_PARAMS, Params};
use crate::routes::{matters, open311};
pub use crate::ui::form::{MAX_FIELD_CHARS, MAX_FILES, MAX_PARTS};

/// `GET /open311/v2/requests.json?…`: the filter (without a jurisdiction,
/// which the handler resolves against the store).
pub fn open311_request_filter(params: &Params) -> Result<RequestFilter, Bilingual> {
    open311::request_filter(params, None)
}

/// `GET /open311/v2/servicerequestupdates.json?…`.
pub fn open311_update_filter(params: &Params) -> Result<UpdateFilter, Bilingual> {
    open311::update_filter(params, None)
}

/// `POST /open311/v2/requests.json`: the report a form gives.
pub fn open311_request_post(params: &Params) -> RequestPost {
    open311::request_post(params, None, Vec::new())
}

/// `GET /api/v1/matters?…` (also `/counts`, `/warnings`): the query string
/// through axum's `Query` extractor, as the handler gets it, then the
/// store's query. `Err(None)`: not a query string a URI can carry.
pub fn matter_list_query(query: &str) -> Result<MatterQuery, Option<ApiError>> {
    let uri: Uri = format!("/api/v1/matters?{query}").parse().map_err(|_| None)?;
    let Query(list) = Query::<matters::ListQuery>::try_from_uri(&uri).map_err(|e| {
        let text = e.body_text();
        let (code, message) = crate::params::coded_error(&text)
            .unwrap_or_else(|| ("invalid_query", Bilingual::new("查询参数无效", text.clone())));
        Some(ApiError::bad_request(code, message))
    })?;
    shanzhi_app::fuzz::matter_query(&list.filter()).map_err(|e| Some(ApiError::from(e)))
}

/// `POST /api/v1/matters`: the JSON body as the intake request.
pub fn report_body(body: &[u8]) -> Result<IntakeRequest, ApiError> {
    let parsed: matters::ReportBody = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request("invalid_json", Bilingual::new("请求体无效", e.to_string())))?;
    matters::intake_request(parsed, None)
}

/// A multipart body with this content type, read as the UI and Open311
/// read theirs: (fields, non-empty files); parts named `media` are files.
pub async fn multipart(content_type: &str, body: Vec<u8>) -> Result<(Vec<(String, String)>, Vec<Vec<u8>>), Bilingual> {
    let request = Request::builder()
        .method("POST")
        .uri("/")
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .map_err(|e| Bilingual::new("请求无效", e.to_string()))?;
    crate::ui::form::read_multipart(request, &(), |name| name == "media" || name == "media[]").await
}
