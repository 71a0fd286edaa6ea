//! Coordinate systems. Shanzhi stores WGS-84 (≈ CGCS2000, within a metre or so
//! for these purposes). AMap and Tencent SDKs report GCJ-02 (offset by a few
//! hundred metres inside China), Baidu reports BD-09; both are converted here.
//!
//! The forward GCJ-02 transform is the published one; the inverses are solved
//! by fixed-point iteration to well under a millimetre rather than with the
//! common one-step approximation (which errs by up to a few metres).

use std::f64::consts::PI;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use shanzhi_domain::text::Bilingual;

shanzhi_domain::code_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "lowercase")]
    pub enum Crs {
        /// WGS-84 / CGCS2000 (GPS, 天地图).
        #[default]
        Wgs84 => "wgs84";
        /// GCJ-02 (高德 AMap, 腾讯 Tencent).
        Gcj02 => "gcj02";
        /// BD-09 (百度 Baidu).
        Bd09 => "bd09";
    }
}

impl Crs {
    /// Convert a point given in this system to WGS-84.
    pub fn to_wgs84(self, lng: f64, lat: f64) -> (f64, f64) {
        match self {
            Crs::Wgs84 => (lng, lat),
            Crs::Gcj02 => gcj02_to_wgs84(lng, lat),
            Crs::Bd09 => {
                let (g_lng, g_lat) = bd09_to_gcj02(lng, lat);
                gcj02_to_wgs84(g_lng, g_lat)
            }
        }
    }

    /// Convert a WGS-84 point into this system.
    pub fn from_wgs84(self, lng: f64, lat: f64) -> (f64, f64) {
        match self {
            Crs::Wgs84 => (lng, lat),
            Crs::Gcj02 => wgs84_to_gcj02(lng, lat),
            Crs::Bd09 => {
                let (g_lng, g_lat) = wgs84_to_gcj02(lng, lat);
                gcj02_to_bd09(g_lng, g_lat)
            }
        }
    }
}

impl FromStr for Crs {
    type Err = Bilingual;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wgs84" | "wgs-84" | "cgcs2000" | "epsg:4326" | "epsg:4490" => Ok(Crs::Wgs84),
            "gcj02" | "gcj-02" => Ok(Crs::Gcj02),
            "bd09" | "bd-09" | "bd09ll" => Ok(Crs::Bd09),
            _ => Err(Bilingual::new(
                format!("未知的坐标系“{s}”，应为 wgs84、gcj02 或 bd09"),
                format!("unknown coordinate system '{s}', expected wgs84, gcj02 or bd09"),
            )),
        }
    }
}

// Krasovsky 1940 ellipsoid, as the GCJ-02 algorithm uses it.
const A: f64 = 6_378_245.0;
const EE: f64 = 0.006_693_421_622_965_943;
const X_PI: f64 = PI * 3000.0 / 180.0;

/// GCJ-02 applies only inside mainland China; elsewhere it is WGS-84.
fn in_china(lng: f64, lat: f64) -> bool {
    (72.004..=137.8347).contains(&lng) && (0.8293..=55.8271).contains(&lat)
}

fn offset_lat(x: f64, y: f64) -> f64 {
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn offset_lng(x: f64, y: f64) -> f64 {
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

pub fn wgs84_to_gcj02(lng: f64, lat: f64) -> (f64, f64) {
    if !in_china(lng, lat) {
        return (lng, lat);
    }
    let d_lat = offset_lat(lng - 105.0, lat - 35.0);
    let d_lng = offset_lng(lng - 105.0, lat - 35.0);
    let rad_lat = lat / 180.0 * PI;
    let magic = 1.0 - EE * rad_lat.sin().powi(2);
    let sqrt_magic = magic.sqrt();
    let d_lat = (d_lat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    let d_lng = (d_lng * 180.0) / (A / sqrt_magic * rad_lat.cos() * PI);
    (lng + d_lng, lat + d_lat)
}

/// Invert `forward` near `target` by fixed-point iteration: the offset varies
/// slowly, so each step gains several digits.
fn invert(target: (f64, f64), forward: impl Fn(f64, f64) -> (f64, f64)) -> (f64, f64) {
    let (mut lng, mut lat) = target;
    for _ in 0..30 {
        let (f_lng, f_lat) = forward(lng, lat);
        let (e_lng, e_lat) = (f_lng - target.0, f_lat - target.1);
        lng -= e_lng;
        lat -= e_lat;
        if e_lng.abs() < 1e-12 && e_lat.abs() < 1e-12 {
            break;
        }
    }
    (lng, lat)
}

pub fn gcj02_to_wgs84(lng: f64, lat: f64) -> (f64, f64) {
    if !in_china(lng, lat) {
        return (lng, lat);
    }
    invert((lng, lat), wgs84_to_gcj02)
}

pub fn gcj02_to_bd09(lng: f64, lat: f64) -> (f64, f64) {
    let z = (lng * lng + lat * lat).sqrt() + 0.00002 * (lat * X_PI).sin();
    let theta = lat.atan2(lng) + 0.000003 * (lng * X_PI).cos();
    (z * theta.cos() + 0.0065, z * theta.sin() + 0.006)
}

pub fn bd09_to_gcj02(lng: f64, lat: f64) -> (f64, f64) {
    invert((lng, lat), gcj02_to_bd09)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Metres between two nearby points (equirectangular; fine at this scale).
    fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
        let k = 111_320.0;
        let dx = (a.0 - b.0) * k * (a.1.to_radians().cos());
        let dy = (a.1 - b.1) * k;
        (dx * dx + dy * dy).sqrt()
    }

    #[test]
    fn chunxi_road_offsets_match_published_values() {
        // 春熙路, WGS-84 → GCJ-02 moves it a few hundred metres south-east-ish.
        let wgs = (104.0806, 30.6571);
        let gcj = wgs84_to_gcj02(wgs.0, wgs.1);
        let shift = metres(wgs, gcj);
        assert!((200.0..700.0).contains(&shift), "GCJ-02 offset in Chengdu is a few hundred metres, got {shift}");
        assert!(gcj.0 > wgs.0 && gcj.1 < wgs.1, "{gcj:?}");
        let bd = Crs::Bd09.from_wgs84(wgs.0, wgs.1);
        assert!(metres(gcj, bd) > 500.0, "BD-09 adds its own offset");
        assert_eq!(wgs84_to_gcj02(2.35, 48.85), (2.35, 48.85), "outside China GCJ-02 is WGS-84");
    }

    proptest! {
        #[test]
        fn conversions_round_trip_within_a_millimetre(lng in 73.0f64..135.0, lat in 18.0f64..53.0) {
            for crs in [Crs::Gcj02, Crs::Bd09] {
                let (x, y) = crs.from_wgs84(lng, lat);
                let back = crs.to_wgs84(x, y);
                prop_assert!(metres((lng, lat), back) < 0.001, "{crs}: {:?} -> {:?}", (lng, lat), back);
                let (x2, y2) = crs.from_wgs84(back.0, back.1);
                prop_assert!(metres((x, y), (x2, y2)) < 0.001);
            }
        }
    }
}
