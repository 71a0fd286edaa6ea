//! Care marks (关爱对象): a reason from the configured list, notes, a visit
//! frequency in working days and a responsible worker. The reason and notes
//! are sealed at rest; lists show "关爱对象" without them; opening one is
//! for the grid's and community's workers only and is recorded.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use shanzhi_domain::register::{MAX_VISIT_EVERY, RegisterKind, VisitStanding, next_visit_due, visit_standing};
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{Action, DivisionCode, GridCode, Username};
use shanzhi_store::CareMarkRecord;

use super::{bad, place_of};
use crate::access::{Scoped, refuse};
use crate::{App, AppError, AppResult};

/// Longest care notes, in characters.
pub const MAX_NOTES_CHARS: usize = 2000;

/// Mark a resident for care.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CareMarkInput {
    /// One of the configured reasons (独居老人, 残疾人 …).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 32))]
    pub reason: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub notes: String,
    /// Visit every this many working days (1–250).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 250))]
    pub every_days: u32,
    /// The responsible worker's user name (default: the caller).
    #[cfg_attr(feature = "openapi", schema(pattern = "^[a-z][a-z0-9_.-]{2,31}$"))]
    pub worker: Option<String>,
}

/// A visit made (only the day here; visits themselves come later).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CareVisitInput {
    /// The day of the visit (default today).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub on: Option<Date>,
}

/// A care mark as shown: in lists `reason` and `notes` are absent (masked).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CareMarkView {
    pub id: String,
    pub resident_id: String,
    pub resident_name: String,
    /// 关爱对象, or the reason when opened.
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub grid: Option<String>,
    pub every_days: u32,
    pub worker: Option<String>,
    pub started_on: String,
    pub last_visit_on: Option<String>,
    pub next_due: String,
    /// 逾期 / 今日到期 / 未到期.
    pub standing: String,
    pub ended_on: Option<String>,
}

/// One due or overdue visit, for the worker's list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CareDue {
    pub mark_id: String,
    pub resident_name: String,
    pub grid: Option<String>,
    pub worker: Option<String>,
    pub next_due: String,
    pub overdue: bool,
    pub standing: String,
}

#[derive(Serialize, Deserialize)]
struct Sealed {
    reason: String,
    notes: String,
}

const MASKED_LABEL: &str = "关爱对象";

fn standing_label(s: VisitStanding) -> &'static str {
    match s {
        VisitStanding::Overdue => "逾期",
        VisitStanding::Due => "今日到期",
        VisitStanding::Later => "未到期",
    }
}

impl App {
    /// Today in China, by the application's clock.
    pub(crate) fn today_here(&self) -> Date {
        self.now().to_zoned_datetime(shanzhi_domain::calendar::china()).date()
    }

    /// The next visit's day on the working-day calendar.
    pub(super) fn next_due(&self, m: &CareMarkRecord) -> Date {
        next_visit_due(&self.timing().calendar, m.last_visit_on.unwrap_or(m.started_on), m.every_days)
    }

    /// Delete the sealed reasons and notes whose retention ended; how many.
    /// Every sweep calls it (see docs/register.md).
    pub async fn purge_care_reasons(&self) -> AppResult<u64> {
        let entry = shanzhi_store::AuditEntry::new("system", "care.purge", "care_marks");
        Ok(self.store.purge_care_reasons(self.today_here(), &entry).await?)
    }
}

