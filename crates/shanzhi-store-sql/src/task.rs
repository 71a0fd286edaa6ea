//! Tasks (任务): the task row with its counts and colour, whom it is given
//! to, and its checklist of sites. Every write of a task names the version
//! it read.

use std::collections::HashMap;

use async_trait::async_trait;
use shanzhi_domain::task::GridTaskProgress;
use shanzhi_domain::{DivisionCode, GridCode, Micros};
use shanzhi_store::{
    AuditEntry, GridTaskQuery, GridTaskRecord, GridTaskSiteRecord, GridTaskStore, NewNotification, StoreError,
    StoreResult,
};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::{QueryBuilder, Row};

use crate::fragments::{push_between, push_list};
use crate::notify::insert_notices;
use crate::{SqlStore, audit, map_err};

const TASK_COLUMNS: &str = "SELECT id, title, details, division_code, created_by, created_at, due_on, deadline, \
    yellow_at, orange_at, warning, next_alarm_at, site_count, done_count, problem_count, completed_at, \
    completed_by, result, version FROM grid_tasks ";
const SITE_COLUMNS: &str = "SELECT seq, grid_code, register_id, name, state, note, photo, matter_id, checked_by, \
    checked_at FROM grid_task_sites WHERE task_id = ";

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::corrupt(what)
}

fn count(n: i64) -> StoreResult<u32> {
    u32::try_from(n).map_err(corrupt)
}

#[derive(SqlRow)]
struct TaskRow {
    id: String,
    title: String,
    details: String,
    division_code: String,
    created_by: String,
    created_at: i64,
    due_on: String,
    deadline: i64,
    yellow_at: i64,
    orange_at: i64,
    warning: String,
    next_alarm_at: Option<i64>,
    site_count: i64,
    done_count: i64,
    problem_count: i64,
    completed_at: Option<i64>,
    completed_by: Option<String>,
    result: Option<String>,
    version: i64,
}

impl TryFrom<TaskRow> for GridTaskRecord {
    type Error = StoreError;
    fn try_from(r: TaskRow) -> StoreResult<GridTaskRecord> {
        Ok(GridTaskRecord {
            id: r.id,
            title: r.title,
            details: r.details,
            division: DivisionCode::parse(&r.division_code).map_err(|e| corrupt(e.message(&r.division_code)))?,
            workers: Vec::new(),
            grids: Vec::new(),
            created_by: r.created_by,
            created_at: Micros::new(r.created_at),
            due_on: r.due_on.parse().map_err(|e| corrupt(format!("{}: {e}", r.due_on)))?,
            deadline: Micros::new(r.deadline),
            yellow_at: Micros::new(r.yellow_at),
            orange_at: Micros::new(r.orange_at),
            warning: r.warning.parse().map_err(corrupt)?,
            next_alarm_at: r.next_alarm_at.map(Micros::new),
            progress: GridTaskProgress {
                sites: count(r.site_count)?,
                done: count(r.done_count)?,
                problems: count(r.problem_count)?,
            },
            completed_at: r.completed_at.map(Micros::new),
            completed_by: r.completed_by,
            result: r.result,
            version: r.version,
        })
    }
}

#[derive(SqlRow)]
struct SiteRow {
    seq: i64,
    grid_code: Option<String>,
    register_id: Option<String>,
    name: String,
    state: String,
    note: Option<String>,
    photo: Option<String>,
    matter_id: Option<String>,
    checked_by: Option<String>,
    checked_at: Option<i64>,
}

impl TryFrom<SiteRow> for GridTaskSiteRecord {
    type Error = StoreError;
    fn try_from(r: SiteRow) -> StoreResult<GridTaskSiteRecord> {
        Ok(GridTaskSiteRecord {
            seq: r.seq,
            grid: r.grid_code.as_deref().map(GridCode::parse).transpose().map_err(corrupt)?,
            register_id: r.register_id,
            name: r.name,
            state: r.state.parse().map_err(corrupt)?,
            note: r.note,
            photo: r.photo,
            matter_id: r.matter_id,
            checked_by: r.checked_by,
            checked_at: r.checked_at.map(Micros::new),
        })
    }
}

/// Binds per site row.
const SITE_BINDS: usize = 11;

#[sql_bounds]
async fn insert_sites<DB>(conn: &mut DB::Connection, task_id: &str, sites: &[GridTaskSiteRecord]) -> StoreResult<()> {
    for chunk in sites.chunks(DB::CHUNK_ROWS / SITE_BINDS + 1) {
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO grid_task_sites (task_id, seq, grid_code, register_id, name, state, note, photo, \
             matter_id, checked_by, checked_at) ",
        );
        q.push_values(chunk, |mut v, s| {
            v.push_bind(task_id.to_owned())
                .push_bind(s.seq)
                .push_bind(s.grid.as_ref().map(|g| g.as_str().to_owned()))
                .push_bind(s.register_id.clone())
                .push_bind(s.name.clone())
                .push_bind(s.state.as_str().to_owned())
                .push_bind(s.note.clone())
                .push_bind(s.photo.clone())
                .push_bind(s.matter_id.clone())
                .push_bind(s.checked_by.clone())
                .push_bind(s.checked_at.map(Micros::get));
        });
        q.build().execute(&mut *conn).await.map_err(map_err)?;
    }
    Ok(())
}

