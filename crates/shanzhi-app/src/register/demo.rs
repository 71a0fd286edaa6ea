//! The demo's register: a made-up building of 48 households in every general
//! grid of the demo community (总府路社区), each placed at a point inside its
//! grid so that the map and the register pages show something, and — when a
//! care key is configured — two care persons in the demo grid worker's grid,
//! one due for a visit today and one overdue, so that /grid/today has work.

use std::collections::HashMap;

use geo::InteriorPoint;
use shanzhi_domain::register::RegisterKind;
use shanzhi_domain::{DivisionCode, GridCode, GridKind};
use shanzhi_store::GridQuery;

use super::generate::register_csv;
use super::{CareMarkInput, RegisterImportReport, RegisterListQuery};
use crate::AppResult;
use crate::access::Operator;
use crate::demo::DEMO_COMMUNITY;
use crate::grids::today;

/// The demo grid worker's grid (demo_grid's scope).
pub const DEMO_GRID: &str = "510104022006001";
/// The demo community's street (春熙路街道).
const DEMO_STREET: &str = "510104022000";
/// Households in each general grid of the demo community.
pub const DEMO_HOUSEHOLDS_PER_GRID: usize = 48;

/// What [`Operator::demo_register`] did.
#[derive(Debug, Default)]
pub struct DemoRegister {
    pub import: RegisterImportReport,
    /// Care persons marked (0 without a care key).
    pub care_marks: usize,
}

/// `csv` (the generator's format) with 经度/纬度 columns: each row at the
/// point of its grid (the 4th column).
fn with_points(csv: &str, points: &HashMap<String, (f64, f64)>) -> String {
    let mut out = String::with_capacity(csv.len() + csv.len() / 4);
    for (i, line) in csv.lines().enumerate() {
        out.push_str(line);
        if i == 0 {
            out.push_str(",经度,纬度");
        } else if let Some((lng, lat)) = line.split(',').nth(3).and_then(|g| points.get(g)) {
            out.push_str(&format!(",{lng:.6},{lat:.6}"));
        } else {
            out.push_str(",,");
        }
        out.push('\n');
    }
    out
}

impl Operator<'_> {
    /// Import the demo register (see the module) for the demo community.
    pub async fn demo_register(&self) -> AppResult<DemoRegister> {
        let community = DivisionCode::parse(DEMO_COMMUNITY).map_err(|e| crate::AppError::internal(e.to_string()))?;
        let mut grids: Vec<(GridCode, (f64, f64))> = self
            .app
            .store
            .grids(&GridQuery::as_of(today()))
            .await?
            .into_iter()
            .filter(|g| g.info.kind == GridKind::General && g.info.community() == community)
            .filter_map(|g| g.geometry.interior_point().map(|p| (g.info.code.clone(), (p.x(), p.y()))))
            .collect();
        grids.sort_by(|a, b| a.0.cmp(&b.0));
        if grids.is_empty() {
            return Ok(DemoRegister::default());
        }
        let codes: Vec<GridCode> = grids.iter().map(|(g, _)| g.clone()).collect();
        let points: HashMap<String, (f64, f64)> = grids.iter().map(|(g, p)| (g.as_str().to_owned(), *p)).collect();
        let csv = with_points(&register_csv("510104", &codes, DEMO_HOUSEHOLDS_PER_GRID * codes.len(), 2026), &points);
        let street = DivisionCode::parse(DEMO_STREET).map_err(|e| crate::AppError::internal(e.to_string()))?;
        let system = self.scoped("system");
        let import = system.import_register(csv.as_bytes(), "demo-register.csv", &street).await?;
        let care_marks = if self.app.register_settings().keys.is_configured() { self.demo_care().await? } else { 0 };
        Ok(DemoRegister { import, care_marks })
    }

    /// Two care persons in the demo grid: one due today (visited every
    /// working day, marked the working day before), one overdue (every 5
    /// working days, marked a month ago and not visited since).
    async fn demo_care(&self) -> AppResult<usize> {
        let system = self.scoped("system");
        let query = RegisterListQuery {
            grid: Some(DEMO_GRID.to_owned()),
            kind: Some(RegisterKind::Resident),
            ..RegisterListQuery::default()
        };
        let residents = system.register_list(&query).await?;
        let timing = self.app.timing();
        let today = self.app.today_here();
        let mut before = today;
        for _ in 0..30 {
            before = before.yesterday().unwrap_or(before);
            if timing.calendar.is_working_day(before) {
                break;
            }
        }
        let month_ago = today.checked_sub(jiff::Span::new().days(30)).unwrap_or(today);
        let plans = [
            ("独居老人", "子女在外地，每个工作日问候一次", 1, before),
            ("残疾人", "行动不便，需协助办理证件", 5, month_ago),
        ];
        let mut marked = 0;
        for (resident, (reason, notes, every_days, started_on)) in residents.iter().zip(plans) {
            let input = CareMarkInput {
                reason: reason.to_owned(),
                notes: notes.to_owned(),
                every_days,
                worker: Some("demo_grid".to_owned()),
            };
            system.mark_for_care_from(&resident.id, &input, started_on).await?;
            marked += 1;
        }
        Ok(marked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_gets_its_grid_point() {
        let points = HashMap::from([("510104022006001".to_owned(), (104.08, 30.66))]);
        let csv =
            "类别,楼栋地址,楼栋类型,网格编码\n居民,总府路1号1栋,住宅,510104022006001\n居民,x,住宅,510104022006999\n";
        let out = with_points(csv, &points);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "类别,楼栋地址,楼栋类型,网格编码,经度,纬度");
        assert_eq!(lines[1], "居民,总府路1号1栋,住宅,510104022006001,104.080000,30.660000");
        assert_eq!(lines[2], "居民,x,住宅,510104022006999,,", "an unknown grid: no point");
    }
}
