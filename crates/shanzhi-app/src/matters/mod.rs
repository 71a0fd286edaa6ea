//! 一个平台统调: the matter engine. Intake from every channel, routing by
//! the duty list, the lifecycle's commands with role and scope guards, the
//! hash-chained timeline, and listings within the caller's scope.

pub(crate) mod attachments;
mod batch;
mod cache;
mod commands;
mod demo;
mod dictionary;
mod duplicates;
mod filter;
mod holder;
mod hotline;
mod intake;
mod map;
mod page;
pub mod seed;
mod self_handle;
pub(crate) mod submit;
mod verify;

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;
use shanzhi_domain::category::Limit;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{
    ActingRole, Action, Assignee, CommandKind, Level, Matter, MatterEvent, MatterId, MatterState, Micros, Role, Scope,
    Stage, StageClock, Timing, Warning,
};
use shanzhi_store::{MatterQuery, MatterScope};

use crate::access::{Scoped, Via};
use crate::grids::today;
use crate::{AppError, AppResult};

pub use attachments::{AttachmentView, MAX_ATTACHMENT_BYTES};
pub use batch::DispatchChoices;
pub(crate) use cache::{Dictionary, DictionaryHolder};
#[cfg(feature = "fuzzing")]
pub(crate) use commands::parse_command;
pub use commands::{Suggestion, SuggestionSource};
pub use demo::DemoOptions;
pub(crate) use duplicates::sighting_of;
pub use duplicates::{MAX_REPEATS, RepeatView};
pub use filter::{DEFAULT_PAGE, MAX_PAGE, MAX_TEXT_CHARS, MatterFilter};
pub(crate) use holder::HolderNames;
#[cfg(feature = "fuzzing")]
pub(crate) use hotline::parse_hotline;
pub use hotline::{DuplicatePair, HotlineImportReport, HotlineRow, OrderSuggestion};
pub use intake::{CategoryHint, IntakeAnswer, IntakeRequest};
pub use map::OpenCounts;
pub use page::MatterScreen;
pub use self_handle::SelfHandleRequest;
pub use shanzhi_store::MatterOrder;
pub use verify::{MatterVerification, verify_matter_chains};

/// A matter as the caller may see it: the reporter's name and phone masked
/// unless the caller needs them (and then the view is recorded).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatterView {
    pub id: String,
    pub number: String,
    pub state: MatterState,
    pub state_name: &'static str,
    pub channel: String,
    pub category: String,
    /// The category's current name.
    pub category_name: String,
    pub category_version: i64,
    pub line: String,
    pub severity: String,
    pub description: String,
    pub address: Option<String>,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub grid: String,
    pub community: String,
    pub level: Level,
    pub assignee: Option<Assignee>,
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
    pub reporter_masked: bool,
    pub duplicate_of: Option<String>,
    pub extension_requested: Option<u32>,
    pub park_requested: bool,
    pub reworks: u32,
    pub returns: u32,
    pub escalations: u32,
    pub supervisions: u32,
    pub rating: Option<shanzhi_domain::Rating>,
    pub reported_at: String,
    pub updated_at: String,
    pub deadline_at: Option<String>,
    /// The clock of the stage the matter is in.
    pub time_limit: Option<TimeLimitView>,
    /// Commands that fit the state now (the caller may not be allowed all).
    pub allowed_commands: Vec<CommandKind>,
}

/// A stage clock as shown on the matter.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeLimitView {
    pub stage: Stage,
    pub stage_name: &'static str,
    pub limit: Limit,
    pub limit_label: String,
    pub started_at: String,
    pub deadline_at: Option<String>,
    pub yellow_at: Option<String>,
    pub orange_at: Option<String>,
    /// The colour now (the sweep records it within its interval).
    pub warning: Warning,
    pub warning_name: &'static str,
    pub overdue: bool,
    /// Parked: the clock stands still.
    pub paused: bool,
    /// Seconds of the limit's time left when parked.
    pub paused_left_seconds: Option<i64>,
    pub supervised: bool,
    /// The deadline lies in a year without official holiday data.
    pub provisional: bool,
}