#[sql_bounds]
impl<DB> SqlStore<DB> {
    /// `tasks` with whom each is given to.
    async fn with_assignees(&self, mut tasks: Vec<GridTaskRecord>) -> StoreResult<Vec<GridTaskRecord>> {
        let ids: Vec<String> = tasks.iter().map(|t| t.id.clone()).collect();
        let mut by_task: HashMap<String, (Vec<String>, Vec<GridCode>)> = HashMap::new();
        for chunk in ids.chunks(DB::CHUNK_ROWS) {
            let mut q =
                QueryBuilder::<DB>::new("SELECT task_id, kind, code FROM grid_task_assignees WHERE task_id IN ");
            push_list(&mut q, chunk.iter().cloned());
            q.push(" ORDER BY task_id, kind, code");
            for row in q.build().fetch_all(self.pool()).await.map_err(map_err)? {
                let task: String = row.try_get(0usize).map_err(map_err)?;
                let kind: String = row.try_get(1usize).map_err(map_err)?;
                let code: String = row.try_get(2usize).map_err(map_err)?;
                let entry = by_task.entry(task).or_default();
                match kind.as_str() {
                    "worker" => entry.0.push(code),
                    "grid" => entry.1.push(GridCode::parse(&code).map_err(corrupt)?),
                    other => return Err(corrupt(format!("task assignee kind {other}"))),
                }
            }
        }
        for t in &mut tasks {
            if let Some((workers, grids)) = by_task.remove(&t.id) {
                t.workers = workers;
                t.grids = grids;
            }
        }
        Ok(tasks)
    }
}

