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
    /// 关爱对象 counted (open care marks of the unit).
    pub persons: usize,
    pub figure: Figure,
}

impl Scoped<'_> {
    /// The coverage of the open care marks of a grid or community (default:
    /// the caller's), optionally only those a worker is responsible for.
    pub async fn care_visit_coverage(
        &self,
        (from, to): (Date, Date),
        grid: Option<&GridCode>,
        community: Option<&DivisionCode>,
        worker: Option<&str>,
    ) -> AppResult<CareVisitCoverage> {
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
            .open_care_marks(within.as_ref(), &grids)
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
        let timing = self.app.timing();
        let calendar = &timing.calendar;
        let empty = BTreeSet::new();
        let (mut due, mut done) = (0u64, 0u64);
        for m in &marks {
            let (d, n) = visit_coverage(
                calendar,
                (from, to),
                (m.started_on, m.ended_on),
                m.every_days,
                days.get(m.id.as_str()).unwrap_or(&empty),
            );
            due += d;
            done += n;
        }
        let (numerator, denominator) = (done as f64, due as f64);
        Ok(CareVisitCoverage {
            from: from.to_string(),
            to: to.to_string(),
            persons: marks.len(),
            figure: Figure { numerator, denominator, value: (due > 0).then(|| numerator / denominator) },
        })
    }
}
