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
    let app = App::new(store.clone());
    let result = app.import_divisions(BufReader::new(file), args.code_system).await;
    store.close().await;
    println!("{}", result?);
    Ok(())
}
