//! `POST servicerequestupdates`: a partner system's update (the mySociety
//! extension FixMyStreet speaks) recorded as a note on the matter's timeline.
//! The partner's `update_id` is the key: a repeat answers with the update
//! recorded the first time and adds nothing. The partner's status word is
//! kept with the note but moves nothing: the handling flow (dispatch,
//! response, verification on site) decides the matter's state here.

use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{Command, CommandKind, EventKind, Matter, PartnerUpdate};

use super::parse_datetime;
use crate::access::Scoped;
use crate::{AppError, AppResult};

/// The status words a partner may send (FixMyStreet sends them in upper case).
pub const PARTNER_STATUSES: [&str; 15] = [
    "open",
    "closed",
    "fixed",
    "in_progress",
    "action_scheduled",
    "investigating",
    "duplicate",
    "not_councils_responsibility",
    "no_further_action",
    "internal_referral",
    "planned",
    "cancelled",
    "reopen",
    "for_triage",
    "unchanged",
];

/// The most photos one update carries.
const MAX_PHOTOS: usize = 9;

/// What a partner posts, as the form gave it.
#[derive(Debug, Clone, Default)]
pub struct UpdatePost {
    pub service_request_id: Option<String>,
    pub update_id: Option<String>,
    pub status: Option<String>,
    pub updated_datetime: Option<String>,
    pub description: Option<String>,
    pub media_url: Option<String>,
    /// Uploaded photos (`media`).
    pub media: Vec<Vec<u8>>,
}

/// What a post answers: our id of the update (`NUMBER.SEQ`, as the updates
/// feed names it) and whether this post recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedUpdate {
    pub update_id: String,
    pub created: bool,
}

fn required(name: &'static str, value: Option<String>) -> AppResult<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()).ok_or_else(|| {
        AppError::bad_request("missing_parameter", format!("缺少 {name}"), format!("{name} is required"))
    })
}

impl Scoped<'_> {
    /// `POST servicerequestupdates`: note a partner's update on its matter,
    /// once per `update_id` and partner (the api_key's account).
    pub async fn open311_post_update(&self, p: UpdatePost) -> AppResult<PostedUpdate> {
        self.open311_poster()?;
        let number = required("service_request_id", p.service_request_id)?;
        let update_id = required("update_id", p.update_id)?;
        let status = required("status", p.status)?.to_ascii_lowercase();
        if !PARTNER_STATUSES.contains(&status.as_str()) {
            return Err(AppError::bad_request(
                "invalid_status",
                format!("未知的 status“{status}”，可用：{}", PARTNER_STATUSES.join("、").to_ascii_uppercase()),
                format!("unknown status '{status}'; known: {}", PARTNER_STATUSES.join(", ").to_ascii_uppercase()),
            ));
        }
        let updated_datetime = required("updated_datetime", p.updated_datetime)?;
        parse_datetime("updated_datetime", &updated_datetime)?;
        let text = required("description", p.description)?;
        if p.media.len() > MAX_PHOTOS {
            return Err(AppError::bad_request(
                "too_many_attachments",
                format!("一次更新最多 {MAX_PHOTOS} 张照片"),
                format!("at most {MAX_PHOTOS} photos an update"),
            ));
        }
        let media_url = p.media_url.map(|u| u.trim().to_owned()).filter(|u| !u.is_empty());
        let partner = PartnerUpdate { update_id: update_id.clone(), status, updated_datetime, media_url };
        let command = Command::Note { text, partner: Some(partner) };
        command.validate().map_err(|m| AppError::BadRequest { code: "invalid_update", message: m })?;

        let m = self.visible_matter(&number).await?;
        let ours = |seq: i64| PostedUpdate { update_id: format!("{}.{seq}", m.number), created: false };
        if let Some(seq) = self.partner_update(&m, &update_id).await? {
            return Ok(ours(seq));
        }
        let role = self.acting_role(CommandKind::Note, &m).ok_or_else(|| {
            AppError::Forbidden(Bilingual::new(
                "此 api_key 不能更新该请求（居民账号只能更新自己提交的请求）",
                "this api_key may not update the request (a resident account updates only its own requests)",
            ))
        })?;
        let mut photos = Vec::with_capacity(p.media.len());
        for bytes in &p.media {
            photos.push(self.upload(bytes).await?.id);
        }
        let written = self.apply_command(m.clone(), self.acting_as(role), command, photos).await;
        // Two posts of one update at once: the one that lost the race to the
        // timeline finds the other's entry and answers with it.
        match (written, self.partner_update(&m, &update_id).await?) {
            (Ok(_), Some(seq)) => Ok(PostedUpdate { created: true, ..ours(seq) }),
            (Err(AppError::WrongState { .. }), Some(seq)) => Ok(ours(seq)),
            (Err(e), _) => Err(e),
            (Ok(_), None) => Err(AppError::internal("a partner update was written but is not on the timeline")),
        }
    }

    /// The sequence number of this caller's update `update_id` on `m`.
    async fn partner_update(&self, m: &Matter, update_id: &str) -> AppResult<Option<i64>> {
        let events = self.app.store.matter_events(&m.id).await?;
        Ok(events
            .iter()
            .filter(|e| e.kind == EventKind::Command(CommandKind::Note) && e.actor == self.actor.name)
            .find(|e| {
                matches!(serde_json::from_str::<Command>(&e.body),
                    Ok(Command::Note { partner: Some(p), .. }) if p.update_id == update_id)
            })
            .map(|e| e.seq))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statuses_are_fixmystreets_lower_case_words() {
        for s in PARTNER_STATUSES {
            assert_eq!(s, s.to_ascii_lowercase());
            assert!(s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{s}");
        }
        assert!(required("update_id", Some("  ".into())).is_err());
        assert_eq!(required("update_id", Some(" 7 ".into())).expect("given"), "7");
    }
}
