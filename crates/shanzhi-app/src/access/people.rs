//! People and their assignments (roles with scopes and terms), and the
//! roster: everyone who works in a community or town, whatever their role.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;
use shanzhi_domain::people::check_password;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{Action, CodeSystem, DivisionCode, Phone, Place, Role, Scope, Term, Username, WorkPhone};
use shanzhi_store::{AssignmentRecord, NewUser, StoreError, UserKind, UserRecord};

use super::{AdminDesk, Scoped, refuse};
use crate::grids::today;
use crate::{AppError, AppResult};

/// An assignment as shown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssignmentView {
    pub id: String,
    pub role: Role,
    pub role_name: &'static str,
    pub scope: Option<Scope>,
    /// The scope's name (division, grid or department), where one is known.
    pub scope_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub valid_from: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub valid_to: Option<Date>,
}

impl From<&AssignmentRecord> for AssignmentView {
    fn from(a: &AssignmentRecord) -> Self {
        AssignmentView {
            id: a.id.clone(),
            role: a.role,
            role_name: a.role.label_zh(),
            scope: a.scope.clone(),
            scope_name: None,
            valid_from: a.term.from,
            valid_to: a.term.to,
        }
    }
}

/// A person as the caller may see them: the phone number masked unless the
/// caller's role needs it (and then the view is recorded).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserView {
    pub username: String,
    pub display_name: String,
    pub kind: UserKind,
    pub phone: Option<String>,
    pub phone_masked: bool,
    /// The public work phone (工作电话), if they gave one.
    pub work_phone: Option<String>,
    pub assignments: Vec<AssignmentView>,
}

/// One line of a roster.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RosterEntry {
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub phone_masked: bool,
    /// Disabled accounts cannot sign in; their sessions and tokens stopped.
    pub disabled: bool,
    pub assignments: Vec<AssignmentView>,
}

/// A new staff account with its first assignment.
#[derive(Debug, Clone)]
pub struct NewStaff {
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    pub password: Option<String>,
    pub role: Role,
    pub scope: Option<String>,
    pub from: Option<Date>,
    pub to: Option<Date>,
}

fn bad(code: &'static str, message: Bilingual) -> AppError {
    AppError::BadRequest { code, message }
}

pub(super) fn user_not_found(username: &str) -> AppError {
    AppError::not_found(
        "user_not_found",
        format!("用户 {username} 不存在，或不在您的管辖范围内"),
        format!("no user {username} in your scope"),
    )
}

