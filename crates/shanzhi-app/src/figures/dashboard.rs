//! The supervision dashboard's figures beside the per-unit table: totals,
//! the 双线 split, trends, missed runs by stage, categories and the busiest
//! grids — all from one read of the timelines in the caller's scope, by the
//! same engine and definitions as `GET /indicators` (so the trend's counts
//! add up to the totals, and the totals to the districts' figures).

use std::collections::{BTreeMap, HashMap};

use jiff::ToSpan;
use jiff::civil::Date;
use serde::Serialize;
use shanzhi_domain::indicators::{
    Attribution, Figure, Key, Params, PeriodKind, Tallies, TimelineRow, UnitKind, compute,
};
use shanzhi_domain::{CategoryCode, GridCode, Line, Micros, Stage};

use super::{FigureQuery, FigureRead, IndicatorAnswer, UnitFigures};
use crate::AppResult;
use crate::access::Scoped;

/// Grids shown in the heat map (the most reported).
pub const HEAT_GRIDS: usize = 20;
/// Categories listed (the most reported).
pub const TOP_CATEGORIES: usize = 10;

/// Everything the dashboard draws beside the unit table.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dashboard {
    pub period: String,
    pub as_of: String,
    pub k: f64,
    /// Every figure over all matters in view.
    pub totals: BTreeMap<Key, Figure>,
    /// The same for 社治 (development) and 综治 (safety) matters.
    pub development: BTreeMap<Key, Figure>,
    pub safety: BTreeMap<Key, Figure>,
    /// `day`, `week` (from Monday) or `month`: the trend's step.
    pub step: &'static str,
    pub trend: Vec<TrendPoint>,
    /// Runs decided in the period, by stage, in the loop's order.
    pub stages: Vec<StageRuns>,
    /// The most reported categories.
    pub categories: Vec<CategoryCount>,
    /// The most reported grids with every figure.
    pub grids: Vec<UnitFigures>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrendPoint {
    /// The step's first day.
    pub start: String,
    pub reported: f64,
    pub filed: f64,
    pub closed: f64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageRuns {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub stage: Stage,
    pub name: &'static str,
    /// Met runs (signing, handling and verifying only: the on-time rates
    /// count those; accepting and dispatching runs are counted when missed).
    pub met: Option<f64>,
    pub missed: f64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryCount {
    pub code: String,
    pub name: String,
    pub reported: f64,
    pub overdue: f64,
}

/// The steps a period's trend is drawn in.
fn steps(q: &FigureQuery) -> (&'static str, Vec<Date>) {
    let (start, end) = (q.period.start, q.period.end_date());
    let (name, span) = match q.period.kind {
        PeriodKind::Day | PeriodKind::Week | PeriodKind::Month => ("day", 1.day()),
        PeriodKind::Quarter => ("week", 1.week()),
        PeriodKind::Year => ("month", 1.month()),
    };
    let mut out = Vec::new();
    let mut d = start;
    while d < end {
        out.push(d);
        let Ok(next) = d.checked_add(span) else { break };
        // Weeks start on Monday: the first step ends at the first Monday.
        d = if name == "week" {
            let monday = next.checked_sub(jiff::Span::new().days(i64::from(next.weekday().to_monday_zero_offset())));
            monday.ok().filter(|m| *m > d).unwrap_or(next)
        } else {
            next
        };
    }
    (name, out)
}

fn china_date(at: Micros) -> Date {
    at.timestamp().to_zoned_datetime(shanzhi_domain::calendar::china()).date()
}

impl Scoped<'_> {
    /// The dashboard of `q.period` (`q.by` is not used: see [`Scoped::indicators`] for the unit table).
    pub async fn dashboard(&self, q: &FigureQuery) -> AppResult<Dashboard> {
        let read = self.read_figures(q).await?;
        self.dashboard_of(q, &read).await
    }

    /// The dashboard and the figures of every unit of `q.by`, from one read
    /// of the timelines.
    pub async fn dashboard_and_units(&self, q: &FigureQuery) -> AppResult<(Dashboard, IndicatorAnswer)> {
        let read = self.read_figures(q).await?;
        Ok((self.dashboard_of(q, &read).await?, self.indicators_of(q, &read).await?))
    }

    pub(crate) async fn dashboard_of(&self, q: &FigureQuery, read: &FigureRead) -> AppResult<Dashboard> {
        let FigureRead { timelines, start, end, as_of, k } = read;
        let (start, end, as_of, k) = (*start, *end, *as_of, *k);
        let none = |_: &GridCode, _: Micros| Vec::new();
        let workers: &(dyn Fn(&GridCode, Micros) -> Vec<String> + Sync) = &none;
        let params = |by: UnitKind, line: Option<Line>| Params { start, end, as_of, by, k, line, workers };
        let sum = |line: Option<Line>| {
            let mut t = Tallies::default();
            compute(timelines.iter().map(Vec::as_slice), &params(UnitKind::District, line), &mut |a| {
                t.add(&Attribution { unit: String::new(), ..a });
            });
            figures_of(t)
        };
        let (step, starts) = steps(q);
        let mut trend: Vec<TrendPoint> = starts
            .iter()
            .filter(|d| midnight(**d) < as_of)
            .map(|d| TrendPoint { start: d.to_string(), reported: 0.0, filed: 0.0, closed: 0.0 })
            .collect();
        let mut stage_runs: HashMap<Stage, (f64, f64)> = HashMap::new();
        let mut categories: HashMap<CategoryCode, (f64, f64)> = HashMap::new();
        let mut totals = Tallies::default();
        compute(timelines.iter().map(Vec::as_slice), &params(UnitKind::District, q.line), &mut |a| {
            let row: &TimelineRow = a.row;
            let bucket = || starts.partition_point(|d| *d <= china_date(row.at)).checked_sub(1);
            match a.key {
                Key::Reported | Key::Filed | Key::Closed => {
                    if let Some(p) = bucket().and_then(|i| trend.get_mut(i)) {
                        *match a.key {
                            Key::Reported => &mut p.reported,
                            Key::Filed => &mut p.filed,
                            _ => &mut p.closed,
                        } += a.numerator;
                    }
                    if a.key == Key::Reported {
                        categories.entry(row.category.clone()).or_default().0 += a.numerator;
                    }
                }
                Key::OnTimeSignRate | Key::OnTimeHandlingRate | Key::OnTimeVerifyRate => {
                    let stage = match a.key {
                        Key::OnTimeSignRate => Stage::Sign,
                        Key::OnTimeHandlingRate => Stage::Handle,
                        _ => Stage::Verify,
                    };
                    let e = stage_runs.entry(stage).or_default();
                    e.0 += a.numerator;
                    e.1 += a.denominator - a.numerator;
                }
                Key::Overdue => {
                    categories.entry(row.category.clone()).or_default().1 += a.numerator;
                    // Signing, handling and verifying runs are counted by their rates.
                    if let Some(s @ (Stage::Accept | Stage::Dispatch)) = row.stage {
                        stage_runs.entry(s).or_default().1 += a.numerator;
                    }
                }
                _ => {}
            }
            totals.add(&Attribution { unit: String::new(), ..a });
        });
        let stages = Stage::ALL
            .iter()
            .map(|s| {
                let (met, missed) = stage_runs.get(s).copied().unwrap_or_default();
                let met = matches!(s, Stage::Sign | Stage::Handle | Stage::Verify).then_some(met);
                StageRuns { stage: *s, name: s.label_zh(), met, missed }
            })
            .collect();
        let dictionary = self.app.dictionary().await?;
        let mut categories: Vec<CategoryCount> = categories
            .into_iter()
            .map(|(code, (reported, overdue))| CategoryCount {
                name: dictionary.category(&code).map_or_else(|| code.to_string(), |(c, _)| c.name.clone()),
                code: code.to_string(),
                reported,
                overdue,
            })
            .collect();
        categories.sort_by(|a, b| b.reported.total_cmp(&a.reported).then(b.overdue.total_cmp(&a.overdue)));
        categories.truncate(TOP_CATEGORIES);
        // The busiest grids.
        let mut by_grid = Tallies::default();
        compute(timelines.iter().map(Vec::as_slice), &params(UnitKind::Grid, q.line), &mut |a| by_grid.add(&a));
        let by_grid = by_grid.finished([]);
        let mut grids: Vec<(String, BTreeMap<Key, Figure>)> = by_grid
            .0
            .into_iter()
            .map(|(code, f)| (code, f.into_iter().map(|(k, t)| (k, Figure::from(t))).collect()))
            .collect();
        let reported = |f: &BTreeMap<Key, Figure>| f.get(&Key::Reported).map_or(0.0, |x| x.numerator);
        grids.sort_by(|a, b| reported(&b.1).total_cmp(&reported(&a.1)).then(a.0.cmp(&b.0)));
        grids.truncate(HEAT_GRIDS);
        let names = self.unit_names(UnitKind::Grid, grids.iter().map(|(c, _)| c)).await?;
        let grids = grids
            .into_iter()
            .map(|(code, figures)| UnitFigures {
                name: names.get(&code).cloned().unwrap_or_else(|| code.clone()),
                figures,
                code,
            })
            .collect();
        Ok(Dashboard {
            period: q.period.to_string(),
            as_of: shanzhi_domain::indicators::record::export_time(as_of),
            k,
            totals: figures_of(totals),
            development: sum(Some(Line::Development)),
            safety: sum(Some(Line::Safety)),
            step,
            trend,
            stages,
            categories,
            grids,
        })
    }
}

/// One unit's tallies (the only one) as figures.
fn figures_of(t: Tallies) -> BTreeMap<Key, Figure> {
    t.finished([String::new()])
        .0
        .remove("")
        .unwrap_or_default()
        .into_iter()
        .map(|(k, t)| (k, Figure::from(t)))
        .collect()
}

fn midnight(d: Date) -> Micros {
    d.to_zoned_datetime(shanzhi_domain::calendar::china()).map(|z| Micros::from(z.timestamp())).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use shanzhi_domain::indicators::Period;

    use super::*;

    fn q(p: &str) -> FigureQuery {
        FigureQuery { period: Period::parse(p).unwrap(), by: UnitKind::District, within: None, line: None }
    }

    #[test]
    fn a_month_goes_by_day_a_quarter_by_week_from_monday_a_year_by_month() {
        let (step, days) = steps(&q("2026-11"));
        assert_eq!((step, days.len(), days[0].to_string()), ("day", 30, "2026-11-01".to_owned()));
        let (step, weeks) = steps(&q("2026-Q4"));
        assert_eq!(step, "week");
        // 2026-10-01 is a Thursday: the first step is Thu–Sun, then Mondays.
        assert_eq!(weeks[0].to_string(), "2026-10-01");
        assert_eq!(weeks[1].to_string(), "2026-10-05");
        assert_eq!(weeks.last().unwrap().to_string(), "2026-12-28");
        let (step, months) = steps(&q("2026"));
        assert_eq!((step, months.len()), ("month", 12));
        assert_eq!(steps(&q("2026-W48")).1.len(), 7);
    }
}
