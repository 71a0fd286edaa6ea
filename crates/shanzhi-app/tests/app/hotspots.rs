//! 未诉先办: a generated month — the demo's matters as background, planted
//! hot spots reported through intake — and what the hot-spot reading
//! recovers, with precision and recall printed; scope and labels.

use std::collections::HashMap;

use shanzhi_app::figures::HotspotQuery;
use shanzhi_app::matters::{DemoOptions, IntakeRequest};
use shanzhi_app::{AppError, NoProgress};
use shanzhi_domain::{DivisionCode, Micros, Role};
use shanzhi_testkit::TestApp;

use crate::duplicates::{corner, jinjiang, jinjiang_features};

/// What reporters say, per planted category: (code, words).
const PLANTS: [(&str, [&str; 3]); 6] = [
    ("0110", ["路面坑洼，车辆绕行", "道路破损严重，坑很深", "路面塌陷了一个坑"]),
    ("0104", ["道路不洁，满地油污", "路面很脏没人扫", "人行道上垃圾散落"]),
    ("0304", ["井盖松动，踩上去响", "井盖破损有危险", "井盖缺了一块"]),
    ("12345.fanying", ["楼下烧烤噪音扰民到深夜", "烧烤摊噪音扰民睡不着", "夜市噪音扰民太吵"]),
    ("0111", ["河堤护栏断了", "河堤破损护栏松动", "护栏损坏有人掉下去风险"]),
    ("12345.qiuzhu", ["独居老人需要帮助送餐", "独居老人行动不便需要帮助", "老人独居需要上门帮助"]),
];

#[tokio::test]
async fn planted_hot_spots_in_a_generated_month_are_recovered() {
    let app = TestApp::new()
        .with_features(jinjiang_features())
        .with_categories()
        .with_accounts(&[
            ("supervisor", Role::Supervisor, Some("5101")),
            ("gridder", Role::GridWorker, Some("510104022006001")),
        ])
        .start()
        .await;
    let op = app.operator();
    let background = DemoOptions { count: 800, seed: 5, open_only: false, spread_hours: 30 * 24, within: None };
    op.generate_demo_matters_with(&background, &NoProgress).await.expect("background");
    let communities = jinjiang();
    let system = op.scoped("t");
    let now = Micros::from(jiff::Timestamp::now());
    // Planted: community, what, size, starting days ago; reports over a week.
    let plants: [(usize, usize, usize, i64); 8] = [
        (3, 0, 12, 9),
        (10, 1, 5, 20),
        (17, 2, 7, 27),
        (25, 3, 9, 8),
        (33, 4, 4, 15),
        (41, 5, 6, 12),
        (52, 0, 8, 25),
        (60, 3, 5, 10),
    ];
    let mut label: HashMap<String, usize> = HashMap::new();
    for (p, (c, what, size, start)) in plants.iter().enumerate() {
        let (x, y) = corner(*c);
        let (code, words) = PLANTS[*what];
        for k in 0..*size {
            let r = IntakeRequest {
                category: code.to_owned(),
                lng: Some(x + 0.0045 + (k % 3) as f64 * 0.0002),
                lat: Some(y + 0.0045 + (k % 4) as f64 * 0.0002),
                description: format!("{}附近{}", communities[*c].1, words[k % 3]),
                reported_at: Some(now.plus_seconds(-start * 86_400 + (k as i64) * 13 * 3_600)),
                ..IntakeRequest::default()
            };
            let answer = system.intake(r).await.expect("planted report");
            label.insert(answer.matter.number, p);
        }
    }

    let supervisor = app.scoped(app.actor("supervisor").await);
    let answer = supervisor.hotspots(&HotspotQuery { limit: 100, ..HotspotQuery::default() }).await.expect("hot spots");
    let plant_of = |numbers: &[String]| -> Option<usize> {
        (0..plants.len()).find(|p| numbers.iter().filter(|n| label.get(*n) == Some(p)).count() * 5 >= numbers.len() * 4)
    };
    let good = answer.hotspots.iter().filter(|h| plant_of(&h.numbers).is_some()).count();
    let recovered = (0..plants.len())
        .filter(|p| {
            let size = plants[*p].2;
            answer
                .hotspots
                .iter()
                .any(|h| h.numbers.iter().filter(|n| label.get(*n) == Some(p)).count() * 5 >= size * 4)
        })
        .count();
    let precision = good as f64 / answer.hotspots.len().max(1) as f64;
    let recall = recovered as f64 / plants.len() as f64;
    println!(
        "hot spots in a generated month ({} matters read): precision {precision:.2} ({good}/{}), recall {recall:.2} ({recovered}/{})",
        answer.read,
        answer.hotspots.len(),
        plants.len()
    );
    for h in answer.hotspots.iter().take(5) {
        println!("  {} (growth {}, score {:.1})", h.label, h.growth, h.score);
    }
    assert!(recall >= 0.85, "recall {recall:.2}");
    assert!(precision >= 0.7, "precision {precision:.2}");
    assert!(answer.read > 800 && !answer.truncated);

    // The largest plant leads, labelled as officials say it.
    let top = &answer.hotspots[0];
    assert_eq!(plant_of(&top.numbers), Some(0), "{}", top.label);
    assert_eq!(top.label, format!("{} {} 天 12 件 道路破损", communities[3].1, top.days));
    assert_eq!(top.district_name, "锦江区");
    // A vague hotline kind is named by its reports' words.
    let noise = answer.hotspots.iter().find(|h| plant_of(&h.numbers) == Some(3)).expect("the noise plant");
    assert!(noise.topic.contains("噪音") || noise.topic.contains("扰民"), "{}", noise.label);

    // Scope: within a community of one's own; another's is refused.
    let inside = HotspotQuery {
        within: Some(DivisionCode::parse(&communities[3].0).expect("code")),
        limit: 10,
        ..HotspotQuery::default()
    };
    let mine = supervisor.hotspots(&inside).await.expect("within");
    assert!(mine.hotspots.iter().all(|h| h.community == communities[3].0) && !mine.hotspots.is_empty());
    let gridder = app.scoped(app.actor("gridder").await);
    let elsewhere = HotspotQuery {
        within: Some(DivisionCode::parse("510104022009").expect("code")),
        limit: 10,
        ..HotspotQuery::default()
    };
    assert!(matches!(gridder.hotspots(&elsewhere).await, Err(AppError::Forbidden(_))));
    let own = gridder.hotspots(&HotspotQuery { limit: 10, ..HotspotQuery::default() }).await.expect("own grid");
    assert!(own.hotspots.iter().all(|h| h.community == "510104022006"));
}
