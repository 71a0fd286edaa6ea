//! `/admin`: divisions and grids (with imports), departments, categories,
//! duty lists, the calendar and users, each a list and a form over the same
//! use cases as the API (which check the caller's grants again).

use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shanzhi_app::AppError;
use shanzhi_app::access::{AdminDesk, CityDesk};
use shanzhi_app::access::{DepartmentView, NewStaff};
use shanzhi_app::timing::CalendarDayInput;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{Category, CodeSystem, DutyItem, Role, Scope};

use crate::AppState;
use crate::ui::form::{FormData, bad, expired};
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    tr: Tr,
    nav: Nav,
    done: Option<String>,
    error: Option<String>,
    divisions: Vec<(String, u64)>,
    departments: Vec<DepartmentView>,
    categories: Vec<(Category, i64)>,
    duties: Vec<DutyItem>,
    days: Vec<(String, String, String)>,
    working_hours: String,
    thresholds: (u8, u8),
    /// The staff of the administrator's division, filtered by `q`.
    staff: Vec<StaffRow>,
    staff_total: usize,
    q: String,
}

/// One person in the staff list, by name.
struct StaffRow {
    username: String,
    display_name: String,
    /// "调度员 · 春熙路街道; 网格员 · 总府路第一网格".
    roles: String,
    disabled: bool,
}

/// The most people one page lists (narrow with the search box).
const STAFF_SHOWN: usize = 100;

#[derive(Debug, Deserialize)]
pub struct Done {
    done: Option<String>,
    /// Words to find a person by (username or name).
    q: Option<String>,
}

/// Everyone with an assignment in the administrator's division, by name.
async fn staff(state: &AppState, viewer: &Viewer, tr: Tr, q: &str) -> (Vec<StaffRow>, usize) {
    let scoped = state.app.scoped(viewer.actor.clone());
    let division = viewer.actor.grants().iter().find_map(|g| match (&g.role, &g.scope) {
        (Role::Admin, Some(Scope::Division(d))) => Some(d.clone()),
        _ => None,
    });
    let Some(division) = division else { return (Vec::new(), 0) };
    let roster = scoped.roster(&division).await.unwrap_or_default();
    let q = q.trim().to_lowercase();
    let found: Vec<_> = roster
        .into_iter()
        .filter(|r| {
            q.is_empty() || r.username.to_lowercase().contains(&q) || r.display_name.to_lowercase().contains(&q)
        })
        .collect();
    let total = found.len();
    let rows = found
        .into_iter()
        .take(STAFF_SHOWN)
        .map(|r| StaffRow {
            roles: r
                .assignments
                .iter()
                .map(|a| {
                    let role = tr.role(a.role.as_str());
                    match &a.scope_name {
                        Some(place) => format!("{role} · {place}"),
                        None => role.to_owned(),
                    }
                })
                .collect::<Vec<_>>()
                .join(if tr.en { "; " } else { "；" }),
            username: r.username,
            display_name: r.display_name,
            disabled: r.disabled,
        })
        .collect();
    (rows, total)
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    tr: Tr,
    done: Option<String>,
    error: Option<String>,
    q: String,
) -> Response {
    let scoped = state.app.scoped(viewer.actor.clone());
    let (staff, staff_total) = staff(state, viewer, tr, &q).await;
    let divisions = state
        .app
        .division_totals(CodeSystem::Nbs2023)
        .await
        .map(|t| t.into_iter().map(|(l, n)| (tr.division_level(l).to_owned(), n)).collect())
        .unwrap_or_default();
    let calendar = scoped.calendar(None).ok();
    let days = calendar
        .as_ref()
        .map(|c| {
            c.days
                .iter()
                .filter(|d| d.source == "local")
                .map(|d| {
                    let kind = match d.kind {
                        shanzhi_domain::calendar::DayKind::Work => tr.t("工作日", "Working day"),
                        shanzhi_domain::calendar::DayKind::Off => tr.t("休息日", "Day off"),
                    };
                    (d.date.to_string(), kind.to_owned(), d.name.clone())
                })
                .collect()
        })
        .unwrap_or_default();
    page(AdminPage {
        tr,
        nav: viewer.nav(tr),
        done,
        error,
        divisions,
        departments: scoped.departments(None).await.unwrap_or_default(),
        categories: scoped.categories().await.unwrap_or_default(),
        duties: scoped.duties(None).await.unwrap_or_default(),
        days,
        working_hours: calendar.as_ref().map(|c| c.working_hours.clone()).unwrap_or_default(),
        thresholds: calendar.map(|c| (c.thresholds.yellow_left, c.thresholds.orange_left)).unwrap_or((50, 20)),
        staff,
        staff_total,
        q,
    })
}

pub async fn show(State(state): State<AppState>, viewer: Viewer, tr: Tr, Query(q): Query<Done>) -> Response {
    if !viewer.signed_in() {
        return to_login("/admin");
    }
    if !viewer.has(Role::Admin) {
        let e = AppError::Forbidden(Bilingual::new(
            "只有管理员可以进入管理页面",
            "only administrators may open the admin pages",
        ));
        return refusal(tr, &viewer, &e);
    }
    render(&state, &viewer, tr, q.done, None, q.q.unwrap_or_default()).await
}

/// What an admin action did: a line for the redirect, or something to show
/// once on the answer itself (a generated password).
enum Applied {
    Done(String),
    Shown(String),
}

