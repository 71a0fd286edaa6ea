//! `shanzhi audit verify` over deliberation: a council vote and a fund
//! ledger entry verify as written, and each one changed in the database is
//! named. On the backend SHANZHI_TEST_BACKEND names.

use crate::support::{shanzhi, text};
use shanzhi_app::deliberation::{MeetingForm, MemberForm, PaymentForm, ProposalForm, StepForm};
use shanzhi_app::timing::ManualClock;
use shanzhi_domain::Role;
use shanzhi_domain::deliberation::{Artefact, Body, Choice, Origin};
use shanzhi_testkit::{INSIDE, TestApp};

#[tokio::test]
async fn a_changed_vote_or_ledger_entry_fails_audit_verify() {
    // Monday 2026-11-02 10:00 in Beijing.
    let clock = std::sync::Arc::new(ManualClock::new(jiff::Timestamp::from_second(1_793_584_800).expect("time")));
    let t = TestApp::new().with_clock(clock.clone()).with_grid().start().await;
    let op = t.operator().scoped("test");
    for (name, body) in [("party_a", Body::Party), ("council_a", Body::Council), ("committee_a", Body::Committee)] {
        t.add_account(name, Role::Resident, None).await;
        let form = MemberForm { body, username: name.to_owned(), from: Some("2025-01-01".to_owned()), to: None };
        op.appoint_member(INSIDE, &form).await.expect("appointed");
    }
    let allocation = PaymentForm {
        reference: Some("成社治发〔2026〕1号".to_owned()),
        amount: "1000".to_owned(),
        ..PaymentForm::default()
    };
    op.allocate_funds(INSIDE, &allocation).await.expect("allocated");
    let app = t.app();
    let party = app.scoped(t.actor("party_a").await);
    let form = ProposalForm {
        title: "修缮院落".to_owned(),
        body: "院落地面破损".to_owned(),
        origin: Origin::Party,
        method: "five_step".to_owned(),
        matter: None,
    };
    let id = party.propose(INSIDE, &form).await.expect("proposed").id;
    let step = StepForm { step: "propose".to_owned(), artefacts: vec![Artefact::Minutes], meeting: None };
    party.finish_step(&id, &step).await.expect("proposed");
    clock.set(jiff::Timestamp::from_second(1_793_584_800 + 8 * 86_400).expect("time"));
    party.end_notice(&id).await.expect("notice over");
    let meeting = MeetingForm {
        step: "decide".to_owned(),
        agenda: "审议".to_owned(),
        attendance: vec!["council_a".to_owned()],
        rule: None,
    };
    let m = app.scoped(t.actor("committee_a").await).open_meeting(&id, &meeting).await.expect("meeting");
    app.scoped(t.actor("council_a").await).vote(&m.id, Choice::Against).await.expect("vote");

    let cwd = tempfile::tempdir().expect("cwd");
    let verify = || shanzhi(cwd.path()).args(["audit", "verify"]).args(&t.db().cli_args).output().expect("run shanzhi");
    let ok = verify();
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    assert!(
        text(&ok.stdout).contains("deliberation intact: 1 votes, 1 fund ledgers with 1 entries"),
        "{}",
        text(&ok.stdout)
    );

    t.db().execute_raw("UPDATE meeting_votes SET choice = 'for' WHERE seq = 1").await;
    t.db().execute_raw("UPDATE fund_ledger SET posting = REPLACE(posting, '100000', '900000') WHERE seq = 1").await;
    let out = verify();
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(err.contains("vote 1 (meeting") && err.contains("was changed after it was cast"), "{err}");
    assert!(err.contains(&format!("the fund ledger of community {INSIDE}, entry 1")), "{err}");
}
