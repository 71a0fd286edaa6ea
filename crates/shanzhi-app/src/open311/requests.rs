//! Service requests: listing with the spec's filters, one by id, posting,
//! tokens, and the updates feed.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use shanzhi_domain::{
    CodeSystem, CommandKind, DivisionCode, DivisionLevel, EventKind, GridCode, Matter, MatterEvent, MatterId,
    MatterState, Micros,
};
use shanzhi_store::MatterQuery;

use super::{
    Extended, MAX_DEPTH, MAX_PAGE_SIZE, Note, RequestInfo, UpdateInfo, WINDOW_DAYS, datetime, open_or_closed,
    parse_datetime, service_notice, states_for,
};
use crate::access::Scoped;
use crate::matters::IntakeRequest;
use crate::{AppError, AppResult};

const DAY_MICROS: i64 = 86_400_000_000;

/// Distinct `service_code`s in one listing.
pub const MAX_SERVICE_CODES: usize = 50;

/// `GET requests`: every filter of the spec and the common extensions,
/// as text from the query string (empty means absent).
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// Overrides every other filter.
    pub service_request_ids: Vec<String>,
    pub service_codes: Vec<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub statuses: Vec<String>,
    pub updated_after: Option<String>,
    pub jurisdiction: Option<DivisionCode>,
    pub page: Option<usize>,
    pub page_size: Option<usize>,
    pub extensions: bool,
}

/// `POST requests`, as the form gave it.
#[derive(Debug, Clone, Default)]
pub struct RequestPost {
    pub jurisdiction: Option<DivisionCode>,
    pub service_code: Option<String>,
    pub lat: Option<String>,
    pub long: Option<String>,
    pub address_string: Option<String>,
    pub address_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub description: Option<String>,
    /// `attribute[code]` (one value) and `attribute[code][]` (several).
    pub attributes: BTreeMap<String, Vec<String>>,
    /// Uploaded files (`media`).
    pub media: Vec<Vec<u8>>,
    /// `media_url` (repeatable): links kept with the report.
    pub media_urls: Vec<String>,
}

/// What a post answers.
#[derive(Debug, Clone, Serialize)]
pub struct PostedRequest {
    pub service_request_id: String,
    pub token: String,
    pub service_notice: Option<String>,
    pub account_id: Option<String>,
}

/// `GET servicerequestupdates`.
#[derive(Debug, Clone, Default)]
pub struct UpdateFilter {
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub jurisdiction: Option<DivisionCode>,
    pub page: Option<usize>,
    pub page_size: Option<usize>,
}

fn bad(code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> AppError {
    AppError::bad_request(code, zh, en)
}

/// `[from, to)` of a `start_date`/`end_date` pair: at most 90 days, the last
/// 90 days by default, a missing end 90 days after the start (and the other
/// way round).
pub(crate) fn window(start: Option<&str>, end: Option<&str>, now: Micros) -> AppResult<(Micros, Micros)> {
    let span = WINDOW_DAYS * DAY_MICROS;
    let now = now.get();
    let start = start.map(|s| parse_datetime("start_date", s)).transpose()?.map(Micros::get);
    let end = end.map(|s| parse_datetime("end_date", s)).transpose()?.map(Micros::get);
    let (from, to) = match (start, end) {
        (None, None) => (now - span, now + 1),
        (Some(s), None) => (s, s + span + 1),
        (None, Some(e)) => (e - span, e + 1),
        (Some(s), Some(e)) => (s, e + 1),
    };
    if to <= from {
        return Err(bad("invalid_date_range", "end_date 早于 start_date", "end_date is before start_date"));
    }
    if to - from > span + 1 {
        return Err(bad(
            "date_range_too_long",
            format!("start_date 与 end_date 相隔不得超过 {WINDOW_DAYS} 天"),
            format!("start_date and end_date may not span more than {WINDOW_DAYS} days"),
        ));
    }
    Ok((Micros::new(from), Micros::new(to)))
}

/// (skip, take) of `page`/`page_size`.
pub(crate) fn paging(page: Option<usize>, page_size: Option<usize>) -> AppResult<(usize, usize)> {
    let size = page_size.unwrap_or(MAX_PAGE_SIZE);
    let page = page.unwrap_or(1);
    if !(1..=MAX_PAGE_SIZE).contains(&size) {
        return Err(bad(
            "invalid_page_size",
            format!("page_size 应为 1–{MAX_PAGE_SIZE}"),
            format!("page_size must be 1–{MAX_PAGE_SIZE}"),
        ));
    }
    if page == 0 || page.saturating_mul(size) > MAX_DEPTH {
        return Err(bad(
            "invalid_page",
            format!("page 应从 1 开始，且 page × page_size 不超过 {MAX_DEPTH}；更早的请求请缩小日期范围"),
            format!("page starts at 1 and page × page_size may not exceed {MAX_DEPTH}; narrow the dates instead"),
        ));
    }
    Ok(((page - 1) * size, size))
}

/// Text of a timeline entry worth showing: a reason, a reply, a note.
fn note_text(e: &MatterEvent) -> Option<String> {
    let body: serde_json::Value = serde_json::from_str(&e.body).ok()?;
    ["text", "reason", "note"].iter().find_map(|k| body.get(k).and_then(|v| v.as_str()).map(str::to_owned))
}

fn command_label(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Report => "提交",
        EventKind::Command(c) => c.label_zh(),
    }
}

