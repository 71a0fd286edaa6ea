//! Intake: every channel's report becomes a matter here. The place is located
//! on the grid (coordinates in any CRS, or a grid code), the category checked
//! against the dictionary, likely duplicates flagged, the first deadline set,
//! a human number given (`510104-20261128-000123`), and the first timeline
//! entry written in the same transaction. An idempotency key (or a hotline's
//! order number) makes a retry return the same matter.

use std::collections::BTreeMap;

use serde::Serialize;
use shanzhi_domain::category::Severity;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{
    Category, CategoryCode, DivisionLevel, GridCode, GridKind, Level, MatterState, Phone, Role, Stage, Status,
};
use shanzhi_geo::Crs;
use shanzhi_store::{Created, MATTER_GENESIS, MatterEvent, MatterQuery, MatterRecord, MatterScope, matter_event_hash};

use super::{MatterView, Suggestion};
use crate::access::{Scoped, Via};
use crate::grids::today;
use crate::{AppError, AppResult};

/// A report as it arrives.
#[derive(Debug, Clone, Default)]
pub struct IntakeRequest {
    pub category: String,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub crs: Option<Crs>,
    pub grid: Option<String>,
    pub description: String,
    pub channel: Option<String>,
    pub address: Option<String>,
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
    pub attachments: Vec<String>,
    pub idempotency_key: Option<String>,
    /// The hotline's own order number (import only).
    pub external_ref: Option<String>,
    /// When it was reported, if earlier than now (import only).
    pub reported_at: Option<i64>,
    /// Marked urgent by staff (the category may be urgent by itself).
    pub urgent: bool,
    /// Answers to the category's attributes, by code, as text (several for
    /// a multivaluelist).
    pub attributes: BTreeMap<String, Vec<String>>,
    /// Links to media kept elsewhere (Open311 `media_url`), kept with the
    /// report; never fetched.
    pub links: Vec<String>,
    /// Photos sent with the report itself (the resident page, Open311
    /// multipart): stored only once every check has passed, so a refused
    /// report leaves nothing behind; anonymous reporters may send them too.
    pub photos: Vec<Vec<u8>>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntakeAnswer {
    pub matter: MatterView,
    /// False when an idempotency key or order number found an earlier matter.
    pub created: bool,
    /// Open matters of the same category nearby in the last 72 hours.
    pub possible_duplicates: Vec<String>,
    /// The unit the duty list suggests.
    pub suggestion: Option<Suggestion>,
    /// Categories whose keywords the description mentions, best first (a
    /// hint for the dispatcher when the reporter chose a vague one).
    pub suggested_categories: Vec<CategoryHint>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryHint {
    pub code: CategoryCode,
    pub name: String,
}

/// Categories by how many of their keywords `text` contains (at most three).
pub(crate) fn categories_for_text(text: &str, categories: &[(Category, i64)]) -> Vec<CategoryHint> {
    let mut scored: Vec<(usize, &Category)> = categories
        .iter()
        .map(|(c, _)| (c.keywords.iter().filter(|k| text.contains(k.as_str())).count(), c))
        .filter(|(n, _)| *n > 0)
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.code.cmp(&b.1.code)));
    scored.into_iter().take(3).map(|(_, c)| CategoryHint { code: c.code.clone(), name: c.name.clone() }).collect()
}

/// A report that passed every check, ready to be written.
#[derive(Debug)]
pub(crate) struct Checked {
    description: String,
    channel: String,
    role: &'static str,
    level: Level,
    reporter_phone: Option<Phone>,
    reporter_name: Option<String>,
    category: Category,
    version: i64,
    answers: BTreeMap<String, shanzhi_domain::Answer>,
    grid: GridCode,
    general_grid: Option<GridCode>,
    point: Option<(f64, f64)>,
}

/// Open311's limit; 12345 orders can be as long.
pub const MAX_DESCRIPTION_CHARS: usize = 4000;

pub const CHANNELS: [&str; 6] = ["resident", "grid_worker", "hotline", "open311", "api", "wechat"];

/// Duplicates: the same category within this distance and time.
const DUPLICATE_METRES: f64 = 100.0;
const DUPLICATE_HOURS: i64 = 72;

fn bad(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::BadRequest { code, message: Bilingual::new(zh, en) }
}

fn metres(a: (f64, f64), b: (f64, f64)) -> f64 {
    let dx = (a.0 - b.0) * 111_320.0 * a.1.to_radians().cos();
    let dy = (a.1 - b.1) * 110_574.0;
    (dx * dx + dy * dy).sqrt()
}

