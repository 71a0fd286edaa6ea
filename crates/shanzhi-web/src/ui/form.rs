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
    /// The form field of each of `files` (a form with photos before and after).
    file_fields: Vec<String>,
}

/// A report form's fields (the resident's and the grid worker's), shown
/// again as typed after a refusal; photos cannot be put back into a file input.
#[derive(Debug, Default)]
pub struct KeptReport {
    pub category: String,
    pub lng: String,
    pub lat: String,
    pub address: String,
    pub description: String,
}

impl KeptReport {
    pub fn from_form(form: &FormData) -> KeptReport {
        KeptReport {
            category: form.field("category"),
            lng: form.field("lng"),
            lat: form.field("lat"),
            address: form.field("address"),
            description: form.field("description"),
        }
    }
}

/// Parts of one multipart body, files among them, and characters of one text
/// field: the body's size is bounded by the server's limit; these bound what
/// it may be cut into.
pub const MAX_PARTS: usize = 64;
pub const MAX_FILES: usize = 9;
pub const MAX_FIELD_CHARS: usize = 20_000;

/// A multipart body as (name, text) fields and non-empty files; a part is a
/// file if it has a file name or `is_file` says so by its name. Any state
/// will do (axum's `Multipart` reads none), so the fuzz target needs no app.
pub async fn read_multipart<S: Send + Sync>(
    request: Request,
    state: &S,
    is_file: impl Fn(&str) -> bool,
) -> Result<(Vec<(String, String)>, Vec<Vec<u8>>), Bilingual> {
    let (fields, files) = read_multipart_named(request, state, is_file).await?;
    Ok((fields, files.into_iter().map(|(_, bytes)| bytes).collect()))
}

/// As [`read_multipart`], each file with its field's name.
#[allow(clippy::type_complexity)]
async fn read_multipart_named<S: Send + Sync>(
    request: Request,
    state: &S,
    is_file: impl Fn(&str) -> bool,
) -> Result<(Vec<(String, String)>, Vec<(String, Vec<u8>)>), Bilingual> {
    let invalid = |e: &dyn std::fmt::Display| {
        Bilingual::new("表单（multipart）无效或过大", format!("invalid or oversized multipart form: {e}"))
    };
    let mut form = Multipart::from_request(request, state).await.map_err(|e| invalid(&e))?;
    let (mut fields, mut files) = (Vec::new(), Vec::new());
    let mut parts = 0;
    while let Some(f) = form.next_field().await.map_err(|e| invalid(&e))? {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(Bilingual::new(
                format!("表单最多 {MAX_PARTS} 项"),
                format!("a form has at most {MAX_PARTS} parts"),
            ));
        }
        let name = f.name().unwrap_or("").to_owned();
        if f.file_name().is_some() || is_file(&name) {
            let bytes = f.bytes().await.map_err(|e| invalid(&e))?;
            if !bytes.is_empty() {
                files.push((name, bytes.to_vec()));
            }
            if files.len() > MAX_FILES {
                return Err(Bilingual::new(
                    format!("最多上传 {MAX_FILES} 个文件"),
                    format!("at most {MAX_FILES} files"),
                ));
            }
        } else {
            let text = f.text().await.map_err(|e| invalid(&e))?;
            if text.chars().count() > MAX_FIELD_CHARS {
                return Err(Bilingual::new(
                    format!("表单项“{name}”过长"),
                    format!("the form field '{name}' is too long"),
                ));
            }
            // PostgreSQL cannot store a NUL in text: refused alike everywhere.
            if text.contains('\0') {
                return Err(Bilingual::new(
                    format!("表单项“{name}”含有空字符（NUL）"),
                    format!("the form field '{name}' contains a NUL character"),
                ));
            }
            fields.push((name, text));
        }
    }
    Ok((fields, files))
}

impl FormData {
    pub async fn read(request: Request, state: &AppState) -> Result<FormData, AppError> {
        let (fields, named) = read_multipart_named(request, state, |_| false)
            .await
            .map_err(|message| AppError::BadRequest { code: "invalid_form", message })?;
        let (file_fields, files) = named.into_iter().unzip();
        Ok(FormData { fields, files, file_fields })
    }

    /// The files sent in the form field `name`.
    pub fn files_of(&self, name: &str) -> Vec<Vec<u8>> {
        self.files.iter().zip(&self.file_fields).filter(|(_, n)| *n == name).map(|(f, _)| f.clone()).collect()
    }

    /// Every field as sent, in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.fields
    }

    /// A field, trimmed; empty when absent.
    pub fn field(&self, name: &str) -> String {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.trim().to_owned()).unwrap_or_default()
    }

    /// Every non-empty value of a repeated field (checked boxes), trimmed.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(n, v)| n == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    }

    /// A field that was filled in.
    pub fn filled(&self, name: &str) -> Option<String> {
        Some(self.field(name)).filter(|v| !v.is_empty())
    }
}
