//! 以事聚人、聚人成事 end to end: a resident's fund proposal walks the
//! five-step method — support from 30 residents, the Party organisation's
//! proposal noticed, the council's vote, the committee's implementation
//! paid from the fund, acceptance with a survey, the supervisory
//! committee's sign-off — with the rules of who may do what on the way;
//! a community's own method drives a proposal without code; `verify`
//! finds a vote or a ledger entry changed in the database.

use std::sync::Arc;

use shanzhi_app::AppError;
use shanzhi_app::access::Actor;
use shanzhi_app::deliberation::{
    MeetingForm, MemberForm, NoteForm, PaymentForm, ProposalForm, StepForm, verify_deliberation,
};
use shanzhi_app::timing::ManualClock;
use shanzhi_domain::Role;
use shanzhi_domain::deliberation::method::shipped;
use shanzhi_domain::deliberation::{Artefact, Body, Choice, FundSource, Origin, WorkMethod};
use shanzhi_testkit::{INSIDE, OUTSIDE, TestApp};

use crate::at;

pub(crate) async fn world() -> (TestApp, Arc<ManualClock>) {
    // Monday 2026-11-02, 10:00.
    let clock = Arc::new(ManualClock::new(at(11, 2, 10, 0)));
    let t = TestApp::new().with_clock(clock.clone()).with_grid().with_staff(Role::Admin).start().await;
    (t, clock)
}

/// A new account who belongs to `body` of `community`, signed in.
pub(crate) async fn member(t: &TestApp, name: &str, community: &str, body: Body) -> Actor {
    t.add_account(name, Role::Resident, None).await;
    let form = MemberForm { body, username: name.to_owned(), from: Some("2025-01-01".to_owned()), to: None };
    t.operator().scoped("test").appoint_member(community, &form).await.expect("appointed");
    t.actor(name).await
}

pub(crate) fn step(code: &str, artefacts: &[Artefact], meeting: Option<&str>) -> StepForm {
    StepForm { step: code.to_owned(), artefacts: artefacts.to_vec(), meeting: meeting.map(str::to_owned) }
}

fn money(amount: &str) -> PaymentForm {
    PaymentForm { amount: amount.to_owned(), ..PaymentForm::default() }
}

fn code_of(e: &AppError) -> &'static str {
    e.code()
}

