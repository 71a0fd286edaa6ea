use async_trait::async_trait;
use jiff::civil::Date;
use shanzhi_domain::{DepartmentCode, DivisionCode, Micros, Phone, Scope, Term, Username, WorkPhone};
use shanzhi_store::{
    AssignmentRecord, AuditEntry, DepartmentRecord, NewUser, PeopleStore, StoreError, StoreResult, UserKind, UserRecord,
};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::QueryBuilder;

use crate::fragments::push_list;
use crate::{SqlStore, audit, map_err};

/// User ids or names bound per look-up of many.
const IDS_CHUNK: usize = 1_000;

pub(crate) const USER_COLUMNS: &str =
    "SELECT id, username, display_name, kind, phone, work_phone, disabled_at, created_at FROM users ";
const ASSIGNMENT_COLUMNS: &str =
    "SELECT id, user_id, role, scope_kind, scope_code, valid_from, valid_to FROM assignments ";

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::corrupt(what)
}

#[derive(SqlRow)]
pub(crate) struct UserRow {
    id: String,
    username: String,
    display_name: String,
    kind: String,
    phone: Option<String>,
    work_phone: Option<String>,
    disabled_at: Option<i64>,
    created_at: i64,
}

impl TryFrom<UserRow> for UserRecord {
    type Error = StoreError;
    fn try_from(r: UserRow) -> StoreResult<UserRecord> {
        Ok(UserRecord {
            id: r.id,
            username: Username::parse(&r.username).map_err(corrupt)?,
            display_name: r.display_name,
            kind: match r.kind.as_str() {
                "staff" => UserKind::Staff,
                "resident" => UserKind::Resident,
                other => return Err(corrupt(format!("user kind {other}"))),
            },
            phone: r.phone.as_deref().map(Phone::parse).transpose().map_err(corrupt)?,
            work_phone: r.work_phone.as_deref().map(WorkPhone::parse).transpose().map_err(corrupt)?,
            disabled: r.disabled_at.is_some(),
            created_at: r.created_at.into(),
        })
    }
}

#[derive(SqlRow)]
struct AssignmentRow {
    id: String,
    user_id: String,
    role: String,
    scope_kind: Option<String>,
    scope_code: Option<String>,
    valid_from: String,
    valid_to: Option<String>,
}

impl TryFrom<AssignmentRow> for AssignmentRecord {
    type Error = StoreError;
    fn try_from(r: AssignmentRow) -> StoreResult<AssignmentRecord> {
        let date = |s: &str| s.parse::<Date>().map_err(|e| corrupt(format!("{s}: {e}")));
        Ok(AssignmentRecord {
            id: r.id,
            user_id: r.user_id,
            role: r.role.parse().map_err(corrupt)?,
            scope: match (r.scope_kind, r.scope_code) {
                (Some(k), Some(c)) => Some(Scope::from_parts(&k, &c).map_err(corrupt)?),
                _ => None,
            },
            term: Term { from: date(&r.valid_from)?, to: r.valid_to.as_deref().map(date).transpose()? },
        })
    }
}

#[derive(SqlRow)]
struct DepartmentRow {
    code: String,
    name: String,
}

impl TryFrom<DepartmentRow> for DepartmentRecord {
    type Error = StoreError;
    fn try_from(r: DepartmentRow) -> StoreResult<DepartmentRecord> {
        Ok(DepartmentRecord { code: DepartmentCode::parse(&r.code).map_err(corrupt)?, name: r.name })
    }
}

#[sql_bounds]
impl<DB> SqlStore<DB> {
    /// The users whose `column` (id or username) is one of `values`, a
    /// thousand bound per query.
    async fn users_where(&self, column: &str, values: impl Iterator<Item = String>) -> StoreResult<Vec<UserRecord>> {
        let values: Vec<String> = values.collect();
        let mut out = Vec::with_capacity(values.len());
        for chunk in values.chunks(IDS_CHUNK) {
            let mut q = QueryBuilder::<DB>::new(format!("{USER_COLUMNS} WHERE {column} IN "));
            push_list(&mut q, chunk.iter().cloned());
            out.extend(self.fetch_records::<UserRow, _>(&mut q).await?);
        }
        Ok(out)
    }
}

