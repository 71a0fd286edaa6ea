//! 口碑榜: composite scores per unit type from weighted figures, graded A–E
//! and ranked, with the previous month's rank beside each unit. A published
//! month is frozen: its rows and the scheme it used are kept as canonical
//! bytes, hashed and chained to the ranking published before it, and the
//! hash enters the transparency log (docs/indicators.md, "Rankings").
//!
//! - A [`RankingScheme`] weighs rate figures (integer weights summing to
//!   100) and sets the lowest score of grades A–D (E is below D). Schemes are
//!   versioned: the one in force for a month is the latest whose `from` is at
//!   or before it ([`in_force`]); without one, [`RankingScheme::default_for`].
//! - Score = Σ weight × value over the scheme's figures that have a
//!   denominator, divided by the sum of those weights, × 100 — with every
//!   figure present this is Σ weight × value. `rework_rate` counts as
//!   `1 − value` (lower is better). Counts (`overdue` …) have no scale and
//!   cannot be weighed. A unit with no weighed figure that has a denominator
//!   is listed unranked. Scores are rounded to two decimals before ranking.
//! - Ties share a rank and the next rank skips (1, 1, 3).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::indicators::{Figure, Key, Measure, Period, PeriodKind, UnitKind};
use crate::text::Bilingual;

crate::code_enum! {
    /// The grades, best first.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
    pub enum Grade {
        A => "A";
        B => "B";
        C => "C";
        D => "D";
        E => "E";
    }
}

/// The lowest score of a grade.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Band {
    pub grade: Grade,
    pub min: f64,
}

/// How one unit type is scored and graded, from a month on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RankingScheme {
    pub by: UnitKind,
    /// The first month it is in force (`2026-11`).
    pub from: String,
    /// Its number, given when saved (0: the built-in default).
    #[serde(default)]
    pub version: i64,
    /// Figure key → weight (whole numbers summing to 100).
    pub weights: BTreeMap<Key, u32>,
    /// The lowest score of A, B, C and D, descending; below D is E.
    pub bands: Vec<Band>,
}

/// Whether a higher value of `key` is better (`rework_rate`: lower is).
pub fn higher_is_better(key: Key) -> bool {
    key != Key::ReworkRate
}

/// A month, or why not.
pub fn month(text: &str) -> Result<Period, Bilingual> {
    let p = Period::parse(text)?;
    if p.kind != PeriodKind::Month {
        return Err(Bilingual::new(
            format!("口碑榜按月排名：时段应为 2026-11 这样的月份，而不是“{text}”"),
            format!("rankings are monthly: the period must be a month like 2026-11, not '{text}'"),
        ));
    }
    Ok(p)
}