#[tokio::test]
async fn a_fund_proposal_walks_the_five_steps_under_the_rules() {
    use Artefact::*;
    let (t, clock) = world().await;
    let app = t.app();
    let mut residents = Vec::new();
    for i in 0..31 {
        residents.push(member(&t, &format!("resident{i:02}"), INSIDE, Body::Residents).await);
    }
    let party = member(&t, "party_secretary", INSIDE, Body::Party).await;
    let mut council = Vec::new();
    for i in 0..5 {
        council.push(member(&t, &format!("council{i}"), INSIDE, Body::Council).await);
    }
    let committee = member(&t, "committee_chair", INSIDE, Body::Committee).await;
    let supervisor = member(&t, "supervisor_one", INSIDE, Body::Supervisory).await;
    let outsider = member(&t, "outsider", OUTSIDE, Body::Residents).await;

    // A resident proposes; before any notice it is not public.
    let form = ProposalForm {
        title: "3 栋加装电梯".to_owned(),
        body: "老人上下楼难，申请使用社区保障激励资金加装电梯".to_owned(),
        origin: Origin::Resident,
        method: "five_step".to_owned(),
        matter: None,
    };
    let p = app.scoped(residents[0].clone()).propose(INSIDE, &form).await.expect("proposed");
    assert_eq!((p.status.as_str(), p.support_needed, p.public), ("gathering", 30, false));
    let id = p.id.clone();
    let hidden = app.scoped(Actor::anonymous()).proposal(&id).await.expect_err("not noticed yet");
    assert!(matches!(hidden, AppError::NotFound { .. }), "{hidden:?}");
    assert!(app.scoped(outsider.clone()).proposal(&id).await.is_err(), "another community's resident");
    let town = app.scoped(t.actor_for(Role::Admin).await);
    assert_eq!(town.proposals("510104", None).await.expect("the district's")[0].id, id, "oversight sees its subtree");
    let outside_party = ProposalForm { origin: Origin::Party, ..form.clone() };
    assert!(app.scoped(residents[1].clone()).propose(INSIDE, &outside_party).await.is_err(), "residents are no party");

    // 30 residents support; once each; nobody from elsewhere.
    for r in &residents[1..30] {
        app.scoped(r.clone()).support(&id).await.expect("support");
    }
    let twice = app.scoped(residents[1].clone()).support(&id).await.expect_err("twice");
    assert_eq!(code_of(&twice), "already_supported");
    let elsewhere = app.scoped(outsider.clone()).support(&id).await;
    assert!(elsewhere.is_err(), "an outsider cannot even find it: {elsewhere:?}");
    let p = app.scoped(residents[30].clone()).support(&id).await.expect("the 30th");
    assert_eq!((p.status.as_str(), p.supporters), ("working", 30));
    assert!(app.scoped(residents[0].clone()).support(&id).await.is_err(), "no support once it moved on");

    // 1. 党组织提议: only the Party organisation, with its minutes; noticed.
    let wrong = app.scoped(committee.clone()).finish_step(&id, &step("propose", &[Minutes], None)).await;
    assert!(matches!(wrong, Err(AppError::Forbidden(_))), "{wrong:?}");
    let missing = app.scoped(party.clone()).finish_step(&id, &step("propose", &[], None)).await.expect_err("minutes");
    assert!(missing.to_string().contains("会议记录"), "{missing}");
    let p = app.scoped(party.clone()).finish_step(&id, &step("propose", &[Minutes], None)).await.expect("proposed");
    assert_eq!(p.status, "noticed");
    assert!(p.public, "a noticed proposal is public");
    let seen = app.scoped(Actor::anonymous()).proposal(&id).await.expect("public now");
    assert_eq!(seen.steps[0].state, "公示中");
    app.scoped(residents[3].clone()).object(&id, "费用偏高，请公开报价").await.expect("objection in time");
    assert!(app.scoped(outsider.clone()).object(&id, "x").await.is_err(), "objections from the community only");
    let early = app.scoped(party.clone()).end_notice(&id).await.expect_err("five working days first");
    assert_eq!(code_of(&early), "notice_running");
    clock.set(at(11, 9, 10, 0));
    assert!(app.scoped(residents[4].clone()).object(&id, "晚了").await.is_err(), "the notice is over");
    app.scoped(party.clone()).end_notice(&id).await.expect("notice over");

    // 2. 议事会决议: 4 of 5 members present; only they vote, once.
    let names: Vec<String> = (0..4).map(|i| format!("council{i}")).collect();
    let meeting_form = MeetingForm {
        step: "decide".to_owned(),
        agenda: "审议 3 栋加装电梯".to_owned(),
        attendance: names.clone(),
        rule: None,
    };
    let guest = MeetingForm { attendance: vec!["resident05".to_owned()], ..meeting_form.clone() };
    assert!(app.scoped(committee.clone()).open_meeting(&id, &guest).await.is_err(), "a guest is not counted");
    let m = app.scoped(committee.clone()).open_meeting(&id, &meeting_form).await.expect("meeting");
    assert_eq!((m.members, m.present.len()), (5, 4));
    let absent = app.scoped(council[4].clone()).vote(&m.id, Choice::For).await;
    assert!(matches!(absent, Err(AppError::Forbidden(_))), "absent: {absent:?}");
    let resident = app.scoped(residents[2].clone()).vote(&m.id, Choice::For).await;
    assert!(matches!(resident, Err(AppError::Forbidden(_))), "no member: {resident:?}");
    assert!(app.scoped(outsider.clone()).vote(&m.id, Choice::For).await.is_err(), "another community's resident");
    for (c, choice) in council.iter().zip([Choice::For, Choice::For, Choice::Against, Choice::For]) {
        app.scoped(c.clone()).vote(&m.id, choice).await.expect("vote");
    }
    assert!(app.scoped(council[0].clone()).vote(&m.id, Choice::Against).await.is_err(), "once");
    let early_commit = PaymentForm { meeting: Some(m.id.clone()), ..money("1000") };
    let open = app.scoped(committee.clone()).commit_funds(&id, &early_commit).await.expect_err("vote still open");
    assert_eq!(code_of(&open), "vote_open");
    let m = app.scoped(committee.clone()).close_meeting(&m.id).await.expect("closed");
    let tally = m.tally.expect("tally");
    assert_eq!((tally.for_, tally.against, tally.quorate, tally.passed), (3, 1, true, true));
    assert!(app.scoped(council[4].clone()).vote(&m.id, Choice::For).await.is_err(), "closed");
    let decided = step("decide", &[Minutes, Attendance, VoteRecord], Some(&m.id));
    app.scoped(council[0].clone()).finish_step(&id, &decided).await.expect("decided");
    clock.set(at(11, 16, 10, 0));
    app.scoped(committee.clone()).end_notice(&id).await.expect("notice over");

    // The fund: allocated; money only by the decision, never past it.
    let admin = app.scoped(t.actor_for(Role::Admin).await);
    let allocation = PaymentForm {
        source: Some(FundSource::City),
        reference: Some("成社治发〔2026〕1号".to_owned()),
        ..money("100,000")
    };
    assert!(app.scoped(committee.clone()).allocate_funds(INSIDE, &allocation).await.is_err(), "admin's to record");
    admin.allocate_funds(INSIDE, &allocation).await.expect("allocated");
    let no_decision = app.scoped(committee.clone()).commit_funds(&id, &money("60000")).await.expect_err("no decision");
    assert_eq!(code_of(&no_decision), "no_decision");
    let too_much = PaymentForm { meeting: Some(m.id.clone()), ..money("100,000.01") };
    let refused = app.scoped(committee.clone()).commit_funds(&id, &too_much).await.expect_err("past the allocation");
    assert_eq!(code_of(&refused), "fund_refused");
    let commit = PaymentForm { meeting: Some(m.id.clone()), ..money("60,000") };
    app.scoped(committee.clone()).commit_funds(&id, &commit).await.expect("committed");
    let pay = |amount: &str| PaymentForm {
        voucher: Some("记-031".to_owned()),
        payee: Some("某某电梯公司".to_owned()),
        ..money(amount)
    };
    let over = app.scoped(committee.clone()).pay_funds(&id, &pay("60,000.01")).await.expect_err("past the commitment");
    assert_eq!(code_of(&over), "fund_refused");
    assert!(app.scoped(council[0].clone()).pay_funds(&id, &pay("1")).await.is_err(), "the committee pays");
    let fund = app.scoped(committee.clone()).pay_funds(&id, &pay("55,000")).await.expect("paid");
    assert_eq!(
        (fund.available.as_str(), fund.committed.as_str(), fund.spent.as_str()),
        ("40,000.00", "5,000.00", "55,000.00")
    );
    let public = app.scoped(Actor::anonymous()).fund(INSIDE).await.expect("the ledger is public");
    assert_eq!(public.lines.len(), 3);
    assert_eq!(public.lines[2].proposal.as_deref(), Some("3 栋加装电梯"));

    // 3. 居委会实施, with a milestone; 4. acceptance with a survey; 5. sign-off.
    let note = |kind: &str, percent: Option<u8>| NoteForm {
        kind: kind.to_owned(),
        text: "按期推进".to_owned(),
        percent,
        images: Vec::new(),
    };
    app.scoped(committee.clone()).add_note(&id, &note("milestone", Some(100))).await.expect("milestone");
    assert!(app.scoped(committee.clone()).add_note(&id, &note("survey", Some(90))).await.is_err(), "the party's");
    app.scoped(committee.clone())
        .finish_step(&id, &step("implement", &[Contract, Invoice, Photos], None))
        .await
        .expect("done");
    app.scoped(party.clone()).add_note(&id, &note("survey", Some(92))).await.expect("survey");
    let pictured = NoteForm { images: vec!["whatever".to_owned()], ..note("supervision", None) };
    let refused = app.scoped(supervisor.clone()).add_note(&id, &pictured).await;
    assert!(matches!(refused, Err(AppError::BadRequest { code: "invalid_note", .. })), "{refused:?}");
    app.scoped(supervisor.clone()).add_note(&id, &note("supervision", None)).await.expect("supervision");
    app.scoped(party.clone())
        .finish_step(&id, &step("accept", &[Minutes, Survey, Photos], None))
        .await
        .expect("accepted");
    clock.set(at(11, 23, 10, 0));
    app.scoped(party.clone()).end_notice(&id).await.expect("notice over");
    let p = app
        .scoped(supervisor.clone())
        .finish_step(&id, &step("supervise", &[Opinion], None))
        .await
        .expect("signed off");
    assert_eq!(p.status, "done");
    let states: Vec<&str> = p.steps.iter().map(|s| s.state.as_str()).collect();
    assert_eq!(states, ["已完成"; 5]);
    assert_eq!(app.scoped(party.clone()).remarks(&id).await.expect("remarks").len(), 4);

    let check = verify_deliberation(app).await.expect("verify");
    assert_eq!((check.votes, check.entries, check.problems.len()), (4, 3, 0), "{:?}", check.problems);
}