impl Scoped<'_> {
    /// The place a scope stands for, checking that it exists: the division,
    /// the grid (with its parent) or the department.
    pub(crate) async fn place_of(&self, scope: &Scope) -> AppResult<Place> {
        let unknown = |what: &str| {
            AppError::invalid(
                "unknown_scope",
                Bilingual::new(
                    format!("范围 {scope} 不存在（{what}）"),
                    format!("scope {scope} does not exist ({what})"),
                ),
            )
        };
        match scope {
            Scope::Division(d) => {
                self.app.store.division(CodeSystem::Nbs2023, d).await?.ok_or_else(|| unknown("区划 division"))?;
                Ok(Place::Division(d.clone()))
            }
            Scope::Grid(g) => {
                let record = self.app.grid(g, today()).await.map_err(|_| unknown("网格 grid"))?;
                Ok(Place::Grid { code: g.clone(), parent: record.info.parent })
            }
            Scope::Department(d) => {
                self.app.store.department(d).await?.ok_or_else(|| unknown("部门 department"))?;
                Ok(Place::Department(d.clone()))
            }
        }
    }

    fn parse_scope(role: Role, scope: Option<&str>) -> AppResult<Option<Scope>> {
        match (role.is_staff(), scope) {
            (false, None) => Ok(None),
            (false, Some(_)) => {
                Err(bad("invalid_scope", Bilingual::new("居民账号没有管辖范围", "a resident account takes no scope")))
            }
            (true, None) => Err(bad(
                "missing_scope",
                Bilingual::new(format!("角色 {role} 需要管辖范围"), format!("role {role} needs a scope")),
            )),
            (true, Some(code)) => {
                let scope = Scope::parse(code).map_err(|m| bad("invalid_scope", m))?;
                scope.fits(role).map_err(|m| bad("scope_does_not_fit_role", m))?;
                Ok(Some(scope))
            }
        }
    }

    /// A user the caller may see for `action`: themself, or someone with an
    /// assignment (of any term) whose scope the caller covers. Anyone else is
    /// "not found".
    pub(super) async fn visible_user(&self, username: &str, action: Action) -> AppResult<UserRecord> {
        let name = Username::parse(username).map_err(|_| user_not_found(username))?;
        let user = self.app.store.user_by_name(&name).await?.ok_or_else(|| user_not_found(username))?;
        if self.actor.user_id() == Some(user.id.as_str()) && action == Action::ViewPeople {
            return Ok(user);
        }
        if self.actor.via == super::Via::System {
            return Ok(user);
        }
        for a in self.app.store.assignments_of(&user.id).await? {
            if let Some(scope) = &a.scope
                && let Ok(place) = self.place_of(scope).await
                && self.actor.can(action, &place)
            {
                return Ok(user);
            }
        }
        // An account with no assignment yet is visible to people managers only.
        if action == Action::ManagePeople && self.actor.can_somewhere(Action::ManagePeople) {
            let assignments = self.app.store.assignments_of(&user.id).await?;
            if assignments.iter().all(|a| a.scope.is_none()) {
                return Ok(user);
            }
        }
        if action.is_read() { Err(user_not_found(username)) } else { Err(refuse(action)) }
    }

    /// Show the phone number in full if the caller may see it at one of the
    /// person's places, recording the view.
    async fn phone_for(&self, user: &UserRecord, places: &[Place]) -> AppResult<(Option<String>, bool)> {
        let Some(phone) = &user.phone else { return Ok((None, false)) };
        let own = self.actor.user_id() == Some(user.id.as_str());
        if own || places.iter().any(|p| self.actor.can(Action::ViewContact, p)) {
            if !own {
                self.record_pii(user.username.to_string(), "phone", "view").await?;
            }
            return Ok((Some(phone.reveal().to_owned()), false));
        }
        Ok((Some(phone.masked()), true))
    }

    /// One person, if the caller may see them.
    pub async fn user(&self, username: &str) -> AppResult<UserView> {
        let user = self.visible_user(username, Action::ViewPeople).await?;
        let assignments = self.app.store.assignments_of(&user.id).await?;
        let mut places = Vec::new();
        for a in &assignments {
            if let Some(s) = &a.scope
                && let Ok(p) = self.place_of(s).await
            {
                places.push(p);
            }
        }
        let (phone, phone_masked) = self.phone_for(&user, &places).await?;
        Ok(UserView {
            username: user.username.to_string(),
            display_name: user.display_name.clone(),
            kind: user.kind,
            phone,
            phone_masked,
            work_phone: user.work_phone.as_ref().map(|p| p.as_str().to_owned()),
            assignments: self.named(assignments.iter().map(AssignmentView::from).collect()).await?,
        })
    }

    /// Everyone working in `division` (a community, town or larger) today,
    /// whatever their role, with the assignments that place them there.
    pub async fn roster(&self, division: &DivisionCode) -> AppResult<Vec<RosterEntry>> {
        self.app.store.division(CodeSystem::Nbs2023, division).await?.ok_or_else(|| refuse(Action::ViewRoster))?;
        let place = Place::Division(division.clone());
        self.require(Action::ViewRoster, &place)?;
        let assignments = self.app.store.assignments_within(division, today()).await?;
        let mut by_user: BTreeMap<String, Vec<AssignmentRecord>> = BTreeMap::new();
        for a in assignments {
            by_user.entry(a.user_id.clone()).or_default().push(a);
        }
        let mut roster = Vec::new();
        for (user_id, assignments) in by_user {
            let Some(user) = self.app.store.user_by_id(&user_id).await? else { continue };
            let (phone, phone_masked) = self.phone_for(&user, std::slice::from_ref(&place)).await?;
            roster.push(RosterEntry {
                username: user.username.to_string(),
                display_name: user.display_name,
                phone,
                phone_masked,
                disabled: user.disabled,
                assignments: assignments.iter().map(AssignmentView::from).collect(),
            });
        }
        let views: Vec<AssignmentView> = roster.iter().flat_map(|r| r.assignments.clone()).collect();
        let names = self.scope_names(&views).await?;
        for a in roster.iter_mut().flat_map(|r| r.assignments.iter_mut()) {
            a.scope_name = a.scope.as_ref().and_then(|s| names.get(s.code_str()).cloned());
        }
        roster.sort_by(|a, b| a.username.cmp(&b.username));
        Ok(roster)
    }
}

