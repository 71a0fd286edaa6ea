//! `shanzhi export timeline` (the record export) and `shanzhi export matters`
//! (the matter list for Excel), to a file or standard output.

use std::io::Write;

use anyhow::Context;
use shanzhi_app::AppError;
use shanzhi_app::figures::SheetFormat;
use shanzhi_app::matters::MatterFilter;
use shanzhi_domain::Micros;

use super::people::operator;
use crate::cli::{ExportHotlineResultsArgs, ExportMattersArgs, ExportTimelineArgs};
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
    let rows = super::as_operator(config, async |app| {
        app.reload_timing().await?;
        let mut export = app.scoped(&operator()).timeline_export(from, to, args.within.clone())?;
        while let Some(chunk) = export.next_chunk().await? {
            out.write_all(chunk.as_bytes()).map_err(|e| AppError::internal(e.to_string()))?;
        }
        out.flush().map_err(|e| AppError::internal(e.to_string()))?;
        Ok::<_, AppError>(export.rows())
    })
    .await?;
    eprintln!("已导出 {rows} 条处置记录 (exported {rows} timeline entries)");
    Ok(())
}

pub async fn matters(config: &Config, args: &ExportMattersArgs) -> anyhow::Result<()> {
    let filter = MatterFilter {
        states: args.state.clone(),
        categories: args.category.clone(),
        line: args.line,
        within: args.within.clone(),
        department: args.department.clone(),
        channel: args.channel,
        from: args.from.map(midnight).transpose()?,
        to: args.to.map(midnight).transpose()?,
        ..MatterFilter::default()
    };
    if args.format == SheetFormat::Xlsx && args.out.is_none() {
        anyhow::bail!("XLSX 需要 --out 文件 (xlsx needs --out FILE)");
    }
    let file = match &args.out {
        Some(path) => Some(
            std::fs::File::create(path)
                .with_context(|| format!("无法写入文件 (cannot write the file) {}", path.display()))?,
        ),
        None => None,
    };
    let rows = super::as_operator(config, async |app| {
        app.reload_timing().await?;
        let mut export = app.scoped(&operator()).matter_export(&filter)?;
        let io = |e: std::io::Error| AppError::internal(e.to_string());
        match (args.format, file) {
            (SheetFormat::Xlsx, Some(file)) => Ok(export.write_xlsx(std::io::BufWriter::new(file)).await?.1),
            (_, file) => {
                let mut out: Box<dyn Write> = match file {
                    Some(f) => Box::new(std::io::BufWriter::new(f)),
                    None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
                };
                while let Some(chunk) = export.next_csv().await? {
                    out.write_all(chunk.as_bytes()).map_err(io)?;
                }
                out.flush().map_err(io)?;
                Ok::<_, AppError>(export.rows())
            }
        }
    })
    .await?;
    eprintln!("已导出 {rows} 件事件 (exported {rows} matters)");
    Ok(())
}

/// Every result after `--after`, a page at a time, one header; the next
/// cursor is printed last on standard error (`下次请用 --after N`).
pub async fn hotline_results(config: &Config, args: &ExportHotlineResultsArgs) -> anyhow::Result<()> {
    use shanzhi_app::callbacks::results::MAX_RESULTS;
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("无法写入文件 (cannot write the file) {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let (rows, next) = super::as_operator(config, async |app| {
        let io = |e: std::io::Error| AppError::internal(e.to_string());
        let scoped = app.scoped(&operator());
        let (mut cursor, mut rows, mut header) = (args.after, 0usize, true);
        loop {
            let page = scoped.hotline_results(cursor, MAX_RESULTS).await?;
            let csv = page.csv();
            // The header once, at the top.
            let body = if header { csv.as_str() } else { csv.split_once("\r\n").map_or("", |(_, rest)| rest) };
            out.write_all(body.as_bytes()).map_err(io)?;
            header = false;
            rows += page.rows.len();
            let done = page.next_cursor == cursor;
            cursor = page.next_cursor;
            if done {
                break;
            }
        }
        out.flush().map_err(io)?;
        Ok::<_, AppError>((rows, cursor))
    })
    .await?;
    eprintln!("已导出 {rows} 条办理结果 (exported {rows} results)");
    eprintln!("下次请用 --after {next} (next cursor: {next})");
    Ok(())
}
