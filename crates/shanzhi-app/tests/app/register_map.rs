//! The register's map: the places with a point, households and residents
//! counted at each, care counted on the working-day calendar only for those
//! who may see care, within the caller's scope, at most 5,000 places.

use shanzhi_app::AppError;
use shanzhi_app::register::{CareMarkInput, MAX_MAP_PLACES, RegisterDraft, RegisterMapQuery};
use shanzhi_domain::register::RegisterKind;
use shanzhi_domain::{DivisionCode, GridCode, Micros};
use shanzhi_store::{AuditEntry, RegisterRecord};
use shanzhi_testkit::TestApp;

use super::at;
use super::register::{REASON, clock, import_good, world};

const GRID_A: &str = "510104022006001";
const GRID_B: &str = "510104022006002";
const COMMUNITY: &str = "510104022006";
/// Inside grid A and inside grid B (lng, lat).
const IN_A: (f64, f64) = (104.072, 30.655);
const IN_B: (f64, f64) = (104.077, 30.655);

async fn add(
    t: &TestApp,
    who: &str,
    kind: RegisterKind,
    name: &str,
    point: Option<(f64, f64)>,
    parent: Option<&str>,
) -> String {
    let mut d = RegisterDraft::new(kind, name);
    if let Some((x, y)) = point {
        d.lng = Some(x);
        d.lat = Some(y);
    }
    d.parent_id = parent.map(str::to_owned);
    if kind == RegisterKind::Organisation {
        d.address = Some("地图路 3 号".into());
    }
    t.app().scoped(t.actor(who).await).add_register_record(&d).await.expect("add").id
}

fn by_name<'a>(fc: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    fc["features"]
        .as_array()
        .expect("features")
        .iter()
        .find(|f| f["properties"]["name"] == name)
        .map(|f| &f["properties"])
        .unwrap_or_else(|| panic!("{name} is on the map: {fc}"))
}

