//! `shanzhi grid generate`: a deterministic generator of Chengdu's grid.
//!
//! No public data has town, community or grid boundaries, so inside each real
//! district polygon it cuts the district among its real towns, each town
//! among its real communities (synthetic shapes, real names and codes), then
//! cuts general grids and micro-grids. Sizes follow a density that falls
//! away from the city centre and the district seats: streets (街道) and urban
//! communities (社区) get the dense seeds and small cells, towns (镇) and
//! villages (村) the sparse ones. Households follow the kind of community.
//!
//! The same seed and inputs give the same grid, whatever the thread count:
//! every community draws from its own generator, seeded from the seed and
//! its code.

pub mod chengdu;
mod partition;

use std::collections::HashSet;

use geo_types::{Coord, MultiPolygon};
use rand::{RngExt, SeedableRng};
use rand_pcg::Pcg64Mcg;
use rayon::prelude::*;
use shanzhi_domain::{DivisionCode, GridCode, GridInfo, GridKind};

use partition::{Region, relax};

/// 天府广场, the centre the density falls away from.
const CITY_CENTRE: Coord = Coord { x: 104.0657, y: 30.6595 };

#[derive(Debug, Clone)]
pub struct CommunityInput {
    pub code: DivisionCode,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct TownInput {
    pub code: DivisionCode,
    pub name: String,
    pub communities: Vec<CommunityInput>,
}

#[derive(Debug, Clone)]
pub struct DistrictInput {
    pub code: DivisionCode,
    pub name: String,
    pub boundary: MultiPolygon<f64>,
    /// The district seat (区政府), a second centre of density.
    pub seat: Option<Coord>,
    pub towns: Vec<TownInput>,
}

/// Which districts get micro-grids.
#[derive(Debug, Clone)]
pub enum MicroScope {
    All,
    None,
    Districts(HashSet<DivisionCode>),
}

#[derive(Debug, Clone)]
pub struct GenerateOptions {
    pub seed: u64,
    /// General grids in the whole input (Chengdu: about 14,000).
    pub general_target: usize,
    /// Micro-grids in the districts that get them, if all did (Chengdu:
    /// about 126,000, 30–100 households each); fewer districts get their share.
    pub micro_target: usize,
    pub micro: MicroScope,
}

impl GenerateOptions {
    /// Chengdu's scale: ≈14,000 general grids, ≈126,000 micro-grids.
    pub fn full(seed: u64) -> Self {
        GenerateOptions { seed, general_target: 14_000, micro_target: 126_000, micro: MicroScope::All }
    }
}

/// A generated grid, as an import would read it.
#[derive(Debug, Clone)]
pub struct GeneratedGrid {
    pub info: GridInfo,
    pub geometry: MultiPolygon<f64>,
}

#[derive(Debug, Default)]
pub struct Generated {
    /// Town boundaries (not grids, but useful to draw and check).
    pub towns: Vec<(DivisionCode, MultiPolygon<f64>)>,
    pub grids: Vec<GeneratedGrid>,
}

fn mix(seed: u64, code: &str) -> u64 {
    // FNV-1a over the code, folded with the seed: stable across platforms.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for b in code.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn rng_for(seed: u64, code: &DivisionCode) -> Pcg64Mcg {
    Pcg64Mcg::seed_from_u64(mix(seed, code.as_str()))
}

fn km(a: Coord, b: Coord) -> f64 {
    let dx = (a.x - b.x) * 111.32 * a.y.to_radians().cos();
    let dy = (a.y - b.y) * 110.57;
    (dx * dx + dy * dy).sqrt()
}

fn density(seat: Option<Coord>) -> impl Fn(Coord) -> f64 {
    move |p| {
        let core = (-km(p, CITY_CENTRE) / 7.0).exp();
        let seat = seat.map_or(0.0, |s| 0.35 * (-km(p, s) / 2.5).exp());
        0.02 + core + seat
    }
}

fn is_urban_town(name: &str) -> bool {
    name.ends_with("街道") || name.ends_with("办事处")
}

/// 社区居委会 / 社区居民委员会 are urban; 村委会 / 村民委员会 are villages.
fn is_urban_community(name: &str) -> bool {
    name.contains("社区") || name.ends_with("居委会") || name.ends_with("居民委员会")
}

/// The everyday name of a community: "总府路社区居委会" → "总府路社区",
/// "大梁村村委会" → "大梁村", "永安村民委员会" → "永安村" (grid names build on it).
pub fn community_short_name(name: &str) -> String {
    for suffix in ["居民委员会", "居委会"] {
        if let Some(stem) = name.strip_suffix(suffix) {
            return stem.to_owned();
        }
    }
    for suffix in ["村民委员会", "村委会"] {
        if let Some(stem) = name.strip_suffix(suffix) {
            return if stem.ends_with('村') { stem.to_owned() } else { format!("{stem}村") };
        }
    }
    name.to_owned()
}

/// Cut `region` among `names`; the most urban names take the densest seeds.
fn assign<'n, T>(
    boundary: &MultiPolygon<f64>,
    items: &'n [T],
    urban: impl Fn(&T) -> bool,
    rng: &mut Pcg64Mcg,
    density: &dyn Fn(Coord) -> f64,
    relax_steps: usize,
) -> Vec<(&'n T, MultiPolygon<f64>)> {
    let region = Region::new(boundary);
    let mut seeds = region.seeds(items.len(), rng, density);
    let mut cells = region.cells(&seeds);
    for _ in 0..relax_steps {
        relax(&mut seeds, &cells, &region);
        cells = region.cells(&seeds);
    }
    let mut order: Vec<usize> = (0..seeds.len()).collect();
    order.sort_by(|&a, &b| density(seeds[b]).total_cmp(&density(seeds[a])).then(a.cmp(&b)));
    let mut ranked: Vec<&T> = items.iter().filter(|t| urban(t)).collect();
    ranked.extend(items.iter().filter(|t| !urban(t)));
    ranked.into_iter().zip(order).map(|(item, k)| (item, cells[k].clone())).collect()
}

