//! `shanzhi export timeline`: the record export, to a file or standard output.

use std::io::Write;

use anyhow::Context;
use shanzhi_app::App;
use shanzhi_domain::Micros;

use super::people::operator;
use crate::cli::ExportTimelineArgs;
use crate::config::Config;

/// Midnight of a day in Beijing time.
fn midnight(day: jiff::civil::Date) -> anyhow::Result<Micros> {
    let zoned = day.to_zoned_datetime(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))?;
    Ok(Micros::from(zoned.timestamp()))
}

pub async fn timeline(config: &Config, args: &ExportTimelineArgs) -> anyhow::Result<()> {
    let from = args.from.map(midnight).transpose()?;
    let to = args.to.map(midnight).transpose()?;
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("无法写入文件 (cannot write the file) {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let store = crate::open_store(config).await?;
    let (app, key) = App::new(store.clone());
    let result = async {
        app.reload_timing().await?;
        let mut export = app.operator(&key).scoped(&operator()).timeline_export(from, to, args.within.clone())?;
        while let Some(chunk) = export.next_chunk().await? {
            out.write_all(chunk.as_bytes()).map_err(|e| shanzhi_app::AppError::internal(e.to_string()))?;
        }
        out.flush().map_err(|e| shanzhi_app::AppError::internal(e.to_string()))?;
        Ok::<_, shanzhi_app::AppError>(export.rows())
    }
    .await;
    store.close().await;
    let rows = result?;
    eprintln!("已导出 {rows} 条处置记录 (exported {rows} timeline entries)");
    Ok(())
}
