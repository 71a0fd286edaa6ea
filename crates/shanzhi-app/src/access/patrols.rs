//! 巡查: a grid worker walks their grid, checks in at points (each located on
//! the grid) and records households visited; supervisors read who patrolled
//! which grids when (patrol coverage becomes an indicator later).

use std::collections::BTreeMap;

use serde::Serialize;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::{Action, CodeSystem, DivisionCode, GridCode, GridKind, Place};
use shanzhi_geo::Crs;
use shanzhi_store::{Micros, PatrolPoint, PatrolQuery, PatrolRecord, StoreError, TrackPoint};

use super::{Scoped, refuse};
use crate::grids::{GridFilter, today};
use crate::{AppError, AppResult};

/// A check-in as posted.
#[derive(Debug, Clone)]
pub struct CheckIn {
    pub lng: f64,
    pub lat: f64,
    pub crs: Crs,
    pub households_visited: u32,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PatrolView {
    pub id: String,
    pub grid: GridCode,
    pub username: String,
    pub started_at: String,
    pub ended_at: Option<String>,
    pub households_visited: u32,
    pub points: Vec<PatrolPoint>,
}

/// Which grids of a division were patrolled in a span, and how often.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CoverageRow {
    pub grid: GridCode,
    pub name: String,
    pub patrols: usize,
    pub last_patrol: Option<String>,
}

fn iso(at: Micros) -> String {
    at.to_string()
}

fn now() -> Micros {
    Micros::now()
}

fn patrol_not_found(id: &str) -> AppError {
    AppError::not_found("patrol_not_found", format!("巡查 {id} 不存在"), format!("no patrol {id}"))
}

/// Track points a request may carry, and a patrol may keep (a point every
/// 30 s is about 166 hours).
pub const MAX_TRACK_BATCH: usize = 500;
pub const MAX_TRACK_POINTS: usize = 20_000;
/// How far a phone's clock may be off the server's.
const TRACK_CLOCK_SKEW_SECS: i64 = 120;

/// How far outside its grid a check-in may be: a phone's position error.
pub(crate) const CHECK_IN_TOLERANCE_METRES: f64 = 200.0;

/// Metres from a point to a grid (0 inside), on the local flat approximation
/// that holds within a city.
pub(crate) fn distance_metres(area: &geo::MultiPolygon<f64>, [x, y]: [f64; 2]) -> f64 {
    use geo::{Contains, Distance, Euclidean};
    let point = geo::Point::new(x, y);
    if area.contains(&point) {
        return 0.0;
    }
    let degrees = Euclidean.distance(&point, area);
    // One degree of latitude is ~110.6 km; longitude shrinks with latitude.
    degrees * 110_574.0 * (0.5 + 0.5 * y.to_radians().cos())
}

