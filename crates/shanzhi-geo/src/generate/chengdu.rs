//! Chengdu's inputs for the generator: the real district boundaries and seats
//! shipped in `data/chengdu/` (embedded), joined with the towns and
//! communities the caller supplies (from the store or the NBS list).

use std::collections::BTreeMap;

use geo_types::Coord;
use geojson::GeoJson;
use shanzhi_domain::{DivisionCode, DivisionLevel};

use super::{CommunityInput, DistrictInput, TownInput};
use crate::features::geometry_from_geojson;

/// Chengdu's district boundaries (CGCS2000, within a metre of WGS-84), as shipped.
pub const DISTRICTS_GEOJSON: &str = include_str!("../../../../data/chengdu/chengdu_districts_fastgeocn.geojson");
const SEATS_CSV: &str = include_str!("../../../../data/chengdu/chengdu_district_seats.csv");

/// The five central districts (锦江, 青羊, 金牛, 武侯, 成华).
pub const CENTRAL_DISTRICTS: [&str; 5] = ["510104", "510105", "510106", "510107", "510108"];

/// Districts with their real boundaries, and the given towns and communities
/// placed under them by code. Divisions of other levels are ignored.
pub fn districts<'a>(divisions: impl IntoIterator<Item = (&'a DivisionCode, &'a str)>) -> Vec<DistrictInput> {
    let mut towns: BTreeMap<DivisionCode, TownInput> = BTreeMap::new();
    let mut communities: Vec<(DivisionCode, &str)> = Vec::new();
    let mut district_names: BTreeMap<DivisionCode, String> = BTreeMap::new();
    for (code, name) in divisions {
        match code.level() {
            DivisionLevel::District => {
                district_names.insert(code.clone(), name.to_owned());
            }
            DivisionLevel::Town => {
                towns.insert(
                    code.clone(),
                    TownInput { code: code.clone(), name: name.to_owned(), communities: Vec::new() },
                );
            }
            DivisionLevel::Community => communities.push((code.clone(), name)),
            _ => {}
        }
    }
    for (code, name) in communities {
        if let Some(town) = code.parent().and_then(|t| towns.get_mut(&t)) {
            town.communities.push(CommunityInput { code, name: name.to_owned() });
        }
    }
    let seats: BTreeMap<String, Coord> = SEATS_CSV
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            Some((f.first()?.to_string(), Coord { x: f.get(2)?.parse().ok()?, y: f.get(3)?.parse().ok()? }))
        })
        .collect();
    let Ok(GeoJson::FeatureCollection(fc)) = DISTRICTS_GEOJSON.parse::<GeoJson>() else {
        unreachable!("the shipped district file is a FeatureCollection")
    };
    let mut out = Vec::new();
    for f in fc.features {
        let props = f.properties.as_ref();
        let adcode = props.and_then(|p| p.get("adcode")).and_then(|v| v.as_str()).unwrap_or_default();
        let Ok(code) = DivisionCode::parse(adcode) else { continue };
        let Some(geometry) = f.geometry.as_ref().and_then(|g| geometry_from_geojson(&g.value).ok()) else { continue };
        let name = district_names
            .get(&code)
            .cloned()
            .or_else(|| props.and_then(|p| p.get("name")).and_then(|v| v.as_str()).map(str::to_owned))
            .unwrap_or_default();
        let district_towns: Vec<TownInput> =
            towns.values().filter(|t| code.is_ancestor_of(&t.code) && !t.communities.is_empty()).cloned().collect();
        if district_towns.is_empty() {
            continue;
        }
        out.push(DistrictInput {
            seat: seats.get(adcode).copied(),
            code,
            name,
            boundary: geometry,
            towns: district_towns,
        });
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    out
}
