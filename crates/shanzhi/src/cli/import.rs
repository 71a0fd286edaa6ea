//! `shanzhi import …`: the arguments of the imports (divisions, grids,
//! hotline orders, the calendar, a street's register).

use std::path::PathBuf;

use clap::{Args, Subcommand};
use shanzhi_domain::CodeSystem;

use super::{StoreArgs, parse_division_code};

#[derive(Debug, Subcommand)]
pub enum ImportWhat {
    /// Import a division CSV (columns level,code,name,parent_code).
    Divisions(ImportDivisionsArgs),
    /// Import a GeoJSON FeatureCollection of grids (properties in the README).
    Grids(ImportGridsArgs),
    /// Import 12345 hotline work orders (CSV or XLSX, columns in the README);
    /// orders already imported are left alone.
    Hotline(ImportHotlineArgs),
    /// Import official holidays and make-up working days (the format of
    /// data/calendar/china_official_days.csv), e.g. next year's once published.
    Calendar(ImportHotlineArgs),
    /// Import a street's register (CSV or XLSX, columns in docs/register.md),
    /// checked whole: a file with a bad row is refused with its line numbers.
    Register(ImportRegisterArgs),
}

#[derive(Debug, Args)]
pub struct ImportRegisterArgs {
    /// The file (CSV or XLSX).
    pub file: PathBuf,
    /// The street (9-digit town code) the file is for.
    #[arg(long, value_parser = parse_division_code)]
    pub street: shanzhi_domain::DivisionCode,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct ImportHotlineArgs {
    /// The file (CSV, or XLSX for hotline orders).
    pub file: PathBuf,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct ImportGridsArgs {
    /// The GeoJSON file.
    pub file: PathBuf,
    /// The day the imported grid comes into force (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub valid_from: Option<jiff::civil::Date>,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct ImportDivisionsArgs {
    /// The CSV file.
    pub file: PathBuf,
    /// Code system of the file: NBS2023 (default) or MCA.
    #[arg(long, default_value = "NBS2023", value_parser = parse_code_system)]
    pub code_system: CodeSystem,
    #[command(flatten)]
    pub store: StoreArgs,
}

fn parse_code_system(s: &str) -> Result<CodeSystem, String> {
    s.parse().map_err(|e: shanzhi_domain::text::Bilingual| e.to_string())
}