#[tokio::test]
async fn verify_finds_a_vote_or_a_ledger_entry_changed_in_the_database() {
    let (t, clock) = world().await;
    let app = t.app();
    let admin = app.scoped(t.actor_for(Role::Admin).await);
    let allocation = PaymentForm { reference: Some("成社治发〔2026〕1号".to_owned()), ..money("1000") };
    admin.allocate_funds(INSIDE, &allocation).await.expect("allocated");
    admin.allocate_funds(INSIDE, &allocation).await.expect("again");
    let party = member(&t, "party_secretary", INSIDE, Body::Party).await;
    let council = member(&t, "council0", INSIDE, Body::Council).await;
    let committee = member(&t, "committee_chair", INSIDE, Body::Committee).await;
    let form = ProposalForm {
        title: "修缮院落".to_owned(),
        body: "院落地面破损".to_owned(),
        origin: Origin::Party,
        method: "five_step".to_owned(),
        matter: None,
    };
    let id = app.scoped(party.clone()).propose(INSIDE, &form).await.expect("proposed").id;
    assert_eq!(app.scoped(party.clone()).proposal(&id).await.expect("read").status, "working", "no support needed");
    app.scoped(party.clone()).finish_step(&id, &step("propose", &[Artefact::Minutes], None)).await.expect("step 1");
    clock.set(at(11, 9, 10, 0));
    app.scoped(party.clone()).end_notice(&id).await.expect("notice over");
    let meeting_form = MeetingForm {
        step: "decide".to_owned(),
        agenda: "审议".to_owned(),
        attendance: vec!["council0".to_owned()],
        rule: None,
    };
    let m = app.scoped(committee).open_meeting(&id, &meeting_form).await.expect("meeting");
    app.scoped(council).vote(&m.id, Choice::Against).await.expect("vote");
    assert!(verify_deliberation(app).await.expect("verify").problems.is_empty());

    t.db().execute_raw("UPDATE meeting_votes SET choice = 'for' WHERE seq = 1").await;
    t.db().execute_raw("UPDATE fund_ledger SET posting = REPLACE(posting, '100000', '900000') WHERE seq = 1").await;
    let check = verify_deliberation(app).await.expect("verify");
    assert_eq!(check.problems.len(), 2, "{:?}", check.problems);
    assert!(check.problems[0].0.contains("表决记录第 1 条"), "{:?}", check.problems[0]);
    assert!(check.problems[1].0.contains("资金台账第 1 条"), "{:?}", check.problems[1]);
}

