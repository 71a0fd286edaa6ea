//! Volunteers and 公益积分: the roster gives places in order and promotes
//! the first who waits, attendance is recorded once, a points entry is
//! written only after the last one (and a check-out or redemption with it,
//! or not at all), stock never goes below zero and a code is confirmed once.

use shanzhi_domain::Micros;
use shanzhi_domain::volunteer::{PointsKind, SignupState, append_points, replay_points};

use super::deliberation::people;
use crate::{ActivityRecord, OrgRecord, ProfileRecord, RedemptionRecord, RewardRecord, Store, StoreError};

const COMMUNITY: &str = "510104022006";

fn at(s: i64) -> Micros {
    Micros::new(1_800_000_000_000_000 + s * 1_000_000)
}

fn activity(id: &str, capacity: i64, starts: i64) -> ActivityRecord {
    ActivityRecord {
        id: id.to_owned(),
        community: COMMUNITY.to_owned(),
        org_id: None,
        title: "清理河道".to_owned(),
        description: "沿府河清理垃圾".to_owned(),
        place: "府河步道".to_owned(),
        lng: Some(104.08),
        lat: Some(30.66),
        starts_at: at(starts),
        ends_at: at(starts + 7200),
        capacity,
        points: 20,
        code_secret: "secret".to_owned(),
        created_by: "worker".to_owned(),
        created_at: at(0),
        updated_at: at(0),
    }
}

pub async fn the_roster_waits_beyond_capacity_and_promotes_in_order(store: &dyn Store) {
    people(store, &["v1", "v2", "v3", "v4"]).await;
    store.create_activity(&activity("act1", 2, 100)).await.expect("activity");
    store.create_activity(&activity("act0", 5, 50)).await.expect("earlier activity");
    let listed = store.activities(COMMUNITY, at(0), 10).await.expect("list");
    assert_eq!(listed.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["act0", "act1"], "soonest first");
    assert!(store.activities(COMMUNITY, at(100_000), 10).await.expect("later").is_empty(), "ended ones drop out");
    assert_eq!(store.activity("act1").await.expect("read"), Some(activity("act1", 2, 100)));

    let mut states = Vec::new();
    for u in ["v1", "v2", "v3", "v4"] {
        states.push(store.sign_up("act1", u, at(1)).await.expect("sign up"));
    }
    assert_eq!(states, [SignupState::Confirmed, SignupState::Confirmed, SignupState::Waiting, SignupState::Waiting]);
    assert!(matches!(store.sign_up("act1", "v1", at(2)).await, Err(StoreError::Constraint(_))), "once");
    assert!(store.sign_up("nope", "v1", at(2)).await.is_err(), "no such activity");

    assert_eq!(store.cancel_signup("act1", "v1", at(3)).await.expect("cancel"), Some("v3".to_owned()));
    assert!(store.cancel_signup("act1", "v1", at(3)).await.is_err(), "cancelled once");
    let roster = store.signups("act1", 100).await.expect("roster");
    let by = |u: &str| roster.iter().find(|s| s.user_id == u).map(|s| s.state);
    assert_eq!(by("v1"), Some(SignupState::Cancelled));
    assert_eq!(by("v3"), Some(SignupState::Confirmed));
    assert_eq!(by("v4"), Some(SignupState::Waiting));
    assert_eq!(roster[0].name, "居民v1", "the roster names people");

    // Signing up again goes to the end of the line.
    assert_eq!(store.sign_up("act1", "v1", at(4)).await.expect("again"), SignupState::Waiting);
    // A larger capacity gives places in order; one below the confirmed is refused.
    let mut bigger = activity("act1", 3, 100);
    bigger.title = "清理河道（扩招）".to_owned();
    store.update_activity(&bigger).await.expect("grow");
    assert_eq!(store.signup("act1", "v4").await.expect("v4").map(|s| s.state), Some(SignupState::Confirmed));
    assert_eq!(store.signup("act1", "v1").await.expect("v1").map(|s| s.state), Some(SignupState::Waiting));
    assert!(store.update_activity(&activity("act1", 2, 100)).await.is_err(), "not below the confirmed");
    assert_eq!(store.activity("act1").await.expect("read").map(|a| a.title), Some(bigger.title));
    assert_eq!(store.signups_of_user("v1", 10).await.expect("mine").len(), 1);
}

