//! Visits (走访) and the 民情日志 (issue #20, docs/register.md).
//!
//! A visit records who (the caller), where (a position checked against the
//! visited person's grid through the point index, or none: kept and
//! flagged), whom (a register resident or household; a care person's visit
//! moves their next due day), what was raised (sealed like care notes when
//! the person is marked for care), photos (one's own uploads, checked as
//! matters' photos are) and the matter reported from it (through the normal
//! intake, channel grid_worker). A resend with the same Idempotency-Key finds
//! the first visit.

mod coverage;
mod log;

use serde::{Deserialize, Serialize};
use shanzhi_domain::case::MAX_IMAGES;
use shanzhi_domain::register::RegisterKind;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{Action, MatterId};
use shanzhi_geo::Crs;
use shanzhi_store::{CareMarkRecord, RegisterRecord, StoreError, VisitAdded, VisitRecord};

use crate::access::patrols::{CHECK_IN_TOLERANCE_METRES, distance_metres};
use crate::access::{Scoped, refuse};
use crate::grids::today;
use crate::matters::submit::hex_sha256;
use crate::matters::{IntakeAnswer, IntakeRequest};
use crate::register::place_of;
use crate::{AppError, AppResult};

pub use coverage::{CARE_VISIT_COLUMNS, CareVisitCoverage, CareVisitRow, MAX_COVERAGE_DAYS, care_visit_csv};
pub use log::{DailyLog, DailyLogSummary, LogComment, LogCommentInput, LogMatter, LogNotesInput, LogPatrol};

/// Longest text of what was raised, in characters.
pub const MAX_RAISED_CHARS: usize = 2000;
/// Longest Idempotency-Key, in characters.
pub const MAX_KEY_CHARS: usize = 128;

/// A visit as the phone sends it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VisitInput {
    /// The register resident or household visited (its id).
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub resident: Option<String>,
    /// Or the care mark of the person visited (its id).
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub care_mark: Option<String>,
    /// WGS-84; leave both out when the phone has no position (kept, flagged).
    #[cfg_attr(feature = "openapi", schema(minimum = -180, maximum = 180))]
    pub lng: Option<f64>,
    #[cfg_attr(feature = "openapi", schema(minimum = -90, maximum = 90))]
    pub lat: Option<f64>,
    /// 走访情况：居民反映的问题 (1–2000 字).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2000))]
    pub raised: String,
    /// Photos: ids of one's own uploads (`POST /api/v1/attachments`), at most 6.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 6))]
    pub images: Vec<String>,
}

/// A visit as shown. For a care person `raised` is left out in lists
/// (`masked`), and opened only for the grid's and community's workers.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GridVisit {
    pub id: String,
    /// The worker's display name.
    pub worker: String,
    pub community: String,
    pub grid: Option<String>,
    pub day: String,
    /// 2026-11-30 10:05 (China).
    pub at: String,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    /// No position was given.
    pub position_missing: bool,
    pub subject_id: String,
    pub subject_name: String,
    /// The person visited is marked for care (关爱对象).
    pub care: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raised: Option<String>,
    pub masked: bool,
    /// Where to see each photo.
    pub images: Vec<String>,
    pub matter_number: Option<String>,
    /// True when an Idempotency-Key found this earlier visit.
    pub repeated: bool,
}

/// A matter reported from a visit.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VisitMatterInput {
    /// 事项分类代码（小类） / a category code (a leaf).
    #[cfg_attr(feature = "openapi", schema(min_length = 4, max_length = 12))]
    pub category: String,
    /// 1–4000 字 (a care visit's sealed notes are never copied into a matter).
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 4000))]
    pub description: String,
    /// Attach the visit's photos (default yes; never for a care visit).
    #[serde(default)]
    pub with_photos: Option<bool>,
}

/// A day as a path or query gives it: YYYY-MM-DD, years 2000–2100.
pub fn parse_day(text: &str) -> AppResult<jiff::civil::Date> {
    text.parse::<jiff::civil::Date>().ok().filter(|d| (2000..=2100).contains(&d.year())).ok_or_else(|| {
        AppError::bad_request(
            "invalid_date",
            format!("日期“{text}”应为 YYYY-MM-DD"),
            format!("the date '{text}' is not YYYY-MM-DD"),
        )
    })
}

fn not_found() -> AppError {
    AppError::not_found("visit_not_found", "没有这次走访", "no such visit")
}