#[tokio::test]
async fn a_community_defines_its_own_method_and_a_proposal_runs_through_it() {
    let (t, clock) = world().await;
    let app = t.app();
    // 五线工作法 as an estate writes it: data, not code.
    let json = r#"{"code": "five_lines", "name": "五线工作法", "support": 2, "steps": [
        {"code": "collect", "name": "收集民意", "body": "committee", "artefacts": ["minutes"]},
        {"code": "discuss", "name": "院落议事", "body": "council", "vote": true,
         "artefacts": ["attendance", "vote_record"], "notice_days": 3},
        {"code": "act", "name": "落实", "body": "committee", "artefacts": ["photos"], "limit_days": 30}
    ]}"#;
    let method: WorkMethod = serde_json::from_str(json).expect("a method");
    let admin = app.scoped(t.actor_for(Role::Admin).await);
    let broken = WorkMethod { steps: Vec::new(), ..method.clone() };
    assert_eq!(code_of(&admin.define_work_method(INSIDE, &broken).await.expect_err("no steps")), "invalid_method");
    let shipped_code = WorkMethod { code: "five_step".to_owned(), ..method.clone() };
    assert!(admin.define_work_method(INSIDE, &shipped_code).await.is_err(), "a shipped code");
    assert_eq!(admin.define_work_method(INSIDE, &method).await.expect("defined"), 1);
    let resident = member(&t, "resident_a", INSIDE, Body::Residents).await;
    let neighbour = member(&t, "resident_b", INSIDE, Body::Residents).await;
    assert!(
        app.scoped(resident.clone())
            .work_methods(INSIDE)
            .await
            .expect("methods")
            .iter()
            .any(|m| m.code == "five_lines")
    );
    assert_eq!(admin.work_methods("510104022001").await.expect("elsewhere").len(), shipped().len(), "its own only");
    let committee = member(&t, "estate_committee", INSIDE, Body::Committee).await;
    let council: Vec<Actor> = {
        let mut v = Vec::new();
        for i in 0..3 {
            v.push(member(&t, &format!("estate_council{i}"), INSIDE, Body::Council).await);
        }
        v
    };

    let form = ProposalForm {
        title: "院落停车".to_owned(),
        body: "规划院落停车位".to_owned(),
        origin: Origin::Resident,
        method: "five_lines".to_owned(),
        matter: None,
    };
    let id = app.scoped(resident.clone()).propose(INSIDE, &form).await.expect("proposed").id;
    app.scoped(resident.clone()).support(&id).await.expect("support");
    let p = app.scoped(neighbour).support(&id).await.expect("support");
    assert_eq!((p.status.as_str(), p.method_name.as_str()), ("working", "五线工作法"));
    app.scoped(committee.clone())
        .finish_step(&id, &step("collect", &[Artefact::Minutes], None))
        .await
        .expect("collected");
    let names: Vec<String> = (0..3).map(|i| format!("estate_council{i}")).collect();
    let mf =
        MeetingForm { step: "discuss".to_owned(), agenda: "停车位方案".to_owned(), attendance: names, rule: None };
    let m = app.scoped(committee.clone()).open_meeting(&id, &mf).await.expect("meeting");
    for (c, choice) in council.iter().zip([Choice::Against, Choice::Against, Choice::For]) {
        app.scoped(c.clone()).vote(&m.id, choice).await.expect("vote");
    }
    let m = app.scoped(committee.clone()).close_meeting(&m.id).await.expect("closed");
    assert!(!m.tally.expect("tally").passed);
    let discussed = step("discuss", &[Artefact::Attendance, Artefact::VoteRecord], Some(&m.id));
    let p = app.scoped(council[0].clone()).finish_step(&id, &discussed).await.expect("decided");
    assert_eq!((p.status.as_str(), p.steps[1].state.as_str()), ("rejected", "未通过"), "the vote decided against");
    // A rejected proposal gets no money and moves no further.
    let commit = PaymentForm { meeting: Some(m.id.clone()), ..money("100") };
    assert_eq!(
        code_of(&app.scoped(committee.clone()).commit_funds(&id, &commit).await.expect_err("rejected")),
        "not_passed"
    );
    clock.set(at(12, 1, 10, 0));
    assert!(app.scoped(committee).finish_step(&id, &step("act", &[Artefact::Photos], None)).await.is_err());
}

