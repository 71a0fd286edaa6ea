//! Volunteers and 公益积分 (issue 19). A signed-in resident opts in with a
//! profile and signs up for activities that a community's workers (or an
//! organisation's members) publish for their community; beyond the capacity
//! one waits (候补), and a cancellation hands the place on. On site the
//! organiser's page shows a code that changes every two minutes; typing it
//! checks in, and again checks out, which records the minutes and earns the
//! activity's points on the resident's ledger (append-only, hash-chained,
//! never negative). Points buy rewards from the catalogue (a shop's or the
//! committee's); the code handed out is confirmed once by the shop's people
//! (its members) or the community's workers. Who may do what:
//!
//! - community workers (and administrators) whose scope covers a community:
//!   its organisations, activities and rewards, and confirming its codes;
//! - an organisation's members: its activities (a 社会组织 or 志愿队) or its
//!   rewards and codes (a 商家);
//! - anyone signed in: their profile, sign-ups, attendance, points and
//!   redemptions; anyone at all: activities, the catalogue, the leaderboard.

mod activities;
mod demo;
mod places;
mod points;
mod verify;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::volunteer::{MAX_SKILL_NOTE, MAX_SKILLS, OrgKind, Skill, plain_text};
use shanzhi_domain::{Micros, Place, Role};
use shanzhi_store::{OrgRecord, ProfileRecord, StoreError, Username};

use crate::access::{Scoped, Via};
use crate::deliberation::community_code;
use crate::{AppError, AppResult};

pub use activities::{ActivitySignup, CheckInCode, CheckInForm, VolunteerActivity, VolunteerActivityForm};
pub use places::{CommunityChoice, MAX_ACTIVITY_COMMUNITIES};
pub use points::{
    ConfirmedRedemption, LeaderboardLine, PointsAccount, PointsLine, RewardItem, RewardItemForm, RewardRedemption,
};
pub use verify::{PointsCheck, verify_points};

/// Most rows any list of this module returns.
pub const LIST_LIMIT: usize = 200;

/// A resident's volunteer profile.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VolunteerProfile {
    pub skills: Vec<Skill>,
    /// The skills in words (助老服务 …).
    pub skill_names: Vec<String>,
    pub skill_note: String,
    pub availability: String,
    /// Shown on the community leaderboard.
    pub on_board: bool,
    pub joined_at: String,
}

/// What a resident says when opting in (or changing the profile).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VolunteerProfileForm {
    /// Skills from the list (at most 8).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 8))]
    pub skills: Vec<Skill>,
    /// Other skills in one's own words (at most 200 characters).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub skill_note: String,
    /// When one can help (周末上午 …).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub availability: String,
    /// Appear on the community leaderboard (default yes).
    #[serde(default = "yes")]
    pub on_board: bool,
}

fn yes() -> bool {
    true
}

/// An organisation: 社会组织, 志愿队 or 商家.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VolunteerOrg {
    pub id: String,
    pub community: String,
    pub name: String,
    pub kind: OrgKind,
    pub kind_name: String,
}

/// A new organisation and its people (usernames).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct VolunteerOrgForm {
    #[cfg_attr(feature = "openapi", schema(max_length = 60))]
    pub name: String,
    pub kind: OrgKind,
    /// Usernames of its members (at most 20).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub members: Vec<String>,
}

impl From<OrgRecord> for VolunteerOrg {
    fn from(o: OrgRecord) -> VolunteerOrg {
        let kind = o.kind.parse().unwrap_or(OrgKind::Team);
        VolunteerOrg { id: o.id, community: o.community, name: o.name, kind, kind_name: kind.label_zh().to_owned() }
    }
}

pub(crate) fn bad(code: &'static str, m: Bilingual) -> AppError {
    AppError::BadRequest { code, message: m }
}

pub(crate) fn conflict(code: &'static str, m: Bilingual) -> AppError {
    AppError::Conflict { code, message: m, details: None }
}

