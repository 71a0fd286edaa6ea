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
