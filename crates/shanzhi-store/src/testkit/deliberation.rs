//! 以事聚人、聚人成事: methods are versioned per community, members have
//! terms, a proposal moves on only from the version it was read at, a
//! resident supports it once, votes chain and are cast once in an open
//! meeting, objections need a notice, and the fund's ledger is appended in
//! order only.

use shanzhi_domain::Micros;
use shanzhi_domain::Username;
use shanzhi_domain::deliberation::ledger::{Books, append};
use shanzhi_domain::deliberation::{
    Body, Choice, Fen, FundSource, Origin, Posting, VOTE_GENESIS, ballot_hash, vote_hash,
};

use crate::{
    AuditEntry, MeetingRecord, MemberRecord, NewUser, NoteRecord, NoticeRecord, ProposalQuery, ProposalRecord, Remark,
    StageChange, StepDone, Store, StoreError, UserKind,
};

const COMMUNITY: &str = "510104022001";

pub(super) async fn people(store: &dyn Store, ids: &[&str]) {
    for id in ids {
        let user = NewUser {
            id: (*id).to_owned(),
            username: Username::parse(&format!("resident_{id}")).expect("username"),
            display_name: format!("居民{id}"),
            kind: UserKind::Resident,
            phone: None,
            password_hash: None,
            created_at: Micros::new(1_700_000_000_000_000),
        };
        store.create_user(&user, &AuditEntry::new("tester", "user.create", id)).await.expect("user");
    }
}

fn at(s: i64) -> Micros {
    Micros::new(1_800_000_000_000_000 + s * 1_000_000)
}

fn proposal(id: &str, community: &str) -> ProposalRecord {
    ProposalRecord {
        id: id.to_owned(),
        community: community.to_owned(),
        title: "加装电梯".to_owned(),
        body: "3 栋加装电梯".to_owned(),
        origin: Origin::Resident,
        matter_id: None,
        proposer: "r1".to_owned(),
        method_code: "five_step".to_owned(),
        method: "{}".to_owned(),
        support_needed: 2,
        supporters: 0,
        stage: "{\"stage\":\"gathering\"}".to_owned(),
        status: "gathering".to_owned(),
        version: 1,
        created_at: at(0),
        updated_at: at(0),
    }
}

fn change(id: &str, expected_version: i64, status: &str, s: i64) -> StageChange {
    StageChange {
        proposal_id: id.to_owned(),
        expected_version,
        stage: format!("{{\"stage\":\"{status}\"}}"),
        status: status.to_owned(),
        at: at(s),
        step: None,
        notice: None,
    }
}

pub async fn methods_and_members_are_kept_with_their_terms(store: &dyn Store) {
    people(store, &["m1", "m2", "m3"]).await;
    assert_eq!(store.save_work_method(COMMUNITY, "five_lines", "{\"v\":1}", "admin").await.expect("save"), 1);
    assert_eq!(store.save_work_method(COMMUNITY, "five_lines", "{\"v\":2}", "admin").await.expect("again"), 2);
    assert_eq!(store.save_work_method(COMMUNITY, "estate", "{}", "admin").await.expect("other"), 1);
    assert_eq!(store.save_work_method("510104022002", "five_lines", "{}", "admin").await.expect("elsewhere"), 1);
    let methods = store.work_methods(COMMUNITY).await.expect("methods");
    let latest: Vec<(&str, i64, &str)> =
        methods.iter().map(|m| (m.code.as_str(), m.version, m.body.as_str())).collect();
    assert_eq!(latest, [("estate", 1, "{}"), ("five_lines", 2, "{\"v\":2}")]);

    let member = |user: &str, body: Body, from: &str, to: Option<&str>| MemberRecord {
        community: COMMUNITY.to_owned(),
        body,
        user_id: user.to_owned(),
        valid_from: from.to_owned(),
        valid_to: to.map(str::to_owned),
    };
    store.add_member(&member("m1", Body::Council, "2024-01-01", Some("2027-01-01"))).await.expect("m1");
    store.add_member(&member("m2", Body::Council, "2024-01-01", Some("2026-06-01"))).await.expect("m2");
    store.add_member(&member("m3", Body::Supervisory, "2024-01-01", None)).await.expect("m3");
    store.add_member(&member("m1", Body::Residents, "2020-01-01", None)).await.expect("resident");
    let dup = store.add_member(&member("m1", Body::Council, "2024-01-01", None)).await;
    assert!(matches!(dup, Err(StoreError::Constraint(_))), "{dup:?}");
    let bad = store.add_member(&member("m1", Body::Party, "2024-01-01", Some("2023-01-01"))).await;
    assert!(matches!(bad, Err(StoreError::Constraint(_))), "a term ends after it starts: {bad:?}");

    let council = |day: &'static str| async move {
        let m = store.members(COMMUNITY, Some(Body::Council), day).await.expect("members");
        m.into_iter().map(|m| m.user_id).collect::<Vec<_>>()
    };
    assert_eq!(council("2026-05-31").await, ["m1", "m2"]);
    assert_eq!(council("2026-06-01").await, ["m1"], "m2's term ended");
    assert_eq!(council("2023-12-31").await, Vec::<String>::new());
    assert_eq!(store.members(COMMUNITY, None, "2026-12-01").await.expect("all").len(), 3);
    let mine = store.memberships("m1", "2026-12-01").await.expect("m1's");
    assert_eq!(mine.iter().map(|m| m.body).collect::<Vec<_>>(), [Body::Council, Body::Residents]);
}

