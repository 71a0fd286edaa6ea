//! The register: records are written whole or not at all, every change keeps
//! the version before, lists filter by subtree, grid, kind, parent and folded
//! words; care marks are one open per resident, and a purge deletes the
//! sealed reasons whose day has come.

use jiff::civil::date;
use shanzhi_domain::register::RegisterKind;
use shanzhi_domain::search::fold;
use shanzhi_domain::{GridCode, Micros};

use super::code;
use crate::{AuditEntry, CareMarkRecord, RegisterQuery, RegisterRecord, Store, StoreError};

fn at(s: i64) -> Micros {
    Micros::new(1_800_000_000_000_000 + s * 1_000_000)
}

fn grid(s: &str) -> GridCode {
    GridCode::parse(s).expect("test grid")
}

fn record(
    id: &str,
    kind: RegisterKind,
    community: &str,
    g: Option<&str>,
    parent: Option<&str>,
    name: &str,
) -> RegisterRecord {
    RegisterRecord {
        id: id.to_owned(),
        kind,
        community: code(community),
        grid: g.map(grid),
        parent_id: parent.map(str::to_owned),
        name: name.to_owned(),
        fields: "{}".to_owned(),
        id_hash: None,
        search_text: fold(name),
        version: 1,
        updated_by: "importer".to_owned(),
        updated_at: at(0),
    }
}

fn audit() -> AuditEntry {
    AuditEntry::new("tester", "register.test", "register")
}

const A: &str = "510104022006";
const B: &str = "510104022007";
const GA: &str = "510104022006001";
const GB: &str = "510104022007001";

pub async fn register_records_are_versioned_and_listed_by_place(store: &dyn Store) {
    let b1 = record("b1", RegisterKind::Building, A, Some(GA), None, "总府路 1 号");
    let h1 = record("h1", RegisterKind::Household, A, Some(GA), Some("b1"), "1 单元 101");
    let mut r1 = record("r1", RegisterKind::Resident, A, Some(GA), Some("h1"), "张三");
    r1.id_hash = Some("hash-1".to_owned());
    let b2 = record("b2", RegisterKind::Building, B, Some(GB), None, "春熙路 9 号");
    store.add_register_records(&[b1, h1, r1.clone(), b2], &audit()).await.expect("add");

    // An id hash once: the whole batch is refused.
    let mut dup = record("r2", RegisterKind::Resident, A, Some(GA), Some("h1"), "李四");
    dup.id_hash = Some("hash-1".to_owned());
    let fresh = record("r3", RegisterKind::Resident, A, Some(GA), Some("h1"), "王五");
    let err = store.add_register_records(&[fresh, dup], &audit()).await.expect_err("a duplicate hash");
    assert!(matches!(err, StoreError::Constraint(_)), "{err:?}");
    assert!(store.register_record("r3").await.expect("read").is_none(), "nothing of a refused batch is written");

    let known = store.registered_id_hashes(&["hash-0".to_owned(), "hash-1".to_owned()]).await.expect("hashes");
    assert_eq!(known, ["hash-1"]);
    let found = store.register_record_by_hash("hash-1").await.expect("by hash").expect("found");
    assert_eq!(found, r1);

    let in_a = RegisterQuery { within: Some(code(A)), limit: 100, ..Default::default() };
    let names: Vec<String> = store.register_records(&in_a).await.expect("list").into_iter().map(|r| r.id).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    let street = RegisterQuery { within: Some(code("510104022")), limit: 100, ..Default::default() };
    assert_eq!(store.register_records(&street).await.expect("street").len(), 4);
    let of_grid_b = RegisterQuery { grids: vec![grid(GB)], limit: 100, ..Default::default() };
    let ids: Vec<String> = store.register_records(&of_grid_b).await.expect("grid").into_iter().map(|r| r.id).collect();
    assert_eq!(ids, ["b2"]);
    let household = RegisterQuery { parent_id: Some("h1".to_owned()), limit: 100, ..Default::default() };
    assert_eq!(store.register_records(&household).await.expect("parent").len(), 1);
    let search = RegisterQuery { search: Some(fold("总府")), limit: 100, ..Default::default() };
    let ids: Vec<String> = store.register_records(&search).await.expect("search").into_iter().map(|r| r.id).collect();
    assert_eq!(ids, ["b1"]);
    let one = RegisterQuery { kind: Some(RegisterKind::Building), limit: 1, ..Default::default() };
    assert_eq!(store.register_records(&one).await.expect("limit").len(), 1);

    // An edit from version 1 becomes version 2, the first kept.
    let mut edited = r1.clone();
    edited.name = "张叁".to_owned();
    edited.version = 2;
    edited.updated_by = "editor".to_owned();
    edited.updated_at = at(5);
    store.update_register_record(&edited, &audit()).await.expect("edit");
    let stale = RegisterRecord { name: "张三三".to_owned(), ..edited.clone() };
    assert!(store.update_register_record(&stale, &audit()).await.is_err(), "an edit from a stale version is refused");
    let versions = store.register_versions("r1").await.expect("versions");
    assert_eq!(
        versions.iter().map(|v| (v.version, v.name.as_str(), v.saved_by.as_str())).collect::<Vec<_>>(),
        [(1, "张三", "importer"), (2, "张叁", "editor")]
    );
    assert_eq!(store.register_record("r1").await.expect("read").expect("r1").name, "张叁");
}

