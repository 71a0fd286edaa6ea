//! `/admin`: divisions and grids (with imports), departments, categories,
//! duty lists, the calendar and users, each a list and a form over the same
//! use cases as the API (which check the caller's grants again). Places and
//! departments are picked by name ([`pick`]); a refused form comes back
//! with its input and the error beside the field ([`kept`]).

pub mod category;
mod kept;
pub mod person;
pub mod pick;

use askama::Template;
use axum::extract::{Path, Query, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use shanzhi_app::AppError;
use shanzhi_app::access::{AdminDesk, CityDesk};
use shanzhi_app::access::{DepartmentView, NewStaff, PickKind};
use shanzhi_app::timing::CalendarDayInput;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{Category, CodeSystem, DutyItem, Role, Scope};

use crate::AppState;
use crate::ui::form::{FormData, bad, expired};
use crate::ui::session::Nav;
use crate::ui::{Tr, Viewer, page, refusal, to_login};
use kept::{Failed, Kept, at};

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    tr: Tr,
    nav: Nav,
    done: Option<String>,
    error: Option<String>,
    /// The refused form's input and the error beside its field.
    kept: Kept,
    divisions: Vec<(String, u64)>,
    departments: Vec<DepartmentView>,
    categories: Vec<(Category, i64)>,
    duties: Vec<DutyRow>,
    days: Vec<(String, String, String)>,
    working_hours: String,
    thresholds: (u8, u8),
    /// The staff of the administrator's division, filtered by `q`.
    staff: Vec<StaffRow>,
    staff_total: usize,
    q: String,
    roles: [Role; 7],
}

/// One row of a duty list, by names.
struct DutyRow {
    category: String,
    category_name: String,
    level: String,
    level_code: &'static str,
    list: &'static str,
    lead: String,
    co: String,
    note: String,
}

/// The roles a new person may get, in the order the form offers them.
const ROLES: [Role; 7] = [
    Role::GridWorker,
    Role::CommunityWorker,
    Role::Dispatcher,
    Role::DeptHandler,
    Role::Supervisor,
    Role::Admin,
    Role::Resident,
];

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

/// The duty lists by names: the category's, the lead and co-departments'.
async fn duty_rows(scoped: &shanzhi_app::access::Scoped<'_>, tr: Tr, categories: &[(Category, i64)]) -> Vec<DutyRow> {
    let keys = scoped.department_key_names().await.unwrap_or_default();
    let key_name = |k: &String| keys.get(k).cloned().unwrap_or_else(|| k.clone());
    let duties: Vec<DutyItem> = scoped.duties(None).await.unwrap_or_default();
    duties
        .into_iter()
        .map(|d| DutyRow {
            category_name: categories
                .iter()
                .find(|(c, _)| c.code == d.category)
                .map(|(c, _)| c.name.clone())
                .unwrap_or_else(|| d.category.to_string()),
            category: d.category.to_string(),
            level: tr.duty_level(&d.level).to_owned(),
            level_code: duty_level_code(d.level),
            list: category::duty_list_label(tr, d.list),
            lead: d.lead.as_ref().map(key_name).unwrap_or_default(),
            co: d.co.iter().map(key_name).collect::<Vec<_>>().join(if tr.en { ", " } else { "、" }),
            note: d.note,
        })
        .collect()
}

fn duty_level_code(level: shanzhi_domain::DutyLevel) -> &'static str {
    match level {
        shanzhi_domain::DutyLevel::District => "district",
        shanzhi_domain::DutyLevel::Town => "town",
        shanzhi_domain::DutyLevel::Community => "community",
    }
}

async fn render(
    state: &AppState,
    viewer: &Viewer,
    tr: Tr,
    done: Option<String>,
    error: Option<String>,
    kept: Kept,
    q: String,
) -> Response {
    let scoped = state.app.scoped(viewer.actor.clone());
    let categories = scoped.categories().await.unwrap_or_default();
    let duties = duty_rows(&scoped, tr, &categories).await;
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
        kept,
        divisions,
        departments: scoped.departments(None).await.unwrap_or_default(),
        categories,
        duties,
        days,
        working_hours: calendar.as_ref().map(|c| c.working_hours.clone()).unwrap_or_default(),
        thresholds: calendar.map(|c| (c.thresholds.yellow_left, c.thresholds.orange_left)).unwrap_or((50, 20)),
        staff,
        staff_total,
        q,
        roles: ROLES,
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
    render(&state, &viewer, tr, q.done, None, Kept::default(), q.q.unwrap_or_default()).await
}

/// What an admin action did: a line for the redirect, or something to show
/// once on the answer itself (a generated password).
enum Applied {
    Done(String),
    Shown(String),
}

