//! `/c/{code}/p/{id}`: one proposal — the steps of its method with what
//! each produced (vote tallies, milestones, survey, supervisory notes), its
//! notices and objections, and the forms of what the viewer may do now
//! (the app decides which); `/c/{code}/p/{id}/notice` is the printable A4
//! notice sheet; `POST /c/{code}/p/{id}/do/{action}` runs one action.

use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shanzhi_app::AppError;
use shanzhi_app::deliberation::{
    BudgetForm, BudgetLineForm, MeetingForm, MeetingView, NoteForm, PaymentForm, ProposalScreen, StepForm,
};
use shanzhi_domain::deliberation::{Artefact, Choice};

use super::community::message;
use super::deliberation::{Notice, day, notices_of, posted, status, step_name, step_state};
use crate::AppState;
use crate::ui::form::{FormData, bad};
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal};

/// One step as the page shows it.
struct StepRow {
    name: String,
    body: String,
    state: &'static str,
    running: bool,
    done: String,
    artefacts: String,
    notice: String,
    /// Meetings, milestones, survey, supervisory notes and objections of the step.
    /// Meetings and notes: the line, and the note's photos (links).
    records: Vec<(String, Vec<String>)>,
}

/// The fields of the action forms, kept after a refusal.
#[derive(Debug, Default)]
struct Kept {
    text: String,
    agenda: String,
    attendance: String,
    amount: String,
    voucher: String,
    payee: String,
    percent: String,
    kind: String,
    /// The budget's lines as typed ("项目 金额" a line).
    budget: String,
}

#[derive(Template)]
#[template(path = "proposal.html")]
struct ProposalPage {
    tr: Tr,
    nav: Nav,
    code: String,
    s: ProposalScreen,
    status: &'static str,
    steps: Vec<StepRow>,
    notices: Vec<Notice>,
    /// Closed meetings whose vote passed: (id, label).
    decisions: Vec<(String, String)>,
    comments: Vec<(String, String, String)>,
    kept: Kept,
    error: Option<String>,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "notice_sheet.html")]
struct NoticeSheet {
    tr: Tr,
    s: ProposalScreen,
    status: &'static str,
    steps: Vec<StepRow>,
    notices: Vec<Notice>,
}

fn meeting_line(tr: Tr, m: &MeetingView) -> String {
    let head = format!("{} {}：{}", tr.t("会议", "Meeting"), day(&m.held_at), m.agenda);
    let line = meeting_result(tr, m, head);
    if m.secret {
        // Who took part, never what anyone chose.
        format!(
            "{line}；{}：{}",
            tr.t("无记名投票，参与投票", "secret ballot, voted"),
            if m.voters.is_empty() { tr.t("无", "nobody").to_owned() } else { m.voters.join("、") }
        )
    } else {
        line
    }
}

fn meeting_result(tr: Tr, m: &MeetingView, head: String) -> String {
    match &m.tally {
        Some(t) => format!(
            "{head}；{} {} / {} {}；{} {}，{} {}，{} {}；{}",
            tr.t("应到", "members"),
            t.members,
            tr.t("实到", "present"),
            t.present,
            tr.t("同意", "for"),
            t.for_,
            tr.t("反对", "against"),
            t.against,
            tr.t("弃权", "abstain"),
            t.abstain,
            match (t.quorate, t.passed) {
                (false, _) => tr.t("不足法定人数", "no quorum"),
                (true, true) => tr.t("通过", "passed"),
                (true, false) => tr.t("未通过", "not passed"),
            }
        ),
        None => format!(
            "{head}；{} {}，{} {}",
            tr.t("表决进行中，已投", "vote open, votes cast"),
            m.votes.len().max(m.voters.len()),
            tr.t("到会", "present"),
            m.present.join("、")
        ),
    }
}

fn steps_of(tr: Tr, s: &ProposalScreen) -> Vec<StepRow> {
    s.proposal
        .steps
        .iter()
        .map(|st| {
            let mut records: Vec<(String, Vec<String>)> =
                s.meetings.iter().filter(|m| m.step == st.code).map(|m| (meeting_line(tr, m), Vec::new())).collect();
            for r in s.remarks.iter().filter(|r| r.step.as_deref() == Some(st.code.as_str())) {
                let percent = r.percent.map(|p| format!(" {p}%")).unwrap_or_default();
                let line = format!("{}{percent}（{}，{}）：{}", r.kind, r.author, day(&r.at), r.text);
                records.push((line, r.images.iter().map(|i| i.href.clone()).collect()));
            }
            StepRow {
                name: step_name(tr, st),
                body: st.body_name.clone(),
                state: step_state(tr, &st.state),
                running: st.state == "办理中" || st.state == "公示中",
                done: match (&st.done_by, &st.done_at) {
                    (Some(by), Some(at)) => format!("{by} · {}", day(at)),
                    (None, Some(at)) => day(at),
                    _ => String::new(),
                },
                artefacts: st.artefacts.join("、"),
                notice: match (&st.notice_start, &st.notice_end) {
                    (Some(a), Some(b)) => format!("{} — {}", day(a), day(b)),
                    _ => String::new(),
                },
                records,
            }
        })
        .collect()
}

