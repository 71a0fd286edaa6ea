//! `/track` (进度查询): follow a matter by its number — what the public may
//! see of it (the Open311 view), or everything for its reporter, who can
//! rate it once it is closed. A signed-in resident also sees their reports.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use shanzhi_app::matters::MatterFilter;
use shanzhi_app::open311::RequestInfo;
use shanzhi_domain::{CommandKind, MatterState, Stage};

use super::{Row, local, unit_name};
use crate::AppState;
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page};

#[derive(Template)]
#[template(path = "track.html")]
struct TrackPage {
    tr: Tr,
    nav: Nav,
    number: String,
    found: Option<RequestInfo>,
    requested: String,
    /// Who handles it, once it was dispatched: before that the matter waits
    /// for intake, and no unit has taken it on (承办).
    holder: Option<String>,
    notes: Vec<(String, String, String)>,
    can_rate: bool,
    /// The anonymous reporter's key, when it matches and the matter awaits rating.
    key_rate: Option<String>,
    mine: Vec<Row>,
    /// A signed-in resident followed an anonymous report's private link:
    /// they may claim it (认领) with this key.
    claim_key: Option<String>,
    not_found: bool,
    /// When the stage in force is due, in words (see [`expected`]).
    expected: Option<String>,
    /// "Your rating is entry N of the log, in the checkpoint signed at T".
    receipt: Option<(u64, bool, Option<String>)>,
}

#[derive(Debug, Deserialize)]
pub struct TrackQuery {
    number: Option<String>,
    key: Option<String>,
}

pub async fn track(State(state): State<AppState>, viewer: Viewer, tr: Tr, Query(q): Query<TrackQuery>) -> Response {
    let scoped = state.app.scoped(viewer.actor.clone());
    let number = q.number.as_deref().map(str::trim).unwrap_or_default().to_owned();
    let found = match (number.is_empty(), q.key.as_deref()) {
        (true, _) => None,
        (false, Some(key)) => scoped.request_with_key(&number, key).await.ok().flatten(),
        (false, None) => scoped.open311_request(&number, true).await.ok(),
    };
    let mut can_rate = false;
    if let Some(r) = &found
        && viewer.signed_in()
        && let Ok(m) = scoped.matter(&r.service_request_id).await
    {
        can_rate = m.allowed_commands.contains(&CommandKind::Rate) && m.state.as_str() == "closed";
    }
    // Found with the key means the key is the reporter's (it is checked by
    // its hash); it may rate once the matter is closed.
    let key_rate = match (&found, q.key.as_deref()) {
        (Some(r), Some(k)) if r.extended.as_ref().is_some_and(|x| x.detailed_status == "closed") => Some(k.to_owned()),
        _ => None,
    };
    let mut notes = Vec::new();
    for n in found.as_ref().and_then(|r| r.extended.as_ref()).map(|x| x.notes.as_slice()).unwrap_or_default() {
        let kind = if n.r#type == "submitted" { "report" } else { n.r#type.as_str() };
        let text = named_unit(&state, tr, n.description.clone().unwrap_or_default()).await;
        notes.push((local(&n.datetime), tr.command(kind).to_owned(), text));
    }
    let receipt = match &found {
        Some(r) => state.app.log_receipt(&r.service_request_id).await.ok().flatten(),
        None => None,
    }
    .map(|r| (r.entry, r.is_rating, r.checkpoint_issued_at.map(|t| local(&t.to_string()))));
    let mine = if viewer.has(shanzhi_domain::Role::Resident) {
        let query = MatterFilter { limit: Some(20), ..MatterFilter::default() };
        scoped.matters(&query, None).await.map(|p| p.items.iter().map(Row::from_view).collect()).unwrap_or_default()
    } else {
        Vec::new()
    };
    let claim_key = match (&found, q.key.as_deref()) {
        (Some(r), Some(k))
            if viewer.has(shanzhi_domain::Role::Resident) && !mine.iter().any(|m| m.number == r.service_request_id) =>
        {
            Some(k.to_owned())
        }
        _ => None,
    };
    let holder = found.as_ref().and_then(|r| {
        let state = r.extended.as_ref()?.detailed_status.parse::<MatterState>().ok()?;
        if state.is_handled() { r.agency_responsible.clone() } else { None }
    });
    let expected = found.as_ref().and_then(|r| expected(tr, r, state.app.now()));
    page(TrackPage {
        tr,
        holder,
        expected,
        nav: viewer.nav(tr),
        not_found: !number.is_empty() && found.is_none(),
        requested: found.as_ref().map(|r| local(&r.requested_datetime)).unwrap_or_default(),
        number,
        found,
        notes,
        can_rate,
        key_rate,
        mine,
        claim_key,
        receipt,
    })
}

/// When the stage the matter is in is due, said honestly: that stage's
/// deadline on the working-day calendar (the Open311 `expected_datetime`),
/// not a promise for the whole matter; nothing while no clock runs (parked,
/// closed).
fn expected(tr: Tr, r: &RequestInfo, now: jiff::Timestamp) -> Option<String> {
    let state = r.extended.as_ref()?.detailed_status.parse::<MatterState>().ok()?;
    let stage = Stage::of(state).filter(|_| state != MatterState::Parked)?;
    let due = r.expected_datetime.as_deref()?.parse::<jiff::Timestamp>().ok()?;
    let z = due.to_zoned_datetime(shanzhi_domain::calendar::china());
    let name = super::supervise::stage_label(tr, stage);
    let zh = format!("{}月{}日 {:02}:{:02}", z.month(), z.day(), z.hour(), z.minute());
    let en = z.strftime("%-d %b %H:%M");
    Some(match (due > now, tr.en) {
        (true, false) => {
            format!("预计 {zh} 前完成“{name}”环节（这是当前环节按工作日计算的办理时限，之后的环节另有时限）")
        }
        (true, true) => {
            format!(
                "Expected by {en}: the deadline of the current stage ({name}) on working days; later stages have their own"
            )
        }
        (false, false) => format!("“{name}”环节应于 {zh} 前完成，已超期"),
        (false, true) => format!("The current stage ({name}) was due by {en}: overdue"),
    })
}

/// The sweep's note on an overdue matter ends with the unit that held it,
/// as recorded (`责任单位 department:510104-chengguan`): said by name here.
async fn named_unit(state: &AppState, tr: Tr, text: String) -> String {
    const HELD_BY: &str = "责任单位 ";
    let Some(at) = text.rfind(HELD_BY) else { return text };
    let raw = &text[at + HELD_BY.len()..];
    let department = match raw.strip_prefix("department:") {
        Some(code) => state.app.department_name(code).await.ok().flatten(),
        None => None,
    };
    let name = unit_name(tr, raw, |_| department.clone(), tr.t("本社区", "the community"));
    format!("{}{HELD_BY}{name}", &text[..at])
}

#[derive(Debug, Deserialize)]
pub struct RateForm {
    number: String,
    key: String,
    rating: String,
    reason: Option<String>,
}

/// `POST /track/rate`: the reporter without an account rates with their key.
pub async fn rate(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    axum::extract::Form(f): axum::extract::Form<RateForm>,
) -> Response {
    let reason = f.reason.filter(|r| !r.trim().is_empty());
    let args = serde_json::json!({"rating": f.rating, "reason": reason});
    match state.app.scoped(viewer.actor.clone()).rate_as_reporter(&f.number, &f.key, args).await {
        Ok(m) => axum::response::IntoResponse::into_response(axum::response::Redirect::to(&format!(
            "/track?number={}",
            m.number
        ))),
        Err(e) => crate::ui::refusal(tr, &viewer, &e),
    }
}
