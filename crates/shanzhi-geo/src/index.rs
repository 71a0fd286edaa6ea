//! The point index: per grid level a packed R-tree (Hilbert-sorted,
//! read-only) over the cells' bounding boxes, and the polygons prepared in one
//! flat arena for the exact, robust point-in-polygon test. Built once per grid
//! revision; callers swap whole indexes, so readers never wait for a rebuild.
//!
//! Point lookups do not descend the trees: from them the build fills a table
//! of equal squares (sized to the finest cells), each listing the cells whose
//! boxes reach into it, finest level first. A lookup reads one short list,
//! one small `Hot` record per candidate and that candidate's vertices; a
//! point in an empty square is outside every grid at once. (Descending the
//! tree cost three times as much per lookup on the full Chengdu grid; see
//! the benchmark.) The trees answer box queries.
//!
//! Ties (a point on an edge shared by two cells) resolve to the cell with the
//! smallest code, whatever the insertion order: the answer is deterministic.

use std::collections::HashMap;

use geo_index::rtree::sort::HilbertSort;
use geo_index::rtree::{RTree, RTreeBuilder, RTreeIndex};
use geo_types::MultiPolygon;
use serde::Serialize;
use shanzhi_domain::{DivisionCode, DivisionLevel, GridCode, GridInfo, GridKind};

use crate::prepared::{PreparedPolygon, rings_contain};

/// One grid to index.
#[derive(Debug, Clone)]
pub struct IndexInput {
    pub info: GridInfo,
    pub geometry: MultiPolygon<f64>,
}

/// A grid cell in a lookup answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CellRef {
    pub code: GridCode,
    pub name: String,
}

/// A division in a lookup answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DivisionRef {
    pub code: DivisionCode,
    pub name: Option<String>,
}

/// Where a point falls, from the finest cell up to the district.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub micro_grid: Option<CellRef>,
    pub general_grid: Option<CellRef>,
    pub dedicated_grid: Option<CellRef>,
    pub master_grid: Option<CellRef>,
    pub community: DivisionRef,
    pub town: DivisionRef,
    pub district: DivisionRef,
}

/// What a lookup needs of a cell, packed together.
#[derive(Debug, Clone, Copy)]
struct Hot {
    bbox: [f64; 4],
    /// Offsets into the arenas: vertices from `coord_start`, ring ends in
    /// `rings[ring_start..ring_end]` (relative to `coord_start`).
    coord_start: u32,
    ring_start: u32,
    ring_end: u32,
    /// Rank of the code among all codes: ties compare ranks, not strings.
    rank: u32,
    kind: GridKind,
}

#[derive(Debug)]
struct Cold {
    code: GridCode,
    name: String,
    parent: Option<u32>,
}

/// One level's tree and the cells it holds, in insertion order.
#[derive(Debug)]
struct Level {
    tree: Option<RTree<f64>>,
    members: Vec<u32>,
}

impl Level {
    fn build(members: Vec<u32>, hot: &[Hot]) -> Self {
        if members.is_empty() {
            return Level { tree: None, members };
        }
        let n = u32::try_from(members.len()).expect("fewer than 4 billion cells");
        let mut builder = RTreeBuilder::<f64>::new(n);
        for &m in &members {
            let b = hot[m as usize].bbox;
            builder.add(b[0], b[1], b[2], b[3]);
        }
        Level { tree: Some(builder.finish::<HilbertSort>()), members }
    }
}

/// The lookup accelerator: the grids' extent cut into equal squares, each
/// listing the cells whose boxes reach into it (finest level first), filled
/// from the level trees. A point lookup reads one square's short list instead
/// of descending a tree; a point in an empty square is outside every grid.
#[derive(Debug, Default)]
struct Buckets {
    origin: [f64; 2],
    step: f64,
    cols: usize,
    rows: usize,
    /// `cells[start[i]..start[i + 1]]` are the cells of square i.
    start: Vec<u32>,
    cells: Vec<u32>,
}

/// Lookup order: finest first, so the first level with a hit answers.
const LOOKUP_ORDER: [GridKind; 4] = [GridKind::Micro, GridKind::General, GridKind::Dedicated, GridKind::Master];

impl Buckets {
    /// Squares are sized to the finest cells (median box side), within limits
    /// that keep the table small for a whole country.
    const MIN_STEP: f64 = 0.001;
    const MAX_SQUARES: usize = 1 << 22;