pub async fn care_marks_are_one_open_per_resident_and_purged_on_their_day(store: &dyn Store) {
    let r1 = record("r1", RegisterKind::Resident, A, Some(GA), None, "张三");
    let r2 = record("r2", RegisterKind::Resident, B, Some(GB), None, "李四");
    store.add_register_records(&[r1, r2], &audit()).await.expect("add");
    let mark = CareMarkRecord {
        id: "m1".to_owned(),
        resident_id: "r1".to_owned(),
        community: code(A),
        grid: Some(grid(GA)),
        key_id: "k1".to_owned(),
        sealed: Some("c2VhbGVk".to_owned()),
        every_days: 5,
        worker_id: Some("u1".to_owned()),
        started_on: date(2026, 11, 2),
        last_visit_on: None,
        ended_on: None,
        purge_on: None,
        created_by: "community".to_owned(),
        created_at: at(1),
    };
    store.add_care_mark(&mark, &audit()).await.expect("mark");
    let again = CareMarkRecord { id: "m2".to_owned(), ..mark.clone() };
    assert!(store.add_care_mark(&again, &audit()).await.is_err(), "one open mark per resident");
    let other = CareMarkRecord {
        id: "m3".to_owned(),
        resident_id: "r2".to_owned(),
        community: code(B),
        grid: Some(grid(GB)),
        ..mark.clone()
    };
    store.add_care_mark(&other, &audit()).await.expect("another resident");
    assert_eq!(store.care_mark("m1").await.expect("read"), Some(mark.clone()));
    let open_a = store.open_care_marks(Some(&code(A)), &[]).await.expect("open");
    assert_eq!(open_a.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["m1"]);
    let open_gb = store.open_care_marks(None, &[grid(GB)]).await.expect("grid");
    assert_eq!(open_gb.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["m3"]);

    let ended =
        CareMarkRecord { ended_on: Some(date(2026, 11, 20)), purge_on: Some(date(2026, 12, 20)), ..mark.clone() };
    store.update_care_mark(&ended, &audit()).await.expect("end");
    assert!(store.open_care_marks(Some(&code(A)), &[]).await.expect("open").is_empty());
    store.add_care_mark(&again, &audit()).await.expect("a new mark once the old one ended");
    let during = |from, to| async move {
        let marks = store.care_marks_during(Some(&code(A)), &[], (from, to)).await.expect("during");
        marks.into_iter().map(|m| m.id).collect::<Vec<_>>()
    };
    assert_eq!(during(date(2026, 11, 20), date(2026, 11, 30)).await, ["m1", "m2"], "ended on the first day counts");
    assert_eq!(during(date(2026, 11, 21), date(2026, 11, 30)).await, ["m2"], "ended before the period");
    assert!(during(date(2026, 10, 1), date(2026, 11, 1)).await.is_empty(), "started after the period");
    let in_gb = store.care_marks_during(None, &[grid(GB)], (date(2026, 11, 1), date(2026, 11, 30))).await;
    assert_eq!(in_gb.expect("GB").into_iter().map(|m| m.id).collect::<Vec<_>>(), ["m3"]);

    assert_eq!(store.purge_care_reasons(date(2026, 12, 19), &audit()).await.expect("purge"), 0);
    assert_eq!(store.purge_care_reasons(date(2026, 12, 20), &audit()).await.expect("purge"), 1);
    let purged = store.care_mark("m1").await.expect("read").expect("m1");
    assert_eq!(purged.sealed, None, "the reason is gone");
    assert!(store.care_mark("m3").await.expect("read").expect("m3").sealed.is_some(), "an open mark keeps its reason");
    let unknown = CareMarkRecord { id: "nope".to_owned(), ..mark };
    assert!(store.update_care_mark(&unknown, &audit()).await.is_err());
}

