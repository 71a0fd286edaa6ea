use serde::Serialize;
use shanzhi_store::Backend;

use crate::{App, AppResult};

/// What `/healthz` says: the store answered just now, and how migrated it is.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    pub status: &'static str,
    pub version: &'static str,
    /// `sqlite` or `postgres`.
    pub backend: &'static str,
    pub schema_version: i64,
    pub latest_schema_version: i64,
    pub engine_version: String,
}

impl App {
    pub async fn health(&self) -> AppResult<Health> {
        let info = self.store.schema_info().await?;
        let status = if info.schema_version == info.latest_version { "ok" } else { "degraded" };
        Ok(Health {
            status,
            version: env!("CARGO_PKG_VERSION"),
            backend: match info.backend {
                Backend::Sqlite => "sqlite",
                Backend::Postgres => "postgres",
            },
            schema_version: info.schema_version,
            latest_schema_version: info.latest_version,
            engine_version: info.engine_version,
        })
    }
}