#[sql_bounds]
#[async_trait]
impl<DB> GridTaskStore for SqlStore<DB> {
    async fn add_grid_task(
        &self,
        t: &GridTaskRecord,
        sites: &[GridTaskSiteRecord],
        notices: &[NewNotification],
        audit_entry: &AuditEntry,
    ) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO grid_tasks (id, title, details, division_code, created_by, created_at, due_on, deadline, \
             yellow_at, orange_at, warning, next_alarm_at, site_count, done_count, problem_count, completed_at, \
             completed_by, result, version) ",
        );
        q.push_values([t], |mut v, t| {
            v.push_bind(t.id.clone())
                .push_bind(t.title.clone())
                .push_bind(t.details.clone())
                .push_bind(t.division.as_str().to_owned())
                .push_bind(t.created_by.clone())
                .push_bind(t.created_at.get())
                .push_bind(t.due_on.to_string())
                .push_bind(t.deadline.get())
                .push_bind(t.yellow_at.get())
                .push_bind(t.orange_at.get())
                .push_bind(t.warning.as_str().to_owned())
                .push_bind(t.next_alarm_at.map(Micros::get))
                .push_bind(i64::from(t.progress.sites))
                .push_bind(i64::from(t.progress.done))
                .push_bind(i64::from(t.progress.problems))
                .push_bind(t.completed_at.map(Micros::get))
                .push_bind(t.completed_by.clone())
                .push_bind(t.result.clone())
                .push_bind(1_i64);
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        let assignees: Vec<(&str, String)> = t
            .workers
            .iter()
            .map(|w| ("worker", w.clone()))
            .chain(t.grids.iter().map(|g| ("grid", g.as_str().to_owned())))
            .collect();
        for chunk in assignees.chunks(DB::CHUNK_ROWS / 3 + 1) {
            let mut q = QueryBuilder::<DB>::new("INSERT INTO grid_task_assignees (task_id, kind, code) ");
            q.push_values(chunk, |mut v, (kind, code)| {
                v.push_bind(t.id.clone()).push_bind((*kind).to_owned()).push_bind(code.clone());
            });
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        insert_sites::<DB>(&mut tx, &t.id, sites).await?;
        insert_notices::<DB>(&mut tx, notices).await?;
        audit::commit::<DB>(tx, audit_entry).await
    }

    async fn grid_task(&self, id: &str) -> StoreResult<Option<GridTaskRecord>> {
        let Some(t) = self.fetch_by_key::<TaskRow, _>(format!("{TASK_COLUMNS} WHERE id = "), id).await? else {
            return Ok(None);
        };
        Ok(self.with_assignees(vec![t]).await?.pop())
    }

    async fn grid_task_sites(&self, id: &str) -> StoreResult<Vec<GridTaskSiteRecord>> {
        let mut q = QueryBuilder::<DB>::new(SITE_COLUMNS);
        q.push_bind(id.to_owned()).push(" ORDER BY seq");
        self.fetch_records::<SiteRow, _>(&mut q).await
    }

    async fn grid_tasks(&self, query: &GridTaskQuery) -> StoreResult<Vec<GridTaskRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("{TASK_COLUMNS} WHERE 1 = 1"));
        if let Some(d) = &query.within {
            let (lower, upper) = d.descendant_bounds();
            q.push(" AND ");
            push_between(&mut q, "division_code", lower, upper);
        }
        if query.worker.is_some() || !query.grids.is_empty() {
            q.push(" AND id IN (SELECT task_id FROM grid_task_assignees WHERE 1 = 0");
            if let Some(w) = &query.worker {
                q.push(" OR (kind = 'worker' AND code = ").push_bind(w.clone()).push(")");
            }
            if !query.grids.is_empty() {
                q.push(" OR (kind = 'grid' AND code IN ");
                push_list(&mut q, query.grids.iter().map(|g| g.as_str().to_owned()));
                q.push(")");
            }
            q.push(")");
        }
        if query.open_only {
            q.push(" AND completed_at IS NULL");
        }
        if let Some(from) = query.due_from {
            q.push(" AND deadline >= ").push_bind(from.get());
        }
        if let Some(to) = query.due_to {
            q.push(" AND deadline < ").push_bind(to.get());
        }
        let limit = i64::try_from(query.limit).unwrap_or(i64::MAX);
        q.push(" ORDER BY CASE WHEN completed_at IS NULL THEN 0 ELSE 1 END, deadline, id LIMIT ").push_bind(limit);
        let tasks = self.fetch_records::<TaskRow, _>(&mut q).await?;
        self.with_assignees(tasks).await
    }

    async fn update_grid_task(
        &self,
        t: &GridTaskRecord,
        sites: &[GridTaskSiteRecord],
        notices: &[NewNotification],
        audit_entry: Option<&AuditEntry>,
    ) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut read = QueryBuilder::<DB>::new("SELECT version, site_count FROM grid_tasks WHERE id = ");
        read.push_bind(t.id.clone());
        let stored = read.build().fetch_optional(&mut *tx).await.map_err(map_err)?;
        let stored = stored
            .map(|r| Ok::<_, sqlx::Error>((r.try_get::<i64, _>(0usize)?, r.try_get::<i64, _>(1usize)?)))
            .transpose()
            .map_err(map_err)?;
        let Some((version, site_count)) = stored.filter(|(v, _)| *v == t.version - 1) else {
            return Err(StoreError::Constraint(format!(
                "task {} is not at version {} (changed meanwhile, or unknown)",
                t.id,
                t.version - 1
            )));
        };
        if let Some(s) = sites.iter().find(|s| !(1..=site_count).contains(&s.seq)) {
            return Err(StoreError::Constraint(format!("task {} has no site {}", t.id, s.seq)));
        }
        let mut q = QueryBuilder::<DB>::new("UPDATE grid_tasks SET warning = ");
        q.push_bind(t.warning.as_str().to_owned())
            .push(", next_alarm_at = ")
            .push_bind(t.next_alarm_at.map(Micros::get))
            .push(", site_count = ")
            .push_bind(i64::from(t.progress.sites))
            .push(", done_count = ")
            .push_bind(i64::from(t.progress.done))
            .push(", problem_count = ")
            .push_bind(i64::from(t.progress.problems))
            .push(", completed_at = ")
            .push_bind(t.completed_at.map(Micros::get))
            .push(", completed_by = ")
            .push_bind(t.completed_by.clone())
            .push(", result = ")
            .push_bind(t.result.clone())
            .push(", version = ")
            .push_bind(t.version)
            .push(" WHERE id = ")
            .push_bind(t.id.clone())
            .push(" AND version = ")
            .push_bind(version);
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        for s in sites {
            let mut q = QueryBuilder::<DB>::new("UPDATE grid_task_sites SET state = ");
            q.push_bind(s.state.as_str().to_owned())
                .push(", note = ")
                .push_bind(s.note.clone())
                .push(", photo = ")
                .push_bind(s.photo.clone())
                .push(", matter_id = ")
                .push_bind(s.matter_id.clone())
                .push(", checked_by = ")
                .push_bind(s.checked_by.clone())
                .push(", checked_at = ")
                .push_bind(s.checked_at.map(Micros::get))
                .push(" WHERE task_id = ")
                .push_bind(t.id.clone())
                .push(" AND seq = ")
                .push_bind(s.seq);
            q.build().execute(&mut *tx).await.map_err(map_err)?;
        }
        insert_notices::<DB>(&mut tx, notices).await?;
        match audit_entry {
            Some(a) => audit::commit::<DB>(tx, a).await,
            None => tx.commit().await.map_err(map_err),
        }
    }

    async fn due_grid_tasks(&self, now: Micros, limit: usize) -> StoreResult<Vec<GridTaskRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!(
            "{TASK_COLUMNS} WHERE next_alarm_at IS NOT NULL AND completed_at IS NULL AND next_alarm_at <= "
        ));
        q.push_bind(now.get());
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        q.push(" ORDER BY next_alarm_at, id LIMIT ").push_bind(limit);
        let tasks = self.fetch_records::<TaskRow, _>(&mut q).await?;
        self.with_assignees(tasks).await
    }
}