#[derive(Serialize)]
struct Canonical<'a> {
    resident: Option<&'a str>,
    care_mark: Option<&'a str>,
    lng: Option<f64>,
    lat: Option<f64>,
    raised: &'a str,
    images: &'a [String],
}

impl Scoped<'_> {
    /// Today in China, by the application's clock.
    pub fn today(&self) -> jiff::civil::Date {
        self.app.today_here()
    }

    fn visit_key(&self, key: &str) -> AppResult<String> {
        if key.is_empty() || key.chars().count() > MAX_KEY_CHARS || !key.chars().all(|c| c.is_ascii_graphic()) {
            return Err(AppError::bad_request(
                "invalid_idempotency_key",
                "幂等键应为 1–128 个可见 ASCII 字符",
                "an Idempotency-Key has 1–128 visible ASCII characters",
            ));
        }
        let owner = self.actor.user_id().unwrap_or_default();
        Ok(hex_sha256(&[b"visit", owner.as_bytes(), key.as_bytes()]))
    }

    /// Whom the input names: the register record and its open care mark.
    async fn visited(&self, input: &VisitInput) -> AppResult<(RegisterRecord, Option<CareMarkRecord>)> {
        let bounded = |s: &String| !s.is_empty() && s.len() <= 64;
        match (&input.resident, &input.care_mark) {
            (Some(r), None) if bounded(r) => {
                let record = self.register_record_for(Action::EditRegister, r).await?;
                if !matches!(record.kind, RegisterKind::Resident | RegisterKind::Household) {
                    return Err(AppError::bad_request(
                        "not_a_resident",
                        "走访对象应为居民或住户",
                        "a visit is to a resident or a household",
                    ));
                }
                let mark = if record.kind == RegisterKind::Resident {
                    let grids: Vec<_> = record.grid.iter().cloned().collect();
                    let within = if grids.is_empty() { Some(record.community.clone()) } else { None };
                    self.app
                        .store
                        .open_care_marks(within.as_ref(), &grids)
                        .await?
                        .into_iter()
                        .find(|m| m.resident_id == record.id)
                } else {
                    None
                };
                Ok((record, mark))
            }
            (None, Some(m)) if bounded(m) => {
                let mark = self.app.store.care_mark(m).await?.ok_or_else(|| refuse(Action::ViewRegister))?;
                let record = self.register_record_for(Action::EditRegister, &mark.resident_id).await?;
                if mark.ended_on.is_some() {
                    return Err(AppError::invalid(
                        "care_ended",
                        Bilingual::new("关爱已结束", "this care marking has ended"),
                    ));
                }
                Ok((record, Some(mark)))
            }
            _ => Err(AppError::bad_request(
                "visit_whom",
                "请给出走访的居民（resident）或关爱对象（care_mark），只给一个",
                "give the resident or the care mark visited, one of them",
            )),
        }
    }

    /// The position checked against the visited person's grid (within a
    /// phone's error); none given is accepted and flagged.
    async fn visit_position(&self, input: &VisitInput, subject: &RegisterRecord) -> AppResult<Option<(f64, f64)>> {
        let (lng, lat) = match (input.lng, input.lat) {
            (None, None) => return Ok(None),
            (Some(lng), Some(lat)) => (lng, lat),
            _ => {
                return Err(AppError::bad_request(
                    "invalid_point",
                    "经度和纬度要一起给出",
                    "give both longitude and latitude, or neither",
                ));
            }
        };
        let located = self.app.locate(lng, lat, Crs::Wgs84)?;
        let inside = match &subject.grid {
            Some(g) => {
                let record = self.app.grid(g, today()).await?;
                distance_metres(&record.geometry, located.wgs84) <= CHECK_IN_TOLERANCE_METRES
            }
            None => located.location.as_ref().is_some_and(|l| l.community.code == subject.community),
        };
        if !inside {
            return Err(AppError::invalid(
                "visit_outside_grid",
                Bilingual::new(
                    format!("走访位置不在走访对象所在网格内（误差 {CHECK_IN_TOLERANCE_METRES:.0} 米以内）"),
                    format!(
                        "the visit's position is outside the visited person's grid (more than {CHECK_IN_TOLERANCE_METRES:.0} m away)"
                    ),
                ),
            ));
        }
        Ok(Some((located.wgs84[0], located.wgs84[1])))
    }

    /// Record a visit (`key`: the Idempotency-Key, a resend finds the first).
    pub async fn record_visit(&self, input: &VisitInput, key: Option<&str>) -> AppResult<GridVisit> {
        let worker_id = self.actor.user_id().ok_or_else(|| refuse(Action::EditRegister))?.to_owned();
        let key = key.map(|k| self.visit_key(k)).transpose()?;
        let raised = input.raised.trim();
        if raised.is_empty() || raised.chars().count() > MAX_RAISED_CHARS {
            return Err(AppError::bad_request(
                "invalid_raised",
                "走访情况应为 1–2000 字",
                "what was raised has 1–2000 characters",
            ));
        }
        if input.images.len() > MAX_IMAGES {
            return Err(AppError::bad_request(
                "too_many",
                format!("图片最多 {MAX_IMAGES} 个"),
                format!("at most {MAX_IMAGES} images"),
            ));
        }
        let canonical = Canonical {
            resident: input.resident.as_deref(),
            care_mark: input.care_mark.as_deref(),
            lng: input.lng,
            lat: input.lat,
            raised,
            images: &input.images,
        };
        let request_hash = hex_sha256(&[serde_json::to_string(&canonical).unwrap_or_default().as_bytes()]);
        // A resend: the first visit, before anything else is checked again
        // (the care mark may have moved on meanwhile).
        if let Some(k) = &key
            && let Some(v) = self.visit_by_key(k).await?
        {
            return self.existing(v, &request_hash).await;
        }
        let (subject, mark) = self.visited(input).await?;
        let place = place_of(&subject.community, subject.grid.as_ref());
        if mark.is_some() {
            self.require(Action::ViewCare, &place).map_err(|_| refuse(Action::EditRegister))?;
        }
        let position = self.visit_position(input, &subject).await?;
        let images = self.checked_images(&input.images, &[]).await?;
        let id = uuid::Uuid::now_v7().to_string();
        let (text, key_id, sealed) = match &mark {
            Some(_) => {
                let (key_id, sealed) = self.app.register_settings().keys.seal(&id, raised)?;
                (None, Some(key_id), Some(sealed))
            }
            None => (Some(raised.to_owned()), None, None),
        };
        let visit = VisitRecord {
            id,
            worker_id,
            community: subject.community.clone(),
            grid: subject.grid.clone(),
            day: self.app.today_here(),
            at: self.app.now_micros(),
            position,
            subject_id: subject.id.clone(),
            care_mark_id: mark.as_ref().map(|m| m.id.clone()),
            raised: text,
            key_id,
            sealed,
            images,
            matter_id: None,
            idempotency_key: key,
            request_hash: request_hash.clone(),
        };
        let entry = self.audit("visit.record", &format!("register:{}", subject.id));
        match self.app.store.add_visit(&visit, &entry).await? {
            VisitAdded::New => self.visit_view(&visit, false, false).await,
            VisitAdded::Existing(v) => self.existing(*v, &request_hash).await,
        }
    }

    async fn visit_by_key(&self, key: &str) -> AppResult<Option<VisitRecord>> {
        Ok(self.app.store.visit_by_idempotency_key(key).await?)
    }

    async fn existing(&self, v: VisitRecord, request_hash: &str) -> AppResult<GridVisit> {
        if v.request_hash != request_hash {
            return Err(AppError::invalid(
                "idempotency_key_reused",
                Bilingual::new(
                    "该幂等键（Idempotency-Key）已用于另一个不同的请求",
                    "this Idempotency-Key was already used for a different request",
                ),
            ));
        }
        self.visit_view(&v, false, true).await
    }

    /// A visit the caller may see (the register's rules), or not found.
    async fn visit_for(&self, id: &str) -> AppResult<VisitRecord> {
        if id.is_empty() || id.len() > 64 {
            return Err(not_found());
        }
        let v = self.app.store.visit(id).await?.ok_or_else(not_found)?;
        let place = place_of(&v.community, v.grid.as_ref());
        let own = self.actor.user_id() == Some(v.worker_id.as_str());
        if !own && !self.actor.can(Action::ViewRegister, &place) {
            return Err(not_found());
        }
        Ok(v)
    }

    /// One visit, what was raised opened: a care visit's for the grid's and
    /// community's workers only, and recorded in the access log.
    pub async fn visit(&self, id: &str) -> AppResult<GridVisit> {
        let v = self.visit_for(id).await?;
        if v.care_mark_id.is_some() {
            self.require(Action::ViewCare, &place_of(&v.community, v.grid.as_ref()))?;
            self.record_pii(format!("register:{}", v.subject_id), "visit_notes", "care").await?;
        }
        self.visit_view(&v, true, false).await
    }

    pub(crate) async fn visit_view(&self, v: &VisitRecord, open: bool, repeated: bool) -> AppResult<GridVisit> {
        let worker = self.app.store.user_by_id(&v.worker_id).await?.map(|u| u.display_name).unwrap_or_default();
        let subject_name = self.app.store.register_record(&v.subject_id).await?.map(|r| r.name).unwrap_or_default();
        let raised = match (&v.raised, &v.sealed, &v.key_id) {
            (Some(t), _, _) => Some(t.clone()),
            (None, Some(s), Some(k)) if open => Some(self.app.register_settings().keys.open(&v.id, k, s)?),
            _ => None,
        };
        let matter_number = match v.matter_id.as_deref().map(MatterId::parse) {
            Some(Ok(mid)) => self.app.store.matter(&mid).await?.map(|m| m.number),
            _ => None,
        };
        Ok(GridVisit {
            id: v.id.clone(),
            worker,
            community: v.community.as_str().to_owned(),
            grid: v.grid.as_ref().map(|g| g.as_str().to_owned()),
            day: v.day.to_string(),
            at: crate::register::time_text(v.at),
            lng: v.position.map(|p| p.0),
            lat: v.position.map(|p| p.1),
            position_missing: v.position.is_none(),
            subject_id: v.subject_id.clone(),
            subject_name,
            care: v.care_mark_id.is_some(),
            masked: raised.is_none(),
            raised,
            images: v.images.iter().map(|i| format!("/api/v1/visits/{}/photos/{i}", v.id)).collect(),
            matter_number,
            repeated,
        })
    }

    /// A photo of a visit the caller may see: its type and bytes.
    pub async fn visit_photo(&self, id: &str, photo: &str) -> AppResult<(String, Vec<u8>)> {
        let v = self.visit_for(id).await?;
        if v.care_mark_id.is_some() {
            self.require(Action::ViewCare, &place_of(&v.community, v.grid.as_ref()))?;
        }
        if !v.images.iter().any(|i| i == photo) {
            return Err(not_found());
        }
        let (record, data) = self.app.store.attachment(photo).await?.ok_or_else(not_found)?;
        Ok((record.content_type, data))
    }

    /// Report a matter from one's own visit: the normal intake, channel
    /// grid_worker, at the visit's position or grid; tied to the visit once.
    pub async fn report_from_visit(&self, id: &str, input: &VisitMatterInput) -> AppResult<IntakeAnswer> {
        let v = self.visit_for(id).await?;
        if self.actor.user_id() != Some(v.worker_id.as_str()) {
            return Err(refuse(Action::EditRegister));
        }
        if v.matter_id.is_some() {
            return Err(AppError::invalid(
                "visit_has_matter",
                Bilingual::new("这次走访已上报过事件", "a matter was already reported from this visit"),
            ));
        }
        let photos = input.with_photos.unwrap_or(true) && v.care_mark_id.is_none();
        let request = IntakeRequest {
            category: input.category.clone(),
            lng: v.position.map(|p| p.0),
            lat: v.position.map(|p| p.1),
            crs: v.position.map(|_| Crs::Wgs84),
            grid: match v.position {
                Some(_) => None,
                None => v.grid.as_ref().map(|g| g.as_str().to_owned()),
            },
            description: input.description.clone(),
            channel: Some("grid_worker".to_owned()),
            address: None,
            reporter_name: None,
            reporter_phone: None,
            attachments: if photos { v.images.clone() } else { Vec::new() },
            idempotency_key: Some(format!("visit-{}", v.id)),
            external_ref: None,
            reported_at: None,
            urgent: false,
            attributes: Default::default(),
            links: Vec::new(),
            photos: Vec::new(),
        };
        let answer = self.intake(request).await?;
        let entry = self.audit("visit.matter", &format!("register:{}", v.subject_id));
        self.app.store.set_visit_matter(&v.id, &answer.matter.id, &entry).await.map_err(|e| match e {
            StoreError::Constraint(_) => AppError::invalid(
                "visit_has_matter",
                Bilingual::new("这次走访已上报过事件", "a matter was already reported from this visit"),
            ),
            other => other.into(),
        })?;
        Ok(answer)
    }
}
