//! 网格 — the grid: every report lands on exactly one cell.
//!
//! Kinds: `master` (社区总网格, the whole community), `general` (一般网格,
//! ~300–600 households), `micro` (微网格, 30–100 households) and `dedicated`
//! (专属网格: a school, park or mall). Codes are 15 digits: the 12-digit
//! community code and a 3-digit sequence; the master grid takes sequence 000.

use serde::{Deserialize, Serialize};

use crate::code::string_code;
use crate::division::{DivisionCode, DivisionLevel};
use crate::text::Bilingual;

crate::code_enum! {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum GridKind {
        Master => "master", "社区总网格";
        General => "general", "一般网格";
        Micro => "micro", "微网格";
        Dedicated => "dedicated", "专属网格";
    }
    from_str(s: s.trim()) -> Bilingual {
        Bilingual::new(
            format!("未知的网格类型“{s}”，应为 master、general、micro 或 dedicated"),
            format!("unknown grid kind '{s}', expected master, general, micro or dedicated"),
        )
    }
}

impl GridKind {
    /// The kind a grid of this kind must hang under; `None` for the master
    /// grid, which hangs under its community (a division).
    pub fn parent_kind(self) -> Option<GridKind> {
        match self {
            GridKind::Master => None,
            GridKind::General | GridKind::Dedicated => Some(GridKind::Master),
            GridKind::Micro => Some(GridKind::General),
        }
    }
}

string_code! {
    /// 单元网格标识码: 6 county + 3 town + 3 community + 3 sequence digits; the
    /// first 12 digits are the community's NBS code.
    pub struct GridCode(String);
    parse error Bilingual, deserialize message |e| e
}

impl GridCode {
    pub fn parse(input: &str) -> Result<Self, Bilingual> {
        let s = input.trim();
        if s.len() != 15 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Bilingual::new(
                format!("网格编码“{input}”应为 15 位数字"),
                format!("grid code '{input}' must be 15 digits"),
            ));
        }
        let community = DivisionCode::parse(&s[..12]).map_err(|e| e.message(&s[..12]))?;
        if community.level() != DivisionLevel::Community {
            return Err(Bilingual::new(
                format!("网格编码“{input}”的前 12 位不是社区(村)代码"),
                format!("the first 12 digits of grid code '{input}' are not a community code"),
            ));
        }
        Ok(GridCode(s.to_owned()))
    }

    /// The code of a community's grid with sequence `seq` (000 = master grid).
    pub fn new(community: &DivisionCode, seq: u16) -> Result<Self, Bilingual> {
        if community.level() != DivisionLevel::Community || seq > 999 {
            return Err(Bilingual::new("网格序号或社区代码无效", "invalid grid sequence or community code"));
        }
        Ok(GridCode(format!("{}{seq:03}", community.as_str())))
    }

    pub fn community(&self) -> DivisionCode {
        DivisionCode::parse(&self.0[..12]).expect("checked when parsed")
    }

    pub fn sequence(&self) -> u16 {
        self.0[12..].parse().expect("checked when parsed")
    }
}

/// A grid's attributes (its polygon lives beside it, in `shanzhi-geo` types).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GridInfo {
    pub code: GridCode,
    pub kind: GridKind,
    pub name: String,
    pub parent: Option<GridCode>,
    pub households: Option<u32>,
}

impl GridInfo {
    pub fn community(&self) -> DivisionCode {
        self.code.community()
    }
}

/// The span of days a grid version is valid: `from` inclusive, `to`
/// exclusive (`None`: still valid).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Validity {
    pub from: jiff::civil::Date,
    pub to: Option<jiff::civil::Date>,
}

impl Validity {
    pub fn contains(&self, day: jiff::civil::Date) -> bool {
        self.from <= day && self.to.is_none_or(|to| day < to)
    }
}

/// Check a grid name: trimmed, 1–100 characters, no control characters.
pub fn parse_grid_name(input: &str) -> Result<String, Bilingual> {
    let s = input.trim();
    if s.is_empty() || s.chars().count() > 100 || s.chars().any(char::is_control) {
        return Err(Bilingual::new(
            "网格名称应为 1–100 个字符且不含控制字符",
            "a grid name must have 1–100 characters and no control characters",
        ));
    }
    Ok(s.to_owned())
}

