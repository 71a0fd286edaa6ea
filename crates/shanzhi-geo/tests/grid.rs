//! The generator, the topology checks and the point index together, on a
//! generated grid of 锦江区 (real boundary, real towns and communities).

mod support;

use std::sync::OnceLock;

use geo::Intersects;
use geo_types::Point;
use proptest::prelude::*;
use shanzhi_domain::GridKind;
use shanzhi_geo::features::GridFeature;
use shanzhi_geo::generate::{GenerateOptions, Generated, MicroScope, generate};
use shanzhi_geo::topology::{self, Tolerance};
use shanzhi_geo::{Crs, GridIndex, IndexInput};

fn options() -> GenerateOptions {
    GenerateOptions { seed: 42, general_target: 250, micro_target: 2250, micro: MicroScope::All }
}

fn jinjiang() -> &'static Generated {
    static G: OnceLock<Generated> = OnceLock::new();
    G.get_or_init(|| generate(&support::chengdu_districts(&["510104"]), &options()))
}

fn index() -> &'static GridIndex {
    static I: OnceLock<GridIndex> = OnceLock::new();
    I.get_or_init(|| {
        let inputs = jinjiang().grids.iter().map(|g| IndexInput { info: g.info.clone(), geometry: g.geometry.clone() });
        GridIndex::build(inputs.collect(), Default::default(), 1)
    })
}

#[test]
fn the_generator_is_deterministic_and_uses_every_real_community() {
    let again = generate(&support::chengdu_districts(&["510104"]), &options());
    let a: Vec<_> = jinjiang().grids.iter().map(|g| (&g.info, &g.geometry)).collect();
    let b: Vec<_> = again.grids.iter().map(|g| (&g.info, &g.geometry)).collect();
    assert_eq!(a, b, "same seed, same grid");
    let communities: usize = support::chengdu_districts(&["510104"])[0].towns.iter().map(|t| t.communities.len()).sum();
    let masters = jinjiang().grids.iter().filter(|g| g.info.kind == GridKind::Master).count();
    assert_eq!(masters, communities);
    let micro: Vec<_> = jinjiang().grids.iter().filter(|g| g.info.kind == GridKind::Micro).collect();
    assert!(micro.iter().all(|g| g.info.households.is_some_and(|h| (30..=100).contains(&h))));
    let other = generate(&support::chengdu_districts(&["510104"]), &GenerateOptions { seed: 43, ..options() });
    assert_ne!(other.grids[0].geometry, jinjiang().grids[0].geometry, "another seed, another grid");
}

#[test]
fn generated_grids_pass_the_import_checks() {
    let features: Vec<GridFeature> = jinjiang()
        .grids
        .iter()
        .enumerate()
        .map(|(i, g)| GridFeature { number: i + 1, info: g.info.clone(), geometry: g.geometry.clone() })
        .collect();
    let report = topology::check(&features, &[], Tolerance::default());
    assert!(report.problems.is_empty(), "{:#?}", &report.problems[..report.problems.len().min(5)]);
    let worst = report.gaps.iter().map(|g| g.uncovered_share).fold(0.0, f64::max);
    assert!(worst < 0.001, "children cover their parents: {:?}", report.gaps.first());
}

#[test]
fn chunxi_road_lands_in_jinjiang_in_every_coordinate_system() {
    let (lng, lat) = (104.0806, 30.6571);
    let hit = index().locate(lng, lat).expect("春熙路 is inside the grid");
    assert_eq!(hit.district.code.as_str(), "510104000000");
    let micro = hit.micro_grid.clone().expect("micro-grid");
    assert!(micro.code.as_str().starts_with("510104"));
    assert_eq!(hit.general_grid.as_ref().map(|g| g.code.community()), Some(micro.code.community()));
    for crs in [Crs::Gcj02, Crs::Bd09] {
        let (x, y) = crs.from_wgs84(lng, lat);
        let (back_lng, back_lat) = crs.to_wgs84(x, y);
        assert_eq!(index().locate(back_lng, back_lat).and_then(|l| l.micro_grid), Some(micro.clone()), "{crs}");
    }
    assert!(index().locate(104.0806, 31.3).is_none(), "outside every grid says so");
}

/// The finest cell by brute force, with geo's own closed point-in-polygon test.
fn brute_force(lng: f64, lat: f64) -> Option<&'static shanzhi_domain::GridCode> {
    let p = Point::new(lng, lat);
    [GridKind::Micro, GridKind::General, GridKind::Master].into_iter().find_map(|kind| {
        jinjiang().grids.iter().filter(|g| g.info.kind == kind && g.geometry.intersects(&p)).map(|g| &g.info.code).min()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn locate_agrees_with_brute_force(fx in 0.0f64..1.0, fy in 0.0f64..1.0) {
        // The district's bounding box, with a margin so some points fall outside.
        let (x0, y0, x1, y1) = (104.03, 30.56, 104.19, 30.69);
        let (lng, lat) = (x0 + fx * (x1 - x0), y0 + fy * (y1 - y0));
        prop_assert_eq!(index().locate_code(lng, lat), brute_force(lng, lat));
    }

    #[test]
    fn points_on_shared_vertices_resolve_to_one_cell(pick in 0usize..10_000) {
        // Vertices of micro-grids lie on their neighbours' boundaries too.
        let micro: Vec<_> = jinjiang().grids.iter().filter(|g| g.info.kind == GridKind::Micro).collect();
        let g = micro[pick % micro.len()];
        let ring = &g.geometry.0[0].exterior().0;
        let c = ring[pick % (ring.len() - 1)];
        let first = index().locate_code(c.x, c.y).cloned();
        prop_assert!(first.is_some());
        prop_assert_eq!(index().locate_code(c.x, c.y).cloned(), first.clone(), "the same answer every time");
        prop_assert_eq!(first.as_ref(), brute_force(c.x, c.y), "the smallest code among the cells touching it");
    }
}
