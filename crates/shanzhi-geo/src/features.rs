//! GeoJSON in and out. A grid file is a FeatureCollection whose features have
//! a Polygon or MultiPolygon geometry (WGS-84/CGCS2000 lng/lat) and these
//! properties:
//!
//! | property | required | meaning |
//! |---|---|---|
//! | `code` | yes | 15-digit grid code; the first 12 digits are the community's NBS code |
//! | `kind` | yes | `master`, `general`, `micro` or `dedicated` |
//! | `name` | yes | 1–100 characters |
//! | `parent_code` | micro: yes; others: no | the parent grid (a micro grid's general grid; general and dedicated grids default to the community's master grid `…000`) |
//! | `households` | no | number of households, 0–100,000 |
//!
//! Rings are checked as written (closed, at least four positions, finite
//! coordinates in range) before any conversion can paper over them.

use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use geojson::{Feature, FeatureCollection, GeoJson, GeometryValue, JsonObject, JsonValue, Position};
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{GridCode, GridInfo, GridKind};

/// One parsed feature; `number` counts features from 1 in file order.
#[derive(Debug, Clone)]
pub struct GridFeature {
    pub number: usize,
    pub info: GridInfo,
    pub geometry: MultiPolygon<f64>,
}

/// A problem with one feature (`number` 0: the file as a whole).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FeatureProblem {
    pub number: usize,
    pub code: Option<String>,
    pub message: Bilingual,
}

impl FeatureProblem {
    pub fn new(number: usize, code: Option<&str>, message: Bilingual) -> Self {
        FeatureProblem { number, code: code.map(str::to_owned), message }
    }
}

/// Parse a grid FeatureCollection. Every feature is checked; all problems are
/// returned together.
pub fn parse_grid_collection(text: &str) -> Result<Vec<GridFeature>, Vec<FeatureProblem>> {
    let whole = |zh: String, en: String| vec![FeatureProblem::new(0, None, Bilingual::new(zh, en))];
    if text.len() > MAX_FILE_BYTES {
        return Err(whole(
            format!("文件过大：上限 {} MiB", MAX_FILE_BYTES >> 20),
            format!("the file is too large: at most {} MiB", MAX_FILE_BYTES >> 20),
        ));
    }
    let collection = match text.parse::<GeoJson>() {
        Ok(GeoJson::FeatureCollection(fc)) => fc,
        Ok(_) => {
            return Err(vec![FeatureProblem::new(
                0,
                None,
                Bilingual::new("文件应为 GeoJSON FeatureCollection", "the file must be a GeoJSON FeatureCollection"),
            )]);
        }
        Err(e) => {
            return Err(vec![FeatureProblem::new(
                0,
                None,
                Bilingual::new(format!("不是有效的 GeoJSON：{e}"), format!("not valid GeoJSON: {e}")),
            )]);
        }
    };
    if collection.features.is_empty() {
        return Err(vec![FeatureProblem::new(0, None, Bilingual::new("文件没有要素", "the file has no features"))]);
    }
    if collection.features.len() > MAX_FEATURES {
        return Err(whole(
            format!("要素过多：最多 {MAX_FEATURES} 个"),
            format!("too many features: at most {MAX_FEATURES}"),
        ));
    }
    let mut grids = Vec::with_capacity(collection.features.len());
    let mut problems = Vec::new();
    for (i, feature) in collection.features.iter().enumerate() {
        match parse_feature(feature) {
            Ok((info, geometry)) => grids.push(GridFeature { number: i + 1, info, geometry }),
            Err((code, message)) => problems.push(FeatureProblem { number: i + 1, code, message }),
        }
    }
    if problems.is_empty() { Ok(grids) } else { Err(problems) }
}

fn parse_feature(feature: &Feature) -> Result<(GridInfo, MultiPolygon<f64>), (Option<String>, Bilingual)> {
    let empty = JsonObject::new();
    let props = feature.properties.as_ref().unwrap_or(&empty);
    let text = |key: &str| props.get(key).and_then(JsonValue::as_str);
    let raw_code = text("code").map(str::to_owned);
    let fail = |m: Bilingual| (raw_code.clone(), m);
    let code = GridCode::parse(raw_code.as_deref().ok_or_else(|| fail(missing("code")))?).map_err(fail)?;
    let kind: GridKind = text("kind").ok_or_else(|| fail(missing("kind")))?.parse().map_err(fail)?;
    let name =
        shanzhi_domain::grid::parse_grid_name(text("name").ok_or_else(|| fail(missing("name")))?).map_err(fail)?;
    let parent = match props.get("parent_code") {
        None | Some(JsonValue::Null) => None,
        Some(JsonValue::String(s)) => Some(GridCode::parse(s).map_err(fail)?),
        Some(_) => return Err(fail(Bilingual::new("parent_code 应为字符串", "parent_code must be a string"))),
    };
    let households = match props.get("households") {
        None | Some(JsonValue::Null) => None,
        Some(v) => Some(v.as_u64().filter(|h| *h <= 100_000).map(|h| h as u32).ok_or_else(|| {
            fail(Bilingual::new("households 应为 0–100000 的整数", "households must be an integer from 0 to 100000"))
        })?),
    };
    let parent = shanzhi_domain::grid::resolve_parent(&code, kind, parent).map_err(fail)?;
    let geometry = feature
        .geometry
        .as_ref()
        .ok_or_else(|| fail(Bilingual::new("要素缺少几何图形", "the feature has no geometry")))?;
    let geometry = geometry_from_geojson(&geometry.value).map_err(fail)?;
    Ok((GridInfo { code, kind, name, parent, households }, geometry))
}

