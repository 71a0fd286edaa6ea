//! Likely repeats (重复件): found either way in time, the earlier report the
//! original, however a hotline file is ordered; nothing outside the window,
//! the place or the category family.

use std::collections::{HashMap, HashSet};

use serde_json::json;
use shanzhi_app::access::DispatchDesk;
use shanzhi_app::matters::{DuplicatePair, IntakeRequest};
use shanzhi_domain::similar::{DuplicateRule, Sighting, a_is_original};
use shanzhi_domain::{CategoryCode, Matter, MatterState, Role};
use shanzhi_store::{MatterQuery, MatterScope};
use shanzhi_testkit::{TestApp, grid_feature, rect};

/// 总府路社区 and, next to it, 督院街社区 (another community).
async fn world() -> TestApp {
    let features = vec![
        grid_feature("510104022006000", "master", None, rect(104.07, 30.65, 104.08, 30.66)),
        grid_feature("510104022006001", "general", None, rect(104.07, 30.65, 104.08, 30.66)),
        grid_feature("510104022009000", "master", None, rect(104.08, 30.65, 104.09, 30.66)),
        grid_feature("510104022009001", "general", None, rect(104.08, 30.65, 104.09, 30.66)),
    ];
    TestApp::new()
        .with_features(features)
        .with_categories()
        .with_accounts(&[("dispatcher", Role::Dispatcher, Some("510104022")), ("resident", Role::Resident, None)])
        .start()
        .await
}

const HEADER: &str = "工单编号,受理时间,诉求类型,诉求内容,经度,纬度\n";

fn orders(rows: &[(&str, &str, &str, f64)]) -> String {
    let mut csv = HEADER.to_owned();
    for (order, at, text, lng) in rows {
        csv.push_str(&format!("{order},{at},反映,{text},{lng},30.655\n"));
    }
    csv
}

async fn original_of(desk: &DispatchDesk<'_>, number: &str) -> Option<String> {
    desk.matter(number).await.expect("matter").duplicate_of
}

#[tokio::test]
async fn an_out_of_order_import_flags_the_later_matter_and_points_to_the_earlier() {
    let app = world().await;
    let dispatcher = app.scoped(app.actor("dispatcher").await);
    let desk = dispatcher.desk::<DispatchDesk>().expect("a dispatcher");
    // The later call is imported first …
    let first = orders(&[("A1", "2026-11-22 10:00", "总府路2号门口路灯不亮，晚上很黑", 104.0750)]);
    let first = desk.import_hotline(first.as_bytes(), "a.csv").await.expect("first file");
    assert!(first.possible_duplicates.is_empty());
    // … then the earlier one, 25 hours before it, a few metres away.
    let second = orders(&[("B1", "2026-11-21 09:00", "总府路2号路灯不亮了，请派人修", 104.0751)]);
    let second = desk.import_hotline(second.as_bytes(), "b.csv").await.expect("second file");
    let (later, earlier) = (&first.numbers[0], &second.numbers[0]);
    assert_eq!(original_of(&desk, later).await.as_deref(), Some(earlier.as_str()), "the later points to the earlier");
    assert_eq!(original_of(&desk, earlier).await, None, "the original points nowhere");
    assert_eq!(
        second.possible_duplicates,
        [DuplicatePair { number: later.clone(), original: earlier.clone() }],
        "the import report says so"
    );

    // Within one file out of date order: the row reported first is the original.
    let file = orders(&[
        ("C1", "2026-11-25 18:00", "水井坊小区门口垃圾堆放无人清运", 104.0850),
        ("C2", "2026-11-25 08:00", "水井坊小区门口垃圾堆放好几天了", 104.0851),
        ("C3", "2026-11-26 08:00", "水井坊小区门口垃圾还是没人清运", 104.0850),
    ]);
    let report = desk.import_hotline(file.as_bytes(), "c.csv").await.expect("one file");
    let [c1, c2, c3] = [0, 1, 2].map(|i| report.numbers[i].clone());
    assert_eq!(original_of(&desk, &c2).await, None);
    assert_eq!(original_of(&desk, &c1).await.as_deref(), Some(c2.as_str()));
    assert_eq!(original_of(&desk, &c3).await.as_deref(), Some(c2.as_str()), "the earliest, not the nearest in time");
    let flagged: Vec<&str> = report.possible_duplicates.iter().map(|p| p.number.as_str()).collect();
    assert_eq!(flagged.len(), 2);
    assert!(flagged.contains(&c1.as_str()) && flagged.contains(&c3.as_str()));
    assert!(report.possible_duplicates.iter().all(|p| p.original == c2));
}

