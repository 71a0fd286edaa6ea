//! Likely repeats (重复件): two reports of the same problem at the same place
//! within a few days of each other. A pure rule over what each report says,
//! where and when: the same community, close together (or the same grid when
//! a report has no point), within a window on *both* sides, a category of the
//! same family, and words in common (character bigrams, which need no word
//! segmentation for Chinese). The earlier report is the original.

use std::collections::BTreeSet;

use crate::instant::Micros;
use crate::matter::LngLat;
use crate::{CategoryCode, GridCode};

/// Characters of a text that the comparison reads (a bound on the work).
const MAX_CHARS: usize = 600;

/// A character folded for comparison: full-width ASCII to half-width,
/// letters to lower case; punctuation and spaces are dropped (`None`).
fn fold(c: char) -> Option<char> {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    c.is_alphanumeric().then(|| c.to_lowercase().next().unwrap_or(c))
}

/// The text's character bigrams (letters, digits and CJK only, folded).
pub fn bigrams(text: &str) -> BTreeSet<(char, char)> {
    let chars: Vec<char> = text.chars().take(MAX_CHARS).filter_map(fold).collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Dice similarity of two bigram sets, 0 to 1 (1: the same bigrams).
pub fn dice(a: &BTreeSet<(char, char)>, b: &BTreeSet<(char, char)>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let common = a.intersection(b).count();
    2.0 * common as f64 / (a.len() + b.len()) as f64
}

/// How alike two texts read, 0 to 1.
pub fn text_similarity(a: &str, b: &str) -> f64 {
    dice(&bigrams(a), &bigrams(b))
}

/// Metres between two points (an equirectangular approximation: exact
/// enough within a city).
pub fn metres(a: LngLat, b: LngLat) -> f64 {
    let dx = (a.lng - b.lng) * 111_320.0 * a.lat.to_radians().cos();
    let dy = (a.lat - b.lat) * 110_574.0;
    (dx * dx + dy * dy).sqrt()
}

/// What the rule reads of a report.
#[derive(Debug, Clone)]
pub struct Sighting {
    pub category: CategoryCode,
    /// The category's major class (its parent), if it has one.
    pub family: Option<CategoryCode>,
    pub grid: GridCode,
    pub point: Option<LngLat>,
    pub at: Micros,
    pub text: String,
}

impl Sighting {
    /// Of the same category family: the same category, the same parent, or
    /// one the parent of the other.
    pub fn same_family(&self, other: &Sighting) -> bool {
        let of = |s: &Sighting| s.family.clone().unwrap_or_else(|| s.category.clone());
        self.category == other.category || of(self) == of(other)
    }

    /// The same place: the same community, and within `metres` of each
    /// other (the same grid when either has no point).
    pub fn near(&self, other: &Sighting, within: f64) -> bool {
        if self.grid.community() != other.grid.community() {
            return false;
        }
        match (self.point, other.point) {
            (Some(a), Some(b)) => metres(a, b) <= within,
            _ => self.grid == other.grid,
        }
    }
}

/// When two reports are taken for one problem.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DuplicateRule {
    /// How far apart two reports may be.
    pub metres: f64,
    /// How far apart in time, either way.
    pub hours: i64,
    /// How alike the texts must read when the category is the same …
    pub same_category_text: f64,
    /// … and when only the family is.
    pub family_text: f64,
}

impl DuplicateRule {
    /// 150 m, 72 hours either way; texts at least a quarter alike for the
    /// same category (the category and place already say most), two thirds alike
    /// for categories that only share their major class.
    pub const DEFAULT: DuplicateRule =
        DuplicateRule { metres: 150.0, hours: 72, same_category_text: 0.25, family_text: 0.65 };

    /// The window around `at` in which repeats are looked for: `[from, to]`.
    pub fn window(&self, at: Micros) -> (Micros, Micros) {
        (at.plus_seconds(-self.hours * 3_600), at.plus_seconds(self.hours * 3_600))
    }

    /// How alike the two reports are (their texts' similarity) if they are
    /// taken for one problem; `None` if not.
    pub fn score(&self, a: &Sighting, b: &Sighting) -> Option<f64> {
        let gap = (a.at.get() - b.at.get()).unsigned_abs();
        if gap > (self.hours as u64) * 3_600_000_000 || !a.same_family(b) || !a.near(b, self.metres) {
            return None;
        }
        let text = text_similarity(&a.text, &b.text);
        let needed = if a.category == b.category { self.same_category_text } else { self.family_text };
        (text >= needed).then_some(text)
    }
}

