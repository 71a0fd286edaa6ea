use jiff::civil::date;
use shanzhi_domain::{DepartmentCode, DivisionCode, GridCode, Phone, Role, Scope, Term, Username};

use shanzhi_domain::Micros;

use super::with_divisions;
use crate::{
    AUDIT_GENESIS, ApiTokenRecord, AssignmentRecord, AuditEntry, DepartmentRecord, NewUser, PatrolPoint, PatrolQuery,
    PatrolRecord, PiiAccess, SessionRecord, Store, ThrottleCount, TrackPoint, UserKind, audit_hash,
};

fn audit(action: &str, entity: &str) -> AuditEntry {
    AuditEntry::new("tester", action, entity).after(format!("{{\"entity\":\"{entity}\"}}"))
}

fn user(id: &str, name: &str) -> NewUser {
    NewUser {
        id: id.to_owned(),
        username: Username::parse(name).expect("username"),
        display_name: format!("{name} 同志"),
        kind: UserKind::Staff,
        phone: Some(Phone::parse("13812345678").expect("phone")),
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned()),
        created_at: Micros::new(1_700_000_000_000_000),
    }
}

fn assignment(
    id: &str,
    user: &str,
    role: Role,
    scope: Option<Scope>,
    from: (i16, i8),
    to: Option<(i16, i8)>,
) -> AssignmentRecord {
    AssignmentRecord {
        id: id.to_owned(),
        user_id: user.to_owned(),
        role,
        scope,
        term: Term { from: date(from.0, from.1, 1), to: to.map(|t| date(t.0, t.1, 1)) },
    }
}

/// Many users read together, across the look-ups' chunks of a thousand:
/// exactly those that exist, each once, an unknown one left out.
pub async fn users_are_read_many_at_once(store: &dyn Store) {
    const MANY: usize = 1_003;
    for i in 0..MANY {
        let u = user(&format!("u{i}"), &format!("worker{i}"));
        store.create_user(&u, &audit("user.create", "user:many")).await.expect("create");
    }
    let mut ids: Vec<String> = (0..MANY).rev().map(|i| format!("u{i}")).collect();
    ids.push("nobody".to_owned());
    let mut got: Vec<(String, String)> =
        store.users_by_ids(&ids).await.expect("by ids").into_iter().map(|u| (u.id, u.display_name)).collect();
    got.sort();
    let mut want: Vec<(String, String)> = (0..MANY).map(|i| (format!("u{i}"), format!("worker{i} 同志"))).collect();
    want.sort();
    assert_eq!(got, want);

    let names: Vec<Username> =
        ["worker5", "worker1002", "stranger"].iter().map(|n| Username::parse(n).expect("name")).collect();
    let mut got: Vec<String> =
        store.users_by_names(&names).await.expect("by names").into_iter().map(|u| u.id).collect();
    got.sort();
    assert_eq!(got, ["u1002", "u5"]);
    assert!(store.users_by_ids(&[]).await.expect("none").is_empty());
    assert!(store.users_by_names(&[]).await.expect("none").is_empty());
}

