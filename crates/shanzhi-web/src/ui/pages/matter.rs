//! `/m/{id}`: one matter — facts, photos, the whole timeline, and a form for
//! each command this viewer may give now (nothing else is offered).
//! `/m/{id}/do/{command}` runs one (multipart, so a response can carry photos).

use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use shanzhi_app::AppError;
use shanzhi_app::matters::{EventView, MatterScreen, MatterView, SuggestionSource};
use shanzhi_domain::{Assignee, CommandKind, Stage};

use super::{local, unit_name};
use crate::AppState;
use crate::ui::form::{FormData, bad, expired};
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

#[derive(Template)]
#[template(path = "matter.html")]
struct MatterPage {
    tr: Tr,
    nav: Nav,
    m: MatterView,
    reported: String,
    deadline: String,
    warning: String,
    /// The stage's time limit in the viewer's language.
    limit: String,
    /// Every photo with what it shows: (id, 处置前 / 处置后 / 核查 …).
    photos: Vec<(String, &'static str)>,
    timeline: Vec<Entry>,
    commands: Vec<&'static str>,
    /// (code, name, why): the suggested unit and where the suggestion comes from.
    suggestion: Option<(String, String, String)>,
    /// The categories the description points to, each with its confidence
    /// and the words that weighed most (智能分拨).
    category_hints: Vec<String>,
    departments: Vec<(String, String)>,
    /// Names where the matter only holds codes.
    names: Names,
    /// Its repeats: (number, state's name, reported, first words).
    repeats: Vec<(String, &'static str, String, String)>,
    /// The proposals raised from it (以事聚人): (community, id, title, stage's name).
    proposals: Vec<(String, String, String, &'static str)>,
    /// The matter's community, where a proposal raised from it goes; set
    /// only for community staff, who may raise one.
    raise_in: Option<String>,
    error: Option<String>,
    /// What the viewer's last action did (after the redirect).
    notice: Option<String>,
}

/// The names of the matter's grid, community, holder and the departments its
/// timeline mentions, in the viewer's language.
struct Names {
    grid: String,
    community: String,
    channel: String,
    level: &'static str,
    /// Who handles it now; none before it is dispatched (受理 is not 承办).
    holder: Option<String>,
}

struct Entry {
    at: String,
    role: &'static str,
    command: String,
    /// To whom a dispatch went (`→ 锦江区城市管理局`).
    target: String,
    text: String,
    photos: Vec<String>,
}

/// A department's name, its code only when the dictionary has no name.
fn department(s: &MatterScreen, code: &str) -> String {
    s.department_names.get(code).cloned().unwrap_or_else(|| code.to_owned())
}

/// The community by name (`总府路社区`), or plainly "the community".
fn community(tr: Tr, s: &MatterScreen) -> String {
    s.community_name.clone().unwrap_or_else(|| tr.t("本社区", "The community").to_owned())
}

/// A holding unit as the sweep records it, by name.
fn unit(tr: Tr, s: &MatterScreen, unit: &str) -> String {
    unit_name(tr, unit, |code| s.department_names.get(code).cloned(), &community(tr, s))
}

fn entry(tr: Tr, s: &MatterScreen, e: &EventView) -> Entry {
    let d = &e.details;
    let mut text = ["text", "reason", "note", "description"]
        .iter()
        .find_map(|k| d.get(k).and_then(Value::as_str))
        .unwrap_or_default()
        .to_owned();
    let target = match (d.pointer("/to/kind").and_then(Value::as_str), d.pointer("/to/code").and_then(Value::as_str)) {
        (Some("department"), Some(code)) => department(s, code),
        (Some("community"), _) => community(tr, s),
        _ => String::new(),
    };
    // The sweep's note names the unit by its code; the structured record
    // says the same, so the page says it with names instead.
    if let Some(o) = d.get("overdue") {
        let stage = o.get("stage").and_then(Value::as_str).and_then(|x| x.parse::<Stage>().ok());
        let deadline = o.get("deadline").and_then(Value::as_str).map(local).unwrap_or_default();
        let holder = unit(tr, s, o.get("unit").and_then(Value::as_str).unwrap_or_default());
        let stage = stage.map(|x| tr.stage(x)).unwrap_or_default();
        text = if tr.en {
            format!("Automatic supervision: the {stage} stage's time limit ran out at {deadline}; held by {holder}")
        } else {
            format!("逾期自动督办：{stage}环节时限已于 {deadline} 届满，责任单位 {holder}")
        };
    }
    if let Some(passed) = d.get("passed").and_then(Value::as_bool) {
        let result = if passed { tr.t("合格", "Passed") } else { tr.t("不合格，返工", "Failed, rework") };
        text = if text.is_empty() { result.to_owned() } else { format!("{result}：{text}") };
    }
    if let Some(rating) = d.get("rating").and_then(Value::as_str) {
        let rating = tr.rating(rating);
        text = if text.is_empty() { rating.to_owned() } else { format!("{rating}：{text}") };
    }
    if e.command == "callback" {
        let said = callback_text(tr, d);
        text = if text.is_empty() { said } else { format!("{said}：{text}") };
    }
    Entry {
        at: local(&e.at),
        role: tr.role(&e.role),
        command: e.command.clone(),
        target,
        text,
        photos: e.attachments.clone(),
    }
}

/// A call-back's answers in words (是否联系、是否解决、满意度), or 无效回访.
fn callback_text(tr: Tr, d: &Value) -> String {
    let Some(a) = d.get("answers") else {
        let tries = d.get("attempts").and_then(Value::as_u64).unwrap_or_default();
        return if tr.en {
            format!("Invalid call-back: unreachable after {tries} tries")
        } else {
            format!("无效回访：{tries} 次未接通")
        };
    };
    let yes = |k: &str| a.get(k).and_then(Value::as_bool) == Some(true);
    let contacted = if yes("contacted") {
        tr.t("承办单位已联系", "contacted")
    } else {
        tr.t("承办单位未联系", "not contacted")
    };
    let solved = if yes("solved") { tr.t("问题已解决", "solved") } else { tr.t("问题未解决", "not solved") };
    let rating = tr.rating(a.get("satisfaction").and_then(Value::as_str).unwrap_or_default());
    if tr.en {
        format!("Call-back: {contacted}, {solved}, {rating}")
    } else {
        format!("回访：{contacted}，{solved}，{rating}")
    }
}

/// The proposals raised from the matter, as links; a failed read costs the
/// section only, never the matter's page.
async fn raised(
    tr: Tr,
    scoped: &shanzhi_app::access::Scoped<'_>,
    matter_id: &str,
) -> Vec<(String, String, String, &'static str)> {
    scoped
        .proposals_of_matter(matter_id)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|p| (p.community, p.id, p.title, super::deliberation::status(tr, &p.status)))
        .collect()
}

fn render(
    tr: Tr,
    viewer: &Viewer,
    s: MatterScreen,
    proposals: Vec<(String, String, String, &'static str)>,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let suggestion = s.suggestion.as_ref().map(|g| {
        let code = match &g.assignee {
            Assignee::Department(d) => d.as_str().to_owned(),
            Assignee::Community => "community".to_owned(),
        };
        let why = match (g.source, g.confidence) {
            (SuggestionSource::History, Some(share)) => {
                let percent = (share * 100.0).round();
                format!("{} {percent}%", tr.t("智能分拨建议，同类已结事项中占", "suggested by closed matters, share"))
            }
            _ => tr.t("职责清单建议", "suggested by the duty list").to_owned(),
        };
        (code, g.name.clone(), why)
    });
    let category_hints = s
        .category_hints
        .iter()
        .map(|h| {
            let mut line = h.name.clone();
            if let Some(c) = h.confidence {
                line.push_str(&format!("（{} {}%", tr.t("置信度", "confidence"), (c * 100.0).round()));
                if !h.words.is_empty() {
                    line.push_str(&format!("；{}：{}", tr.t("依据", "because of"), h.words.join("、")));
                }
                line.push('）');
            }
            line
        })
        .collect();
    let holder = match &s.matter.assignee {
        Some(Assignee::Department(d)) => Some(department(&s, d.as_str())),
        Some(Assignee::Community) => Some(community(tr, &s)),
        None => None,
    };
    let names = Names {
        grid: s.grid_name.clone().unwrap_or_else(|| s.matter.grid.clone()),
        community: community(tr, &s),
        channel: tr.channel(&s.matter.channel),
        level: tr.level(s.matter.level),
        holder,
    };
    let timeline = s.timeline.iter().map(|e| entry(tr, &s, e)).collect();
    let t = MatterPage {
        tr,
        nav: viewer.nav(tr),
        reported: local(&s.matter.reported_at),
        deadline: s.matter.deadline_at.as_deref().map(local).unwrap_or_default(),
        warning: s.matter.time_limit.as_ref().map_or("none", |t| t.warning.as_str()).to_owned(),
        limit: s.matter.time_limit.as_ref().map(|t| tr.limit(&t.limit)).unwrap_or_default(),
        photos: labelled_photos(tr, &s.timeline),
        timeline,
        commands: main_step_first(&s.commands),
        suggestion,
        category_hints,
        departments: s.departments,
        names,
        repeats: s
            .repeats
            .iter()
            .map(|r| (r.number.clone(), tr.state(r.state.as_str()), local(&r.reported_at), r.description.clone()))
            .collect(),
        proposals,
        raise_in: viewer
            .has(shanzhi_domain::Role::CommunityWorker)
            .then(|| shanzhi_domain::GridCode::parse(&s.matter.grid).ok().map(|g| g.community().as_str().to_owned()))
            .flatten(),
        m: s.matter,
        error,
        notice,
    };
    page(t)
}

/// The matter's photos labelled by the entry that brought them: the report's
/// show the place before handling, a response's or 自行处置's after it, a
/// verification's what the grid worker saw on site.
fn labelled_photos(tr: Tr, timeline: &[EventView]) -> Vec<(String, &'static str)> {
    timeline
        .iter()
        .flat_map(|e| {
            let label = match e.command.as_str() {
                "report" => tr.t("处置前", "Before"),
                "respond" | "self_handle" => tr.t("处置后", "After"),
                "verify" => tr.t("核查", "Verification"),
                _ => tr.t("照片", "Photo"),
            };
            e.attachments.iter().map(move |a| (a.clone(), label))
        })
        .collect()
}

/// The viewer's commands with the step that moves the matter on first (签收
/// before 退回, 处置反馈 before 申请延期): the first form is the open one.
fn main_step_first(commands: &[CommandKind]) -> Vec<&'static str> {
    use CommandKind::*;
    let rank = |k: &CommandKind| match k {
        Accept | Dispatch | Sign | Respond | Verify | Rate | Resume | ApproveExtension | ApprovePark | SelfHandle => 0,
        Reject | Return | Reopen | Escalate | Extend | DenyExtension | Park | DenyPark | Supervise | Merge | Void
        | Note | Callback => 1,
    };
    let mut sorted = commands.to_vec();
    sorted.sort_by_key(rank);
    sorted.iter().map(|k| k.name()).collect()
}