impl AdminDesk<'_> {
    /// Create an account with its first assignment. Staff need the caller to
    /// manage people where the assignment's scope lies.
    pub async fn create_user(&self, new: NewStaff) -> AppResult<UserView> {
        let username = Username::parse(&new.username).map_err(|m| bad("invalid_username", m))?;
        let display_name = new.display_name.trim().to_owned();
        if display_name.is_empty() || display_name.chars().count() > 50 {
            return Err(bad(
                "invalid_display_name",
                Bilingual::new("姓名应为 1–50 个字符", "a display name needs 1–50 characters"),
            ));
        }
        let phone = new.phone.as_deref().map(Phone::parse).transpose().map_err(|m| bad("invalid_phone", m))?;
        let scope = Scoped::parse_scope(new.role, new.scope.as_deref())?;
        // A resident has no scope: the desk itself is the check.
        if let Some(s) = &scope {
            let place = self.place_of(s).await?;
            self.require(Action::ManagePeople, &place)?;
        }
        let term = Term::new(new.from.unwrap_or_else(today), new.to).map_err(|m| bad("invalid_term", m))?;
        let password_hash = match &new.password {
            Some(p) => {
                check_password(p, &username).map_err(|m| bad("weak_password", m))?;
                Some(self.app.hash_password(p).await?)
            }
            None => None,
        };
        let id = uuid::Uuid::now_v7().to_string();
        let kind = if new.role.is_staff() { UserKind::Staff } else { UserKind::Resident };
        let user = NewUser {
            id: id.clone(),
            username: username.clone(),
            display_name: display_name.clone(),
            kind,
            phone,
            password_hash,
            created_at: shanzhi_domain::Micros::now(),
        };
        // No password or phone in the audit record: only who, what and where.
        let after = serde_json::json!({ "username": username.as_str(), "display_name": display_name, "kind": kind });
        self.app
            .store
            .create_user(&user, &self.audit("user.create", &format!("user:{username}")).after(after.to_string()))
            .await
            .map_err(|e| match e {
                StoreError::Constraint(_) => AppError::invalid(
                    "username_taken",
                    Bilingual::new(format!("用户名 {username} 已被使用"), format!("username {username} is taken")),
                ),
                other => other.into(),
            })?;
        let assignment =
            AssignmentRecord { id: uuid::Uuid::now_v7().to_string(), user_id: id, role: new.role, scope, term };
        self.write_assignment(&username, assignment.clone()).await?;
        // The creator sees what they created, whatever the new account's
        // scope (a resident has none, and reading it back by scope found
        // nothing: "not found" for an account just made).
        Ok(UserView {
            username: username.to_string(),
            display_name,
            kind,
            phone_masked: user.phone.is_some(),
            phone: user.phone.as_ref().map(Phone::masked),
            work_phone: None,
            assignments: vec![AssignmentView::from(&assignment)],
        })
    }

    /// Change a person's display name and phone number (`Some(None)`: no
    /// number; `None`: the number unchanged, for a caller who sees it only
    /// masked), where the caller manages them. Audited without the number.
    pub async fn edit_user(&self, username: &str, display_name: &str, phone: Option<Option<&str>>) -> AppResult<()> {
        let user = self.visible_user(username, Action::ManagePeople).await?;
        let display_name = display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > 50 {
            return Err(bad(
                "invalid_display_name",
                Bilingual::new("姓名应为 1–50 个字符", "a display name needs 1–50 characters"),
            ));
        }
        let phone = match phone {
            Some(p) => p.map(Phone::parse).transpose().map_err(|m| bad("invalid_phone", m))?,
            None => user.phone.clone(),
        };
        let before = serde_json::json!({ "display_name": user.display_name, "phone": user.phone.is_some() });
        let after = serde_json::json!({
            "display_name": display_name,
            "phone": phone.is_some(),
            "phone_changed": phone != user.phone,
        });
        let audit = self
            .audit("user.edit", &format!("user:{}", user.username))
            .before(before.to_string())
            .after(after.to_string());
        self.app.store.set_profile(&user.id, display_name, phone.as_ref(), &audit).await?;
        Ok(())
    }

    /// Set or clear (`None` or empty) a person's public work phone
    /// (工作电话), shown on their community's public page; where the caller
    /// manages them. Audited with the number, which is public.
    pub async fn set_work_phone(&self, username: &str, phone: Option<&str>) -> AppResult<Option<String>> {
        let user = self.visible_user(username, Action::ManagePeople).await?;
        let phone = phone
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(WorkPhone::parse)
            .transpose()
            .map_err(|m| bad("invalid_work_phone", m))?;
        let shown = |p: &Option<WorkPhone>| serde_json::json!({ "work_phone": p.as_ref().map(WorkPhone::as_str) });
        let audit = self
            .audit("user.work_phone", &format!("user:{}", user.username))
            .before(shown(&user.work_phone).to_string())
            .after(shown(&phone).to_string());
        self.app.store.set_work_phone(&user.id, phone.as_ref(), &audit).await?;
        Ok(phone.map(|p| p.as_str().to_owned()))
    }

    async fn write_assignment(&self, username: &Username, a: AssignmentRecord) -> AppResult<()> {
        let after = serde_json::to_string(&AssignmentView::from(&a)).unwrap_or_default();
        let entity = format!("user:{username}/assignment:{}", a.id);
        self.app.store.add_assignment(&a, &self.audit("assignment.add", &entity).after(after)).await?;
        Ok(())
    }

    /// Give a person another role (or the same role elsewhere) for a term.
    /// Terms of the same role and scope may not overlap.
    pub async fn add_assignment(
        &self,
        username: &str,
        role: Role,
        scope: Option<&str>,
        from: Option<Date>,
        to: Option<Date>,
    ) -> AppResult<AssignmentView> {
        let scope = Scoped::parse_scope(role, scope)?;
        let place = match &scope {
            Some(s) => Some(self.place_of(s).await?),
            None => None,
        };
        if let Some(p) = &place {
            self.require(Action::ManagePeople, p)?;
        }
        let user = self.visible_user(username, Action::ManagePeople).await?;
        let term = Term::new(from.unwrap_or_else(today), to).map_err(|m| bad("invalid_term", m))?;
        let existing = self.app.store.assignments_of(&user.id).await?;
        if let Some(clash) = existing.iter().find(|a| a.role == role && a.scope == scope && a.term.overlaps(&term)) {
            return Err(AppError::invalid(
                "overlapping_terms",
                Bilingual::new(
                    format!("与已有任职 {} 的任期重叠（{} 起）", clash.id, clash.term.from),
                    format!("the term overlaps assignment {} (from {})", clash.id, clash.term.from),
                ),
            ));
        }
        let a = AssignmentRecord { id: uuid::Uuid::now_v7().to_string(), user_id: user.id.clone(), role, scope, term };
        self.write_assignment(&user.username, a.clone()).await?;
        Ok(AssignmentView::from(&a))
    }

    /// End an assignment's term on `on` (default today).
    pub async fn end_assignment(&self, username: &str, id: &str, on: Option<Date>) -> AppResult<AssignmentView> {
        let user = self.visible_user(username, Action::ManagePeople).await?;
        // An admin ending their own assignment would lock themself out (the
        // fuzzer found this); another admin does it.
        if self.actor.user_id() == Some(user.id.as_str()) {
            return Err(AppError::Forbidden(Bilingual::new(
                "不能结束自己的任职，请由其他管理员办理",
                "you cannot end your own assignment; ask another administrator",
            )));
        }
        let mut a =
            self.app.store.assignments_of(&user.id).await?.into_iter().find(|a| a.id == id).ok_or_else(|| {
                AppError::not_found("assignment_not_found", format!("任职 {id} 不存在"), format!("no assignment {id}"))
            })?;
        if let Some(s) = &a.scope {
            let place = self.place_of(s).await?;
            self.require(Action::ManagePeople, &place)?;
        }
        let on = on.unwrap_or_else(today);
        let term = Term::new(a.term.from, Some(on)).map_err(|m| bad("invalid_term", m))?;
        let before = serde_json::to_string(&AssignmentView::from(&a)).unwrap_or_default();
        a.term = term;
        let after = serde_json::to_string(&AssignmentView::from(&a)).unwrap_or_default();
        let entity = format!("user:{}/assignment:{id}", user.username);
        self.app
            .store
            .end_assignment(id, on, &self.audit("assignment.end", &entity).before(before).after(after))
            .await?;
        Ok(AssignmentView::from(&a))
    }
}

