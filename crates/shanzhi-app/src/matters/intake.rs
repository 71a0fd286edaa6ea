//! Intake: every channel's report becomes a matter here. The place is located
//! on the grid (coordinates in any CRS, or a grid code), the category checked
//! against the dictionary, likely duplicates flagged, the first deadline set,
//! a human number given (`510104-20261128-000123`), and the first timeline
//! entry written in the same transaction. An idempotency key (or a hotline's
//! order number) makes a retry return the same matter.

use std::collections::BTreeMap;

use serde::Serialize;
use shanzhi_domain::matter::LngLat;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{ActingRole, Category, CategoryCode, Channel, GridCode, GridKind, Level, Micros, Phone, Role};
use shanzhi_geo::Crs;

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
    pub reported_at: Option<Micros>,
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
    /// For a reporter without an account: the private key to follow and rate
    /// the matter (`/track?number=…&key=…`). Shown this once; only its hash
    /// is kept, so staff never see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_key: Option<String>,
    /// Likely repeats (可能重复) among the open matters the caller may see:
    /// the earlier one this report repeats (its original), then any later
    /// ones that repeat it — the same community, within 150 m, 72 hours
    /// either way, the same category family and words in common.
    pub possible_duplicates: Vec<String>,
    /// The unit the duty list suggests.
    pub suggestion: Option<Suggestion>,
    /// Categories the description points to, best first (a hint for the
    /// dispatcher when the reporter chose a vague one, or a hotline kind).
    pub suggested_categories: Vec<CategoryHint>,
}

/// A category the description points to: from the trained model (智能分拨)
/// with its confidence and the words that weighed most, or, while no model
/// is trained, from the category's keywords.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryHint {
    pub code: CategoryCode,
    pub name: String,
    /// The model's probability (0–1); none for a keyword match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// The parts of the description that weighed most for it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<String>,
}

/// A report that passed every check, ready to be written.
#[derive(Debug)]
pub(crate) struct Checked {
    pub(super) description: String,
    pub(super) channel: Channel,
    pub(super) role: ActingRole,
    pub(super) level: Level,
    pub(super) reporter_phone: Option<Phone>,
    pub(super) reporter_name: Option<String>,
    pub(super) category: Category,
    pub(super) version: i64,
    pub(super) answers: BTreeMap<String, shanzhi_domain::Answer>,
    pub(super) grid: GridCode,
    pub(super) general_grid: Option<GridCode>,
    pub(super) point: Option<LngLat>,
}

/// Open311's limit; 12345 orders can be as long.
pub const MAX_DESCRIPTION_CHARS: usize = 4000;

fn bad(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::BadRequest { code, message: Bilingual::new(zh, en) }
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
    async fn place(&self, r: &IntakeRequest) -> AppResult<(GridCode, Option<GridCode>, Option<LngLat>)> {
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
                Ok((code, general, point.map(|p| LngLat { lng: p[0], lat: p[1] })))
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
                Ok((finest, general, Some(LngLat { lng: answer.wgs84[0], lat: answer.wgs84[1] })))
            }
            _ => Err(bad(
                "missing_location",
                "请给出经纬度（lng、lat）或网格编码（grid）",
                "give lng and lat, or a grid code",
            )),
        }
    }

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
        let channel = match r.channel.as_deref() {
            Some(c) => {
                c.parse::<Channel>().map_err(|message| AppError::BadRequest { code: "invalid_channel", message })?
            }
            None if self.actor.via == Via::Anonymous => Channel::Resident,
            None => Channel::Api,
        };
        let (role, level) = self.intake_role(channel)?;
        if r.urgent && matches!(role, ActingRole::Anonymous | ActingRole::Role(Role::Resident)) {
            return Err(AppError::Forbidden(Bilingual::new(
                "只有工作人员可以将事件标记为紧急",
                "only staff may mark a matter urgent",
            )));
        }
        let reporter_phone = match r.reporter_phone.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => Some(Phone::parse(p).map_err(|m| AppError::BadRequest { code: "invalid_phone", message: m })?),
            None if channel == Channel::Hotline => None,
            None => self.actor.user.as_ref().and_then(|u| u.phone.clone()),
        };
        let reporter_name = match r.reporter_name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) if n.chars().count() > 50 => {
                return Err(bad("invalid_reporter_name", "姓名不超过 50 个字符", "a name has at most 50 characters"));
            }
            Some(n) => Some(n.to_owned()),
            // A call taken or imported by staff is not theirs: the caller is on the order.
            None if channel == Channel::Hotline => None,
            None => self.actor.user.as_ref().map(|u| u.display_name.clone()),
        };
        let (category, version) = self.usable_category(&r.category).await?;
        let answers = shanzhi_domain::attribute::parse_answers(&category.attributes, &r.attributes)
            .map_err(|m| AppError::BadRequest { code: "invalid_attribute", message: m })?;
        let (grid, general_grid, point) = self.place(r).await?;
        // A hotline order is taken by a dispatcher of the place it is in.
        if channel == Channel::Hotline && self.actor.via != Via::System {
            let place = shanzhi_domain::Place::Grid { code: grid.clone(), parent: general_grid.clone() };
            let day = today();
            let covered = self.actor.grants.iter().any(|g| {
                g.role == Role::Dispatcher && g.term.contains(day) && g.scope.as_ref().is_some_and(|s| s.covers(&place))
            });
            if !covered {
                return Err(AppError::Forbidden(Bilingual::new(
                    format!("网格 {grid} 不在您的管辖范围内"),
                    format!("grid {grid} is outside your scope"),
                )));
            }
        }
        self.check_own_uploads(&r.attachments).await?;

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

    /// The role a report is made in, and the level it starts at: a grid
    /// worker's report stays in the grid, the hotline's goes to the town,
    /// everything else to the community.
    pub(super) fn intake_role(&self, channel: Channel) -> AppResult<(ActingRole, Level)> {
        let has = |role: Role| self.actor.via == Via::System || self.actor.has_role(role);
        match channel {
            Channel::GridWorker if has(Role::GridWorker) => Ok((ActingRole::Role(Role::GridWorker), Level::Grid)),
            Channel::Hotline if has(Role::Dispatcher) => Ok((ActingRole::Role(Role::Dispatcher), Level::Town)),
            Channel::GridWorker | Channel::Hotline => Err(AppError::Forbidden(Bilingual::new(
                format!("您不能以“{}”渠道上报", channel.label_zh()),
                format!("you may not report through the '{channel}' channel"),
            ))),
            _ if self.actor.via == Via::Anonymous => Ok((ActingRole::Anonymous, Level::Community)),
            _ if self.actor.via == Via::System => Ok((ActingRole::System, Level::Community)),
            _ => Ok((ActingRole::Role(self.actor.grants.first().map_or(Role::Resident, |g| g.role)), Level::Community)),
        }
    }
}
