//! Open the store named by the configuration: PostgreSQL for a postgres://
//! URL, otherwise SQLite (a sqlite:// URL, or `<data_dir>/shanzhi.db`).

use std::sync::Arc;

use anyhow::Context;
use shanzhi_store::Store;

use crate::config::Config;
use crate::database_url::DatabaseKind;

pub async fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    let store: Arc<dyn Store> = match &config.database_url {
        Some(url) if url.kind() == DatabaseKind::Postgres => {
            tracing::info!(database = %url, "opening PostgreSQL");
            Arc::new(
                shanzhi_store_pg::connect(url.expose())
                    .await
                    .with_context(|| format!("无法打开数据库 (cannot open the database) {url}"))?,
            )
        }
        Some(url) => {
            tracing::info!(database = %url, "opening SQLite");
            Arc::new(
                shanzhi_store_sqlite::open_url(url.expose())
                    .await
                    .with_context(|| format!("无法打开数据库 (cannot open the database) {url}"))?,
            )
        }
        None => {
            let dir = &config.data_dir;
            std::fs::create_dir_all(dir)
                .with_context(|| format!("无法创建数据目录 (cannot create the data directory) {}", dir.display()))?;
            let path = dir.join("shanzhi.db");
            tracing::info!(database = %path.display(), "opening SQLite");
            Arc::new(
                shanzhi_store_sqlite::open(&path)
                    .await
                    .with_context(|| format!("无法打开数据库 (cannot open the database) {}", path.display()))?,
            )
        }
    };
    Ok(store)
}
