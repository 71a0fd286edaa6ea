//! 关爱走访覆盖率 (care visit coverage): visits done / visits due of the care
//! persons of a grid, a community or one responsible worker over a period
//! (docs/indicators.md), as `{numerator, denominator, value}`.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use serde::Serialize;
use shanzhi_domain::indicators::Figure;
use shanzhi_domain::register::visit_coverage;
use shanzhi_domain::{DivisionCode, GridCode, Username};
use shanzhi_store::VisitQuery;

use crate::access::Scoped;
use crate::{AppError, AppResult};

/// The longest period, in days.
pub const MAX_COVERAGE_DAYS: i64 = 366;
/// The most visits one answer reads.
const MAX_COVERAGE_VISITS: usize = 200_000;

/// The figure with what it covers.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CareVisitCoverage {
    pub from: String,
    pub to: String,
    /// 关爱对象 counted (care marks of the unit in force some day of the period).
    pub persons: usize,
    pub figure: Figure,
}

/// One care mark as the export gives it: enough to recompute the figure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareVisitRow {
    pub mark: String,
    pub community: DivisionCode,
    pub grid: Option<GridCode>,
    pub every_days: u32,
    pub started_on: Date,
    pub ended_on: Option<Date>,
    /// The days of the period with a visit to the person (any number).
    pub visit_days: BTreeSet<Date>,
}

/// The export's header; `visit_days` are space-separated.
pub const CARE_VISIT_COLUMNS: &str = "mark,community,grid,every_days,started_on,ended_on,visit_days";

/// The rows as CSV (UTF-8, a header row, `\n` line ends).
pub fn care_visit_csv(rows: &[CareVisitRow]) -> AppResult<Vec<u8>> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let fail = |e: csv::Error| AppError::internal(format!("care visit csv: {e}"));
    w.write_record(CARE_VISIT_COLUMNS.split(',')).map_err(fail)?;
    for r in rows {
        let days = r.visit_days.iter().map(Date::to_string).collect::<Vec<_>>().join(" ");
        w.write_record([
            r.mark.clone(),
            r.community.as_str().to_owned(),
            r.grid.as_ref().map(|g| g.as_str().to_owned()).unwrap_or_default(),
            r.every_days.to_string(),
            r.started_on.to_string(),
            r.ended_on.map(|d| d.to_string()).unwrap_or_default(),
            days,
        ])
        .map_err(fail)?;
    }
    w.into_inner().map_err(|e| AppError::internal(format!("care visit csv: {e}")))
}

impl Scoped<'_> {
    /// The care marks of a grid or community (default: the caller's) in
    /// force some day of the period, ended ones included, optionally only
    /// those a worker is responsible for, each with its visit days.
    pub async fn care_visit_rows(
        &self,
        (from, to): (Date, Date),
        grid: Option<&GridCode>,
        community: Option<&DivisionCode>,
        worker: Option<&str>,
    ) -> AppResult<Vec<CareVisitRow>> {
        let span = (to - from).get_days();
        if to < from || i64::from(span) >= MAX_COVERAGE_DAYS {
            return Err(AppError::bad_request(
                "invalid_date_range",
                "起止日期应有先后，最长 366 天",
                "from comes before to, at most 366 days",
            ));
        }
        let (within, grids) = self.register_place(grid, community)?;
        let worker_id = match worker {
            Some(name) => {
                let username =
                    Username::parse(name).map_err(|m| AppError::BadRequest { code: "invalid_username", message: m })?;
                let user = self.app.store.user_by_name(&username).await?.ok_or_else(|| {
                    AppError::bad_request("unknown_worker", format!("没有用户“{name}”"), format!("no user '{name}'"))
                })?;
                Some(user.id)
            }
            None => None,
        };
        let marks: Vec<_> = self
            .app
            .store
            .care_marks_during(within.as_ref(), &grids, (from, to))
            .await?
            .into_iter()
            .filter(|m| worker_id.is_none() || m.worker_id == worker_id)
            .collect();
        let query = VisitQuery {
            within: within.clone(),
            grids: grids.clone(),
            from: Some(from),
            to: Some(to),
            limit: MAX_COVERAGE_VISITS + 1,
            ..VisitQuery::default()
        };
        let visits = self.app.store.visits(&query).await?;
        if visits.len() > MAX_COVERAGE_VISITS {
            return Err(AppError::bad_request(
                "too_many_visits",
                "这段时间的走访太多，请缩短时间或缩小范围",
                "too many visits in the period: shorten it or narrow the place",
            ));
        }
        let mut days: BTreeMap<&str, BTreeSet<Date>> = BTreeMap::new();
        for v in &visits {
            if let Some(m) = &v.care_mark_id {
                days.entry(m.as_str()).or_default().insert(v.day);
            }
        }
        Ok(marks
            .into_iter()
            .map(|m| CareVisitRow {
                visit_days: days.remove(m.id.as_str()).unwrap_or_default(),
                mark: m.id,
                community: m.community,
                grid: m.grid,
                every_days: m.every_days,
                started_on: m.started_on,
                ended_on: m.ended_on,
            })
            .collect())
    }

    /// The coverage of [`Self::care_visit_rows`]: ended marks count the
    /// visits due until they ended.
    pub async fn care_visit_coverage(
        &self,
        (from, to): (Date, Date),
        grid: Option<&GridCode>,
        community: Option<&DivisionCode>,
        worker: Option<&str>,
    ) -> AppResult<CareVisitCoverage> {
        let rows = self.care_visit_rows((from, to), grid, community, worker).await?;
        let timing = self.app.timing();
        let calendar = &timing.calendar;
        let (mut due, mut done) = (0u64, 0u64);
        for r in &rows {
            let (d, n) = visit_coverage(calendar, (from, to), (r.started_on, r.ended_on), r.every_days, &r.visit_days);
            due += d;
            done += n;
        }
        let (numerator, denominator) = (done as f64, due as f64);
        Ok(CareVisitCoverage {
            from: from.to_string(),
            to: to.to_string(),
            persons: rows.len(),
            figure: Figure { numerator, denominator, value: (due > 0).then(|| numerator / denominator) },
        })
    }
}
