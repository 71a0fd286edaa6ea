//! The gazetteer (地名检索): districts, towns, communities, grids and the
//! shipped landmarks by name, built with the grid index from the same grids,
//! so a search names only places of the grid in force. Searched in memory:
//! no storage, no network.

use std::collections::HashMap;

use serde::Serialize;
use shanzhi_domain::{DivisionCode, DivisionLevel, GridKind};

/// The shipped landmarks: name and free-text address (no coordinates).
const LANDMARKS_TSV: &str = include_str!("../../../data/chengdu/chengdu_poi_addresses_pyunit.tsv");

/// Longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 50;
/// Most places one search answers.
pub const MAX_RESULTS: usize = 50;

/// What a place is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    District,
    Town,
    Community,
    Landmark,
    Grid,
}

/// One named place.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Place {
    pub name: String,
    pub kind: PlaceKind,
    /// The kind in Chinese (`社区(村)`, `一般网格`, `地标` …).
    pub kind_name: String,
    /// The division or grid code; none for a landmark.
    pub code: Option<String>,
    /// Where it lies, above it: `锦江区 春熙路街道 总府路社区`.
    pub context: String,
    /// A landmark's address.
    pub address: Option<String>,
    /// A point to show it at (lng, lat): the middle of its box.
    pub point: [f64; 2],
    /// Its box: min lng, min lat, max lng, max lat.
    pub bbox: [f64; 4],
    /// The point is only the district or town the address names (landmarks
    /// have no coordinates of their own).
    pub approximate: bool,
}

/// One grid cell as the gazetteer needs it.
#[derive(Debug)]
pub struct CellEntry<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub kind: GridKind,
    pub community: DivisionCode,
    pub bbox: [f64; 4],
}

#[derive(Debug, Default)]
pub struct Gazetteer {
    places: Vec<Place>,
    /// Lower-cased `name context address` of each place, for matching, and
    /// the length in bytes of its name part (ranked without allocating).
    keys: Vec<(String, usize)>,
}

fn union(a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
    [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])]
}

/// The box's middle, to 6 decimals (about 0.1 m).
fn middle(b: [f64; 4]) -> [f64; 2] {
    let round = |v: f64| (v * 1e6).round() / 1e6;
    [round((b[0] + b[2]) / 2.0), round((b[1] + b[3]) / 2.0)]
}

/// A community's everyday name: `总府路社区居委会` → `总府路社区`.
pub fn short_name(name: &str) -> &str {
    name.strip_suffix("居委会")
        .or_else(|| name.strip_suffix("村委会"))
        .or_else(|| name.strip_suffix("委会"))
        .unwrap_or(name)
}

