//! 满意度回访: call-back tasks, written with the entries that make and end
//! them, and the closures of hotline orders in the order of the
//! transparency log (the results export's cursor).

use async_trait::async_trait;
use shanzhi_domain::callback::{CallbackState, CallbackTask};
use shanzhi_domain::{DivisionCode, Matter, MatterEvent, Micros};

use crate::{NewNotification, StoreResult};

/// Which tasks to list: the caller's divisions (`None`: everywhere), states,
/// oldest first after a keyset cursor.
#[derive(Debug, Clone, Default)]
pub struct CallbackQuery {
    pub within: Option<Vec<DivisionCode>>,
    /// Any of these (none: every state).
    pub states: Vec<CallbackState>,
    /// `(created_at, id)` of the last task of the previous page.
    pub after: Option<(Micros, String)>,
    pub limit: usize,
}

/// A closing entry of an imported hotline order (closed or rejected), at
/// `cursor` in the transparency log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotlineClosure {
    pub cursor: i64,
    pub matter_id: String,
    /// The hotline's 工单编号.
    pub external_ref: String,
    pub close_seq: i64,
}

#[async_trait]
pub trait CallbackStore {
    /// Append `event` with its `notices` (as `append_matter_event`) and, in
    /// the same transaction, create `task` (the call-back of the closure it
    /// records).
    async fn append_matter_event_with_task(
        &self,
        matter: &Matter,
        event: &MatterEvent,
        notices: &[NewNotification],
        task: Option<&CallbackTask>,
    ) -> StoreResult<()>;
    async fn callback_task(&self, id: &str) -> StoreResult<Option<CallbackTask>>;
    async fn callback_tasks(&self, query: &CallbackQuery) -> StoreResult<Vec<CallbackTask>>;
    /// Store `task` after an attempt, only if it still has `attempts_before`
    /// attempts and is open (else `Constraint`: someone else called
    /// meanwhile); with `event`, append it to `matter` in the same transaction.
    async fn record_callback(
        &self,
        task: &CallbackTask,
        attempts_before: u32,
        event: Option<(&Matter, &MatterEvent)>,
    ) -> StoreResult<()>;
    /// Closures of hotline orders with an external number after `after`,
    /// within `within` (`None`: everywhere), in cursor order, at most `limit`.
    async fn hotline_closures(
        &self,
        after: i64,
        within: Option<&[DivisionCode]>,
        limit: usize,
    ) -> StoreResult<Vec<HotlineClosure>>;
}
