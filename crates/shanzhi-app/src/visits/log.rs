//! The 民情日志: a worker's day assembled from that day's visits, patrols
//! and the matters they reported, with their own notes (written that day
//! only) and the community's review comments. Someone else's day is for the
//! community's workers (and the grid's), as care data is.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use shanzhi_domain::{Action, DivisionCode, GridCode, Micros, Place, Role, Scope, Username};
use shanzhi_store::{DailyLogRecord, LogCommentRecord, MatterQuery, MatterScope, PatrolQuery, UserRecord, VisitQuery};

use super::GridVisit;
use crate::access::{Scoped, refuse};
use crate::register::{place_of, time_text};
use crate::{AppError, AppResult};

/// Longest day notes and comments, in characters.
pub const MAX_LOG_CHARS: usize = 4000;
/// Most visits, patrols or matters a day's log lists.
const MAX_LOG_ITEMS: usize = 500;
/// Most workers one review list shows.
const MAX_REVIEW_WORKERS: usize = 200;

/// The worker's own notes on their day.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LogNotesInput {
    /// 0–4000 字
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub notes: String,
}

/// A review comment on a worker's day.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LogCommentInput {
    /// The worker whose day it is (user name).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[a-z][a-z0-9_.-]{2,31}$"))]
    pub worker: String,
    /// 1–4000 字
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 4000))]
    pub body: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogPatrol {
    pub id: String,
    pub grid: String,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub check_ins: usize,
    pub households_visited: u32,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogMatter {
    pub number: String,
    pub state_name: String,
    pub category_name: String,
    pub description: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogComment {
    /// Who commented (display name) and when.
    pub author: String,
    pub at: String,
    pub body: String,
}

/// A worker's day (民情日志).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DailyLog {
    pub worker: String,
    pub worker_name: String,
    pub day: String,
    pub community: String,
    pub grid: Option<String>,
    /// Visits of the day (a care visit's text masked).
    pub visits: Vec<GridVisit>,
    pub patrols: Vec<LogPatrol>,
    /// Matters the worker reported that day.
    pub matters: Vec<LogMatter>,
    pub notes: String,
    pub notes_updated_at: Option<String>,
    /// The caller may write the notes (their own day, today).
    pub editable: bool,
    pub comments: Vec<LogComment>,
}

/// One worker's day in the community's review list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DailyLogSummary {
    pub worker: String,
    pub worker_name: String,
    pub grid: Option<String>,
    pub visits: usize,
    pub care_visits: usize,
    pub patrols: usize,
    pub matters: usize,
    pub has_notes: bool,
    pub comments: usize,
}

fn too_long(what: (&str, &str)) -> AppError {
    AppError::bad_request(
        "text_too_long",
        format!("{}最多 {MAX_LOG_CHARS} 个字", what.0),
        format!("{} has at most {MAX_LOG_CHARS} characters", what.1),
    )
}

/// The instants a China day spans: [start, next day's start).
fn day_span(day: Date) -> AppResult<(Micros, Micros)> {
    let tz = shanzhi_domain::calendar::china();
    let start = |d: Date| {
        tz.to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
            .map(Micros::from)
            .map_err(|e| AppError::internal(e.to_string()))
    };
    let next = day.tomorrow().map_err(|e| AppError::internal(e.to_string()))?;
    Ok((start(day)?, start(next)?))
}

