//! Volunteer activities on the phone: `/activities/{id}` (public; sign-up,
//! cancel, check-in and check-out for the signed-in with the code typed;
//! for organisers the rotating code and the roster, `?screen=1` refreshes
//! itself to show the code on a screen), `/activities/new` and
//! `/activities/{id}/edit` for community workers and organisations'
//! members. A refused form comes back as typed, with the reason.

use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shanzhi_app::AppError;
use shanzhi_app::volunteers::{
    ActivitySignup, CheckInCode, CheckInForm, CommunityChoice, VolunteerActivity, VolunteerActivityForm, VolunteerOrg,
};
use shanzhi_domain::{Role, Scope};

use super::community::message;
use super::deliberation::{day, posted};
use crate::AppState;
use crate::ui::form::{FormData, bad};
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

#[derive(Debug, Default, Deserialize)]
pub struct ShowParams {
    #[serde(default)]
    screen: Option<String>,
}

#[derive(Template)]
#[template(path = "activity.html")]
struct ActivityPage {
    tr: Tr,
    nav: Nav,
    a: VolunteerActivity,
    code: Option<CheckInCode>,
    changes: String,
    roster: Vec<ActivitySignup>,
    screen: bool,
    typed: String,
    error: Option<String>,
}

async fn activity_page(
    state: &AppState,
    tr: Tr,
    viewer: &Viewer,
    id: &str,
    screen: bool,
    typed: String,
    error: Option<&AppError>,
) -> Response {
    let scoped = state.app.scoped(viewer.actor.clone());
    let a = match scoped.activity(id).await {
        Ok(a) => a,
        Err(e) => return refusal(tr, viewer, &e),
    };
    let (code, roster) = if a.may_organise {
        (scoped.activity_code(id).await.ok(), scoped.activity_roster(id).await.unwrap_or_default())
    } else {
        (None, Vec::new())
    };
    let changes = code.as_ref().map(|c| day(&c.changes_at)).unwrap_or_default();
    let roster = roster
        .into_iter()
        .map(|mut s| {
            s.checked_in_at = s.checked_in_at.as_deref().map(day);
            s.checked_out_at = s.checked_out_at.as_deref().map(day);
            if tr.en {
                s.state_name = s.state.label_en().to_owned();
            }
            s
        })
        .collect();
    let message = error.map(|e| message(tr, e));
    let mut r = page(ActivityPage { tr, nav: viewer.nav(tr), a, code, changes, roster, screen, typed, error: message });
    if let Some(e) = error {
        *r.status_mut() = crate::error::status_of(e);
    }
    r
}

pub async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path(id): Path<String>,
    Query(p): Query<ShowParams>,
) -> Response {
    activity_page(&state, tr, &viewer, &id, p.screen.is_some(), String::new(), None).await
}

/// `POST /activities/{id}/do/{action}`: signup, cancel, checkin, checkout.
pub async fn act(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path((id, action)): Path<(String, String)>,
    request: Request,
) -> Response {
    let back = format!("/activities/{id}");
    let form = match posted(&state, &viewer, tr, &back, request).await {
        Ok(f) => f,
        Err(page) => return page,
    };
    let scoped = state.app.scoped(viewer.actor.clone());
    let typed = form.field("code");
    let coordinate = |name: &str| form.field(name).trim().parse::<f64>().ok().filter(|v| v.is_finite());
    let at = CheckInForm { code: typed.clone(), lng: coordinate("lng"), lat: coordinate("lat") };
    let result = match action.as_str() {
        "signup" => scoped.sign_up_for_activity(&id).await,
        "cancel" => scoped.cancel_activity_signup(&id).await,
        "checkin" => scoped.check_in_activity(&id, &at).await,
        "checkout" => scoped.check_out_activity(&id, &at).await,
        _ => Err(bad("未知的操作", "unknown action")),
    };
    match result {
        Ok(_) => Redirect::to(&back).into_response(),
        Err(e) => activity_page(&state, tr, &viewer, &id, false, typed, Some(&e)).await,
    }
}

/// The form's fields as typed.
#[derive(Debug, Default)]
struct Kept {
    community: String,
    org_id: String,
    title: String,
    description: String,
    place: String,
    lng: String,
    lat: String,
    starts_at: String,
    ends_at: String,
    capacity: String,
    points: String,
}

