use async_trait::async_trait;
use jiff::civil::Date;
use shanzhi_domain::{DepartmentCode, DivisionCode, Phone, Scope, Term, Username};
use shanzhi_store::{
    AssignmentRecord, AuditEntry, DepartmentRecord, NewUser, PeopleStore, StoreError, StoreResult, UserKind, UserRecord,
};
use sqlx::{Pool, QueryBuilder, Row};

use crate::{Dialect, SqlStore, audit, map_err};

const USER_COLUMNS: &str = "SELECT id, username, display_name, kind, phone, disabled_at, created_at FROM users ";
const ASSIGNMENT_COLUMNS: &str =
    "SELECT id, user_id, role, scope_kind, scope_code, valid_from, valid_to FROM assignments ";

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::corrupt(what)
}

fn user_from_row<R: Row>(r: &R) -> StoreResult<UserRecord>
where
    usize: sqlx::ColumnIndex<R>,
    for<'q> String: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> Option<String>: sqlx::Decode<'q, R::Database>,
    for<'q> i64: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> Option<i64>: sqlx::Decode<'q, R::Database>,
{
    let kind: String = r.try_get(3usize).map_err(map_err)?;
    let phone: Option<String> = r.try_get(4usize).map_err(map_err)?;
    Ok(UserRecord {
        id: r.try_get(0usize).map_err(map_err)?,
        username: Username::parse(&r.try_get::<String, _>(1usize).map_err(map_err)?).map_err(corrupt)?,
        display_name: r.try_get(2usize).map_err(map_err)?,
        kind: match kind.as_str() {
            "staff" => UserKind::Staff,
            "resident" => UserKind::Resident,
            other => return Err(corrupt(format!("user kind {other}"))),
        },
        phone: phone.as_deref().map(Phone::parse).transpose().map_err(corrupt)?,
        disabled: r.try_get::<Option<i64>, _>(5usize).map_err(map_err)?.is_some(),
        created_at: r.try_get(6usize).map_err(map_err)?,
    })
}

fn assignment_from_row<R: Row>(r: &R) -> StoreResult<AssignmentRecord>
where
    usize: sqlx::ColumnIndex<R>,
    for<'q> String: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
    for<'q> Option<String>: sqlx::Decode<'q, R::Database>,
{
    let role: String = r.try_get(2usize).map_err(map_err)?;
    let kind: Option<String> = r.try_get(3usize).map_err(map_err)?;
    let code: Option<String> = r.try_get(4usize).map_err(map_err)?;
    let date = |s: String| s.parse::<Date>().map_err(|e| corrupt(format!("{s}: {e}")));
    let to: Option<String> = r.try_get(6usize).map_err(map_err)?;
    Ok(AssignmentRecord {
        id: r.try_get(0usize).map_err(map_err)?,
        user_id: r.try_get(1usize).map_err(map_err)?,
        role: role.parse().map_err(corrupt)?,
        scope: match (kind, code) {
            (Some(k), Some(c)) => Some(Scope::from_parts(&k, &c).map_err(corrupt)?),
            _ => None,
        },
        term: Term { from: date(r.try_get(5usize).map_err(map_err)?)?, to: to.map(date).transpose()? },
    })
}

