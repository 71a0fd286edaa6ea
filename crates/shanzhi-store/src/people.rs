use async_trait::async_trait;
use jiff::civil::Date;
use serde::Serialize;
use shanzhi_domain::{DepartmentCode, DivisionCode, Phone, Role, Scope, Term, Username, WorkPhone};

use crate::{AuditEntry, StoreResult};

pub use shanzhi_domain::Micros;

pub use shanzhi_domain::people::UserKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: String,
    pub username: Username,
    pub display_name: String,
    pub kind: UserKind,
    pub phone: Option<Phone>,
    /// The public work phone (opt-in; shown on the community's page).
    pub work_phone: Option<WorkPhone>,
    pub disabled: bool,
    pub created_at: Micros,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub id: String,
    pub username: Username,
    pub display_name: String,
    pub kind: UserKind,
    pub phone: Option<Phone>,
    /// An argon2id PHC string; `None`: cannot sign in with a password.
    pub password_hash: Option<String>,
    pub created_at: Micros,
}

/// What sign-in needs.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user_id: String,
    pub password_hash: Option<String>,
    pub disabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssignmentRecord {
    pub id: String,
    pub user_id: String,
    pub role: Role,
    pub scope: Option<Scope>,
    pub term: Term,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepartmentRecord {
    pub code: DepartmentCode,
    pub name: String,
}

/// People, their roles and departments. Every write records its audit entry
/// in the same transaction.
#[async_trait]
pub trait PeopleStore {
    /// Fails with a constraint error if the username is taken.
    async fn create_user(&self, user: &NewUser, audit: &AuditEntry) -> StoreResult<()>;
    async fn user_by_name(&self, username: &Username) -> StoreResult<Option<UserRecord>>;
    async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRecord>>;
    /// The users of these ids that exist, in no particular order (ids bound a
    /// thousand per query: a city's grid workers in a few round trips).
    async fn users_by_ids(&self, ids: &[String]) -> StoreResult<Vec<UserRecord>>;
    /// The users of these usernames that exist, in no particular order.
    async fn users_by_names(&self, names: &[Username]) -> StoreResult<Vec<UserRecord>>;
    async fn set_password(&self, user_id: &str, password_hash: &str, audit: &AuditEntry) -> StoreResult<()>;
    /// Disable (`Some(at)`) or enable (`None`) an account.
    async fn set_disabled(&self, user_id: &str, disabled_at: Option<Micros>, audit: &AuditEntry) -> StoreResult<()>;

    /// Change a person's display name and phone number (`None`: none).
    async fn set_profile(
        &self,
        user_id: &str,
        display_name: &str,
        phone: Option<&Phone>,
        audit: &AuditEntry,
    ) -> StoreResult<()>;
    /// Set (`Some`) or clear (`None`) a person's public work phone.
    async fn set_work_phone(&self, user_id: &str, phone: Option<&WorkPhone>, audit: &AuditEntry) -> StoreResult<()>;
    async fn add_assignment(&self, assignment: &AssignmentRecord, audit: &AuditEntry) -> StoreResult<()>;
    /// Set the end of an assignment's term.
    async fn end_assignment(&self, id: &str, on: Date, audit: &AuditEntry) -> StoreResult<()>;
    async fn assignments_of(&self, user_id: &str) -> StoreResult<Vec<AssignmentRecord>>;
    /// Assignments valid on `day` whose scope lies in `division`'s subtree
    /// (grid scopes by their community, departments by their division).
    async fn assignments_within(&self, division: &DivisionCode, day: Date) -> StoreResult<Vec<AssignmentRecord>>;

    async fn create_department(&self, department: &DepartmentRecord, audit: &AuditEntry) -> StoreResult<()>;
    async fn department(&self, code: &DepartmentCode) -> StoreResult<Option<DepartmentRecord>>;
    /// Departments whose division lies in `division`'s subtree, by code.
    async fn departments_within(&self, division: &DivisionCode) -> StoreResult<Vec<DepartmentRecord>>;
}
