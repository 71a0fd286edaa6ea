//! The authorization matrix: every role × action × (inside its scope, outside
//! it), on the backend chosen by SHANZHI_TEST_BACKEND. Reads outside a scope
//! are "not found", forbidden writes "forbidden", and nothing changes.

use jiff::civil::date;
use shanzhi_app::access::{AdminDesk, AuditDesk, AuthConfig, CheckIn, NewStaff, PatrolDesk};
use shanzhi_app::{App, AppError};
use shanzhi_domain::{DivisionCode, Role};
use shanzhi_geo::Crs;
use shanzhi_testkit::{PASSWORD, TestApp};

/// Inside: 锦江区 春熙路街道 总府路社区 (510104022006). Outside: a community of
/// 德阳市 (another city), so that even city-wide scopes have an outside.
async fn world() -> TestApp {
    TestApp::new()
        .with_grid()
        .with_departments()
        // The actors, one per role, scoped so that 总府路 is inside and 德阳 outside.
        .with_accounts(&[
            ("r_admin", Role::Admin, Some("5101")),
            ("r_supervisor", Role::Supervisor, Some("5101")),
            ("r_dispatcher", Role::Dispatcher, Some("510104022")),
            ("r_community", Role::CommunityWorker, Some("510104022006")),
            ("r_grid", Role::GridWorker, Some("510104022006001")),
            ("r_dept", Role::DeptHandler, Some("510104-chengguan")),
            ("r_resident", Role::Resident, None),
        ])
        // The people the actors look at.
        .with_accounts(&[
            ("t_in", Role::GridWorker, Some("510104022006002")),
            ("t_out", Role::GridWorker, Some("510603001001001")),
            ("d_in", Role::DeptHandler, Some("510104-chengguan")),
            ("d_out", Role::DeptHandler, Some("510603-chengguan")),
        ])
        .start()
        .await
}

/// What an attempt came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Allowed,
    NotFound,
    Forbidden,
}
use Outcome::*;

fn outcome<T>(r: Result<T, AppError>) -> Outcome {
    match r {
        Ok(_) => Allowed,
        Err(AppError::NotFound { .. }) => NotFound,
        Err(AppError::Forbidden(_)) => Forbidden,
        Err(other) => panic!("unexpected error {other:?}"),
    }
}

async fn audit_len(app: &TestApp) -> usize {
    let op = app.operator().scoped("test");
    op.desk::<AuditDesk>().expect("the operator reads the log").audit_log(0, 1000).await.expect("audit").len()
}

