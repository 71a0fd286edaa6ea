//! A resident's volunteering on the phone: `/volunteer` (profile, activities,
//! points and ledger, redemptions), `/shop` (the catalogue; redeem, and for
//! a shop's people confirm a code), `/c/{code}/leaderboard` (the year's
//! points, public). A refused form comes back as typed, with the reason.

use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shanzhi_app::AppError;
use shanzhi_app::volunteers::{
    LeaderboardLine, PointsAccount, RewardItem, RewardRedemption, VolunteerActivity, VolunteerProfileForm,
};
use shanzhi_domain::volunteer::Skill;

use super::community::message;
use super::deliberation::{day, posted};
use crate::AppState;
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

/// The profile form as typed (or as stored).
#[derive(Debug, Default)]
struct Kept {
    skills: Vec<String>,
    skill_note: String,
    availability: String,
    on_board: bool,
    opted_in: bool,
}

#[derive(Template)]
#[template(path = "volunteer.html")]
struct VolunteerPage {
    tr: Tr,
    nav: Nav,
    skills: Vec<(&'static str, &'static str)>,
    k: Kept,
    activities: Vec<VolunteerActivity>,
    points: PointsAccount,
    redemptions: Vec<RewardRedemption>,
    error: Option<String>,
}

fn with_status(mut r: Response, error: Option<&AppError>) -> Response {
    if let Some(e) = error {
        *r.status_mut() = crate::error::status_of(e);
    }
    r
}

async fn volunteer_page(
    state: &AppState,
    tr: Tr,
    viewer: &Viewer,
    kept: Option<Kept>,
    error: Option<&AppError>,
) -> Response {
    let scoped = state.app.scoped(viewer.actor.clone());
    let k = match kept {
        Some(k) => k,
        None => match scoped.volunteer_profile().await {
            Ok(Some(p)) => Kept {
                skills: p.skills.iter().map(|s| s.as_str().to_owned()).collect(),
                skill_note: p.skill_note,
                availability: p.availability,
                on_board: p.on_board,
                opted_in: true,
            },
            Ok(None) => Kept { on_board: true, ..Default::default() },
            Err(e) => return refusal(tr, viewer, &e),
        },
    };
    let loaded = async {
        let activities = scoped.my_activities().await?;
        let mut points = scoped.my_points().await?;
        for e in &mut points.entries {
            e.at = day(&e.at);
            if tr.en {
                e.kind_name = e.kind.label_en().to_owned();
            }
        }
        let mut redemptions = scoped.my_redemptions().await?;
        for r in &mut redemptions {
            r.at = day(&r.at);
        }
        Ok::<_, AppError>((activities, points, redemptions))
    };
    let (activities, points, redemptions) = match loaded.await {
        Ok(v) => v,
        Err(e) => return refusal(tr, viewer, &e),
    };
    let skills = Skill::ALL.iter().map(|s| (s.as_str(), s.label_zh())).collect();
    let error_text = error.map(|e| message(tr, e));
    let p = VolunteerPage { tr, nav: viewer.nav(tr), skills, k, activities, points, redemptions, error: error_text };
    with_status(page(p), error)
}

pub async fn show(State(state): State<AppState>, viewer: Viewer, tr: Tr) -> Response {
    if !viewer.signed_in() {
        return to_login("/volunteer");
    }
    volunteer_page(&state, tr, &viewer, None, None).await
}

