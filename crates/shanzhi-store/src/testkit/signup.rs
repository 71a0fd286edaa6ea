//! Residents' own accounts: one-time codes kept as hashes and used once,
//! consent, claims of anonymous reports and erasure that keeps the matters.

use shanzhi_domain::{Micros, Phone, Username};

use super::matters::{create, id, matter, setup};
use crate::{AuditEntry, ClaimHow, ConsentRecord, NewUser, Store, UserKind};

fn phone(p: &str) -> Phone {
    Phone::parse(p).expect("phone")
}

fn resident(user_id: &str, name: &str, number: &str, at: i64) -> NewUser {
    NewUser {
        id: user_id.to_owned(),
        username: Username::parse(name).expect("name"),
        display_name: "居民".to_owned(),
        kind: UserKind::Resident,
        phone: Some(phone(number)),
        password_hash: None,
        created_at: Micros::new(at),
    }
}

/// A code is counted per attempt, used once, and replaced whole (attempts
/// and use reset) by the next one; an unknown phone has none.
pub async fn sms_codes_are_counted_used_once_and_replaced(store: &dyn Store) {
    let p = phone("13900001111");
    assert_eq!(store.try_sms_code(&p).await.expect("try"), None, "no code yet");
    store.put_sms_code(&p, "h1", Micros::new(1_000), Micros::new(2_000)).await.expect("put");
    let first = store.try_sms_code(&p).await.expect("try").expect("live");
    assert_eq!((first.code_hash.as_str(), first.expires_at, first.attempts), ("h1", Micros::new(2_000), 1));
    assert_eq!(store.try_sms_code(&p).await.expect("try").expect("live").attempts, 2, "each attempt counts");
    assert!(!store.use_sms_code(&p, "other", Micros::new(1_100)).await.expect("use"), "another hash uses nothing");
    assert!(store.use_sms_code(&p, "h1", Micros::new(1_100)).await.expect("use"));
    assert!(!store.use_sms_code(&p, "h1", Micros::new(1_101)).await.expect("use"), "used once only");
    assert_eq!(store.try_sms_code(&p).await.expect("try"), None, "a used code is gone");
    store.put_sms_code(&p, "h2", Micros::new(3_000), Micros::new(4_000)).await.expect("put");
    let next = store.try_sms_code(&p).await.expect("try").expect("live");
    assert_eq!((next.code_hash.as_str(), next.attempts), ("h2", 1), "a new code starts afresh");
    store.put_sms_code(&p, "h3", Micros::new(3_100), Micros::new(4_100)).await.expect("put");
    assert!(!store.use_sms_code(&p, "h2", Micros::new(3_200)).await.expect("use"), "the new code replaces the old");
    assert_eq!(store.try_sms_code(&phone("13900002222")).await.expect("try"), None, "codes are per phone");
}

/// Found by phone (the oldest live resident), consent kept with its version,
/// an anonymous matter claimed once, then the person erased: the account id
/// and the matter stay, name, phone, login and sessions go.
pub async fn residents_claim_and_are_erased_keeping_their_matters(store: &dyn Store) {
    setup(store).await;
    let audit = |a: &str| AuditEntry::new("tester", a, "user:r1").after("{}".to_owned());
    store.create_user(&resident("r1", "r_one", "13900003333", 10), &audit("user.create")).await.expect("r1");
    store.create_user(&resident("r2", "r_two", "13900003333", 20), &audit("user.create")).await.expect("r2");
    let found = store.resident_by_phone(&phone("13900003333")).await.expect("by phone").expect("found");
    assert_eq!(found.id, "r1", "the oldest");
    assert_eq!(store.resident_by_phone(&phone("13900004444")).await.expect("by phone"), None);
    assert_eq!(store.phone_verified_at("r1").await.expect("verified"), None, "not proved yet");
    store.verify_phone("r1", Micros::new(25)).await.expect("verify");
    assert_eq!(store.phone_verified_at("r1").await.expect("verified"), Some(Micros::new(25)));

    let consent = ConsentRecord {
        id: "c1".to_owned(),
        user_id: "r1".to_owned(),
        version: "2026-01".to_owned(),
        at: Micros::new(30),
        withdrawn_at: None,
    };
    store.record_consent(&consent, &audit("consent.give")).await.expect("consent");
    assert_eq!(store.consents_of("r1").await.expect("consents"), vec![consent]);

    let mut anonymous = matter("m1", "510104022006001", 100, "路灯不亮");
    anonymous.reporter.user_id = None;
    anonymous.reporter.phone = Some(phone("13900003333"));
    anonymous.reporter.name = Some("王女士".to_owned());
    create(store, &anonymous, None).await;
    assert_eq!(store.unclaimed_by_phone(&phone("13900003333"), 10).await.expect("unclaimed"), ["m1"]);
    assert!(store.claim_matter("m1", "r1", ClaimHow::VerifiedPhone, Micros::new(40)).await.expect("claim"));
    assert!(!store.claim_matter("m1", "r2", ClaimHow::PrivateLink, Micros::new(41)).await.expect("claim"), "once");
    assert!(store.unclaimed_by_phone(&phone("13900003333"), 10).await.expect("unclaimed").is_empty());
    let claimed = store.matter(&id("m1")).await.expect("read").expect("kept");
    assert_eq!(claimed.reporter.user_id.as_deref(), Some("r1"));
    let before = store.matter_events(&id("m1")).await.expect("timeline");

    store.put_sms_code(&phone("13900003333"), "h9", Micros::new(45), Micros::new(99)).await.expect("put");
    store.erase_user("r1", "erased-r1", Micros::new(50), &audit("user.erase")).await.expect("erase");
    let erased = store.user_by_id("r1").await.expect("read").expect("the row stays");
    assert_eq!((erased.username.as_str(), erased.display_name.as_str(), erased.phone.clone()), ("erased-r1", "", None));
    assert!(erased.disabled);
    assert_eq!(store.try_sms_code(&phone("13900003333")).await.expect("try"), None, "the number's code goes too");
    assert_eq!(store.phone_verified_at("r1").await.expect("verified"), None, "nothing proved is kept");
    assert!(store.credentials(&Username::parse("r_one").expect("n")).await.expect("creds").is_none(), "no login");
    assert_eq!(
        store.resident_by_phone(&phone("13900003333")).await.expect("by phone").map(|u| u.id),
        Some("r2".into())
    );
    assert!(store.consents_of("r1").await.expect("consents").iter().all(|c| c.withdrawn_at == Some(Micros::new(50))));
    let kept = store.matter(&id("m1")).await.expect("read").expect("the matter stays");
    assert_eq!(
        (kept.reporter.user_id.as_deref(), kept.reporter.name.clone(), kept.reporter.phone.clone()),
        (Some("r1"), None, None)
    );
    assert_eq!(store.matter_events(&id("m1")).await.expect("timeline"), before, "the timeline is untouched");
}