/// Which of two reports is the original: the earlier (by time, then by
/// number, so that a tie has one answer); `true` if it is `a`.
pub fn a_is_original(a_at: Micros, a_number: &str, b_at: Micros, b_number: &str) -> bool {
    (a_at, a_number) <= (b_at, b_number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> CategoryCode {
        CategoryCode::parse(s).expect("code")
    }

    fn sighting(category: &str, family: &str, grid: &str, lng: f64, hours: i64, text: &str) -> Sighting {
        Sighting {
            category: code(category),
            family: Some(code(family)),
            grid: GridCode::parse(grid).expect("grid"),
            point: Some(LngLat { lng, lat: 30.65 }),
            at: Micros::new(1_800_000_000_000_000).plus_seconds(hours * 3_600),
            text: text.to_owned(),
        }
    }

    const G1: &str = "510104022001001";
    const G2: &str = "510104022001002";

    #[test]
    fn texts_are_compared_by_folded_bigrams() {
        assert_eq!(text_similarity("春熙路井盖松动", "春熙路井盖松动。"), 1.0, "punctuation is not read");
        assert_eq!(text_similarity("ＡＢＣ路灯", "abc路灯"), 1.0, "full width and case are folded");
        assert_eq!(text_similarity("", "路灯"), 0.0);
        let near = text_similarity("总府路社区第1网格附近路灯不亮，晚上很黑", "总府路社区第1网格路灯不亮了");
        let far = text_similarity("总府路社区第1网格附近路灯不亮，晚上很黑", "楼上装修噪音扰民");
        assert!(near > 0.5 && far < 0.1, "{near} {far}");
        let long = "字".repeat(100_000);
        assert_eq!(bigrams(&long).len(), 1, "a long text is read to a bound");
    }

    #[test]
    fn a_repeat_is_near_in_place_time_family_and_words() {
        let rule = DuplicateRule::DEFAULT;
        let a = sighting("0101", "01", G1, 104.08, 0, "春熙路口路灯不亮，晚上很黑");
        let later = sighting("0101", "01", G1, 104.0805, 30, "春熙路口的路灯不亮了");
        let earlier = sighting("0101", "01", G1, 104.0805, -30, "春熙路口的路灯不亮了");
        assert!(rule.score(&a, &later).is_some(), "a later repeat");
        assert!(rule.score(&a, &earlier).is_some(), "an earlier repeat: the window has two sides");
        let too_late = sighting("0101", "01", G1, 104.08, 73, "春熙路口路灯不亮，晚上很黑");
        let too_early = sighting("0101", "01", G1, 104.08, -73, "春熙路口路灯不亮，晚上很黑");
        assert!(rule.score(&a, &too_late).is_none() && rule.score(&a, &too_early).is_none(), "outside the window");
        let far = sighting("0101", "01", G1, 104.09, 1, "春熙路口路灯不亮，晚上很黑");
        assert!(rule.score(&a, &far).is_none(), "about a kilometre away");
        let other_community = sighting("0101", "01", "510104022002001", 104.08, 1, "春熙路口路灯不亮，晚上很黑");
        assert!(rule.score(&a, &other_community).is_none(), "another community");
        let other_family = sighting("0201", "02", G1, 104.08, 1, "春熙路口路灯不亮，晚上很黑");
        assert!(rule.score(&a, &other_family).is_none(), "another family");
        let sibling = sighting("0102", "01", G1, 104.08, 1, "春熙路口路灯不亮，晚上很黑啊");
        assert!(rule.score(&a, &sibling).is_some(), "a sibling category with the same words");
        let sibling_other_words = sighting("0102", "01", G1, 104.08, 1, "春熙路口井盖破损");
        assert!(rule.score(&a, &sibling_other_words).is_none(), "a sibling category needs more words in common");
        let unrelated = sighting("0101", "01", G1, 104.08, 1, "小区门口积水严重");
        assert!(rule.score(&a, &unrelated).is_none(), "the same category, other words");
    }

    #[test]
    fn without_points_the_grid_decides() {
        let rule = DuplicateRule::DEFAULT;
        let a = Sighting { point: None, ..sighting("0101", "01", G1, 104.08, 0, "路灯不亮") };
        let same = Sighting { point: None, ..sighting("0101", "01", G1, 104.08, 2, "路灯不亮") };
        let other = Sighting { point: None, ..sighting("0101", "01", G2, 104.08, 2, "路灯不亮") };
        assert!(rule.score(&a, &same).is_some() && rule.score(&a, &other).is_none());
    }

    #[test]
    fn the_earlier_is_the_original() {
        let t = Micros::new(1_000);
        assert!(a_is_original(t, "B", t.plus_seconds(1), "A"));
        assert!(!a_is_original(t.plus_seconds(1), "A", t, "B"));
        assert!(a_is_original(t, "A", t, "B") && !a_is_original(t, "B", t, "A"), "ties by number");
    }

    #[test]
    fn metres_are_about_right() {
        let a = LngLat { lng: 104.0, lat: 30.65 };
        let b = LngLat { lng: 104.001, lat: 30.65 };
        let d = metres(a, b);
        assert!((90.0..100.0).contains(&d), "{d}");
    }
}
