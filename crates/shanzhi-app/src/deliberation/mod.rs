//! 以事聚人、聚人成事: residents decide together. A community's bodies
//! (Party organisation, council, committee, supervisory committee, and its
//! residents) are people with terms; a proposal runs through a work method
//! (shipped or the community's own, as data) step by step, each step taken
//! by its body, decided by a vote where the method says, publicly noticed
//! where it says; the community fund pays only what a decision committed.
//!
//! Who sees what: a community's members see its proposals; staff whose
//! scope covers the community (the town, 社治委) see their subtree; a
//! proposal with a notice posted is public, one without is not.

mod budget;
mod fund;
mod fund_lists;
mod fund_sheet;
mod meetings;
mod members;
mod notes;
mod proposals;
mod screen;
mod verify;

use jiff::civil::Date;
use shanzhi_domain::deliberation::Body;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{Action, DivisionCode, DivisionLevel, Place};

pub use budget::{BudgetForm, BudgetLineForm, BudgetLineView, BudgetView};
pub use fund::{Allocated, FundView, LedgerLine, PaymentForm};
pub use fund_lists::FundListsView;
pub use fund_sheet::{LEDGER_HEADERS, LEDGER_SHEET};
pub use meetings::{MeetingForm, MeetingView, VoteView};
pub use members::{MemberForm, MemberView};
pub use notes::{NoteForm, NoteImage};
pub use proposals::{ProposalForm, ProposalView, RemarkView, StepForm, StepView};
pub use screen::{Allowed, CommunityScreen, ProposalScreen};
pub use verify::{DeliberationCheck, verify_deliberation};

use crate::access::{Scoped, Via};
use crate::{AppError, AppResult};

/// Longest title, text of a proposal, comment, objection or note (characters).
pub const MAX_TITLE: usize = 100;
pub const MAX_TEXT: usize = 5000;

pub(crate) fn conflict(code: &'static str, zh: &str, en: &str) -> AppError {
    AppError::Conflict { code, message: Bilingual::new(zh, en), details: None }
}

/// Text a person typed: trimmed, 1..=`max` characters, no control
/// characters but line breaks.
pub(crate) fn text(what: (&str, &str), value: &str, max: usize) -> AppResult<String> {
    let t = value.trim();
    let n = t.chars().count();
    if n == 0 || n > max || t.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(AppError::bad_request(
            "invalid_text",
            format!("{}应为 1–{max} 个字", what.0),
            format!("the {} must be 1–{max} characters", what.1),
        ));
    }
    Ok(t.to_owned())
}

/// Every problem found, said at once (`；` between them in Chinese).
pub(crate) fn all_of(errors: &[Bilingual]) -> Bilingual {
    let zh: Vec<&str> = errors.iter().map(|e| e.zh.as_str()).collect();
    let en: Vec<&str> = errors.iter().map(|e| e.en.as_str()).collect();
    Bilingual::new(zh.join("；"), en.join("; "))
}

/// A community code as given: a division at the community level.
pub fn community_code(code: &str) -> AppResult<DivisionCode> {
    let c = DivisionCode::parse(code.trim())
        .map_err(|e| AppError::BadRequest { code: "invalid_community", message: e.message(code.trim()) })?;
    if c.level() != DivisionLevel::Community {
        return Err(AppError::bad_request(
            "invalid_community",
            format!("“{code}”不是社区（村）代码"),
            format!("not a community (village) code: {code}"),
        ));
    }
    Ok(c)
}

fn not_found() -> AppError {
    AppError::not_found("proposal_not_found", "议题不存在，或您无权查看", "no such proposal, or not yours to see")
}

impl Scoped<'_> {
    /// Today in Beijing, on the application's clock.
    pub(crate) fn day(&self) -> Date {
        self.app.now().to_zoned_datetime(shanzhi_domain::calendar::china()).date()
    }

    fn is_system(&self) -> bool {
        self.actor.via == Via::System
    }

    /// Staff whose scope covers the community (the community's workers, the
    /// town, the district, 社治委): they see it.
    pub(crate) fn oversees(&self, community: &str) -> bool {
        let Ok(code) = DivisionCode::parse(community) else { return false };
        let place = Place::Division(code);
        let day = self.day();
        self.is_system()
            || self.actor.grants.iter().any(|g| {
                g.role.is_staff() && g.term.contains(day) && g.scope.as_ref().is_some_and(|s| s.covers(&place))
            })
    }

    /// Administers the community's deliberation: appoints members, defines
    /// methods, records allocations (those who manage people there).
    pub(crate) fn administers(&self, community: &str) -> AppResult<()> {
        let code = community_code(community)?;
        self.require(Action::ManagePeople, &Place::Division(code))
    }

    /// The bodies of `community` the caller belongs to today.
    pub(crate) async fn bodies_in(&self, community: &str) -> AppResult<Vec<Body>> {
        let Some(user) = self.actor.user_id() else { return Ok(Vec::new()) };
        let day = self.day().to_string();
        let mine = self.app.store.memberships(user, &day).await?;
        Ok(mine.into_iter().filter(|m| m.community == community).map(|m| m.body).collect())
    }

    /// The caller belongs to `body` of `community` today, or is refused.
    pub(crate) async fn require_body(&self, community: &str, body: Body) -> AppResult<()> {
        if self.bodies_in(community).await?.contains(&body) {
            return Ok(());
        }
        Err(AppError::Forbidden(Bilingual::new(
            format!("此事须由本社区{}成员办理", body.label_zh()),
            format!("only members of this community's {} may do this", body.label_en()),
        )))
    }
}
