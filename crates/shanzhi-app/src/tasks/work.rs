//! Working on a task: a grid worker it is given to marks a site done or
//! "problem found" (with a note, optionally a photo and the matter reported
//! from it); the task is completed, with its results, once every site is
//! marked. Each write names the version of the task it read; a write that
//! lost a race is tried again from the task as it now stands.

use std::collections::BTreeSet;

use serde::Deserialize;
use shanzhi_domain::Action;
use shanzhi_domain::notify::NoticeKind;
use shanzhi_domain::task::{DETAILS_CHARS, GridTaskSiteState, bounded_text, check_completion, check_mark};
use shanzhi_domain::text::Bilingual;
use shanzhi_store::{GridTaskRecord, StoreError};

use super::{GridTaskDetail, bad};
use crate::access::{Scoped, refuse};
use crate::notify::recipients::Tell;
use crate::{AppError, AppResult};

/// Tries of a write that lost a race to another.
const TRIES: usize = 3;

/// A site's mark.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GridTaskMark {
    pub state: GridTaskSiteState,
    /// What was found (required for a problem; at most 500 characters).
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub note: Option<String>,
    /// An uploaded photo's attachment id.
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub photo: Option<String>,
    /// The number of the matter reported from this site.
    #[cfg_attr(feature = "openapi", schema(max_length = 32))]
    pub matter: Option<String>,
}

/// Completing a task.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GridTaskCompletion {
    /// The results, summed up (at most 2000 characters).
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub result: Option<String>,
}

fn completed() -> AppError {
    AppError::Conflict {
        code: "task_completed",
        message: Bilingual::new("任务已完成，不能再修改", "the task is completed and can no longer change"),
        details: None,
    }
}

fn lost_race() -> AppError {
    AppError::Conflict {
        code: "task_changed",
        message: Bilingual::new(
            "任务刚被他人修改，请刷新后重试",
            "the task was just changed by someone else; reload and retry",
        ),
        details: None,
    }
}

impl Scoped<'_> {
    /// Mark site `seq` of a task given to the caller.
    pub async fn mark_task_site(&self, id: &str, seq: i64, mark: &GridTaskMark) -> AppResult<GridTaskDetail> {
        let note = check_mark(mark.state, mark.note.as_deref()).map_err(|m| bad("invalid_mark", m))?;
        let photo = match mark.photo.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            Some(p) => {
                let unknown = || AppError::bad_request("unknown_photo", "照片未上传或已失效", "no such uploaded photo");
                if p.len() > 64 || self.app.store.attachment(p).await?.is_none() {
                    return Err(unknown());
                }
                Some(p.to_owned())
            }
            None => None,
        };
        let matter_id = match mark.matter.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
            Some(n) => {
                let unknown = || {
                    AppError::bad_request(
                        "unknown_matter",
                        format!("没有编号为“{n}”的事件"),
                        format!("no matter '{n}'"),
                    )
                };
                if n.len() > 32 {
                    return Err(unknown());
                }
                Some(self.app.store.matter_by_number(n).await?.ok_or_else(unknown)?.id.as_str().to_owned())
            }
            None => None,
        };
        for _ in 0..TRIES {
            let t = self.visible_task(id).await?;
            if !self.works_on_task(&t) {
                return Err(refuse(Action::DoTasks));
            }
            if t.completed_at.is_some() {
                return Err(completed());
            }
            let sites = self.app.store.grid_task_sites(&t.id).await?;
            let Some(before) = sites.into_iter().find(|s| s.seq == seq) else {
                return Err(AppError::not_found("no_such_site", "任务中没有此点位", "the task has no such site"));
            };
            let mut site = before.clone();
            site.state = mark.state;
            site.note.clone_from(&note);
            site.photo.clone_from(&photo);
            site.matter_id.clone_from(&matter_id);
            let done = mark.state != GridTaskSiteState::Pending;
            site.checked_by = done.then(|| self.actor.user_id().unwrap_or(self.actor.name()).to_owned());
            site.checked_at = done.then(|| self.app.now_micros());
            let next = GridTaskRecord {
                progress: t.progress.moved(before.state, mark.state),
                version: t.version + 1,
                ..t.clone()
            };
            let audit = self.audit("task.mark", &format!("task:{}:{seq}", t.id));
            match self.app.store.update_grid_task(&next, &[site], &[], Some(&audit)).await {
                Ok(()) => return self.task(id).await,
                Err(StoreError::Constraint(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(lost_race())
    }

    /// Complete a task whose every site is marked: a worker it is given to,
    /// or whoever follows it. The giver is told.
    pub async fn complete_task(&self, id: &str, input: &GridTaskCompletion) -> AppResult<GridTaskDetail> {
        let result = match input.result.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => {
                Some(bounded_text(r, DETAILS_CHARS, "任务结果", "the result").map_err(|m| bad("invalid_result", m))?)
            }
            None => None,
        };
        for _ in 0..TRIES {
            let t = self.visible_task(id).await?;
            if !(self.works_on_task(&t) || self.follows_task(&t)) {
                return Err(refuse(Action::DoTasks));
            }
            if t.completed_at.is_some() {
                return Err(completed());
            }
            check_completion(&t.progress).map_err(|m| AppError::invalid("task_not_done", m))?;
            let now = self.app.now_micros();
            let next = GridTaskRecord {
                completed_at: Some(now),
                completed_by: Some(self.actor.user_id().unwrap_or(self.actor.name()).to_owned()),
                result: result.clone(),
                next_alarm_at: None,
                version: t.version + 1,
                ..t.clone()
            };
            let recipients: BTreeSet<String> =
                [t.created_by.clone()].into_iter().filter(|c| Some(c.as_str()) != self.actor.user_id()).collect();
            let tell = Tell {
                kind: NoticeKind::TaskCompleted,
                recipients,
                title: (format!("任务已完成：{}", t.title), format!("Task completed: {}", t.title)),
                body: (
                    format!("{} 个点位，发现问题 {} 处", t.progress.sites, t.progress.problems),
                    format!("{} sites, {} problems found", t.progress.sites, t.progress.problems),
                ),
            };
            let notices =
                self.app.notices_about(&format!("task:{}", t.id), &format!("/tasks/{}", t.id), vec![tell]).await?;
            let audit = self.audit("task.complete", &format!("task:{}", t.id));
            match self.app.store.update_grid_task(&next, &[], &notices, Some(&audit)).await {
                Ok(()) => return self.task(id).await,
                Err(StoreError::Constraint(_)) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(lost_race())
    }
}
