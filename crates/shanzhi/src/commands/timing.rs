//! `shanzhi import calendar`, `shanzhi sweep`, `shanzhi demo matters`.

use anyhow::Context;
use shanzhi_app::access::CityDesk;

use crate::cli::{DemoMattersArgs, ImportHotlineArgs};
use crate::config::Config;

pub async fn import_calendar(config: &Config, args: &ImportHotlineArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("无法读取文件 (cannot read the file) {}", args.file.display()))?;
    let years =
        super::as_operator(config, async |app| app.scoped("cli").desk::<CityDesk>()?.import_official_days(&text).await)
            .await?;
    let list = years.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
    println!(
        "已导入法定节假日安排：{list} 年 (official days imported for {list}); 运行中的服务器将在下一轮自动读取 (running servers pick them up within one sweep interval)"
    );
    Ok(())
}

pub async fn sweep(config: &Config) -> anyhow::Result<()> {
    let shanzhi_app::timing::SweepReport { examined, yellow, orange, red, supervised, skipped, elapsed_ms, .. } =
        super::as_operator(config, async |app| {
            app.reload_timing().await?;
            app.sweep().await
        })
        .await?;
    println!(
        "预警扫描完成：检查 {examined} 件，新黄色 {yellow}，新橙色 {orange}，新超时 {red}，自动督办 {supervised}，\
         跳过 {skipped}，用时 {elapsed_ms} ms (sweep done: {examined} examined, {yellow} yellow, {orange} orange, \
         {red} red, {supervised} supervised, {skipped} skipped, {elapsed_ms} ms)"
    );
    Ok(())
}

pub async fn demo_matters(config: &Config, args: &DemoMattersArgs) -> anyhow::Result<()> {
    let n = super::as_operator(config, async |app| {
        app.ensure_categories("system").await?;
        app.reload_timing().await?;
        let options = shanzhi_app::matters::DemoOptions {
            count: args.count,
            seed: args.seed,
            open_only: args.open_only,
            spread_hours: args.spread_hours.max(1),
            within: None,
        };
        let n = app.generate_demo_matters_with(&options, &crate::progress::Bar::new()).await?;
        app.store().analyze().await?;
        Ok::<_, shanzhi_app::AppError>(n)
    })
    .await?;
    if n == 0 && args.count > 0 {
        anyhow::bail!(
            "当前没有网格：请先运行 serve --demo 或导入网格 (no grid yet: run `serve --demo` or import a grid first)"
        );
    }
    println!("已生成演示事件 {n} 件 (demo matters created: {n})");
    Ok(())
}