pub async fn proposals_move_on_only_from_the_version_read(store: &dyn Store) {
    people(store, &["r1", "r2"]).await;
    store.create_proposal(&proposal("p1", COMMUNITY)).await.expect("p1");
    let later = ProposalRecord { created_at: at(1), ..proposal("p2", "510104022002") };
    store.create_proposal(&later).await.expect("p2");
    assert!(store.create_proposal(&proposal("p1", COMMUNITY)).await.is_err(), "one id");
    let no_matter = ProposalRecord { origin: Origin::Matter, ..proposal("p3", COMMUNITY) };
    assert!(matches!(store.create_proposal(&no_matter).await, Err(StoreError::Constraint(_))), "a matter's needs it");
    let unknown =
        ProposalRecord { origin: Origin::Matter, matter_id: Some("nope".to_owned()), ..proposal("p3", COMMUNITY) };
    assert!(store.create_proposal(&unknown).await.is_err(), "an unknown matter");

    store.support_proposal("r1", &change("p1", 1, "gathering", 1)).await.expect("r1 supports");
    let twice = store.support_proposal("r1", &change("p1", 2, "gathering", 2)).await;
    assert!(matches!(twice, Err(StoreError::Constraint(_))), "once per resident: {twice:?}");
    let stale = store.support_proposal("r2", &change("p1", 1, "working", 2)).await;
    assert!(matches!(stale, Err(StoreError::Constraint(_))), "read before r1's support: {stale:?}");
    store.support_proposal("r2", &change("p1", 2, "working", 3)).await.expect("r2 supports");
    let p = store.proposal("p1").await.expect("read").expect("p1");
    assert_eq!((p.supporters, p.version, p.status.as_str()), (2, 3, "working"));
    let who: Vec<String> = store.supporters("p1").await.expect("supporters").into_iter().map(|s| s.0).collect();
    assert_eq!(who, ["r1", "r2"]);
    assert!(store.has_supported("p1", "r2").await.expect("r2"), "r2 supported p1");
    assert!(!store.has_supported("p2", "r2").await.expect("p2"), "not p2");
    assert!(!store.has_supported("p1", "r3").await.expect("r3"), "nobody else");

    let mut step = change("p1", 3, "noticed", 10);
    step.step = Some(StepDone {
        step_index: 0,
        step_code: "propose".to_owned(),
        done_by: "r1".to_owned(),
        done_at: at(10),
        artefacts: "[\"minutes\"]".to_owned(),
        outcome: "done".to_owned(),
        meeting_id: None,
    });
    step.notice = Some(NoticeRecord {
        proposal_id: "p1".to_owned(),
        step_code: "propose".to_owned(),
        start: at(10),
        end: at(99),
    });
    store.change_stage(&step).await.expect("step done");
    let again = store.change_stage(&StageChange { expected_version: 4, ..step.clone() }).await;
    assert!(again.is_err(), "the same step twice: {again:?}");
    assert_eq!(store.proposal("p1").await.expect("read").expect("p1").version, 4, "a refused change changes nothing");
    assert_eq!(store.proposal_steps("p1").await.expect("steps").len(), 1);
    assert_eq!(store.notices("p1").await.expect("notices")[0].end, at(99));

    let within = |w: &str| ProposalQuery { within: Some(w.to_owned()), limit: 10, ..ProposalQuery::default() };
    let ids = |ps: Vec<ProposalRecord>| ps.into_iter().map(|p| p.id).collect::<Vec<_>>();
    assert_eq!(ids(store.proposals(&within(COMMUNITY)).await.expect("list")), ["p1"]);
    assert_eq!(ids(store.proposals(&within("510104022")).await.expect("town")), ["p2", "p1"]);
    let noticed = ProposalQuery { status: Some("noticed".to_owned()), ..within("510104") };
    assert_eq!(ids(store.proposals(&noticed).await.expect("noticed")), ["p1"]);

    assert_eq!(store.add_comment("p1", "r2", at(11), "支持").await.expect("comment"), 1);
    assert_eq!(store.add_comment("p1", "r1", at(12), "谢谢").await.expect("comment"), 2);
    assert_eq!(
        store.comments("p1").await.expect("comments")[1],
        Remark { seq: 2, author: "r1".to_owned(), at: at(12), body: "谢谢".to_owned() }
    );
    assert_eq!(store.add_objection("p1", "propose", "r2", at(13), "费用偏高").await.expect("objection"), 1);
    assert!(store.add_objection("p1", "decide", "r2", at(13), "x").await.is_err(), "no such notice");
    assert_eq!(store.objections("p1").await.expect("objections")[0].0, "propose");
    let note = NoteRecord {
        proposal_id: "p1".to_owned(),
        kind: "survey".to_owned(),
        step_code: "accept".to_owned(),
        percent: Some(92),
        remark: Remark { seq: 0, author: "r1".to_owned(), at: at(20), body: "满意".to_owned() },
        images: vec!["a1".to_owned(), "a2".to_owned()],
    };
    assert_eq!(store.add_note(&note).await.expect("note"), 1);
    let notes = store.notes("p1").await.expect("notes");
    assert_eq!((notes[0].percent, notes[0].remark.seq, notes[0].kind.as_str()), (Some(92), 1, "survey"));
    assert_eq!(notes[0].images, note.images, "a note's photos are kept in order");
    let wild = NoteRecord { percent: Some(101), ..note };
    assert!(store.add_note(&wild).await.is_err(), "a percentage is at most 100");
}