pub async fn attendance_is_recorded_once_and_earns_points_with_it(store: &dyn Store) {
    people(store, &["w1", "w2"]).await;
    store.create_activity(&activity("act2", 1, 100)).await.expect("activity");
    store.sign_up("act2", "w1", at(1)).await.expect("w1");
    store.sign_up("act2", "w2", at(1)).await.expect("w2 waits");
    assert!(store.check_in("act2", "w2", at(2), None).await.is_err(), "one who waits does not check in");
    store.check_in("act2", "w1", at(2), Some((104.08, 30.66))).await.expect("check in");
    assert!(store.check_in("act2", "w1", at(3), None).await.is_err(), "no double check-in");
    assert!(store.cancel_signup("act2", "w1", at(3)).await.is_err(), "no cancelling once there");

    let e1 = append_points("w1", None, at(3600), PointsKind::Earned, 20, COMMUNITY, "activity:act2").expect("e1");
    let stale = append_points("w1", None, at(3600), PointsKind::Earned, 5, COMMUNITY, "x").expect("stale");
    store.check_out("act2", "w1", at(3600), 59, Some(&e1)).await.expect("check out");
    assert!(store.check_out("act2", "w1", at(3601), 59, None).await.is_err(), "out once");
    assert!(store.append_points("w1", &stale).await.is_err(), "an entry that does not follow is refused");
    let s = store.signup("act2", "w1").await.expect("read").expect("there");
    assert_eq!((s.checked_in_at, s.checked_out_at, s.minutes), (Some(at(2)), Some(at(3600)), Some(59)));
    assert_eq!((s.check_in_lng, s.check_in_lat), (Some(104.08), Some(30.66)));
    let ledger = store.points("w1", 100).await.expect("ledger");
    assert_eq!(ledger, vec![e1.clone()]);
    assert_eq!(replay_points("w1", &ledger), Ok(20));
    assert_eq!(store.last_points("w1").await.expect("last"), Some(e1));
    assert_eq!(store.points_users(10).await.expect("users"), vec!["w1".to_owned()]);

    // The board counts what was earned in the community and year, less those who opted out.
    let board = store.board(COMMUNITY, at(0), at(100_000), 10).await.expect("board");
    assert_eq!(board.iter().map(|b| (b.user_id.as_str(), b.points)).collect::<Vec<_>>(), [("w1", 20)]);
    assert!(store.board(COMMUNITY, at(100_000), at(200_000), 10).await.expect("next year").is_empty());
    let profile = ProfileRecord {
        user_id: "w1".to_owned(),
        skills: "[\"elderly\"]".to_owned(),
        skill_note: "会理发".to_owned(),
        availability: "周末".to_owned(),
        on_board: false,
        joined_at: at(0),
        updated_at: at(0),
    };
    store.put_profile(&profile).await.expect("profile");
    let mut again = profile.clone();
    again.joined_at = at(9);
    again.updated_at = at(9);
    store.put_profile(&again).await.expect("profile again");
    let stored = store.profile("w1").await.expect("read").expect("there");
    assert_eq!((stored.joined_at, stored.updated_at), (at(0), at(9)), "joined once, updated since");
    assert!(store.board(COMMUNITY, at(0), at(100_000), 10).await.expect("board").is_empty(), "opted out");
}

pub async fn redemptions_take_stock_and_points_together_and_confirm_once(store: &dyn Store) {
    people(store, &["r1", "shopkeeper"]).await;
    let shop = OrgRecord {
        id: "shop1".to_owned(),
        community: COMMUNITY.to_owned(),
        name: "社区便民超市".to_owned(),
        kind: "shop".to_owned(),
        created_at: at(0),
        created_by: "worker".to_owned(),
    };
    store.create_org(&shop).await.expect("org");
    assert!(
        matches!(
            store.create_org(&OrgRecord { id: "o2".to_owned(), ..shop.clone() }).await,
            Err(StoreError::Constraint(_))
        ),
        "names are unique in a community"
    );
    store.add_org_member("shop1", "shopkeeper", at(1)).await.expect("member");
    store.add_org_member("shop1", "shopkeeper", at(2)).await.expect("member again");
    assert_eq!(store.orgs_of_user("shopkeeper").await.expect("mine"), vec![shop.clone()]);
    assert_eq!(store.orgs(COMMUNITY, 10).await.expect("orgs"), vec![shop]);
    let item = RewardRecord {
        id: "item1".to_owned(),
        community: COMMUNITY.to_owned(),
        org_id: Some("shop1".to_owned()),
        name: "大米 5 斤".to_owned(),
        description: "凭码到店领取".to_owned(),
        price: 10,
        stock: 1,
        created_by: "worker".to_owned(),
        created_at: at(0),
    };
    store.create_reward(&item).await.expect("item");
    assert_eq!(store.rewards(Some(COMMUNITY), 10).await.expect("catalogue"), vec![item.clone()]);
    let e1 = append_points("r1", None, at(1), PointsKind::Earned, 25, COMMUNITY, "activity:a").expect("earn");
    store.append_points("r1", &e1).await.expect("earn");
    let redemption = |id: &str, hash: &str| RedemptionRecord {
        id: id.to_owned(),
        item_id: "item1".to_owned(),
        user_id: "r1".to_owned(),
        code_hash: hash.to_owned(),
        code_hint: "K7".to_owned(),
        price: 10,
        at: at(2),
        confirmed_at: None,
        confirmed_by: None,
    };
    let e2 =
        append_points("r1", Some(&e1), at(2), PointsKind::Redeemed, 10, COMMUNITY, "redemption:d1").expect("spend");
    store.redeem(&redemption("d1", "h1"), &e2).await.expect("redeem");
    let e3 =
        append_points("r1", Some(&e2), at(3), PointsKind::Redeemed, 10, COMMUNITY, "redemption:d2").expect("spend");
    assert!(store.redeem(&redemption("d2", "h2"), &e3).await.is_err(), "out of stock");
    assert_eq!(store.points("r1", 10).await.expect("ledger").len(), 2, "nothing debited for the refused one");
    assert_eq!(store.reward("item1").await.expect("item").map(|i| i.stock), Some(0));
    let found = store.redemption_by_code("h1").await.expect("by code").expect("found");
    assert_eq!(found, redemption("d1", "h1"));
    assert!(store.redemption_by_code("h2").await.expect("none").is_none());
    store.confirm_redemption("d1", "shopkeeper", at(4)).await.expect("confirm");
    assert!(store.confirm_redemption("d1", "shopkeeper", at(5)).await.is_err(), "a code is confirmed once");
    let mine = store.redemptions_of_user("r1", 10).await.expect("mine");
    assert_eq!(
        (mine.len(), mine[0].confirmed_at, mine[0].confirmed_by.as_deref()),
        (1, Some(at(4)), Some("shopkeeper"))
    );
    assert_eq!(replay_points("r1", &store.points("r1", 10).await.expect("ledger")), Ok(15));
}
