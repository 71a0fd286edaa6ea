//! Notes on a proposal: a milestone of the implementation (committee) with
//! its progress and photos, the acceptance survey (Party organisation) with
//! its satisfaction and photos, or a supervisory note. Everything is checked
//! before anything is stored: a refused note (or photo) stores nothing.

use serde::{Deserialize, Serialize};
use shanzhi_domain::case::MAX_IMAGES;
use shanzhi_domain::deliberation::Body;
use shanzhi_store::{NoteRecord, Remark};

use super::proposals::Loaded;
use super::{MAX_TEXT, not_found, text};
use crate::access::Scoped;
use crate::matters::attachments::check_photo;
use crate::{AppError, AppResult};

/// A milestone (`milestone`), the acceptance survey (`survey`) or a
/// supervisory note (`supervision`).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NoteForm {
    pub kind: String,
    pub text: String,
    /// Progress (milestone) or satisfaction (survey), 0–100.
    #[serde(default)]
    pub percent: Option<u8>,
    /// Photos of a milestone or the survey: ids of one's own uploads
    /// (`POST /api/v1/attachments`, checked as matters' photos are; at most 6).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 6))]
    pub images: Vec<String>,
}

/// A photo of a note: its upload's id and where to see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NoteImage {
    pub id: String,
    pub href: String,
}

impl Scoped<'_> {
    /// The note checked but for its photos' ids: the proposal, and the text.
    async fn checked_note(&self, id: &str, form: &NoteForm, photos: usize) -> AppResult<(Loaded, String)> {
        let p = self.readable(id).await?;
        let body = match form.kind.as_str() {
            "milestone" => Body::Committee,
            "survey" => Body::Party,
            "supervision" => Body::Supervisory,
            other => {
                return Err(AppError::bad_request(
                    "invalid_note",
                    format!("记录类型应为进度、满意度测评或监督意见，而不是“{other}”"),
                    format!("a note is a milestone, survey or supervision, not '{other}'"),
                ));
            }
        };
        self.require_body(&p.record.community, body).await?;
        if body == Body::Supervisory && photos > 0 {
            return Err(AppError::bad_request(
                "invalid_note",
                "只有进度和满意度测评可以附图片",
                "only a milestone or the survey carries photos",
            ));
        }
        if photos > MAX_IMAGES {
            return Err(AppError::bad_request(
                "too_many",
                format!("图片最多 {MAX_IMAGES} 个"),
                format!("at most {MAX_IMAGES} images"),
            ));
        }
        if form.percent.is_some_and(|v| v > 100) {
            return Err(AppError::bad_request("invalid_percent", "百分比应在 0–100 之间", "a percentage is 0–100"));
        }
        let note_text = text(("记录", "note"), &form.text, MAX_TEXT)?;
        Ok((p, note_text))
    }

    /// A milestone (committee), the acceptance survey (Party organisation)
    /// or a supervisory note (supervisory committee, at any step).
    pub async fn add_note(&self, id: &str, form: &NoteForm) -> AppResult<i64> {
        self.add_note_with_photos(id, form, &[]).await
    }

    /// A note with new photos (the form's bytes, as a page uploads them):
    /// the note and every photo are checked before any photo is stored.
    pub async fn add_note_with_photos(&self, id: &str, form: &NoteForm, photos: &[Vec<u8>]) -> AppResult<i64> {
        let (p, note_text) = self.checked_note(id, form, form.images.len() + photos.len()).await?;
        let mut images = self.checked_images(&form.images, &[]).await?;
        for bytes in photos {
            check_photo(bytes)?;
        }
        for bytes in photos {
            images.push(self.upload(bytes).await?.id);
        }
        let step_code = match p.stage.step().and_then(|i| p.method.steps.get(i)) {
            Some(s) => s.code.clone(),
            None => p.method.steps.last().map(|s| s.code.clone()).unwrap_or_default(),
        };
        let note = NoteRecord {
            proposal_id: id.to_owned(),
            kind: form.kind.clone(),
            step_code,
            percent: form.percent,
            remark: Remark {
                seq: 0,
                author: self.actor.user_id().unwrap_or_default().to_owned(),
                at: self.app.now_micros(),
                body: note_text,
            },
            images,
        };
        Ok(self.app.store.add_note(&note).await?)
    }

    /// A photo of a note of `community`'s proposal the caller may read
    /// (anyone, once it is noticed): its type and bytes.
    pub async fn note_image(&self, community: &str, id: &str, image: &str) -> AppResult<(String, Vec<u8>)> {
        if self.readable(id).await?.record.community != community {
            return Err(not_found());
        }
        let notes = self.app.store.notes(id).await?;
        if !notes.iter().any(|n| n.images.iter().any(|i| i == image)) {
            return Err(not_found());
        }
        let (record, data) = self.app.store.attachment(image).await?.ok_or_else(not_found)?;
        Ok((record.content_type, data))
    }
}