async fn apply(state: &AppState, viewer: &Viewer, section: &str, request: Request) -> Result<Applied, AppError> {
    let form = FormData::read(request, state).await?;
    let field = |k: &str| form.field(k);
    let file = form.files.first().cloned();
    if !viewer.csrf_ok(Some(&field("csrf"))) {
        return Err(expired());
    }
    let scoped = state.app.scoped(viewer.actor.clone());
    let json = |zh: &str, en: &str, text: &str| {
        serde_json::from_str(text).map_err(|e| bad(&format!("{zh}：{e}"), &format!("{en}: {e}")))
    };
    Ok(Applied::Done(match section {
        "department" => {
            let d = scoped.desk::<AdminDesk>()?.create_department(&field("code"), &field("name")).await?;
            format!("部门 {} {}", d.code, d.name)
        }
        "user" => {
            let role =
                field("role").parse::<Role>().map_err(|m| AppError::BadRequest { code: "invalid_role", message: m })?;
            let opt = |k: &str| form.filled(k);
            let u = scoped
                .desk::<AdminDesk>()?
                .create_user(NewStaff {
                    username: field("username"),
                    display_name: field("display_name"),
                    phone: opt("phone"),
                    password: opt("password"),
                    role,
                    scope: opt("scope"),
                    from: None,
                    to: None,
                })
                .await?;
            format!("人员 {}", u.username)
        }
        "category" => {
            let c: Category = json("分类 JSON 无效", "invalid category JSON", &field("category"))?;
            let code = c.code.to_string();
            let v = scoped.desk::<CityDesk>()?.put_category(c).await?;
            format!("分类 {code} 第 {v} 版")
        }
        "duty" => {
            let d: DutyItem = serde_json::from_value(serde_json::json!({
                "category": field("category"), "level": field("level"), "list": field("list"),
                "lead": Some(field("lead")).filter(|v| !v.is_empty()),
                "co": field("co").split([',', '，']).map(str::trim).filter(|v| !v.is_empty()).collect::<Vec<_>>(),
                "note": field("note"),
            }))
            .map_err(|e| bad(&format!("职责项无效：{e}"), &format!("invalid duty: {e}")))?;
            let what = format!("职责 {} {:?}", d.category, d.level);
            scoped.desk::<CityDesk>()?.put_duty(d).await?;
            what
        }
        "day" => {
            let input: CalendarDayInput =
                serde_json::from_value(serde_json::json!({"kind": field("kind"), "name": field("name")}))
                    .map_err(|e| bad(&format!("日历调整无效：{e}"), &format!("invalid day: {e}")))?;
            let d = scoped.desk::<CityDesk>()?.put_calendar_day(&field("date"), input).await?;
            format!("日历 {}", d.date)
        }
        "settings" => {
            let number = |k: &str| {
                field(k).parse::<u8>().map_err(|_| bad("阈值应为 0–100 的整数", "thresholds are whole numbers 0–100"))
            };
            let hours = Some(field("working_hours")).filter(|h| !h.is_empty());
            let s = scoped
                .desk::<CityDesk>()?
                .put_timing_settings(hours.as_deref(), Some((number("yellow_left")?, number("orange_left")?)))
                .await?;
            format!("工作时间 {}", s.working_hours)
        }
        "grids" => {
            let text = String::from_utf8(file.unwrap_or_default())
                .map_err(|_| bad("文件应为 UTF-8 GeoJSON", "the file must be UTF-8 GeoJSON"))?;
            let day = field("effective")
                .parse()
                .map_err(|_| bad("生效日期应为 YYYY-MM-DD", "the effective date must be YYYY-MM-DD"))?;
            let r = scoped.desk::<CityDesk>()?.import_grids(&text, day).await?;
            format!("网格 {} 个（新版本 {}，结束 {}）", r.features, r.opened, r.closed)
        }
        "divisions" => {
            let r = scoped.desk::<CityDesk>()?.import_divisions(&file.unwrap_or_default()).await?;
            format!("区划 {} 行", r.rows)
        }
        "disable" | "enable" => {
            let username = field("username");
            scoped.desk::<AdminDesk>()?.set_disabled(&username, section == "disable").await?;
            if section == "disable" { format!("已停用 {username}") } else { format!("已启用 {username}") }
        }
        "reset" => {
            let username = field("username");
            let password = scoped.desk::<AdminDesk>()?.reset_password(&username, None).await?.unwrap_or_default();
            // Shown once on the answer itself, never put in a URL.
            return Ok(Applied::Shown(format!("{username} 的新密码（仅此一次显示）：{password}")));
        }
        _ => return Err(AppError::not_found("unknown_section", "没有这个管理项", "no such admin section")),
    }))
}

pub async fn submit(
    State(state): State<AppState>,
    viewer: Viewer,
    tr: Tr,
    Path(section): Path<String>,
    request: Request,
) -> Response {
    if !viewer.signed_in() {
        return to_login("/admin");
    }
    match apply(&state, &viewer, &section, request).await {
        Ok(Applied::Shown(once)) => render(&state, &viewer, tr, Some(once), None, String::new()).await,
        Ok(Applied::Done(done)) => {
            let done = url::form_urlencoded::byte_serialize(done.as_bytes()).collect::<String>();
            Redirect::to(&format!("/admin?done={done}#{section}")).into_response()
        }
        Err(e) => {
            let m = e.message();
            let mut r = render(&state, &viewer, tr, None, Some(if tr.en { m.en } else { m.zh }), String::new()).await;
            *r.status_mut() = match e {
                AppError::Forbidden(_) => axum::http::StatusCode::FORBIDDEN,
                AppError::NotFound { .. } => axum::http::StatusCode::NOT_FOUND,
                _ => axum::http::StatusCode::BAD_REQUEST,
            };
            r
        }
    }
}
