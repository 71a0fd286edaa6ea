use std::collections::HashMap;

use async_trait::async_trait;
use shanzhi_domain::GridCode;
use shanzhi_domain::Micros;
use shanzhi_store::{PatrolPoint, PatrolQuery, PatrolRecord, PatrolStore, StoreError, StoreResult, TrackPoint};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::{QueryBuilder, Row};

use crate::fragments::{push_between, push_list};
use crate::{SqlStore, map_err};

#[derive(SqlRow)]
struct PatrolRow {
    id: String,
    user_id: String,
    grid_code: String,
    started_at: i64,
    ended_at: Option<i64>,
}

#[derive(SqlRow)]
struct PointRow {
    patrol_id: String,
    seq: i64,
    at: i64,
    lng: f64,
    lat: f64,
    grid_code: Option<String>,
    households: i64,
    note: Option<String>,
}

#[sql_bounds]
#[async_trait]
impl<DB> PatrolStore for SqlStore<DB> {
    async fn start_patrol(&self, p: &PatrolRecord) -> StoreResult<()> {
        let mut q = QueryBuilder::<DB>::new("INSERT INTO patrols (id, user_id, grid_code, started_at) ");
        q.push_values([p], |mut v, p| {
            v.push_bind(p.id.clone())
                .push_bind(p.user_id.clone())
                .push_bind(p.grid.as_str().to_owned())
                .push_bind(p.started_at.get());
        });
        self.execute(&mut q).await
    }

    async fn add_patrol_point(&self, patrol_id: &str, point: &PatrolPoint) -> StoreResult<i64> {
        let (_writer, mut tx) = self.begin_write().await?;
        require_open::<DB>(&mut tx, patrol_id).await?;
        let seq = crate::next_number::<DB>(&mut tx, "patrol_points", "seq", "patrol_id", patrol_id).await?;
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO patrol_points (patrol_id, seq, at, lng, lat, grid_code, households, note) ",
        );
        q.push_values([point], |mut v, p| {
            v.push_bind(patrol_id.to_owned())
                .push_bind(seq)
                .push_bind(p.at.get())
                .push_bind(p.lng)
                .push_bind(p.lat)
                .push_bind(p.grid.as_ref().map(|g| g.as_str().to_owned()))
                .push_bind(i64::from(p.households_visited))
                .push_bind(p.note.clone());
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        tx.commit().await.map_err(map_err)?;
        Ok(seq)
    }

    async fn end_patrol(&self, patrol_id: &str, at: Micros) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new("SELECT ended_at, started_at FROM patrols WHERE id = ");
        q.push_bind(patrol_id.to_owned());
        let row = q.build().fetch_optional(&mut *tx).await.map_err(map_err)?;
        let Some(row) = row else { return Err(StoreError::Constraint(format!("patrol {patrol_id} does not exist"))) };
        if row.try_get::<Option<i64>, _>(0usize).map_err(map_err)?.is_some() {
            return Err(StoreError::Constraint(format!("patrol {patrol_id} has already ended")));
        }
        let started: i64 = row.try_get(1usize).map_err(map_err)?;
        let mut q = QueryBuilder::<DB>::new("UPDATE patrols SET ended_at = ");
        q.push_bind(at.get().max(started)).push(" WHERE id = ").push_bind(patrol_id.to_owned());
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        tx.commit().await.map_err(map_err)
    }

    async fn patrol(&self, id: &str) -> StoreResult<Option<PatrolRecord>> {
        let query = PatrolQuery { within: None, grids: Vec::new(), user_id: None, from: None, to: None };
        Ok(self.read_patrols(&query, Some(id)).await?.pop())
    }

    async fn patrols(&self, query: &PatrolQuery) -> StoreResult<Vec<PatrolRecord>> {
        self.read_patrols(query, None).await
    }

