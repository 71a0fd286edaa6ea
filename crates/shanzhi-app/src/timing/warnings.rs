//! Warning counts for a supervisor's scope: how many open matters are
//! yellow, orange and red (overdue), in all and by the unit holding them.

use std::collections::BTreeMap;

use crate::matters::MatterFilter;
use serde::Serialize;
use shanzhi_domain::Warning;
use shanzhi_domain::matter::holder_of;

use crate::AppResult;
use crate::access::Scoped;

#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ColourCounts {
    pub yellow: u64,
    pub orange: u64,
    /// Overdue.
    pub red: u64,
}

impl ColourCounts {
    fn add(&mut self, w: Warning, n: u64) {
        match w {
            Warning::Yellow => self.yellow += n,
            Warning::Orange => self.orange += n,
            Warning::Red => self.red += n,
            Warning::None => {}
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitWarnings {
    /// `department:510104-chengguan`, `level:town`, `community`, `verifier`.
    pub unit: String,
    pub unit_name: String,
    #[serde(flatten)]
    pub counts: ColourCounts,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WarningSummary {
    #[serde(flatten)]
    pub total: ColourCounts,
    /// Most overdue first.
    pub units: Vec<UnitWarnings>,
}

fn level_name(level: &str) -> &'static str {
    match level {
        "grid" => "网格（受理）",
        "community" => "社区（受理派遣）",
        "town" => "街道（镇）（受理派遣）",
        "district" => "区级（受理派遣）",
        _ => "其他",
    }
}

impl Scoped<'_> {
    /// Counts by colour within the caller's scope and the query's filters.
    pub async fn warning_counts(&self, filter: &MatterFilter) -> AppResult<WarningSummary> {
        let query = self.matter_query(filter)?;
        let rows = self.app.store.warning_counts(&query).await?;
        let mut total = ColourCounts::default();
        let mut units: BTreeMap<String, ColourCounts> = BTreeMap::new();
        for r in rows {
            total.add(r.warning, r.count);
            units.entry(holder_of(r.state, r.level, r.assignee.as_ref())).or_default().add(r.warning, r.count);
        }
        let dictionary = self.app.dictionary().await?;
        let mut out = Vec::with_capacity(units.len());
        for (unit, counts) in units {
            let unit_name = match unit.split_once(':') {
                Some(("department", code)) => dictionary.department_name(code).unwrap_or(code).to_owned(),
                Some(("level", level)) => level_name(level).to_owned(),
                _ if unit == "community" => "社区（承办）".to_owned(),
                _ if unit == "verifier" => "网格员（核查）".to_owned(),
                _ => unit.clone(),
            };
            out.push(UnitWarnings { unit, unit_name, counts });
        }
        out.sort_by(|a, b| b.counts.red.cmp(&a.counts.red).then(b.counts.orange.cmp(&a.counts.orange)));
        Ok(WarningSummary { total, units: out })
    }
}