/// The FixMyStreet update status of an entry.
fn update_status(e: &MatterEvent) -> &'static str {
    use CommandKind as K;
    match (e.kind.command(), e.to_state) {
        (None, _) => "open",
        (Some(K::Reopen), _) => "reopen",
        (Some(K::Merge), _) => "duplicate",
        (Some(K::Reject), _) => "no_further_action",
        (Some(K::Void), _) => "cancelled",
        (Some(K::Dispatch), _) => "action_scheduled",
        (_, MatterState::Closed | MatterState::Rated) => "fixed",
        (_, MatterState::Responded) => "investigating",
        (_, MatterState::InProgress | MatterState::Parked) => "in_progress",
        (_, s) => open_or_closed(s),
    }
}

impl Scoped<'_> {
    /// `GET requests`.
    pub async fn open311_requests(&self, f: RequestFilter) -> AppResult<Vec<RequestInfo>> {
        let base = MatterQuery { scope: self.open311_scope(), ..MatterQuery::default() };
        if !f.service_request_ids.is_empty() {
            if f.service_request_ids.len() > MAX_PAGE_SIZE {
                return Err(bad("too_many_ids", "一次最多查询 1000 个请求", "at most 1000 ids at once"));
            }
            let q = MatterQuery { numbers: f.service_request_ids.clone(), limit: MAX_PAGE_SIZE, ..base };
            let rows = self.app.store.matters(&q).await?;
            return self.request_infos(rows, f.extensions).await;
        }
        let (skip, take) = paging(f.page, f.page_size)?;
        let mut base = MatterQuery { within: f.jurisdiction.clone(), limit: skip + take, ..base };
        for s in &f.statuses {
            if !matches!(s.as_str(), "open" | "closed") {
                return Err(bad("invalid_status", "status 应为 open 或 closed", "status must be open or closed"));
            }
            base.states.extend(states_for(s));
        }
        if let Some(u) = &f.updated_after {
            base.updated_after = Some(parse_datetime("updated_after", u)?);
        }
        // A sync by `updated_after` alone is not held to the 90-day window.
        if f.updated_after.is_none() || f.start_date.is_some() || f.end_date.is_some() {
            let (from, to) = window(f.start_date.as_deref(), f.end_date.as_deref(), self.app.now_micros())?;
            base.from = Some(from);
            base.to = Some(to);
        }
        // One query for every code asked (a list of thousands once ran a
        // query each); more distinct codes than a city has are refused.
        let mut codes: Vec<shanzhi_domain::CategoryCode> = Vec::new();
        for code in &f.service_codes {
            let category = shanzhi_domain::CategoryCode::parse(code)
                .map_err(|m| AppError::BadRequest { code: "invalid_service_code", message: m })?;
            if !codes.contains(&category) {
                codes.push(category);
            }
            if codes.len() > MAX_SERVICE_CODES {
                return Err(bad(
                    "too_many_service_codes",
                    format!("service_code 最多 {MAX_SERVICE_CODES} 个"),
                    format!("at most {MAX_SERVICE_CODES} service codes"),
                ));
            }
        }
        base.categories = codes;
        let rows: Vec<Matter> = self.app.store.matters(&base).await?;
        let rows = rows.into_iter().skip(skip).take(take).collect();
        self.request_infos(rows, f.extensions).await
    }

    /// `GET requests/{id}` (the number; the internal id works too).
    pub async fn open311_request(&self, id: &str, extensions: bool) -> AppResult<RequestInfo> {
        let unknown = || {
            AppError::not_found(
                "unknown_service_request",
                format!("未找到服务请求“{id}”"),
                format!("no service request '{id}'"),
            )
        };
        let m = match self.app.store.matter_by_number(id).await? {
            Some(m) => Some(m),
            None => match MatterId::parse(id) {
                Ok(id) => self.app.store.matter(&id).await?,
                Err(_) => None,
            },
        };
        let m = m.filter(|m| self.open311_visible(m)).ok_or_else(unknown)?;
        self.request_infos(vec![m], extensions).await?.pop().ok_or_else(unknown)
    }

    /// A request for the one who holds its private key (given once to a
    /// reporter without an account), whatever its line.
    pub async fn request_with_key(&self, number: &str, key: &str) -> AppResult<Option<RequestInfo>> {
        match self.matter_with_key(number, key).await? {
            Some(m) => Ok(self.request_infos(vec![m], true).await?.pop()),
            None => Ok(None),
        }
    }

    /// `GET tokens/{token}`: the token is the matter's id.
    pub async fn open311_token(&self, token: &str) -> AppResult<(String, String)> {
        let unknown =
            || AppError::not_found("unknown_token", format!("未知的令牌“{token}”"), format!("unknown token '{token}'"));
        let id = MatterId::parse(token).map_err(|_| unknown())?;
        let m = self.app.store.matter(&id).await?.filter(|m| self.open311_visible(m)).ok_or_else(unknown)?;
        Ok((m.number, m.id.to_string()))
    }

    /// The bytes of a photo of a matter an Open311 reader may see.
    pub async fn open311_media(&self, id: &str) -> AppResult<(String, Vec<u8>)> {
        let missing = || AppError::not_found("media_not_found", "未找到该图片", "no such media");
        let (record, data) = self.app.store.attachment(id).await?.ok_or_else(missing)?;
        let matter = match &record.matter_id {
            Some(m) => self.app.store.matter(m).await?,
            None => None,
        };
        if !matter.is_some_and(|m| self.open311_visible(&m)) {
            return Err(missing());
        }
        Ok((record.content_type, data))
    }

    /// `POST requests`. Intake checks everything before it stores a photo,
    /// so a refused post leaves nothing behind.
    pub async fn open311_post(&self, p: RequestPost) -> AppResult<PostedRequest> {
        self.open311_poster()?;
        let code = p
            .service_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .ok_or_else(|| bad("missing_service_code", "缺少 service_code", "service_code is required"))?;
        let definition = self.open311_service(code).await?;
        let (category, _) = self.usable_category(code).await?;
        // Unknown attribute codes are ignored (FixMyStreet sends its own, such
        // as attribute[fixmystreet_id]); known ones are checked by type.
        // FixMyStreet's report id makes its retries safe: the same account
        // posting the same fixmystreet_id gets the matter filed the first time.
        let retry_key = p
            .attributes
            .get("fixmystreet_id")
            .and_then(|v| v.first())
            .map(|id| id.trim())
            .filter(|id| !id.is_empty())
            .map(|id| format!("open311:fixmystreet_id:{id}"));
        let answers: BTreeMap<String, Vec<String>> =
            p.attributes.into_iter().filter(|(k, _)| definition.attributes.iter().any(|a| &a.code == k)).collect();
        shanzhi_domain::attribute::parse_answers(&category.attributes, &answers)
            .map_err(|m| AppError::BadRequest { code: "invalid_attribute", message: m })?;
        let number = |name: &str, v: &Option<String>| -> AppResult<Option<f64>> {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| {
                        bad(
                            "invalid_coordinates",
                            format!("{name} 不是数字：“{s}”"),
                            format!("{name} is not a number: '{s}'"),
                        )
                    })
                })
                .transpose()
        };
        let (lat, lng) = (number("lat", &p.lat)?, number("long", &p.long)?);
        if lat.is_some() != lng.is_some() {
            return Err(bad("incomplete_coordinates", "lat 与 long 须同时给出", "lat and long must be given together"));
        }
        let address = p.address_string.as_deref().map(str::trim).filter(|a| !a.is_empty()).map(str::to_owned);
        // address_id is a grid code; other ids (FixMyStreet's #NOTPINPOINTED#)
        // do not locate anything.
        let mut grid = p.address_id.as_deref().map(str::trim).and_then(|a| GridCode::parse(a).ok());
        if grid.is_none() && lat.is_none() {
            grid = match &address {
                Some(a) => Some(self.grid_for_address(a).await?),
                None => {
                    return Err(bad(
                        "missing_location",
                        "请给出位置：lat 和 long、address_string 或 address_id（网格编码）之一",
                        "give a location: lat and long, address_string, or address_id (a grid code)",
                    ));
                }
            };
        }
        let community = match (&grid, lng.zip(lat)) {
            (Some(g), _) => Some(g.community()),
            (None, Some((x, y))) => {
                let answer = self.app.locate(x, y, shanzhi_geo::Crs::Wgs84)?;
                answer.location.and_then(|l| l.master_grid.map(|g| g.code.community()))
            }
            (None, None) => None,
        };
        if let (Some(j), Some(c)) = (&p.jurisdiction, &community)
            && !(j == c || j.is_ancestor_of(c))
        {
            return Err(bad(
                "outside_jurisdiction",
                format!("该位置不在 jurisdiction_id {j} 范围内"),
                format!("the location is outside jurisdiction {j}"),
            ));
        }
        let name =
            format!("{}{}", p.last_name.as_deref().unwrap_or("").trim(), p.first_name.as_deref().unwrap_or("").trim());
        let description = p
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map_or_else(|| category.name.clone(), str::to_owned);
        let request = IntakeRequest {
            category: code.to_owned(),
            lng,
            lat,
            grid: grid.map(|g| g.to_string()),
            description,
            channel: Some("open311".to_owned()),
            address,
            reporter_name: Some(name).filter(|n| !n.is_empty()),
            reporter_phone: p.phone,
            attributes: answers,
            links: p.media_urls,
            photos: p.media,
            idempotency_key: retry_key,
            ..IntakeRequest::default()
        };
        let answer = self.intake(request).await?;
        Ok(PostedRequest {
            service_request_id: answer.matter.number,
            token: answer.matter.id.to_string(),
            service_notice: service_notice(&category.limits),
            account_id: self.actor.user_id().map(str::to_owned),
        })
    }

    /// The community grid of the most precise division an address names.
    async fn grid_for_address(&self, address: &str) -> AppResult<GridCode> {
        let found = self.app.store.divisions_named_in(CodeSystem::Nbs2023, address).await?;
        let community = found
            .iter()
            .filter(|d| d.level() == DivisionLevel::Community)
            .max_by_key(|d| d.name.short().chars().count())
            .ok_or_else(|| {
                AppError::bad_request(
                    "address_not_located",
                    format!("无法从地址“{address}”确定所在社区：请写明社区名称，或给出 lat/long 或 address_id"),
                    format!(
                        "cannot place '{address}' in a community: name the community, or give lat/long or address_id"
                    ),
                )
            })?;
        GridCode::new(&community.code, 0).map_err(|m| AppError::BadRequest { code: "address_not_located", message: m })
    }

    /// `GET servicerequestupdates`: timeline entries in a window, oldest first.
    pub async fn open311_updates(&self, f: UpdateFilter) -> AppResult<Vec<UpdateInfo>> {
        let (skip, take) = paging(f.page, f.page_size)?;
        let (from, to) = window(f.start_date.as_deref(), f.end_date.as_deref(), self.app.now_micros())?;
        let q =
            MatterQuery { scope: self.open311_scope(), within: f.jurisdiction, limit: take, ..MatterQuery::default() };
        let updates = self.app.store.matter_updates(&q, from, to, skip).await?;
        Ok(updates
            .into_iter()
            .map(|(number, e)| UpdateInfo {
                update_id: format!("{number}.{}", e.seq),
                status: update_status(&e),
                updated_datetime: datetime(e.at),
                description: note_text(&e).unwrap_or_else(|| command_label(e.kind).to_owned()),
                media_url: e.attachments.first().cloned(),
                service_request_id: number,
            })
            .collect())
    }

    async fn request_infos(&self, rows: Vec<Matter>, extensions: bool) -> AppResult<Vec<RequestInfo>> {
        let dictionary = self.app.dictionary().await?;
        let ids: Vec<MatterId> = rows.iter().map(|m| m.id.clone()).collect();
        let mut media: HashMap<MatterId, Vec<String>> = HashMap::new();
        for (matter, file) in self.app.store.attachment_ids(&ids).await? {
            media.entry(matter).or_default().push(file);
        }
        let holders = self.app.holder_names(&rows).await?;
        let mut out = Vec::with_capacity(rows.len());
        for m in rows {
            let category = dictionary.category(&m.category).map(|(c, _)| c);
            let files = media.remove(&m.id).unwrap_or_default();
            let agency = Some(holders.agency(&m));
            let notice = match &m.clock {
                Some(c) => Some(format!("{}时限 {}", c.stage.label_zh(), c.limit.label_zh())),
                None => category.and_then(|c| service_notice(&c.limits)),
            };
            let extended = if extensions {
                let events = self.app.store.matter_events(&m.id).await?;
                let notes = events
                    .iter()
                    .map(|e| Note {
                        datetime: datetime(e.at),
                        r#type: match e.kind {
                            EventKind::Report => "submitted".to_owned(),
                            EventKind::Command(c) => c.name().to_owned(),
                        },
                        summary: command_label(e.kind).to_owned(),
                        description: note_text(e),
                    })
                    .collect();
                Some(Extended {
                    detailed_status: m.status.state.as_str(),
                    detailed_status_name: m.status.state.label_zh(),
                    channel: m.channel.as_str().to_owned(),
                    level: m.status.level.as_str(),
                    warning: m.warning().as_str(),
                    media: files.clone(),
                    notes,
                })
            } else {
                None
            };
            out.push(RequestInfo {
                status: open_or_closed(m.status.state),
                status_notes: Some(m.status.state.label_zh().to_owned()),
                service_name: category.map(|c| c.name.clone()),
                service_code: m.category.to_string(),
                description: Some(m.description.clone()),
                agency_responsible: agency,
                service_notice: notice,
                requested_datetime: datetime(m.reported_at),
                updated_datetime: Some(datetime(m.updated_at)),
                expected_datetime: m.deadline_at().map(datetime),
                address: m.address.clone(),
                address_id: Some(m.grid.to_string()),
                zipcode: None,
                lat: m.location.map(|p| p.lat),
                long: m.location.map(|p| p.lng),
                media_url: files.first().cloned(),
                extended,
                service_request_id: m.number,
                token: m.id.to_string(),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Micros = Micros::new(1_800_000_000_000_000);

    #[test]
    fn the_window_is_ninety_days_at_most_and_by_default() {
        let span = WINDOW_DAYS * DAY_MICROS;
        let now = NOW.get();
        assert_eq!(window(None, None, NOW).expect("default"), (Micros::new(now - span), Micros::new(now + 1)));
        let (from, to) = window(Some("2026-09-01T00:00:00Z"), None, NOW).expect("start only");
        assert_eq!(to.get() - from.get(), span + 1);
        let (from, to) = window(None, Some("2026-11-28T00:00:00+08:00"), NOW).expect("end only");
        assert_eq!(to.get() - from.get(), span + 1);
        assert!(window(Some("2026-08-01T00:00:00Z"), Some("2026-10-29T23:59:59Z"), NOW).is_ok(), "89.x days");
        assert!(window(Some("2026-08-01T00:00:00Z"), Some("2026-10-30T00:00:00Z"), NOW).is_ok(), "exactly 90 days");
        assert!(window(Some("2026-08-01T00:00:00Z"), Some("2026-10-30T00:00:01Z"), NOW).is_err(), "over 90 days");
        assert!(window(Some("2026-10-01T00:00:00Z"), Some("2026-09-01T00:00:00Z"), NOW).is_err(), "backwards");
        assert!(window(Some("yesterday"), None, NOW).is_err());
        assert!(window(Some("2026-11-01"), None, NOW).is_ok(), "a bare date is midnight in China");
    }

    #[test]
    fn pages_are_bounded() {
        assert_eq!(paging(None, None).expect("default"), (0, MAX_PAGE_SIZE));
        assert_eq!(paging(Some(3), Some(20)).expect("third page"), (40, 20));
        assert!(paging(Some(0), Some(20)).is_err());
        assert!(paging(Some(1), Some(0)).is_err());
        assert!(paging(Some(1), Some(1001)).is_err());
        assert!(paging(Some(11), Some(1000)).is_err(), "deeper than 10,000");
    }
}