#[tokio::test]
async fn every_role_action_and_scope_gets_the_expected_answer() {
    let app = world().await;
    let roles = ["r_admin", "r_supervisor", "r_dispatcher", "r_community", "r_grid", "r_dept", "r_resident"];
    let d = |s: &str| DivisionCode::parse(s).expect("code");
    // (role, action) → (inside, outside). The table the product promises.
    let expect = |role: &str, action: &str| -> (Outcome, Outcome) {
        let yes = |allowed: bool, refusal: Outcome| if allowed { (Allowed, refusal) } else { (refusal, refusal) };
        match action {
            "view_people" => yes(!matches!(role, "r_grid" | "r_resident"), NotFound),
            "manage_people" | "manage_departments" => yes(role == "r_admin", Forbidden),
            "view_roster" | "view_patrols" => {
                yes(matches!(role, "r_admin" | "r_supervisor" | "r_dispatcher" | "r_community"), NotFound)
            }
            "patrol" => yes(role == "r_grid", Forbidden),
            other => panic!("{other}"),
        }
    };
    let mut failures = Vec::new();
    for role in roles {
        let who = app.actor(role).await;
        let me = app.scoped(who);
        // The person to look at: a department's member for the department role.
        let (t_in, t_out) = if role == "r_dept" { ("d_in", "d_out") } else { ("t_in", "t_out") };
        for action in ["view_people", "manage_people", "manage_departments", "view_roster", "view_patrols", "patrol"] {
            let before = audit_len(&app).await;
            let (inside, outside) = match action {
                "view_people" => (outcome(me.user(t_in).await), outcome(me.user(t_out).await)),
                "manage_people" => {
                    let add = |who: &'static str, grid: &'static str| async {
                        me.desk::<AdminDesk>()?.add_assignment(who, Role::GridWorker, Some(grid), None, None).await
                    };
                    (outcome(add(t_in, "510104022006001").await), outcome(add(t_out, "510603001001002").await))
                }
                "manage_departments" => {
                    let me = &me;
                    let create =
                        |code: String| async move { me.desk::<AdminDesk>()?.create_department(&code, "新部门").await };
                    (
                        outcome(create(format!("510104-x{}", &role[2..5])).await),
                        outcome(create(format!("510603-x{}", &role[2..5])).await),
                    )
                }
                "view_roster" => {
                    (outcome(me.roster(&d("510104022006")).await), outcome(me.roster(&d("510603001001")).await))
                }
                "view_patrols" => (
                    outcome(me.patrols(&d("510104022006"), None, None).await),
                    outcome(me.patrols(&d("510603001001"), None, None).await),
                ),
                "patrol" => {
                    let start = |grid: &'static str| async { me.desk::<PatrolDesk>()?.start_patrol(grid).await };
                    let inside = start("510104022006001").await;
                    if let Ok(p) = &inside {
                        me.desk::<PatrolDesk>().expect("desk").end_patrol(&p.id).await.expect("end");
                    }
                    (outcome(inside), outcome(start("510603001001001").await))
                }
                _ => unreachable!(),
            };
            let want = expect(role, action);
            if (inside, outside) != want {
                failures.push(format!("{role} {action}: got {:?}, want {want:?}", (inside, outside)));
            }
            let writes = usize::from(matches!(action, "manage_people" | "manage_departments") && inside == Allowed);
            if audit_len(&app).await != before + writes {
                failures.push(format!("{role} {action}: a refused action changed the audit log"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Refused patrols left nothing behind: only the grid worker's own patrol exists.
    let op = app.operator().scoped("test");
    assert!(op.patrols(&d("510603001001"), None, None).await.expect("outside").is_empty());
    let inside = op.patrols(&d("510104022006"), None, None).await.expect("inside");
    assert_eq!(inside.iter().map(|p| p.username.as_str()).collect::<Vec<_>>(), ["r_grid"]);
}

#[tokio::test]
async fn phone_numbers_are_masked_unless_the_role_needs_them_and_views_are_recorded() {
    let app = world().await;
    for (role, target, unmasked) in [
        ("r_admin", "t_in", true),
        ("r_dispatcher", "t_in", true),
        ("r_community", "t_in", true),
        ("r_supervisor", "t_in", false),
        ("r_dept", "d_in", false),
    ] {
        let view = app.scoped(app.actor(role).await).user(target).await.expect("visible");
        let phone = view.phone.expect("phone");
        assert_eq!(!view.phone_masked, unmasked, "{role}");
        assert_eq!(phone.contains("****"), !unmasked, "{role}: {phone}");
    }
    let seen = app.store().pii_accesses("t_in").await.expect("log");
    let viewers: Vec<_> = seen.iter().map(|a| a.actor.as_str()).collect();
    // Creating the account answered with the number masked: nobody saw it then.
    assert_eq!(viewers, ["r_admin", "r_dispatcher", "r_community"], "each unmasked view is recorded");
    let own = app.scoped(app.actor("t_in").await).user("t_in").await.expect("self");
    assert!(!own.phone_masked, "one's own number is not masked");
}

#[tokio::test]
async fn audit_reading_needs_a_city_wide_grant() {
    let app = world().await;
    for (role, allowed) in
        [("r_admin", true), ("r_supervisor", true), ("r_dispatcher", false), ("r_grid", false), ("r_resident", false)]
    {
        let me = app.scoped(app.actor(role).await);
        let got = async { me.desk::<AuditDesk>()?.audit_log(0, 10).await }.await;
        assert_eq!(got.is_ok(), allowed, "{role}");
        if !allowed {
            assert!(matches!(got, Err(AppError::NotFound { .. })), "{role}");
        }
    }
    let verification = shanzhi_app::access::verify_audit_chain(&app).await.expect("verify");
    assert!(verification.entries > 10 && verification.broken_at.is_none(), "{verification:?}");
}

#[tokio::test]
async fn the_roster_lists_everyone_in_a_community_and_patrols_are_kept() {
    let app = world().await;
    let roster = app
        .scoped(app.actor("r_dispatcher").await)
        .roster(&DivisionCode::parse("510104022006").expect("c"))
        .await
        .expect("roster");
    let names: Vec<_> = roster.iter().map(|r| r.username.as_str()).collect();
    assert_eq!(
        names,
        ["r_community", "r_grid", "t_in"],
        "community and grid workers of 总府路; not the town's dispatcher"
    );

    let grid_worker = app.scoped(app.actor("r_grid").await);
    let grid_worker = grid_worker.desk::<PatrolDesk>().expect("a grid worker patrols");
    let patrol = grid_worker.start_patrol("510104022006001").await.expect("start");
    assert!(matches!(
        grid_worker.start_patrol("510104022006001").await,
        Err(AppError::Invalid { code: "patrol_open", .. })
    ));
    let point = CheckIn {
        lng: 104.072,
        lat: 30.652,
        crs: Crs::Wgs84,
        households_visited: 4,
        note: Some("检查消防通道".into()),
    };
    let after = grid_worker.check_in(&patrol.id, point.clone()).await.expect("check in");
    assert_eq!(after.points[0].grid.as_ref().map(|g| g.as_str()), Some("510104022006001"), "located on the grid");
    grid_worker.end_patrol(&patrol.id).await.expect("end");
    assert!(grid_worker.check_in(&patrol.id, point).await.is_err(), "no check-ins after the end");
    let community = app.scoped(app.actor("r_community").await);
    let coverage = community
        .patrol_coverage(&DivisionCode::parse("510104022006").expect("c"), None, None)
        .await
        .expect("coverage");
    let counts: Vec<_> = coverage.iter().map(|r| (r.grid.as_str(), r.patrols)).collect();
    assert_eq!(counts, [("510104022006001", 1), ("510104022006002", 0)]);
    assert_eq!(community.patrol(&patrol.id).await.expect("visible").households_visited, 4);
    let outsider = app.scoped(app.actor("t_out").await);
    assert!(matches!(outsider.patrol(&patrol.id).await, Err(AppError::NotFound { .. })));
}

#[tokio::test]
async fn sign_in_is_throttled_sessions_revoke_and_secrets_stay_secret() {
    let app = world().await;
    for _ in 0..4 {
        assert!(matches!(
            app.login("r_grid", "wrong-Password-1", &shanzhi_app::access::Client::default()).await,
            Err(AppError::Unauthorized(_))
        ));
    }
    assert!(
        matches!(
            app.login("r_grid", "wrong-Password-1", &shanzhi_app::access::Client::default()).await,
            Err(AppError::TooManyAttempts { .. })
        ),
        "the fifth locks"
    );
    assert!(
        matches!(
            app.login("r_grid", PASSWORD, &shanzhi_app::access::Client::default()).await,
            Err(AppError::TooManyAttempts { .. })
        ),
        "even the right password waits out the lock"
    );
    assert!(matches!(
        app.login("nobody", PASSWORD, &shanzhi_app::access::Client::default()).await,
        Err(AppError::Unauthorized(_))
    ));
    assert!(matches!(
        app.login("r_admin", "", &shanzhi_app::access::Client::default()).await,
        Err(AppError::Unauthorized(_))
    ));

    let session = app.login("r_admin", PASSWORD, &shanzhi_app::access::Client::default()).await.expect("sign in");
    let who = app.authenticate(&session.token).await.expect("valid");
    app.logout(&who).await.expect("sign out");
    assert!(
        matches!(app.authenticate(&session.token).await, Err(AppError::Unauthorized(_))),
        "a revoked session is dead"
    );
    assert!(app.authenticate("szs_forged").await.is_err() && app.authenticate("whatever").await.is_err());

    let token = app.operator().create_api_token("r_dispatcher", "hotline bridge").await.expect("token");
    assert!(token.token.starts_with("szt_"));
    assert_eq!(app.authenticate(&token.token).await.expect("token works").name(), "r_dispatcher");
    // Only hashes are kept: neither the token nor a password is in the store's audit log.
    let op = app.operator().scoped("test");
    let log = op.desk::<AuditDesk>().expect("desk").audit_log(0, 1000).await.expect("log");
    let all = format!("{log:?}");
    assert!(!all.contains(&token.token) && !all.contains(PASSWORD) && !all.contains(&session.token));
}

#[tokio::test]
async fn bad_input_gets_clear_errors() {
    let app = world().await;
    let admin = app.scoped(app.actor("r_admin").await);
    let admin = admin.desk::<AdminDesk>().expect("an administrator");
    let base = || NewStaff {
        username: "new_person".to_owned(),
        display_name: "新同志".to_owned(),
        phone: None,
        password: Some("Another-Pass-2026".to_owned()),
        role: Role::GridWorker,
        scope: Some("510104022006001".to_owned()),
        from: None,
        to: None,
    };
    fn code<T>(r: Result<T, AppError>) -> Option<&'static str> {
        r.err().map(|e| e.code())
    }
    let refused: [(NewStaff, &str); 6] = [
        (NewStaff { scope: Some("510104022006099".into()), ..base() }, "unknown_scope"),
        (NewStaff { scope: Some("510104022".into()), ..base() }, "scope_does_not_fit_role"),
        (NewStaff { scope: Some("5101x".into()), ..base() }, "invalid_scope"),
        (NewStaff { password: Some("short".into()), ..base() }, "weak_password"),
        (NewStaff { phone: Some("12345".into()), ..base() }, "invalid_phone"),
        (NewStaff { username: "r_admin".into(), ..base() }, "username_taken"),
    ];
    for (staff, expected) in refused {
        assert_eq!(code(admin.create_user(staff).await), Some(expected));
    }
    assert!("captain".parse::<Role>().is_err(), "unknown role");
    admin.create_user(base()).await.expect("a good one");
    let clash = admin
        .add_assignment("new_person", Role::GridWorker, Some("510104022006001"), Some(date(2026, 1, 1)), None)
        .await;
    assert_eq!(code(clash), Some("overlapping_terms"));
    let later = admin
        .add_assignment("new_person", Role::GridWorker, Some("510104022006002"), Some(date(2026, 1, 1)), None)
        .await;
    assert!(later.is_ok(), "another grid is fine");
}

#[tokio::test]
async fn an_admin_cannot_end_their_own_assignment() {
    let app = world().await;
    let admin = app.scoped(app.actor("r_admin").await);
    let admin = admin.desk::<AdminDesk>().expect("an administrator");
    let own = admin.user("r_admin").await.expect("self").assignments[0].id.clone();
    let before = audit_len(&app).await;
    assert!(matches!(admin.end_assignment("r_admin", &own, None).await, Err(AppError::Forbidden(_))));
    assert_eq!(audit_len(&app).await, before, "nothing changed");
    assert!(!app.actor("r_admin").await.grants().is_empty(), "still an admin");
    let other = admin.user("t_in").await.expect("someone else").assignments[0].id.clone();
    assert!(admin.end_assignment("t_in", &other, None).await.is_ok(), "others' assignments can end");
}

/// Hardening finding 5: every sign-in attempt, unknown names included, runs an
/// argon2 check (19 MiB each); 150 at once doubled the server's memory. They
/// now run in a bounded pool, and beyond its queue the answer is "busy".
#[tokio::test]
async fn finding_05_password_checks_run_in_a_bounded_pool() {
    let auth = AuthConfig { hash_concurrency: 1, hash_queue: 2, ..AuthConfig::default() };
    let app = TestApp::new().with_auth(auth).start().await;
    let attempts = (0..30).map(|i| {
        let app: &App = &app;
        async move {
            let client = shanzhi_app::access::Client { ip: Some(std::net::IpAddr::from([192, 0, 2, i as u8])) };
            app.login(&format!("nobody{i}"), "Wrong-Password-1", &client).await
        }
    });
    let answers = futures_util::future::join_all(attempts).await;
    let busy = answers
        .iter()
        .filter(|a| matches!(a, Err(AppError::Busy { retry_after_secs }) if *retry_after_secs > 0))
        .count();
    let refused = answers.iter().filter(|a| matches!(a, Err(AppError::Unauthorized(_)))).count();
    assert!(busy >= 1, "beyond the queue, attempts are turned away: {answers:?}");
    assert_eq!(busy + refused, 30, "{answers:?}");
}