impl Kept {
    fn from_form(f: &FormData) -> Kept {
        Kept {
            community: f.field("community"),
            org_id: f.field("org_id"),
            title: f.field("title"),
            description: f.field("description"),
            place: f.field("place"),
            lng: f.field("lng"),
            lat: f.field("lat"),
            starts_at: f.field("starts_at"),
            ends_at: f.field("ends_at"),
            capacity: f.field("capacity"),
            points: f.field("points"),
        }
    }

    fn of(a: &VolunteerActivity) -> Kept {
        // RFC 3339 in China time, cut to what a date-time field shows.
        let field = |iso: &str| iso.get(..16).unwrap_or(iso).to_owned();
        Kept {
            community: a.community.clone(),
            org_id: a.org_id.clone().unwrap_or_default(),
            title: a.title.clone(),
            description: a.description.clone(),
            place: a.place.clone(),
            lng: a.lng.map(|v| v.to_string()).unwrap_or_default(),
            lat: a.lat.map(|v| v.to_string()).unwrap_or_default(),
            starts_at: field(&a.starts_at),
            ends_at: field(&a.ends_at),
            capacity: a.capacity.to_string(),
            points: a.points.to_string(),
        }
    }

    fn form(&self) -> Result<VolunteerActivityForm, AppError> {
        let number = |s: &str, what: (&str, &str)| {
            s.trim()
                .parse::<i64>()
                .map_err(|_| bad(&format!("{}应为整数", what.0), &format!("the {} must be a whole number", what.1)))
        };
        let coordinate = |s: &str| -> Result<Option<f64>, AppError> {
            if s.trim().is_empty() {
                return Ok(None);
            }
            s.trim().parse::<f64>().map(Some).map_err(|_| bad("坐标应为数字", "a coordinate must be a number"))
        };
        Ok(VolunteerActivityForm {
            title: self.title.clone(),
            description: self.description.clone(),
            place: self.place.clone(),
            lng: coordinate(&self.lng)?,
            lat: coordinate(&self.lat)?,
            starts_at: self.starts_at.clone(),
            ends_at: self.ends_at.clone(),
            capacity: number(&self.capacity, ("名额", "capacity"))?,
            points: number(&self.points, ("积分", "points"))?,
            org_id: Some(self.org_id.clone()).filter(|o| !o.trim().is_empty()),
        })
    }
}

#[derive(Template)]
#[template(path = "activity_form.html")]
struct FormPage {
    tr: Tr,
    nav: Nav,
    /// `None`: a new activity.
    id: Option<String>,
    orgs: Vec<VolunteerOrg>,
    /// The communities the caller may publish in, by name: a list to pick
    /// from (up to [`SELECT_MAX`]), else a field that suggests them.
    communities: Vec<CommunityChoice>,
    /// Few enough communities for a drop-down list.
    pick_list: bool,
    /// What the suggesting field shows: the picked community's words, or
    /// what was typed.
    community_text: String,
    k: Kept,
    error: Option<String>,
}

/// Most communities offered as a drop-down list; more are suggested as one types.
const SELECT_MAX: usize = 40;

/// The words the suggesting field offers for a community (street and name).
fn label(c: &CommunityChoice) -> String {
    if c.town.is_empty() { c.name.clone() } else { format!("{} {}", c.town, c.name) }
}

/// The community a form names: its code, or (typed into the suggesting
/// field) its words or name when they name one community of the caller's.
fn resolve(typed: &str, choices: &[CommunityChoice]) -> Result<String, AppError> {
    let typed = typed.trim();
    if typed.len() == 12 && typed.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(typed.to_owned());
    }
    let mut named = choices.iter().filter(|c| label(c) == typed || c.name == typed);
    match (named.next(), named.next()) {
        (Some(c), None) => Ok(c.code.clone()),
        (Some(_), Some(_)) => {
            Err(bad("有同名社区，请连同街道一起选择", "two communities have that name: pick one with its street"))
        }
        (None, _) => Err(bad("请从列表中选择您所在的社区", "pick a community of yours from the list")),
    }
}

