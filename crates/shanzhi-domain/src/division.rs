//! 行政区划 — the division tree: province → city → district → town/street →
//! community/village, keyed by the 12-digit statistical code (统计用区划代码).
//!
//! The code carries the hierarchy (2+2+2+3+3 digits), so level and parent are
//! derived from it rather than stored beside it: they can never disagree.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::code::string_code;
use crate::text::Bilingual;

crate::code_enum! {
    /// Which authority issued a code. NBS 2023 and MCA town codes differ for the
    /// same place (85 of Chengdu's 261 towns), so the two are never mixed.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum CodeSystem {
        /// 国家统计局 统计用区划代码 (2023).
        #[serde(rename = "NBS2023")]
        Nbs2023 => "NBS2023";
        /// 民政部 行政区划代码.
        #[serde(rename = "MCA")]
        Mca => "MCA";
    }
}

impl FromStr for CodeSystem {
    type Err = Bilingual;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "NBS2023" | "NBS" => Ok(CodeSystem::Nbs2023),
            "MCA" => Ok(CodeSystem::Mca),
            _ => Err(Bilingual::new(
                format!("未知的代码体系“{s}”，应为 NBS2023 或 MCA"),
                format!("unknown code system '{s}', expected NBS2023 or MCA"),
            )),
        }
    }
}

crate::code_enum! {
    /// The level of a division, from the province down to the community/village.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    #[serde(rename_all = "snake_case")]
    pub enum DivisionLevel {
        Province => "province", "省";
        City => "city", "市";
        District => "district", "区(市)县";
        Town => "town", "镇(街道)";
        Community => "community", "社区(村)";
    }
}

/// End offsets of the five code segments: 2 province, 2 city, 2 district
/// (county), 3 town, 3 community.
const SEGMENT_ENDS: [usize; 5] = [2, 4, 6, 9, 12];
const SEGMENT_STARTS: [usize; 5] = [0, 2, 4, 6, 9];

impl DivisionLevel {
    fn index(self) -> usize {
        self as usize
    }

    /// Number of significant digits of a code at this level.
    pub fn significant_digits(self) -> usize {
        SEGMENT_ENDS[self.index()]
    }
}

impl FromStr for DivisionLevel {
    type Err = Bilingual;

    /// Accepts the API names and the names used by the NBS data files
    /// (`town_street`, `village_community`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "province" => Ok(DivisionLevel::Province),
            "city" | "prefecture" => Ok(DivisionLevel::City),
            "district" | "county" => Ok(DivisionLevel::District),
            "town" | "street" | "town_street" => Ok(DivisionLevel::Town),
            "community" | "village" | "village_community" => Ok(DivisionLevel::Community),
            _ => Err(Bilingual::new(format!("未知的区划层级“{s}”"), format!("unknown division level '{s}'"))),
        }
    }
}

/// Why a string is not a division code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DivisionCodeError {
    #[error("division code is empty")]
    Empty,
    #[error("division code must contain digits only")]
    NotDigits,
    #[error("division code must have 2, 4, 6, 9 or 12 digits, got {0}")]
    WrongLength(usize),
    #[error("division code has an all-zero segment above its level")]
    ZeroSegment,
}

impl DivisionCodeError {
    pub fn message(&self, input: &str) -> Bilingual {
        match self {
            DivisionCodeError::Empty => Bilingual::new("区划代码为空", "division code is empty"),
            DivisionCodeError::NotDigits => Bilingual::new(
                format!("区划代码“{input}”只能由数字组成"),
                format!("division code '{input}' must contain digits only"),
            ),
            DivisionCodeError::WrongLength(n) => Bilingual::new(
                format!("区划代码“{input}”应为 2、4、6、9 或 12 位数字，实际 {n} 位"),
                format!("division code '{input}' must have 2, 4, 6, 9 or 12 digits, got {n}"),
            ),
            DivisionCodeError::ZeroSegment => Bilingual::new(
                format!("区划代码“{input}”的上级段为全零，不是有效代码"),
                format!("division code '{input}' has an all-zero segment above its level"),
            ),
        }
    }
}

string_code! {
    /// A 12-digit statistical division code. Shorter official forms (`51`,
    /// `5101`, `510104`, `510104022`) are accepted and padded with zeros.
    pub struct DivisionCode(String);
    parse error DivisionCodeError, deserialize message |e| e
}

