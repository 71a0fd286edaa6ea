//! Activities: published and edited by their community's workers or an
//! organisation's members; signed up for, cancelled, attended with the
//! organiser's rotating code.

use serde::{Deserialize, Serialize};
use shanzhi_domain::Micros;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::volunteer::checkin::window;
use shanzhi_domain::volunteer::{
    AttendanceError, CODE_WINDOW_SECONDS, MAX_ACTIVITY_POINTS, MAX_ACTIVITY_SECONDS, MAX_CAPACITY, OrgKind, PointsKind,
    SignupState, append_points, bounded, checkin_code, code_accepted, minutes_between, plain_text,
};
use shanzhi_store::ActivityRecord;

use super::{LIST_LIMIT, bad, conflict, id_ok, iso, local, parse_instant, refused};
use crate::access::Scoped;
use crate::deliberation::community_code;
use crate::{AppError, AppResult};

/// How early before the start one may check in.
const EARLY_SECONDS: i64 = 3600;

/// An activity as anyone sees it, with the caller's own standing.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VolunteerActivity {
    pub id: String,
    pub community: String,
    /// The organisation that runs it (none: the community itself).
    pub org_id: Option<String>,
    pub organiser: String,
    pub title: String,
    pub description: String,
    pub place: String,
    pub lng: Option<f64>,
    pub lat: Option<f64>,
    pub starts_at: String,
    pub ends_at: String,
    /// Start and end as people read them (北京时间).
    pub when: String,
    pub capacity: i64,
    pub points: i64,
    pub confirmed: i64,
    pub waiting: i64,
    /// The caller's sign-up, if any (not cancelled).
    pub my_state: Option<SignupState>,
    pub my_state_name: Option<String>,
    pub checked_in: bool,
    pub checked_out: bool,
    /// The caller organises it (sees the code and the roster, edits it).
    pub may_organise: bool,
}

/// What an organiser writes.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VolunteerActivityForm {
    #[cfg_attr(feature = "openapi", schema(max_length = 60))]
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub description: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub place: String,
    /// The place's point (WGS-84), if known.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 73.0, maximum = 136.0))]
    pub lng: Option<f64>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 3.0, maximum = 54.0))]
    pub lat: Option<f64>,
    /// RFC 3339, or a local date and time in China (`2026-12-05T09:00`).
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 40,
            example = "2026-12-05T09:00:00+08:00",
            pattern = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?$"
        )
    )]
    pub starts_at: String,
    #[cfg_attr(
        feature = "openapi",
        schema(
            max_length = 40,
            example = "2026-12-05T11:00:00+08:00",
            pattern = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])?$"
        )
    )]
    pub ends_at: String,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1000))]
    pub capacity: i64,
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1000))]
    pub points: i64,
    /// The organisation that runs it (one of the caller's, or any of the
    /// community's for its workers).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub org_id: Option<String>,
}

/// One person on the roster (the organiser's view).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivitySignup {
    pub name: String,
    pub state: SignupState,
    pub state_name: String,
    pub signed_at: String,
    pub checked_in_at: Option<String>,
    pub checked_out_at: Option<String>,
    /// Minutes served (after check-out).
    pub minutes: Option<i64>,
    /// The phone's position at check-in was recorded.
    pub located: bool,
}

/// The code the organiser shows now.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckInCode {
    pub code: String,
    /// When the next code replaces it (the old one still passes one more window).
    pub changes_at: String,
    pub window_seconds: i64,
}

/// What a volunteer types on site.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CheckInForm {
    /// The six digits the organiser shows.
    #[cfg_attr(feature = "openapi", schema(max_length = 12, example = "123456"))]
    pub code: String,
    /// The phone's position, when the phone gives it.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = -180.0, maximum = 180.0))]
    pub lng: Option<f64>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = -90.0, maximum = 90.0))]
    pub lat: Option<f64>,
}

fn not_found() -> AppError {
    AppError::not_found("activity_not_found", "活动不存在", "no such activity")
}