pub async fn people_and_assignments_round_trip(store: &dyn Store) {
    with_divisions(store).await;
    store.create_user(&user("u1", "zhangsan"), &audit("user.create", "user:zhangsan")).await.expect("create");
    let got = store.user_by_name(&Username::parse("zhangsan").expect("name")).await.expect("read").expect("found");
    assert_eq!((got.id.as_str(), got.display_name.as_str(), got.kind), ("u1", "zhangsan 同志", UserKind::Staff));
    assert_eq!(got.phone.as_ref().map(Phone::reveal), Some("13812345678"));
    assert_eq!(store.user_by_id("u1").await.expect("by id"), Some(got));
    let before = store.audit_log(0, 100).await.expect("audit").len();
    assert!(store.create_user(&user("u2", "zhangsan"), &audit("user.create", "user:dup")).await.is_err(), "unique");
    assert_eq!(store.audit_log(0, 100).await.expect("audit").len(), before, "a refused write records nothing");

    let dept = DepartmentCode::parse("510104-chengguan").expect("dept");
    store
        .create_department(
            &DepartmentRecord { code: dept.clone(), name: "锦江区城管局".to_owned() },
            &audit("department.create", "x"),
        )
        .await
        .expect("department");
    let division_scope = |s: &str| Some(Scope::Division(DivisionCode::parse(s).expect("code")));
    let grid_scope = Some(Scope::Grid(GridCode::parse("510104022006001").expect("grid")));
    for a in [
        assignment("a1", "u1", Role::Dispatcher, division_scope("510104022"), (2025, 1), None),
        assignment("a2", "u1", Role::GridWorker, grid_scope, (2025, 1), Some((2025, 6))),
        assignment("a3", "u1", Role::DeptHandler, Some(Scope::Department(dept.clone())), (2025, 1), None),
        assignment("a4", "u1", Role::Supervisor, division_scope("510105"), (2025, 1), None),
    ] {
        store.add_assignment(&a, &audit("assignment.add", &a.id)).await.expect("assignment");
    }
    let mine = store.assignments_of("u1").await.expect("mine");
    assert_eq!(mine.len(), 4);
    assert_eq!(mine.iter().find(|a| a.id == "a3").and_then(|a| a.scope.clone()), Some(Scope::Department(dept.clone())));

    let town = DivisionCode::parse("510104022").expect("code");
    let in_town = |day| store.assignments_within(&town, day);
    let ids = |v: Vec<AssignmentRecord>| v.into_iter().map(|a| a.id).collect::<Vec<_>>();
    let mut early = ids(in_town(date(2025, 3, 1)).await.expect("roster"));
    early.sort();
    assert_eq!(early, ["a1", "a2"], "the town's dispatcher and its grid worker; not the district department");
    assert_eq!(ids(in_town(date(2025, 7, 1)).await.expect("roster")), ["a1"], "the grid term ended");
    let mut district =
        ids(store.assignments_within(&DivisionCode::parse("510104").expect("c"), date(2025, 3, 1)).await.expect("r"));
    district.sort();
    assert_eq!(district, ["a1", "a2", "a3"]);

    store.end_assignment("a1", date(2025, 8, 1), &audit("assignment.end", "a1")).await.expect("end");
    assert!(ids(in_town(date(2025, 8, 1)).await.expect("roster")).is_empty());
    let departments = store.departments_within(&DivisionCode::parse("5101").expect("c")).await.expect("departments");
    assert_eq!(departments.len(), 1);
    assert_eq!(store.department(&dept).await.expect("read").map(|d| d.name), Some("锦江区城管局".to_owned()));
}