pub async fn votes_are_chained_and_cast_once_in_an_open_meeting(store: &dyn Store) {
    people(store, &["r1", "m1", "m2"]).await;
    store.create_proposal(&proposal("p1", COMMUNITY)).await.expect("p1");
    let meeting = MeetingRecord {
        id: "mt1".to_owned(),
        proposal_id: "p1".to_owned(),
        step_code: "decide".to_owned(),
        held_at: at(5),
        agenda: "审议加装电梯".to_owned(),
        minutes: None,
        vote_rule: "{}".to_owned(),
        members: 3,
        attendance: vec!["m1".to_owned(), "m2".to_owned()],
        closed_at: None,
        tally: None,
    };
    store.create_meeting(&meeting).await.expect("meeting");
    assert_eq!(store.meeting("mt1").await.expect("read"), Some(meeting.clone()));
    let first = store.cast_vote("mt1", "m1", Choice::For, at(6)).await.expect("m1");
    assert_eq!(first.prev_hash, VOTE_GENESIS);
    assert_eq!(first.hash, vote_hash(VOTE_GENESIS, first.seq, at(6), "mt1", "m1", Choice::For));
    let twice = store.cast_vote("mt1", "m1", Choice::Against, at(7)).await;
    assert!(matches!(twice, Err(StoreError::Constraint(_))), "once: {twice:?}");
    let second = store.cast_vote("mt1", "m2", Choice::Abstain, at(7)).await.expect("m2");
    assert_eq!((second.seq, second.prev_hash.as_str()), (first.seq + 1, first.hash.as_str()));
    assert_eq!(store.votes("mt1").await.expect("votes"), [first.clone(), second.clone()]);
    assert_eq!(store.vote_chain(first.seq, 10).await.expect("chain"), [second]);

    store.close_meeting("mt1", at(8), "{\"passed\":true}").await.expect("close");
    assert!(store.close_meeting("mt1", at(9), "{}").await.is_err(), "closed once");
    let late = store.cast_vote("mt1", "r1", Choice::For, at(9)).await;
    assert!(matches!(late, Err(StoreError::Constraint(_))), "a closed meeting takes no vote: {late:?}");
    assert!(store.cast_vote("nope", "m1", Choice::For, at(9)).await.is_err(), "an unknown meeting");
    let read = store.meetings("p1").await.expect("meetings");
    assert_eq!((read.len(), read[0].closed_at, read[0].attendance.len()), (1, Some(at(8)), 2));
}