#[tokio::test]
async fn a_matter_becomes_a_proposal_linked_both_ways() {
    let clock = Arc::new(ManualClock::new(at(11, 2, 10, 0)));
    let t = TestApp::new()
        .with_clock(clock)
        .with_grid()
        .with_categories()
        .with_staff(Role::Resident)
        .with_staff(Role::CommunityWorker)
        .with_account("worker_elsewhere", Role::CommunityWorker, Some("510104022009"))
        .start()
        .await;
    let report = shanzhi_app::matters::IntakeRequest {
        category: "0110".to_owned(),
        lng: Some(shanzhi_testkit::INSIDE_POINT.0),
        lat: Some(shanzhi_testkit::INSIDE_POINT.1),
        description: "院内路灯反复损坏，无部门认领".to_owned(),
        ..shanzhi_app::matters::IntakeRequest::default()
    };
    let matter = t.scoped(t.actor_for(Role::Resident).await).intake(report).await.expect("reported").matter.id;
    let form = ProposalForm {
        title: "院内路灯改造".to_owned(),
        body: "由反复上报的事件转为议题".to_owned(),
        origin: Origin::Matter,
        method: "five_step".to_owned(),
        matter: Some(matter.to_string()),
    };
    let worker = t.scoped(t.actor_for(Role::CommunityWorker).await);
    let p = worker.propose(INSIDE, &form).await.expect("raised from the matter");
    assert_eq!((p.matter.as_deref(), p.status.as_str()), (Some(matter.as_str()), "working"), "no support needed");
    let linked = worker.proposals_of_matter(matter.as_str()).await.expect("the matter's proposals");
    assert_eq!(linked.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), [p.id.as_str()]);
    // Filed under another community: refused; by a worker of another community: refused.
    let elsewhere = worker.propose("510104022009", &form).await;
    assert!(elsewhere.is_err(), "{elsewhere:?}");
    let other = t.scoped(t.actor("worker_elsewhere").await);
    assert!(matches!(other.propose(INSIDE, &form).await, Err(AppError::Forbidden(_))));
    assert!(other.proposals_of_matter(matter.as_str()).await.expect("list").is_empty(), "not theirs to see");
    let no_matter = ProposalForm { matter: None, ..form };
    assert_eq!(code_of(&worker.propose(INSIDE, &no_matter).await.expect_err("which matter?")), "invalid_matter");
}