impl Scoped<'_> {
    async fn user_id_of(&self, name: &str) -> AppResult<String> {
        let username = Username::parse(name).map_err(|m| bad("invalid_username", m))?;
        let user = self.app.store.user_by_name(&username).await?.ok_or_else(|| {
            AppError::bad_request("unknown_worker", format!("没有用户“{name}”"), format!("no user '{name}'"))
        })?;
        Ok(user.id)
    }

    fn check_input(&self, input: &CareMarkInput) -> AppResult<()> {
        let settings = self.app.register_settings();
        if !settings.reasons.iter().any(|r| r == input.reason.trim()) {
            return Err(AppError::bad_request(
                "unknown_care_reason",
                format!("关爱原因应为：{}", settings.reasons.join("、")),
                "the care reason must be one of the configured list",
            ));
        }
        if input.notes.chars().count() > MAX_NOTES_CHARS {
            return Err(AppError::bad_request(
                "notes_too_long",
                "备注最多 2000 个字",
                "notes have at most 2000 characters",
            ));
        }
        if !(1..=MAX_VISIT_EVERY).contains(&input.every_days) {
            return Err(AppError::bad_request(
                "invalid_visit_frequency",
                "走访周期应为 1–250 个工作日",
                "visit every 1–250 working days",
            ));
        }
        Ok(())
    }

    /// Mark a resident for care: the grid's or community's workers only.
    pub async fn mark_for_care(&self, resident_id: &str, input: &CareMarkInput) -> AppResult<CareMarkView> {
        self.mark_for_care_from(resident_id, input, self.app.today_here()).await
    }

    /// [`Self::mark_for_care`] with the marking begun on `started_on` (the
    /// demo's persons, marked earlier so that visits are due).
    pub(crate) async fn mark_for_care_from(
        &self,
        resident_id: &str,
        input: &CareMarkInput,
        started_on: Date,
    ) -> AppResult<CareMarkView> {
        let resident = self.register_record_for(Action::EditRegister, resident_id).await?;
        let place = place_of(&resident.community, resident.grid.as_ref());
        self.require(Action::ViewCare, &place).map_err(|_| refuse(Action::EditRegister))?;
        if resident.kind != RegisterKind::Resident {
            return Err(AppError::bad_request(
                "not_a_resident",
                "只有居民可以列为关爱对象",
                "only a resident can be marked for care",
            ));
        }
        self.check_input(input)?;
        let worker_id = match &input.worker {
            Some(name) => Some(self.user_id_of(name).await?),
            None => self.actor.user_id().map(str::to_owned),
        };
        let id = uuid::Uuid::now_v7().to_string();
        let text =
            serde_json::to_string(&Sealed { reason: input.reason.trim().to_owned(), notes: input.notes.clone() })
                .map_err(|e| AppError::internal(e.to_string()))?;
        let (key_id, sealed) = self.app.register_settings().keys.seal(&id, &text)?;
        let mark = CareMarkRecord {
            id: id.clone(),
            resident_id: resident.id.clone(),
            community: resident.community.clone(),
            grid: resident.grid.clone(),
            key_id,
            sealed: Some(sealed),
            every_days: input.every_days,
            worker_id,
            started_on,
            last_visit_on: None,
            ended_on: None,
            purge_on: None,
            created_by: self.actor.name().to_owned(),
            created_at: self.app.now_micros(),
        };
        self.app
            .store
            .add_care_mark(&mark, &self.audit("care.mark", &format!("register:{}", resident.id)))
            .await
            .map_err(|e| match e {
                shanzhi_store::StoreError::Constraint(_) => AppError::invalid(
                    "already_marked",
                    Bilingual::new("此居民已是关爱对象", "this resident is already marked for care"),
                ),
                other => other.into(),
            })?;
        self.care_view(&mark, resident.name, None).await
    }

    async fn care_view(
        &self,
        m: &CareMarkRecord,
        resident_name: String,
        opened: Option<Sealed>,
    ) -> AppResult<CareMarkView> {
        let worker = match &m.worker_id {
            Some(id) => self.app.store.user_by_id(id).await?.map(|u| u.display_name),
            None => None,
        };
        let due = self.app.next_due(m);
        let standing = visit_standing(due, self.app.today_here());
        Ok(CareMarkView {
            id: m.id.clone(),
            resident_id: m.resident_id.clone(),
            resident_name,
            label: opened.as_ref().map_or(MASKED_LABEL.to_owned(), |s| s.reason.clone()),
            reason: opened.as_ref().map(|s| s.reason.clone()),
            notes: opened.map(|s| s.notes),
            grid: m.grid.as_ref().map(|g| g.as_str().to_owned()),
            every_days: m.every_days,
            worker,
            started_on: m.started_on.to_string(),
            last_visit_on: m.last_visit_on.map(|d| d.to_string()),
            next_due: due.to_string(),
            standing: standing_label(standing).to_owned(),
            ended_on: m.ended_on.map(|d| d.to_string()),
        })
    }

    /// A mark the caller may see (as a register record), or not found.
    async fn mark_for(&self, id: &str) -> AppResult<(CareMarkRecord, String)> {
        let mark = self.app.store.care_mark(id).await?.ok_or_else(|| refuse(Action::ViewRegister))?;
        let place = place_of(&mark.community, mark.grid.as_ref());
        self.require(Action::ViewRegister, &place)?;
        let name = self.app.store.register_record(&mark.resident_id).await?.map(|r| r.name).unwrap_or_default();
        Ok((mark, name))
    }

    /// Open a mark's reason and notes: recorded in the access log.
    pub async fn care_mark_unmasked(&self, id: &str) -> AppResult<CareMarkView> {
        let (mark, name) = self.mark_for(id).await?;
        self.require(Action::ViewCare, &place_of(&mark.community, mark.grid.as_ref()))?;
        let opened = match &mark.sealed {
            Some(sealed) => {
                let text = self.app.register_settings().keys.open(&mark.id, &mark.key_id, sealed)?;
                Some(serde_json::from_str::<Sealed>(&text).map_err(|e| AppError::internal(e.to_string()))?)
            }
            None => None,
        };
        self.record_pii(format!("register:{}", mark.resident_id), "care_reason", "care").await?;
        self.care_view(&mark, name, opened).await
    }

    /// Open marks of a grid or community the caller may see, masked.
    pub async fn care_marks(
        &self,
        grid: Option<&GridCode>,
        community: Option<&DivisionCode>,
    ) -> AppResult<Vec<CareMarkView>> {
        let (within, grids) = self.register_place(grid, community)?;
        let marks = self.app.store.open_care_marks(within.as_ref(), &grids).await?;
        let mut out = Vec::with_capacity(marks.len());
        for m in &marks {
            let name = self.app.store.register_record(&m.resident_id).await?.map(|r| r.name).unwrap_or_default();
            out.push(self.care_view(m, name, None).await?);
        }
        Ok(out)
    }

    /// Visits due today or overdue, by due day: a grid worker's own (the
    /// marks they are responsible for), or all of a community for its workers.
    pub async fn care_due(&self, grid: Option<&GridCode>, community: Option<&DivisionCode>) -> AppResult<Vec<CareDue>> {
        let (within, grids) = self.register_place(grid, community)?;
        // A grid worker's own list: the marks they are responsible for.
        let mine_only = grid.is_none() && community.is_none() && self.actor.has_role(shanzhi_domain::Role::GridWorker);
        let today = self.app.today_here();
        let mut out = Vec::new();
        for m in self.app.store.open_care_marks(within.as_ref(), &grids).await? {
            if mine_only && m.worker_id.as_deref() != self.actor.user_id() {
                continue;
            }
            let due = self.app.next_due(&m);
            let standing = visit_standing(due, today);
            if standing == VisitStanding::Later {
                continue;
            }
            let name = self.app.store.register_record(&m.resident_id).await?.map(|r| r.name).unwrap_or_default();
            let worker = match &m.worker_id {
                Some(id) => self.app.store.user_by_id(id).await?.map(|u| u.display_name),
                None => None,
            };
            out.push(CareDue {
                mark_id: m.id.clone(),
                resident_name: name,
                grid: m.grid.as_ref().map(|g| g.as_str().to_owned()),
                worker,
                next_due: due.to_string(),
                overdue: standing == VisitStanding::Overdue,
                standing: standing_label(standing).to_owned(),
            });
        }
        out.sort_by(|a, b| a.next_due.cmp(&b.next_due).then(a.resident_name.cmp(&b.resident_name)));
        Ok(out)
    }

    /// Record that a visit was made (moves the next due day).
    pub async fn record_care_visit(&self, id: &str, input: &CareVisitInput) -> AppResult<CareMarkView> {
        let (mut mark, name) = self.mark_for(id).await?;
        self.require(Action::EditRegister, &place_of(&mark.community, mark.grid.as_ref()))?;
        let today = self.app.today_here();
        let on = input.on.unwrap_or(today);
        if on > today || on < mark.started_on {
            return Err(AppError::bad_request(
                "invalid_visit_day",
                "走访日期应在列为关爱对象之日与今天之间",
                "the visit day lies between the marking's start and today",
            ));
        }
        if mark.ended_on.is_some() {
            return Err(AppError::invalid("care_ended", Bilingual::new("关爱已结束", "this care marking has ended")));
        }
        mark.last_visit_on = Some(mark.last_visit_on.map_or(on, |d| d.max(on)));
        self.app
            .store
            .update_care_mark(&mark, &self.audit("care.visit", &format!("register:{}", mark.resident_id)))
            .await?;
        self.care_view(&mark, name, None).await
    }

    /// End a care marking: its reason and notes are deleted after the
    /// configured retention period.
    pub async fn end_care_mark(&self, id: &str) -> AppResult<CareMarkView> {
        let (mut mark, name) = self.mark_for(id).await?;
        let place = place_of(&mark.community, mark.grid.as_ref());
        self.require(Action::EditRegister, &place)?;
        self.require(Action::ViewCare, &place).map_err(|_| refuse(Action::EditRegister))?;
        if mark.ended_on.is_some() {
            return Err(AppError::invalid("care_ended", Bilingual::new("关爱已结束", "this care marking has ended")));
        }
        let today = self.app.today_here();
        let days = i32::try_from(self.app.register_settings().retention_days).unwrap_or(i32::MAX);
        mark.ended_on = Some(today);
        mark.purge_on = Some(today.checked_add(jiff::Span::new().days(days)).unwrap_or(today));
        self.app
            .store
            .update_care_mark(&mark, &self.audit("care.end", &format!("register:{}", mark.resident_id)))
            .await?;
        self.care_view(&mark, name, None).await
    }
}