/// `?done=sign`: the command the viewer just gave (the redirect after it).
#[derive(Debug, Deserialize)]
pub struct ShowQuery {
    done: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Response {
    if !viewer.signed_in() {
        return to_login(&format!("/m/{id}"));
    }
    // Only a command's own name makes a notice: the text is ours, never the URL's.
    let notice = q
        .done
        .and_then(|d| d.parse::<CommandKind>().ok())
        .map(|k| if tr.en { format!("Done: {}.", k.label_en()) } else { format!("已{}。", k.label_zh()) });
    let scoped = state.app.scoped(viewer.actor.clone());
    match scoped.matter_screen(&id).await {
        Ok(s) => {
            let proposals = raised(tr, &scoped, &s.matter.id).await;
            render(tr, &viewer, s, proposals, None, notice)
        }
        Err(e) => refusal(tr, &viewer, &e),
    }
}

/// The command's arguments from the form's fields.
fn arguments(command: &str, form: &FormData, photos: Vec<String>) -> Result<Value, AppError> {
    let field = |k: &str| form.field(k);
    Ok(match command {
        "dispatch" => match field("to").as_str() {
            "community" => json!({"to": {"kind": "community"}}),
            "" => return Err(bad("请选择承办单位", "choose the unit")),
            code => json!({"to": {"kind": "department", "code": code}}),
        },
        "respond" => json!({"text": field("text"), "attachments": photos}),
        // Nothing is preselected: a form without a result is refused rather
        // than read as 不合格.
        "verify" => match field("passed").as_str() {
            "yes" | "no" => json!({"passed": field("passed") == "yes", "note": field("note"), "attachments": photos}),
            _ => return Err(bad("请选择核查结果", "choose the result of the verification")),
        },
        "rate" => {
            let reason = field("reason");
            json!({"rating": field("rating"), "reason": if reason.is_empty() { Value::Null } else { Value::from(reason) }})
        }
        "extend" => json!({
            "hours": field("hours").parse::<u32>().map_err(|_| bad("延期小时数应为正整数", "hours must be a whole number"))?,
            "reason": field("reason"),
        }),
        "supervise" => json!({"note": field("note")}),
        "merge" => json!({"into": field("into")}),
        "reject" | "return" | "reopen" | "escalate" | "deny_extension" | "park" | "deny_park" | "void" => {
            json!({"reason": field("reason")})
        }
        _ => Value::Null,
    })
}

pub async fn command(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path((id, command)): Path<(String, String)>,
    request: Request,
) -> Response {
    if !viewer.signed_in() {
        return to_login(&format!("/m/{id}"));
    }
    let form = match FormData::read(request, &state).await {
        Ok(f) => f,
        Err(e) => return refusal(tr, &viewer, &e),
    };
    if !viewer.csrf_ok(Some(&form.field("csrf"))) {
        return refusal(tr, &viewer, &expired());
    }
    let scoped = state.app.scoped(viewer.actor.clone());
    let mut photos = Vec::new();
    for f in &form.files {
        match scoped.upload(f).await {
            Ok(a) => photos.push(a.id),
            Err(e) => return refusal(tr, &viewer, &e),
        }
    }
    let outcome = match arguments(&command, &form, photos) {
        Ok(args) => scoped.command(&id, &command, args).await,
        Err(e) => Err(e),
    };
    match outcome {
        Ok(m) => Redirect::to(&format!("/m/{}?done={command}", m.number)).into_response(),
        Err(e) => {
            let message = e.message();
            let text = if tr.en { message.en } else { message.zh };
            match scoped.matter_screen(&id).await {
                Ok(s) => {
                    let proposals = raised(tr, &scoped, &s.matter.id).await;
                    let mut r = render(tr, &viewer, s, proposals, Some(text), None);
                    *r.status_mut() = match e {
                        AppError::WrongState { .. } => axum::http::StatusCode::CONFLICT,
                        AppError::Forbidden(_) => axum::http::StatusCode::FORBIDDEN,
                        _ => axum::http::StatusCode::BAD_REQUEST,
                    };
                    r
                }
                Err(e) => refusal(tr, &viewer, &e),
            }
        }
    }
}
