//! 一套机制统筹: indicators per unit and period, computed from the record
//! export's rows (shanzhi_domain::indicators), within the caller's scope.

mod dashboard;
mod export;
mod hotspots;
mod kept;
mod rankings;
pub(crate) mod read;
mod report;
mod sheet;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use shanzhi_domain::indicators::{
    Attribution, Definition, Figure, Key, Params, Period, Tallies, TimelineRow, UnitKind, compute, record,
};
use shanzhi_domain::{CodeSystem, DivisionCode, DivisionLevel, GridCode, Line, Micros, Role, Scope, Username};

use crate::AppResult;
use crate::access::{Scoped, refuse};

pub use dashboard::{CategoryCount, Dashboard, HEAT_GRIDS, StageRuns, TOP_CATEGORIES, TrendPoint};
pub use export::TimelineExport;
pub use hotspots::{DistrictTopics, Hotspot, HotspotAnswer, HotspotQuery, MAX_HOTSPOTS, MAX_READ, RECENT_DAYS};
pub use rankings::{RankingAnswer, RankingFile, RankingQuery, SavedScheme, SchemeList};
pub use report::{MonthlyReport, REPORT_SHEETS, shown, trim};
pub(crate) use sheet::{csv_line, small_xlsx};

/// An export read a piece at a time (a batch of matters each), for
/// interfaces that stream it.
pub trait ChunkedExport: Send {
    /// The next piece of the file; `None` at the end.
    fn next_chunk(&mut self) -> impl Future<Output = AppResult<Option<String>>> + Send;
    /// Rows written so far.
    fn rows(&self) -> u64;
}

impl ChunkedExport for TimelineExport {
    fn next_chunk(&mut self) -> impl Future<Output = AppResult<Option<String>>> + Send {
        TimelineExport::next_chunk(self)
    }
    fn rows(&self) -> u64 {
        TimelineExport::rows(self)
    }
}

impl ChunkedExport for MatterExport {
    fn next_chunk(&mut self) -> impl Future<Output = AppResult<Option<String>>> + Send {
        self.next_csv()
    }
    fn rows(&self) -> u64 {
        MatterExport::rows(self)
    }
}
pub use sheet::{MATTER_HEADERS, MAX_SHEET_ROWS, MatterExport, SheetFormat};

/// The timelines a period's figures are computed from, and its instants.
#[derive(Debug)]
pub(crate) struct FigureRead {
    pub timelines: Vec<Vec<TimelineRow>>,
    pub start: Micros,
    pub end: Micros,
    pub as_of: Micros,
    pub k: f64,
}

/// The setting that weighs `basically_satisfied` in the satisfaction rate.
pub const K_SETTING: &str = "indicators.k";
pub const DEFAULT_K: f64 = 0.8;

/// `GET /indicators`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IndicatorAnswer {
    pub period: String,
    pub by: UnitKind,
    /// The figures count what was recorded before this instant.
    pub as_of: String,
    /// The weight of 基本满意 in the satisfaction rate.
    pub k: f64,
    pub units: Vec<UnitFigures>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnitFigures {
    pub code: String,
    pub name: String,
    pub figures: BTreeMap<Key, Figure>,
}

/// What is behind one unit's figure: the entries in its numerator and in
/// its denominator.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Breakdown {
    pub key: Key,
    pub unit: String,
    /// The unit's name.
    pub name: String,
    pub figure: Figure,
    pub numerator: Vec<Contribution>,
    pub denominator: Vec<Contribution>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contribution {
    pub number: String,
    pub matter_id: String,
    /// The timeline entry it rests on.
    pub seq: i64,
    pub at: String,
    pub weight: f64,
}

/// What a figures question asks.
#[derive(Debug, Clone)]
pub struct FigureQuery {
    pub period: Period,
    pub by: UnitKind,
    pub within: Option<DivisionCode>,
    pub line: Option<Line>,
}