pub async fn sessions_tokens_and_login_failures(store: &dyn Store) {
    with_divisions(store).await;
    store.create_user(&user("u1", "lisi"), &audit("user.create", "user:lisi")).await.expect("create");
    let name = Username::parse("lisi").expect("name");
    let c = store.credentials(&name).await.expect("creds").expect("found");
    assert_eq!((c.user_id.as_str(), c.disabled), ("u1", false));
    store.set_disabled("u1", Some(Micros::new(7)), &audit("user.disable", "user:lisi")).await.expect("disable");
    assert!(store.credentials(&name).await.expect("creds").expect("found").disabled);
    assert!(store.user_by_id("u1").await.expect("read").expect("found").disabled);
    store.set_disabled("u1", None, &audit("user.enable", "user:lisi")).await.expect("enable");
    assert!(!store.credentials(&name).await.expect("creds").expect("found").disabled);
    assert!(store.credentials(&Username::parse("nobody").expect("n")).await.expect("read").is_none());

    // Throttles: counted in a window, reset when it has passed, never below 0.
    let hit =
        |delta, now: i64| store.throttle_add("login:1.2.3.4:lisi", delta, Micros::new(now), Micros::new(now - 100));
    assert_eq!(hit(1, 1_000).await.expect("hit"), ThrottleCount { hits: 1, window_start: Micros::new(1_000) });
    assert_eq!(hit(1, 1_050).await.expect("hit"), ThrottleCount { hits: 2, window_start: Micros::new(1_000) });
    assert_eq!(hit(-5, 1_060).await.expect("give back").hits, 0);
    assert_eq!(hit(1, 1_070).await.expect("hit").hits, 1);
    assert_eq!(hit(1, 1_200).await.expect("new window"), ThrottleCount { hits: 1, window_start: Micros::new(1_200) });
    store.throttle_clear("login:1.2.3.4:lisi").await.expect("clear");
    assert_eq!(hit(1, 1_210).await.expect("hit"), ThrottleCount { hits: 1, window_start: Micros::new(1_210) });

    let session = SessionRecord {
        token_hash: "h1".to_owned(),
        user_id: "u1".to_owned(),
        csrf_token: "c1".to_owned(),
        created_at: Micros::new(10),
        expires_at: Micros::new(20),
        revoked_at: None,
    };
    store.create_session(&session).await.expect("session");
    assert_eq!(store.session("h1").await.expect("read"), Some(session.clone()));
    store.revoke_session("h1", Micros::new(15)).await.expect("revoke");
    assert_eq!(store.session("h1").await.expect("read").and_then(|s| s.revoked_at), Some(Micros::new(15)));
    store.revoke_session("h1", Micros::new(99)).await.expect("again");
    assert_eq!(
        store.session("h1").await.expect("read").and_then(|s| s.revoked_at),
        Some(Micros::new(15)),
        "the first revocation stands"
    );

    let token = ApiTokenRecord {
        token_hash: "t1".to_owned(),
        id: "tok1".to_owned(),
        user_id: "u1".to_owned(),
        name: "cli".to_owned(),
        created_at: Micros::new(5),
        revoked_at: None,
    };
    store.create_api_token(&token).await.expect("token");
    assert_eq!(store.api_token("t1").await.expect("read"), Some(token.clone()));
    store.revoke_api_token("t1", Micros::new(6)).await.expect("revoke");
    assert_eq!(store.api_token("t1").await.expect("read").and_then(|t| t.revoked_at), Some(Micros::new(6)));
    assert!(store.api_token("nope").await.expect("read").is_none());
    let second =
        ApiTokenRecord { token_hash: "t2".to_owned(), id: "tok2".to_owned(), created_at: Micros::new(8), ..token };
    store.create_api_token(&second).await.expect("token");
    let listed = store.api_tokens_of("u1").await.expect("list");
    assert_eq!(
        listed.iter().map(|t| (t.id.as_str(), t.revoked_at)).collect::<Vec<_>>(),
        [("tok1", Some(Micros::new(6))), ("tok2", None)]
    );
    assert!(!store.revoke_api_token_by_id("someone-else", "tok2", Micros::new(9)).await.expect("revoke"), "not theirs");
    assert!(store.revoke_api_token_by_id("u1", "tok2", Micros::new(9)).await.expect("revoke"));
    assert!(!store.revoke_api_token_by_id("u1", "tok2", Micros::new(10)).await.expect("revoke"), "once");
    assert_eq!(store.api_token("t2").await.expect("read").and_then(|t| t.revoked_at), Some(Micros::new(9)));

    // Sign out everywhere, keeping one session if asked.
    for h in ["s1", "s2", "s3"] {
        let s = SessionRecord { token_hash: h.to_owned(), ..session.clone() };
        store.create_session(&s).await.expect("session");
    }
    assert_eq!(store.revoke_sessions_of("u1", Some("s3"), Micros::new(30)).await.expect("revoke"), 2);
    assert!(store.session("s3").await.expect("read").is_some_and(|s| s.revoked_at.is_none()));
    assert_eq!(store.revoke_sessions_of("u1", None, Micros::new(31)).await.expect("revoke"), 1);
    assert_eq!(store.session("s1").await.expect("read").and_then(|s| s.revoked_at), Some(Micros::new(30)));
}

/// Parallel hits on one throttle each see a different count: none can slip
/// past a limit by reading a count that the others have not raised yet.
pub async fn throttle_hits_are_atomic(store: &dyn Store) {
    let hits: Vec<_> =
        (0..40).map(|_| store.throttle_add("login-ip:9.9.9.9", 1, Micros::new(5_000), Micros::ZERO)).collect();
    let mut counts: Vec<i64> =
        futures_util::future::join_all(hits).await.into_iter().map(|c| c.expect("hit").hits).collect();
    counts.sort_unstable();
    assert_eq!(counts, (1..=40).collect::<Vec<_>>());
}