#[tokio::test]
async fn the_map_counts_each_place_shows_care_only_to_those_who_may_see_it_and_stays_in_scope() {
    let clock = clock();
    let t = world(clock.clone()).await;
    import_good(&t).await; // records without a point: not on the map
    let building = add(&t, "c_in", RegisterKind::Building, "地图路 1 号", Some(IN_A), None).await;
    let h1 = add(&t, "c_in", RegisterKind::Household, "1 单元 101", None, Some(&building)).await;
    let h2 = add(&t, "c_in", RegisterKind::Household, "1 单元 102", None, Some(&building)).await;
    let r1 = add(&t, "c_in", RegisterKind::Resident, "地图甲", None, Some(&h1)).await;
    add(&t, "c_in", RegisterKind::Resident, "地图乙", None, Some(&h1)).await;
    let r3 = add(&t, "c_in", RegisterKind::Resident, "地图丙", None, Some(&h2)).await;
    add(&t, "c_in", RegisterKind::Organisation, "地图便利店", Some(IN_A), None).await;
    let in_b = add(&t, "c_in", RegisterKind::Building, "地图路 9 号", Some(IN_B), None).await;
    let hb = add(&t, "c_in", RegisterKind::Household, "2 单元 201", None, Some(&in_b)).await;
    add(&t, "c_in", RegisterKind::Resident, "地图丁", None, Some(&hb)).await;

    // Marked on Monday 30 Nov: every 2 working days → due Wednesday 2 Dec;
    // every 1 → due Tuesday 1 Dec, overdue on the Wednesday.
    let c = t.app().scoped(t.actor("c_in").await);
    let care = |every_days| CareMarkInput { reason: REASON.into(), notes: String::new(), every_days, worker: None };
    c.mark_for_care(&r1, &care(2)).await.expect("mark r1");
    c.mark_for_care(&r3, &care(1)).await.expect("mark r3");
    clock.set(at(12, 2, 9, 0));

    let g_a = t.app().scoped(t.actor("g_a").await);
    let map = g_a.register_map(&RegisterMapQuery::default()).await.expect("own grid");
    assert!(!map.truncated && map.with_care);
    let fc = map.geojson();
    assert_eq!(fc["type"], "FeatureCollection");
    assert_eq!(fc["properties"]["truncated"], false);
    let names: Vec<&str> =
        fc["features"].as_array().expect("features").iter().filter_map(|f| f["properties"]["name"].as_str()).collect();
    assert_eq!(
        names.len(),
        2,
        "grid A's two places with a point, nothing of grid B, nothing without a point: {names:?}"
    );
    let b = by_name(&fc, "地图路 1 号");
    let grid_name = t
        .app()
        .grid(&GridCode::parse(GRID_A).expect("grid"), shanzhi_app::grids::today())
        .await
        .expect("grid")
        .info
        .name;
    assert_eq!(
        (&b["kind"], &b["grid"], &b["grid_code"], &b["households"], &b["residents"]),
        (
            &serde_json::json!("楼栋"),
            &serde_json::json!(grid_name),
            &serde_json::json!(GRID_A),
            &serde_json::json!(2),
            &serde_json::json!(3)
        )
    );
    assert_eq!(
        (&b["care"], &b["care_due"], &b["care_overdue"]),
        (&serde_json::json!(2), &serde_json::json!(1), &serde_json::json!(1))
    );
    // The same standing as the care-due list's.
    let due = c.care_due(Some(&GridCode::parse(GRID_A).expect("grid")), None).await.expect("due");
    assert_eq!((due.len(), due.iter().filter(|d| d.overdue).count()), (2, 1));
    let shop = by_name(&fc, "地图便利店");
    assert_eq!(
        (&shop["kind"], &shop["address"], &shop["households"], &shop["care"]),
        (
            &serde_json::json!("单位和商户"),
            &serde_json::json!("地图路 3 号"),
            &serde_json::json!(0),
            &serde_json::json!(0)
        )
    );
    assert_eq!(
        map.grids.iter().map(|(code, _)| code.as_str()).collect::<Vec<_>>(),
        [GRID_A],
        "a grid worker picks only their grid"
    );

    // Another grid's worker: out of scope, and their own map lacks grid A.
    let g_b = t.app().scoped(t.actor("g_b").await);
    let refused = g_b.register_map(&RegisterMapQuery { grid: Some(GRID_A.into()), community: None }).await;
    assert!(matches!(refused, Err(AppError::NotFound { .. })), "{refused:?}");
    let own_b = g_b.register_map(&RegisterMapQuery::default()).await.expect("grid B").geojson();
    assert_eq!(own_b["features"].as_array().expect("features").len(), 1);
    assert_eq!(by_name(&own_b, "地图路 9 号")["residents"], 1);
    let only_b = c.register_map(&RegisterMapQuery { grid: Some(GRID_B.into()), community: None }).await.expect("B");
    assert_eq!(only_b.places.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["地图路 9 号"], "filtered by grid");
    let out = t.app().scoped(t.actor("c_out").await);
    let refused = out.register_map(&RegisterMapQuery { grid: None, community: Some(COMMUNITY.into()) }).await;
    assert!(matches!(refused, Err(AppError::NotFound { .. })), "another community's worker: {refused:?}");

    // The community's worker sees both grids; the street's dispatcher sees
    // the places and counts but no care key at all.
    let whole =
        c.register_map(&RegisterMapQuery { grid: None, community: Some(COMMUNITY.into()) }).await.expect("community");
    assert_eq!(whole.places.len(), 3);
    assert_eq!(whole.grids.len(), 3, "the master grid and both general grids: {:?}", whole.grids);
    let d = t.app().scoped(t.actor("d_street").await);
    let masked =
        d.register_map(&RegisterMapQuery { grid: None, community: Some(COMMUNITY.into()) }).await.expect("dispatcher");
    assert!(!masked.with_care);
    let text = masked.geojson().to_string();
    assert!(!text.contains("care"), "no care keys without the care permission: {text}");
    let fc = masked.geojson();
    assert_eq!(by_name(&fc, "地图路 1 号")["residents"], 3);
    for who in ["s_in", "h_dept", "a_city"] {
        let r = t
            .app()
            .scoped(t.actor(who).await)
            .register_map(&RegisterMapQuery { grid: None, community: Some(COMMUNITY.into()) })
            .await;
        match r {
            Err(AppError::NotFound { .. } | AppError::Forbidden(_)) => {}
            Ok(m) => assert!(!m.geojson().to_string().contains("care"), "{who} sees no care"),
            Err(e) => panic!("{who}: {e:?}"),
        }
    }
}

#[tokio::test]
async fn the_map_shows_at_most_5000_places_and_says_so() {
    let t = world(clock()).await;
    let grid = GridCode::parse(GRID_A).expect("grid");
    let records: Vec<RegisterRecord> = (0..=MAX_MAP_PLACES)
        .map(|i| RegisterRecord {
            id: format!("bulk-{i:05}"),
            kind: RegisterKind::Building,
            community: DivisionCode::parse(COMMUNITY).expect("community"),
            grid: Some(grid.clone()),
            parent_id: None,
            name: format!("批量楼栋 {i:05}"),
            fields: r#"{"lat":30.655,"lng":104.072}"#.to_owned(),
            id_hash: None,
            search_text: format!("批量楼栋 {i:05}"),
            version: 1,
            updated_by: "test".to_owned(),
            updated_at: Micros::new(1_800_000_000_000_000),
        })
        .collect();
    t.store().add_register_records(&records, &AuditEntry::new("test", "register.add", "bulk")).await.expect("bulk");
    let g_a = t.app().scoped(t.actor("g_a").await);
    let map = g_a.register_map(&RegisterMapQuery::default()).await.expect("map");
    assert_eq!(map.places.len(), MAX_MAP_PLACES);
    assert!(map.truncated);
    let fc = map.geojson();
    assert_eq!(fc["features"].as_array().expect("features").len(), 5_000);
    assert_eq!(fc["properties"]["truncated"], true);
}