impl Scoped<'_> {
    /// These assignments with their scopes' names.
    async fn named(&self, mut views: Vec<AssignmentView>) -> AppResult<Vec<AssignmentView>> {
        let names = self.scope_names(&views).await?;
        for a in &mut views {
            a.scope_name = a.scope.as_ref().and_then(|s| names.get(s.code_str()).cloned());
        }
        Ok(views)
    }

    /// The names of the divisions, grids and departments these assignments
    /// name, by code (one read per kind, whatever the number of people).
    async fn scope_names(&self, views: &[AssignmentView]) -> AppResult<BTreeMap<String, String>> {
        let (mut divisions, mut grids, mut departments) = (Vec::new(), Vec::new(), Vec::new());
        for s in views.iter().filter_map(|a| a.scope.as_ref()) {
            match s {
                Scope::Division(d) => divisions.push(d.clone()),
                Scope::Grid(g) => grids.push(g.clone()),
                Scope::Department(d) => departments.push(d.clone()),
            }
        }
        divisions.sort();
        divisions.dedup();
        grids.sort();
        grids.dedup();
        let mut out = BTreeMap::new();
        for (code, name) in self.app.division_names(&divisions).await? {
            out.insert(code.to_string(), name);
        }
        for chunk in grids.chunks(1_000) {
            let filter = crate::grids::GridFilter { codes: chunk.to_vec(), ..Default::default() };
            for g in self.app.grids(&filter).await? {
                out.insert(g.info.code.to_string(), g.info.name.clone());
            }
        }
        let dictionary = self.app.dictionary().await?;
        for d in departments {
            if let Some(n) = dictionary.department_name(d.as_str()) {
                out.insert(d.to_string(), n.to_owned());
            }
        }
        Ok(out)
    }
}