/// A patrol's GPS track: appended in order, a batch all or none, bounded,
/// only while the patrol is open.
pub async fn patrol_tracks_are_appended_whole_and_bounded(store: &dyn Store) {
    with_divisions(store).await;
    store.create_user(&user("u1", "wangwu"), &audit("user.create", "user:wangwu")).await.expect("create");
    let patrol = PatrolRecord {
        id: "t1".to_owned(),
        user_id: "u1".to_owned(),
        grid: GridCode::parse("510104022006001").expect("grid"),
        started_at: Micros::new(1_000),
        ended_at: None,
        points: Vec::new(),
    };
    store.start_patrol(&patrol).await.expect("start");
    let at = |i: i64| TrackPoint { at: Micros::new(1_000 + i * 30_000_000), lng: 104.07 + i as f64 * 1e-4, lat: 30.65 };
    let first: Vec<TrackPoint> = (0..3).map(at).collect();
    assert_eq!(store.add_patrol_track("t1", &first, 5).await.expect("first batch"), 3);
    let too_many: Vec<TrackPoint> = (3..6).map(at).collect();
    assert!(store.add_patrol_track("t1", &too_many, 5).await.is_err(), "6 points pass the bound of 5");
    assert_eq!(store.patrol_track("t1").await.expect("track"), first, "a refused batch adds nothing");
    assert_eq!(store.add_patrol_track("t1", &too_many[..2], 5).await.expect("up to the bound"), 5);
    let track = store.patrol_track("t1").await.expect("track");
    assert_eq!(track, (0..5).map(at).collect::<Vec<_>>(), "in the order sent");
    assert!(store.add_patrol_track("t9", &first, 5).await.is_err(), "unknown patrol");
    store.end_patrol("t1", Micros::new(9_000_000_000)).await.expect("end");
    assert!(store.add_patrol_track("t1", &[], 5).await.is_err(), "no track after the end");
    assert!(store.patrol_track("t9").await.expect("none").is_empty());
}

pub async fn patrols_keep_their_check_ins(store: &dyn Store) {
    with_divisions(store).await;
    store.create_user(&user("u1", "wangwu"), &audit("user.create", "user:wangwu")).await.expect("create");
    let grid = GridCode::parse("510104022006001").expect("grid");
    let patrol = PatrolRecord {
        id: "p1".to_owned(),
        user_id: "u1".to_owned(),
        grid: grid.clone(),
        started_at: Micros::new(1_000),
        ended_at: None,
        points: Vec::new(),
    };
    store.start_patrol(&patrol).await.expect("start");
    let point = |at: i64, households| PatrolPoint {
        seq: 0,
        at: Micros::new(at),
        lng: 104.0712,
        lat: 30.6523,
        grid: Some(grid.clone()),
        households_visited: households,
        note: Some("楼道畅通".to_owned()),
    };
    assert_eq!(store.add_patrol_point("p1", &point(1_100, 3)).await.expect("point"), 1);
    assert_eq!(store.add_patrol_point("p1", &point(1_200, 2)).await.expect("point"), 2);
    store.end_patrol("p1", Micros::new(2_000)).await.expect("end");
    assert!(store.add_patrol_point("p1", &point(2_100, 1)).await.is_err(), "no check-ins after the end");
    assert!(store.end_patrol("p1", Micros::new(3_000)).await.is_err(), "ends once");
    assert!(store.add_patrol_point("p9", &point(2_100, 1)).await.is_err(), "unknown patrol");
    let got = store.patrol("p1").await.expect("read").expect("found");
    assert_eq!(got.ended_at, Some(Micros::new(2_000)));
    assert_eq!(got.points.iter().map(|p| (p.seq, p.households_visited)).collect::<Vec<_>>(), [(1, 3), (2, 2)]);
    assert_eq!(got.points[0].note.as_deref(), Some("楼道畅通"));

    let q = |within: &str, from, to| PatrolQuery {
        within: Some(DivisionCode::parse(within).expect("code")),
        grids: Vec::new(),
        user_id: None,
        from,
        to,
    };
    assert_eq!(store.patrols(&q("510104022", None, None)).await.expect("q").len(), 1);
    assert_eq!(store.patrols(&q("510105", None, None)).await.expect("q").len(), 0);
    assert_eq!(
        store.patrols(&q("5101", Some(Micros::new(1_500)), Some(Micros::new(1_600)))).await.expect("q").len(),
        1,
        "overlaps"
    );
    assert_eq!(store.patrols(&q("5101", Some(Micros::new(2_001)), None)).await.expect("q").len(), 0, "ended before");
    assert_eq!(
        store.patrols(&q("5101", None, Some(Micros::new(1_000)))).await.expect("q").len(),
        0,
        "starts at the end"
    );
}

