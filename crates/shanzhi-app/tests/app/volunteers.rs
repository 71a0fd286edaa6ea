//! Volunteers and 公益积分 end to end: a community worker publishes, residents
//! sign up and wait, a cancellation promotes, the rotating code checks in
//! and out (an expired code or another activity's is refused), points are
//! earned, redeemed against stock and confirmed once by the shop; the
//! leaderboard leaves out who opted out, and the ledgers verify. A refused
//! request changes nothing.

use std::sync::Arc;

use shanzhi_app::AppError;
use shanzhi_app::access::Actor;
use shanzhi_app::timing::ManualClock;
use shanzhi_app::volunteers::{
    CheckInForm, RewardItemForm, VolunteerActivityForm, VolunteerOrgForm, VolunteerProfileForm, verify_points,
};
use shanzhi_domain::Role;
use shanzhi_domain::volunteer::{OrgKind, SignupState, Skill};
use shanzhi_testkit::{INSIDE, OUTSIDE, TestApp};

use crate::at;

fn activity(title: &str, capacity: i64) -> VolunteerActivityForm {
    VolunteerActivityForm {
        title: title.to_owned(),
        description: "沿府河步道捡拾垃圾".to_owned(),
        place: "党群服务中心门口".to_owned(),
        lng: Some(104.08),
        lat: Some(30.66),
        starts_at: "2026-11-03T09:00".to_owned(),
        ends_at: "2026-11-03T11:00:00+08:00".to_owned(),
        capacity,
        points: 20,
        org_id: None,
    }
}

fn code(code: &str) -> CheckInForm {
    CheckInForm { code: code.to_owned(), lng: Some(104.0801), lat: Some(30.6601) }
}

