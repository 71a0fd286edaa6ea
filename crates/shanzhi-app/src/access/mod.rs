//! 一支队伍统管: who the caller is, and what they may do where.
//!
//! Every use case about people, departments, rosters, patrols and the audit
//! log is a method of [`Scoped`], a handle that carries the caller's grants:
//! code that has no `Actor` cannot reach them at all (the lldap pattern). A
//! method checks its action against the place it touches before it reads or
//! writes: reads outside the caller's scope answer "not found" (nothing
//! leaks), writes answer "forbidden", and nothing changes.

mod accounts;
mod audit;
pub(crate) mod auth;
mod departments;
mod desk;
pub(crate) mod patrols;
mod people;
mod picks;
mod pii;
mod signup;

use jiff::civil::Date;
use serde::Serialize;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{Action, Grant, Place, Role};
use shanzhi_store::UserRecord;

use crate::grids::today;
use crate::{App, AppError, AppResult};

pub use accounts::{TokenView, generate_password};
pub use audit::{AuditVerification, verify_audit_chain};
pub(crate) use auth::HashPool;
pub use auth::{AuthConfig, Client, LoginOutcome, NewToken, SESSION_COOKIE};
pub use departments::{DepartmentView, demo_departments};
pub use desk::{AdminDesk, AuditDesk, CityDesk, Desk, DispatchDesk, PatrolDesk};

pub use patrols::{CheckIn, CoverageRow, MAX_TRACK_BATCH, MAX_TRACK_POINTS, PatrolView};
pub use people::{AssignmentView, NewStaff, RosterEntry, UserView};
pub use picks::{PICK_LIMIT, PICK_TEXT_MAX, Pick, PickKind, TREE_LIMIT};
pub(crate) use pii::RecentUses;
pub use signup::{CONSENT_VERSION, MyMatter, SmsCodeSent, SmsConfig, SmsLoginOutcome, is_erased};

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A browser session (cookie); unsafe requests must echo its CSRF token.
    Session { token_hash: String, csrf_token: String },
    /// A bearer API token.
    Token { id: String },
    /// The command line or the server itself, acting for the operator.
    System,
    /// Nobody signed in (a resident reporting without an account).
    Anonymous,
}

/// The caller: a user and the grants valid today. Only sign-in (a session
/// or token the store knows), [`Actor::anonymous`] and the holder of the
/// [`OperatorKey`] ([`Operator::scoped`]) make one: nothing over the network
/// can claim more.
#[derive(Debug, Clone)]
pub struct Actor {
    pub(crate) user: Option<UserRecord>,
    pub(crate) name: String,
    pub(crate) grants: Vec<Grant>,
    pub(crate) via: Via,
}

/// The operator's key: whoever holds it may act as the operator (anything but
/// patrol; see [`App::operator`]). [`App::new`] hands it out once, with the
/// application, to the process that built it (the command line, a test); the
/// web interface gets the application without it.
#[derive(Debug)]
pub struct OperatorKey(());

impl OperatorKey {
    pub(crate) fn new() -> OperatorKey {
        OperatorKey(())
    }
}

impl Actor {
    /// The platform itself (the sweep, the demo data).
    pub(crate) fn system(name: &str) -> Actor {
        Actor { user: None, name: name.to_owned(), grants: Vec::new(), via: Via::System }
    }

    pub(crate) fn signed_in(user: UserRecord, grants: Vec<Grant>, via: Via) -> Actor {
        Actor { name: user.username.to_string(), user: Some(user), grants, via }
    }

    /// The name the audit log and timelines record.
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn user(&self) -> Option<&UserRecord> {
        self.user.as_ref()
    }

    /// The grants valid today.
    pub fn grants(&self) -> &[Grant] {
        &self.grants
    }

    pub fn via(&self) -> &Via {
        &self.via
    }