impl Gazetteer {
    /// Every cell, its community, town and district (boxes from their cells),
    /// and the landmarks whose address names one of those districts.
    pub fn build<'a>(cells: impl Iterator<Item = CellEntry<'a>>, names: &HashMap<DivisionCode, String>) -> Self {
        let mut boxes: HashMap<DivisionCode, [f64; 4]> = HashMap::new();
        let mut grids = Vec::new();
        for c in cells {
            let mut line = c.community.ancestors();
            line.push(c.community.clone());
            for d in line.into_iter().filter(|d| d.level() >= DivisionLevel::District) {
                boxes.entry(d).and_modify(|b| *b = union(*b, c.bbox)).or_insert(c.bbox);
            }
            grids.push((c.code.to_owned(), c.name.to_owned(), c.kind, c.community, c.bbox));
        }
        let name_of = |d: &DivisionCode| names.get(d).map(|n| short_name(n).to_owned()).unwrap_or_default();
        // `锦江区 春熙路街道 总府路社区` for what lies under `community`.
        let context = |d: &DivisionCode, with_self: bool| {
            let mut line: Vec<DivisionCode> =
                d.ancestors().into_iter().filter(|a| a.level() >= DivisionLevel::District).collect();
            if with_self {
                line.push(d.clone());
            }
            line.iter().map(&name_of).filter(|n| !n.is_empty()).collect::<Vec<_>>().join(" ")
        };
        let mut g = Gazetteer::default();
        let mut divisions: Vec<(&DivisionCode, &[f64; 4])> = boxes.iter().collect();
        divisions.sort_by(|a, b| a.0.cmp(b.0));
        for (code, bbox) in &divisions {
            let (kind, level) = match code.level() {
                DivisionLevel::District => (PlaceKind::District, DivisionLevel::District),
                DivisionLevel::Town => (PlaceKind::Town, DivisionLevel::Town),
                _ => (PlaceKind::Community, DivisionLevel::Community),
            };
            let name = name_of(code);
            if name.is_empty() {
                continue;
            }
            g.push(Place {
                name,
                kind,
                kind_name: level.label_zh().to_owned(),
                code: Some(code.as_str().to_owned()),
                context: context(code, false),
                address: None,
                point: middle(**bbox),
                bbox: **bbox,
                approximate: false,
            });
        }
        for (code, name, kind, community, bbox) in grids {
            g.push(Place {
                name,
                kind: PlaceKind::Grid,
                kind_name: kind.label_zh().to_owned(),
                code: Some(code),
                context: context(&community, true),
                address: None,
                point: middle(bbox),
                bbox,
                approximate: false,
            });
        }
        g.add_landmarks(&divisions, &name_of);
        g
    }

    /// A landmark sits at the finest division its address names (a town of
    /// its district if one is named, else the district).
    fn add_landmarks(&mut self, divisions: &[(&DivisionCode, &[f64; 4])], name_of: &dyn Fn(&DivisionCode) -> String) {
        for line in LANDMARKS_TSV.lines().skip(1) {
            let Some((name, address)) = line.split_once('\t') else { continue };
            let address = tidy_address(address.trim());
            let Some((district, dbox)) =
                divisions.iter().find(|(d, _)| d.level() == DivisionLevel::District && address.contains(&name_of(d)))
            else {
                continue;
            };
            let town = divisions.iter().find(|(t, _)| {
                t.level() == DivisionLevel::Town && district.is_ancestor_of(t) && {
                    let n = name_of(t);
                    !n.is_empty() && address.contains(&n)
                }
            });
            let (at, bbox) = town.map_or((*district, **dbox), |(t, b)| (*t, **b));
            let mut context = vec![name_of(district)];
            if at != *district {
                context.push(name_of(at));
            }
            self.push(Place {
                name: name.trim().to_owned(),
                kind: PlaceKind::Landmark,
                kind_name: "地标".to_owned(),
                code: None,
                context: context.join(" "),
                address: Some(address.to_owned()),
                point: middle(bbox),
                bbox,
                approximate: true,
            });
        }
    }

    fn push(&mut self, p: Place) {
        let name = p.name.to_lowercase();
        let key = format!("{name} {} {}", p.context, p.address.as_deref().unwrap_or_default()).to_lowercase();
        self.keys.push((key, name.len()));
        self.places.push(p);
    }

    pub fn len(&self) -> usize {
        self.places.len()
    }

    pub fn is_empty(&self) -> bool {
        self.places.is_empty()
    }

    /// Places whose name, context or address holds every word of `query`
    /// (space-separated), best first: the name equal to the query, then
    /// starting with it, then holding it; divisions before landmarks before
    /// grids; shorter names first (by bytes: CJK names compare alike). At most `limit` (≤ [`MAX_RESULTS`]).
    pub fn search(&self, query: &str, limit: usize) -> Vec<&Place> {
        let query = query.trim().to_lowercase();
        let words: Vec<&str> = query.split_whitespace().collect();
        if words.is_empty() {
            return Vec::new();
        }
        let mut hits: Vec<(u8, PlaceKind, usize, usize)> = self
            .keys
            .iter()
            .enumerate()
            .filter(|(_, (k, _))| words.iter().all(|w| k.contains(w)))
            .map(|(i, (k, n))| {
                let name = &k[..*n];
                let rank = if name == query {
                    0
                } else if name.starts_with(words[0]) {
                    1
                } else if name.contains(words[0]) {
                    2
                } else {
                    3
                };
                (rank, self.places[i].kind, name.len(), i)
            })
            .collect();
        let limit = limit.clamp(1, MAX_RESULTS);
        if hits.len() > limit {
            hits.select_nth_unstable(limit - 1);
            hits.truncate(limit);
        }
        hits.sort();
        hits.into_iter().map(|h| &self.places[h.3]).collect()
    }
}

/// The shipped addresses repeat their province and city prefix
/// (`四川省成都市青羊区四川省成都市青羊区…`): keep the second, fuller part.
fn tidy_address(address: &str) -> &str {
    let rest = address.strip_prefix("四川省成都市").unwrap_or(address);
    match [rest.find("四川省"), rest.find("成都市")].into_iter().flatten().min() {
        Some(i) => &rest[i..],
        None => address,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_match_comes_first() {
        let community = DivisionCode::parse("510104022006").expect("code");
        let mut names = HashMap::new();
        names.insert(community.clone(), "总府路社区居委会".to_owned());
        names.insert(DivisionCode::parse("510104").expect("code"), "锦江区".to_owned());
        let cell =
            |code, name, bbox| CellEntry { code, name, kind: GridKind::General, community: community.clone(), bbox };
        let g = Gazetteer::build(
            [
                cell("510104022006002", "北总府路网格", [104.0, 30.0, 104.1, 30.1]),
                cell("510104022006001", "总府路第1网格", [104.1, 30.0, 104.2, 30.1]),
            ]
            .into_iter(),
            &names,
        );
        let found: Vec<&str> = g.search("总府路", 10).iter().map(|p| p.name.as_str()).collect();
        // The community (a division) before the grid starting with the
        // words, before the grid merely holding them.
        assert_eq!(found, ["总府路社区", "总府路第1网格", "北总府路网格"]);
        assert_eq!(g.search("总府路", 1).len(), 1, "the limit holds");
        assert_eq!(g.search("锦江 北总府", 10).len(), 1, "every word must match, the district's too");
        assert!(g.search("  ", 10).is_empty());
        let district = &g.search("锦江区", 1)[0];
        assert_eq!(district.bbox, [104.0, 30.0, 104.2, 30.1], "a division's box holds its cells");
    }

    #[test]
    fn addresses_lose_their_repeated_prefix() {
        assert_eq!(tidy_address("四川省成都市青羊区四川省成都市青羊区文殊院街66号"), "四川省成都市青羊区文殊院街66号");
        assert_eq!(tidy_address("四川省成都市双流区成都市双流区黄龙溪镇镇龙街"), "成都市双流区黄龙溪镇镇龙街");
        assert_eq!(tidy_address("锦江区春熙路"), "锦江区春熙路");
        assert_eq!(tidy_address("四川省成都市成华区成都市成华区熊猫大道"), "成都市成华区熊猫大道");
        assert_eq!(short_name("总府路社区居委会"), "总府路社区");
        assert_eq!(short_name("金山村村委会"), "金山村");
    }
}
