//! `/map` (网格地图): districts, communities and grids drawn from Shanzhi's
//! own GeoJSON (loaded by view, simplified by zoom), coloured by open
//! matters; a click shows the cell and its matters. No base map unless a
//! tile URL is configured (e.g. 天地图 with its key).

use askama::Template;
use axum::response::Response;

use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page};

#[derive(Template)]
#[template(path = "map.html")]
struct MapPage {
    tr: Tr,
    nav: Nav,
}

pub async fn map(viewer: Viewer, tr: Tr) -> Response {
    page(MapPage { tr, nav: viewer.nav(tr) })
}

#[derive(Debug, serde::Deserialize)]
pub struct BoxQuery {
    bbox: String,
}

/// `GET /map/counts?bbox=`: open matters per cell in the box (JSON).
pub async fn counts(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    viewer: Viewer,
    axum::extract::Query(q): axum::extract::Query<BoxQuery>,
) -> Result<axum::Json<shanzhi_app::matters::OpenCounts>, crate::ApiError> {
    let v: Vec<f64> = q.bbox.split(',').filter_map(|p| p.trim().parse().ok()).collect();
    let bbox: [f64; 4] = v.try_into().map_err(|_| {
        crate::ApiError::bad_request(
            "invalid_bbox",
            shanzhi_domain::text::Bilingual::new("bbox 应为四个数", "bbox must be four numbers"),
        )
    })?;
    Ok(axum::Json(state.app.scoped(viewer.actor).open_counts(bbox).await?))
}

#[derive(Template)]
#[template(path = "cell.html")]
struct CellFragment {
    tr: Tr,
    code: String,
    /// The cell's name (its code when it is no grid with a name).
    name: String,
    rows: Vec<super::Row>,
}

/// `GET /map/cell/{code}`: a cell's open matters (an htmx fragment).
pub async fn cell(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    viewer: Viewer,
    tr: Tr,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> Response {
    match state.app.scoped(viewer.actor.clone()).cell_matters(&code).await {
        Ok(list) => {
            let name = match shanzhi_domain::GridCode::parse(&code) {
                Ok(g) => state.app.grid(&g, shanzhi_app::grids::today()).await.ok().map(|r| r.info.name),
                Err(_) => None,
            };
            let rows = list.iter().map(super::Row::from_view).collect();
            page(CellFragment { tr, name: name.unwrap_or_else(|| code.clone()), code, rows })
        }
        Err(e) => crate::ui::refusal(tr, &viewer, &e),
    }
}

/// `GET /map/districts.geojson`: the district outlines the maps draw when
/// zoomed out (the shipped boundaries).
pub async fn districts() -> Response {
    use axum::response::IntoResponse;
    (
        [
            (axum::http::header::CONTENT_TYPE, "application/geo+json"),
            (axum::http::header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        shanzhi_geo::generate::chengdu::DISTRICTS_GEOJSON,
    )
        .into_response()
}
