//! `shanzhi import divisions FILE`.

use std::fs::File;
use std::io::BufReader;

use anyhow::Context;
use shanzhi_app::App;

use crate::cli::ImportDivisionsArgs;
use crate::config::Config;

pub async fn divisions(config: &Config, args: &ImportDivisionsArgs) -> anyhow::Result<()> {
    let file = File::open(&args.file)
        .with_context(|| format!("无法打开文件 (cannot open the file) {}", args.file.display()))?;
    let store = crate::open_store(config).await?;
    let (app, key) = App::new(store.clone());
    let app = app.operator(&key);
    let result = app.import_divisions(BufReader::new(file), args.code_system).await;
    store.close().await;
    println!("{}", result?);
    Ok(())
}

/// `shanzhi import grids FILE.geojson`.
pub async fn grids(config: &Config, args: &crate::cli::ImportGridsArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("无法读取文件 (cannot read the file) {}", args.file.display()))?;
    let store = crate::open_store(config).await?;
    let (app, key) = App::new(store.clone());
    let app = app.operator(&key);
    let options =
        shanzhi_app::grids::GridImportOptions::from(args.valid_from.unwrap_or_else(shanzhi_app::grids::today));
    let result = app.import_grids(&text, options, &crate::progress::Bar::new()).await;
    store.close().await;
    println!("{}", result?);
    Ok(())
}

/// `shanzhi import hotline FILE`.
pub async fn hotline(config: &Config, args: &crate::cli::ImportHotlineArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("无法读取文件 (cannot read the file) {}", args.file.display()))?;
    let store = crate::open_store(config).await?;
    let (app, key) = App::new(store.clone());
    let app = app.operator(&key);
    let name = args.file.display().to_string();
    let result = async {
        app.ensure_categories("system").await?;
        app.refresh_grid_index().await?;
        app.scoped("cli").desk::<shanzhi_app::access::DispatchDesk>()?.import_hotline(&bytes, &name).await
    }
    .await;
    store.close().await;
    let report = result?;
    println!(
        "导入热线工单 {} 张：新建 {}，此前已导入 {} (imported {} orders: {} new, {} already imported)",
        report.rows, report.created, report.already_imported, report.rows, report.created, report.already_imported
    );
    Ok(())
}
