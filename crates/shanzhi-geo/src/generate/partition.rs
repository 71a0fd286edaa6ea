//! Cut a region into `n` cells that look like hand-drawn boundaries: seeds
//! spread by best-candidate sampling (denser where the density is higher),
//! Voronoi cells of the seeds, each clipped to the region.
//!
//! Cells are built by clipping a box with the bisectors of nearby seeds
//! (Sutherland–Hodgman on half-planes): it keeps each cell tied to its seed,
//! which the assignment of real names to seeds needs, and n is small at every
//! level (tens of seeds per parent).

use geo::{BooleanOps, BoundingRect, Centroid, InteriorPoint};
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use rand::RngExt;
use rand_pcg::Pcg64Mcg;

use crate::prepared::PreparedPolygon;

/// Parts smaller than this (in square degrees, ≈ 1 m²) are clipping noise.
const SLIVER_DEG2: f64 = 1e-10;

pub struct Region<'a> {
    pub boundary: &'a MultiPolygon<f64>,
    prepared: PreparedPolygon,
}

impl<'a> Region<'a> {
    pub fn new(boundary: &'a MultiPolygon<f64>) -> Self {
        Region { boundary, prepared: PreparedPolygon::new(boundary) }
    }

    fn random_point(&self, rng: &mut Pcg64Mcg) -> Option<Coord> {
        let [x0, y0, x1, y1] = self.prepared.bbox;
        for _ in 0..2000 {
            let x = x0 + (x1 - x0) * rng.random::<f64>();
            let y = y0 + (y1 - y0) * rng.random::<f64>();
            if self.prepared.contains_closed(x, y) {
                return Some(Coord { x, y });
            }
        }
        None
    }

    /// `n` seeds inside the region. Each is the best of `candidates` random
    /// points: the one farthest from the seeds so far, distances scaled by
    /// √density so dense areas accept closer seeds (and get smaller cells).
    pub fn seeds(&self, n: usize, rng: &mut Pcg64Mcg, density: &dyn Fn(Coord) -> f64) -> Vec<Coord> {
        let mut seeds: Vec<Coord> = Vec::with_capacity(n);
        let fallback = self.boundary.interior_point().map(|p| p.0);
        while seeds.len() < n {
            let mut best: Option<(f64, Coord)> = None;
            for _ in 0..8 {
                let Some(c) = self.random_point(rng).or(fallback) else { break };
                let nearest = seeds.iter().map(|s| dist2(*s, c)).fold(f64::INFINITY, f64::min).sqrt();
                let score = nearest * density(c).sqrt();
                if best.is_none_or(|(s, _)| score > s) {
                    best = Some((score, c));
                }
            }
            match best {
                // Identical seeds would give an empty cell: nudge a duplicate.
                Some((_, c)) if seeds.contains(&c) => seeds.push(Coord { x: c.x + 1e-7 * seeds.len() as f64, y: c.y }),
                Some((_, c)) => seeds.push(c),
                None => break,
            }
        }
        seeds
    }

    /// The cell of each seed, clipped to the region (possibly several parts,
    /// where the region is concave).
    pub fn cells(&self, seeds: &[Coord]) -> Vec<MultiPolygon<f64>> {
        let Some(rect) = self.boundary.bounding_rect() else { return vec![MultiPolygon(vec![]); seeds.len()] };
        let pad = (rect.width() + rect.height()).max(1e-6);
        let frame = [
            Coord { x: rect.min().x - pad, y: rect.min().y - pad },
            Coord { x: rect.max().x + pad, y: rect.min().y - pad },
            Coord { x: rect.max().x + pad, y: rect.max().y + pad },
            Coord { x: rect.min().x - pad, y: rect.max().y + pad },
        ];
        seeds
            .iter()
            .enumerate()
            .map(|(i, &a)| {
                let mut others: Vec<Coord> =
                    seeds.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, c)| *c).collect();
                others.sort_by(|p, q| dist2(a, *p).total_cmp(&dist2(a, *q)));
                let mut cell: Vec<Coord> = frame.to_vec();
                for b in others {
                    // A seed farther than twice the cell's reach cannot cut it.
                    let reach = cell.iter().map(|c| dist2(a, *c)).fold(0.0, f64::max);
                    if dist2(a, b) > 4.0 * reach {
                        break;
                    }
                    cell = clip_to_half_plane(&cell, a, b);
                    if cell.len() < 3 {
                        break;
                    }
                }
                self.clip(cell)
            })
            .collect()
    }

    fn clip(&self, mut ring: Vec<Coord>) -> MultiPolygon<f64> {
        if ring.len() < 3 {
            return MultiPolygon(vec![]);
        }
        ring.push(ring[0]);
        let cell = Polygon::new(LineString(ring), vec![]);
        let clipped = cell.intersection(self.boundary);
        MultiPolygon(clipped.0.into_iter().filter(|p| geo::Area::unsigned_area(p) > SLIVER_DEG2).collect())
    }
}