    fn build(hot: &[Hot], levels: &[Level]) -> Self {
        if hot.is_empty() {
            return Buckets::default();
        }
        let mut ext = [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY];
        for h in hot {
            ext = [ext[0].min(h.bbox[0]), ext[1].min(h.bbox[1]), ext[2].max(h.bbox[2]), ext[3].max(h.bbox[3])];
        }
        let finest = LOOKUP_ORDER.iter().map(|k| &levels[*k as usize]).find(|l| !l.members.is_empty());
        let mut sides: Vec<f64> = finest
            .map(|l| l.members.iter().map(|&m| hot[m as usize].bbox).map(|b| (b[2] - b[0]).max(b[3] - b[1])).collect())
            .unwrap_or_default();
        sides.sort_by(f64::total_cmp);
        let mut step = sides.get(sides.len() / 2).copied().unwrap_or(0.01).max(Self::MIN_STEP);
        let dims = |step: f64| (((ext[2] - ext[0]) / step) as usize + 1, ((ext[3] - ext[1]) / step) as usize + 1);
        while dims(step).0 * dims(step).1 > Self::MAX_SQUARES {
            step *= 1.5;
        }
        let (cols, rows) = dims(step);
        let mut b = Buckets { origin: [ext[0], ext[1]], step, cols, rows, start: Vec::new(), cells: Vec::new() };
        // Count, then fill (CSR), level by level so each square lists finest first.
        let mut lists: Vec<Vec<u32>> = vec![Vec::new(); cols * rows];
        for kind in LOOKUP_ORDER {
            let level = &levels[kind as usize];
            let Some(tree) = level.tree.as_ref() else { continue };
            for row in 0..rows {
                for col in 0..cols {
                    let x0 = ext[0] + col as f64 * step;
                    let y0 = ext[1] + row as f64 * step;
                    for pos in tree.search(x0, y0, x0 + step, y0 + step) {
                        lists[row * cols + col].push(level.members[pos as usize]);
                    }
                }
            }
        }
        b.start.reserve(lists.len() + 1);
        b.start.push(0);
        for list in lists {
            b.cells.extend(list);
            b.start.push(u32::try_from(b.cells.len()).expect("fewer than 4 billion entries"));
        }
        b
    }

    #[inline]
    fn square(&self, x: f64, y: f64) -> Option<&[u32]> {
        if self.start.is_empty() || !(x >= self.origin[0] && y >= self.origin[1]) {
            return None;
        }
        let col = ((x - self.origin[0]) / self.step) as usize;
        let row = ((y - self.origin[1]) / self.step) as usize;
        // A point exactly on the far edge of the extent belongs to the last square.
        let (col, row) = (col.min(self.cols - 1), row.min(self.rows - 1));
        let i = row * self.cols + col;
        Some(&self.cells[self.start[i] as usize..self.start[i + 1] as usize])
    }

    fn heap_bytes(&self) -> usize {
        (self.start.capacity() + self.cells.capacity()) * 4
    }
}

#[derive(Debug, Default)]
pub struct GridIndex {
    hot: Vec<Hot>,
    cold: Vec<Cold>,
    coords: Vec<[f64; 2]>,
    rings: Vec<u32>,
    /// Indexed by `GridKind as usize`.
    levels: Vec<Level>,
    buckets: Buckets,
    division_names: HashMap<DivisionCode, String>,
    revision: i64,
    places: crate::places::Gazetteer,
}

impl GridIndex {
    /// Build from the current grids; `division_names` names the communities,
    /// towns and districts in answers; `revision` is the store's grid counter.
    pub fn build(grids: Vec<IndexInput>, division_names: HashMap<DivisionCode, String>, revision: i64) -> Self {
        let mut order: Vec<usize> = (0..grids.len()).collect();
        order.sort_by(|&a, &b| grids[a].info.code.cmp(&grids[b].info.code));
        let mut rank = vec![0u32; grids.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r as u32;
        }
        let by_code: HashMap<&GridCode, u32> =
            grids.iter().enumerate().map(|(i, g)| (&g.info.code, i as u32)).collect();
        let mut index = GridIndex { division_names, revision, ..GridIndex::default() };
        let mut members: HashMap<GridKind, Vec<u32>> = HashMap::new();
        for (i, g) in grids.iter().enumerate() {
            let prepared = PreparedPolygon::new(&g.geometry);
            let (coords, ring_ends) = prepared.parts();
            let coord_start = index.coords.len() as u32;
            let ring_start = index.rings.len() as u32;
            index.coords.extend_from_slice(coords);
            index.rings.extend_from_slice(ring_ends);
            index.hot.push(Hot {
                bbox: prepared.bbox,
                coord_start,
                ring_start,
                ring_end: index.rings.len() as u32,
                rank: rank[i],
                kind: g.info.kind,
            });
            index.cold.push(Cold {
                code: g.info.code.clone(),
                name: g.info.name.clone(),
                parent: g.info.parent.as_ref().and_then(|p| by_code.get(p).copied()),
            });
            members.entry(g.info.kind).or_default().push(i as u32);
        }
        for kind in GridKind::ALL {
            index.levels.push(Level::build(members.remove(&kind).unwrap_or_default(), &index.hot));
        }
        index.buckets = Buckets::build(&index.hot, &index.levels);
        let cells = index.cold.iter().zip(&index.hot).map(|(c, h)| crate::places::CellEntry {
            code: c.code.as_str(),
            name: &c.name,
            kind: h.kind,
            community: c.code.community(),
            bbox: h.bbox,
        });
        index.places = crate::places::Gazetteer::build(cells, &index.division_names);
        index
    }