fn time_limit_view(c: &StageClock, timing: &Timing, now: Timestamp) -> TimeLimitView {
    let warning = if c.counting_from.is_some() { c.warning.max(c.warning_at(now)) } else { Warning::None };
    let provisional = c
        .deadline
        .is_some_and(|d| !timing.calendar.year_has_data(d.to_zoned_datetime(shanzhi_domain::calendar::china()).year()));
    TimeLimitView {
        stage: c.stage,
        stage_name: c.stage.label_zh(),
        limit: c.limit,
        limit_label: c.limit.label_zh(),
        started_at: c.started_at.to_string(),
        deadline_at: c.deadline.map(|t| t.to_string()),
        yellow_at: c.yellow_at.map(|t| t.to_string()),
        orange_at: c.orange_at.map(|t| t.to_string()),
        warning,
        warning_name: warning.label_zh(),
        overdue: warning == Warning::Red,
        paused: c.counting_from.is_none(),
        paused_left_seconds: c.counting_from.is_none().then_some(c.left),
        supervised: c.supervised,
        provisional,
    }
}

/// One timeline entry as shown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventView {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub role: String,
    pub command: String,
    pub details: serde_json::Value,
    pub from_state: Option<MatterState>,
    pub to_state: MatterState,
    pub attachments: Vec<String>,
    pub hash: String,
}

/// A page of matters and the cursor for the next one.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatterPage {
    pub items: Vec<MatterView>,
    pub next: Option<String>,
}

/// An instant as the API writes it: RFC 3339, UTC.
pub(crate) fn iso(micros: Micros) -> String {
    micros.to_string()
}

fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => format!("{first}{}", "*".repeat(chars.count().max(1))),
        None => String::new(),
    }
}

pub(crate) fn matter_not_found() -> AppError {
    AppError::not_found("matter_not_found", "未找到该事件，或不在您的管辖范围内", "no such matter in your scope")
}

