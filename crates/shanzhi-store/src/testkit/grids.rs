use geo_types::{MultiPolygon, polygon};
use jiff::civil::{Date, date};
use shanzhi_domain::{DivisionCode, GridCode, GridInfo, GridKind};

use super::with_divisions;
use crate::{AuditEntry, GridChangeSet, GridQuery, Store};

fn audit() -> AuditEntry {
    AuditEntry::new("test", "grids.recut", "grids")
}

fn square(x: f64, y: f64, size: f64) -> MultiPolygon<f64> {
    MultiPolygon(vec![polygon![(x: x, y: y), (x: x + size, y: y), (x: x + size, y: y + size), (x: x, y: y + size)]])
}

fn code(s: &str) -> GridCode {
    GridCode::parse(s).expect("grid code")
}

fn info(c: &str, kind: GridKind, name: &str, parent: Option<&str>) -> GridInfo {
    GridInfo { code: code(c), kind, name: name.to_owned(), parent: parent.map(code), households: Some(400) }
}

/// A master grid and two general grids of 和平社区, valid from 2024-01-01.
fn first_cut() -> GridChangeSet {
    GridChangeSet {
        effective: date(2024, 1, 1),
        retire: vec![],
        insert: vec![
            (info("510104022001000", GridKind::Master, "和平社区", None), square(104.0, 30.0, 0.02)),
            (info("510104022001001", GridKind::General, "一网格", Some("510104022001000")), square(104.0, 30.0, 0.01)),
            (info("510104022001002", GridKind::General, "二网格", Some("510104022001000")), square(104.01, 30.0, 0.01)),
        ],
    }
}

fn codes(records: &[crate::GridRecord]) -> Vec<&str> {
    records.iter().map(|r| r.info.code.as_str()).collect()
}

pub async fn grids_round_trip_and_count_revisions(store: &dyn Store) {
    with_divisions(store).await;
    let before = store.grid_revision().await.expect("revision");
    let counts = store.apply_grid_changes(&first_cut(), &audit()).await.expect("insert");
    assert_eq!((counts.opened, counts.closed), (3, 0));
    assert_eq!(counts.revision, before + 1);
    assert_eq!(store.grid_revision().await.expect("revision"), before + 1);
    let all = store.grids(&GridQuery::as_of(date(2025, 6, 1))).await.expect("read");
    assert_eq!(codes(&all), ["510104022001000", "510104022001001", "510104022001002"]);
    assert_eq!(all[1].info, first_cut().insert[1].0);
    assert_eq!(all[1].geometry, first_cut().insert[1].1, "the polygon comes back as written");
    assert_eq!(all[1].validity.from, date(2024, 1, 1));
    assert_eq!(all[1].validity.to, None);
    assert!(store.grids(&GridQuery::as_of(date(2023, 12, 31))).await.expect("read").is_empty(), "not yet valid");
}

pub async fn a_recut_closes_the_old_version_and_keeps_history(store: &dyn Store) {
    with_divisions(store).await;
    store.apply_grid_changes(&first_cut(), &audit()).await.expect("first cut");
    let recut = GridChangeSet {
        effective: date(2026, 3, 1),
        retire: vec![code("510104022001002")],
        insert: vec![(
            info("510104022001001", GridKind::General, "合并网格", Some("510104022001000")),
            square(104.0, 30.0, 0.02),
        )],
    };
    let counts = store.apply_grid_changes(&recut, &audit()).await.expect("recut");
    assert_eq!((counts.opened, counts.closed), (1, 2));
    let now = store.grids(&GridQuery::as_of(date(2026, 3, 1))).await.expect("now");
    assert_eq!(codes(&now), ["510104022001000", "510104022001001"]);
    assert_eq!(now[1].info.name, "合并网格");
    let then = store.grids(&GridQuery::as_of(date(2026, 2, 28))).await.expect("then");
    assert_eq!(codes(&then), ["510104022001000", "510104022001001", "510104022001002"]);
    assert_eq!(then[1].info.name, "一网格");
    let history = store.grid_history(&code("510104022001001")).await.expect("history");
    let spans: Vec<_> = history.iter().map(|r| (r.validity.from, r.validity.to)).collect();
    assert_eq!(spans, [(date(2024, 1, 1), Some(date(2026, 3, 1))), (date(2026, 3, 1), None)]);
    // Names alone, of the version valid that day; a retired grid is left out.
    let asked = [code("510104022001001"), code("510104022001002"), code("510104022009009")];
    let now = store.grid_names(&asked, date(2026, 3, 1)).await.expect("names");
    assert_eq!(now, [(code("510104022001001"), "合并网格".to_owned())]);
    let mut then = store.grid_names(&asked, date(2026, 2, 28)).await.expect("names");
    then.sort();
    assert_eq!(then, [(code("510104022001001"), "一网格".to_owned()), (code("510104022001002"), "二网格".to_owned())]);
    assert!(store.grid_names(&[], date(2026, 3, 1)).await.expect("none").is_empty());
}

