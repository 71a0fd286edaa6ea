//! A polygon flattened for point-in-polygon tests on the hot path: all rings'
//! vertices in one array, a bounding box, and a closed test (points on the
//! boundary count as inside, so that the index can break ties itself).

use geo_types::MultiPolygon;
use robust::{Coord, orient2d};

#[derive(Debug, Clone)]
pub struct PreparedPolygon {
    /// Vertices of every ring, each ring closed (first == last).
    coords: Vec<[f64; 2]>,
    /// End offsets of each ring in `coords`.
    ring_ends: Vec<u32>,
    pub bbox: [f64; 4],
}

impl PreparedPolygon {
    pub fn new(mp: &MultiPolygon<f64>) -> Self {
        let mut coords = Vec::new();
        let mut ring_ends = Vec::new();
        let mut bbox = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
        for polygon in &mp.0 {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                for c in &ring.0 {
                    coords.push([c.x, c.y]);
                    bbox = [bbox[0].min(c.x), bbox[1].min(c.y), bbox[2].max(c.x), bbox[3].max(c.y)];
                }
                if let (Some(first), Some(last)) = (ring.0.first(), ring.0.last())
                    && first != last
                {
                    coords.push([first.x, first.y]);
                }
                ring_ends.push(u32::try_from(coords.len()).expect("fewer than 4 billion vertices"));
            }
        }
        PreparedPolygon { coords, ring_ends, bbox }
    }

    pub fn contains_closed(&self, x: f64, y: f64) -> bool {
        let b = &self.bbox;
        if x < b[0] || x > b[2] || y < b[1] || y > b[3] {
            return false;
        }
        rings_contain(&self.coords, &self.ring_ends, 0, x, y)
    }

    /// The flattened parts, for an index that keeps all polygons in one arena.
    pub fn parts(&self) -> (&[[f64; 2]], &[u32]) {
        (&self.coords, &self.ring_ends)
    }
}

/// Is (x, y) inside or on the boundary of the rings? `ring_ends` are offsets
/// into `coords`, counted from `base`. Even-odd rule over all rings, which
/// holds for valid polygons with holes and for multipolygons whose parts do
/// not overlap. Orientation is decided with exact predicates, so a point on
/// a neighbour's edge is on it here too.
pub fn rings_contain(coords: &[[f64; 2]], ring_ends: &[u32], base: usize, x: f64, y: f64) -> bool {
    let p = Coord { x, y };
    let mut inside = false;
    let mut start = base;
    for &end in ring_ends {
        let end = base + end as usize;
        for edge in coords[start..end].windows(2) {
            let ([x1, y1], [x2, y2]) = (edge[0], edge[1]);
            if (y < y1 && y < y2) || (y > y1 && y > y2) {
                continue;
            }
            let o = orient2d(Coord { x: x1, y: y1 }, Coord { x: x2, y: y2 }, p);
            if o == 0.0 && x >= x1.min(x2) && x <= x1.max(x2) {
                return true;
            }
            // Half-open rule: an edge counts when it straddles the ray's y
            // and the point lies to its left (upward) or right (downward).
            if (y1 > y) != (y2 > y) && ((y2 > y1) == (o > 0.0)) {
                inside = !inside;
            }
        }
        start = end;
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{MultiPolygon, polygon};

    fn square_with_hole() -> PreparedPolygon {
        let p = polygon!(
            exterior: [(x: 0.0, y: 0.0), (x: 4.0, y: 0.0), (x: 4.0, y: 4.0), (x: 0.0, y: 4.0)],
            interiors: [[(x: 1.0, y: 1.0), (x: 2.0, y: 1.0), (x: 2.0, y: 2.0), (x: 1.0, y: 2.0)]],
        );
        PreparedPolygon::new(&MultiPolygon(vec![p]))
    }

    #[test]
    fn inside_outside_hole_and_boundary() {
        let p = square_with_hole();
        assert!(p.contains_closed(3.0, 3.0));
        assert!(!p.contains_closed(1.5, 1.5), "in the hole");
        assert!(!p.contains_closed(5.0, 1.0));
        assert!(p.contains_closed(0.0, 2.0), "on the outer edge");
        assert!(p.contains_closed(4.0, 4.0), "on a vertex");
        assert!(p.contains_closed(1.5, 1.0), "on the hole's edge");
    }
}