/// The day in China, for matter numbers.
fn day_code(micros: i64) -> String {
    jiff::Timestamp::from_microsecond(micros)
        .map(|t| {
            t.to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8))).date().strftime("%Y%m%d").to_string()
        })
        .unwrap_or_else(|_| "00000000".to_owned())
}

impl Scoped<'_> {
    /// A category that can take matters: current, and not a major class with
    /// sub-classes under it.
    pub(crate) async fn usable_category(&self, code: &str) -> AppResult<(Category, i64)> {
        let unknown = || {
            AppError::invalid(
                "unknown_category",
                Bilingual::new(format!("未知的事项分类“{code}”"), format!("unknown category '{code}'")),
            )
        };
        let code = CategoryCode::parse(code).map_err(|_| unknown())?;
        let dictionary = self.app.dictionary().await?;
        let (category, version) = dictionary.category(&code).cloned().ok_or_else(unknown)?;
        if dictionary.is_parent(&code) {
            return Err(AppError::invalid(
                "category_not_a_leaf",
                Bilingual::new(
                    format!("“{}”是大类，请选择其下的小类", category.name),
                    format!("'{}' is a major class; choose one of its sub-classes", category.name),
                ),
            ));
        }
        Ok((category, version))
    }

    /// Where a report is: the finest grid, and the general grid above it.
    async fn place(&self, r: &IntakeRequest) -> AppResult<(GridCode, Option<GridCode>, Option<(f64, f64)>)> {
        match (&r.grid, r.lng, r.lat) {
            (Some(code), _, _) => {
                let code = GridCode::parse(code)
                    .map_err(|m| AppError::BadRequest { code: "invalid_grid_code", message: m })?;
                let g = self.app.grid(&code, today()).await.map_err(|_| {
                    AppError::invalid(
                        "unknown_grid",
                        Bilingual::new(format!("网格 {code} 不存在"), format!("no grid {code}")),
                    )
                })?;
                let general = match g.info.kind {
                    GridKind::Micro => g.info.parent.clone(),
                    GridKind::General => Some(code.clone()),
                    _ => None,
                };
                let point = match (r.lng, r.lat) {
                    (Some(x), Some(y)) => Some(self.app.locate(x, y, r.crs.unwrap_or_default())?.wgs84),
                    _ => None,
                };
                Ok((code, general, point.map(|p| (p[0], p[1]))))
            }
            (None, Some(lng), Some(lat)) => {
                let answer = self.app.locate(lng, lat, r.crs.unwrap_or_default())?;
                let loc = answer.location.ok_or_else(|| {
                    AppError::invalid(
                        "outside_grid",
                        Bilingual::new(
                            "该位置不在任何网格内，请确认坐标和坐标系",
                            "the point is outside every grid; check the coordinates and CRS",
                        ),
                    )
                })?;
                let general = loc.general_grid.as_ref().map(|g| g.code.clone());
                let finest = loc
                    .micro_grid
                    .or(loc.general_grid)
                    .or(loc.dedicated_grid)
                    .or(loc.master_grid)
                    .map(|g| g.code)
                    .ok_or_else(|| {
                        AppError::invalid("outside_grid", Bilingual::new("该位置不在任何网格内", "outside every grid"))
                    })?;
                Ok((finest, general, Some((answer.wgs84[0], answer.wgs84[1]))))
            }
            _ => Err(bad(
                "missing_location",
                "请给出经纬度（lng、lat）或网格编码（grid）",
                "give lng and lat, or a grid code",
            )),
        }
    }

    /// Report a matter.
    /// Every check of a report, writing nothing (also a dry run before
    /// photos are stored).
    pub(crate) async fn check_intake(&self, r: &IntakeRequest) -> AppResult<Checked> {
        // The request itself.
        let description = r.description.trim().to_owned();
        if description.is_empty() || description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(bad("invalid_description", "描述应为 1–4000 个字符", "a description needs 1–4000 characters"));
        }
        if r.address.as_deref().is_some_and(|a| a.chars().count() > 200) {
            return Err(bad("invalid_address", "地址不超过 200 个字符", "an address has at most 200 characters"));
        }
        if r.idempotency_key.as_deref().is_some_and(|k| k.is_empty() || k.len() > 128) {
            return Err(bad(
                "invalid_idempotency_key",
                "幂等键应为 1–128 个字符",
                "an idempotency key needs 1–128 characters",
            ));
        }
        if r.links.len() > 9
            || r.links.iter().any(|l| {
                l.len() > 500
                    || !(l.starts_with("http://") || l.starts_with("https://"))
                    || l.contains(char::is_whitespace)
            })
        {
            return Err(bad(
                "invalid_media_url",
                "media_url 最多 9 个，每个为不超过 500 字符的 http(s) 地址",
                "at most 9 media_url values, each an http(s) URL of at most 500 characters",
            ));
        }
        for p in &r.photos {
            super::attachments::check_photo(p)?;
        }
        if r.attachments.len() + r.photos.len() > 9 {
            return Err(bad("too_many_attachments", "最多 9 个附件", "at most 9 attachments"));
        }
        let channel = r
            .channel
            .clone()
            .unwrap_or_else(|| if self.actor.via == Via::Anonymous { "resident".into() } else { "api".into() });
        if !CHANNELS.contains(&channel.as_str()) {
            return Err(bad(
                "invalid_channel",
                format!("未知的渠道“{channel}”"),
                format!("unknown channel '{channel}'"),
            ));
        }
        let (role, level) = self.intake_role(&channel)?;
        if r.urgent && (self.actor.via == Via::Anonymous || role == "resident") {
            return Err(AppError::Forbidden(Bilingual::new(
                "只有工作人员可以将事件标记为紧急",
                "only staff may mark a matter urgent",
            )));
        }
        let reporter_phone = match r.reporter_phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => Some(Phone::parse(p).map_err(|m| AppError::BadRequest { code: "invalid_phone", message: m })?),
            None => self.actor.user.as_ref().and_then(|u| u.phone.clone()),
        };
        let reporter_name = match r.reporter_name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) if n.chars().count() > 50 => {
                return Err(bad("invalid_reporter_name", "姓名不超过 50 个字符", "a name has at most 50 characters"));
            }
            Some(n) => Some(n.to_owned()),
            None => self.actor.user.as_ref().map(|u| u.display_name.clone()),
        };
        let (category, version) = self.usable_category(&r.category).await?;
        let answers = shanzhi_domain::attribute::parse_answers(&category.attributes, &r.attributes)
            .map_err(|m| AppError::BadRequest { code: "invalid_attribute", message: m })?;
        let (grid, general_grid, point) = self.place(r).await?;
        // Attachments must be the caller's own uploads, not yet used.
        let uploader = self.actor.name.clone();
        for id in &r.attachments {
            let ok = self.actor.via != Via::Anonymous
                && self
                    .app
                    .store
                    .attachment(id)
                    .await?
                    .is_some_and(|(a, _)| a.matter_id.is_none() && a.uploaded_by == uploader);
            if !ok {
                return Err(AppError::invalid(
                    "unknown_attachment",
                    Bilingual::new(
                        format!("附件 {id} 不存在或不可用"),
                        format!("attachment {id} does not exist or is not yours"),
                    ),
                ));
            }
        }

        Ok(Checked {
            description,
            channel,
            role,
            level,
            reporter_phone,
            reporter_name,
            category,
            version,
            answers,
            grid,
            general_grid,
            point,
        })
    }

    pub async fn intake(&self, mut r: IntakeRequest) -> AppResult<IntakeAnswer> {
        let Checked {
            description,
            channel,
            role,
            level,
            reporter_phone,
            reporter_name,
            category,
            version,
            answers,
            grid,
            general_grid,
            point,
        } = self.check_intake(&r).await?;
        for p in std::mem::take(&mut r.photos) {
            r.attachments.push(self.store_photo(&p).await?.id);
        }
        let now = self.app.now_micros();
        let reported_at = r.reported_at.filter(|t| *t <= now).unwrap_or(now);
        let duplicates = self.duplicates(&category.code, point, reported_at).await?;
        let status = Status::reported(level);
        let urgent = r.urgent || category.severity == Severity::Urgent;
        let id = uuid::Uuid::now_v7().to_string();
        let mut details = serde_json::json!({
            "channel": channel,
            "category": category.code,
            "category_version": version,
            "grid": grid,
            "description": description,
            "address": r.address,
            "lng": point.map(|p| p.0),
            "lat": point.map(|p| p.1),
            "external_ref": r.external_ref,
            "level": level,
        });
        if !answers.is_empty() {
            details["attributes"] = serde_json::to_value(&answers).unwrap_or_default();
        }
        if !r.links.is_empty() {
            details["links"] = serde_json::Value::from(r.links.clone());
        }
        let mut first = MatterEvent {
            seq: 1,
            at: reported_at,
            actor: self.actor.name.clone(),
            role: role.to_owned(),
            command: "report".to_owned(),
            body: details.to_string(),
            from_state: None,
            to_state: MatterState::Reported,
            attachments: r.attachments.clone(),
            prev_hash: MATTER_GENESIS.to_owned(),
            hash: String::new(),
        };
        first.hash = matter_event_hash(&id, MATTER_GENESIS, &first);
        let record = MatterRecord {
            id: id.clone(),
            number: String::new(),
            channel: channel.clone(),
            category: category.code.clone(),
            category_version: version,
            line: serde_json::to_value(category.line)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            severity: if urgent { "urgent" } else { "normal" }.to_owned(),
            description,
            address: r.address.clone(),
            lng: point.map(|p| p.0),
            lat: point.map(|p| p.1),
            general_grid,
            reporter_user_id: self.actor.user_id().map(str::to_owned),
            reporter_name,
            reporter_phone: reporter_phone.map(|p| p.reveal().to_owned()),
            external_ref: r.external_ref.clone(),
            duplicate_of: duplicates.first().cloned(),
            clock: self.app.timing().start(
                Stage::Accept,
                &category.limits,
                urgent,
                jiff::Timestamp::from_microsecond(reported_at).unwrap_or_default(),
            ),
            status,
            reported_at,
            updated_at: reported_at,
            event_count: 1,
            last_hash: first.hash.clone(),
            grid,
        };
        let district = record.grid.community().ancestors().into_iter().find(|a| a.level() == DivisionLevel::District);
        let prefix = format!(
            "{}-{}",
            district.map_or("510100".to_owned(), |d| d.significant().to_owned()),
            day_code(reported_at)
        );
        let created = self.app.store.create_matter(&record, r.idempotency_key.as_deref(), &prefix, &first).await?;
        let (matter_id, is_new) = match &created {
            Created::New { .. } => (id, true),
            Created::Existing { id } => (id.clone(), false),
        };
        if is_new && !r.attachments.is_empty() {
            self.app.store.bind_attachments(&r.attachments, &matter_id, &self.actor.name).await?;
        }
        // A new matter is what was written; a repeated key reads the earlier one.
        let stored = match created {
            Created::New { number } => MatterRecord { number, ..record },
            Created::Existing { .. } => self.app.store.matter(&matter_id).await?.ok_or_else(super::matter_not_found)?,
        };
        let suggestion = self.suggestion_for(&stored).await?;
        let suggested_categories = categories_for_text(&stored.description, &self.app.dictionary().await?.categories);
        if is_new {
            tracing::info!(number = %stored.number, channel = %stored.channel, category = %stored.category, "matter reported");
        }
        Ok(IntakeAnswer {
            matter: self.view(&stored).await?,
            created: is_new,
            possible_duplicates: duplicates,
            suggestion,
            suggested_categories,
        })
    }

    /// The role a report is made in, and the level it starts at: a grid
    /// worker's report stays in the grid, the hotline's goes to the town,
    /// everything else to the community.
    fn intake_role(&self, channel: &str) -> AppResult<(&'static str, Level)> {
        let has = |role: Role| self.actor.via == Via::System || self.actor.has_role(role);
        match channel {
            "grid_worker" if has(Role::GridWorker) => Ok(("grid_worker", Level::Grid)),
            "hotline" if has(Role::Dispatcher) => Ok(("dispatcher", Level::Town)),
            "grid_worker" | "hotline" => Err(AppError::Forbidden(Bilingual::new(
                format!("您不能以“{channel}”渠道上报"),
                format!("you may not report through the '{channel}' channel"),
            ))),
            _ if self.actor.via == Via::Anonymous => Ok(("anonymous", Level::Community)),
            _ if self.actor.via == Via::System => Ok(("system", Level::Community)),
            _ => Ok((self.actor.grants.first().map_or("resident", |g| g.role.as_str()), Level::Community)),
        }
    }

    /// Open matters of the same category within 100 m in the last 72 hours.
    async fn duplicates(&self, category: &CategoryCode, point: Option<(f64, f64)>, at: i64) -> AppResult<Vec<String>> {
        let Some((x, y)) = point else { return Ok(Vec::new()) };
        let d = 0.0015;
        let query = MatterQuery {
            scope: MatterScope { everything: true, ..MatterScope::default() },
            states: MatterState::open(),
            category: Some(category.clone()),
            from: Some(at - DUPLICATE_HOURS * 3_600_000_000),
            near: Some((x, y)),
            bbox: Some([x - d, y - d, x + d, y + d]),
            limit: 20,
            ..MatterQuery::default()
        };
        Ok(self
            .app
            .store
            .matter_points(&query)
            .await?
            .into_iter()
            .filter(|m| m.lng.zip(m.lat).is_some_and(|p| metres(p, (x, y)) <= DUPLICATE_METRES))
            .map(|m| m.number)
            .collect())
    }
}