impl Scoped<'_> {
    async fn patrol_view(&self, p: PatrolRecord) -> AppResult<PatrolView> {
        let username = self.app.store.user_by_id(&p.user_id).await?.map(|u| u.username.to_string()).unwrap_or_default();
        Ok(PatrolView {
            households_visited: p.points.iter().map(|pt| pt.households_visited).sum(),
            id: p.id,
            grid: p.grid,
            username,
            started_at: iso(p.started_at),
            ended_at: p.ended_at.map(iso),
            points: p.points,
        })
    }

    /// One patrol: one's own, or any in a place where the caller reads patrols.
    pub async fn patrol(&self, id: &str) -> AppResult<PatrolView> {
        let p = self.app.store.patrol(id).await?.ok_or_else(|| patrol_not_found(id))?;
        let place = Place::Grid { code: p.grid.clone(), parent: None };
        if self.actor.user_id() != Some(p.user_id.as_str()) && !self.actor.can(Action::ViewPatrols, &place) {
            return Err(patrol_not_found(id));
        }
        self.patrol_view(p).await
    }

    /// The records of the patrols in `division` overlapping [from, to), for
    /// a caller who may view that division's patrols.
    async fn division_patrols(
        &self,
        division: &DivisionCode,
        from: Option<Micros>,
        to: Option<Micros>,
    ) -> AppResult<Vec<PatrolRecord>> {
        self.app.store.division(CodeSystem::Nbs2023, division).await?.ok_or_else(|| refuse(Action::ViewPatrols))?;
        self.require(Action::ViewPatrols, &Place::Division(division.clone()))?;
        let query = PatrolQuery { within: Some(division.clone()), grids: Vec::new(), user_id: None, from, to };
        Ok(self.app.store.patrols(&query).await?)
    }

    /// A patrol's GPS track, for whoever may see the patrol.
    pub async fn patrol_track(&self, id: &str) -> AppResult<Vec<TrackPoint>> {
        self.patrol(id).await?;
        Ok(self.app.store.patrol_track(id).await?)
    }

    /// Patrols in `division` overlapping [from, to).
    pub async fn patrols(
        &self,
        division: &DivisionCode,
        from: Option<Micros>,
        to: Option<Micros>,
    ) -> AppResult<Vec<PatrolView>> {
        let mut out = Vec::new();
        for p in self.division_patrols(division, from, to).await? {
            out.push(self.patrol_view(p).await?);
        }
        Ok(out)
    }

    /// For each general grid of `division`: how many patrols touched it (or
    /// one of its micro-grids) in [from, to), and the last one.
    pub async fn patrol_coverage(
        &self,
        division: &DivisionCode,
        from: Option<Micros>,
        to: Option<Micros>,
    ) -> AppResult<Vec<CoverageRow>> {
        let patrols = self.division_patrols(division, from, to).await?;
        let filter = GridFilter { within: Some(division.clone()), ..GridFilter::default() };
        let grids = self.app.grids(&filter).await?;
        let general_of: BTreeMap<GridCode, GridCode> = grids
            .iter()
            .filter_map(|g| match g.info.kind {
                GridKind::General => Some((g.info.code.clone(), g.info.code.clone())),
                GridKind::Micro => g.info.parent.clone().map(|p| (g.info.code.clone(), p)),
                _ => None,
            })
            .collect();
        let mut rows: BTreeMap<GridCode, CoverageRow> = grids
            .iter()
            .filter(|g| g.info.kind == GridKind::General)
            .map(|g| {
                (
                    g.info.code.clone(),
                    CoverageRow { grid: g.info.code.clone(), name: g.info.name.clone(), patrols: 0, last_patrol: None },
                )
            })
            .collect();
        for p in patrols {
            if let Some(row) = general_of.get(&p.grid).and_then(|g| rows.get_mut(g)) {
                row.patrols += 1;
                let started = iso(p.started_at);
                if row.last_patrol.as_ref().is_none_or(|l| *l < started) {
                    row.last_patrol = Some(started);
                }
            }
        }
        Ok(rows.into_values().collect())
    }
}

fn ended(e: StoreError) -> AppError {
    match e {
        StoreError::Constraint(m) => AppError::invalid(
            "patrol_ended",
            Bilingual::new(format!("巡查已结束，不能再操作（{m}）"), format!("the patrol has ended ({m})")),
        ),
        other => other.into(),
    }
}

