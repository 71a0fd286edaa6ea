//! `/grid/register/map` (登记地图): the register's places with a point on a
//! Leaflet map (markers coloured by care: overdue red, due orange, else
//! neutral — care only for those who may see it), and the same places in a
//! plain table under the map that works without scripts. A <select> of the
//! grids by name filters the map.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use shanzhi_app::register::{MAX_MAP_PLACES, RegisterMap, RegisterMapQuery};

use crate::AppState;
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

#[derive(Template)]
#[template(path = "grid_register_map.html")]
struct MapPage {
    tr: Tr,
    nav: Nav,
    map: RegisterMap,
    /// The API address the map's script reads the places from.
    source: String,
    max: usize,
}

#[derive(Debug, Default, Deserialize)]
pub struct MapFilter {
    #[serde(default)]
    grid: String,
}

pub async fn map(State(state): State<AppState>, viewer: Viewer, tr: Tr, Query(f): Query<MapFilter>) -> Response {
    if !viewer.signed_in() {
        return to_login("/grid/register/map");
    }
    let grid = Some(f.grid.trim().to_owned()).filter(|g| !g.is_empty() && g.len() <= 15);
    let source = match &grid {
        Some(g) => format!(
            "/api/v1/register/map?grid={}",
            url::form_urlencoded::byte_serialize(g.as_bytes()).collect::<String>()
        ),
        None => "/api/v1/register/map".to_owned(),
    };
    match state.app.scoped(viewer.actor.clone()).register_map(&RegisterMapQuery { grid, community: None }).await {
        Ok(map) => page(MapPage { tr, nav: viewer.nav(tr), map, source, max: MAX_MAP_PLACES }),
        Err(e) => refusal(tr, &viewer, &e),
    }
}
