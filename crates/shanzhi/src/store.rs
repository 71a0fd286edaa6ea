//! Open the store named by the configuration: PostgreSQL for a postgres://
//! URL, otherwise SQLite (a sqlite:// URL, or `<data_dir>/shanzhi.db`).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use shanzhi_store::Store;

use crate::config::Config;
use crate::database_url::{DatabaseKind, DatabaseUrl};

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

/// Where the store named by the configuration lives, for the commands that
/// work on its files or database rather than through it (backup, restore).
#[derive(Debug, Clone)]
pub enum StoreLocation {
    /// The SQLite database file (`<data_dir>/shanzhi.db`, or a sqlite:// URL's file).
    Sqlite(PathBuf),
    Postgres(DatabaseUrl),
}

impl StoreLocation {
    pub fn of(config: &Config) -> anyhow::Result<StoreLocation> {
        Ok(match &config.database_url {
            Some(url) if url.kind() == DatabaseKind::Postgres => StoreLocation::Postgres(url.clone()),
            Some(url) => StoreLocation::Sqlite(
                shanzhi_store_sqlite::path_of_url(url.expose())
                    .with_context(|| format!("数据库地址无效 (unusable database URL) {url}"))?,
            ),
            None => StoreLocation::Sqlite(config.data_dir.join("shanzhi.db")),
        })
    }
}

/// The transparency log as configured: the signing key (if any), the
/// checkpoint directory, witnesses, and the logs this instance witnesses.
pub fn log_setup(config: &Config) -> anyhow::Result<shanzhi_app::tlog::LogSetup> {
    let signer = match config.tlog_key_file() {
        Some(path) => Some(shanzhi_app::tlog::load_signer(&path).map_err(|e| anyhow::anyhow!("{}", e.message()))?),
        None => None,
    };
    let witness_for = config
        .witness_for
        .0
        .iter()
        .map(|k| {
            shanzhi_domain::tlog::VerifierKey::parse(k)
                .map_err(|e| anyhow::anyhow!("witness_for: “{k}”不是公钥 (not a public key): {e}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(shanzhi_app::tlog::LogSetup {
        signer,
        checkpoint_dir: Some(config.checkpoint_dir()),
        witnesses: config.witness_urls.0.clone(),
        witness_for,
    })
}

/// The store and the application over it with the log set up, and the
/// operator's key.
pub async fn open_app(
    config: &Config,
) -> anyhow::Result<(Arc<dyn Store>, shanzhi_app::App, shanzhi_app::access::OperatorKey)> {
    let setup = log_setup(config)?;
    let store = open_store(config).await?;
    let (app, key) = shanzhi_app::App::with_auth(store.clone(), config.auth()?);
    let app = app.with_log(setup).with_dispatch_model(config.data_dir.join(shanzhi_app::classify::MODEL_FILE));
    app.set_register_settings(config.register_settings()?);
    Ok((store, app, key))
}