/// Rounded to two decimals (how scores are shown, compared and frozen).
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl RankingScheme {
    /// The scheme used when none was saved: 按期处置率 40, 满意率 30,
    /// 办结率 20, 返工率 10 (inverted); A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60.
    pub fn default_for(by: UnitKind) -> RankingScheme {
        RankingScheme {
            by,
            from: "2000-01".to_owned(),
            version: 0,
            weights: BTreeMap::from([
                (Key::OnTimeHandlingRate, 40),
                (Key::SatisfactionRate, 30),
                (Key::ClosureRate, 20),
                (Key::ReworkRate, 10),
            ]),
            bands: default_bands(),
        }
    }

    /// The month it starts (checked by [`RankingScheme::validate`]).
    pub fn from_period(&self) -> Option<Period> {
        month(&self.from).ok()
    }

    /// Weights sum to 100, every key is a rate, bands are A–D descending in (0, 100].
    pub fn validate(&self) -> Result<(), Bilingual> {
        let bad = |zh: String, en: String| Err(Bilingual::new(zh, en));
        month(&self.from)?;
        if self.weights.is_empty() {
            return bad("方案至少要有一项指标".into(), "a scheme weighs at least one figure".into());
        }
        for (key, weight) in &self.weights {
            let d = key.definition();
            if d.measure != Measure::Rate {
                return bad(
                    format!("“{}”是计数而不是比率，不能计入得分", d.name_zh),
                    format!("the figure '{}' is a count, not a rate: it cannot be weighed", d.key),
                );
            }
            if *weight == 0 {
                return bad(
                    format!("“{}”的权重为 0：不计入的指标请删去", d.name_zh),
                    format!("the figure '{}' has weight 0: leave out what does not count", d.key),
                );
            }
        }
        let sum: u64 = self.weights.values().map(|w| u64::from(*w)).sum();
        if sum != 100 {
            return bad(format!("权重之和应为 100，而不是 {sum}"), format!("the weights must sum to 100, not {sum}"));
        }
        let grades: Vec<Grade> = self.bands.iter().map(|b| b.grade).collect();
        if grades != [Grade::A, Grade::B, Grade::C, Grade::D] {
            return bad(
                "等级分档应依次给出 A、B、C、D 的最低分（低于 D 为 E）".into(),
                "bands give the lowest score of A, B, C and D in that order (below D is E)".into(),
            );
        }
        for pair in self.bands.windows(2) {
            if pair[0].min <= pair[1].min {
                return bad(
                    format!("等级分档应从高到低：{} 的最低分须高于 {}", pair[0].grade, pair[1].grade),
                    format!("bands descend: {}'s lowest score must be above {}'s", pair[0].grade, pair[1].grade),
                );
            }
        }
        if self.bands.iter().any(|b| !(b.min > 0.0 && b.min <= 100.0)) {
            return bad("分档的分数应在 0 到 100 之间".into(), "band scores lie in (0, 100]".into());
        }
        Ok(())
    }

    /// The score of a unit's figures (module docs), or `None`: unranked.
    pub fn score(&self, figures: &BTreeMap<Key, Figure>) -> Option<f64> {
        let (mut sum, mut weights) = (0.0, 0u32);
        for (key, weight) in &self.weights {
            let Some(value) = figures.get(key).and_then(|f| f.value) else { continue };
            let value = value.clamp(0.0, 1.0);
            let value = if higher_is_better(*key) { value } else { 1.0 - value };
            sum += f64::from(*weight) * value;
            weights += weight;
        }
        (weights > 0).then(|| round2(100.0 * sum / f64::from(weights)))
    }

    /// The grade of a score.
    pub fn grade(&self, score: f64) -> Grade {
        self.bands.iter().find(|b| score >= b.min).map_or(Grade::E, |b| b.grade)
    }
}

fn default_bands() -> Vec<Band> {
    [(Grade::A, 90.0), (Grade::B, 80.0), (Grade::C, 70.0), (Grade::D, 60.0)]
        .into_iter()
        .map(|(grade, min)| Band { grade, min })
        .collect()
}

/// The scheme in force for `by` in `period`: the latest saved whose `from`
/// is at or before it (the higher version among equals), else the default.
pub fn in_force(schemes: &[RankingScheme], by: UnitKind, period: Period) -> RankingScheme {
    schemes
        .iter()
        .filter(|s| s.by == by)
        .filter_map(|s| Some((s.from_period()?.start, s.version, s)))
        .filter(|(start, _, _)| *start <= period.start)
        .max_by_key(|(start, version, _)| (*start, *version))
        .map_or_else(|| RankingScheme::default_for(by), |(_, _, s)| s.clone())
}

/// Movement since the previous month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Change {
    Up,
    Down,
    Same,
    /// Not ranked the month before.
    New,
}

/// A unit's figures, as the ranking reads them.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitInput {
    pub code: String,
    pub name: String,
    pub figures: BTreeMap<Key, Figure>,
}

/// One row of a ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RankingRow {
    pub code: String,
    pub name: String,
    /// The scheme's figures of the unit.
    pub figures: BTreeMap<Key, Figure>,
    /// `null`: unranked (no weighed figure has a denominator).
    pub score: Option<f64>,
    pub grade: Option<Grade>,
    pub rank: Option<u32>,
    pub previous_rank: Option<u32>,
    pub change: Option<Change>,
}