#[tokio::test]
async fn the_funds_negative_list_refuses_and_its_priority_list_marks() {
    use shanzhi_domain::deliberation::{FundLists, ListItem};
    let (t, _clock) = world().await;
    let app = t.app();
    let party = member(&t, "party_secretary", INSIDE, Body::Party).await;
    let committee = member(&t, "committee_chair", INSIDE, Body::Committee).await;
    let admin = app.scoped(t.actor_for(Role::Admin).await);
    let form = |title: &str, body: &str| ProposalForm {
        title: title.to_owned(),
        body: body.to_owned(),
        origin: Origin::Party,
        method: "five_step".to_owned(),
        matter: None,
    };

    // The city's list: a banquet is refused naming the item, and nothing is written.
    let refused = app.scoped(party.clone()).propose(INSIDE, &form("年底慰问", "社区工作人员年底聚餐")).await;
    let refused = refused.expect_err("a banquet");
    assert_eq!(code_of(&refused), "fund_negative_list");
    let said = refused.message();
    assert!(said.zh.contains("吃喝招待") && said.en.contains("吃喝招待"), "{said:?}");
    assert!(admin.proposals(INSIDE, None).await.expect("list").is_empty(), "nothing written");

    // The community adds its own items: only who administers it, checked whole.
    let own = FundLists {
        negative: vec![ListItem { name: "商业广告".to_owned(), keywords: vec!["广告".to_owned()] }],
        priority: vec![ListItem { name: "适老化改造".to_owned(), keywords: vec!["加装电梯".to_owned()] }],
    };
    let not_yours = app.scoped(committee.clone()).set_fund_lists(INSIDE, &own).await;
    assert!(matches!(not_yours, Err(AppError::Forbidden(_))), "{not_yours:?}");
    let empty =
        FundLists { negative: vec![ListItem { name: String::new(), keywords: vec![] }], ..FundLists::default() };
    let bad = admin.set_fund_lists(INSIDE, &empty).await.expect_err("an empty item");
    assert_eq!(code_of(&bad), "invalid_fund_lists");
    assert_eq!(admin.fund_lists(INSIDE).await.expect("lists").version, 0, "a refused list saved nothing");
    let saved = admin.set_fund_lists(INSIDE, &own).await.expect("saved");
    assert_eq!((saved.version, saved.own.clone()), (1, own.clone()));
    assert!(saved.in_force().negative.len() > own.negative.len(), "the city's items still apply");

    // A priority item marks the proposal 优先, on its own and in the list.
    let lift = app.scoped(party.clone()).propose(INSIDE, &form("3 栋加装电梯", "老人上下楼难")).await.expect("lift");
    assert_eq!(lift.priority.as_deref(), Some("适老化改造"));
    let plain = app.scoped(party.clone()).propose(INSIDE, &form("楼道照明", "灯坏了")).await.expect("plain");
    assert_eq!(plain.priority, None);
    let listed = admin.proposals(INSIDE, None).await.expect("list");
    let marks: Vec<(String, Option<String>)> = listed.into_iter().map(|p| (p.title, p.priority)).collect();
    assert!(marks.contains(&("3 栋加装电梯".to_owned(), Some("适老化改造".to_owned()))), "{marks:?}");
    assert!(marks.contains(&("楼道照明".to_owned(), None)), "{marks:?}");
    let ad = app.scoped(party.clone()).propose(INSIDE, &form("门口广告牌", "租给商家")).await.expect_err("own item");
    assert!(ad.message().zh.contains("商业广告"), "{:?}", ad.message());

    // A commitment is checked against the lists as they stand then.
    let board = app.scoped(party.clone()).propose(INSIDE, &form("社区宣传栏", "更换宣传栏")).await.expect("board");
    let tighter = FundLists {
        negative: vec![ListItem { name: "宣传栏".to_owned(), keywords: vec!["宣传栏".to_owned()] }],
        ..own
    };
    admin.set_fund_lists(INSIDE, &tighter).await.expect("tightened");
    let commit = PaymentForm { meeting: Some("any".to_owned()), ..money("1000") };
    let no = app.scoped(committee.clone()).commit_funds(&board.id, &commit).await.expect_err("now on the list");
    assert_eq!(code_of(&no), "fund_negative_list");
    assert!(no.message().zh.contains("宣传栏"));
}