#[async_trait]
impl<DB> PeopleStore for SqlStore<DB>
where
    DB: Dialect,
    for<'c> &'c Pool<DB>: sqlx::Executor<'c, Database = DB>,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    DB::Arguments: sqlx::IntoArguments<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<String>: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Decode<'q, DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    async fn create_user(&self, user: &NewUser, audit_entry: &AuditEntry) -> StoreResult<()> {
        let _writer = self.writer().await;
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
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
                .push_bind(u.created_at);
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::append::<DB>(&mut tx, audit_entry).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn user_by_name(&self, username: &Username) -> StoreResult<Option<UserRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("{USER_COLUMNS} WHERE username = "));
        q.push_bind(username.as_str().to_owned());
        q.build().fetch_optional(self.pool()).await.map_err(map_err)?.as_ref().map(user_from_row).transpose()
    }

    async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("{USER_COLUMNS} WHERE id = "));
        q.push_bind(id.to_owned());
        q.build().fetch_optional(self.pool()).await.map_err(map_err)?.as_ref().map(user_from_row).transpose()
    }

    async fn set_password(&self, user_id: &str, password_hash: &str, audit_entry: &AuditEntry) -> StoreResult<()> {
        let _writer = self.writer().await;
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        let mut q =
            QueryBuilder::<DB>::new("UPDATE users SET failed_logins = 0, locked_until = NULL, password_hash = ");
        q.push_bind(password_hash.to_owned()).push(" WHERE id = ").push_bind(user_id.to_owned());
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::append::<DB>(&mut tx, audit_entry).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn set_disabled(&self, user_id: &str, disabled_at: Option<i64>, audit_entry: &AuditEntry) -> StoreResult<()> {
        let _writer = self.writer().await;
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        let mut q = QueryBuilder::<DB>::new("UPDATE users SET disabled_at = ");
        q.push_bind(disabled_at).push(" WHERE id = ").push_bind(user_id.to_owned());
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::append::<DB>(&mut tx, audit_entry).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn add_assignment(&self, a: &AssignmentRecord, audit_entry: &AuditEntry) -> StoreResult<()> {
        let _writer = self.writer().await;
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
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
        audit::append::<DB>(&mut tx, audit_entry).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn end_assignment(&self, id: &str, on: Date, audit_entry: &AuditEntry) -> StoreResult<()> {
        let _writer = self.writer().await;
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        let mut q = QueryBuilder::<DB>::new("UPDATE assignments SET valid_to = ");
        q.push_bind(on.to_string()).push(" WHERE id = ").push_bind(id.to_owned());
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::append::<DB>(&mut tx, audit_entry).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn assignments_of(&self, user_id: &str) -> StoreResult<Vec<AssignmentRecord>> {
        let mut q = QueryBuilder::<DB>::new(format!("{ASSIGNMENT_COLUMNS} WHERE user_id = "));
        q.push_bind(user_id.to_owned()).push(" ORDER BY valid_from, id");
        let rows = q.build().fetch_all(self.pool()).await.map_err(map_err)?;
        rows.iter().map(assignment_from_row).collect()
    }

    async fn assignments_within(&self, division: &DivisionCode, day: Date) -> StoreResult<Vec<AssignmentRecord>> {
        let (lower, upper) = division.descendant_bounds();
        let day = day.to_string();
        let mut q = QueryBuilder::<DB>::new(format!("{ASSIGNMENT_COLUMNS} WHERE scope_division >= "));
        q.push_bind(lower).push(" AND scope_division <= ").push_bind(upper);
        q.push(" AND valid_from <= ").push_bind(day.clone()).push(" AND (valid_to IS NULL OR valid_to > ");
        q.push_bind(day).push(") ORDER BY scope_division, role, user_id");
        let rows = q.build().fetch_all(self.pool()).await.map_err(map_err)?;
        rows.iter().map(assignment_from_row).collect()
    }

    async fn create_department(&self, d: &DepartmentRecord, audit_entry: &AuditEntry) -> StoreResult<()> {
        let _writer = self.writer().await;
        let mut tx = self.pool().begin_with(DB::BEGIN_WRITE).await.map_err(map_err)?;
        let mut q = QueryBuilder::<DB>::new("INSERT INTO departments (code, name, division_code) ");
        q.push_values([d], |mut v, d| {
            v.push_bind(d.code.as_str().to_owned())
                .push_bind(d.name.clone())
                .push_bind(d.code.division().as_str().to_owned());
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::append::<DB>(&mut tx, audit_entry).await?;
        tx.commit().await.map_err(map_err)
    }

    async fn department(&self, code: &DepartmentCode) -> StoreResult<Option<DepartmentRecord>> {
        let mut q = QueryBuilder::<DB>::new("SELECT code, name FROM departments WHERE code = ");
        q.push_bind(code.as_str().to_owned());
        let row = q.build().fetch_optional(self.pool()).await.map_err(map_err)?;
        row.map(|r| department_from_row(&r)).transpose()
    }

    async fn departments_within(&self, division: &DivisionCode) -> StoreResult<Vec<DepartmentRecord>> {
        let (lower, upper) = division.descendant_bounds();
        let mut q = QueryBuilder::<DB>::new("SELECT code, name FROM departments WHERE division_code >= ");
        q.push_bind(lower).push(" AND division_code <= ").push_bind(upper).push(" ORDER BY code");
        let rows = q.build().fetch_all(self.pool()).await.map_err(map_err)?;
        rows.iter().map(department_from_row).collect()
    }
}

fn department_from_row<R: Row>(r: &R) -> StoreResult<DepartmentRecord>
where
    usize: sqlx::ColumnIndex<R>,
    for<'q> String: sqlx::Decode<'q, R::Database> + sqlx::Type<R::Database>,
{
    let code: String = r.try_get(0usize).map_err(map_err)?;
    Ok(DepartmentRecord {
        code: DepartmentCode::parse(&code).map_err(corrupt)?,
        name: r.try_get(1usize).map_err(map_err)?,
    })
}
