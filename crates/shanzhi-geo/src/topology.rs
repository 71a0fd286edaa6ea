//! Topology checks for a set of grids before anything is written: valid
//! polygons, known parents of the right kind, children inside their parents,
//! no overlap between siblings (all within a tolerance), and a report of the
//! parts of each parent that no child covers (gaps are reported, not refused).

use std::collections::{HashMap, HashSet};

use geo::{BooleanOps, BoundingRect, ChamberlainDuquetteArea, Validation};
use geo_types::MultiPolygon;
use rayon::prelude::*;
use rstar::{AABB, RTree, RTreeObject};
use serde::Serialize;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{DivisionCode, GridCode, GridInfo};

use crate::features::{FeatureProblem, GridFeature};

/// How much disagreement counts as none: an excess area is a problem when it
/// is larger than both `area_m2` and `share` of the smaller polygon. Grids are
/// drawn by hand and converted between tools, so exact equality is too strict.
#[derive(Debug, Clone, Copy)]
pub struct Tolerance {
    pub area_m2: f64,
    pub share: f64,
}

impl Default for Tolerance {
    fn default() -> Self {
        Tolerance { area_m2: 1.0, share: 0.001 }
    }
}

impl Tolerance {
    fn exceeded(&self, excess_m2: f64, reference_m2: f64) -> bool {
        excess_m2 > self.area_m2 && excess_m2 > self.share * reference_m2
    }
}

/// A stored grid the checks need: a parent outside the file, or a sibling the
/// file does not replace.
#[derive(Debug, Clone)]
pub struct StoredGrid {
    pub info: GridInfo,
    pub geometry: MultiPolygon<f64>,
}

/// Part of a parent that no child covers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    pub parent: GridCode,
    pub parent_area_m2: f64,
    pub uncovered_m2: f64,
    pub uncovered_share: f64,
}

#[derive(Debug, Default)]
pub struct TopologyReport {
    pub problems: Vec<FeatureProblem>,
    pub gaps: Vec<Gap>,
}

/// Area in square metres (spherical approximation, ample for grids).
pub fn area_m2(mp: &MultiPolygon<f64>) -> f64 {
    mp.chamberlain_duquette_unsigned_area()
}

/// Siblings are grids with the same parent; master grids are siblings when
/// their communities share a town.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum SiblingKey {
    Parent(GridCode),
    Town(DivisionCode),
}

fn sibling_key(info: &GridInfo) -> SiblingKey {
    match &info.parent {
        Some(p) => SiblingKey::Parent(p.clone()),
        None => SiblingKey::Town(info.code.community().parent().unwrap_or_else(|| info.code.community())),
    }
}

struct Shape<'a> {
    info: &'a GridInfo,
    geometry: &'a MultiPolygon<f64>,
    /// Feature number in the file; `None` for a stored grid.
    number: Option<usize>,
    area: f64,
    bbox: [f64; 4],
}

struct BoxEntry(usize, [f64; 4]);

impl RTreeObject for BoxEntry {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        AABB::from_corners([self.1[0], self.1[1]], [self.1[2], self.1[3]])
    }
}

fn bbox(mp: &MultiPolygon<f64>) -> [f64; 4] {
    mp.bounding_rect().map_or([0.0; 4], |r| [r.min().x, r.min().y, r.max().x, r.max().y])
}

fn problem(f: &GridFeature, zh: String, en: String) -> FeatureProblem {
    FeatureProblem::new(f.number, Some(f.info.code.as_str()), Bilingual::new(zh, en))
}