    /// The names of the grid's places, for the place search.
    pub fn places(&self) -> &crate::places::Gazetteer {
        &self.places
    }

    pub fn len(&self) -> usize {
        self.hot.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hot.is_empty()
    }

    pub fn revision(&self) -> i64 {
        self.revision
    }

    /// Heap bytes of the index: cells, vertex arena and trees.
    pub fn heap_bytes(&self) -> usize {
        let cold: usize = self.cold.iter().map(|c| size_of::<Cold>() + c.name.capacity() + 15).sum();
        let trees: usize = self
            .levels
            .iter()
            .map(|l| l.members.capacity() * 4 + l.tree.as_ref().map_or(0, |t| t.boxes().len() * 8 + t.num_nodes() * 4))
            .sum();
        self.buckets.heap_bytes()
            + self.hot.capacity() * size_of::<Hot>()
            + cold
            + self.coords.capacity() * 16
            + self.rings.capacity() * 4
            + trees
    }

    fn contains(&self, cell: u32, x: f64, y: f64) -> bool {
        let h = &self.hot[cell as usize];
        let b = &h.bbox;
        if x < b[0] || x > b[2] || y < b[1] || y > b[3] {
            return false;
        }
        rings_contain(
            &self.coords,
            &self.rings[h.ring_start as usize..h.ring_end as usize],
            h.coord_start as usize,
            x,
            y,
        )
    }

    /// The cell of `kind` containing (x, y) with the smallest code.
    fn find(&self, kind: GridKind, x: f64, y: f64) -> Option<u32> {
        let mut best: Option<u32> = None;
        for &cell in self.buckets.square(x, y)? {
            let h = &self.hot[cell as usize];
            if h.kind == kind && self.contains(cell, x, y) && best.is_none_or(|b| h.rank < self.hot[b as usize].rank) {
                best = Some(cell);
            }
        }
        best
    }

    fn cell_ref(&self, cell: u32) -> CellRef {
        let c = &self.cold[cell as usize];
        CellRef { code: c.code.clone(), name: c.name.clone() }
    }

    /// The finest cell containing the point: the first level of the square's
    /// list (finest first) with a hit, smallest code within it.
    fn finest(&self, x: f64, y: f64) -> Option<u32> {
        let mut best: Option<u32> = None;
        let mut best_kind = GridKind::Master;
        for &cell in self.buckets.square(x, y)? {
            let h = &self.hot[cell as usize];
            if best.is_some() && h.kind != best_kind {
                // The list moved on to a coarser level: the finest hit stands.
                break;
            }
            if self.contains(cell, x, y) && best.is_none_or(|b| h.rank < self.hot[b as usize].rank) {
                best = Some(cell);
                best_kind = h.kind;
            }
        }
        best
    }

    /// Codes of the cells of `kind` whose boxes meet `bbox` (min lng, min lat,
    /// max lng, max lat), in code order.
    pub fn codes_in_bbox(&self, kind: GridKind, bbox: [f64; 4]) -> Vec<&GridCode> {
        let level = &self.levels[kind as usize];
        let Some(tree) = level.tree.as_ref() else { return Vec::new() };
        let mut codes: Vec<&GridCode> = tree
            .search(bbox[0], bbox[1], bbox[2], bbox[3])
            .into_iter()
            .map(|pos| &self.cold[level.members[pos as usize] as usize].code)
            .collect();
        codes.sort();
        codes
    }

    /// The code of the finest cell containing the point, without building the
    /// full answer (the benchmark's inner loop).
    pub fn locate_code(&self, lng: f64, lat: f64) -> Option<&GridCode> {
        self.finest(lng, lat).map(|c| &self.cold[c as usize].code)
    }

    /// Where a WGS-84 point falls; `None` outside every grid.
    pub fn locate(&self, lng: f64, lat: f64) -> Option<Location> {
        let micro = self.find(GridKind::Micro, lng, lat);
        let parent = |c: u32| self.cold[c as usize].parent;
        let general = micro.and_then(parent).or_else(|| self.find(GridKind::General, lng, lat));
        let dedicated = self.find(GridKind::Dedicated, lng, lat);
        let master = general.or(dedicated).and_then(parent).or_else(|| self.find(GridKind::Master, lng, lat));
        let any = micro.or(general).or(dedicated).or(master)?;
        let community = self.cold[any as usize].code.community();
        let ancestors = community.ancestors();
        let division = |code: DivisionCode| DivisionRef { name: self.division_names.get(&code).cloned(), code };
        let at = |level| {
            division(ancestors.iter().find(|a| a.level() == level).cloned().unwrap_or_else(|| community.clone()))
        };
        Some(Location {
            micro_grid: micro.map(|c| self.cell_ref(c)),
            general_grid: general.map(|c| self.cell_ref(c)),
            dedicated_grid: dedicated.map(|c| self.cell_ref(c)),
            master_grid: master.map(|c| self.cell_ref(c)),
            town: at(DivisionLevel::Town),
            district: at(DivisionLevel::District),
            community: division(community),
        })
    }
}