impl super::PatrolDesk<'_> {
    /// Start a patrol of a grid the caller patrols (their general grid or one
    /// of its micro-grids). One open patrol at a time.
    pub async fn start_patrol(&self, grid: &str) -> AppResult<PatrolView> {
        let code = GridCode::parse(grid).map_err(|m| AppError::BadRequest { code: "invalid_grid_code", message: m })?;
        let record = self.app.grid(&code, today()).await.map_err(|_| refuse(Action::Patrol))?;
        let place = Place::Grid { code: code.clone(), parent: record.info.parent.clone() };
        self.require(Action::Patrol, &place)?;
        let user_id = self.actor.user_id().ok_or_else(|| refuse(Action::Patrol))?.to_owned();
        let open =
            PatrolQuery { within: None, grids: Vec::new(), user_id: Some(user_id.clone()), from: None, to: None };
        if let Some(p) = self.app.store.patrols(&open).await?.into_iter().find(|p| p.ended_at.is_none()) {
            return Err(AppError::invalid(
                "patrol_open",
                Bilingual::new(format!("请先结束进行中的巡查 {}", p.id), format!("end the open patrol {} first", p.id)),
            ));
        }
        let patrol = PatrolRecord {
            id: uuid::Uuid::now_v7().to_string(),
            user_id,
            grid: code,
            started_at: now(),
            ended_at: None,
            points: Vec::new(),
        };
        self.app.store.start_patrol(&patrol).await?;
        self.patrol_view(patrol).await
    }

    async fn own_patrol(&self, id: &str) -> AppResult<PatrolRecord> {
        let p = self.app.store.patrol(id).await?.ok_or_else(|| patrol_not_found(id))?;
        if self.actor.user_id() != Some(p.user_id.as_str()) {
            return Err(patrol_not_found(id));
        }
        Ok(p)
    }

    /// Check in on one's own open patrol; the point is located on the grid.
    pub async fn check_in(&self, id: &str, check_in: CheckIn) -> AppResult<PatrolView> {
        let located = self.app.locate(check_in.lng, check_in.lat, check_in.crs)?;
        if check_in.note.as_ref().is_some_and(|n| n.chars().count() > 500) || check_in.households_visited > 10_000 {
            return Err(AppError::bad_request(
                "invalid_check_in",
                "备注不超过 500 字，走访户数不超过 10000",
                "a note has at most 500 characters; households at most 10000",
            ));
        }
        let patrol = self.own_patrol(id).await?;
        // A check-in is where the worker is: inside the patrolled grid, give
        // or take the error of a phone's position.
        let record = self.app.grid(&patrol.grid, today()).await?;
        let metres = distance_metres(&record.geometry, located.wgs84);
        if metres > CHECK_IN_TOLERANCE_METRES {
            return Err(AppError::invalid(
                "check_in_outside_grid",
                Bilingual::new(
                    format!(
                        "签到位置距巡查网格约 {:.0} 米，须在网格内（误差 {CHECK_IN_TOLERANCE_METRES:.0} 米以内）",
                        metres
                    ),
                    format!(
                        "the check-in is about {metres:.0} m from the patrolled grid; it must be inside it (within {CHECK_IN_TOLERANCE_METRES:.0} m)"
                    ),
                ),
            ));
        }
        let grid = located
            .location
            .as_ref()
            .and_then(|l| l.micro_grid.as_ref().or(l.general_grid.as_ref()))
            .map(|c| c.code.clone());
        let point = PatrolPoint {
            seq: 0,
            at: now(),
            lng: located.wgs84[0],
            lat: located.wgs84[1],
            grid,
            households_visited: check_in.households_visited,
            note: check_in.note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()),
        };
        self.app.store.add_patrol_point(id, &point).await.map_err(ended)?;
        self.patrol_view(self.own_patrol(id).await?).await
    }

    /// Add sampled positions to one's own open patrol's GPS track: at most
    /// [`MAX_TRACK_BATCH`] a request and [`MAX_TRACK_POINTS`] a patrol, each
    /// a real position taken since the patrol started and not in the future.
    /// A bad point refuses the whole batch. The track's length after.
    pub async fn add_track(&self, id: &str, points: &[TrackPoint]) -> AppResult<usize> {
        let bad = |zh: String, en: String| AppError::bad_request("invalid_track", zh, en);
        if points.is_empty() || points.len() > MAX_TRACK_BATCH {
            return Err(bad(
                format!("每次提交 1–{MAX_TRACK_BATCH} 个轨迹点"),
                format!("send 1–{MAX_TRACK_BATCH} track points at a time"),
            ));
        }
        let patrol = self.own_patrol(id).await?;
        let latest = now().plus_seconds(TRACK_CLOCK_SKEW_SECS);
        let earliest = patrol.started_at.plus_seconds(-TRACK_CLOCK_SKEW_SECS);
        for (i, p) in points.iter().enumerate() {
            let n = i + 1;
            if !(p.lng.is_finite()
                && p.lat.is_finite()
                && (-180.0..=180.0).contains(&p.lng)
                && (-90.0..=90.0).contains(&p.lat))
            {
                return Err(bad(
                    format!("第 {n} 个轨迹点的经纬度无效"),
                    format!("track point {n} has invalid coordinates"),
                ));
            }
            if p.at > latest {
                return Err(bad(format!("第 {n} 个轨迹点的时间晚于现在"), format!("track point {n} is in the future")));
            }
            if p.at < earliest {
                return Err(bad(
                    format!("第 {n} 个轨迹点的时间早于巡查开始"),
                    format!("track point {n} is from before the patrol started"),
                ));
            }
        }
        self.app.store.add_patrol_track(id, points, MAX_TRACK_POINTS).await.map_err(|e| match e {
            StoreError::Constraint(m) if m.contains("would pass") => AppError::invalid(
                "track_full",
                Bilingual::new(
                    format!("一次巡查最多记录 {MAX_TRACK_POINTS} 个轨迹点"),
                    format!("a patrol keeps at most {MAX_TRACK_POINTS} track points"),
                ),
            ),
            other => ended(other),
        })
    }

    /// The caller's patrol in progress, if any.
    pub async fn open_patrol(&self) -> AppResult<Option<PatrolView>> {
        let Some(user_id) = self.actor.user_id() else { return Ok(None) };
        let query =
            PatrolQuery { within: None, grids: Vec::new(), user_id: Some(user_id.to_owned()), from: None, to: None };
        match self.app.store.patrols(&query).await?.into_iter().find(|p| p.ended_at.is_none()) {
            Some(p) => Ok(Some(self.patrol_view(p).await?)),
            None => Ok(None),
        }
    }

    pub async fn end_patrol(&self, id: &str) -> AppResult<PatrolView> {
        self.own_patrol(id).await?;
        self.app.store.end_patrol(id, now()).await.map_err(ended)?;
        self.patrol_view(self.own_patrol(id).await?).await
    }
}
