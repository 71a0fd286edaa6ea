//! A community's bodies and methods: members appointed for a term (the
//! council, the committee, the supervisory committee, the Party
//! organisation, and the residents themselves), and the work methods it
//! follows — the shipped ones, and its own, defined as data.

use serde::{Deserialize, Serialize};
use shanzhi_domain::Username;
use shanzhi_domain::deliberation::method::shipped;
use shanzhi_domain::deliberation::{Body, WorkMethod};
use shanzhi_store::{MemberRecord, StoreError};

use super::{community_code, conflict};
use crate::access::Scoped;
use crate::{AppError, AppResult};

/// A member to appoint, as a form or request gives it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberForm {
    pub body: Body,
    pub username: String,
    /// First day of the term (ISO); today if absent.
    #[serde(default)]
    pub from: Option<String>,
    /// Day the term ends (exclusive); open if absent.
    #[serde(default)]
    pub to: Option<String>,
}

/// A member as people read it: a name, never an id.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberView {
    pub body: Body,
    pub body_name: String,
    pub name: String,
    pub from: String,
    pub to: Option<String>,
}

fn day(text: &str) -> AppResult<jiff::civil::Date> {
    text.trim().parse().map_err(|_| {
        AppError::bad_request(
            "invalid_date",
            format!("日期“{text}”应为 YYYY-MM-DD"),
            format!("date '{text}' must be YYYY-MM-DD"),
        )
    })
}

impl Scoped<'_> {
    /// The methods a community may follow: the shipped ones, then its own.
    pub async fn work_methods(&self, community: &str) -> AppResult<Vec<WorkMethod>> {
        let code = community_code(community)?;
        let mut all = shipped();
        for stored in self.app.store.work_methods(code.as_str()).await? {
            all.push(serde_json::from_str(&stored.body).map_err(|e| AppError::internal(e.to_string()))?);
        }
        Ok(all)
    }

    /// The method `code` of a community, if it has one.
    pub async fn work_method(&self, community: &str, code: &str) -> AppResult<WorkMethod> {
        self.work_methods(community).await?.into_iter().find(|m| m.code == code).ok_or_else(|| {
            AppError::bad_request(
                "unknown_method",
                format!("本社区没有“{code}”这一议事规则"),
                format!("the community has no method '{code}'"),
            )
        })
    }

    /// A community defines (or revises) its own method. Every problem of it
    /// is said at once; a shipped method's code cannot be taken.
    pub async fn define_work_method(&self, community: &str, method: &WorkMethod) -> AppResult<i64> {
        let code = community_code(community)?;
        self.administers(code.as_str())?;
        if let Err(errors) = method.validate() {
            return Err(AppError::invalid("invalid_method", super::all_of(&errors)));
        }
        if shipped().iter().any(|m| m.code == method.code) {
            return Err(AppError::bad_request(
                "method_code_taken",
                format!("“{}”是系统内置规则的代码，请换一个", method.code),
                format!("the code {} is a shipped method's: choose another", method.code),
            ));
        }
        let body = serde_json::to_string(method).map_err(|e| AppError::internal(e.to_string()))?;
        Ok(self.app.store.save_work_method(code.as_str(), &method.code, &body, &self.actor.name).await?)
    }

    /// Appoint a member of a community's body for a term.
    pub async fn appoint_member(&self, community: &str, form: &MemberForm) -> AppResult<MemberView> {
        let code = community_code(community)?;
        self.administers(code.as_str())?;
        let username = Username::parse(&form.username)
            .map_err(|e| AppError::BadRequest { code: "invalid_username", message: e })?;
        let user = self.app.store.user_by_name(&username).await?.ok_or_else(|| {
            AppError::not_found("user_not_found", format!("用户 {username} 不存在"), format!("no user {username}"))
        })?;
        let from = form.from.as_deref().map(day).transpose()?.unwrap_or_else(|| self.day());
        let to = form.to.as_deref().map(day).transpose()?;
        if to.is_some_and(|t| t <= from) {
            return Err(AppError::bad_request("invalid_term", "任期结束日应晚于开始日", "a term ends after it starts"));
        }
        let record = MemberRecord {
            community: code.as_str().to_owned(),
            body: form.body,
            user_id: user.id.clone(),
            valid_from: from.to_string(),
            valid_to: to.map(|t| t.to_string()),
        };
        match self.app.store.add_member(&record).await {
            Err(StoreError::Constraint(_)) => {
                return Err(conflict("member_exists", "此人在该任期已是成员", "already a member for this term"));
            }
            other => other?,
        }
        Ok(MemberView {
            body: record.body,
            body_name: record.body.label_zh().to_owned(),
            name: user.display_name,
            from: record.valid_from,
            to: record.valid_to,
        })
    }

    /// The members of a community's bodies today (its members and those
    /// who oversee it).
    pub async fn community_members(&self, community: &str) -> AppResult<Vec<MemberView>> {
        let code = community_code(community)?;
        if !self.oversees(code.as_str()) && self.bodies_in(code.as_str()).await?.is_empty() {
            return Err(super::not_found());
        }
        let day = self.day().to_string();
        let mut out = Vec::new();
        for m in self.app.store.members(code.as_str(), None, &day).await? {
            if m.body == Body::Residents {
                continue;
            }
            let name = self.app.store.user_by_id(&m.user_id).await?.map(|u| u.display_name).unwrap_or_default();
            out.push(MemberView {
                body: m.body,
                body_name: m.body.label_zh().to_owned(),
                name,
                from: m.valid_from,
                to: m.valid_to,
            });
        }
        Ok(out)
    }
}