#[tokio::test]
async fn a_resident_signs_up_checks_in_earns_and_redeems_under_the_rules() {
    let clock = Arc::new(ManualClock::new(at(11, 2, 10, 0)));
    let t = TestApp::new().with_clock(clock.clone()).with_divisions().with_staff(Role::CommunityWorker).start().await;
    for (name, role, scope) in [
        ("res1", Role::Resident, None),
        ("res2", Role::Resident, None),
        ("shopkeeper", Role::Resident, None),
        ("other_worker", Role::CommunityWorker, Some(OUTSIDE)),
    ] {
        t.add_account(name, role, scope).await;
    }
    let app = t.app();
    let worker = app.scoped(t.actor_for(Role::CommunityWorker).await);
    let (r1, r2) = (app.scoped(t.actor("res1").await), app.scoped(t.actor("res2").await));
    let shopkeeper = app.scoped(t.actor("shopkeeper").await);
    let other = app.scoped(t.actor("other_worker").await);
    let public = app.scoped(Actor::anonymous());

    // Only the community's workers publish; a refusal leaves nothing.
    let e = other.publish_activity(INSIDE, &activity("清洁", 1)).await.expect_err("not theirs");
    assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
    let e = r1.publish_activity(INSIDE, &activity("清洁", 1)).await.expect_err("a resident");
    assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
    let mut bad = activity("清洁", 0);
    bad.ends_at = "2026-11-03T08:00".to_owned();
    let e = worker.publish_activity(INSIDE, &bad).await.expect_err("no places");
    assert!(matches!(e, AppError::BadRequest { .. }), "{e:?}");
    assert!(public.community_activities(INSIDE, 10).await.expect("list").is_empty(), "nothing changed");
    let act = worker.publish_activity(INSIDE, &activity("府河清洁", 1)).await.expect("publish");
    let other_act = worker.publish_activity(INSIDE, &activity("敬老院探访", 5)).await.expect("publish");
    assert!(act.may_organise && !public.activity(&act.id).await.expect("public").may_organise);
    assert_eq!(public.community_activities(INSIDE, 10).await.expect("list").len(), 2);

    // Sign-up, waiting list, promotion on cancel.
    let e = public.sign_up_for_activity(&act.id).await.expect_err("anonymous");
    assert!(matches!(e, AppError::Unauthorized(_)), "{e:?}");
    r1.set_volunteer_profile(&VolunteerProfileForm {
        skills: vec![Skill::Elderly, Skill::Elderly, Skill::Tech],
        skill_note: "会修手机".to_owned(),
        availability: "周末上午".to_owned(),
        on_board: true,
    })
    .await
    .expect("opt in");
    assert_eq!(r1.volunteer_profile().await.expect("profile").expect("there").skills, [Skill::Elderly, Skill::Tech]);
    assert_eq!(r1.sign_up_for_activity(&act.id).await.expect("r1").my_state, Some(SignupState::Confirmed));
    assert_eq!(r2.sign_up_for_activity(&act.id).await.expect("r2").my_state, Some(SignupState::Waiting));
    assert_eq!(r1.sign_up_for_activity(&act.id).await.expect_err("twice").code(), "already_signed_up");
    r1.cancel_activity_signup(&act.id).await.expect("cancel");
    assert_eq!(r2.activity(&act.id).await.expect("r2").my_state, Some(SignupState::Confirmed), "promoted");
    assert_eq!(r1.sign_up_for_activity(&act.id).await.expect("again").my_state, Some(SignupState::Waiting));

    // On site: the rotating code; an expired one or another activity's is refused.
    clock.set(at(11, 3, 9, 5));
    let shown = worker.activity_code(&act.id).await.expect("code").code;
    assert!(r2.activity_code(&act.id).await.is_err(), "the code is the organiser's");
    let theirs = worker.activity_code(&other_act.id).await.expect("code").code;
    if theirs != shown {
        let e = r2.check_in_activity(&act.id, &code(&theirs)).await.expect_err("another activity's code");
        assert_eq!(e.code(), "invalid_checkin_code");
    }
    clock.set(at(11, 3, 9, 11));
    let fresh = worker.activity_code(&act.id).await.expect("code").code;
    if fresh != shown {
        let e = r2.check_in_activity(&act.id, &code(&shown)).await.expect_err("expired");
        assert_eq!(e.code(), "invalid_checkin_code");
    }
    assert!(!r2.activity(&act.id).await.expect("r2").checked_in, "nothing changed");
    let e = r1.check_in_activity(&act.id, &code(&fresh)).await.expect_err("r1 waits");
    assert_eq!(e.code(), "attendance");
    let e = r2.check_out_activity(&act.id, &code(&fresh)).await.expect_err("not yet in");
    assert_eq!(e.code(), "attendance");
    assert!(r2.check_in_activity(&act.id, &code(&fresh)).await.expect("check in").checked_in);
    assert_eq!(r2.check_in_activity(&act.id, &code(&fresh)).await.expect_err("twice").code(), "attendance");
    let e = r1.cancel_activity_signup(&act.id).await;
    assert!(e.is_ok(), "one who waits may still cancel: {e:?}");

    clock.set(at(11, 3, 10, 41));
    let now = worker.activity_code(&act.id).await.expect("code").code;
    assert!(r2.check_out_activity(&act.id, &code(&now)).await.expect("out").checked_out);
    let roster = worker.activity_roster(&act.id).await.expect("roster");
    let mine = roster.iter().find(|s| s.checked_in_at.is_some()).expect("r2 on the roster");
    assert_eq!((mine.minutes, mine.located), (Some(90), true));
    let account = r2.my_points().await.expect("points");
    assert_eq!((account.balance, account.earned_this_year), (20, 20));
    assert_eq!(r2.check_out_activity(&act.id, &code(&now)).await.expect_err("once").code(), "attendance");
    assert_eq!(r2.my_points().await.expect("points").balance, 20, "earned once");

    // The leaderboard, and opting out of it.
    let board = public.leaderboard(INSIDE).await.expect("board");
    assert_eq!(board.iter().map(|b| b.points).collect::<Vec<_>>(), [20]);
    let optout = VolunteerProfileForm {
        skills: vec![],
        skill_note: String::new(),
        availability: String::new(),
        on_board: false,
    };
    r2.set_volunteer_profile(&optout).await.expect("opt out");
    assert!(public.leaderboard(INSIDE).await.expect("board").is_empty());

    // Rewards: stock and points together; the shop confirms a code once.
    let org = |name: &str| VolunteerOrgForm {
        name: name.to_owned(),
        kind: OrgKind::Shop,
        members: vec!["shopkeeper".to_owned()],
    };
    assert!(matches!(r1.create_volunteer_org(INSIDE, &org("超市")).await, Err(AppError::Forbidden(_))));
    let shop = worker.create_volunteer_org(INSIDE, &org("便民超市")).await.expect("shop");
    assert_eq!(worker.create_volunteer_org(INSIDE, &org("便民超市")).await.expect_err("twice").code(), "org_exists");
    let item = RewardItemForm {
        name: "大米".to_owned(),
        description: String::new(),
        price: 15,
        stock: 1,
        org_id: Some(shop.id.clone()),
    };
    let item = shopkeeper.offer_reward(INSIDE, &item).await.expect("a shop offers");
    assert_eq!(r1.redeem_reward(&item.id).await.expect_err("no points").code(), "not_enough_points");
    assert_eq!(public.rewards(Some(INSIDE)).await.expect("catalogue")[0].stock, 1, "nothing taken");
    let got = r2.redeem_reward(&item.id).await.expect("redeem");
    let code_text = got.code.clone().expect("the code, once");
    assert_eq!(r2.my_points().await.expect("points").balance, 5);
    assert_eq!(r2.redeem_reward(&item.id).await.expect_err("sold out").code(), "out_of_stock");
    assert!(r2.my_redemptions().await.expect("mine")[0].code.is_none(), "not shown again");
    assert_eq!(other.confirm_redemption(&code_text).await.expect_err("not theirs").code(), "invalid_redemption_code");
    assert_eq!(
        shopkeeper.confirm_redemption("AAAAAAAAAA").await.expect_err("unknown").code(),
        "invalid_redemption_code"
    );
    let done = shopkeeper.confirm_redemption(&code_text.to_lowercase()).await.expect("confirm");
    assert_eq!((done.item_name.as_str(), done.price), ("大米", 15));
    assert_eq!(shopkeeper.confirm_redemption(&code_text).await.expect_err("once").code(), "already_confirmed");
    assert!(r2.my_redemptions().await.expect("mine")[0].confirmed);

    let check = verify_points(app).await.expect("verify");
    assert_eq!((check.ledgers, check.entries, check.problems.len()), (1, 2, 0));

    // Points added in the database behind the ledger's back are found.
    t.db().execute_raw("UPDATE points_ledger SET amount = 200, balance = 200 WHERE seq = 1").await;
    let check = verify_points(app).await.expect("verify");
    assert_eq!(check.problems.len(), 1, "{:?}", check.problems);
    assert!(check.problems[0].0.contains("积分台账第 1 条"), "{:?}", check.problems[0]);
}