fn random_secret() -> AppResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|_| AppError::internal("random source"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl Scoped<'_> {
    async fn activity_record(&self, id: &str) -> AppResult<ActivityRecord> {
        if !id_ok(id) {
            return Err(not_found());
        }
        self.app.store.activity(id).await?.ok_or_else(not_found)
    }

    /// Does the caller organise `a` (its community's worker, or a member of its organisation)?
    async fn organises(&self, a: &ActivityRecord) -> AppResult<bool> {
        if self.works_in(&a.community) {
            return Ok(true);
        }
        match &a.org_id {
            Some(org) => self.member_of(org).await,
            None => Ok(false),
        }
    }

    async fn require_organiser(&self, a: &ActivityRecord) -> AppResult<()> {
        if self.organises(a).await? {
            return Ok(());
        }
        Err(AppError::Forbidden(Bilingual::new(
            "只有活动的组织者可以办理此事",
            "only the activity's organisers may do this",
        )))
    }

    /// Check the form and build the record (`base`: the activity edited).
    async fn activity_from_form(
        &self,
        community: &str,
        f: &VolunteerActivityForm,
        base: Option<&ActivityRecord>,
    ) -> AppResult<ActivityRecord> {
        let mut problems = Vec::new();
        let mut check = |r: Result<String, Bilingual>| r.map_err(|m| problems.push(m)).unwrap_or_default();
        let title = check(plain_text(&f.title, 60, false, ("活动名称", "title")));
        let description = check(plain_text(&f.description, 2000, true, ("活动内容", "description")));
        let place = check(plain_text(&f.place, 100, false, ("地点", "place")));
        for r in [
            bounded(f.capacity, 1, MAX_CAPACITY, ("名额", "capacity")),
            bounded(f.points, 0, MAX_ACTIVITY_POINTS, ("积分", "points")),
        ] {
            if let Err(m) = r {
                problems.push(m);
            }
        }
        let point = match (f.lng, f.lat) {
            (Some(lng), Some(lat)) if (73.0..=136.0).contains(&lng) && (3.0..=54.0).contains(&lat) => Some((lng, lat)),
            (None, None) => None,
            _ => {
                problems.push(Bilingual::new(
                    "地点坐标应在中国境内（经度、纬度同时填写）",
                    "the point must lie in China (both longitude and latitude)",
                ));
                None
            }
        };
        if !problems.is_empty() {
            return Err(bad("invalid_activity", crate::deliberation::all_of(&problems)));
        }
        let starts = parse_instant(&f.starts_at, ("开始时间", "start"))?;
        let ends = parse_instant(&f.ends_at, ("结束时间", "end"))?;
        let length = ends.get().saturating_sub(starts.get()) / 1_000_000;
        if length <= 0 || length > MAX_ACTIVITY_SECONDS {
            return Err(bad(
                "invalid_time",
                Bilingual::new(
                    "结束时间应晚于开始时间，活动最长 3 天",
                    "the end must follow the start, and an activity lasts at most 3 days",
                ),
            ));
        }
        let org_id = match f.org_id.as_deref().map(str::trim).filter(|o| !o.is_empty()) {
            Some(o) => {
                let org = if id_ok(o) { self.app.store.org(o).await? } else { None };
                let org =
                    org.filter(|g| g.community == community && g.kind != OrgKind::Shop.as_str()).ok_or_else(|| {
                        bad(
                            "invalid_org",
                            Bilingual::new(
                                "本社区没有这个社会组织或志愿队",
                                "no such organisation or team in this community",
                            ),
                        )
                    })?;
                if !self.works_in(community) && !self.member_of(&org.id).await? {
                    return Err(AppError::Forbidden(Bilingual::new(
                        "您不是该组织的成员",
                        "you are not a member of that organisation",
                    )));
                }
                Some(org.id)
            }
            None => {
                self.require_worker(community)?;
                None
            }
        };
        let now = self.app.now_micros();
        Ok(ActivityRecord {
            id: base.map_or_else(|| uuid::Uuid::now_v7().to_string(), |b| b.id.clone()),
            community: community.to_owned(),
            org_id,
            title,
            description,
            place,
            lng: point.map(|p| p.0),
            lat: point.map(|p| p.1),
            starts_at: starts,
            ends_at: ends,
            capacity: f.capacity,
            points: f.points,
            code_secret: match base {
                Some(b) => b.code_secret.clone(),
                None => random_secret()?,
            },
            created_by: base.map_or_else(|| self.actor.name.clone(), |b| b.created_by.clone()),
            created_at: base.map_or(now, |b| b.created_at),
            updated_at: now,
        })
    }

    /// Publish an activity for `community`.
    pub async fn publish_activity(&self, community: &str, f: &VolunteerActivityForm) -> AppResult<VolunteerActivity> {
        let code = community_code(community)?;
        let record = self.activity_from_form(code.as_str(), f, None).await?;
        self.app.store.create_activity(&record).await?;
        self.activity_view(record).await
    }

    /// Edit an activity (its organisers); a larger capacity gives places to those who wait.
    pub async fn edit_activity(&self, id: &str, f: &VolunteerActivityForm) -> AppResult<VolunteerActivity> {
        let base = self.activity_record(id).await?;
        self.require_organiser(&base).await?;
        let record = self.activity_from_form(&base.community, f, Some(&base)).await?;
        self.app.store.update_activity(&record).await.map_err(|e| {
            refused(
                e,
                "capacity_below_signups",
                Bilingual::new("名额不能少于已确认报名的人数", "the capacity cannot be below the confirmed sign-ups"),
            )
        })?;
        self.activity_view(record).await
    }

    /// One activity (public).
    pub async fn activity(&self, id: &str) -> AppResult<VolunteerActivity> {
        let a = self.activity_record(id).await?;
        self.activity_view(a).await
    }

    /// Upcoming public activities of a community (not yet ended), soonest first, at most `limit` (≤ 200).
    pub async fn community_activities(&self, community: &str, limit: usize) -> AppResult<Vec<VolunteerActivity>> {
        let code = community_code(community)?;
        let now = self.app.now_micros();
        let records = self.app.store.activities(code.as_str(), now, limit.min(LIST_LIMIT)).await?;
        let mut out = Vec::with_capacity(records.len());
        for a in records {
            out.push(self.activity_view(a).await?);
        }
        Ok(out)
    }

    pub(crate) async fn activity_view(&self, a: ActivityRecord) -> AppResult<VolunteerActivity> {
        let roster = self.app.store.signups(&a.id, (MAX_CAPACITY as usize) * 3).await?;
        let count = |s: SignupState| roster.iter().filter(|r| r.state == s).count() as i64;
        let mine = self.actor.user_id().and_then(|me| roster.iter().find(|r| r.user_id == me));
        let mine = mine.filter(|r| r.state != SignupState::Cancelled);
        let organiser = match &a.org_id {
            Some(org) => self.app.store.org(org).await?.map(|o| o.name).unwrap_or_default(),
            None => "社区居民委员会".to_owned(),
        };
        Ok(VolunteerActivity {
            may_organise: self.organises(&a).await?,
            confirmed: count(SignupState::Confirmed),
            waiting: count(SignupState::Waiting),
            my_state: mine.map(|r| r.state),
            my_state_name: mine.map(|r| r.state.label_zh().to_owned()),
            checked_in: mine.is_some_and(|r| r.checked_in_at.is_some()),
            checked_out: mine.is_some_and(|r| r.checked_out_at.is_some()),
            when: format!("{} 至 {}", local(a.starts_at), local(a.ends_at)),
            starts_at: iso(a.starts_at),
            ends_at: iso(a.ends_at),
            id: a.id,
            community: a.community,
            org_id: a.org_id,
            organiser,
            title: a.title,
            description: a.description,
            place: a.place,
            lng: a.lng,
            lat: a.lat,
            capacity: a.capacity,
            points: a.points,
        })
    }

    /// Sign up (a place, or the waiting list).
    pub async fn sign_up_for_activity(&self, id: &str) -> AppResult<VolunteerActivity> {
        let me = self.volunteer_id()?;
        let a = self.activity_record(id).await?;
        if self.app.now_micros() >= a.ends_at {
            return Err(conflict("activity_over", Bilingual::new("活动已结束，不能报名", "the activity is over")));
        }
        self.app.store.sign_up(&a.id, &me, self.app.now_micros()).await.map_err(|e| {
            refused(e, "already_signed_up", Bilingual::new("您已报名本活动", "you have already signed up"))
        })?;
        self.activity_view(a).await
    }

    /// Cancel one's sign-up; the first who waits gets the place.
    pub async fn cancel_activity_signup(&self, id: &str) -> AppResult<VolunteerActivity> {
        let me = self.volunteer_id()?;
        let a = self.activity_record(id).await?;
        self.app.store.cancel_signup(&a.id, &me, self.app.now_micros()).await.map_err(|e| {
            refused(
                e,
                "cannot_cancel",
                Bilingual::new("您未报名，或已签到，不能取消", "not signed up, or already checked in"),
            )
        })?;
        self.activity_view(a).await
    }

    /// The roster (organisers only).
    pub async fn activity_roster(&self, id: &str) -> AppResult<Vec<ActivitySignup>> {
        let a = self.activity_record(id).await?;
        self.require_organiser(&a).await?;
        let roster = self.app.store.signups(&a.id, (MAX_CAPACITY as usize) * 3).await?;
        Ok(roster
            .into_iter()
            .map(|s| ActivitySignup {
                name: s.name,
                state: s.state,
                state_name: s.state.label_zh().to_owned(),
                signed_at: iso(s.signed_at),
                checked_in_at: s.checked_in_at.map(iso),
                checked_out_at: s.checked_out_at.map(iso),
                minutes: s.minutes,
                located: s.check_in_lng.is_some(),
            })
            .collect())
    }

    /// The code to show now (organisers only).
    pub async fn activity_code(&self, id: &str) -> AppResult<CheckInCode> {
        let a = self.activity_record(id).await?;
        self.require_organiser(&a).await?;
        let w = window(self.app.now_micros());
        Ok(CheckInCode {
            code: checkin_code(&a.code_secret, &a.id, w),
            changes_at: iso(Micros::new((w + 1) * CODE_WINDOW_SECONDS * 1_000_000)),
            window_seconds: CODE_WINDOW_SECONDS,
        })
    }

    /// The activity, the signed-in caller and their sign-up, if the code
    /// typed is the activity's now and the activity is on.
    async fn on_site(
        &self,
        id: &str,
        form: &CheckInForm,
    ) -> AppResult<(ActivityRecord, String, shanzhi_store::SignupRecord)> {
        let me = self.volunteer_id()?;
        let a = self.activity_record(id).await?;
        let now = self.app.now_micros();
        if now < a.starts_at.plus_seconds(-EARLY_SECONDS) || now > a.ends_at.plus_seconds(EARLY_SECONDS) {
            return Err(conflict(
                "not_on",
                Bilingual::new(
                    "只能在活动开始前 1 小时至结束后 1 小时内签到签退",
                    "check in and out from an hour before the start to an hour after the end",
                ),
            ));
        }
        if form.code.len() > 12 || !code_accepted(&a.code_secret, &a.id, now, &form.code) {
            return Err(AppError::invalid(
                "invalid_checkin_code",
                Bilingual::new(
                    "签到码不正确或已过期，请看组织者屏幕上的最新签到码",
                    "the code is wrong or expired: read the latest code on the organiser's screen",
                ),
            ));
        }
        let s = self
            .app
            .store
            .signup(&a.id, &me)
            .await?
            .ok_or_else(|| AppError::invalid("not_signed_up", AttendanceError::NotConfirmed.message()))?;
        Ok((a, me, s))
    }

    /// Check in with the organiser's code (and the phone's position, if given).
    pub async fn check_in_activity(&self, id: &str, form: &CheckInForm) -> AppResult<VolunteerActivity> {
        let (a, me, s) = self.on_site(id, form).await?;
        AttendanceError::check_in(s.state, s.checked_in_at).map_err(|e| conflict("attendance", e.message()))?;
        let point = match (form.lng, form.lat) {
            (Some(lng), Some(lat)) if (-180.0..=180.0).contains(&lng) && (-90.0..=90.0).contains(&lat) => {
                Some((lng, lat))
            }
            (None, None) => None,
            _ => {
                return Err(bad(
                    "invalid_point",
                    Bilingual::new("位置坐标不正确", "the position is not a valid point"),
                ));
            }
        };
        self.app
            .store
            .check_in(&a.id, &me, self.app.now_micros(), point)
            .await
            .map_err(|e| refused(e, "attendance", AttendanceError::AlreadyCheckedIn.message()))?;
        self.activity_view(a).await
    }

    /// Check out with the code: the minutes are recorded and the points earned.
    pub async fn check_out_activity(&self, id: &str, form: &CheckInForm) -> AppResult<VolunteerActivity> {
        let (a, me, s) = self.on_site(id, form).await?;
        AttendanceError::check_out(s.state, s.checked_in_at, s.checked_out_at)
            .map_err(|e| conflict("attendance", e.message()))?;
        let now = self.app.now_micros();
        let since = s.checked_in_at.unwrap_or(now);
        let minutes = minutes_between(since.max(a.starts_at), now.min(a.ends_at));
        let earned = if a.points > 0 {
            let last = self.app.store.last_points(&me).await?;
            let reference = format!("activity:{}", a.id);
            Some(
                append_points(&me, last.as_ref(), now, PointsKind::Earned, a.points, &a.community, &reference)
                    .map_err(|m| conflict("points", m))?,
            )
        } else {
            None
        };
        self.app.store.check_out(&a.id, &me, now, minutes, earned.as_ref()).await.map_err(|e| {
            refused(
                e,
                "attendance",
                Bilingual::new(
                    "签退未能记录（可能已签退），请刷新后重试",
                    "the check-out was not recorded (perhaps done already): reload and retry",
                ),
            )
        })?;
        self.activity_view(a).await
    }

    /// The caller's activities (not cancelled), latest sign-up first.
    pub async fn my_activities(&self) -> AppResult<Vec<VolunteerActivity>> {
        let me = self.volunteer_id()?;
        let mut out = Vec::new();
        for s in self.app.store.signups_of_user(&me, LIST_LIMIT).await? {
            if s.state == SignupState::Cancelled {
                continue;
            }
            if let Some(a) = self.app.store.activity(&s.activity_id).await? {
                out.push(self.activity_view(a).await?);
            }
        }
        Ok(out)
    }
}
