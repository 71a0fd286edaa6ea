//! The grid's register (人、地、事、物、组织) and care marks (关爱对象):
//! buildings, households, residents, organisations and shops, public
//! facilities, each placed on the grid by its point, its grid code or its
//! parent (a household by its building, a resident by its household), and
//! versioned (every edit keeps the version before, with who and when).
//!
//! Who sees what (docs/register.md): a grid's 网格员 and its community's
//! workers see and edit the records of their grid or community; a street's
//! dispatchers see and import for the street, masked; nobody else. Care
//! reasons are sealed at rest ([`seal`]) and opened only for the grid's and
//! community's workers, each opening recorded in the access log.

mod care;
pub mod demo;
pub mod draft;
pub mod generate;
mod import;
pub mod map;
pub mod seal;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use shanzhi_domain::register::{DEFAULT_CARE_REASONS, RegisterKind};
use shanzhi_domain::{Action, DivisionCode, GridCode, GridKind, Place, Scope};
use shanzhi_store::{GridQuery, RegisterQuery, RegisterRecord};

use crate::access::{Scoped, refuse};
use crate::grids::today;
use crate::{App, AppError, AppResult};

pub use care::{CareDue, CareMarkInput, CareMarkView, CareVisitInput};
pub use draft::RegisterDraft;
pub use import::{REGISTER_LIMITS, RegisterImportReport};
pub use map::{MAX_MAP_PLACES, RegisterMap, RegisterMapQuery};
pub use seal::{CareKey, CareKeys, IdHashKey};

/// How the register and care marks are configured.
#[derive(Debug, Clone)]
pub struct RegisterSettings {
    pub keys: CareKeys,
    /// The reasons a person may be marked for care, in the order offered.
    pub reasons: Vec<String>,
    /// Days after a care marking ends until its reason and notes are deleted.
    pub retention_days: u32,
}

impl Default for RegisterSettings {
    fn default() -> Self {
        RegisterSettings {
            keys: CareKeys::default(),
            reasons: DEFAULT_CARE_REASONS.iter().map(|s| (*s).to_owned()).collect(),
            retention_days: 90,
        }
    }
}

/// Most records one listing returns.
pub const MAX_LISTED_RECORDS: usize = 500;
/// Most grids a form offers to choose from by name.
pub const MAX_FORM_GRIDS: usize = 300;

/// A register record as a caller sees it: phone numbers masked.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterEntry {
    pub id: String,
    pub kind: RegisterKind,
    /// 楼栋, 住户 … (what users see).
    pub kind_label: String,
    pub community: String,
    pub grid: Option<String>,
    pub parent_id: Option<String>,
    pub name: String,
    /// The kind's other fields (性别, 出生年份, 人口类型, 联系电话 masked …), by
    /// their Chinese names.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub details: serde_json::Value,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: String,
}

/// Which records to list: a grid or a community (default: the caller's own
/// grid or community), optionally one kind, one parent, a search term.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct RegisterListQuery {
    pub grid: Option<String>,
    pub community: Option<String>,
    pub kind: Option<RegisterKind>,
    pub parent: Option<String>,
    pub q: Option<String>,
}

/// A record's earlier version.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisterVersionView {
    pub version: i64,
    pub grid: Option<String>,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub details: serde_json::Value,
    pub saved_by: String,
    pub saved_at: String,
}

impl App {
    /// Replace the register's settings (keys, reasons, retention).
    pub fn set_register_settings(&self, settings: RegisterSettings) {
        self.register.store(Arc::new(settings));
    }

    pub(crate) fn register_settings(&self) -> Arc<RegisterSettings> {
        self.register.load_full()
    }
}

/// Where a record lies, for the permission check.
pub(crate) fn place_of(community: &DivisionCode, grid: Option<&GridCode>) -> Place {
    match grid {
        Some(g) => Place::Grid { code: g.clone(), parent: None },
        None => Place::Division(community.clone()),
    }
}