/// Generate the grid for `districts`.
pub fn generate(districts: &[DistrictInput], options: &GenerateOptions) -> Generated {
    // 1. Towns in districts, communities in towns (with sampled households).
    struct Planned<'a> {
        district: &'a DistrictInput,
        community: &'a CommunityInput,
        boundary: MultiPolygon<f64>,
        households: u32,
    }
    type TownShape = (DivisionCode, MultiPolygon<f64>);
    let per_district: Vec<(Vec<TownShape>, Vec<Planned>)> = districts
        .par_iter()
        .map(|d| {
            let mut rng = rng_for(options.seed, &d.code);
            let dens = density(d.seat);
            let towns = assign(&d.boundary, &d.towns, |t| is_urban_town(&t.name), &mut rng, &dens, 2);
            let mut planned = Vec::new();
            let mut town_shapes = Vec::new();
            for (town, shape) in towns {
                let mut rng = rng_for(options.seed, &town.code);
                let communities =
                    assign(&shape, &town.communities, |c| is_urban_community(&c.name), &mut rng, &dens, 1);
                for (community, boundary) in communities {
                    let households = if is_urban_community(&community.name) {
                        rng.random_range(2000..5000)
                    } else {
                        rng.random_range(700..2000)
                    };
                    planned.push(Planned { district: d, community, boundary, households });
                }
                town_shapes.push((town.code.clone(), shape));
            }
            (town_shapes, planned)
        })
        .collect();
    let mut towns = Vec::new();
    let mut planned = Vec::new();
    for (t, p) in per_district {
        towns.extend(t);
        planned.extend(p);
    }

    // 2. General and micro-grids, community by community.
    let total_households: f64 = planned.iter().map(|p| f64::from(p.households)).sum();
    let per_general = (total_households / options.general_target.max(1) as f64).max(1.0);
    let per_micro = (total_households / options.micro_target.max(1) as f64).max(1.0);
    let grids: Vec<Vec<GeneratedGrid>> = planned
        .par_iter()
        .map(|p| {
            let with_micro = match &options.micro {
                MicroScope::All => true,
                MicroScope::None => false,
                MicroScope::Districts(set) => set.contains(&p.district.code),
            };
            let sizes = Sizes { per_general, per_micro: with_micro.then_some(per_micro) };
            community_grids(p.community, &p.boundary, p.households, sizes, options.seed)
        })
        .collect();
    Generated { towns, grids: grids.into_iter().flatten().collect() }
}