    /// Nobody signed in: may report a matter, nothing else.
    pub fn anonymous() -> Actor {
        Actor { user: None, name: "anonymous".to_owned(), grants: Vec::new(), via: Via::Anonymous }
    }

    /// Nobody signed in.
    pub fn is_anonymous(&self) -> bool {
        self.via == Via::Anonymous
    }

    pub fn user_id(&self) -> Option<&str> {
        self.user.as_ref().map(|u| u.id.as_str())
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// May the caller do `action` at `place` today?
    pub fn can(&self, action: Action, place: &Place) -> bool {
        self.can_on(action, place, today())
    }

    fn can_on(&self, action: Action, place: &Place, day: Date) -> bool {
        if self.via == Via::System {
            return action != Action::Patrol;
        }
        self.grants.iter().any(|g| g.allows(action, place, day))
    }

    /// May the caller do `action` anywhere at all (to decide between "not
    /// found" and "forbidden" for things without a place)?
    pub fn can_somewhere(&self, action: Action) -> bool {
        self.via == Via::System || self.grants.iter().any(|g| g.term.contains(today()) && g.role.allows(action))
    }
}

/// The refusal for `action` at a place outside the caller's scope.
pub(crate) fn refuse(action: Action) -> AppError {
    if action.is_read() {
        AppError::not_found("not_found", "未找到，或不在您的管辖范围内", "not found, or outside your scope")
    } else {
        AppError::Forbidden(Bilingual::new("您无权在此范围内进行此操作", "you may not do this in this scope"))
    }
}

/// A handle carrying the caller; the only way to people, rosters and patrols.
#[derive(Debug)]
pub struct Scoped<'a> {
    pub(crate) app: &'a App,
    pub(crate) actor: Actor,
}

impl Scoped<'_> {
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Check `action` at `place`, refusing as [`refuse`] says.
    pub(crate) fn require(&self, action: Action, place: &Place) -> AppResult<()> {
        if self.actor.can(action, place) { Ok(()) } else { Err(refuse(action)) }
    }

    pub(crate) fn audit(&self, action: &str, entity: &str) -> shanzhi_store::AuditEntry {
        shanzhi_store::AuditEntry::new(&self.actor.name, action, entity)
    }
}

impl App {
    /// Act as `actor`.
    pub fn scoped(&self, actor: Actor) -> Scoped<'_> {
        Scoped { app: self, actor }
    }

    /// The operator's handle: imports, demo data, the raw store.
    pub fn operator(&self, _key: &OperatorKey) -> Operator<'_> {
        Operator { app: self }
    }
}

/// What only the operator does (the command line, tests): bulk imports and
/// generators that run before anyone is signed in, and the raw store. Made
/// from the application with the [`OperatorKey`].
#[derive(Debug, Clone, Copy)]
pub struct Operator<'a> {
    pub(crate) app: &'a App,
}

impl<'a> Operator<'a> {
    /// Act as the operator, named `name` in the audit log and timelines.
    pub fn scoped(&self, name: &str) -> Scoped<'a> {
        self.app.scoped(Actor::system(name))
    }

    pub fn store(&self) -> &'a dyn shanzhi_store::Store {
        self.app.store.as_ref()
    }
}

impl std::ops::Deref for Operator<'_> {
    type Target = App;
    fn deref(&self) -> &App {
        self.app
    }
}

/// What `/api/v1/me` shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub username: String,
    pub display_name: String,
    pub grants: Vec<Grant>,
    /// Echo this in `X-CSRF-Token` on unsafe requests made with the session cookie.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
}

impl Scoped<'_> {
    pub fn me(&self) -> Me {
        let csrf_token = match &self.actor.via {
            Via::Session { csrf_token, .. } => Some(csrf_token.clone()),
            _ => None,
        };
        Me {
            username: self.actor.name.clone(),
            display_name: self.actor.user.as_ref().map(|u| u.display_name.clone()).unwrap_or_default(),
            grants: self.actor.grants.clone(),
            csrf_token,
        }
    }
}