async fn apply(state: &AppState, viewer: &Viewer, section: &str, form: &FormData) -> Result<Applied, Failed> {
    let field = |k: &str| form.field(k);
    let file = form.files.first().cloned();
    if !viewer.csrf_ok(Some(&field("csrf"))) {
        return Err(expired().into());
    }
    let scoped = state.app.scoped(viewer.actor.clone());
    let json = |zh: &str, en: &str, text: &str| -> Result<Category, Failed> {
        serde_json::from_str(text).map_err(|e| bad(&format!("{zh}：{e}"), &format!("{en}: {e}")).into())
    };
    Ok(Applied::Done(match section {
        "department" => {
            let d = scoped.desk::<AdminDesk>()?.create_department(&field("code"), &field("name")).await?;
            format!("部门 {} {}", d.code, d.name)
        }
        "user" => {
            let role = person::role_of(&field("role"))?;
            let opt = |k: &str| form.filled(k);
            let desk = scoped.desk::<AdminDesk>()?;
            let scope = match role.is_staff() {
                true => pick::picked(&desk, form, "scope", &PickKind::for_role(role), Some(role)).await?,
                false => None,
            };
            let u = desk
                .create_user(NewStaff {
                    username: field("username"),
                    display_name: field("display_name"),
                    phone: opt("phone"),
                    password: opt("password"),
                    role,
                    scope,
                    from: None,
                    to: None,
                })
                .await?;
            format!("人员 {}", u.display_name)
        }
        "category_json" => {
            let c: Category = json("分类 JSON 无效", "invalid category JSON", &field("category"))?;
            let name = c.name.clone();
            let v = scoped.desk::<CityDesk>()?.put_category(c).await?;
            format!("分类 {name} 第 {v} 版")
        }
        "duty" => {
            let desk = scoped.desk::<CityDesk>()?;
            let people = scoped.desk::<AdminDesk>()?;
            let mut d = category::duty_from(form).map_err(at("category"))?;
            let lead = form.filled("lead").or_else(|| form.filled("lead_q"));
            if let Some(text) = lead {
                d.lead = Some(people.resolve_department_key(&text).await.map_err(at("lead_q"))?.0);
            }
            for name in form.field("co_q").split([',', '，', '、']).map(str::trim).filter(|v| !v.is_empty()) {
                d.co.push(people.resolve_department_key(name).await.map_err(at("co_q"))?.0);
            }
            d.co.dedup();
            let what = format!("职责 {}", d.category);
            desk.put_duty(d).await?;
            what
        }
        "duty_remove" => {
            let (code, level) = category::duty_key(form).map_err(at("category"))?;
            scoped.desk::<CityDesk>()?.remove_duty(code.as_str(), level).await?;
            "已删除职责".to_owned()
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
        _ => return Err(unknown_section()),
    }))
}

pub(super) fn unknown_section() -> Failed {
    AppError::not_found("unknown_section", "没有这个管理项", "no such admin section").into()
}

/// Back to `path` after a change, saying what was done (`#anchor` kept).
pub(super) fn done_at(path: &str, done: &str) -> Response {
    let (path, anchor) = path.split_once('#').map_or((path, String::new()), |(p, a)| (p, format!("#{a}")));
    let done = url::form_urlencoded::byte_serialize(done.as_bytes()).collect::<String>();
    Redirect::to(&format!("{path}?done={done}{anchor}")).into_response()
}

/// The form of a signed-in viewer's page, its CSRF token checked; else the
/// answer to give (sign in first, or the refusal as a page).
pub(super) async fn signed_form(
    state: &AppState,
    viewer: &Viewer,
    tr: Tr,
    request: Request,
) -> Result<FormData, Response> {
    if !viewer.signed_in() {
        return Err(to_login("/admin"));
    }
    let form = FormData::read(request, state).await.map_err(|e| refusal(tr, viewer, &e))?;
    if !viewer.csrf_ok(Some(&form.field("csrf"))) {
        return Err(refusal(tr, viewer, &expired()));
    }
    Ok(form)
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
    let form = match FormData::read(request, &state).await {
        Ok(form) => form,
        Err(e) => return refused(&state, &viewer, tr, &section, &FormData::default(), e.into()).await,
    };
    match apply(&state, &viewer, &section, &form).await {
        Ok(Applied::Shown(once)) => render(&state, &viewer, tr, Some(once), None, Kept::default(), String::new()).await,
        Ok(Applied::Done(done)) => done_at(&format!("/admin#{}", section.split('_').next().unwrap_or_default()), &done),
        Err(failed) => refused(&state, &viewer, tr, &section, &form, failed).await,
    }
}

/// The page again with the refused form's input, the error at the top and
/// beside its field, and a 4xx status.
async fn refused(state: &AppState, viewer: &Viewer, tr: Tr, section: &str, form: &FormData, f: Failed) -> Response {
    let m = f.error.message();
    let message = if tr.en { m.en } else { m.zh };
    let kept = Kept::new(section, form, f.field, message.clone());
    let mut r = render(state, viewer, tr, None, Some(message), kept, String::new()).await;
    *r.status_mut() = status(&f.error);
    r
}

/// The status of a refused admin form: 403, 404 or 400.
pub(super) fn status(e: &AppError) -> axum::http::StatusCode {
    match e {
        AppError::Forbidden(_) => axum::http::StatusCode::FORBIDDEN,
        AppError::NotFound { .. } => axum::http::StatusCode::NOT_FOUND,
        _ => axum::http::StatusCode::BAD_REQUEST,
    }
}