impl DivisionCode {
    pub fn parse(input: &str) -> Result<Self, DivisionCodeError> {
        let s = input.trim();
        if s.is_empty() {
            return Err(DivisionCodeError::Empty);
        }
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DivisionCodeError::NotDigits);
        }
        if !SEGMENT_ENDS.contains(&s.len()) {
            return Err(DivisionCodeError::WrongLength(s.chars().count()));
        }
        let code = format!("{s:0<12}");
        let level = level_of(&code);
        // Every segment above the code's own level must be non-zero, except
        // the county segment: prefecture cities without districts (东莞, 中山,
        // 儋州) put their towns directly under the city.
        if segment(&code, level).bytes().all(|b| b == b'0') {
            return Err(DivisionCodeError::ZeroSegment);
        }
        let above = &DivisionLevel::ALL[..level.index()];
        for l in above {
            if *l != DivisionLevel::District && segment(&code, *l).bytes().all(|b| b == b'0') {
                return Err(DivisionCodeError::ZeroSegment);
            }
        }
        Ok(DivisionCode(code))
    }

    /// The level this code denotes: the deepest non-zero segment.
    pub fn level(&self) -> DivisionLevel {
        level_of(&self.0)
    }

    /// The digits that identify this division; all its descendants start with them.
    pub fn significant(&self) -> &str {
        &self.0[..self.level().significant_digits()]
    }

    /// The parent division, derived from the code (the nearest non-zero
    /// segment above). `None` for a province.
    pub fn parent(&self) -> Option<DivisionCode> {
        let own = self.level().index();
        (0..own)
            .rev()
            .map(|i| DivisionLevel::ALL[i])
            .find(|l| segment(&self.0, *l).bytes().any(|b| b != b'0'))
            .map(|l| DivisionCode(format!("{:0<12}", &self.0[..l.significant_digits()])))
    }

    /// All ancestors, from the root down to the parent.
    pub fn ancestors(&self) -> Vec<DivisionCode> {
        let mut chain = Vec::new();
        let mut cur = self.parent();
        while let Some(code) = cur {
            cur = code.parent();
            chain.push(code);
        }
        chain.reverse();
        chain
    }

    /// Inclusive bounds of the codes of all descendants (the code itself excluded
    /// by the caller): every descendant compares between these as text.
    pub fn descendant_bounds(&self) -> (String, String) {
        let sig = self.significant();
        (format!("{sig:0<12}"), format!("{sig:9<12}"))
    }

    pub fn is_ancestor_of(&self, other: &DivisionCode) -> bool {
        self != other && other.0.starts_with(self.significant())
    }
}

fn segment(code: &str, level: DivisionLevel) -> &str {
    &code[SEGMENT_STARTS[level.index()]..SEGMENT_ENDS[level.index()]]
}

fn level_of(code: &str) -> DivisionLevel {
    DivisionLevel::ALL
        .into_iter()
        .rev()
        .find(|l| segment(code, *l).bytes().any(|b| b != b'0'))
        .unwrap_or(DivisionLevel::Province)
}

/// A division's name: trimmed, 1–64 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DivisionName(String);

