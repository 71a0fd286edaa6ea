//! `shanzhi grid generate`.

use anyhow::Context;
use shanzhi_app::grids::{
    GenerateRequest, GridImportOptions, MicroChoice, generate_grid_features, grid_collection_json, today,
};

use crate::cli::{GenerateArgs, MicroArg};
use crate::config::Config;

pub async fn generate(config: &Config, args: &GenerateArgs) -> anyhow::Result<()> {
    let request = GenerateRequest {
        seed: args.seed,
        scale: args.scale,
        districts: args.districts.clone(),
        micro: match args.micro {
            MicroArg::All => MicroChoice::All,
            MicroArg::Central => MicroChoice::Central,
            MicroArg::None => MicroChoice::None,
        },
    };
    if let Some(out) = &args.out {
        let grids = generate_grid_features(&request)?;
        std::fs::write(out, grid_collection_json(&grids))
            .with_context(|| format!("无法写入文件 (cannot write the file) {}", out.display()))?;
        println!("已生成 {} 个网格，写入 {} (wrote {} grids)", grids.len(), out.display(), grids.len());
        return Ok(());
    }
    let options = GridImportOptions::from(args.valid_from.unwrap_or_else(today));
    let report = super::as_operator(config, async |app| {
        app.generate_grids(&request, options, &crate::progress::Bar::new()).await
    })
    .await?;
    println!("{report}");
    Ok(())
}