pub async fn the_audit_log_is_a_hash_chain(store: &dyn Store) {
    with_divisions(store).await;
    store.create_user(&user("u1", "zhaoliu"), &audit("user.create", "user:zhaoliu")).await.expect("create");
    store.append_audit(&AuditEntry::new("tester", "note", "x").before("{\"a\":1}")).await.expect("append");
    store.put_setting("k", "v", &audit("setting.put", "k")).await.expect("setting");
    let log = store.audit_log(0, 100).await.expect("log");
    let actions: Vec<_> = log.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["user.create", "note", "setting.put"]);
    let mut prev = AUDIT_GENESIS.to_owned();
    for (i, r) in log.iter().enumerate() {
        assert_eq!(r.seq, i as i64 + 1);
        assert_eq!(r.prev_hash, prev);
        let entry = AuditEntry {
            actor: r.actor.clone(),
            action: r.action.clone(),
            entity: r.entity.clone(),
            before: r.before.clone(),
            after: r.after.clone(),
        };
        assert_eq!(r.hash, audit_hash(&prev, r.seq, r.at, &entry));
        prev = r.hash.clone();
    }
    assert_eq!(store.audit_log(2, 100).await.expect("tail").len(), 1);

    let access = PiiAccess {
        at: Micros::new(7),
        actor: "tester".into(),
        subject: "u1".into(),
        field: "phone".into(),
        purpose: "call".into(),
    };
    store.record_pii_access(&access).await.expect("pii");
    assert_eq!(store.pii_accesses("u1").await.expect("read"), vec![access]);
}

pub async fn a_profile_change_is_written_with_its_audit_entry(store: &dyn Store) {
    with_divisions(store).await;
    store.create_user(&user("u1", "lisi"), &audit("user.create", "user:lisi")).await.expect("create");
    let before = store.audit_log(0, 100).await.expect("audit").len();
    let phone = Phone::parse("13900001111").expect("phone");
    store.set_profile("u1", "李四", Some(&phone), &audit("user.edit", "user:lisi")).await.expect("edit");
    let got = store.user_by_id("u1").await.expect("read").expect("found");
    assert_eq!((got.display_name.as_str(), got.phone.as_ref().map(Phone::reveal)), ("李四", Some("13900001111")));
    store.set_profile("u1", "李四", None, &audit("user.edit", "user:lisi")).await.expect("no phone");
    assert_eq!(store.user_by_id("u1").await.expect("read").expect("found").phone, None);
    let work = shanzhi_domain::WorkPhone::parse("028-86612345").expect("work phone");
    store.set_work_phone("u1", Some(&work), &audit("user.work_phone", "user:lisi")).await.expect("work phone");
    let got = store.user_by_id("u1").await.expect("read").expect("found");
    assert_eq!((got.work_phone.as_ref(), got.phone.as_ref()), (Some(&work), None), "apart from the private phone");
    store.set_work_phone("u1", None, &audit("user.work_phone", "user:lisi")).await.expect("cleared");
    assert_eq!(store.user_by_id("u1").await.expect("read").expect("found").work_phone, None);
    let log = store.audit_log(0, 100).await.expect("audit");
    assert_eq!(log.len(), before + 4, "each change is audited");
    assert_eq!(log.last().map(|r| r.action.as_str()), Some("user.work_phone"));
}
