//! Photos: checked by their bytes (JPEG, PNG or WebP, at most 5 MiB), stored
//! in the database with the matter (so a backup holds everything), served
//! back only to those who may see the matter.

use serde::Serialize;
use sha2::{Digest, Sha256};
use shanzhi_domain::text::Bilingual;
use shanzhi_store::AttachmentRecord;

use crate::access::{Scoped, Via};
use crate::{AppError, AppResult};

pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttachmentView {
    pub id: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

/// The image type the bytes really are.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// A photo's size and type, by its bytes.
pub(crate) fn check_photo(bytes: &[u8]) -> AppResult<&'static str> {
    if bytes.is_empty() || bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(AppError::bad_request(
            "invalid_attachment_size",
            "附件应为 1 字节到 5 MiB",
            "an attachment must be 1 byte to 5 MiB",
        ));
    }
    let kind = sniff(bytes).ok_or_else(|| {
        AppError::bad_request(
            "unsupported_attachment_type",
            "只接受 JPEG、PNG 或 WebP 图片",
            "only JPEG, PNG or WebP images are accepted",
        )
    })?;
    // The header must also describe a picture of a sane size: magic bytes
    // alone pass for a file that is mostly something else.
    match imagesize::blob_size(bytes) {
        Ok(size)
            if (1..=MAX_PIXELS_PER_SIDE).contains(&size.width) && (1..=MAX_PIXELS_PER_SIDE).contains(&size.height) =>
        {
            Ok(kind)
        }
        _ => Err(AppError::bad_request(
            "invalid_image",
            format!("图片无法识别，或尺寸超过 {MAX_PIXELS_PER_SIDE} 像素"),
            format!("the image cannot be read, or a side exceeds {MAX_PIXELS_PER_SIDE} pixels"),
        )),
    }
}

/// Largest side of a photo, in pixels (a phone's camera is below 10,000).
const MAX_PIXELS_PER_SIDE: usize = 20_000;

fn attachment_not_found() -> AppError {
    AppError::not_found("attachment_not_found", "附件不存在，或您无权查看", "no such attachment in your scope")
}

impl Scoped<'_> {
    /// Store an uploaded photo; it is attached to a matter when a report or a
    /// command names it.
    pub async fn upload(&self, bytes: &[u8]) -> AppResult<AttachmentView> {
        if self.actor.via == Via::Anonymous {
            return Err(AppError::Unauthorized(Bilingual::new("上传附件请先登录", "sign in to upload attachments")));
        }
        self.store_photo(bytes).await
    }

    /// Store a photo as the caller's (checked first).
    pub(crate) async fn store_photo(&self, bytes: &[u8]) -> AppResult<AttachmentView> {
        let content_type = check_photo(bytes)?;
        let record = AttachmentRecord {
            id: uuid::Uuid::now_v7().to_string(),
            matter_id: None,
            uploaded_by: self.actor.name.clone(),
            content_type: content_type.to_owned(),
            size: bytes.len() as i64,
            sha256: Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect(),
            created_at: shanzhi_domain::Micros::now(),
        };
        self.app.store.put_attachment(&record, bytes).await?;
        Ok(AttachmentView {
            id: record.id,
            content_type: record.content_type,
            size: record.size,
            sha256: record.sha256,
        })
    }

    /// Attachments named by a report or a command must be the caller's own
    /// uploads, not yet used (a caller without an account has none).
    pub(super) async fn check_own_uploads(&self, ids: &[String]) -> AppResult<()> {
        for id in ids {
            let ok = self.actor.via != Via::Anonymous
                && self
                    .app
                    .store
                    .attachment(id)
                    .await?
                    .is_some_and(|(a, _)| a.matter_id.is_none() && a.uploaded_by == self.actor.name);
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
        Ok(())
    }

    /// A photo and its type, if the caller may see its matter (or uploaded it).
    pub async fn attachment(&self, id: &str) -> AppResult<(String, Vec<u8>)> {
        let (record, data) = self.app.store.attachment(id).await?.ok_or_else(attachment_not_found)?;
        let visible = match &record.matter_id {
            Some(matter) => self.visible_matter(matter.as_str()).await.is_ok(),
            None => record.uploaded_by == self.actor.name && self.actor.via != Via::Anonymous,
        };
        if !visible {
            return Err(attachment_not_found());
        }
        Ok((record.content_type, data))
    }
}

#[cfg(test)]
mod tests {
    use super::sniff;

    #[test]
    fn images_are_known_by_their_bytes() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some("image/png"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff(b"%PDF-1.7"), None);
        assert_eq!(sniff(b"<svg"), None);
    }
}