#[sql_bounds]
#[async_trait]
impl<DB> PeopleStore for SqlStore<DB> {
    async fn create_user(&self, user: &NewUser, audit_entry: &AuditEntry) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO users (id, username, display_name, kind, phone, password_hash, created_at) ",
        );
        q.push_values([user], |mut v, u| {
            v.push_bind(u.id.clone())
                .push_bind(u.username.as_str().to_owned())
                .push_bind(u.display_name.clone())
                .push_bind(u.kind.as_str().to_owned())
                .push_bind(u.phone.as_ref().map(|p| p.reveal().to_owned()))
                .push_bind(u.password_hash.clone())
                .push_bind(u.created_at.get());
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::commit::<DB>(tx, audit_entry).await
    }

    async fn user_by_name(&self, username: &Username) -> StoreResult<Option<UserRecord>> {
        self.fetch_by_key::<UserRow, _>(format!("{USER_COLUMNS} WHERE username = "), username.as_str()).await
    }

    async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRecord>> {
        self.fetch_by_key::<UserRow, _>(format!("{USER_COLUMNS} WHERE id = "), id).await
    }

    async fn users_by_ids(&self, ids: &[String]) -> StoreResult<Vec<UserRecord>> {
        self.users_where("id", ids.iter().cloned()).await
    }

    async fn users_by_names(&self, names: &[Username]) -> StoreResult<Vec<UserRecord>> {
        self.users_where("username", names.iter().map(|n| n.as_str().to_owned())).await
    }

    async fn set_password(&self, user_id: &str, password_hash: &str, audit_entry: &AuditEntry) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q =
            QueryBuilder::<DB>::new("UPDATE users SET failed_logins = 0, locked_until = NULL, password_hash = ");
        q.push_bind(password_hash.to_owned()).push(" WHERE id = ").push_bind(user_id.to_owned());
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::commit::<DB>(tx, audit_entry).await
    }

    async fn set_disabled(
        &self,
        user_id: &str,
        disabled_at: Option<Micros>,
        audit_entry: &AuditEntry,
    ) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new("UPDATE users SET disabled_at = ");
        q.push_bind(disabled_at.map(Micros::get)).push(" WHERE id = ").push_bind(user_id.to_owned());
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::commit::<DB>(tx, audit_entry).await
    }

    async fn set_profile(
        &self,
        user_id: &str,
        display_name: &str,
        phone: Option<&Phone>,
        audit_entry: &AuditEntry,
    ) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new("UPDATE users SET display_name = ");
        q.push_bind(display_name.to_owned()).push(", phone = ").push_bind(phone.map(|p| p.reveal().to_owned()));
        q.push(" WHERE id = ").push_bind(user_id.to_owned());
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::commit::<DB>(tx, audit_entry).await
    }

    async fn set_work_phone(
        &self,
        user_id: &str,
        phone: Option<&WorkPhone>,
        audit_entry: &AuditEntry,
    ) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new("UPDATE users SET work_phone = ");
        q.push_bind(phone.map(|p| p.as_str().to_owned())).push(" WHERE id = ").push_bind(user_id.to_owned());
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::commit::<DB>(tx, audit_entry).await
    }

    async fn add_assignment(&self, a: &AssignmentRecord, audit_entry: &AuditEntry) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO assignments (id, user_id, role, scope_kind, scope_code, scope_division, department_code, \
             valid_from, valid_to) ",
        );
        q.push_values([a], |mut v, a| {
            let department = match &a.scope {
                Some(Scope::Department(d)) => Some(d.as_str().to_owned()),
                _ => None,
            };
            v.push_bind(a.id.clone())
                .push_bind(a.user_id.clone())
                .push_bind(a.role.as_str().to_owned())
                .push_bind(a.scope.as_ref().map(|s| s.kind_str().to_owned()))
                .push_bind(a.scope.as_ref().map(|s| s.code_str().to_owned()))
                .push_bind(a.scope.as_ref().map(|s| s.division().as_str().to_owned()))
                .push_bind(department)
                .push_bind(a.term.from.to_string())
                .push_bind(a.term.to.map(|d| d.to_string()));
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::commit::<DB>(tx, audit_entry).await
    }

    async fn end_assignment(&self, id: &str, on: Date, audit_entry: &AuditEntry) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new("UPDATE assignments SET valid_to = ");
        q.push_bind(on.to_string()).push(" WHERE id = ").push_bind(id.to_owned());
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::commit::<DB>(tx, audit_entry).await
    }

    async fn assignments_of(&self, user_id: &str) -> StoreResult<Vec<AssignmentRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("{ASSIGNMENT_COLUMNS} WHERE user_id = "));
        q.push_bind(user_id.to_owned()).push(" ORDER BY valid_from, id");
        self.fetch_records::<AssignmentRow, _>(&mut q).await
    }

    async fn assignments_within(&self, division: &DivisionCode, day: Date) -> StoreResult<Vec<AssignmentRecord>> {
        let (lower, upper) = division.descendant_bounds();
        let day = day.to_string();
        let mut q = QueryBuilder::<DB>::new(format!("{ASSIGNMENT_COLUMNS} WHERE scope_division >= "));
        q.push_bind(lower).push(" AND scope_division <= ").push_bind(upper);
        q.push(" AND valid_from <= ").push_bind(day.clone()).push(" AND (valid_to IS NULL OR valid_to > ");
        q.push_bind(day).push(") ORDER BY scope_division, role, user_id");
        self.fetch_records::<AssignmentRow, _>(&mut q).await
    }

    async fn create_department(&self, d: &DepartmentRecord, audit_entry: &AuditEntry) -> StoreResult<()> {
        let (_writer, mut tx) = self.begin_write().await?;
        let mut q = QueryBuilder::<DB>::new("INSERT INTO departments (code, name, division_code) ");
        q.push_values([d], |mut v, d| {
            v.push_bind(d.code.as_str().to_owned())
                .push_bind(d.name.clone())
                .push_bind(d.code.division().as_str().to_owned());
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::commit::<DB>(tx, audit_entry).await
    }

    async fn department(&self, code: &DepartmentCode) -> StoreResult<Option<DepartmentRecord>> {
        self.fetch_by_key::<DepartmentRow, _>("SELECT code, name FROM departments WHERE code = ", code.as_str()).await
    }

    async fn departments_within(&self, division: &DivisionCode) -> StoreResult<Vec<DepartmentRecord>> {
        let (lower, upper) = division.descendant_bounds();
        let mut q = QueryBuilder::<DB>::new("SELECT code, name FROM departments WHERE division_code >= ");
        q.push_bind(lower).push(" AND division_code <= ").push_bind(upper).push(" ORDER BY code");
        self.fetch_records::<DepartmentRow, _>(&mut q).await
    }
}