pub async fn a_same_day_recut_replaces_and_an_earlier_one_is_refused(store: &dyn Store) {
    with_divisions(store).await;
    store.apply_grid_changes(&first_cut(), &audit()).await.expect("first cut");
    let mut again = first_cut();
    again.insert.truncate(2);
    again.insert[1].0.name = "一网格（修正）".to_owned();
    let counts = store.apply_grid_changes(&again, &audit()).await.expect("same day");
    assert_eq!(counts.closed, 2, "the two versions of that day are replaced");
    let history = store.grid_history(&code("510104022001001")).await.expect("history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].info.name, "一网格（修正）");

    let revision = store.grid_revision().await.expect("revision");
    let mut earlier = first_cut();
    earlier.effective = date(2023, 6, 1);
    assert!(
        store.apply_grid_changes(&earlier, &audit()).await.is_err(),
        "a version cannot begin before the current one"
    );
    assert_eq!(store.grid_revision().await.expect("revision"), revision, "nothing changed");
    assert_eq!(store.grid_history(&code("510104022001001")).await.expect("history").len(), 1);
}

pub async fn an_unknown_community_rolls_back_the_whole_change(store: &dyn Store) {
    with_divisions(store).await;
    let mut bad = first_cut();
    bad.insert.push((
        info("510104022099001", GridKind::General, "无社区", Some("510104022099000")),
        square(104.0, 30.0, 0.01),
    ));
    assert!(store.apply_grid_changes(&bad, &audit()).await.is_err());
    assert!(store.grids(&GridQuery::as_of(date(2025, 1, 1))).await.expect("read").is_empty());
    assert_eq!(store.grid_revision().await.expect("revision"), 0);
}

pub async fn grid_queries_filter_by_community_town_kind_and_box(store: &dyn Store) {
    with_divisions(store).await;
    store.apply_grid_changes(&first_cut(), &audit()).await.expect("first cut");
    let other = GridChangeSet {
        effective: date(2024, 1, 1),
        retire: vec![],
        insert: vec![(info("510104022002000", GridKind::Master, "北糠市街社区", None), square(104.02, 30.0, 0.02))],
    };
    store.apply_grid_changes(&other, &audit()).await.expect("other community");
    let day: Date = date(2025, 1, 1);
    let q = |f: fn(&mut GridQuery)| {
        let mut q = GridQuery::as_of(day);
        f(&mut q);
        q
    };
    let by_community =
        store.grids(&q(|q| q.communities = vec![DivisionCode::parse("510104022002").expect("code")])).await.expect("q");
    assert_eq!(codes(&by_community), ["510104022002000"]);
    let in_town =
        store.grids(&q(|q| q.within = Some(DivisionCode::parse("510104022").expect("code")))).await.expect("q");
    assert_eq!(in_town.len(), 4);
    let masters = store.grids(&q(|q| q.kind = Some(GridKind::Master))).await.expect("q");
    assert_eq!(codes(&masters), ["510104022001000", "510104022002000"]);
    let boxed = store.grids(&q(|q| q.bbox = Some([104.012, 30.001, 104.013, 30.002]))).await.expect("q");
    assert_eq!(codes(&boxed), ["510104022001000", "510104022001002"]);
    let limited = store.grids(&q(|q| q.limit = Some(2))).await.expect("q");
    assert_eq!(codes(&limited), ["510104022001000", "510104022001001"]);
}

pub async fn grids_are_found_by_part_of_a_name_or_a_code(store: &dyn Store) {
    with_divisions(store).await;
    store.apply_grid_changes(&first_cut(), &audit()).await.expect("insert");
    let find = |text: &str, limit| GridQuery {
        name_or_code: Some(text.to_owned()),
        limit: Some(limit),
        ..GridQuery::as_of(date(2025, 6, 1))
    };
    let got = store.grids(&find("网格", 10)).await.expect("by name");
    assert_eq!(codes(&got), ["510104022001001", "510104022001002"]);
    let got = store.grids(&find("510104022001000", 10)).await.expect("by code");
    assert_eq!(codes(&got), ["510104022001000"]);
    assert_eq!(store.grids(&find("网格", 1)).await.expect("limited").len(), 1);
    assert!(store.grids(&find("_", 10)).await.expect("wildcard").is_empty(), "a wildcard is a plain character");
}

pub async fn community_grid_contacts_name_the_grids_and_their_workers_without_geometry(store: &dyn Store) {
    use shanzhi_domain::{Micros, Phone, Role, Scope, Term, UserKind, Username, WorkPhone};

    use crate::{AssignmentRecord, NewUser};

    with_divisions(store).await;
    store.apply_grid_changes(&first_cut(), &audit()).await.expect("first cut");
    let other = GridChangeSet {
        effective: date(2024, 1, 1),
        retire: vec![],
        insert: vec![(info("510104022002001", GridKind::General, "别的社区", None), square(104.1, 30.0, 0.01))],
    };
    store.apply_grid_changes(&other, &audit()).await.expect("another community");
    let entry = || AuditEntry::new("test", "people", "users");
    for (id, name) in [("w1", "wangwu"), ("w2", "lisi"), ("w3", "zhaoliu"), ("w4", "sunqi")] {
        let user = NewUser {
            id: id.to_owned(),
            username: Username::parse(name).expect("username"),
            display_name: format!("{name} 网格员"),
            kind: UserKind::Staff,
            phone: Some(Phone::parse("13812345678").expect("phone")),
            password_hash: None,
            created_at: Micros::new(1_700_000_000_000_000),
        };
        store.create_user(&user, &entry()).await.expect("user");
    }
    let work = WorkPhone::parse("028-86001234").expect("work phone");
    store.set_work_phone("w1", Some(&work), &entry()).await.expect("work phone");
    store.set_disabled("w3", Some(Micros::new(1_700_000_000_000_001)), &entry()).await.expect("disable");
    let grid = |c: &str| Some(Scope::Grid(code(c)));
    let assignments = [
        ("a1", "w1", Role::GridWorker, grid("510104022001001"), None),
        ("a2", "w2", Role::GridWorker, grid("510104022001001"), Some(date(2025, 1, 1))),
        ("a3", "w3", Role::GridWorker, grid("510104022001002"), None),
        (
            "a4",
            "w4",
            Role::CommunityWorker,
            Some(Scope::Division(DivisionCode::parse("510104022001").expect("c"))),
            None,
        ),
        ("a5", "w4", Role::GridWorker, grid("510104022001002"), None),
        ("a6", "w2", Role::GridWorker, grid("510104022002001"), None),
    ];
    for (id, user, role, scope, to) in assignments {
        let a = AssignmentRecord {
            id: id.to_owned(),
            user_id: user.to_owned(),
            role,
            scope,
            term: Term { from: date(2024, 1, 1), to },
        };
        store.add_assignment(&a, &entry()).await.expect("assignment");
    }
    let community = DivisionCode::parse("510104022001").expect("community");
    let names = |r: &crate::GridContactRecord| r.workers.iter().map(|w| w.name.clone()).collect::<Vec<_>>();

    let later = store.community_grid_contacts(&community, date(2025, 6, 1), 100).await.expect("contacts");
    let rows: Vec<(&str, GridKind, &str)> = later.iter().map(|r| (r.code.as_str(), r.kind, r.name.as_str())).collect();
    assert_eq!(
        rows,
        [
            ("510104022001000", GridKind::Master, "和平社区"),
            ("510104022001001", GridKind::General, "一网格"),
            ("510104022001002", GridKind::General, "二网格"),
        ],
        "this community's current grids only, in code order"
    );
    assert!(later[0].workers.is_empty());
    assert_eq!(names(&later[1]), ["wangwu 网格员"], "the ended term is left out");
    assert_eq!(later[1].workers[0].work_phone, Some(work));
    assert_eq!(later[1].workers[0].user_id, "w1");
    assert_eq!(names(&later[2]), ["sunqi 网格员"], "a disabled account and a community role are left out");
    assert_eq!(later[2].workers[0].work_phone, None);

    let earlier = store.community_grid_contacts(&community, date(2024, 6, 1), 100).await.expect("contacts");
    assert_eq!(names(&earlier[1]), ["wangwu 网格员", "lisi 网格员"], "in account order, each once");
    let first_two = store.community_grid_contacts(&community, date(2024, 6, 1), 2).await.expect("contacts");
    assert_eq!(first_two.len(), 2, "the limit counts grids");
    assert_eq!(names(&first_two[1]).len(), 2);
    assert!(store.community_grid_contacts(&community, date(2023, 6, 1), 100).await.expect("none").is_empty());
}