#[tokio::test]
async fn nothing_is_flagged_outside_the_window_the_place_the_family_or_the_words() {
    let app = world().await;
    let dispatcher = app.scoped(app.actor("dispatcher").await);
    let desk = dispatcher.desk::<DispatchDesk>().expect("a dispatcher");
    let file = orders(&[
        ("D1", "2026-11-20 09:00", "总府路2号门口路灯不亮，晚上很黑", 104.0750),
        // 73 hours later and earlier: outside the window on both sides.
        ("D2", "2026-11-23 10:00", "总府路2号门口路灯不亮，晚上很黑", 104.0750),
        ("D3", "2026-11-17 08:00", "总府路2号门口路灯不亮，晚上很黑", 104.0750),
        // Within the window, but in the next community, 100 m away.
        ("D4", "2026-11-20 12:00", "总府路2号门口路灯不亮，晚上很黑", 104.0801),
        // Within the window and close, but about something else.
        ("D5", "2026-11-20 13:00", "楼上装修噪音扰民到深夜", 104.0750),
    ]);
    let report = desk.import_hotline(file.as_bytes(), "d.csv").await.expect("import");
    assert_eq!(report.created, 5);
    assert!(report.possible_duplicates.is_empty(), "{:?}", report.possible_duplicates);
    for n in &report.numbers {
        assert_eq!(original_of(&desk, n).await, None, "{n}");
    }
    // 72 hours less a minute after D1 is still inside, and an hour before
    // D2: it repeats D1, and D2 now repeats it.
    let edge = orders(&[("D6", "2026-11-23 08:59", "总府路2号门口路灯不亮，晚上很黑", 104.0750)]);
    let edge = desk.import_hotline(edge.as_bytes(), "e.csv").await.expect("edge");
    let (d1, d2, d6) = (&report.numbers[0], &report.numbers[1], &edge.numbers[0]);
    let mut expected = vec![
        DuplicatePair { number: d6.clone(), original: d1.clone() },
        DuplicatePair { number: d2.clone(), original: d6.clone() },
    ];
    expected.sort_by(|a, b| a.number.cmp(&b.number));
    assert_eq!(edge.possible_duplicates, expected);
    assert_eq!(original_of(&desk, d2).await.as_deref(), Some(d6.as_str()));
}

#[tokio::test]
async fn a_report_at_intake_names_the_matter_it_may_repeat() {
    let app = world().await;
    let resident = app.scoped(app.actor("resident").await);
    let report = |description: &str| IntakeRequest {
        category: "0110".into(),
        lng: Some(104.0752),
        lat: Some(30.6552),
        description: description.into(),
        ..IntakeRequest::default()
    };
    let first = resident.intake(report("总府路2号门口井盖破损，晚上看不清")).await.expect("first");
    assert!(first.possible_duplicates.is_empty());
    let second = resident.intake(report("总府路2号井盖破损很危险")).await.expect("second");
    assert_eq!(second.possible_duplicates, std::slice::from_ref(&first.matter.number));
    assert_eq!(second.matter.duplicate_of.as_deref(), Some(first.matter.number.as_str()));
    let other = resident.intake(report("小区里的健身器材坏了")).await.expect("other words");
    assert!(other.possible_duplicates.is_empty(), "the same place and category, other words");
}

