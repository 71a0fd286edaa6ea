//! Residents' polls, secret or open as the method says: a secret poll keeps
//! who voted apart from the ballots, shows only who took part and the
//! counts, tallies as an open poll of the same ballots would, and its
//! ballots stay in the chain `verify` checks.

use shanzhi_app::AppError;
use shanzhi_app::access::Actor;
use shanzhi_app::deliberation::{MeetingForm, MeetingView, ProposalForm, verify_deliberation};
use shanzhi_domain::Role;
use shanzhi_domain::deliberation::{Artefact, Body, Choice, Origin};
use shanzhi_testkit::{INSIDE, OUTSIDE, TestApp};

use crate::deliberation::{member, step, world};

/// A community's method with one poll of all residents, secret or open.
async fn poll_method(t: &TestApp, code: &str, secret: bool) {
    let json = format!(
        r#"{{"code": "{code}", "name": "全体居民投票", "steps": [
        {{"code": "poll", "name": "居民投票", "body": "residents", "vote": true, "secret": {secret},
          "artefacts": ["vote_record"]}},
        {{"code": "act", "name": "居委会实施", "body": "committee"}}
    ]}}"#
    );
    let admin = t.app().scoped(t.actor_for(Role::Admin).await);
    admin.define_work_method(INSIDE, &serde_json::from_str(&json).expect("method")).await.expect("defined");
}

/// A Party proposal under `method` with its poll opened by the committee.
async fn poll(t: &TestApp, party: &Actor, committee: &Actor, method: &str) -> (String, MeetingView) {
    let form = ProposalForm {
        title: "小区停车收费调整".to_owned(),
        body: "全体居民投票决定".to_owned(),
        origin: Origin::Party,
        method: method.to_owned(),
        matter: None,
    };
    let id = t.app().scoped(party.clone()).propose(INSIDE, &form).await.expect("proposed").id;
    let mf = MeetingForm { step: "poll".to_owned(), agenda: "停车收费".to_owned(), attendance: vec![], rule: None };
    let m = t.app().scoped(committee.clone()).open_meeting(&id, &mf).await.expect("poll opened");
    (id, m)
}

#[tokio::test]
async fn a_secret_poll_shows_who_took_part_and_the_counts_only() {
    let (t, _clock) = world().await;
    let app = t.app();
    poll_method(&t, "secret_poll", true).await;
    poll_method(&t, "open_poll", false).await;
    let party = member(&t, "party_a", INSIDE, Body::Party).await;
    let committee = member(&t, "committee_a", INSIDE, Body::Committee).await;
    let mut residents = Vec::new();
    for i in 0..4 {
        residents.push(member(&t, &format!("resident{i}"), INSIDE, Body::Residents).await);
    }
    let outsider = member(&t, "outsider", OUTSIDE, Body::Residents).await;
    let (secret_id, secret) = poll(&t, &party, &committee, "secret_poll").await;
    let (_, open) = poll(&t, &party, &committee, "open_poll").await;
    assert!(secret.secret && !open.secret);

    // The same ballots in both polls, cast in a different order in the secret one.
    let ballots = [Choice::For, Choice::Against, Choice::For];
    for (r, c) in residents.iter().zip(ballots) {
        app.scoped(r.clone()).vote(&open.id, c).await.expect("open vote");
    }
    for (r, c) in residents.iter().zip(ballots).rev() {
        let screen = app.scoped(r.clone()).proposal_screen(INSIDE, &secret_id).await.expect("screen");
        assert_eq!(screen.allowed.vote, std::slice::from_ref(&secret.id), "may vote before voting");
        app.scoped(r.clone()).vote(&secret.id, c).await.expect("secret ballot");
        let screen = app.scoped(r.clone()).proposal_screen(INSIDE, &secret_id).await.expect("screen");
        assert!(screen.allowed.vote.is_empty(), "voted: no second form");
    }
    let twice = app.scoped(residents[0].clone()).vote(&secret.id, Choice::Against).await.expect_err("twice");
    assert_eq!(twice.code(), "already_voted");
    let outside = app.scoped(outsider).vote(&secret.id, Choice::For).await;
    assert!(outside.is_err(), "another community's resident: {outside:?}");
    let not_resident = app.scoped(committee.clone()).vote(&secret.id, Choice::For).await;
    assert!(matches!(not_resident, Err(AppError::Forbidden(_))), "{not_resident:?}");

    // Who took part, by name in name order; no choice of anyone.
    let seen = app.scoped(residents[3].clone()).meeting(&secret.id).await.expect("read");
    assert!(seen.votes.is_empty());
    let mut names: Vec<String> = seen.voters.clone();
    names.sort();
    assert_eq!(seen.voters, names);
    assert_eq!(seen.voters.len(), 3);
    let open_seen = app.scoped(residents[3].clone()).meeting(&open.id).await.expect("read");
    assert_eq!(open_seen.votes.len(), 3, "an open poll shows each vote");
    assert!(open_seen.voters.is_empty());
    let json = serde_json::to_string(&seen).expect("json");
    assert!(!json.contains("choice"), "{json}");
    for v in &open_seen.votes {
        assert!(seen.voters.contains(&v.name), "the same people took part");
    }

    // The tally is the open poll's.
    let closed = app.scoped(committee.clone()).close_meeting(&secret.id).await.expect("closed");
    let open_closed = app.scoped(committee.clone()).close_meeting(&open.id).await.expect("closed");
    let tally = closed.tally.expect("tally");
    assert_eq!(Some(tally), open_closed.tally);
    assert_eq!((tally.for_, tally.against, tally.abstain, tally.passed), (2, 1, 0, true));
    let polled = step("poll", &[Artefact::VoteRecord], Some(&secret.id));
    let p = app.scoped(committee).finish_step(&secret_id, &polled).await.expect("decided by the poll");
    assert_eq!(p.status, "working");

    // Its ballots are in the chain: one changed in the database is named.
    let check = verify_deliberation(app).await.expect("verify");
    assert_eq!((check.votes, check.problems.len()), (6, 0), "{:?}", check.problems);
    t.db().execute_raw("UPDATE poll_ballots SET choice = 'for' WHERE choice = 'against'").await;
    let check = verify_deliberation(app).await.expect("verify");
    assert_eq!(check.problems.len(), 1, "{:?}", check.problems);
    assert!(check.problems[0].0.contains("在记录后被改动"), "{:?}", check.problems[0]);
}
