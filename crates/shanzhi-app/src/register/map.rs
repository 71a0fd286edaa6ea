//! The community's map of the register (地图): the buildings, organisations
//! and shops, and facilities that have a point, each with the households and
//! residents counted there, as GeoJSON. Care marks (关爱对象) are counted only
//! for callers who may see care (the grid's and community's workers); for
//! anyone else the care keys are absent, not zero.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use shanzhi_domain::register::{VisitStanding, visit_standing};
use shanzhi_domain::{Action, DivisionCode, GridCode, Place};
use shanzhi_store::GridQuery;

use super::{bad, place_of};
use crate::AppResult;
use crate::access::Scoped;

/// Most places one map shows; more are left out and the collection says
/// `truncated`.
pub const MAX_MAP_PLACES: usize = 5_000;

/// Most grids offered in the map's grid filter.
const MAX_MAP_GRIDS: usize = 2_000;

/// Which places to map: a grid or a community (default: the caller's own).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RegisterMapQuery {
    pub grid: Option<String>,
    pub community: Option<String>,
}

/// Care marks at one place: open, due today, overdue (working days).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CareCounts {
    pub care: u64,
    pub care_due: u64,
    pub care_overdue: u64,
}

/// One place on the map.
#[derive(Debug, Clone, Serialize)]
pub struct MapPlace {
    pub id: String,
    /// The kind's Chinese label (楼栋, 单位和商户, 公共设施).
    pub kind: String,
    /// building, organisation, facility.
    pub kind_code: String,
    pub name: String,
    pub address: Option<String>,
    /// The grid's name (its code when it has none on record).
    pub grid: Option<String>,
    pub grid_code: Option<String>,
    pub lng: f64,
    pub lat: f64,
    pub households: u64,
    pub residents: u64,
    /// `None` unless the caller may see care.
    pub care: Option<CareCounts>,
}

/// The places of a grid or community, at most [`MAX_MAP_PLACES`].
#[derive(Debug, Clone, Serialize)]
pub struct RegisterMap {
    pub places: Vec<MapPlace>,
    /// More places exist than are shown.
    pub truncated: bool,
    /// Care counts are included (the caller may see care).
    pub with_care: bool,
    /// The grids the caller may map here, (code, name), by code.
    pub grids: Vec<(String, String)>,
    /// The grid asked for, if any.
    pub grid: Option<String>,
}

impl RegisterMap {
    /// As a GeoJSON FeatureCollection; `properties` of the collection hold
    /// `truncated` and `count`. Without care, no care key at all.
    pub fn geojson(&self) -> Value {
        let features: Vec<Value> = self
            .places
            .iter()
            .map(|p| {
                let mut props = json!({
                    "id": p.id,
                    "kind": p.kind,
                    "kind_code": p.kind_code,
                    "name": p.name,
                    "address": p.address,
                    "grid": p.grid,
                    "grid_code": p.grid_code,
                    "households": p.households,
                    "residents": p.residents,
                });
                if let (Some(c), Some(m)) = (p.care, props.as_object_mut()) {
                    m.insert("care".into(), json!(c.care));
                    m.insert("care_due".into(), json!(c.care_due));
                    m.insert("care_overdue".into(), json!(c.care_overdue));
                }
                json!({
                    "type": "Feature",
                    "id": p.id,
                    "geometry": {"type": "Point", "coordinates": [p.lng, p.lat]},
                    "properties": props,
                })
            })
            .collect();
        json!({
            "type": "FeatureCollection",
            "features": features,
            "properties": {"truncated": self.truncated, "count": self.places.len()},
        })
    }
}

/// A place's point and address from its stored fields.
fn point_of(fields: &str) -> Option<(f64, f64, Option<String>)> {
    let Ok(Value::Object(m)) = serde_json::from_str::<Value>(fields) else { return None };
    let lng = m.get("lng")?.as_f64()?;
    let lat = m.get("lat")?.as_f64()?;
    let address = m.get("address").and_then(Value::as_str).map(str::to_owned);
    Some((lng, lat, address))
}

impl Scoped<'_> {
    /// The map of a grid or community the caller may see (else not found).
    pub async fn register_map(&self, query: &RegisterMapQuery) -> AppResult<RegisterMap> {
        let grid = query.grid.as_deref().map(GridCode::parse).transpose().map_err(|m| bad("invalid_grid", m))?;
        let community = match query.community.as_deref() {
            Some(c) => Some(DivisionCode::parse(c).map_err(|e| bad("invalid_community", e.message(c)))?),
            None => None,
        };
        let (within, grids) = self.register_place(grid.as_ref(), community.as_ref())?;
        let place = match (grids.first(), &within) {
            (Some(g), _) => place_of(&g.community(), Some(g)),
            (None, Some(d)) => Place::Division(d.clone()),
            (None, None) => return Err(crate::access::refuse(Action::ViewRegister)),
        };
        let with_care = self.actor.can(Action::ViewCare, &place);

        // One more than shown tells whether there are more.
        let mut found = self.app.store.register_map_places(within.as_ref(), &grids, MAX_MAP_PLACES + 1).await?;
        let truncated = found.len() > MAX_MAP_PLACES;
        found.truncate(MAX_MAP_PLACES);

        // Grid names: the grids of the community (or subtree) mapped.
        let area = match (&within, grids.first()) {
            (Some(d), _) => d.clone(),
            (None, Some(g)) => g.community(),
            (None, None) => return Err(crate::access::refuse(Action::ViewRegister)),
        };
        let records = self
            .app
            .store
            .grids(&GridQuery {
                within: Some(area),
                limit: Some(MAX_MAP_GRIDS),
                ..GridQuery::as_of(self.app.today_here())
            })
            .await?;
        let names: HashMap<GridCode, String> =
            records.iter().map(|r| (r.info.code.clone(), r.info.name.clone())).collect();
        let options = records
            .iter()
            .filter(|r| self.actor.can(Action::ViewRegister, &place_of(&r.info.community(), Some(&r.info.code))))
            .map(|r| (r.info.code.as_str().to_owned(), r.info.name.clone()))
            .collect();

        let mut care: HashMap<String, CareCounts> = HashMap::new();
        if with_care && !found.is_empty() {
            let ids: Vec<String> = found.iter().map(|p| p.record.id.clone()).collect();
            let today = self.app.today_here();
            for (place_id, mark) in self.app.store.care_marks_at_places(&ids).await? {
                let c = care.entry(place_id).or_default();
                c.care += 1;
                match visit_standing(self.app.next_due(&mark), today) {
                    VisitStanding::Overdue => c.care_overdue += 1,
                    VisitStanding::Due => c.care_due += 1,
                    VisitStanding::Later => {}
                }
            }
        }

        let places = found
            .into_iter()
            .filter_map(|p| {
                let (lng, lat, address) = point_of(&p.record.fields)?;
                let r = p.record;
                let grid_name = r.grid.as_ref().map(|g| names.get(g).cloned().unwrap_or_else(|| g.as_str().to_owned()));
                Some(MapPlace {
                    care: with_care.then(|| care.get(&r.id).copied().unwrap_or_default()),
                    kind: r.kind.label_zh().to_owned(),
                    kind_code: r.kind.as_str().to_owned(),
                    address,
                    grid: grid_name,
                    grid_code: r.grid.as_ref().map(|g| g.as_str().to_owned()),
                    lng,
                    lat,
                    households: p.households,
                    residents: p.residents,
                    id: r.id,
                    name: r.name,
                })
            })
            .collect();
        Ok(RegisterMap { places, truncated, with_care, grids: options, grid: grid.map(|g| g.as_str().to_owned()) })
    }
}
