//! `shanzhi migrate`: apply migrations (opening the store does) and report.

use crate::config::Config;

pub async fn run(config: &Config) -> anyhow::Result<()> {
    let store = crate::open_store(config).await?;
    let info = store.schema_info().await?;
    store.close().await;
    println!(
        "数据库已是最新结构 (schema up to date): {} {}, 版本 (version) {}",
        info.backend, info.engine_version, info.schema_version
    );
    Ok(())
}
