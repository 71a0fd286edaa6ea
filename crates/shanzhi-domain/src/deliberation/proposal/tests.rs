use std::collections::BTreeMap;

use jiff::civil::date;

use super::*;
use crate::calendar::{WorkingHours, china};
use crate::deliberation::method::{Step, five_step};
use crate::deliberation::vote::{VoteRule, tally};

fn calendar() -> Calendar {
    Calendar::new(BTreeMap::new(), BTreeMap::new(), WorkingHours::default())
}

fn at(m: i8, d: i8, h: i8) -> Timestamp {
    china().to_timestamp(date(2026, m, d).at(h, 0, 0, 0)).expect("an instant")
}

fn report(artefacts: &[Artefact], tally: Option<Tally>) -> StepReport {
    StepReport { artefacts: artefacts.iter().copied().collect(), tally }
}

#[test]
fn a_fund_proposal_walks_the_five_steps() {
    use Artefact::*;
    let (m, c) = (five_step(), calendar());
    // 30 residents' support brings it to the Party organisation.
    let mut s = Stage::new(30);
    for _ in 0..29 {
        s = s.support().expect("support");
    }
    assert_eq!(s, Stage::Gathering { supporters: 29, needed: 30 });
    s = s.support().expect("the 30th");
    assert_eq!(s, Stage::Working { step: 0 });
    assert!(s.support().is_err(), "no more support once it moved on");

    // 1. 党组织提议, noticed five working days (Mon 11-02 → Mon 11-09).
    let wrong_body = s.finish_step(&m, "propose", Body::Committee, &report(&[Minutes], None), at(11, 2, 10), &c);
    assert!(wrong_body.expect_err("not the committee's step").zh.contains("社区党组织"));
    s = s.finish_step(&m, "propose", Body::Party, &report(&[Minutes], None), at(11, 2, 10), &c).expect("proposed");
    let Stage::Noticed { notice, .. } = s else { panic!("noticed: {s:?}") };
    assert_eq!(notice.end, at(11, 9, 10));
    assert!(s.end_notice(&m, at(11, 6, 17)).is_err(), "the notice still runs");
    s = s.end_notice(&m, at(11, 9, 10)).expect("notice over");
    assert_eq!(s, Stage::Working { step: 1 });

    // 2. 议事会决议: the artefacts and a vote are needed.
    let missing = s.finish_step(&m, "decide", Body::Council, &report(&[Minutes], None), at(11, 10, 10), &c);
    assert!(missing.expect_err("missing").zh.contains("签到表、表决记录"));
    let no_vote = s.finish_step(
        &m,
        "decide",
        Body::Council,
        &report(&[Minutes, Attendance, VoteRecord], None),
        at(11, 10, 10),
        &c,
    );
    assert!(no_vote.expect_err("no vote").zh.contains("表决"));
    let passed = tally(VoteRule::COUNCIL, 11, 8, [6, 1, 1]);
    s = s
        .finish_step(
            &m,
            "decide",
            Body::Council,
            &report(&[Minutes, Attendance, VoteRecord], Some(passed)),
            at(11, 10, 10),
            &c,
        )
        .expect("decided");
    assert!(s.withdraw(&m).is_err(), "decided: no withdrawal");
    s = s.end_notice(&m, at(11, 17, 10)).expect("notice over");

    // 3.–5. implement, accept (noticed), supervise.
    s = s
        .finish_step(&m, "implement", Body::Committee, &report(&[Contract, Invoice, Photos], None), at(12, 1, 10), &c)
        .expect("done");
    s = s
        .finish_step(&m, "accept", Body::Party, &report(&[Minutes, Survey, Photos], None), at(12, 2, 10), &c)
        .expect("accepted");
    s = s.end_notice(&m, at(12, 9, 10)).expect("notice over");
    assert!(s.finish_step(&m, "accept", Body::Party, &report(&[], None), at(12, 9, 11), &c).is_err(), "a step once");
    s = s
        .finish_step(&m, "supervise", Body::Supervisory, &report(&[Opinion], None), at(12, 10, 10), &c)
        .expect("signed off");
    assert_eq!(s, Stage::Done);
    assert!(s.is_finished());
}

#[test]
fn a_failed_vote_rejects_and_an_undecided_proposal_can_be_withdrawn() {
    use Artefact::*;
    let (m, c) = (five_step(), calendar());
    let s = Stage::Working { step: 1 };
    assert!(s.withdraw(&m).is_ok(), "before the vote");
    let failed = tally(VoteRule::COUNCIL, 11, 8, [4, 3, 1]);
    let r = s.finish_step(
        &m,
        "decide",
        Body::Council,
        &report(&[Minutes, Attendance, VoteRecord], Some(failed)),
        at(11, 10, 10),
        &c,
    );
    assert_eq!(r, Ok(Stage::Rejected { step: 1 }));
    let unquorate = tally(VoteRule::COUNCIL, 11, 5, [5, 0, 0]);
    let r = s.finish_step(
        &m,
        "decide",
        Body::Council,
        &report(&[Minutes, Attendance, VoteRecord], Some(unquorate)),
        at(11, 10, 10),
        &c,
    );
    assert_eq!(r, Ok(Stage::Rejected { step: 1 }), "no quorum is no decision");
    let voted = tally(VoteRule::COUNCIL, 3, 3, [3, 0, 0]);
    assert!(
        Stage::Working { step: 0 }
            .finish_step(&m, "propose", Body::Party, &report(&[Minutes], Some(voted)), at(11, 2, 10), &c)
            .is_err()
    );
}

#[test]
fn a_method_a_community_defines_drives_a_proposal_without_code() {
    let m = WorkMethod {
        code: "five_lines".to_owned(),
        name: "五线工作法".to_owned(),
        name_en: String::new(),
        support: Some(10),
        steps: vec![
            Step {
                code: "collect".to_owned(),
                name: "收集民意".to_owned(),
                name_en: String::new(),
                body: Body::Committee,
                vote: false,
                secret: false,
                artefacts: vec![],
                notice_days: None,
                limit_days: None,
            },
            Step {
                code: "poll".to_owned(),
                name: "全体居民表决".to_owned(),
                name_en: String::new(),
                body: Body::Residents,
                vote: true,
                secret: true,
                artefacts: vec![Artefact::VoteRecord],
                notice_days: Some(2),
                limit_days: Some(10),
            },
        ],
    };
    assert_eq!(m.validate(), Ok(()));
    let c = calendar();
    let s = Stage::new(0)
        .finish_step(&m, "collect", Body::Committee, &StepReport::default(), at(11, 2, 10), &c)
        .expect("collected");
    let poll = tally(VoteRule::POLL, 300, 120, [80, 30, 10]);
    let s = s
        .finish_step(&m, "poll", Body::Residents, &report(&[Artefact::VoteRecord], Some(poll)), at(11, 3, 10), &c)
        .expect("polled");
    assert_eq!(s.end_notice(&m, at(11, 5, 10)), Ok(Stage::Done));
}