/// The parent a grid must have: a micro grid names its general grid (in the
/// same community); general and dedicated grids hang under their community's
/// master grid (`…000`), which is assumed when not given; a master grid has
/// sequence 000 and no parent.
pub fn resolve_parent(code: &GridCode, kind: GridKind, given: Option<GridCode>) -> Result<Option<GridCode>, Bilingual> {
    let master = GridCode::new(&code.community(), 0)?;
    match kind {
        GridKind::Master if code.sequence() != 0 => {
            Err(Bilingual::new("社区总网格的编码序号应为 000", "a master grid's code must end in sequence 000"))
        }
        GridKind::Master if given.is_some() => {
            Err(Bilingual::new("社区总网格不应有上级网格", "a master grid has no parent grid"))
        }
        GridKind::Master => Ok(None),
        _ if code.sequence() == 0 => {
            Err(Bilingual::new("序号 000 留给社区总网格", "sequence 000 is reserved for the master grid"))
        }
        GridKind::General | GridKind::Dedicated => match given {
            None => Ok(Some(master)),
            Some(p) if p == master => Ok(Some(p)),
            Some(p) => Err(Bilingual::new(
                format!("上级网格应为本社区总网格 {master}，而不是 {p}"),
                format!("the parent must be the community's master grid {master}, not {p}"),
            )),
        },
        GridKind::Micro => match given {
            None => Err(Bilingual::new("微网格必须给出上级一般网格 parent_code", "a micro grid needs a parent_code")),
            Some(p) if p.community() != code.community() || p.sequence() == 0 => Err(Bilingual::new(
                format!("上级网格 {p} 应为同一社区的一般网格"),
                format!("the parent {p} must be a general grid of the same community"),
            )),
            Some(p) => Ok(Some(p)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_codes_carry_their_community() {
        let code = GridCode::parse("510104022001007").expect("code");
        assert_eq!(code.community().as_str(), "510104022001");
        assert_eq!(code.sequence(), 7);
        let master = GridCode::new(&code.community(), 0).expect("master");
        assert_eq!(master.as_str(), "510104022001000");
    }

    #[test]
    fn bad_grid_codes_are_refused() {
        for bad in ["51010402200100", "5101040220010071", "51010402200a007", "510104022000007", ""] {
            assert!(GridCode::parse(bad).is_err(), "{bad}");
        }
        assert!("micro".parse::<GridKind>().is_ok());
        assert!("cell".parse::<GridKind>().is_err());
    }

    #[test]
    fn validity_is_half_open() {
        let d = |s: &str| s.parse::<jiff::civil::Date>().expect("date");
        let v = Validity { from: d("2024-01-01"), to: Some(d("2026-01-01")) };
        assert!(v.contains(d("2024-01-01")) && v.contains(d("2025-12-31")));
        assert!(!v.contains(d("2026-01-01")) && !v.contains(d("2023-12-31")));
        assert!(Validity { from: d("2026-01-01"), to: None }.contains(d("2099-01-01")));
    }
}

/// Cell size in degrees: ~167 m north–south, ~144 m east–west at 30°N.
const CELL_DEGREES: f64 = 0.0015;

/// The ~150 m cell of a point, stored with each matter, so that looking for
/// duplicates nearby reads a few index entries, not every recent matter.
pub fn cell_of(lng: f64, lat: f64) -> i64 {
    (lat / CELL_DEGREES).floor() as i64 * 1_000_000 + (lng / CELL_DEGREES).floor() as i64
}

/// The cell of a point and its eight neighbours.
pub fn cells_around(lng: f64, lat: f64) -> Vec<i64> {
    let mut out = Vec::with_capacity(9);
    for dy in [-1.0, 0.0, 1.0] {
        for dx in [-1.0, 0.0, 1.0] {
            out.push(cell_of(lng + dx * CELL_DEGREES, lat + dy * CELL_DEGREES));
        }
    }
    out
}

#[cfg(test)]
mod cell_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_cells_around_a_point_cover_its_duplicate_box(
            x in 73.0f64..135.0, y in 18.0f64..54.0, dx in -0.0015f64..=0.0015, dy in -0.0015f64..=0.0015
        ) {
            prop_assert!(cells_around(x, y).contains(&cell_of(x + dx, y + dy)));
        }
    }
}