impl RankingRow {
    /// How the change reads: ↑2, ↓1, —, 新 (empty when unranked).
    pub fn change_label(&self) -> String {
        match (self.change, self.rank, self.previous_rank) {
            (Some(Change::Up), Some(r), Some(p)) => format!("↑{}", p - r),
            (Some(Change::Down), Some(r), Some(p)) => format!("↓{}", r - p),
            (Some(Change::Same), ..) => "—".to_owned(),
            (Some(Change::New), ..) => "新".to_owned(),
            _ => String::new(),
        }
    }
}

/// Score, grade and rank `units` by `scheme`; `previous`: each unit's rank
/// the month before. Ranked rows first (best first, then by code), then the
/// unranked by code.
pub fn rank(scheme: &RankingScheme, units: Vec<UnitInput>, previous: &BTreeMap<String, u32>) -> Vec<RankingRow> {
    let mut rows: Vec<RankingRow> = units
        .into_iter()
        .map(|u| {
            let figures: BTreeMap<Key, Figure> =
                u.figures.into_iter().filter(|(k, _)| scheme.weights.contains_key(k)).collect();
            let score = scheme.score(&figures);
            RankingRow {
                grade: score.map(|s| scheme.grade(s)),
                score,
                code: u.code,
                name: u.name,
                figures,
                rank: None,
                previous_rank: None,
                change: None,
            }
        })
        .collect();
    let centi = |s: Option<f64>| s.map(|s| (s * 100.0).round() as i64);
    rows.sort_by(|a, b| centi(b.score).cmp(&centi(a.score)).then_with(|| a.code.cmp(&b.code)));
    let mut last: Option<(i64, u32)> = None;
    for (i, row) in rows.iter_mut().enumerate() {
        let Some(score) = centi(row.score) else { continue };
        let rank = match last {
            Some((s, r)) if s == score => r,
            _ => u32::try_from(i + 1).unwrap_or(u32::MAX),
        };
        last = Some((score, rank));
        row.rank = Some(rank);
        row.previous_rank = previous.get(&row.code).copied();
        row.change = Some(match row.previous_rank {
            None => Change::New,
            Some(p) if p > rank => Change::Up,
            Some(p) if p < rank => Change::Down,
            Some(_) => Change::Same,
        });
    }
    rows
}

/// A ranking: its month, unit type and scope, the scheme used and the rows.
/// Published, it is frozen as these fields plus who published it and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RankingBody {
    pub period: String,
    pub by: UnitKind,
    /// The division ranked within (its code; the city when not narrowed).
    pub scope: String,
    pub scheme: RankingScheme,
    pub rows: Vec<RankingRow>,
    /// When it was published (RFC 3339, +08:00); absent while computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_by: Option<String>,
}

