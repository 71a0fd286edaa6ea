//! What the deliberation pages share: dates as Chengdu reads them, a
//! proposal's notices, and the stage of a proposal in the viewer's words.

use axum::extract::Request;
use axum::response::Response;
use shanzhi_app::deliberation::{ProposalView, StepView};

use crate::AppState;
use crate::ui::form::{FormData, expired};
use crate::ui::{Tr, Viewer, refusal, to_login};

/// A posted form of a signed-in viewer with the session's CSRF token, or
/// the page to answer instead (sign in first, or the refusal).
pub async fn posted(
    state: &AppState,
    viewer: &Viewer,
    tr: Tr,
    back: &str,
    request: Request,
) -> Result<FormData, Response> {
    if !viewer.signed_in() {
        return Err(to_login(back));
    }
    let form = FormData::read(request, state).await.map_err(|e| refusal(tr, viewer, &e))?;
    if !viewer.csrf_ok(Some(&form.field("csrf"))) {
        return Err(refusal(tr, viewer, &expired()));
    }
    Ok(form)
}

/// A notice (公示) of one step of a proposal.
#[derive(Debug, Clone)]
pub struct Notice {
    pub proposal: String,
    pub title: String,
    pub step: String,
    pub start: String,
    pub end: String,
}

/// A day and time in Beijing: `2026-11-28 10:30`.
pub fn day(iso: &str) -> String {
    iso.parse::<jiff::Timestamp>()
        .map(|t| {
            t.to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8))).strftime("%Y-%m-%d %H:%M").to_string()
        })
        .unwrap_or_default()
}

/// A step's name: Chinese, with the English after it on the English pages.
pub fn step_name(tr: Tr, s: &StepView) -> String {
    if tr.en && !s.name_en.is_empty() { format!("{} ({})", s.name, s.name_en) } else { s.name.clone() }
}

/// The notices of a proposal (only the running ones if `running_only`).
pub fn notices_of(tr: Tr, p: &ProposalView, running_only: bool) -> Vec<Notice> {
    p.steps
        .iter()
        .filter_map(|s| {
            let (start, end) = (s.notice_start.as_deref()?, s.notice_end.as_deref()?);
            let running = s.state == "公示中";
            (running || !running_only).then(|| Notice {
                proposal: p.id.clone(),
                title: p.title.clone(),
                step: step_name(tr, s),
                start: day(start),
                end: day(end),
            })
        })
        .collect()
}

/// A proposal's status in the viewer's language.
pub fn status(tr: Tr, status: &str) -> &'static str {
    match status {
        "gathering" => tr.t("征集附议", "Gathering support"),
        "working" => tr.t("办理中", "Under way"),
        "noticed" => tr.t("公示中", "On public notice"),
        "done" => tr.t("已办结", "Done"),
        "rejected" => tr.t("未通过", "Not passed"),
        _ => tr.t("已撤回", "Withdrawn"),
    }
}

/// A step's state (待办 / 办理中 / 公示中 / 已完成 / 未通过) in the viewer's language.
pub fn step_state(tr: Tr, state: &str) -> &'static str {
    match state {
        "办理中" => tr.t("办理中", "Under way"),
        "公示中" => tr.t("公示中", "On notice"),
        "已完成" => tr.t("已完成", "Done"),
        "未通过" => tr.t("未通过", "Not passed"),
        _ => tr.t("待办", "To come"),
    }
}