/// The published definitions.
pub fn definitions() -> Vec<Definition> {
    let grid_work = shanzhi_domain::indicators::grid_work::definitions();
    Key::ALL.iter().map(|k| k.definition()).chain(grid_work).collect()
}

impl Scoped<'_> {
    /// Staff read figures; a resident has none to read.
    pub(crate) fn may_read_figures(&self) -> AppResult<()> {
        if self.actor.via == crate::access::Via::System || self.actor.grants.iter().any(|g| g.role.is_staff()) {
            Ok(())
        } else {
            Err(refuse(shanzhi_domain::Action::ViewPeople))
        }
    }

    /// The weight of 基本满意.
    pub(crate) async fn satisfaction_k(&self) -> AppResult<f64> {
        let stored = self.app.store.setting(K_SETTING).await?;
        Ok(stored.and_then(|s| s.parse::<f64>().ok()).filter(|k| (0.0..=1.0).contains(k)).unwrap_or(DEFAULT_K))
    }

    /// The figures of every unit of `q.by` for `q.period` (from the kept
    /// parts where they can answer, else from the timelines).
    pub async fn indicators(&self, q: &FigureQuery) -> AppResult<IndicatorAnswer> {
        self.may_read_figures()?;
        let (start, end) = q.period.bounds();
        let as_of = end.min(self.app.now_micros());
        let k = self.satisfaction_k().await?;
        if let Some(tallies) = self.kept_tallies(q, start, end, as_of, k).await? {
            return self.answer_of(q, tallies, as_of, k).await;
        }
        let read = self.read_figures(q).await?;
        self.indicators_of(q, &read).await
    }

    /// The same figures recomputed from every timeline, never from kept
    /// parts: what an auditor checks the kept figures against.
    pub async fn indicators_recomputed(&self, q: &FigureQuery) -> AppResult<IndicatorAnswer> {
        let read = self.read_figures(q).await?;
        self.indicators_of(q, &read).await
    }

    /// What every figure of `q.period` is computed from: the timelines in
    /// view (`q.within`, `q.line`), read once, `as_of` and k.
    pub(crate) async fn read_figures(&self, q: &FigureQuery) -> AppResult<FigureRead> {
        self.may_read_figures()?;
        let (start, end) = q.period.bounds();
        let as_of = end.min(self.app.now_micros());
        let k = self.satisfaction_k().await?;
        let timelines = self.figure_timelines(q, start, as_of).await?;
        Ok(FigureRead { timelines, start, end, as_of, k })
    }

    /// The figures of every unit of `q.by` from timelines already read for
    /// `q` (its period, `within` and `line`).
    pub(crate) async fn indicators_of(&self, q: &FigureQuery, read: &FigureRead) -> AppResult<IndicatorAnswer> {
        let FigureRead { timelines, start, end, as_of, k } = read;
        let (start, end, as_of, k) = (*start, *end, *as_of, *k);
        let workers = self.grid_workers(q, as_of).await?;
        let lookup = |g: &GridCode, _: Micros| workers.get(g).cloned().unwrap_or_default();
        let params = Params { start, end, as_of, by: q.by, k, line: q.line, workers: &lookup };
        let mut tallies = Tallies::default();
        compute(timelines.iter().map(Vec::as_slice), &params, &mut |a| tallies.add(&a));
        self.answer_of(q, tallies, as_of, k).await
    }

    /// The answer: every listed unit in view, named, with its figures.
    async fn answer_of(&self, q: &FigureQuery, tallies: Tallies, as_of: Micros, k: f64) -> AppResult<IndicatorAnswer> {
        let listed = self.listed_units(q).await?;
        let scope = self.matter_scope();
        let tallies = tallies.finished(listed);
        let names = self.unit_names(q.by, tallies.0.keys()).await?;
        let units = tallies
            .0
            .into_iter()
            .filter(|(code, _)| unit_in_view_of(q, &scope, code))
            .map(|(code, figures)| UnitFigures {
                name: names.get(&code).cloned().unwrap_or_else(|| code.clone()),
                figures: figures.into_iter().map(|(k, t)| (k, Figure::from(t))).collect(),
                code,
            })
            .collect();
        Ok(IndicatorAnswer { period: q.period.to_string(), by: q.by, as_of: record::export_time(as_of), k, units })
    }

    /// The entries behind `key` of `unit`.
    pub async fn indicator_breakdown(&self, q: &FigureQuery, key: Key, unit: &str) -> AppResult<Breakdown> {
        self.may_read_figures()?;
        let (start, end) = q.period.bounds();
        let as_of = end.min(self.app.now_micros());
        let k = self.satisfaction_k().await?;
        let timelines = self.figure_timelines(q, start, as_of).await?;
        let workers = self.grid_workers(q, as_of).await?;
        let lookup = |g: &GridCode, _: Micros| workers.get(g).cloned().unwrap_or_default();
        let params = Params { start, end, as_of, by: q.by, k, line: q.line, workers: &lookup };
        let mut found: Vec<Attribution<'_>> = Vec::new();
        compute(timelines.iter().map(Vec::as_slice), &params, &mut |a| {
            if a.key == key && a.unit == unit {
                found.push(a);
            }
        });
        let mut tallies = Tallies::default();
        found.iter().for_each(|a| tallies.add(a));
        let tally =
            tallies.finished([unit.to_owned()]).0.remove(unit).and_then(|mut f| f.remove(&key)).unwrap_or_default();
        let contribution = |a: &Attribution<'_>, weight: f64| Contribution {
            number: a.row.number.clone(),
            matter_id: a.row.matter_id.clone(),
            seq: a.row.seq,
            at: record::export_time(a.row.at),
            weight,
        };
        let name =
            self.unit_names(q.by, [unit.to_owned()].iter()).await?.remove(unit).unwrap_or_else(|| unit.to_owned());
        Ok(Breakdown {
            key,
            unit: unit.to_owned(),
            name,
            figure: Figure::from(tally),
            numerator: found.iter().filter(|a| a.numerator > 0.0).map(|a| contribution(a, a.numerator)).collect(),
            denominator: found.iter().filter(|a| a.denominator > 0.0).map(|a| contribution(a, a.denominator)).collect(),
        })
    }

    /// The timelines that can count in `[start, as_of)`, as export rows.
    async fn figure_timelines(
        &self,
        q: &FigureQuery,
        start: Micros,
        as_of: Micros,
    ) -> AppResult<Vec<Vec<TimelineRow>>> {
        let mut out = Vec::new();
        let mut reader = self.timeline_reader(q.within.clone(), q.line, as_of, Some(start));
        while let Some(batch) = reader.next_batch().await? {
            out.extend(batch);
        }
        Ok(out)
    }

    /// The grid workers of each grid (assigned on the last day counted).
    async fn grid_workers(&self, q: &FigureQuery, as_of: Micros) -> AppResult<BTreeMap<GridCode, Vec<String>>> {
        let mut out: BTreeMap<GridCode, Vec<String>> = BTreeMap::new();
        if q.by != UnitKind::Worker {
            return Ok(out);
        }
        let day = as_of.plus_seconds(-1).timestamp().to_zoned_datetime(shanzhi_domain::calendar::china()).date();
        let root = q.within.clone().unwrap_or_else(city);
        let held: Vec<(GridCode, String)> = self
            .app
            .store
            .assignments_within(&root, day)
            .await?
            .into_iter()
            .filter(|a| a.role == Role::GridWorker)
            .filter_map(|a| match a.scope {
                Some(Scope::Grid(g)) => Some((g, a.user_id)),
                _ => None,
            })
            .collect();
        // A city's grid workers in a few reads, not one read each.
        let ids: Vec<String> = held.iter().map(|(_, id)| id.clone()).collect::<BTreeSet<_>>().into_iter().collect();
        let usernames: HashMap<String, String> =
            self.app.store.users_by_ids(&ids).await?.into_iter().map(|u| (u.id, u.username.to_string())).collect();
        for (g, id) in held {
            if let Some(name) = usernames.get(&id) {
                out.entry(g).or_default().push(name.clone());
            }
        }
        Ok(out)
    }

    /// Units listed even without figures: every district or town in view.
    async fn listed_units(&self, q: &FigureQuery) -> AppResult<Vec<String>> {
        let level = match q.by {
            UnitKind::District => DivisionLevel::District,
            UnitKind::Town => DivisionLevel::Town,
            _ => return Ok(Vec::new()),
        };
        let root = q.within.clone().unwrap_or_else(city);
        let mut frontier = vec![root];
        let mut out = Vec::new();
        while let Some(d) = frontier.pop() {
            if d.level() == level {
                out.push(d.significant().to_owned());
                continue;
            }
            if d.level() > level {
                continue;
            }
            frontier.extend(
                self.app.store.child_divisions(CodeSystem::Nbs2023, Some(&d)).await?.into_iter().map(|c| c.code),
            );
        }
        let scope = self.matter_scope();
        Ok(out.into_iter().filter(|u| unit_in_view_of(q, &scope, u)).collect())
    }

    /// The names users see for unit codes.
    async fn unit_names<'a>(
        &self,
        by: UnitKind,
        codes: impl Iterator<Item = &'a String>,
    ) -> AppResult<BTreeMap<String, String>> {
        let codes: Vec<&String> = codes.collect();
        let mut out = BTreeMap::new();
        match by {
            UnitKind::District | UnitKind::Town | UnitKind::Community => {
                let parsed: Vec<DivisionCode> = codes.iter().filter_map(|c| DivisionCode::parse(c).ok()).collect();
                for (code, name) in self.app.division_names(&parsed).await? {
                    out.insert(code.significant().to_owned(), name);
                }
            }
            UnitKind::Grid => {
                let grids: Vec<GridCode> = codes.iter().filter_map(|c| GridCode::parse(c).ok()).collect();
                // Names alone: a city's thousands of grids without their outlines.
                for (code, name) in self.app.store.grid_names(&grids, self.app.today_here()).await? {
                    out.insert(code.to_string(), name);
                }
            }
            UnitKind::Department => {
                let dictionary = self.app.dictionary().await?;
                for c in codes {
                    if let Some(n) = dictionary.department_name(c) {
                        out.insert(c.clone(), n.to_owned());
                    }
                }
            }
            UnitKind::Worker => {
                let names: Vec<Username> = codes.iter().filter_map(|c| Username::parse(c).ok()).collect();
                for u in self.app.store.users_by_names(&names).await? {
                    out.insert(u.username.to_string(), u.display_name);
                }
            }
        }
        Ok(out)
    }
}

pub(crate) fn city() -> DivisionCode {
    DivisionCode::parse("5101").expect("Chengdu's code")
}

/// A place unit within the caller's scope and `q.within` (departments and
/// workers are already limited by the matters read). The scope is read once
/// by the caller: a city has thousands of grids.
fn unit_in_view_of(q: &FigureQuery, scope: &shanzhi_store::MatterScope, unit: &str) -> bool {
    if !q.by.is_place() {
        return true;
    }
    let Ok(code) = DivisionCode::parse(&unit[..unit.len().min(12)]) else { return false };
    let inside = |d: &DivisionCode| d == &code || d.is_ancestor_of(&code) || code.is_ancestor_of(d);
    let in_within = q.within.as_ref().is_none_or(inside);
    in_within
        && (scope.everything
            || scope.divisions.iter().any(inside)
            || !scope.grids.is_empty()
            || !scope.departments.is_empty())
}