fn render(
    tr: Tr,
    viewer: &Viewer,
    code: &str,
    s: ProposalScreen,
    kept: Kept,
    error: Option<String>,
    done: Option<String>,
) -> Response {
    let decisions = s
        .meetings
        .iter()
        .filter(|m| m.tally.as_ref().is_some_and(|t| t.passed))
        .map(|m| (m.id.clone(), format!("{} {}", day(&m.held_at), m.agenda)))
        .collect();
    let comments =
        s.remarks.iter().filter(|r| r.kind == "评论").map(|r| (r.author.clone(), day(&r.at), r.text.clone())).collect();
    page(ProposalPage {
        tr,
        nav: viewer.nav(tr),
        code: code.to_owned(),
        status: status(tr, &s.proposal.status),
        steps: steps_of(tr, &s),
        notices: notices_of(tr, &s.proposal, false),
        decisions,
        comments,
        s,
        kept,
        error,
        done,
    })
}

#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    done: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path((code, id)): Path<(String, String)>,
    Query(q): Query<ShowQuery>,
) -> Response {
    // Only an action's own name makes a notice: the text is ours, never the URL's.
    let done = q.done.and_then(|d| action_label(tr, &d)).map(str::to_owned);
    match state.app.scoped(viewer.actor.clone()).proposal_screen(&code, &id).await {
        Ok(s) => render(tr, &viewer, &code, s, Kept::default(), None, done),
        Err(e) => refusal(tr, &viewer, &e),
    }
}

/// The printable A4 notice sheet for the notice board.
pub async fn notice_sheet(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path((code, id)): Path<(String, String)>,
) -> Response {
    match state.app.scoped(viewer.actor.clone()).proposal_screen(&code, &id).await {
        Ok(s) => page(NoticeSheet {
            tr,
            status: status(tr, &s.proposal.status),
            steps: steps_of(tr, &s),
            notices: notices_of(tr, &s.proposal, false),
            s,
        }),
        Err(e) => refusal(tr, &viewer, &e),
    }
}

/// A photo of a note of a proposal the viewer may read (public once noticed).
pub async fn image(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path((code, id, image)): Path<(String, String, String)>,
) -> Response {
    let photo = state.app.scoped(viewer.actor.clone()).note_image(&code, &id, &image).await;
    super::cases::photo_or_refusal(tr, &viewer, photo)
}

/// The budget form's lines: "项目 金额" each (the amount after the last
/// space or colon); no more lines read than a budget may have, plus one so
/// the use case says there are too many.
fn budget_lines(text: &str) -> BudgetForm {
    let max = shanzhi_domain::deliberation::budget::MAX_LINES + 1;
    let lines = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(max)
        .map(|l| {
            let (item, amount) = l.rsplit_once([' ', '\t', ':', '：']).unwrap_or((l, ""));
            BudgetLineForm { item: item.trim().to_owned(), amount: amount.trim().to_owned() }
        })
        .collect();
    BudgetForm { lines }
}

fn action_label(tr: Tr, action: &str) -> Option<&'static str> {
    Some(match action {
        "support" => tr.t("已附议。", "Supported."),
        "comment" => tr.t("评论已发表。", "Comment posted."),
        "object" => tr.t("异议已提交。", "Objection lodged."),
        "vote" => tr.t("已表决。", "Vote cast."),
        "close" => tr.t("表决已结束。", "Vote closed."),
        "finish" => tr.t("本步骤已办结。", "Step finished."),
        "convene" => tr.t("会议已召开。", "Meeting opened."),
        "note" => tr.t("记录已保存。", "Note recorded."),
        "commit" => tr.t("资金已安排。", "Money committed."),
        "pay" => tr.t("支付已登记。", "Payment recorded."),
        "budget" => tr.t("预算已保存。", "Budget saved."),
        "end_notice" => tr.t("公示已结束，进入下一步。", "Notice ended: on to the next step."),
        "withdraw" => tr.t("提议已撤回。", "Withdrawn."),
        _ => return None,
    })
}