impl Scoped<'_> {
    /// The grid (or division) a worker's day belongs to: their grid worker
    /// assignment that day, else another assignment's division.
    async fn worker_place(&self, user: &UserRecord, day: Date) -> AppResult<(DivisionCode, Option<GridCode>)> {
        let mut division = None;
        for a in self.app.store.assignments_of(&user.id).await? {
            if !a.term.contains(day) {
                continue;
            }
            match a.scope {
                Some(Scope::Grid(g)) if a.role == Role::GridWorker => return Ok((g.community(), Some(g))),
                Some(Scope::Grid(g)) if division.is_none() => division = Some(g.community()),
                Some(Scope::Division(d)) if division.is_none() => division = Some(d),
                _ => {}
            }
        }
        division.map(|d| (d, None)).ok_or_else(|| refuse(Action::ViewCare))
    }

    /// The worker named (default: the caller) and whether it is the caller;
    /// someone else's day needs the care rules on its place.
    async fn log_worker(
        &self,
        worker: Option<&str>,
        day: Date,
    ) -> AppResult<(UserRecord, DivisionCode, Option<GridCode>)> {
        let me = self.actor.user_id().ok_or_else(|| refuse(Action::ViewCare))?.to_owned();
        let user = match worker {
            Some(name) => {
                let username =
                    Username::parse(name).map_err(|m| AppError::BadRequest { code: "invalid_username", message: m })?;
                self.app.store.user_by_name(&username).await?.ok_or_else(|| refuse(Action::ViewCare))?
            }
            None => self.app.store.user_by_id(&me).await?.ok_or_else(|| refuse(Action::ViewCare))?,
        };
        let (community, grid) = self.worker_place(&user, day).await?;
        if user.id != me {
            self.require(Action::ViewCare, &place_of(&community, grid.as_ref()))?;
        }
        Ok((user, community, grid))
    }

    /// A worker's day (default: the caller's).
    pub async fn daily_log(&self, day: Date, worker: Option<&str>) -> AppResult<DailyLog> {
        let (user, community, grid) = self.log_worker(worker, day).await?;
        self.assemble_log(&user, day, community, grid).await
    }

    async fn assemble_log(
        &self,
        user: &UserRecord,
        day: Date,
        community: DivisionCode,
        grid: Option<GridCode>,
    ) -> AppResult<DailyLog> {
        let query = VisitQuery {
            worker_id: Some(user.id.clone()),
            from: Some(day),
            to: Some(day),
            limit: MAX_LOG_ITEMS,
            ..Default::default()
        };
        let mut visits = Vec::new();
        for v in self.app.store.visits(&query).await? {
            visits.push(self.visit_view(&v, false, false).await?);
        }
        let (from, to) = day_span(day)?;
        let patrol_query = PatrolQuery {
            within: None,
            grids: Vec::new(),
            user_id: Some(user.id.clone()),
            from: Some(from),
            to: Some(to),
        };
        let patrols = self
            .app
            .store
            .patrols(&patrol_query)
            .await?
            .into_iter()
            .take(MAX_LOG_ITEMS)
            .map(|p| LogPatrol {
                id: p.id,
                grid: p.grid.as_str().to_owned(),
                started_at: time_text(p.started_at),
                ended_at: p.ended_at.map(time_text),
                check_ins: p.points.len(),
                households_visited: p.points.iter().map(|pt| pt.households_visited).sum(),
            })
            .collect();
        let matter_query = MatterQuery {
            scope: MatterScope { reporter: Some(user.id.clone()), ..MatterScope::default() },
            from: Some(from),
            to: Some(to),
            limit: MAX_LOG_ITEMS,
            ..MatterQuery::default()
        };
        let mut matters = Vec::new();
        for m in self.app.store.matters(&matter_query).await? {
            let view = self.view(&m).await?;
            matters.push(LogMatter {
                number: view.number,
                state_name: view.state_name.to_owned(),
                category_name: view.category_name,
                description: view.description,
            });
        }
        let notes = self.app.store.daily_log(&user.id, day).await?;
        let mut comments = Vec::new();
        for c in self.app.store.log_comments(&user.id, day).await? {
            let author = self.app.store.user_by_id(&c.author_id).await?.map(|u| u.display_name).unwrap_or_default();
            comments.push(LogComment { author, at: time_text(c.at), body: c.body });
        }
        Ok(DailyLog {
            worker: user.username.to_string(),
            worker_name: user.display_name.clone(),
            day: day.to_string(),
            community: community.as_str().to_owned(),
            grid: grid.map(|g| g.as_str().to_owned()),
            visits,
            patrols,
            matters,
            notes_updated_at: notes.as_ref().map(|n| time_text(n.updated_at)),
            notes: notes.map(|n| n.notes).unwrap_or_default(),
            editable: self.actor.user_id() == Some(user.id.as_str()) && day == self.app.today_here(),
            comments,
        })
    }

    /// Write one's own notes on today.
    pub async fn write_log_notes(&self, day: Date, input: &LogNotesInput) -> AppResult<DailyLog> {
        if day != self.app.today_here() {
            return Err(AppError::invalid(
                "log_closed",
                shanzhi_domain::text::Bilingual::new("只能填写当天的民情日志", "only today's log can be written"),
            ));
        }
        if input.notes.chars().count() > MAX_LOG_CHARS {
            return Err(too_long(("日志", "the notes")));
        }
        let (user, community, grid) = self.log_worker(None, day).await?;
        self.require(Action::ViewRegister, &place_of(&community, grid.as_ref()))?;
        let record = DailyLogRecord {
            worker_id: user.id.clone(),
            day,
            community: community.clone(),
            grid: grid.clone(),
            notes: input.notes.trim().to_owned(),
            updated_at: self.app.now_micros(),
        };
        self.app.store.put_daily_log(&record, &self.audit("log.notes", &format!("log:{}:{day}", user.id))).await?;
        self.assemble_log(&user, day, community, grid).await
    }

    /// Comment on a worker's day (the community's workers, as for care data).
    pub async fn comment_on_log(&self, day: Date, input: &LogCommentInput) -> AppResult<DailyLog> {
        let body = input.body.trim();
        if body.is_empty() {
            return Err(AppError::bad_request("empty_comment", "请填写点评", "write the comment"));
        }
        if body.chars().count() > MAX_LOG_CHARS {
            return Err(too_long(("点评", "a comment")));
        }
        if day > self.app.today_here() {
            return Err(AppError::bad_request("invalid_day", "日期不能晚于今天", "the day cannot be in the future"));
        }
        let (user, community, grid) = self.log_worker(Some(&input.worker), day).await?;
        let author_id = self.actor.user_id().ok_or_else(|| refuse(Action::ViewCare))?.to_owned();
        if author_id == user.id || !self.actor.has_role(Role::CommunityWorker) {
            return Err(AppError::Forbidden(shanzhi_domain::text::Bilingual::new(
                "由社区工作者点评网格员的民情日志",
                "a community worker reviews a grid worker's log",
            )));
        }
        self.require(Action::ViewCare, &place_of(&community, grid.as_ref()))?;
        let comment = LogCommentRecord {
            id: uuid::Uuid::now_v7().to_string(),
            worker_id: user.id.clone(),
            day,
            author_id,
            at: self.app.now_micros(),
            body: body.to_owned(),
        };
        self.app.store.add_log_comment(&comment, &self.audit("log.comment", &format!("log:{}:{day}", user.id))).await?;
        self.assemble_log(&user, day, community, grid).await
    }

    /// The day's logs of the grid workers of a community (default: the
    /// caller's), for its workers to review.
    pub async fn daily_logs(&self, day: Date, community: Option<&DivisionCode>) -> AppResult<Vec<DailyLogSummary>> {
        let within = match community {
            Some(c) => c.clone(),
            None => match self.own_place(Action::ViewCare)? {
                (Some(d), _) => d,
                (None, Some(g)) => g.community(),
                (None, None) => return Err(refuse(Action::ViewCare)),
            },
        };
        self.require(Action::ViewCare, &Place::Division(within.clone()))?;
        let mut out = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for a in self.app.store.assignments_within(&within, day).await? {
            let Some(Scope::Grid(g)) = &a.scope else { continue };
            if a.role != Role::GridWorker || !seen.insert(a.user_id.clone()) || out.len() >= MAX_REVIEW_WORKERS {
                continue;
            }
            let Some(user) = self.app.store.user_by_id(&a.user_id).await? else { continue };
            let log = self.assemble_log(&user, day, g.community(), Some(g.clone())).await?;
            out.push(DailyLogSummary {
                worker: log.worker,
                worker_name: log.worker_name,
                grid: log.grid,
                care_visits: log.visits.iter().filter(|v| v.care).count(),
                visits: log.visits.len(),
                patrols: log.patrols.len(),
                matters: log.matters.len(),
                has_notes: !log.notes.is_empty(),
                comments: log.comments.len(),
            });
        }
        Ok(out)
    }
}