pub(crate) fn time_text(at: shanzhi_domain::Micros) -> String {
    jiff::Timestamp::from_microsecond(at.get())
        .map(|t| t.to_zoned_datetime(shanzhi_domain::calendar::china()).strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn entry(r: RegisterRecord) -> RegisterEntry {
    RegisterEntry {
        kind_label: r.kind.label_zh().to_owned(),
        community: r.community.as_str().to_owned(),
        grid: r.grid.as_ref().map(|g| g.as_str().to_owned()),
        details: draft::shown(&r.fields),
        updated_at: time_text(r.updated_at),
        id: r.id,
        kind: r.kind,
        parent_id: r.parent_id,
        name: r.name,
        version: r.version,
        updated_by: r.updated_by,
    }
}

fn bad(code: &'static str, m: shanzhi_domain::text::Bilingual) -> AppError {
    AppError::BadRequest { code, message: m }
}

impl Scoped<'_> {
    /// The caller's own place for `action`: their first grid, else community
    /// or wider division.
    pub(crate) fn own_place(&self, action: Action) -> AppResult<(Option<DivisionCode>, Option<GridCode>)> {
        let day = today();
        let mut best: Option<(Option<DivisionCode>, Option<GridCode>)> = None;
        for g in self.actor.grants() {
            if !(g.term.contains(day) && g.role.allows(action)) {
                continue;
            }
            match &g.scope {
                Some(Scope::Grid(code)) => return Ok((None, Some(code.clone()))),
                Some(Scope::Division(d)) if best.is_none() => best = Some((Some(d.clone()), None)),
                _ => {}
            }
        }
        best.ok_or_else(|| refuse(action))
    }

    /// The grid or community asked for (default: the caller's own), if the
    /// caller may see its register: (community subtree, grids) to query.
    pub(crate) fn register_place(
        &self,
        grid: Option<&GridCode>,
        community: Option<&DivisionCode>,
    ) -> AppResult<(Option<DivisionCode>, Vec<GridCode>)> {
        let (within, grid) = match (grid, community) {
            (Some(g), _) => (None, Some(g.clone())),
            (None, Some(c)) => (Some(c.clone()), None),
            (None, None) => self.own_place(Action::ViewRegister)?,
        };
        let place = match (&grid, &within) {
            (Some(g), _) => place_of(&g.community(), Some(g)),
            (None, Some(d)) => Place::Division(d.clone()),
            (None, None) => return Err(refuse(Action::ViewRegister)),
        };
        self.require(Action::ViewRegister, &place)?;
        Ok((within, grid.into_iter().collect()))
    }

    /// The records of a grid or community the caller may see.
    pub async fn register_list(&self, query: &RegisterListQuery) -> AppResult<Vec<RegisterEntry>> {
        let grid = query.grid.as_deref().map(GridCode::parse).transpose().map_err(|m| bad("invalid_grid", m))?;
        let community = match query.community.as_deref() {
            Some(c) => Some(DivisionCode::parse(c).map_err(|e| bad("invalid_community", e.message(c)))?),
            None => None,
        };
        let (within, grids) = self.register_place(grid.as_ref(), community.as_ref())?;
        let search = query.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
        if search.is_some_and(|s| s.chars().count() > 64) {
            return Err(AppError::bad_request(
                "search_too_long",
                "搜索词最多 64 个字",
                "a search term has at most 64 characters",
            ));
        }
        let records = self
            .app
            .store
            .register_records(&RegisterQuery {
                within,
                grids,
                kind: query.kind,
                parent_id: query.parent.clone().filter(|p| p.len() <= 64),
                search: search.map(shanzhi_domain::search::fold),
                limit: MAX_LISTED_RECORDS,
            })
            .await?;
        Ok(records.into_iter().map(entry).collect())
    }

    /// A record the caller may see, or not found.
    pub(crate) async fn register_record_for(&self, action: Action, id: &str) -> AppResult<RegisterRecord> {
        let record = self.app.store.register_record(id).await?.ok_or_else(|| refuse(Action::ViewRegister))?;
        let place = place_of(&record.community, record.grid.as_ref());
        if !self.actor.can(Action::ViewRegister, &place) {
            return Err(refuse(Action::ViewRegister));
        }
        self.require(action, &place)?;
        Ok(record)
    }

    pub async fn register_entry(&self, id: &str) -> AppResult<RegisterEntry> {
        self.register_record_for(Action::ViewRegister, id).await.map(entry)
    }

    /// The grids (code, name) where the caller adds to the register, for a
    /// form to offer by name: their own grid, or the general grids of their
    /// community or street; `None` when there are more than
    /// [`MAX_FORM_GRIDS`] (a district or the city: the form asks for a code).
    pub async fn register_grids(&self) -> AppResult<Option<Vec<(GridCode, String)>>> {
        let (within, grid) = self.own_place(Action::EditRegister)?;
        let mut query = GridQuery::as_of(today());
        query.limit = Some(MAX_FORM_GRIDS + 1);
        match (grid, within) {
            (Some(g), _) => query.codes = vec![g],
            (None, Some(d)) => {
                query.within = Some(d);
                query.kind = Some(GridKind::General);
            }
            (None, None) => return Ok(None),
        }
        let grids = self.app.store.grids(&query).await?;
        if grids.len() > MAX_FORM_GRIDS {
            return Ok(None);
        }
        Ok(Some(grids.into_iter().map(|g| (g.info.code, g.info.name)).collect()))
    }

    /// Every version of a record, oldest first.
    pub async fn register_history(&self, id: &str) -> AppResult<Vec<RegisterVersionView>> {
        self.register_record_for(Action::ViewRegister, id).await?;
        let versions = self.app.store.register_versions(id).await?;
        Ok(versions
            .into_iter()
            .map(|v| RegisterVersionView {
                version: v.version,
                grid: v.grid.map(|g| g.as_str().to_owned()),
                name: v.name,
                details: draft::shown(&v.fields),
                saved_by: v.saved_by,
                saved_at: time_text(v.saved_at),
            })
            .collect())
    }

    /// Add one record (placed by its point, grid or parent).
    pub async fn add_register_record(&self, draft: &RegisterDraft) -> AppResult<RegisterEntry> {
        let checked = draft.check(&self.app.register_settings().keys).map_err(|m| bad("invalid_register_record", m))?;
        let parent = match &draft.parent_id {
            Some(p) => Some(self.register_record_for(Action::EditRegister, p).await?),
            None => None,
        };
        let (community, grid) = self.app.place_draft(draft, parent.as_ref()).await?;
        self.require(Action::EditRegister, &place_of(&community, grid.as_ref()))?;
        if let Some(h) = &checked.id_hash
            && self.app.store.register_record_by_hash(h).await?.is_some()
        {
            return Err(AppError::invalid(
                "already_registered",
                shanzhi_domain::text::Bilingual::new("此身份证号已登记", "this ID number is already registered"),
            ));
        }
        let record = checked.into_record(
            uuid::Uuid::now_v7().to_string(),
            community,
            grid,
            self.actor.name(),
            self.app.now_micros(),
        );
        self.app
            .store
            .add_register_records(std::slice::from_ref(&record), &self.audit("register.add", &record.id))
            .await?;
        Ok(entry(record))
    }

    /// Change a record from the version the caller read (`draft.version`).
    pub async fn edit_register_record(&self, id: &str, draft: &RegisterDraft) -> AppResult<RegisterEntry> {
        self.edit_register(id, draft, false).await
    }

    /// [`Scoped::edit_register_record`] from the page, where the phone is
    /// shown masked: a phone left empty keeps the one on record.
    pub async fn edit_register_record_keeping_phone(
        &self,
        id: &str,
        draft: &RegisterDraft,
    ) -> AppResult<RegisterEntry> {
        self.edit_register(id, draft, true).await
    }

    async fn edit_register(&self, id: &str, draft: &RegisterDraft, keep_phone: bool) -> AppResult<RegisterEntry> {
        let old = self.register_record_for(Action::EditRegister, id).await?;
        if draft.kind != old.kind {
            return Err(AppError::bad_request("kind_changed", "不能更改登记类型", "a record's kind cannot change"));
        }
        let Some(read) = draft.version else {
            return Err(AppError::bad_request("version_missing", "请给出所读取的版本号", "give the version you read"));
        };
        if read != old.version {
            return Err(AppError::Conflict {
                code: "register_changed",
                message: shanzhi_domain::text::Bilingual::new(
                    "此记录已被他人修改，请刷新后重试",
                    "someone else changed this record: reload and try again",
                ),
                details: None,
            });
        }
        let mut checked =
            draft.check(&self.app.register_settings().keys).map_err(|m| bad("invalid_register_record", m))?;
        if keep_phone
            && !checked.fields.contains_key("phone")
            && let Ok(serde_json::Value::Object(fields)) = serde_json::from_str::<serde_json::Value>(&old.fields)
            && let Some(phone) = fields.get("phone")
        {
            checked.fields.insert("phone".into(), phone.clone());
        }
        if checked.id_hash.is_some() && checked.id_hash != old.id_hash {
            return Err(AppError::bad_request(
                "id_number_changed",
                "身份证号不能修改",
                "an ID number cannot be changed",
            ));
        }
        let parent = match &draft.parent_id {
            Some(p) => Some(self.register_record_for(Action::EditRegister, p).await?),
            None => None,
        };
        let (community, grid) = self.app.place_draft(draft, parent.as_ref()).await?;
        self.require(Action::EditRegister, &place_of(&community, grid.as_ref()))?;
        let mut record = checked.into_record(old.id.clone(), community, grid, self.actor.name(), self.app.now_micros());
        record.id_hash = old.id_hash;
        record.version = old.version + 1;
        self.app.store.update_register_record(&record, &self.audit("register.edit", &record.id)).await?;
        Ok(entry(record))
    }
}