/// Run one action with the form's fields.
async fn run(
    scoped: &shanzhi_app::access::Scoped<'_>,
    id: &str,
    action: &str,
    form: &FormData,
) -> Result<(), AppError> {
    let money = |with_meeting: bool| PaymentForm {
        amount: form.field("amount"),
        meeting: with_meeting.then(|| form.field("meeting")),
        voucher: form.filled("voucher"),
        payee: form.filled("payee"),
        line: form.filled("line"),
        ..PaymentForm::default()
    };
    match action {
        "support" => scoped.support(id).await.map(drop),
        "comment" => scoped.comment(id, &form.field("text")).await.map(drop),
        "object" => scoped.object(id, &form.field("text")).await.map(drop),
        "withdraw" => scoped.withdraw(id).await.map(drop),
        "end_notice" => scoped.end_notice(id).await.map(drop),
        "vote" => {
            let choice = form
                .field("choice")
                .parse::<Choice>()
                .map_err(|_| bad("请选择同意、反对或弃权", "choose for, against or abstain"))?;
            scoped.vote(&form.field("meeting"), choice).await.map(drop)
        }
        "close" => scoped.close_meeting(&form.field("meeting")).await.map(drop),
        "finish" => {
            let mut artefacts = Vec::new();
            for a in form.all("artefact") {
                artefacts.push(
                    a.parse::<Artefact>().map_err(|e| AppError::BadRequest { code: "invalid_form", message: e })?,
                );
            }
            let step = StepForm { step: form.field("step"), artefacts, meeting: form.filled("meeting") };
            scoped.finish_step(id, &step).await.map(drop)
        }
        "convene" => {
            let attendance = form
                .field("attendance")
                .split(|c: char| c.is_whitespace() || c == ',' || c == '，' || c == '、')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            let meeting =
                MeetingForm { step: form.field("step"), agenda: form.field("agenda"), attendance, rule: None };
            scoped.open_meeting(id, &meeting).await.map(drop)
        }
        "note" => {
            let percent = match form.filled("percent") {
                Some(p) => Some(
                    p.parse::<u8>()
                        .map_err(|_| bad("百分比应为 0–100 的整数", "a percentage is a whole number 0–100"))?,
                ),
                None => None,
            };
            // New photos are stored (each checked as a matter's photo is)
            // only once the note and every photo are sound.
            let note = NoteForm { kind: form.field("kind"), text: form.field("text"), percent, images: Vec::new() };
            scoped.add_note_with_photos(id, &note, &form.files_of("photos")).await.map(drop)
        }
        "commit" => scoped.commit_funds(id, &money(true)).await.map(drop),
        "pay" => scoped.pay_funds(id, &money(false)).await.map(drop),
        "budget" => scoped.set_budget(id, &budget_lines(&form.field("budget"))).await.map(drop),
        _ => Err(AppError::not_found("unknown_action", "没有这项操作", "no such action")),
    }
}

pub async fn act(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path((code, id, action)): Path<(String, String, String)>,
    request: Request,
) -> Response {
    let here = format!("/c/{code}/p/{id}");
    let form = match posted(&state, &viewer, tr, &here, request).await {
        Ok(f) => f,
        Err(page) => return page,
    };
    let scoped = state.app.scoped(viewer.actor.clone());
    // The proposal must be this community's before anything is done to it.
    if let Err(e) = scoped.proposal_screen(&code, &id).await {
        return refusal(tr, &viewer, &e);
    }
    match run(&scoped, &id, &action, &form).await {
        Ok(()) => Redirect::to(&format!("{here}?done={action}")).into_response(),
        Err(e) => {
            let kept = Kept {
                text: form.field("text"),
                agenda: form.field("agenda"),
                attendance: form.field("attendance"),
                amount: form.field("amount"),
                voucher: form.field("voucher"),
                payee: form.field("payee"),
                percent: form.field("percent"),
                kind: form.field("kind"),
                budget: form.field("budget"),
            };
            match scoped.proposal_screen(&code, &id).await {
                Ok(s) => {
                    let mut r = render(tr, &viewer, &code, s, kept, Some(message(tr, &e)), None);
                    *r.status_mut() = crate::error::status_of(&e);
                    r
                }
                Err(e) => refusal(tr, &viewer, &e),
            }
        }
    }
}