pub async fn register_map_places_have_a_point_their_counts_and_their_care_marks(store: &dyn Store) {
    let point = |id: &str, kind, community, g, name: &str| RegisterRecord {
        fields: r#"{"category":"住宅","lat":30.655,"lng":104.072}"#.to_owned(),
        ..record(id, kind, community, Some(g), None, name)
    };
    let b1 = point("b1", RegisterKind::Building, A, GA, "总府路 1 号");
    let b2 = record("b2", RegisterKind::Building, A, Some(GA), None, "总府路 2 号（无坐标）");
    let o1 = point("o1", RegisterKind::Organisation, A, GA, "总府路便利店");
    let f1 = point("f1", RegisterKind::Facility, B, GB, "春熙路公厕");
    let h1 = record("h1", RegisterKind::Household, A, Some(GA), Some("b1"), "1 单元 101");
    let h2 = record("h2", RegisterKind::Household, A, Some(GA), Some("b1"), "1 单元 102");
    let h3 = record("h3", RegisterKind::Household, A, Some(GA), Some("b2"), "1 单元 101");
    let people = [("r1", "h1", "张三"), ("r2", "h1", "李四"), ("r3", "h2", "王五"), ("r4", "h3", "赵六")]
        .map(|(id, h, name)| record(id, RegisterKind::Resident, A, Some(GA), Some(h), name));
    let mut all = vec![b1, b2, o1, f1, h1, h2, h3];
    all.extend(people);
    store.add_register_records(&all, &audit()).await.expect("add");

    let in_a = store.register_map_places(Some(&code(A)), &[], 100).await.expect("places");
    let got: Vec<(&str, u64, u64)> = in_a.iter().map(|p| (p.record.id.as_str(), p.households, p.residents)).collect();
    assert_eq!(got, [("b1", 2, 3), ("o1", 0, 0)], "only places with a point, by name, counted");
    assert_eq!(in_a[0].record.kind, RegisterKind::Building);
    let street = store.register_map_places(Some(&code("510104022")), &[], 100).await.expect("street");
    assert_eq!(street.len(), 3);
    let of_b = store.register_map_places(None, &[grid(GB)], 100).await.expect("grid B");
    assert_eq!(of_b.iter().map(|p| p.record.id.as_str()).collect::<Vec<_>>(), ["f1"]);
    assert_eq!(store.register_map_places(None, &[], 1).await.expect("limit").len(), 1, "at most the limit");

    let mark = |id: &str, resident: &str, ended| CareMarkRecord {
        id: id.to_owned(),
        resident_id: resident.to_owned(),
        community: code(A),
        grid: Some(grid(GA)),
        key_id: "k1".to_owned(),
        sealed: Some("c2VhbGVk".to_owned()),
        every_days: 5,
        worker_id: None,
        started_on: date(2026, 11, 2),
        last_visit_on: None,
        ended_on: ended,
        purge_on: None,
        created_by: "community".to_owned(),
        created_at: at(1),
    };
    store.add_care_mark(&mark("m1", "r1", None), &audit()).await.expect("mark");
    store.add_care_mark(&mark("m3", "r3", Some(date(2026, 11, 20))), &audit()).await.expect("ended mark");
    store.add_care_mark(&mark("m4", "r4", None), &audit()).await.expect("mark at b2");
    let at_places = store.care_marks_at_places(&["b1".to_owned(), "o1".to_owned()]).await.expect("marks at places");
    assert_eq!(
        at_places.iter().map(|(p, m)| (p.as_str(), m.id.as_str())).collect::<Vec<_>>(),
        [("b1", "m1")],
        "open marks only, of the places asked for"
    );
    assert_eq!(at_places[0].1, mark("m1", "r1", None));
    assert!(store.care_marks_at_places(&[]).await.expect("none").is_empty());
}