    async fn add_patrol_track(&self, patrol_id: &str, points: &[TrackPoint], max: usize) -> StoreResult<usize> {
        let (_writer, mut tx) = self.begin_write().await?;
        require_open::<DB>(&mut tx, patrol_id).await?;
        // The next seq is the count plus one: a track is only ever appended to.
        let first = crate::next_number::<DB>(&mut tx, "patrol_track", "seq", "patrol_id", patrol_id).await?;
        let had = usize::try_from(first - 1).map_err(StoreError::corrupt)?;
        if had + points.len() > max {
            return Err(StoreError::Constraint(format!("patrol {patrol_id}'s track would pass {max} points")));
        }
        let rows: Vec<(i64, &TrackPoint)> = (first..).zip(points).collect();
        for chunk in rows.chunks(DB::CHUNK_ROWS / 5 + 1) {
            let mut q = QueryBuilder::<DB>::new("INSERT INTO patrol_track (patrol_id, seq, at, lng, lat) ");
            q.push_values(chunk, |mut v, (seq, p)| {
                v.push_bind(patrol_id.to_owned())
                    .push_bind(*seq)
                    .push_bind(p.at.get())
                    .push_bind(p.lng)
                    .push_bind(p.lat);
            });
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        tx.commit().await.map_err(map_err)?;
        Ok(had + points.len())
    }

    async fn patrol_track(&self, patrol_id: &str) -> StoreResult<Vec<TrackPoint>> {
        let mut q = QueryBuilder::<DB>::new("SELECT at, lng, lat FROM patrol_track WHERE patrol_id = ");
        q.push_bind(patrol_id.to_owned()).push(" ORDER BY seq");
        let rows = q.build().fetch_all(self.pool()).await.map_err(map_err)?;
        rows.iter()
            .map(|r| {
                Ok(TrackPoint {
                    at: Micros::new(r.try_get::<i64, _>(0usize).map_err(map_err)?),
                    lng: r.try_get(1usize).map_err(map_err)?,
                    lat: r.try_get(2usize).map_err(map_err)?,
                })
            })
            .collect()
    }
}

/// Fails (`Constraint`) unless the patrol exists and has not ended.
#[sql_bounds]
async fn require_open<DB>(conn: &mut DB::Connection, patrol_id: &str) -> StoreResult<()> {
    let mut q = QueryBuilder::<DB>::new("SELECT ended_at FROM patrols WHERE id = ");
    q.push_bind(patrol_id.to_owned());
    let row = q.build().fetch_optional(&mut *conn).await.map_err(map_err)?;
    match row.map(|r| r.try_get::<Option<i64>, _>(0usize)).transpose().map_err(map_err)? {
        None => Err(StoreError::Constraint(format!("patrol {patrol_id} does not exist"))),
        Some(Some(_)) => Err(StoreError::Constraint(format!("patrol {patrol_id} has ended"))),
        Some(None) => Ok(()),
    }
}

#[sql_bounds]
impl<DB> SqlStore<DB> {
    async fn read_patrols(&self, query: &PatrolQuery, id: Option<&str>) -> StoreResult<Vec<PatrolRecord>> {
        let mut q =
            QueryBuilder::<DB>::new("SELECT id, user_id, grid_code, started_at, ended_at FROM patrols WHERE 1 = 1");
        if let Some(id) = id {
            q.push(" AND id = ").push_bind(id.to_owned());
        }
        if let Some(within) = &query.within {
            let sig = within.significant();
            q.push(" AND ");
            push_between(&mut q, "grid_code", format!("{sig:0<15}"), format!("{sig:9<15}"));
        }
        if !query.grids.is_empty() {
            q.push(" AND grid_code IN ");
            push_list(&mut q, query.grids.iter().map(|g| g.as_str().to_owned()));
        }
        if let Some(user) = &query.user_id {
            q.push(" AND user_id = ").push_bind(user.clone());
        }
        // Patrols overlapping [from, to).
        if let Some(to) = query.to {
            q.push(" AND started_at < ").push_bind(to.get());
        }
        if let Some(from) = query.from {
            q.push(" AND (ended_at IS NULL OR ended_at >= ").push_bind(from.get()).push(")");
        }
        q.push(" ORDER BY started_at DESC, id LIMIT 1000");
        let mut patrols = Vec::new();
        for r in q.build_query_as::<PatrolRow>().fetch_all(self.pool()).await.map_err(map_err)? {
            patrols.push(PatrolRecord {
                id: r.id,
                user_id: r.user_id,
                grid: GridCode::parse(&r.grid_code).map_err(StoreError::corrupt)?,
                started_at: r.started_at.into(),
                ended_at: r.ended_at.map(Micros::new),
                points: Vec::new(),
            });
        }
        let by_id: HashMap<String, usize> = patrols.iter().enumerate().map(|(i, p)| (p.id.clone(), i)).collect();
        for chunk in patrols.iter().map(|p| p.id.clone()).collect::<Vec<_>>().chunks(DB::CHUNK_ROWS) {
            let mut q = QueryBuilder::<DB>::new(
                "SELECT patrol_id, seq, at, lng, lat, grid_code, households, note FROM patrol_points WHERE patrol_id IN ",
            );
            push_list(&mut q, chunk.iter().cloned());
            q.push(" ORDER BY patrol_id, seq");
            for r in q.build_query_as::<PointRow>().fetch_all(self.pool()).await.map_err(map_err)? {
                let point = PatrolPoint {
                    seq: r.seq,
                    at: r.at.into(),
                    lng: r.lng,
                    lat: r.lat,
                    grid: r.grid_code.as_deref().map(GridCode::parse).transpose().map_err(StoreError::corrupt)?,
                    households_visited: u32::try_from(r.households).map_err(StoreError::corrupt)?,
                    note: r.note,
                };
                if let Some(&i) = by_id.get(&r.patrol_id) {
                    patrols[i].points.push(point);
                }
            }
        }
        Ok(patrols)
    }
}
