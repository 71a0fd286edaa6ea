//! `shanzhi import divisions FILE`.

use std::fs::File;
use std::io::BufReader;

use anyhow::Context;

use crate::cli::ImportDivisionsArgs;
use crate::config::Config;

pub async fn divisions(config: &Config, args: &ImportDivisionsArgs) -> anyhow::Result<()> {
    let file = File::open(&args.file)
        .with_context(|| format!("无法打开文件 (cannot open the file) {}", args.file.display()))?;
    let report =
        super::as_operator(config, async |app| app.import_divisions(BufReader::new(file), args.code_system).await)
            .await?;
    println!("{report}");
    Ok(())
}

/// `shanzhi import grids FILE.geojson`.
pub async fn grids(config: &Config, args: &crate::cli::ImportGridsArgs) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("无法读取文件 (cannot read the file) {}", args.file.display()))?;
    let options =
        shanzhi_app::grids::GridImportOptions::from(args.valid_from.unwrap_or_else(shanzhi_app::grids::today));
    let report =
        super::as_operator(config, async |app| app.import_grids(&text, options, &crate::progress::Bar::new()).await)
            .await?;
    println!("{report}");
    Ok(())
}

/// `shanzhi import hotline FILE`.
pub async fn hotline(config: &Config, args: &crate::cli::ImportHotlineArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("无法读取文件 (cannot read the file) {}", args.file.display()))?;
    let name = args.file.display().to_string();
    let report = super::as_operator(config, async |app| {
        app.ensure_categories("system").await?;
        app.refresh_grid_index().await?;
        app.scoped("cli").desk::<shanzhi_app::access::DispatchDesk>()?.import_hotline(&bytes, &name).await
    })
    .await?;
    println!(
        "导入热线工单 {0} 张：新建 {1}，此前已导入 {2} (imported {0} orders: {1} new, {2} already imported)",
        report.rows, report.created, report.already_imported
    );
    if !report.possible_duplicates.is_empty() {
        println!(
            "可能重复 {0} 件 ({0} likely repeats), 重复件 → 原件 (repeat → original):",
            report.possible_duplicates.len()
        );
        for p in &report.possible_duplicates {
            println!("  {} → {}", p.number, p.original);
        }
    }
    for s in &report.suggestions {
        let categories: Vec<String> = s
            .categories
            .iter()
            .map(|c| match c.confidence {
                Some(p) => format!("{} {:.0}%（{}）", c.name, p * 100.0, c.words.join("、")),
                None => c.name.clone(),
            })
            .collect();
        let unit = s.unit.as_ref().map_or("—", |u| u.name.as_str());
        println!("  {}：建议分类 (categories) {}；建议承办 (unit) {unit}", s.number, categories.join("，"));
    }
    Ok(())
}

/// `shanzhi import register FILE --street CODE`.
pub async fn register(config: &Config, args: &crate::cli::ImportRegisterArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("无法读取文件 (cannot read the file) {}", args.file.display()))?;
    let name = args.file.display().to_string();
    let started = std::time::Instant::now();
    let report =
        super::as_operator(config, async |app| app.scoped("cli").import_register(&bytes, &name, &args.street).await)
            .await?;
    println!("{report}");
    println!("用时 {:.1} 秒 (took {:.1} s)", started.elapsed().as_secs_f64(), started.elapsed().as_secs_f64());
    Ok(())
}

/// `shanzhi demo register --out FILE`.
pub async fn demo_register(config: &Config, args: &crate::cli::DemoRegisterArgs) -> anyhow::Result<()> {
    let csv =
        super::as_operator(config, async |app| app.generate_register(&args.street, args.households, args.seed).await)
            .await?;
    std::fs::write(&args.out, &csv).with_context(|| format!("无法写入 (cannot write) {}", args.out.display()))?;
    println!(
        "已写出 {} 行 (wrote {} rows) → {}",
        csv.lines().count().saturating_sub(1),
        csv.lines().count().saturating_sub(1),
        args.out.display()
    );
    Ok(())
}
