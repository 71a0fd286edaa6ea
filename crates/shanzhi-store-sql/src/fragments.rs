//! Pieces of SQL that many queries build alike.

use shanzhi_store_sql_macros::sql_bounds;
use sqlx::QueryBuilder;

/// `(?, ?, …)`: one bind per value, for `IN` lists. The caller keeps the list
/// non-empty (`IN ()` is not SQL) and within the engine's bind limit.
#[sql_bounds]
pub(crate) fn push_list<DB, T>(q: &mut QueryBuilder<DB>, values: impl IntoIterator<Item = T>)
where
    T: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    q.push("(");
    let mut list = q.separated(", ");
    for v in values {
        list.push_bind(v);
    }
    q.push(")");
}

/// `{column} >= lo AND {column} <= hi`: a range of codes, read along the
/// column's index.
#[sql_bounds]
pub(crate) fn push_between<DB, T>(q: &mut QueryBuilder<DB>, column: &str, lo: T, hi: T)
where
    T: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    q.push(column).push(" >= ").push_bind(lo).push(" AND ").push(column).push(" <= ").push_bind(hi);
}