fn missing(key: &str) -> Bilingual {
    Bilingual::new(format!("缺少属性 {key}"), format!("missing property '{key}'"))
}

/// Bounds of a grid file: a city's full grid (≈140,000 cells) fits with room.
pub const MAX_FILE_BYTES: usize = 512 * 1024 * 1024;
pub const MAX_FEATURES: usize = 1_000_000;
/// Positions of one feature's geometry (a grid cell has tens to hundreds).
pub const MAX_VERTICES: usize = 100_000;

/// A Polygon or MultiPolygon, with its rings checked as written.
pub fn geometry_from_geojson(value: &GeometryValue) -> Result<MultiPolygon<f64>, Bilingual> {
    let polygons: Vec<&Vec<Vec<Position>>> = match value {
        GeometryValue::Polygon { coordinates } => vec![coordinates],
        GeometryValue::MultiPolygon { coordinates } => coordinates.iter().collect(),
        _ => {
            return Err(Bilingual::new(
                "几何图形应为 Polygon 或 MultiPolygon",
                "the geometry must be a Polygon or MultiPolygon",
            ));
        }
    };
    if polygons.is_empty() {
        return Err(Bilingual::new("几何图形为空", "the geometry is empty"));
    }
    let vertices: usize = polygons.iter().flat_map(|rings| rings.iter()).map(Vec::len).sum();
    if vertices > MAX_VERTICES {
        return Err(Bilingual::new(
            format!("几何图形顶点过多：{vertices} 个，上限 {MAX_VERTICES}"),
            format!("the geometry has too many positions: {vertices}, at most {MAX_VERTICES}"),
        ));
    }
    let mut out = Vec::with_capacity(polygons.len());
    for rings in polygons {
        let mut converted = Vec::with_capacity(rings.len());
        for (r, ring) in rings.iter().enumerate() {
            converted.push(ring_from_positions(ring).map_err(|m| {
                Bilingual::new(format!("第 {} 个环：{}", r + 1, m.zh), format!("ring {}: {}", r + 1, m.en))
            })?);
        }
        let mut it = converted.into_iter();
        let exterior = it.next().ok_or_else(|| Bilingual::new("多边形没有环", "a polygon has no rings"))?;
        out.push(Polygon::new(exterior, it.collect()));
    }
    Ok(MultiPolygon(out))
}

fn ring_from_positions(ring: &[Position]) -> Result<LineString<f64>, Bilingual> {
    if ring.len() < 4 {
        return Err(Bilingual::new(
            "环至少需要 4 个坐标（首尾相同）",
            "a ring needs at least 4 positions (first = last)",
        ));
    }
    let mut coords = Vec::with_capacity(ring.len());
    for p in ring {
        let (x, y) = match p.as_slice() {
            [x, y, ..] => (*x, *y),
            _ => return Err(Bilingual::new("坐标至少需要经度和纬度", "a position needs longitude and latitude")),
        };
        if !x.is_finite() || !y.is_finite() || !(-180.0..=180.0).contains(&x) || !(-90.0..=90.0).contains(&y) {
            return Err(Bilingual::new(
                format!("坐标 ({x}, {y}) 超出经纬度范围"),
                format!("position ({x}, {y}) is out of longitude/latitude range"),
            ));
        }
        coords.push(Coord { x, y });
    }
    if coords.first() != coords.last() {
        return Err(Bilingual::new(
            "环未闭合：首尾坐标不同",
            "the ring is not closed: first and last positions differ",
        ));
    }
    Ok(LineString(coords))
}

/// The geometry as GeoJSON text, for storage.
pub fn encode_geometry(mp: &MultiPolygon<f64>) -> String {
    serde_json::to_string(&GeometryValue::from(mp)).expect("geometry serialises")
}

/// Read back what [`encode_geometry`] wrote.
pub fn decode_geometry(text: &str) -> Result<MultiPolygon<f64>, String> {
    let value: GeometryValue = serde_json::from_str(text).map_err(|e| e.to_string())?;
    geometry_from_geojson(&value).map_err(|m| m.en)
}

