//! Writing new matters inside a caller's transaction: numbers from a counter
//! per prefix, repeats found by idempotency key or order number.

use std::collections::HashMap;

use shanzhi_domain::{Matter, MatterEvent, MatterId};
use shanzhi_store::{Created, NewNotification, StoreResult};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::QueryBuilder;

use super::rows::{INSERT_EVENT, INSERT_MATTER, corrupt, push_event, push_matter};
use crate::map_err;

#[derive(SqlRow)]
struct IdRow {
    id: String,
}

#[derive(SqlRow)]
struct ValueRow {
    value: i64,
}

/// Take `count` consecutive numbers of `prefix` (one counter update, in the
/// caller's transaction); returns the first.
#[sql_bounds]
pub(crate) async fn take_numbers<DB>(conn: &mut DB::Connection, prefix: &str, count: i64) -> StoreResult<i64> {
    take_counter::<DB>(conn, &format!("matter:{prefix}"), count).await
}

/// Take `count` consecutive values of the counter `name` (one update, in the
/// caller's transaction); returns the first.
#[sql_bounds]
pub(crate) async fn take_counter<DB>(conn: &mut DB::Connection, name: &str, count: i64) -> StoreResult<i64> {
    let mut q = QueryBuilder::<DB>::new("INSERT INTO counters (name, value) VALUES (");
    q.push_bind(name.to_owned()).push(", ").push_bind(count);
    q.push(") ON CONFLICT (name) DO UPDATE SET value = counters.value + excluded.value RETURNING value");
    let top = q.build_query_as::<ValueRow>().fetch_one(&mut *conn).await.map_err(map_err)?.value;
    Ok(top - count + 1)
}

/// Keep the number counters ahead of every number given (bulk inserts of
/// numbered matters).
#[sql_bounds]
pub(crate) async fn raise_counters<DB>(
    conn: &mut DB::Connection,
    numbers: impl Iterator<Item = &str> + Send,
) -> StoreResult<()> {
    let mut highest: HashMap<String, i64> = HashMap::new();
    for number in numbers {
        if let Some((prefix, seq)) = number.rsplit_once('-')
            && let Ok(seq) = seq.parse::<i64>()
        {
            let e = highest.entry(format!("matter:{prefix}")).or_insert(0);
            *e = (*e).max(seq);
        }
    }
    for (name, value) in highest {
        let mut q = QueryBuilder::<DB>::new("INSERT INTO counters (name, value) VALUES (");
        q.push_bind(name).push(", ").push_bind(value);
        q.push(") ON CONFLICT (name) DO UPDATE SET value = CASE WHEN counters.value > excluded.value THEN counters.value ELSE excluded.value END");
        q.build().execute(&mut *conn).await.map_err(map_err)?;
    }
    Ok(())
}

/// Number and insert a new matter with its first event, inside the caller's
/// transaction; a repeated idempotency key or order number finds the earlier.
/// The caller indexes it for search (`search::index_created`).
#[sql_bounds]
pub(crate) async fn insert_new_matter<DB>(
    conn: &mut DB::Connection,
    matter: &Matter,
    idempotency_key: Option<&str>,
    number_prefix: &str,
    first: &MatterEvent,
    notices: &[NewNotification],
) -> StoreResult<Created> {
    if let Some(key) = idempotency_key {
        let mut q = QueryBuilder::<DB>::new("SELECT id FROM matters WHERE idempotency_key = ");
        q.push_bind(key.to_owned());
        if let Some(row) = q.build_query_as::<IdRow>().fetch_optional(&mut *conn).await.map_err(map_err)? {
            return Ok(Created::Existing { id: MatterId::parse(&row.id).map_err(corrupt)? });
        }
    }
    if let Some(external) = &matter.external_ref {
        let mut q = QueryBuilder::<DB>::new("SELECT id FROM matters WHERE channel = ");
        q.push_bind(matter.channel.as_str().to_owned()).push(" AND external_ref = ").push_bind(external.clone());
        if let Some(row) = q.build_query_as::<IdRow>().fetch_optional(&mut *conn).await.map_err(map_err)? {
            return Ok(Created::Existing { id: MatterId::parse(&row.id).map_err(corrupt)? });
        }
    }
    let seq = take_numbers::<DB>(conn, number_prefix, 1).await?;
    let number = format!("{number_prefix}-{seq:06}");
    let record = Matter { number: number.clone(), ..matter.clone() };
    let mut q = QueryBuilder::<DB>::new(INSERT_MATTER);
    q.push_values([&record], |mut v, m| push_matter(&mut v, m, idempotency_key));
    q.build().execute(&mut *conn).await.map_err(map_err)?;
    let mut q = QueryBuilder::<DB>::new(INSERT_EVENT);
    q.push_values([first], |mut v, e| push_event(&mut v, &record.id, e));
    q.build().execute(&mut *conn).await.map_err(map_err)?;
    crate::notify::insert_numbered::<DB>(conn, notices, &number).await?;
    Ok(Created::New { number })
}
