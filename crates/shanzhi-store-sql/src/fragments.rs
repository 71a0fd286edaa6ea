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

/// `%text%` with LIKE's wildcards in `text` escaped (for `ESCAPE '\\'`).
pub(crate) fn like_pattern(text: &str) -> String {
    format!("%{}%", like_escaped(text))
}

fn like_escaped(text: &str) -> String {
    text.chars().flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] }).collect()
}

/// ` AND (name LIKE '%text%' OR code LIKE 'text%')`: what an administrator
/// types into a picker, a part of a name or the start of a code.
#[sql_bounds]
pub(crate) fn push_name_or_code<DB>(q: &mut QueryBuilder<DB>, text: &str) {
    q.push(" AND (name LIKE ").push_bind(like_pattern(text)).push(" ESCAPE '\\'");
    q.push(" OR code LIKE ").push_bind(format!("{}%", like_escaped(text))).push(" ESCAPE '\\')");
}