impl Scoped<'_> {
    /// Where this caller may look for matters.
    pub(crate) fn matter_scope(&self) -> MatterScope {
        let mut scope = MatterScope { everything: self.actor.via == Via::System, ..MatterScope::default() };
        let day = today();
        for g in self.actor.grants.iter().filter(|g| g.term.contains(day)) {
            match &g.scope {
                Some(Scope::Division(d)) => scope.divisions.push(d.clone()),
                Some(Scope::Grid(grid)) => scope.grids.push(grid.clone()),
                Some(Scope::Department(d)) => scope.departments.push(d.clone()),
                None => {}
            }
        }
        scope.reporter = self.actor.user_id().map(str::to_owned);
        scope
    }

    /// The store's query for a filter in the caller's scope. A search by the
    /// reporter's phone number reads only where the caller may see numbers
    /// unmasked (`Action::ViewContact`: dispatchers, community workers,
    /// admins, in their own divisions or grids): a role that sees them masked
    /// could otherwise learn who reported what by trying numbers. Others are
    /// refused (403), and nothing is read.
    pub(crate) fn matter_query(&self, filter: &MatterFilter) -> AppResult<MatterQuery> {
        let mut query = filter.query()?;
        query.scope = self.matter_scope();
        if let Some(phone) = &filter.phone {
            query.scope = self.contact_scope().ok_or_else(|| {
                AppError::Forbidden(Bilingual::new(
                    "按电话号码查找仅限可查看完整电话的岗位（调度员、社区工作者），请按工单号或描述搜索",
                    "only roles that see phone numbers in full (dispatchers, community workers) may search by one; \
                     search by number or words instead",
                ))
            })?;
            query.reporter_phone = Some(phone.reveal().to_owned());
        }
        Ok(query)
    }

    /// The part of the caller's scope where phone numbers show unmasked.
    fn contact_scope(&self) -> Option<MatterScope> {
        if self.actor.via == Via::System {
            return Some(MatterScope { everything: true, ..MatterScope::default() });
        }
        let mut scope = MatterScope::default();
        let day = today();
        for g in self.actor.grants.iter().filter(|g| g.term.contains(day) && g.role.allows(Action::ViewContact)) {
            match &g.scope {
                Some(Scope::Division(d)) => scope.divisions.push(d.clone()),
                Some(Scope::Grid(grid)) => scope.grids.push(grid.clone()),
                _ => {}
            }
        }
        (!scope.divisions.is_empty() || !scope.grids.is_empty()).then_some(scope)
    }

    /// May the caller see this matter at all?
    pub(crate) fn can_see(&self, m: &Matter) -> bool {
        if self.actor.via == Via::System || m.reported_by(self.actor.user_id()) {
            return true;
        }
        let place = m.place();
        let day = today();
        self.actor.grants.iter().filter(|g| g.term.contains(day)).any(|g| match &g.scope {
            Some(Scope::Department(d)) => m.status.assignee == Some(Assignee::Department(d.clone())),
            Some(s) => s.covers(&place),
            None => false,
        })
    }

    /// A matter by id or number, if the caller may see it.
    pub(crate) async fn visible_matter(&self, id: &str) -> AppResult<Matter> {
        let by_id = match MatterId::parse(id) {
            Ok(id) => self.app.store.matter(&id).await?,
            Err(_) => None,
        };
        let m = match by_id {
            Some(m) => Some(m),
            None => self.app.store.matter_by_number(id).await?,
        };
        m.filter(|m| self.can_see(m)).ok_or_else(matter_not_found)
    }

    /// Build the view, unmasking the reporter for roles that need to call back.
    pub(crate) async fn view(&self, m: &Matter) -> AppResult<MatterView> {
        self.view_as(m, true).await
    }

    /// 已注销用户 when the matter's reporter deleted their account (one matter
    /// opened: lists do not look).
    async fn erased_reporter(&self, m: &Matter) -> AppResult<Option<String>> {
        let Some(user_id) = m.reporter.user_id.as_deref() else { return Ok(None) };
        let erased = self.app.store.user_by_id(user_id).await?.is_some_and(|u| crate::access::is_erased(&u));
        Ok(erased.then(|| "已注销用户".to_owned()))
    }

    /// The view as lists show it (the reporter masked).
    pub(crate) async fn list_view(&self, m: &Matter) -> AppResult<MatterView> {
        self.view_as(m, false).await
    }

    /// The view; `contact`: unmask the reporter if the caller may (one
    /// matter opened), else mask it (lists: nobody calls back from a list,
    /// and a page would record fifty views of personal data).
    async fn view_as(&self, m: &Matter, contact: bool) -> AppResult<MatterView> {
        let own = m.reported_by(self.actor.user_id());
        let reveal = own || (contact && self.actor.can(Action::ViewContact, &m.place()));
        let has_contact = m.reporter.has_contact();
        if reveal && has_contact && !own {
            self.record_pii(format!("matter:{}", m.number), "reporter", "matter").await?;
        }
        let phone = m.reporter.phone.as_ref();
        let (mut name, phone) = if reveal {
            (m.reporter.name.clone(), phone.map(|p| p.reveal().to_owned()))
        } else {
            (m.reporter.name.as_deref().map(mask_name), phone.map(|p| p.masked()))
        };
        if contact && name.is_none() {
            name = self.erased_reporter(m).await?;
        }
        Ok(MatterView {
            id: m.id.to_string(),
            number: m.number.clone(),
            state: m.status.state,
            state_name: m.status.state.label_zh(),
            channel: m.channel.as_str().to_owned(),
            category: m.category.to_string(),
            category_name: self
                .app
                .dictionary()
                .await?
                .category(&m.category)
                .map_or_else(|| m.category.to_string(), |(c, _)| c.name.clone()),
            category_version: m.category_version,
            line: m.line.as_str().to_owned(),
            severity: m.severity.as_str().to_owned(),
            description: m.description.clone(),
            address: m.address.clone(),
            lng: m.location.map(|p| p.lng),
            lat: m.location.map(|p| p.lat),
            grid: m.grid.to_string(),
            community: m.grid.community().to_string(),
            level: m.status.level,
            assignee: m.status.assignee.clone(),
            reporter_name: name,
            reporter_phone: phone,
            reporter_masked: !reveal && has_contact,
            duplicate_of: m.duplicate_of.clone(),
            extension_requested: m.status.extension_requested,
            park_requested: m.status.park_requested,
            reworks: m.status.reworks,
            returns: m.status.returns,
            escalations: m.status.escalations,
            supervisions: m.status.supervisions,
            rating: m.status.rating,
            reported_at: iso(m.reported_at),
            updated_at: iso(m.updated_at),
            deadline_at: m.deadline_at().map(iso),
            time_limit: m.clock.as_ref().map(|c| time_limit_view(c, &self.app.timing(), self.app.now())),
            allowed_commands: m.status.allowed(),
        })
    }

    /// One matter, by id or number.
    pub async fn matter(&self, id: &str) -> AppResult<MatterView> {
        let m = self.visible_matter(id).await?;
        self.view(&m).await
    }

    /// Its timeline, oldest first.
    pub async fn timeline(&self, id: &str) -> AppResult<Vec<EventView>> {
        let m = self.visible_matter(id).await?;
        Ok(self.app.store.matter_events(&m.id).await?.into_iter().map(event_view).collect())
    }

    /// Matters within the caller's scope in the filter's order (newest first
    /// by default), a page at a time.
    /// `cursor` is the `next` of the previous page.
    pub async fn matters(&self, filter: &MatterFilter, cursor: Option<&str>) -> AppResult<MatterPage> {
        let mut query = self.matter_query(filter)?;
        if let Some(phone) = &filter.phone {
            // A search by a person's number is a use of their data: logged
            // (the number masked, as the log is read by more roles).
            self.record_pii(format!("phone:{}", phone.masked()), "reporter_phone", "search").await?;
        }
        if let Some(c) = cursor {
            query.after = Some(decode_cursor(c)?);
        }
        let rows = self.app.store.matters(&query).await?;
        let next = (rows.len() == query.limit)
            .then(|| rows.last().map(|m| format!("{}_{}", query.order.key(m).get(), m.id)))
            .flatten();
        let mut items = Vec::with_capacity(rows.len());
        for m in &rows {
            items.push(self.view_as(m, false).await?);
        }
        Ok(MatterPage { items, next })
    }

    /// Counts by state within the caller's scope (and the query's filters).
    pub async fn matter_counts(&self, filter: &MatterFilter) -> AppResult<BTreeMap<MatterState, u64>> {
        let query = self.matter_query(filter)?;
        Ok(self.app.store.count_matters(&query).await?)
    }

    /// The role this caller acts in for a command on a matter, if any.
    pub(crate) fn acting_role(&self, kind: CommandKind, m: &Matter) -> Option<Role> {
        let roles = kind.roles();
        if self.actor.via == Via::System {
            return roles.first().copied();
        }
        let day = today();
        let place = m.place();
        let own = m.reported_by(self.actor.user_id());
        self.actor
            .grants
            .iter()
            .filter(|g| g.term.contains(day) && roles.contains(&g.role))
            .find(|g| match (g.role, &g.scope) {
                (Role::Resident, _) => own,
                // A dispatcher rates only as the hotline's call-back (回访) of
                // a hotline order: a staff rating of other matters would be
                // the handlers grading themselves.
                (Role::Dispatcher, _) if kind == CommandKind::Rate && m.channel != shanzhi_domain::Channel::Hotline => {
                    false
                }
                (Role::DeptHandler, Some(Scope::Department(d))) => {
                    m.status.assignee == Some(Assignee::Department(d.clone()))
                }
                // A community worker handles what is dispatched to the
                // community, and dispatches at community level.
                (Role::CommunityWorker, Some(s)) => {
                    let level_ok = if kind.is_handling() {
                        m.status.assignee == Some(Assignee::Community)
                    } else if kind.is_dispatching() {
                        m.status.level <= Level::Community
                    } else {
                        true
                    };
                    level_ok && s.covers(&place)
                }
                (Role::Dispatcher, Some(Scope::Division(d))) => {
                    // District-level matters need a district-wide dispatcher.
                    let needs_district = m.status.level == Level::District;
                    (!needs_district || d.level() <= shanzhi_domain::DivisionLevel::District)
                        && Scope::Division(d.clone()).covers(&place)
                }
                (_, Some(s)) => s.covers(&place),
                (_, None) => false,
            })
            .map(|g| g.role)
    }

    /// The capacity a command is entered in, on the timeline.
    pub(crate) fn acting_as(&self, role: Role) -> ActingRole {
        match self.actor.via {
            Via::System => ActingRole::System,
            _ => ActingRole::Role(role),
        }
    }
}

fn event_view(e: MatterEvent) -> EventView {
    EventView {
        seq: e.seq,
        at: iso(e.at),
        details: serde_json::from_str(&e.body).unwrap_or(serde_json::Value::Null),
        actor: e.actor,
        role: e.role.as_str().to_owned(),
        command: e.kind.as_str().to_owned(),
        from_state: e.from_state,
        to_state: e.to_state,
        attachments: e.attachments,
        hash: e.hash,
    }
}

fn decode_cursor(c: &str) -> AppResult<(Micros, MatterId)> {
    let bad = || AppError::bad_request("invalid_cursor", "翻页游标无效", "invalid page cursor");
    let (at, id) = c.split_once('_').ok_or_else(bad)?;
    Ok((Micros::new(at.parse().map_err(|_| bad())?), MatterId::parse(id).map_err(|_| bad())?))
}