/// A store refusal as a conflict saying `m`; other failures as they are.
pub(crate) fn refused(e: StoreError, code: &'static str, m: Bilingual) -> AppError {
    match e {
        StoreError::Constraint(_) => conflict(code, m),
        e => e.into(),
    }
}

pub(crate) fn id_ok(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// An instant as the API writes it (China time, RFC 3339).
pub(crate) fn iso(at: Micros) -> String {
    at.timestamp().to_zoned_datetime(shanzhi_domain::calendar::china()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// An instant as people read it (China time), `2026-12-05 09:00`.
pub(crate) fn local(at: Micros) -> String {
    at.timestamp().to_zoned_datetime(shanzhi_domain::calendar::china()).strftime("%Y-%m-%d %H:%M").to_string()
}

/// An RFC 3339 instant, or a local date and time in China (`2026-12-05T09:00`,
/// as a form's date-time field sends it).
pub(crate) fn parse_instant(text: &str, what: (&str, &str)) -> AppResult<Micros> {
    let t = text.trim();
    let bad_time = || {
        bad(
            "invalid_time",
            Bilingual::new(
                format!("{}“{t}”应为日期时间，如 2026-12-05T09:00", what.0),
                format!("the {} '{t}' must be a date and time such as 2026-12-05T09:00", what.1),
            ),
        )
    };
    if t.len() > 40 {
        return Err(bad_time());
    }
    let ts = match t.parse::<Timestamp>() {
        Ok(ts) => ts,
        Err(_) => {
            let dt: jiff::civil::DateTime = t.parse().map_err(|_| bad_time())?;
            dt.to_zoned_datetime(shanzhi_domain::calendar::china()).map_err(|_| bad_time())?.timestamp()
        }
    };
    let y = ts.to_zoned_datetime(shanzhi_domain::calendar::china()).year();
    if !(2000..=2100).contains(&y) {
        return Err(bad_time());
    }
    Ok(Micros::from_timestamp(ts))
}

impl Scoped<'_> {
    /// The signed-in caller's user id, or 401.
    pub(crate) fn volunteer_id(&self) -> AppResult<String> {
        self.actor.user_id().map(str::to_owned).ok_or_else(|| {
            AppError::Unauthorized(Bilingual::new("请先登录再参加志愿活动", "sign in to take part as a volunteer"))
        })
    }

    /// A community worker (or administrator) whose scope covers `community` today.
    pub(crate) fn works_in(&self, community: &str) -> bool {
        let Ok(code) = shanzhi_domain::DivisionCode::parse(community) else { return false };
        let place = Place::Division(code);
        let day = self.day();
        self.actor.via == Via::System
            || self.actor.grants.iter().any(|g| {
                matches!(g.role, Role::CommunityWorker | Role::Admin)
                    && g.term.contains(day)
                    && g.scope.as_ref().is_some_and(|s| s.covers(&place))
            })
    }

    pub(crate) fn require_worker(&self, community: &str) -> AppResult<()> {
        if self.works_in(community) {
            return Ok(());
        }
        Err(AppError::Forbidden(Bilingual::new(
            "只有本社区的社区工作者可以办理此事",
            "only this community's workers may do this",
        )))
    }

    /// Is the caller a member of organisation `org`?
    pub(crate) async fn member_of(&self, org: &str) -> AppResult<bool> {
        let Some(me) = self.actor.user_id() else { return Ok(false) };
        Ok(self.app.store.orgs_of_user(me).await?.iter().any(|o| o.id == org))
    }

    /// The caller's profile, if they opted in.
    pub async fn volunteer_profile(&self) -> AppResult<Option<VolunteerProfile>> {
        let me = self.volunteer_id()?;
        Ok(self.app.store.profile(&me).await?.map(|p| {
            let skills: Vec<Skill> = serde_json::from_str(&p.skills).unwrap_or_default();
            VolunteerProfile {
                skill_names: skills.iter().map(|s| s.label_zh().to_owned()).collect(),
                skills,
                skill_note: p.skill_note,
                availability: p.availability,
                on_board: p.on_board,
                joined_at: iso(p.joined_at),
            }
        }))
    }

    /// Opt in, or change one's profile.
    pub async fn set_volunteer_profile(&self, form: &VolunteerProfileForm) -> AppResult<VolunteerProfile> {
        let me = self.volunteer_id()?;
        if form.skills.len() > MAX_SKILLS {
            return Err(bad("invalid_skills", Bilingual::new("技能最多选 8 项", "at most 8 skills")));
        }
        let optional = |v: &str, what| {
            if v.trim().is_empty() { Ok(String::new()) } else { plain_text(v, MAX_SKILL_NOTE, false, what) }
        };
        let note = optional(&form.skill_note, ("其他技能", "skill note")).map_err(|m| bad("invalid_text", m))?;
        let availability =
            optional(&form.availability, ("可服务时间", "availability")).map_err(|m| bad("invalid_text", m))?;
        let mut skills = form.skills.clone();
        skills.sort();
        skills.dedup();
        let now = self.app.now_micros();
        let joined_at = self.app.store.profile(&me).await?.map_or(now, |p| p.joined_at);
        let record = ProfileRecord {
            user_id: me,
            skills: serde_json::to_string(&skills).map_err(|_| AppError::internal("skills"))?,
            skill_note: note,
            availability,
            on_board: form.on_board,
            joined_at,
            updated_at: now,
        };
        self.app.store.put_profile(&record).await?;
        self.volunteer_profile().await?.ok_or_else(|| AppError::internal("profile just written"))
    }

    /// Create an organisation of `community` with its members (its workers only).
    pub async fn create_volunteer_org(&self, community: &str, form: &VolunteerOrgForm) -> AppResult<VolunteerOrg> {
        let code = community_code(community)?;
        self.require_worker(code.as_str())?;
        let name =
            plain_text(&form.name, 60, false, ("组织名称", "organisation name")).map_err(|m| bad("invalid_text", m))?;
        if form.members.len() > 20 {
            return Err(bad("invalid_members", Bilingual::new("成员最多 20 人", "at most 20 members")));
        }
        let mut members = Vec::with_capacity(form.members.len());
        for m in &form.members {
            let user = match Username::parse(m.trim()) {
                Ok(u) => self.app.store.user_by_name(&u).await?,
                Err(_) => None,
            };
            let user = user.ok_or_else(|| {
                bad("unknown_user", Bilingual::new(format!("没有账号“{m}”"), format!("no account '{m}'")))
            })?;
            members.push(user.id);
        }
        let now = self.app.now_micros();
        let org = OrgRecord {
            id: uuid::Uuid::now_v7().to_string(),
            community: code.as_str().to_owned(),
            name,
            kind: form.kind.as_str().to_owned(),
            created_at: now,
            created_by: self.actor.name.clone(),
        };
        self.app.store.create_org(&org).await.map_err(|e| {
            refused(
                e,
                "org_exists",
                Bilingual::new("本社区已有同名组织", "this community already has an organisation of that name"),
            )
        })?;
        for m in members {
            self.app.store.add_org_member(&org.id, &m, now).await?;
        }
        Ok(org.into())
    }

    /// A community's organisations (public).
    pub async fn volunteer_orgs(&self, community: &str) -> AppResult<Vec<VolunteerOrg>> {
        let code = community_code(community)?;
        Ok(self.app.store.orgs(code.as_str(), LIST_LIMIT).await?.into_iter().map(Into::into).collect())
    }

    /// The organisations the caller belongs to.
    pub async fn my_volunteer_orgs(&self) -> AppResult<Vec<VolunteerOrg>> {
        let Some(me) = self.actor.user_id() else { return Ok(Vec::new()) };
        Ok(self.app.store.orgs_of_user(me).await?.into_iter().map(Into::into).collect())
    }
}
