//! `shanzhi export …`: the record, matter and 12345-result exports' arguments.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{StoreArgs, parse_division_code};

#[derive(Debug, Subcommand)]
pub enum ExportWhat {
    /// The record export: one row per timeline entry of every matter reported
    /// before --to (columns in docs/timeline-export.md); every indicator is
    /// computed from these rows alone.
    Timeline(ExportTimelineArgs),
    /// The matter list for Excel: Chinese headers, names instead of codes,
    /// the list's filters (reporters' contacts are never exported).
    Matters(ExportMattersArgs),
    /// Results back to 12345 (CSV: 工单编号,办理结果,回复内容,办结时间,承办单位,满意度):
    /// the closures of imported hotline orders after --after, in cursor order;
    /// the cursor to give next time is printed last (standard error).
    HotlineResults(ExportHotlineResultsArgs),
}

#[derive(Debug, Args)]
pub struct ExportHotlineResultsArgs {
    /// The cursor printed by the previous run (0, the default: from the start).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(i64).range(0..))]
    pub after: i64,
    /// Write here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct ExportMattersArgs {
    /// csv (UTF-8 with a byte-order mark, opens in Excel) or xlsx (one sheet).
    #[arg(long, default_value = "csv", value_parser = parse_sheet_format)]
    pub format: shanzhi_app::figures::SheetFormat,
    /// Reported on or after this day (Beijing time).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: Option<jiff::civil::Date>,
    /// Reported before this day (Beijing time, exclusive).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: Option<jiff::civil::Date>,
    /// Only matters under this division (e.g. 510104).
    #[arg(long, value_parser = parse_division_code)]
    pub within: Option<shanzhi_domain::DivisionCode>,
    /// States, comma-separated (reported, filed, dispatched …).
    #[arg(long, value_delimiter = ',', value_parser = parse_with::<shanzhi_domain::MatterState>)]
    pub state: Vec<shanzhi_domain::MatterState>,
    /// Category codes, comma-separated.
    #[arg(long, value_delimiter = ',', value_parser = parse_category)]
    pub category: Vec<shanzhi_domain::CategoryCode>,
    /// resident, grid_worker, hotline, open311, api, wechat.
    #[arg(long, value_parser = parse_with::<shanzhi_domain::Channel>)]
    pub channel: Option<shanzhi_domain::Channel>,
    /// development, safety or both.
    #[arg(long, value_parser = parse_with::<shanzhi_domain::Line>)]
    pub line: Option<shanzhi_domain::Line>,
    /// Held by this department (its code).
    #[arg(long, value_parser = parse_department)]
    pub department: Option<shanzhi_domain::DepartmentCode>,
    /// Write here instead of standard output (required for xlsx).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub store: StoreArgs,
}

fn parse_sheet_format(s: &str) -> Result<shanzhi_app::figures::SheetFormat, String> {
    s.parse().map_err(|e: shanzhi_domain::text::Bilingual| e.to_string())
}

fn parse_with<T: std::str::FromStr<Err = shanzhi_domain::text::Bilingual>>(s: &str) -> Result<T, String> {
    s.parse().map_err(|e: shanzhi_domain::text::Bilingual| e.to_string())
}

fn parse_category(s: &str) -> Result<shanzhi_domain::CategoryCode, String> {
    shanzhi_domain::CategoryCode::parse(s).map_err(|e| e.to_string())
}

fn parse_department(s: &str) -> Result<shanzhi_domain::DepartmentCode, String> {
    shanzhi_domain::DepartmentCode::parse(s).map_err(|e| e.to_string())
}

#[derive(Debug, Args)]
pub struct ExportTimelineArgs {
    /// Only matters still open on this day (Beijing time) or with an entry since.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: Option<jiff::civil::Date>,
    /// Entries before this day (Beijing time, exclusive); default now.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: Option<jiff::civil::Date>,
    /// Only matters under this division (e.g. 510104).
    #[arg(long, value_parser = parse_division_code)]
    pub within: Option<shanzhi_domain::DivisionCode>,
    /// Write here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub store: StoreArgs,
}
