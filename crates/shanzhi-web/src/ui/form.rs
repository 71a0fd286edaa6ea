//! The UI's forms: multipart bodies (fields and uploaded files, so any form
//! may carry photos), the session's CSRF token, and the refusals they share.

use axum::extract::{FromRequest, Multipart, Request};
use shanzhi_app::AppError;
use shanzhi_domain::text::Bilingual;

use crate::AppState;

pub fn bad(zh: &str, en: &str) -> AppError {
    AppError::BadRequest { code: "invalid_form", message: Bilingual::new(zh, en) }
}

/// A form posted from a page older than the session (or forged).
pub fn expired() -> AppError {
    AppError::Forbidden(Bilingual::new("页面已过期，请刷新后重试", "the page expired; reload and retry"))
}

#[derive(Debug, Default)]
pub struct FormData {
    fields: Vec<(String, String)>,
    /// Uploaded files, empty ones left out.
    pub files: Vec<Vec<u8>>,
}

impl FormData {
    pub async fn read(request: Request, state: &AppState) -> Result<FormData, AppError> {
        let mut form = Multipart::from_request(request, state).await.map_err(|_| bad("表单无效", "invalid form"))?;
        let mut out = FormData::default();
        while let Some(f) =
            form.next_field().await.map_err(|_| bad("表单无效或文件过大", "invalid form or file too large"))?
        {
            let name = f.name().unwrap_or("").to_owned();
            if f.file_name().is_some() {
                let bytes = f.bytes().await.map_err(|_| bad("上传失败或文件过大", "upload failed or too large"))?;
                if !bytes.is_empty() {
                    out.files.push(bytes.to_vec());
                }
            } else {
                out.fields.push((name, f.text().await.unwrap_or_default()));
            }
        }
        Ok(out)
    }

    /// A field, trimmed; empty when absent.
    pub fn field(&self, name: &str) -> String {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.trim().to_owned()).unwrap_or_default()
    }

    /// A field that was filled in.
    pub fn filled(&self, name: &str) -> Option<String> {
        Some(self.field(name)).filter(|v| !v.is_empty())
    }
}