pub async fn a_secret_ballot_keeps_the_voter_apart_in_the_chain(store: &dyn Store) {
    people(store, &["r1", "r2", "m1"]).await;
    store.create_proposal(&proposal("p1", COMMUNITY)).await.expect("p1");
    let meeting = |id: &str| MeetingRecord {
        id: id.to_owned(),
        proposal_id: "p1".to_owned(),
        step_code: "poll".to_owned(),
        held_at: at(5),
        agenda: "全体居民投票".to_owned(),
        minutes: None,
        vote_rule: "{}".to_owned(),
        members: 3,
        attendance: Vec::new(),
        closed_at: None,
        tally: None,
    };
    store.create_meeting(&meeting("open")).await.expect("open poll");
    store.create_meeting(&meeting("secret")).await.expect("secret poll");
    let open = store.cast_vote("open", "m1", Choice::For, at(6)).await.expect("an open vote");
    let b1 = store.cast_secret_ballot("secret", "r2", Choice::Against, at(7)).await.expect("r2");
    // One chain: a ballot follows an open vote, an open vote a ballot.
    assert_eq!((b1.seq, b1.prev_hash.as_str()), (open.seq + 1, open.hash.as_str()));
    assert_eq!(b1.hash, ballot_hash(&open.hash, b1.seq, "secret", Choice::Against));
    assert_eq!((b1.user_id.as_str(), b1.at), ("", Micros::new(0)), "no voter, no time");
    let b2 = store.cast_secret_ballot("secret", "r1", Choice::For, at(8)).await.expect("r1");
    let twice = store.cast_secret_ballot("secret", "r1", Choice::Against, at(9)).await;
    assert!(matches!(twice, Err(StoreError::Constraint(_))), "once: {twice:?}");
    let after = store.cast_vote("open", "r1", Choice::Abstain, at(9)).await.expect("open again");
    assert_eq!(after.prev_hash, b2.hash);
    // Who took part, by id, apart from what was chosen.
    assert_eq!(store.poll_voters("secret").await.expect("voters"), ["r1", "r2"]);
    assert!(store.poll_voters("open").await.expect("none").is_empty());
    let ballots = store.votes("secret").await.expect("ballots");
    assert_eq!(ballots, [b1.clone(), b2.clone()], "the refused second ballot left nothing");
    assert!(ballots.iter().all(|b| b.user_id.is_empty()));
    assert_eq!(store.vote_chain(open.seq - 1, 10).await.expect("chain"), [open, b1, b2, after]);
    store.close_meeting("secret", at(10), "{}").await.expect("close");
    let late = store.cast_secret_ballot("secret", "m1", Choice::For, at(11)).await;
    assert!(matches!(late, Err(StoreError::Constraint(_))), "closed: {late:?}");
    assert_eq!(store.poll_voters("secret").await.expect("voters").len(), 2, "a refused ballot names no voter");
    assert!(store.cast_secret_ballot("nope", "m1", Choice::For, at(11)).await.is_err(), "an unknown meeting");
}