impl DivisionName {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(input: &str) -> Result<Self, Bilingual> {
        let s = input.trim();
        if s.is_empty() {
            return Err(Bilingual::new("区划名称为空", "division name is empty"));
        }
        if s.chars().count() > Self::MAX_CHARS {
            return Err(Bilingual::new(
                format!("区划名称超过 {} 个字符", Self::MAX_CHARS),
                format!("division name is longer than {} characters", Self::MAX_CHARS),
            ));
        }
        if s.chars().any(char::is_control) {
            return Err(Bilingual::new("区划名称含有控制字符", "division name contains control characters"));
        }
        Ok(DivisionName(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name as addresses write it: without the committee's suffix
    /// (`总府路社区居委会` → `总府路社区`).
    pub fn short(&self) -> &str {
        COMMITTEE_SUFFIXES.iter().find_map(|s| self.0.strip_suffix(s)).filter(|s| !s.is_empty()).unwrap_or(&self.0)
    }
}

/// Suffixes of the names of community and village committees, longest first.
pub const COMMITTEE_SUFFIXES: [&str; 4] = ["居民委员会", "村民委员会", "居委会", "村委会"];

impl fmt::Display for DivisionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One node of the division tree. Level and parent follow from the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Division {
    pub code_system: CodeSystem,
    pub code: DivisionCode,
    pub name: DivisionName,
}

impl Division {
    pub fn level(&self) -> DivisionLevel {
        self.code.level()
    }

    pub fn parent(&self) -> Option<DivisionCode> {
        self.code.parent()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn code(s: &str) -> DivisionCode {
        DivisionCode::parse(s).expect("valid code")
    }

    #[test]
    fn short_forms_are_padded_and_levels_follow() {
        assert_eq!(code("51").as_str(), "510000000000");
        assert_eq!(code("5101").level(), DivisionLevel::City);
        assert_eq!(code("510104").as_str(), "510104000000");
        assert_eq!(code("510104").level(), DivisionLevel::District);
        assert_eq!(code("510104022").level(), DivisionLevel::Town);
        assert_eq!(code("510104022001").level(), DivisionLevel::Community);
        assert_eq!(code("510104000000"), code("510104"));
    }

    #[test]
    fn parents_and_ancestors_follow_the_segments() {
        let c = code("510104022001");
        assert_eq!(c.parent(), Some(code("510104022")));
        let chain: Vec<_> = c.ancestors().iter().map(|a| a.as_str().to_owned()).collect();
        assert_eq!(chain, ["510000000000", "510100000000", "510104000000", "510104022000"]);
        assert_eq!(code("51").parent(), None);
        // 东莞: towns sit directly under the prefecture city.
        assert_eq!(code("441900003").parent(), Some(code("4419")));
    }

    #[test]
    fn malformed_codes_are_refused() {
        assert_eq!(DivisionCode::parse(""), Err(DivisionCodeError::Empty));
        assert_eq!(DivisionCode::parse("51010a"), Err(DivisionCodeError::NotDigits));
        assert_eq!(DivisionCode::parse("５１"), Err(DivisionCodeError::NotDigits));
        assert_eq!(DivisionCode::parse("51010"), Err(DivisionCodeError::WrongLength(5)));
        assert_eq!(DivisionCode::parse("0"), Err(DivisionCodeError::WrongLength(1)));
        assert_eq!(DivisionCode::parse("000000"), Err(DivisionCodeError::ZeroSegment));
        assert_eq!(DivisionCode::parse("510000001"), Err(DivisionCodeError::ZeroSegment));
        assert_eq!(DivisionCode::parse("510104000001"), Err(DivisionCodeError::ZeroSegment));
    }

    #[test]
    fn descendant_bounds_cover_exactly_the_subtree() {
        let (lo, hi) = code("510104").descendant_bounds();
        assert_eq!((lo.as_str(), hi.as_str()), ("510104000000", "510104999999"));
        assert!(code("510104").is_ancestor_of(&code("510104022001")));
        assert!(!code("510104").is_ancestor_of(&code("510105022001")));
        assert!(!code("510104").is_ancestor_of(&code("510104")));
    }

    #[test]
    fn names_are_checked() {
        assert_eq!(DivisionName::parse(" 锦江区 ").map(|n| n.0), Ok("锦江区".to_owned()));
        assert!(DivisionName::parse("  ").is_err());
        assert!(DivisionName::parse("a\u{7}b").is_err());
        assert!(DivisionName::parse(&"区".repeat(65)).is_err());
    }

    #[test]
    fn codes_serialise_as_twelve_digits_and_parse_when_read() {
        let json = serde_json::to_string(&code("510104")).expect("serialise");
        assert_eq!(json, "\"510104000000\"");
        assert!(serde_json::from_str::<DivisionCode>("\"5101x4\"").is_err());
        assert_eq!("nbs".parse::<CodeSystem>(), Ok(CodeSystem::Nbs2023));
        assert_eq!("town_street".parse::<DivisionLevel>(), Ok(DivisionLevel::Town));
    }

    /// A valid code: random non-zero segments down to a random level.
    fn arb_code() -> impl Strategy<Value = DivisionCode> {
        (0usize..5, 11u32..99, 1u32..99, 1u32..99, 1u32..999, 1u32..999).prop_map(|(lvl, p, c, d, t, v)| {
            let full = format!("{p:02}{c:02}{d:02}{t:03}{v:03}");
            code(&full[..SEGMENT_ENDS[lvl]])
        })
    }

    proptest! {
        #[test]
        fn every_ancestor_is_a_prefix_and_one_level_up(c in arb_code()) {
            let mut prev: Option<DivisionCode> = None;
            for a in c.ancestors() {
                prop_assert!(a.is_ancestor_of(&c));
                prop_assert!(a.level() < c.level());
                if let Some(p) = &prev { prop_assert_eq!(a.parent(), Some(p.clone())); }
                prev = Some(a);
            }
            prop_assert_eq!(c.ancestors().len(), c.level().index());
        }

        #[test]
        fn parsing_is_idempotent_and_significant_round_trips(c in arb_code()) {
            prop_assert_eq!(&code(c.as_str()), &c);
            prop_assert_eq!(&code(c.significant()), &c);
            let (lo, hi) = c.descendant_bounds();
            prop_assert!(lo.as_str() <= c.as_str() && c.as_str() <= hi.as_str());
        }

        #[test]
        fn arbitrary_text_never_panics(s in "\\PC{0,16}") {
            let _ = DivisionCode::parse(&s);
        }
    }
}