/// The demo's deliberate repeats (each repeats the matter made just before
/// it: the same grid and category, other words, up to two days later, and
/// names it in `duplicate_of`; most are merged) are the labelled set; every pair of demo matters the rule takes
/// for one problem is its answer. Prints precision and recall.
#[tokio::test]
async fn the_rule_finds_the_demos_labelled_repeats() {
    let features = jinjiang_features();
    let app = TestApp::new().with_features(features).with_categories().start().await;
    let made = app.operator().generate_demo_matters(2_000, 17).await.expect("demo");
    let store = app.store();
    let everything = MatterQuery {
        scope: MatterScope { everything: true, ..MatterScope::default() },
        limit: 10_000,
        ..MatterQuery::default()
    };
    let matters = store.matters(&everything).await.expect("matters");
    assert_eq!(matters.len(), made);
    let parents: HashMap<String, Option<CategoryCode>> = store
        .categories()
        .await
        .expect("categories")
        .into_iter()
        .map(|(c, _)| (c.code.to_string(), c.parent))
        .collect();
    let sighting = |m: &Matter| Sighting {
        category: m.category.clone(),
        family: parents.get(m.category.as_str()).cloned().flatten(),
        grid: m.grid.clone(),
        point: m.location,
        at: m.reported_at,
        text: m.description.clone(),
    };
    // Labels: (original, repeat) by number, as the demo marks its repeats.
    let labelled: HashSet<(String, String)> =
        matters.iter().filter_map(|m| Some((m.duplicate_of.clone()?, m.number.clone()))).collect();
    assert!(labelled.len() >= 20, "the demo made {} repeats", labelled.len());
    let open = matters.iter().filter(|m| m.duplicate_of.is_some() && m.status.state == MatterState::Reported).count();
    let merged = matters.iter().filter(|m| m.status.state == MatterState::Merged).count();
    assert!(open > 0 && merged > 0, "repeats both wait flagged ({open}) and are merged ({merged})");
    assert!(
        matters.iter().filter(|m| m.status.state == MatterState::Merged).all(|m| m.duplicate_of.is_some()),
        "every merged matter names its original"
    );
    let rule = DuplicateRule::DEFAULT;
    let sightings: Vec<Sighting> = matters.iter().map(sighting).collect();
    let mut found: HashSet<(String, String)> = HashSet::new();
    for (i, a) in matters.iter().enumerate() {
        for (j, b) in matters.iter().enumerate().skip(i + 1) {
            if rule.score(&sightings[i], &sightings[j]).is_some() {
                let (o, r) =
                    if a_is_original(a.reported_at, &a.number, b.reported_at, &b.number) { (a, b) } else { (b, a) };
                found.insert((o.number.clone(), r.number.clone()));
            }
        }
    }
    let hits = found.intersection(&labelled).count();
    let by_id: HashMap<String, &Matter> = matters.iter().map(|m| (m.number.clone(), m)).collect();
    for (o, r) in found.difference(&labelled).take(3) {
        let (o, r) = (by_id[o], by_id[r]);
        eprintln!(
            "false: {} {} {} | {} {} {}",
            o.category,
            o.reported_at.get(),
            o.description,
            r.category,
            r.reported_at.get(),
            r.description
        );
    }
    let precision = hits as f64 / found.len().max(1) as f64;
    let recall = hits as f64 / labelled.len() as f64;
    println!(
        "duplicates on the demo's labelled repeats: precision {precision:.2} ({hits}/{}), recall {recall:.2} ({hits}/{})",
        found.len(),
        labelled.len()
    );
    assert!(recall >= 0.9, "recall {recall:.2}");
    assert!(precision >= 0.8, "precision {precision:.2}");
}

/// Every community of 锦江区 (code, name): a square of nine general grids
/// each, named as generated grids are (总府路社区第1网格), 0.011° apart in rows of ten.
pub(crate) fn jinjiang() -> Vec<(String, String)> {
    shanzhi_app::demo::CHENGDU_DIVISIONS_CSV
        .lines()
        .filter(|l| l.starts_with("village_community,510104"))
        .filter_map(|l| {
            let mut parts = l.split(',').skip(1);
            let (code, name) = (parts.next()?, parts.next()?);
            Some((code.to_owned(), name.trim_end_matches("居委会").to_owned()))
        })
        .collect()
}

/// The south-west corner of the `i`th community of [`jinjiang`].
pub(crate) fn corner(i: usize) -> (f64, f64) {
    (104.0 + (i % 10) as f64 * 0.011, 30.6 + (i / 10) as f64 * 0.011)
}

pub(crate) fn jinjiang_features() -> Vec<serde_json::Value> {
    let mut features = Vec::new();
    for (i, (code, name)) in jinjiang().iter().enumerate() {
        let (x, y) = corner(i);
        let feature = |suffix: String, kind: &str, name: String, geometry| {
            json!({"type": "Feature", "properties": {"code": format!("{code}{suffix}"), "kind": kind, "name": name},
                   "geometry": geometry})
        };
        features.push(feature("000".into(), "master", format!("{name}总网格"), rect(x, y, x + 0.009, y + 0.009)));
        for k in 0..9 {
            let (gx, gy) = (x + (k % 3) as f64 * 0.003, y + (k / 3) as f64 * 0.003);
            let g = rect(gx, gy, gx + 0.003, gy + 0.003);
            features.push(feature(format!("{:03}", k + 1), "general", format!("{name}第{}网格", k + 1), g));
        }
    }
    features
}