pub async fn the_fund_ledger_is_appended_in_order_only(store: &dyn Store) {
    let mut books = Books::default();
    let allocate = Posting::Allocate {
        source: FundSource::City,
        amount: Fen::new(10_000_000).expect("amount"),
        reference: "成社治发〔2026〕1号".to_owned(),
    };
    let e1 = append(&mut books, None, at(1), "committee:王", allocate).expect("allocation");
    store.append_ledger(COMMUNITY, &e1, None).await.expect("first");
    let refused = store.append_ledger(COMMUNITY, &e1, None).await;
    assert!(matches!(refused, Err(StoreError::Constraint(_))), "the same number twice: {refused:?}");
    let commit = Posting::Commit {
        proposal: "p1".to_owned(),
        amount: Fen::new(5_000_000).expect("amount"),
        decision: "mt1".to_owned(),
    };
    let e2 = append(&mut books, Some(&e1), at(2), "committee:王", commit).expect("commit");
    let mut forked = e2.clone();
    forked.prev_hash = "f".repeat(64);
    assert!(store.append_ledger(COMMUNITY, &forked, None).await.is_err(), "does not follow the last entry");
    store.append_ledger(COMMUNITY, &e2, None).await.expect("second");
    // Another community's ledger is its own chain.
    store.append_ledger("510104022002", &e1, None).await.expect("elsewhere");
    assert_eq!(store.ledger(COMMUNITY).await.expect("ledger"), [e1, e2]);
    assert_eq!(store.ledger_communities().await.expect("communities"), [COMMUNITY, "510104022002"]);
}

pub async fn fund_lists_are_versioned_per_community(store: &dyn Store) {
    assert_eq!(store.fund_lists(COMMUNITY).await.expect("none yet"), None);
    assert_eq!(store.save_fund_lists(COMMUNITY, "{\"v\":1}", at(1), "admin").await.expect("save"), 1);
    assert_eq!(store.save_fund_lists(COMMUNITY, "{\"v\":2}", at(2), "admin2").await.expect("again"), 2);
    assert_eq!(store.save_fund_lists("510104022002", "{}", at(3), "admin").await.expect("elsewhere"), 1);
    let latest = store.fund_lists(COMMUNITY).await.expect("read").expect("saved");
    assert_eq!(
        (latest.version, latest.body.as_str(), latest.saved_at, latest.saved_by.as_str()),
        (2, "{\"v\":2}", at(2), "admin2")
    );
    let other = store.fund_lists("510104022002").await.expect("read").expect("saved");
    assert_eq!((other.community.as_str(), other.version), ("510104022002", 1));
}

pub async fn budgets_are_versioned_per_proposal(store: &dyn Store) {
    people(store, &["r1"]).await;
    store.create_proposal(&proposal("pb", COMMUNITY)).await.expect("proposal");
    assert_eq!(store.budget("pb").await.expect("none yet"), None);
    let first = crate::StoredBudget {
        proposal_id: "pb".to_owned(),
        version: 0,
        step_code: "decide".to_owned(),
        lines: "{\"lines\":[]}".to_owned(),
        total_fen: 100,
        set_at: at(1),
        set_by: "council:张".to_owned(),
    };
    assert_eq!(store.save_budget(&first).await.expect("save"), 1);
    let second =
        crate::StoredBudget { total_fen: 250, step_code: "implement".to_owned(), set_at: at(2), ..first.clone() };
    assert_eq!(store.save_budget(&second).await.expect("again"), 2);
    assert_eq!(store.budget("pb").await.expect("read"), Some(crate::StoredBudget { version: 2, ..second }));
    let orphan = crate::StoredBudget { proposal_id: "nope".to_owned(), ..first };
    assert!(store.save_budget(&orphan).await.is_err(), "a budget is a proposal's");
}