#[tokio::test]
async fn the_activity_form_offers_the_communities_of_the_callers_scope_by_name() {
    let t = TestApp::new().with_divisions().with_staff(Role::CommunityWorker).start().await;
    t.add_account("street_admin", Role::Admin, Some("510104022")).await;
    t.add_account("res1", Role::Resident, None).await;
    let app = t.app();
    let own = app.scoped(t.actor_for(Role::CommunityWorker).await).activity_communities().await.expect("own");
    assert_eq!(own.len(), 1, "the worker's one community: {own:?}");
    assert_eq!(own[0].code, INSIDE);
    assert!(own[0].name.starts_with("总府路社区") && own[0].town == "春熙路街道", "by name and street: {own:?}");

    let street = app.scoped(t.actor("street_admin").await).activity_communities().await.expect("street");
    assert!(street.len() > 1, "a street's administrator is offered its communities: {street:?}");
    assert!(street.iter().all(|c| c.code.starts_with("510104022") && c.code.len() == 12 && !c.name.is_empty()));
    assert!(street.iter().any(|c| c.code == INSIDE));
    assert!(street.windows(2).all(|w| w[0].code < w[1].code), "in code order, each once");
    assert!(street.len() <= shanzhi_app::volunteers::MAX_ACTIVITY_COMMUNITIES);

    let resident = app.scoped(t.actor("res1").await).activity_communities().await.expect("resident");
    assert!(resident.is_empty(), "a resident with no organisation publishes nowhere");
}
