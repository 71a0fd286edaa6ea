//! A generated month with planted hot spots: what clustering recovers.

use super::*;
use crate::matter::LngLat;
use crate::{CategoryCode, GridCode};

/// A small deterministic generator (xorshift), enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn unit(&mut self) -> f64 {
        (self.next() % 1_000_000) as f64 / 1_000_000.0
    }
}

/// (code, family, what reporters say about it).
const KINDS: [(&str, &str, &[&str]); 8] = [
    ("0101", "01", &["路灯不亮", "路灯坏了", "晚上路灯不亮很黑"]),
    ("0102", "01", &["井盖松动", "井盖破损", "井盖缺失很危险"]),
    ("0201", "02", &["噪音扰民", "晚上施工噪音", "广场舞噪音太大"]),
    ("0202", "02", &["油烟扰民", "餐馆油烟很大", "烧烤油烟呛人"]),
    ("0301", "03", &["垃圾没人清运", "垃圾堆放", "垃圾桶满了没人收"]),
    ("0302", "03", &["占道经营", "小摊贩占道", "商户占道摆摊"]),
    ("0401", "04", &["违章停车", "车辆乱停乱放", "共享单车堵路"]),
    ("0402", "04", &["积水严重", "下雨积水", "路面积水过不去"]),
];

const EXTRAS: [&str; 6] = ["请尽快处理。", "已经好几天了。", "居民反映强烈。", "希望有人管管。", "谢谢！", ""];

const MONTH_START: i64 = 1_793_462_400_000_000; // 2026-11-01 00:00 in China
const DAY: i64 = 86_400_000_000;

fn community(c: u64) -> String {
    format!("510104022{:03}", c + 1)
}

fn report(rng: &mut Rng, c: u64, kind: usize, centre: LngLat, spread: f64, at: i64) -> Report {
    let (code, family, says) = KINDS[kind];
    let point = LngLat {
        lng: centre.lng + (rng.unit() - 0.5) * 2.0 * spread,
        lat: centre.lat + (rng.unit() - 0.5) * 2.0 * spread,
    };
    let text = format!(
        "{}附近{}，{}",
        ["小区门口", "路口", "楼下"][rng.below(3) as usize],
        says[rng.below(3) as usize],
        EXTRAS[rng.below(6) as usize]
    );
    Report {
        sighting: Sighting {
            category: CategoryCode::parse(code).expect("code"),
            family: Some(CategoryCode::parse(family).expect("family")),
            grid: GridCode::parse(&format!("{}{:03}", community(c), rng.below(5) + 1)).expect("grid"),
            point: Some(point),
            at: Micros::new(at),
            text,
        },
        urgent: rng.below(10) == 0,
        generic: false,
    }
}

fn centre_of(c: u64) -> LngLat {
    LngLat { lng: 104.0 + (c % 12) as f64 * 0.03, lat: 30.6 + (c / 12) as f64 * 0.03 }
}

/// The month: background reports spread over 120 communities, each about a
/// kilometre across, and planted hot spots (their label beside each report).
fn month(seed: u64) -> (Vec<Report>, Vec<Option<usize>>, usize) {
    let mut rng = Rng(seed);
    let (mut reports, mut labels) = (Vec::new(), Vec::new());
    for _ in 0..300 {
        let c = rng.below(120);
        let kind = rng.below(KINDS.len() as u64) as usize;
        let at = MONTH_START + rng.below(30 * DAY as u64) as i64;
        reports.push(report(&mut rng, c, kind, centre_of(c), 0.006, at));
        labels.push(None);
    }
    let planted = 10;
    for p in 0..planted {
        let c = rng.below(120);
        let kind = rng.below(KINDS.len() as u64) as usize;
        let centre = LngLat { lng: centre_of(c).lng + (rng.unit() - 0.5) * 0.008, lat: centre_of(c).lat };
        let start = MONTH_START + rng.below(22 * DAY as u64) as i64;
        for _ in 0..(4 + rng.below(9)) {
            let at = start + rng.below(7 * DAY as u64) as i64;
            reports.push(report(&mut rng, c, kind, centre, 0.001, at));
            labels.push(Some(p));
        }
    }
    (reports, labels, planted)
}

#[test]
fn planted_hot_spots_in_a_generated_month_are_recovered() {
    let (mut found_good, mut found_all, mut recovered, mut planted_all) = (0, 0, 0, 0);
    for seed in [7, 11, 2026, 4242, 90001] {
        let (reports, labels, planted) = month(seed);
        let end = Micros::new(MONTH_START + 30 * DAY);
        let found = clusters(&reports, &ClusterRule::DEFAULT, end);
        let majority = |c: &Cluster| -> Option<usize> {
            (0..planted).find(|p| c.members.iter().filter(|i| labels[**i] == Some(*p)).count() * 5 >= c.size() * 4)
        };
        found_all += found.len();
        found_good += found.iter().filter(|c| majority(c).is_some()).count();
        planted_all += planted;
        recovered += (0..planted)
            .filter(|p| {
                let size = labels.iter().filter(|l| **l == Some(*p)).count();
                found.iter().any(|c| c.members.iter().filter(|i| labels[**i] == Some(*p)).count() * 5 >= size * 4)
            })
            .count();
    }
    let precision = found_good as f64 / found_all.max(1) as f64;
    let recall = recovered as f64 / planted_all as f64;
    println!(
        "hot spots: precision {precision:.2} ({found_good}/{found_all}), recall {recall:.2} ({recovered}/{planted_all})"
    );
    assert!(recall >= 0.9, "recall {recall:.2}");
    assert!(precision >= 0.7, "precision {precision:.2}");
}

#[test]
fn a_hot_spot_is_ranked_counted_and_named() {
    let mut rng = Rng(3);
    let c = 0;
    let at = |d: i64| MONTH_START + d * DAY;
    let mut reports: Vec<Report> = (0..6).map(|d| report(&mut rng, c, 2, centre_of(c), 0.0005, at(24 + d))).collect();
    reports.extend((0..3).map(|d| report(&mut rng, c, 0, centre_of(c), 0.0005, at(2 + d))));
    reports.push(report(&mut rng, c, 0, centre_of(c), 0.0005, at(29) + 1));
    let two = report(&mut rng, c, 4, centre_of(c), 0.0005, at(10));
    reports.push(two.clone());
    reports.push(two);
    let found = clusters(&reports, &ClusterRule::DEFAULT, Micros::new(at(30)));
    assert_eq!(found.len(), 2, "two below the minimum are no hot spot");
    assert_eq!(found[0].size(), 6, "the larger, growing one first");
    assert_eq!((found[0].days(), found[0].recent, found[0].before), (6, 6, 0));
    assert_eq!(found[0].growth(), 6);
    assert!(found[0].score() > found[1].score());
    assert_eq!(found[1].size(), 4);
    assert_eq!(found[1].days(), 28, "from the 3rd to the 30th");
    let texts: Vec<&str> = found[0].members.iter().map(|i| reports[*i].sighting.text.as_str()).collect();
    let all: Vec<&str> = reports.iter().map(|r| r.sighting.text.as_str()).collect();
    let words = common_words(&texts, &all);
    assert_eq!(words.as_deref(), Some("噪音"), "{texts:?}");
    assert_eq!(common_words(&["a", "b"], &all), None);
}