/// Households per general grid, and per micro-grid where there are any.
#[derive(Clone, Copy)]
struct Sizes {
    per_general: f64,
    per_micro: Option<f64>,
}

fn community_grids(
    community: &CommunityInput,
    boundary: &MultiPolygon<f64>,
    households: u32,
    sizes: Sizes,
    seed: u64,
) -> Vec<GeneratedGrid> {
    let mut rng = rng_for(seed ^ 0x5eed, &community.code);
    let code = |seq: usize| GridCode::new(&community.code, seq as u16).expect("sequence below 1000");
    let master = code(0);
    let n_general = ((f64::from(households) / sizes.per_general).round() as usize).clamp(1, 40);
    let short = community_short_name(&community.name);
    let short = short.as_str();
    let flat = |_: Coord| 1.0;
    let region = Region::new(boundary);
    let seeds = region.seeds(n_general, &mut rng, &flat);
    let cells = region.cells(&seeds);
    let mut out = vec![GeneratedGrid {
        info: GridInfo {
            code: master.clone(),
            kind: GridKind::Master,
            name: short.to_owned(),
            parent: None,
            households: Some(households),
        },
        geometry: boundary.clone(),
    }];
    // Split households among general grids, ±20 %.
    let weights: Vec<f64> = (0..cells.len()).map(|_| rng.random_range(0.8..1.2)).collect();
    let weight_sum: f64 = weights.iter().sum();
    let mut next_seq = cells.len() + 1;
    let mut micro = Vec::new();
    for (k, (cell, w)) in cells.into_iter().zip(&weights).enumerate() {
        if cell.0.is_empty() {
            continue;
        }
        let general_households = (f64::from(households) * w / weight_sum).round() as u32;
        let general = code(k + 1);
        let general_name = format!("{short}第{}网格", k + 1);
        if let Some(per_micro) = sizes.per_micro {
            let n_micro = ((f64::from(general_households) / per_micro).round() as usize).clamp(3, 16);
            let n_micro = n_micro.min(999 - next_seq + 1);
            let region = Region::new(&cell);
            let seeds = region.seeds(n_micro, &mut rng, &flat);
            let micro_cells = region.cells(&seeds);
            let n = micro_cells.iter().filter(|c| !c.0.is_empty()).count().max(1) as u32;
            for (m, mc) in micro_cells.into_iter().filter(|c| !c.0.is_empty()).enumerate() {
                // 30–100 households each, around the general grid's share.
                let h = (general_households / n).clamp(30, 100) + rng.random_range(0..5);
                micro.push(GeneratedGrid {
                    info: GridInfo {
                        code: code(next_seq),
                        kind: GridKind::Micro,
                        name: format!("{general_name}第{}微网格", m + 1),
                        parent: Some(general.clone()),
                        households: Some(h.min(100)),
                    },
                    geometry: mc,
                });
                next_seq += 1;
            }
        }
        out.push(GeneratedGrid {
            info: GridInfo {
                code: general,
                kind: GridKind::General,
                name: general_name,
                parent: Some(master.clone()),
                households: Some(general_households),
            },
            geometry: cell,
        });
    }
    out.extend(micro);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn community_names_are_shortened_for_grids() {
        assert_eq!(community_short_name("总府路社区居委会"), "总府路社区");
        assert_eq!(community_short_name("八宝街社区居民委员会"), "八宝街社区");
        assert_eq!(community_short_name("永安村村民委员会"), "永安村");
        assert_eq!(community_short_name("大梁村村委会"), "大梁村");
        assert_eq!(community_short_name("永安村民委员会"), "永安村");
        assert_eq!(community_short_name("永安村委会"), "永安村");
        assert_eq!(community_short_name("某某社区"), "某某社区");
        assert!(is_urban_community("八宝街社区居民委员会") && !is_urban_community("永安村民委员会"));
    }
}
