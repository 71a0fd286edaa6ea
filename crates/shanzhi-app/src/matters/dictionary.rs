//! The category dictionary and duty lists: anyone signed in reads them;
//! editing takes the [`CityDesk`] (a city-wide administrator). Every edit is a new version (old
//! matters keep the version they were filed under) and goes to the audit log.

use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{Category, CategoryCode, DutyItem, DutyLevel};

use crate::access::{CityDesk, Operator, Scoped};
use crate::{AppError, AppResult};

impl Scoped<'_> {
    /// The current version of every category, with its version number.
    pub async fn categories(&self) -> AppResult<Vec<(Category, i64)>> {
        Ok(self.app.store.categories().await?)
    }

    pub async fn category(&self, code: &str, version: Option<i64>) -> AppResult<(Category, i64)> {
        let not_found =
            || AppError::not_found("category_not_found", format!("分类 {code} 不存在"), format!("no category {code}"));
        let code = CategoryCode::parse(code).map_err(|_| not_found())?;
        self.app.store.category(&code, version).await?.ok_or_else(not_found)
    }
}

impl CityDesk<'_> {
    /// Store a new version of a category (or its first).
    pub async fn put_category(&self, category: Category) -> AppResult<i64> {
        category.validate().map_err(|m| AppError::BadRequest { code: "invalid_category", message: m })?;
        if let Some(parent) = &category.parent
            && self.app.store.category(parent, None).await?.is_none()
        {
            return Err(AppError::invalid(
                "unknown_parent_category",
                Bilingual::new(format!("上级分类 {parent} 不存在"), format!("no parent category {parent}")),
            ));
        }
        let before = self
            .app
            .store
            .category(&category.code, None)
            .await?
            .map(|(c, _)| serde_json::to_string(&c).unwrap_or_default());
        let mut audit = self
            .audit("category.put", &format!("category:{}", category.code))
            .after(serde_json::to_string(&category).unwrap_or_default());
        audit.before = before;
        let version = self.app.store.put_category(&category, &audit).await?;
        self.app.invalidate_dictionary();
        Ok(version)
    }
}

impl Scoped<'_> {
    pub async fn duties(&self, category: Option<&str>) -> AppResult<Vec<DutyItem>> {
        let code = category
            .map(|c| CategoryCode::parse(c).map_err(|m| AppError::BadRequest { code: "invalid_category", message: m }))
            .transpose()?;
        Ok(self.app.store.duties(code.as_ref()).await?)
    }
}

impl CityDesk<'_> {
    /// Set the duty for a category at one level.
    pub async fn put_duty(&self, duty: DutyItem) -> AppResult<()> {
        if self.app.store.category(&duty.category, None).await?.is_none() {
            return Err(AppError::invalid(
                "unknown_category",
                Bilingual::new(format!("分类 {} 不存在", duty.category), format!("no category {}", duty.category)),
            ));
        }
        let keys_ok = duty.lead.iter().chain(duty.co.iter()).all(|k| {
            (2..=32).contains(&k.len()) && k.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        });
        if !keys_ok || duty.note.chars().count() > 500 {
            return Err(AppError::bad_request(
                "invalid_duty",
                "部门键应为小写字母、数字或下划线；备注不超过 500 字",
                "department keys are lower-case letters, digits or _; a note has at most 500 characters",
            ));
        }
        let audit = self
            .audit("duty.put", &format!("duty:{}:{:?}", duty.category, duty.level))
            .after(serde_json::to_string(&duty).unwrap_or_default());
        self.app.store.put_duty(&duty, &audit).await?;
        self.app.invalidate_dictionary();
        Ok(())
    }
}

impl CityDesk<'_> {
    /// Remove the duty row of a category at one level (the category then has
    /// no listed lead there: the dispatcher chooses).
    pub async fn remove_duty(&self, category: &str, level: DutyLevel) -> AppResult<()> {
        let code =
            CategoryCode::parse(category).map_err(|m| AppError::BadRequest { code: "invalid_category", message: m })?;
        let not_found = || {
            AppError::not_found(
                "duty_not_found",
                format!("分类 {code} 在该层级没有职责"),
                format!("no duty for {code} there"),
            )
        };
        let before = self.app.store.duty(&code, level).await?.ok_or_else(not_found)?;
        let entity = format!("duty:{code}:{level:?}");
        let audit = self.audit("duty.remove", &entity).before(serde_json::to_string(&before).unwrap_or_default());
        if !self.app.store.remove_duty(&code, level, &audit).await? {
            return Err(not_found());
        }
        self.app.invalidate_dictionary();
        Ok(())
    }
}

impl CityDesk<'_> {
    /// Import grids from the admin pages; the import itself checks the whole file.
    pub async fn import_grids(
        &self,
        text: &str,
        effective: jiff::civil::Date,
    ) -> AppResult<crate::grids::GridImportReport> {
        let options = crate::grids::GridImportOptions {
            actor: self.actor.name.clone(),
            ..crate::grids::GridImportOptions::from(effective)
        };
        let report = Operator { app: self.app }.import_grids(text, options, &crate::NoProgress).await?;
        self.app.refresh_grid_index().await?;
        Ok(report)
    }

    /// Import divisions (NBS 2023 codes) from the admin pages; as above.
    pub async fn import_divisions(&self, csv: &[u8]) -> AppResult<crate::divisions::ImportReport> {
        Operator { app: self.app }.import_divisions(csv, shanzhi_domain::CodeSystem::Nbs2023).await
    }
}
