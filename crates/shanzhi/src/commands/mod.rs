pub mod accounts;
pub mod backup;
pub mod classify;
pub mod export;
pub mod grid;
pub mod import;
pub mod log;
pub mod migrate;
pub mod people;
pub mod serve;
pub mod timing;

use shanzhi_app::App;
use shanzhi_app::access::Operator;

use crate::config::Config;

/// Runs `work` as the operator on the configured store, then closes the
/// store whether the work succeeded or not: what a command prints comes
/// after the store is closed.
pub(crate) async fn as_operator<T, E>(
    config: &Config,
    work: impl AsyncFnOnce(&Operator<'_>) -> Result<T, E>,
) -> anyhow::Result<T>
where
    anyhow::Error: From<E>,
{
    let store = crate::open_store(config).await?;
    let (app, key) = App::new(store.clone());
    // Hotline imports suggest from the same model the servers use.
    let app = app.with_dispatch_model(config.data_dir.join(shanzhi_app::classify::MODEL_FILE));
    app.set_register_settings(config.register_settings()?);
    let result = work(&app.operator(&key)).await;
    store.close().await;
    Ok(result?)
}