impl RankingBody {
    /// The canonical bytes a publication freezes: compact JSON, fields in
    /// declaration order. The stored text is what is hashed, so a reader
    /// recomputes the hash from the stored bytes, never from a re-encoding.
    pub fn canonical(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Each ranked unit's rank (to compare the next month with).
    pub fn ranks(&self) -> BTreeMap<String, u32> {
        self.rows.iter().filter_map(|r| Some((r.code.clone(), r.rank?))).collect()
    }
}

/// The hash before the first published ranking.
pub const RANKING_GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

const RANKING_TAG: &str = "shanzhi/ranking/v1\n";

/// A published ranking's hash (hex): `SHA-256(tag ‖ prev_hash ‖ "\n" ‖ seq
/// ‖ "\n" ‖ canonical bytes)`, chaining every publication to the one before.
pub fn ranking_hash(prev_hash: &str, seq: i64, body: &str) -> String {
    let mut h = Sha256::new();
    h.update(RANKING_TAG.as_bytes());
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(seq.to_string().as_bytes());
    h.update(b"\n");
    h.update(body.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fig(num: f64, den: f64) -> Figure {
        Figure { numerator: num, denominator: den, value: (den > 0.0).then(|| num / den) }
    }

    fn unit(code: &str, handling: (f64, f64), satisfaction: (f64, f64)) -> UnitInput {
        UnitInput {
            code: code.to_owned(),
            name: format!("单位{code}"),
            figures: BTreeMap::from([
                (Key::OnTimeHandlingRate, fig(handling.0, handling.1)),
                (Key::SatisfactionRate, fig(satisfaction.0, satisfaction.1)),
                (Key::Overdue, fig(3.0, 1.0)),
            ]),
        }
    }

    fn scheme(from: &str, version: i64) -> RankingScheme {
        RankingScheme {
            by: UnitKind::District,
            from: from.to_owned(),
            version,
            weights: BTreeMap::from([(Key::OnTimeHandlingRate, 60), (Key::SatisfactionRate, 40)]),
            bands: default_bands(),
        }
    }

    #[test]
    fn scores_weigh_rates_and_renormalise_over_present_figures() {
        let s = scheme("2026-01", 1);
        // 60 × 0.5 + 40 × 1 = 70
        assert_eq!(s.score(&unit("1", (1.0, 2.0), (4.0, 4.0)).figures), Some(70.0));
        // satisfaction has no denominator: 100 × (60 × 0.5) / 60 = 50
        assert_eq!(s.score(&unit("1", (1.0, 2.0), (0.0, 0.0)).figures), Some(50.0));
        assert_eq!(s.score(&unit("1", (0.0, 0.0), (0.0, 0.0)).figures), None);
        // rework counts inverted: 10 % rework scores 90
        let rework = RankingScheme {
            weights: BTreeMap::from([(Key::ReworkRate, 100)]),
            ..RankingScheme::default_for(UnitKind::Department)
        };
        assert_eq!(rework.score(&BTreeMap::from([(Key::ReworkRate, fig(1.0, 10.0))])), Some(90.0));
        // two decimals: 60 × 1/3 = 20, + 40 × 2/3 = 26.666…
        assert_eq!(s.score(&unit("1", (1.0, 3.0), (2.0, 3.0)).figures), Some(46.67));
    }

    #[test]
    fn grades_follow_the_bands() {
        let s = scheme("2026-01", 1);
        for (score, grade) in [
            (100.0, Grade::A),
            (90.0, Grade::A),
            (89.99, Grade::B),
            (80.0, Grade::B),
            (70.0, Grade::C),
            (60.0, Grade::D),
        ] {
            assert_eq!(s.grade(score), grade, "{score}");
        }
        assert_eq!(s.grade(59.99), Grade::E);
        assert_eq!(s.grade(0.0), Grade::E);
    }

    #[test]
    fn ties_share_a_rank_and_the_next_skips() {
        let s = scheme("2026-01", 1);
        let units = vec![
            unit("c", (1.0, 2.0), (1.0, 1.0)), // 70
            unit("a", (1.0, 1.0), (1.0, 1.0)), // 100
            unit("b", (2.0, 2.0), (3.0, 3.0)), // 100
            unit("d", (0.0, 0.0), (0.0, 0.0)), // unranked
            unit("e", (0.0, 1.0), (0.0, 1.0)), // 0
        ];
        let previous = BTreeMap::from([("a".to_owned(), 1), ("b".to_owned(), 3), ("c".to_owned(), 2)]);
        let rows = rank(&s, units, &previous);
        let got: Vec<(&str, Option<u32>, Option<Change>, String)> =
            rows.iter().map(|r| (r.code.as_str(), r.rank, r.change, r.change_label())).collect();
        assert_eq!(
            got,
            vec![
                ("a", Some(1), Some(Change::Same), "—".to_owned()),
                ("b", Some(1), Some(Change::Up), "↑2".to_owned()),
                ("c", Some(3), Some(Change::Down), "↓1".to_owned()),
                ("e", Some(4), Some(Change::New), "新".to_owned()),
                ("d", None, None, String::new()),
            ]
        );
        assert_eq!(rows[0].grade, Some(Grade::A));
        assert_eq!(rows[2].grade, Some(Grade::C));
        assert_eq!(rows[3].grade, Some(Grade::E));
        // Only the scheme's figures are carried.
        assert!(rows.iter().all(|r| !r.figures.contains_key(&Key::Overdue)));
    }

    #[test]
    fn the_scheme_in_force_is_the_latest_begun() {
        let nov = month("2026-11").expect("month");
        let schemes = vec![scheme("2026-01", 1), scheme("2026-11", 2), scheme("2027-01", 3), scheme("2026-11", 4)];
        assert_eq!(in_force(&schemes, UnitKind::District, nov).version, 4);
        assert_eq!(in_force(&schemes, UnitKind::District, nov.previous()).version, 1);
        assert_eq!(in_force(&schemes, UnitKind::District, month("2025-12").expect("m")).version, 0);
        assert_eq!(in_force(&schemes, UnitKind::Department, nov), RankingScheme::default_for(UnitKind::Department));
        assert!(month("2026-W48").is_err() && month("2026").is_err());
    }

    #[test]
    fn schemes_are_validated() {
        assert!(scheme("2026-01", 0).validate().is_ok());
        assert!(RankingScheme::default_for(UnitKind::Town).validate().is_ok());
        let mut s = scheme("2026-01", 0);
        s.weights.insert(Key::ClosureRate, 1);
        assert!(s.validate().unwrap_err().en.contains("sum to 100"));
        let mut s = scheme("2026-01", 0);
        s.weights = BTreeMap::from([(Key::Overdue, 100)]);
        assert!(s.validate().unwrap_err().en.contains("count"));
        let mut s = scheme("2026-01", 0);
        s.bands[2].min = 85.0;
        assert!(s.validate().unwrap_err().en.contains("descend"));
        let mut s = scheme("2026-01", 0);
        s.bands.pop();
        assert!(s.validate().is_err());
        assert!(scheme("2026-13", 0).validate().is_err());
        let unknown = r#"{"by":"district","from":"2026-01","weights":{"nonsense":100},"bands":[]}"#;
        assert!(serde_json::from_str::<RankingScheme>(unknown).is_err());
    }

    #[test]
    fn published_rankings_chain_by_hash() {
        let body = RankingBody {
            period: "2026-11".into(),
            by: UnitKind::District,
            scope: "5101".into(),
            scheme: scheme("2026-01", 1),
            rows: rank(&scheme("2026-01", 1), vec![unit("a", (1.0, 2.0), (1.0, 1.0))], &BTreeMap::new()),
            published_at: Some("2026-12-01T09:00:00+08:00".into()),
            published_by: Some("sup".into()),
        };
        let text = body.canonical();
        assert_eq!(serde_json::from_str::<RankingBody>(&text).expect("round trip"), body);
        let first = ranking_hash(RANKING_GENESIS, 1, &text);
        let second = ranking_hash(&first, 2, &text);
        assert_eq!(first.len(), 64);
        assert_ne!(first, second);
        assert_eq!(ranking_hash(RANKING_GENESIS, 1, &text), first, "deterministic");
        assert_ne!(ranking_hash(RANKING_GENESIS, 1, &text.replace("70.0", "71.0")), first, "a changed score");
        assert_ne!(ranking_hash(&second, 1, &text), first, "another predecessor");
    }

    proptest! {
        #[test]
        fn a_rank_is_one_more_than_the_units_scoring_higher(scores in proptest::collection::vec(0u32..=4, 1..30)) {
            let s = RankingScheme { weights: BTreeMap::from([(Key::ClosureRate, 100)]), ..scheme("2026-01", 1) };
            let units: Vec<UnitInput> = scores.iter().enumerate().map(|(i, n)| UnitInput {
                code: format!("{i:03}"),
                name: String::new(),
                figures: BTreeMap::from([(Key::ClosureRate, fig(f64::from(*n), 4.0))]),
            }).collect();
            let rows = rank(&s, units, &BTreeMap::new());
            for r in &rows {
                let score = r.score.expect("all ranked");
                let higher = rows.iter().filter(|o| o.score.expect("ranked") > score).count();
                prop_assert_eq!(r.rank, Some(higher as u32 + 1));
                prop_assert_eq!(r.grade, Some(s.grade(score)));
            }
            prop_assert!(rows.windows(2).all(|w| w[0].rank <= w[1].rank));
        }
    }
}