/// A GeoJSON Feature with the given properties.
pub fn feature(geometry: &MultiPolygon<f64>, properties: JsonObject) -> Feature {
    Feature {
        bbox: None,
        geometry: Some(geojson::Geometry::new(GeometryValue::from(geometry))),
        id: None,
        properties: Some(properties),
        foreign_members: None,
    }
}

pub fn collection(features: Vec<Feature>) -> FeatureCollection {
    FeatureCollection::new(features)
}

/// Simplify for display at a web-map zoom level: the tolerance is about a
/// quarter of a pixel of a 256-pixel tile, so the shape looks the same.
pub fn simplify_for_zoom(mp: &MultiPolygon<f64>, zoom: u8) -> MultiPolygon<f64> {
    use geo::Simplify;
    let degrees_per_pixel = 360.0 / (256.0 * f64::from(1u32 << zoom.min(22)));
    let simplified = mp.simplify(degrees_per_pixel / 4.0);
    // Tiny parts can vanish entirely; keep the original rather than nothing.
    if simplified.0.iter().all(|p| p.exterior().0.len() >= 4) { simplified } else { mp.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: &str =
        r#"{"type":"Polygon","coordinates":[[[104.0,30.0],[104.01,30.0],[104.01,30.01],[104.0,30.01],[104.0,30.0]]]}"#;

    fn collection_of(features: &[(&str, &str)]) -> String {
        let fs: Vec<String> = features
            .iter()
            .map(|(props, geom)| format!(r#"{{"type":"Feature","properties":{props},"geometry":{geom}}}"#))
            .collect();
        format!(r#"{{"type":"FeatureCollection","features":[{}]}}"#, fs.join(","))
    }

    #[test]
    fn a_good_feature_parses_and_defaults_its_parent() {
        let text = collection_of(&[(
            r#"{"code":"510104022001001","kind":"general","name":"一网格","households":420}"#,
            SQUARE,
        )]);
        let grids = parse_grid_collection(&text).expect("valid");
        assert_eq!(grids[0].info.parent.as_ref().map(GridCode::as_str), Some("510104022001000"));
        assert_eq!(grids[0].info.households, Some(420));
        let back = decode_geometry(&encode_geometry(&grids[0].geometry)).expect("round trip");
        assert_eq!(back, grids[0].geometry);
    }

    #[test]
    fn long_coordinates_read_back_as_they_were_read() {
        // 23 significant digits: the default float parser rounded this one
        // unit in the last place off from what its own output reads back as
        // (found by fuzzing: the stored geometry differed from the checked one).
        let ring = r#"{"type":"Polygon","coordinates":[[[104.07,30.65],[104.07666666666666666665,30.65],[104.07,30.66],[104.07,30.65]]]}"#;
        let text = collection_of(&[(r#"{"code":"510104022006001","kind":"general","name":"一网格"}"#, ring)]);
        let grids = parse_grid_collection(&text).expect("valid");
        assert_eq!(decode_geometry(&encode_geometry(&grids[0].geometry)).expect("decode"), grids[0].geometry);
        assert_eq!(grids[0].geometry.0[0].exterior().0[1].x, 104.076_666_666_666_67);
    }

    #[test]
    fn each_bad_feature_is_reported_by_number() {
        let open_ring =
            r#"{"type":"Polygon","coordinates":[[[104.0,30.0],[104.01,30.0],[104.01,30.01],[104.0,30.01]]]}"#;
        let text = collection_of(&[
            (r#"{"code":"51010402200100","kind":"general","name":"短编码"}"#, SQUARE),
            (r#"{"code":"510104022001002","kind":"general","name":"开环"}"#, open_ring),
            (r#"{"code":"510104022001003","kind":"micro","name":"无上级"}"#, SQUARE),
            (
                r#"{"code":"510104022001004","kind":"general","name":"点"}"#,
                r#"{"type":"Point","coordinates":[104.0,30.0]}"#,
            ),
            (r#"{"code":"510104022001005","kind":"general","name":"好"}"#, SQUARE),
        ]);
        let problems = parse_grid_collection(&text).expect_err("bad");
        let numbers: Vec<_> = problems.iter().map(|p| p.number).collect();
        assert_eq!(numbers, [1, 2, 3, 4]);
        assert!(problems[0].message.en.contains("15 digits"));
        assert!(problems[1].message.en.contains("not closed"));
        assert!(problems[2].message.en.contains("parent"));
        assert!(problems[3].message.en.contains("Polygon"));
        assert!(parse_grid_collection("{").is_err());
        assert!(parse_grid_collection(r#"{"type":"FeatureCollection","features":[]}"#).is_err());
    }
}