#[tokio::test]
async fn a_budget_caps_the_commitment_and_each_payment_names_its_line() {
    use shanzhi_app::deliberation::{BudgetForm, BudgetLineForm};
    let (t, _clock) = world().await;
    let app = t.app();
    let json = r#"{"code": "budgeted", "name": "院落议事", "steps": [
        {"code": "decide", "name": "议事会决议", "body": "council", "vote": true, "artefacts": ["vote_record"]},
        {"code": "act", "name": "居委会实施", "body": "committee", "artefacts": ["photos"]}
    ]}"#;
    let admin = app.scoped(t.actor_for(Role::Admin).await);
    admin.define_work_method(INSIDE, &serde_json::from_str(json).expect("method")).await.expect("defined");
    let party = member(&t, "party_a", INSIDE, Body::Party).await;
    let committee = member(&t, "committee_a", INSIDE, Body::Committee).await;
    let mut council = Vec::new();
    for i in 0..2 {
        council.push(member(&t, &format!("council{i}"), INSIDE, Body::Council).await);
    }
    let resident = member(&t, "resident_a", INSIDE, Body::Residents).await;
    let allocation = PaymentForm {
        source: Some(FundSource::City),
        reference: Some("成社治发〔2026〕1号".to_owned()),
        ..money("200,000")
    };
    admin.allocate_funds(INSIDE, &allocation).await.expect("allocated");
    let form = ProposalForm {
        title: "3 栋楼道改造".to_owned(),
        body: "楼道墙面与扶手".to_owned(),
        origin: Origin::Party,
        method: "budgeted".to_owned(),
        matter: None,
    };
    let id = app.scoped(party).propose(INSIDE, &form).await.expect("proposed").id;
    let lines = |l: &[(&str, &str)]| BudgetForm {
        lines: l.iter().map(|(i, a)| BudgetLineForm { item: (*i).to_owned(), amount: (*a).to_owned() }).collect(),
    };

    // The council sets it at its decision; not a resident; checked whole.
    let budget = lines(&[("墙面", "150,000"), ("扶手", "30,000")]);
    let not_theirs = app.scoped(resident).set_budget(&id, &budget).await;
    assert!(matches!(not_theirs, Err(AppError::Forbidden(_))), "{not_theirs:?}");
    let bad = app.scoped(council[0].clone()).set_budget(&id, &lines(&[("墙面", "x"), ("", "1")])).await;
    assert_eq!(code_of(&bad.expect_err("malformed")), "invalid_budget");
    let p = app.scoped(council[0].clone()).set_budget(&id, &budget).await.expect("set");
    let b = p.budget.expect("a budget");
    assert_eq!((b.total.as_str(), b.step.as_str(), b.lines.len()), ("180,000.00", "议事会决议", 2));
    let names: Vec<String> = (0..2).map(|i| format!("council{i}")).collect();
    let mf =
        MeetingForm { step: "decide".to_owned(), agenda: "楼道改造".to_owned(), attendance: names, rule: None };
    let m = app.scoped(committee.clone()).open_meeting(&id, &mf).await.expect("meeting");
    for c in &council {
        app.scoped(c.clone()).vote(&m.id, Choice::For).await.expect("vote");
    }
    app.scoped(committee.clone()).close_meeting(&m.id).await.expect("closed");
    let decided = step("decide", &[Artefact::VoteRecord], Some(&m.id));
    app.scoped(council[0].clone()).finish_step(&id, &decided).await.expect("decided");

    // The commitment within the decided total.
    let committee = app.scoped(committee);
    let over = PaymentForm { meeting: Some(m.id.clone()), ..money("180,000.01") };
    assert_eq!(code_of(&committee.commit_funds(&id, &over).await.expect_err("over")), "over_budget");
    let commit = PaymentForm { meeting: Some(m.id.clone()), ..money("180,000") };
    committee.commit_funds(&id, &commit).await.expect("committed");
    let less = committee.set_budget(&id, &lines(&[("墙面", "100,000")])).await.expect_err("below");
    assert_eq!(code_of(&less), "budget_below_committed");

    // Each payment names its line and stays within it.
    let pay = |amount: &str, line: Option<&str>| PaymentForm {
        voucher: Some("记-9".to_owned()),
        payee: Some("施工队".to_owned()),
        line: line.map(str::to_owned),
        ..money(amount)
    };
    for (form, want) in [
        (pay("1000", None), "no_budget_line"),
        (pay("1000", Some("监理")), "no_budget_line"),
        (pay("30,000.01", Some("扶手")), "over_budget_line"),
    ] {
        assert_eq!(code_of(&committee.pay_funds(&id, &form).await.expect_err(want)), want);
    }
    committee.pay_funds(&id, &pay("20,000", Some("扶手"))).await.expect("paid");
    let over_line = committee.pay_funds(&id, &pay("10,000.01", Some("扶手"))).await.expect_err("left 10,000");
    assert_eq!(code_of(&over_line), "over_budget_line");
    let p = committee.proposal(&id).await.expect("proposal");
    let paid: Vec<(String, String)> = p.budget.expect("budget").lines.into_iter().map(|l| (l.item, l.paid)).collect();
    assert_eq!(paid, [("墙面".to_owned(), "0.00".to_owned()), ("扶手".to_owned(), "20,000.00".to_owned())]);
    let fund = committee.fund(INSIDE).await.expect("fund");
    assert!(fund.lines.iter().any(|l| l.kind == "支付" && l.detail.contains("预算项目 扶手")), "{:?}", fund.lines);
}