/// Check `features` (a whole file) against each other and `stored`.
pub fn check(features: &[GridFeature], stored: &[StoredGrid], tolerance: Tolerance) -> TopologyReport {
    let mut report = TopologyReport::default();

    // 1. Each polygon on its own, and duplicate codes.
    let invalid: HashSet<usize> = features
        .par_iter()
        .filter_map(|f| f.geometry.validation_errors().first().map(|e| (f.number, e.to_string())))
        .collect::<Vec<_>>()
        .into_iter()
        .map(|(number, e)| {
            let f = features.iter().find(|f| f.number == number).expect("feature");
            report.problems.push(problem(f, format!("多边形无效：{e}"), format!("invalid polygon: {e}")));
            number
        })
        .collect();
    let mut first_seen: HashMap<&GridCode, usize> = HashMap::new();
    for f in features {
        if let Some(first) = first_seen.insert(&f.info.code, f.number) {
            report.problems.push(problem(
                f,
                format!("网格编码重复，第 {first} 个要素已使用"),
                format!("duplicate grid code, already used by feature {first}"),
            ));
        }
    }

    // Shapes by code: the file's (valid ones) replace stored grids of the same code.
    let in_file: HashSet<&GridCode> = features.iter().map(|f| &f.info.code).collect();
    let mut shapes: Vec<Shape> = features
        .iter()
        .filter(|f| !invalid.contains(&f.number))
        .map(|f| Shape {
            info: &f.info,
            geometry: &f.geometry,
            number: Some(f.number),
            area: 0.0,
            bbox: bbox(&f.geometry),
        })
        .chain(stored.iter().filter(|s| !in_file.contains(&s.info.code)).map(|s| Shape {
            info: &s.info,
            geometry: &s.geometry,
            number: None,
            area: 0.0,
            bbox: bbox(&s.geometry),
        }))
        .collect();
    shapes.par_iter_mut().for_each(|s| s.area = area_m2(s.geometry));
    let by_code: HashMap<&GridCode, usize> = shapes.iter().enumerate().map(|(i, s)| (&s.info.code, i)).collect();
    let feature_of = |number: usize| features.iter().find(|f| f.number == number).expect("feature");

    // 2. Parents exist, have the right kind, and contain their children.
    let containment: Vec<(usize, Option<FeatureProblem>)> = shapes
        .par_iter()
        .enumerate()
        .filter_map(|(i, s)| Some((i, s, s.number?)))
        .map(|(i, s, number)| {
            let f = feature_of(number);
            let Some(parent_code) = &s.info.parent else { return (i, None) };
            let Some(&p) = by_code.get(parent_code) else {
                let p = if in_file.contains(parent_code) { "（该上级要素本身有误）" } else { "" };
                return (
                    i,
                    Some(problem(
                        f,
                        format!("上级网格 {parent_code} 不存在{p}"),
                        format!("unknown parent grid {parent_code}"),
                    )),
                );
            };
            let parent = &shapes[p];
            if Some(parent.info.kind) != s.info.kind.parent_kind() {
                return (
                    i,
                    Some(problem(
                        f,
                        format!(
                            "上级网格 {parent_code} 是{}，不能作为{}的上级",
                            parent.info.kind.label_zh(),
                            s.info.kind.label_zh()
                        ),
                        format!(
                            "parent grid {parent_code} is a {} grid and cannot hold a {} grid",
                            parent.info.kind, s.info.kind
                        ),
                    )),
                );
            }
            // area − area(∩) rather than area(difference): i_overlay's
            // difference of two nearly identical polygons (a community with a
            // single general grid) came out as twice the area; the
            // intersection is exact there.
            let outside = (s.area - area_m2(&s.geometry.intersection(parent.geometry))).max(0.0);
            if tolerance.exceeded(outside, s.area) {
                return (
                    i,
                    Some(problem(
                        f,
                        format!("有 {outside:.0} 平方米超出上级网格 {parent_code}"),
                        format!("{outside:.0} m² lie outside the parent grid {parent_code}"),
                    )),
                );
            }
            (i, None)
        })
        .collect();
    report.problems.extend(containment.into_iter().filter_map(|(_, p)| p));

    // 3. Siblings do not overlap.
    let mut groups: HashMap<SiblingKey, Vec<usize>> = HashMap::new();
    for (i, s) in shapes.iter().enumerate() {
        // Dedicated grids are siblings of general grids: both hang under the master grid.
        groups.entry(sibling_key(s.info)).or_default().push(i);
    }
    let pairs: Vec<(usize, usize)> = groups
        .values()
        .flat_map(|members| {
            let tree = RTree::bulk_load(members.iter().map(|&i| BoxEntry(i, shapes[i].bbox)).collect());
            members
                .iter()
                .flat_map(|&i| {
                    let env = BoxEntry(i, shapes[i].bbox).envelope();
                    tree.locate_in_envelope_intersecting(&env)
                        .map(|e| e.0)
                        .filter(move |&j| i < j)
                        .map(move |j| (i, j))
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let overlaps: Vec<FeatureProblem> = pairs
        .par_iter()
        .filter_map(|&(i, j)| {
            let (a, b) = (&shapes[i], &shapes[j]);
            if a.number.is_none() && b.number.is_none() {
                return None;
            }
            let shared = area_m2(&a.geometry.intersection(b.geometry));
            if !tolerance.exceeded(shared, a.area.min(b.area)) {
                return None;
            }
            // Report on the later feature of the file, naming the other grid.
            let (mine, other) = match (a.number, b.number) {
                (Some(x), Some(y)) if x > y => (a, b),
                (Some(_), Some(_)) | (None, _) => (b, a),
                (Some(_), None) => (a, b),
            };
            let f = feature_of(mine.number.expect("a file feature"));
            Some(problem(
                f,
                format!("与同级网格 {} 重叠 {shared:.0} 平方米", other.info.code),
                format!("overlaps sibling grid {} by {shared:.0} m²", other.info.code),
            ))
        })
        .collect();
    report.problems.extend(overlaps);

    // 4. Gaps: parents whose children (some in the file) leave area uncovered.
    let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, s) in shapes.iter().enumerate() {
        if let Some(p) = s.info.parent.as_ref().and_then(|p| by_code.get(p)) {
            children.entry(*p).or_default().push(i);
        }
    }
    let mut gaps: Vec<Gap> = children
        .par_iter()
        .filter(|(_, kids)| kids.iter().any(|&k| shapes[k].number.is_some()))
        .filter_map(|(&p, kids)| {
            let parent = &shapes[p];
            // Siblings do not overlap (checked above), so areas add up; clip to
            // the parent so that tolerated spill-over does not hide a gap.
            let covered: f64 = kids.iter().map(|&k| area_m2(&shapes[k].geometry.intersection(parent.geometry))).sum();
            let uncovered = (parent.area - covered).max(0.0);
            let share = if parent.area > 0.0 { uncovered / parent.area } else { 0.0 };
            tolerance.exceeded(uncovered, parent.area).then(|| Gap {
                parent: parent.info.code.clone(),
                parent_area_m2: parent.area,
                uncovered_m2: uncovered,
                uncovered_share: share,
            })
        })
        .collect();
    gaps.sort_by(|a, b| a.parent.cmp(&b.parent));
    report.gaps = gaps;
    report.problems.sort_by_key(|p| p.number);
    report
}