/// Move each seed part of the way to its cell's centroid (one Lloyd step),
/// which rounds the cells off without erasing the density's effect.
pub fn relax(seeds: &mut [Coord], cells: &[MultiPolygon<f64>], region: &Region<'_>) {
    for (s, cell) in seeds.iter_mut().zip(cells) {
        if let Some(c) = cell.centroid() {
            let moved = Coord { x: s.x + 0.6 * (c.x() - s.x), y: s.y + 0.6 * (c.y() - s.y) };
            if region.prepared.contains_closed(moved.x, moved.y) {
                *s = moved;
            }
        }
    }
}

fn dist2(a: Coord, b: Coord) -> f64 {
    (a.x - b.x).powi(2) + (a.y - b.y).powi(2)
}

/// Keep the part of a convex polygon closer to `a` than to `b`.
fn clip_to_half_plane(poly: &[Coord], a: Coord, b: Coord) -> Vec<Coord> {
    // p is kept when (b - a)·(p - m) <= 0, m the midpoint; work relative to m
    // so the arithmetic keeps its precision.
    let m = Coord { x: (a.x + b.x) / 2.0, y: (a.y + b.y) / 2.0 };
    let n = Coord { x: b.x - a.x, y: b.y - a.y };
    let side = |p: Coord| n.x * (p.x - m.x) + n.y * (p.y - m.y);
    let mut out = Vec::with_capacity(poly.len() + 1);
    for k in 0..poly.len() {
        let (p, q) = (poly[k], poly[(k + 1) % poly.len()]);
        let (sp, sq) = (side(p), side(q));
        if sp <= 0.0 {
            out.push(p);
        }
        if (sp < 0.0 && sq > 0.0) || (sp > 0.0 && sq < 0.0) {
            let t = sp / (sp - sq);
            out.push(Coord { x: p.x + t * (q.x - p.x), y: p.y + t * (q.y - p.y) });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::Area;
    use geo_types::polygon;
    use rand::SeedableRng;

    #[test]
    fn cells_partition_a_concave_region() {
        // An L-shaped region.
        let l = MultiPolygon(vec![polygon![
            (x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 1.0), (x: 1.0, y: 1.0), (x: 1.0, y: 2.0), (x: 0.0, y: 2.0)
        ]]);
        let region = Region::new(&l);
        let mut rng = Pcg64Mcg::seed_from_u64(7);
        let seeds = region.seeds(12, &mut rng, &|_| 1.0);
        assert_eq!(seeds.len(), 12);
        let cells = region.cells(&seeds);
        let total: f64 = cells.iter().map(|c| c.unsigned_area()).sum();
        // Clipping snaps to a fine integer grid: equal to a few parts per billion.
        assert!((total - 3.0).abs() < 3e-8, "cells cover the region exactly once: {total}");
        for (i, a) in cells.iter().enumerate() {
            for b in &cells[i + 1..] {
                assert!(a.intersection(b).unsigned_area() < 3e-8, "cells do not overlap");
            }
        }
    }
}