async fn form_page(
    state: &AppState,
    tr: Tr,
    viewer: &Viewer,
    id: Option<String>,
    k: Kept,
    error: Option<&AppError>,
) -> Response {
    let scoped = state.app.scoped(viewer.actor.clone());
    // The caller's organisations and the community's (the application decides who may use which).
    let mut orgs = scoped.my_volunteer_orgs().await.unwrap_or_default();
    for o in scoped.volunteer_orgs(&k.community).await.unwrap_or_default() {
        if !orgs.iter().any(|m| m.id == o.id) {
            orgs.push(o);
        }
    }
    orgs.retain(|o| o.kind != shanzhi_domain::volunteer::OrgKind::Shop);
    let communities = if id.is_none() { scoped.activity_communities().await.unwrap_or_default() } else { Vec::new() };
    let community_text = communities.iter().find(|c| c.code == k.community).map_or_else(|| k.community.clone(), label);
    let message = error.map(|e| message(tr, e));
    let mut r = page(FormPage {
        tr,
        nav: viewer.nav(tr),
        id,
        orgs,
        pick_list: communities.len() <= SELECT_MAX,
        communities,
        community_text,
        k,
        error: message,
    });
    if let Some(e) = error {
        *r.status_mut() = crate::error::status_of(e);
    }
    r
}

pub async fn new_form(State(state): State<AppState>, viewer: Viewer, tr: Tr) -> Response {
    if !viewer.signed_in() {
        return to_login("/activities/new");
    }
    // The worker's own community, to start from.
    let community = viewer
        .actor
        .grants()
        .iter()
        .find(|g| g.role == Role::CommunityWorker)
        .and_then(|g| match &g.scope {
            Some(Scope::Division(d)) => Some(d.as_str().to_owned()),
            _ => None,
        })
        .unwrap_or_default();
    let k = Kept { community, capacity: "20".to_owned(), points: "10".to_owned(), ..Default::default() };
    form_page(&state, tr, &viewer, None, k, None).await
}

pub async fn create(State(state): State<AppState>, viewer: Viewer, tr: Tr, request: Request) -> Response {
    let form = match posted(&state, &viewer, tr, "/activities/new", request).await {
        Ok(f) => f,
        Err(page) => return page,
    };
    let mut k = Kept::from_form(&form);
    let scoped = state.app.scoped(viewer.actor.clone());
    let choices = scoped.activity_communities().await.unwrap_or_default();
    let result = match (resolve(&k.community, &choices), k.form()) {
        (Ok(code), Ok(f)) => {
            k.community = code;
            scoped.publish_activity(&k.community, &f).await
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match result {
        Ok(a) => Redirect::to(&format!("/activities/{}", a.id)).into_response(),
        Err(e) => form_page(&state, tr, &viewer, None, k, Some(&e)).await,
    }
}

pub async fn edit_form(State(state): State<AppState>, viewer: Viewer, tr: Tr, Path(id): Path<String>) -> Response {
    if !viewer.signed_in() {
        return to_login(&format!("/activities/{id}/edit"));
    }
    match state.app.scoped(viewer.actor.clone()).activity(&id).await {
        Ok(a) if a.may_organise => form_page(&state, tr, &viewer, Some(id), Kept::of(&a), None).await,
        Ok(_) => refusal(
            tr,
            &viewer,
            &AppError::Forbidden(shanzhi_domain::text::Bilingual::new(
                "只有活动的组织者可以修改活动",
                "only the activity's organisers may edit it",
            )),
        ),
        Err(e) => refusal(tr, &viewer, &e),
    }
}

pub async fn edit(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    let form = match posted(&state, &viewer, tr, &format!("/activities/{id}/edit"), request).await {
        Ok(f) => f,
        Err(page) => return page,
    };
    let k = Kept::from_form(&form);
    let scoped = state.app.scoped(viewer.actor.clone());
    let result = match k.form() {
        Ok(f) => scoped.edit_activity(&id, &f).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(a) => Redirect::to(&format!("/activities/{}", a.id)).into_response(),
        Err(e) => form_page(&state, tr, &viewer, Some(id), k, Some(&e)).await,
    }
}