pub async fn save(State(state): State<AppState>, viewer: Viewer, tr: Tr, request: Request) -> Response {
    let form = match posted(&state, &viewer, tr, "/volunteer", request).await {
        Ok(f) => f,
        Err(page) => return page,
    };
    let k = Kept {
        skills: form.all("skills"),
        skill_note: form.field("skill_note"),
        availability: form.field("availability"),
        on_board: form.field("on_board") == "1",
        opted_in: true,
    };
    let skills: Result<Vec<Skill>, _> = k.skills.iter().take(20).map(|s| s.parse::<Skill>()).collect();
    let result = match skills {
        Ok(skills) => {
            let f = VolunteerProfileForm {
                skills,
                skill_note: k.skill_note.clone(),
                availability: k.availability.clone(),
                on_board: k.on_board,
            };
            state.app.scoped(viewer.actor.clone()).set_volunteer_profile(&f).await
        }
        Err(m) => Err(AppError::BadRequest { code: "invalid_skills", message: m }),
    };
    match result {
        Ok(_) => Redirect::to("/volunteer").into_response(),
        Err(e) => volunteer_page(&state, tr, &viewer, Some(k), Some(&e)).await,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ShopParams {
    #[serde(default)]
    community: Option<String>,
}

#[derive(Template)]
#[template(path = "shop.html")]
struct ShopPage {
    tr: Tr,
    nav: Nav,
    items: Vec<RewardItem>,
    /// A code just issued (shown once).
    issued: Option<RewardRedemption>,
    /// A confirmation just made, in words.
    confirmed: Option<String>,
    typed: String,
    error: Option<String>,
}

struct ShopOutcome {
    issued: Option<RewardRedemption>,
    confirmed: Option<String>,
    typed: String,
}

async fn shop_page(
    state: &AppState,
    tr: Tr,
    viewer: &Viewer,
    community: Option<&str>,
    outcome: ShopOutcome,
    error: Option<&AppError>,
) -> Response {
    let scoped = state.app.scoped(viewer.actor.clone());
    let items = match scoped.rewards(community.filter(|c| !c.trim().is_empty())).await {
        Ok(i) => i,
        Err(e) => return refusal(tr, viewer, &e),
    };
    let error_text = error.map(|e| message(tr, e));
    let ShopOutcome { issued, confirmed, typed } = outcome;
    with_status(page(ShopPage { tr, nav: viewer.nav(tr), items, issued, confirmed, typed, error: error_text }), error)
}

const NOTHING: fn() -> ShopOutcome = || ShopOutcome { issued: None, confirmed: None, typed: String::new() };

pub async fn shop(State(state): State<AppState>, viewer: Viewer, tr: Tr, Query(p): Query<ShopParams>) -> Response {
    shop_page(&state, tr, &viewer, p.community.as_deref(), NOTHING(), None).await
}

/// `POST /shop/redeem/{id}`: the code is shown on the answer, once.
pub async fn redeem(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    if let Err(page) = posted(&state, &viewer, tr, "/shop", request).await {
        return page;
    }
    match state.app.scoped(viewer.actor.clone()).redeem_reward(&id).await {
        Ok(r) => shop_page(&state, tr, &viewer, None, ShopOutcome { issued: Some(r), ..NOTHING() }, None).await,
        Err(e) => shop_page(&state, tr, &viewer, None, NOTHING(), Some(&e)).await,
    }
}

/// `POST /shop/confirm`: a shop's people confirm a code.
pub async fn confirm(State(state): State<AppState>, viewer: Viewer, tr: Tr, request: Request) -> Response {
    let form = match posted(&state, &viewer, tr, "/shop", request).await {
        Ok(f) => f,
        Err(page) => return page,
    };
    let typed = form.field("code");
    match state.app.scoped(viewer.actor.clone()).confirm_redemption(&typed).await {
        Ok(c) => {
            let words = if tr.en {
                format!("Confirmed: {} ({} points) for {}", c.item_name, c.price, c.resident)
            } else {
                format!("已核销：{}（{} 积分），兑换人 {}", c.item_name, c.price, c.resident)
            };
            shop_page(&state, tr, &viewer, None, ShopOutcome { confirmed: Some(words), ..NOTHING() }, None).await
        }
        Err(e) => shop_page(&state, tr, &viewer, None, ShopOutcome { typed, ..NOTHING() }, Some(&e)).await,
    }
}

#[derive(Template)]
#[template(path = "leaderboard.html")]
struct BoardPage {
    tr: Tr,
    nav: Nav,
    community: String,
    lines: Vec<LeaderboardLine>,
}

pub async fn leaderboard(State(state): State<AppState>, viewer: Viewer, tr: Tr, Path(code): Path<String>) -> Response {
    match state.app.scoped(viewer.actor.clone()).leaderboard(&code).await {
        Ok(lines) => page(BoardPage { tr, nav: viewer.nav(tr), community: code, lines }),
        Err(e) => refusal(tr, &viewer, &e),
    }
}
