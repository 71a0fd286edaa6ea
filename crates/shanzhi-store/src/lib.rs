//! Storage ports of Shanzhi. The application talks to these traits only; each
//! backend crate (SQLite, PostgreSQL) implements them and runs the same
//! contract suite (`testkit` feature) in its tests.

mod audit;
mod auth;
mod callback;
mod case;
mod deliberation;
mod division;
mod error;
mod figures;
mod fund;
mod grid;
mod matter;
mod notify;
mod patrol;
mod people;
mod ranking;
mod register;
mod setting;
mod signup;
mod task;
#[cfg(feature = "testkit")]
pub mod testkit;
mod timing;
mod tlog;
mod visit;
mod volunteer;

use std::fmt;

use async_trait::async_trait;
use serde::Serialize;

pub use audit::{AUDIT_GENESIS, AuditEntry, AuditRecord, AuditStore, PiiAccess, audit_hash};
pub use auth::{ApiTokenRecord, AuthStore, SessionRecord, ThrottleCount};
pub use callback::{CallbackQuery, CallbackStore, HotlineClosure};
pub use case::{ArticleContent, ArticleQuery, ArticleRecord, ArticleReview, ArticleVersion, CaseStore};
pub use deliberation::{
    DeliberationStore, MeetingRecord, MemberRecord, NoteRecord, NoticeRecord, ProposalQuery, ProposalRecord, Remark,
    StageChange, StepDone, StoredMethod, VoteRecord,
};
pub use division::{DivisionStore, UpsertCounts};
pub use error::{StoreError, StoreResult};
pub use figures::{FigureStore, PartQuery, PartSum};
pub use fund::{FundStore, StoredBudget, StoredFundLists};
pub use grid::{
    GridChangeSet, GridContactRecord, GridQuery, GridRecord, GridStore, GridWorkerContact, GridWriteCounts,
    MAX_WORKERS_PER_GRID,
};
pub use matter::{
    AttachmentRecord, AttachmentStore, Created, DictionaryStore, MatterOrder, MatterPoint, MatterQuery, MatterScope,
    MatterStore, NO_DEADLINE, NewMatter, SweepUpdate, WarningCount,
};
pub use notify::{
    COUNT_SLOT, DeliveryOutcome, DeliveryState, GROUPED_NUMBERS, GroupedNotice, NUMBER_SLOT, NUMBERS_SLOT,
    NewNotification, NotificationRecord, NotificationStore, StoredPreferences,
};
pub use patrol::{PatrolPoint, PatrolQuery, PatrolRecord, PatrolStore, TrackPoint};
pub use people::{AssignmentRecord, Credentials, DepartmentRecord, Micros, NewUser, PeopleStore, UserKind, UserRecord};
pub use ranking::{NewRanking, PublishedRanking, RankingStore, StoredScheme};
pub use register::{CareMarkRecord, RegisterMapPlace, RegisterQuery, RegisterRecord, RegisterStore, RegisterVersion};
pub use setting::SettingStore;
pub use shanzhi_domain::Username;
pub use shanzhi_domain::{Matter, MatterEvent, MatterId};
pub use signup::{ClaimHow, ConsentRecord, SignupStore, SmsCodeTry};
pub use task::{GridTaskQuery, GridTaskRecord, GridTaskSiteRecord, GridTaskStore};
pub use timing::{CalendarDay, CalendarStore, DaySource, LeaseRecord, LeaseStore};
pub use tlog::{LeafCheck, LogHead, LogLeaf, LogStore, StoredCheckpoint, Unlogged};
pub use visit::{DailyLogRecord, LogCommentRecord, VisitAdded, VisitQuery, VisitRecord, VisitStore};
pub use volunteer::{
    ActivityRecord, BoardLine, OrgRecord, ProfileRecord, RedemptionRecord, RewardRecord, SignupRecord, VolunteerStore,
};

/// Which database engine a store runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        })
    }
}

/// What `/healthz` reports about the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaInfo {
    pub backend: Backend,
    /// Highest migration applied to this database.
    pub schema_version: i64,
    /// Highest migration this build knows.
    pub latest_version: i64,
    /// The engine's own version string (e.g. SQLite 3.50.4, PostgreSQL 15.18).
    pub engine_version: String,
}

/// The whole store: every port, plus health and shutdown.
#[async_trait]
pub trait Store:
    DivisionStore
    + GridStore
    + SettingStore
    + PeopleStore
    + AuthStore
    + PatrolStore
    + AuditStore
    + MatterStore
    + AttachmentStore
    + DictionaryStore
    + LeaseStore
    + CalendarStore
    + LogStore
    + FigureStore
    + RankingStore
    + DeliberationStore
    + FundStore
    + CaseStore
    + SignupStore
    + VolunteerStore
    + RegisterStore
    + VisitStore
    + GridTaskStore
    + CallbackStore
    + NotificationStore
    + fmt::Debug
    + Send
    + Sync
{
    fn backend(&self) -> Backend;

    /// A live read of the schema version: fails if the database is unreachable.
    async fn schema_info(&self) -> StoreResult<SchemaInfo>;

    /// Refresh the query planner's statistics (after bulk loads, and now and
    /// then): without them SQLite may scan by time where an index by place
    /// would read ten rows.
    async fn analyze(&self) -> StoreResult<()>;

    /// What the store holds, counted (for backups and restores).
    async fn contents(&self) -> StoreResult<StoreContents>;

    /// Close the pool, waiting for in-flight work to finish.
    async fn close(&self);
}

/// What a store holds, in the figures a backup or a restore reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct StoreContents {
    pub divisions: u64,
    pub users: u64,
    pub matters: u64,
    /// Timeline entries of all matters.
    pub matter_events: u64,
    /// Highest migration applied (0: never migrated).
    pub schema_version: i64,
}

impl StoreContents {
    /// Nothing anyone imported or entered: no division, account or matter. (A
    /// server that started once on an empty store leaves its categories and
    /// their audit entries; those alone do not make it "in use".)
    pub fn is_empty(&self) -> bool {
        self.divisions == 0 && self.users == 0 && self.matters == 0
    }
}
