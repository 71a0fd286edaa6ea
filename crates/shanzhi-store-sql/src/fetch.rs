//! Running a built query on the pool and decoding its rows into the store's
//! records, driver errors mapped once.

use shanzhi_store::{StoreError, StoreResult};
use shanzhi_store_sql_macros::sql_bounds;
use sqlx::{Database, FromRow, QueryBuilder};

use crate::{SqlStore, map_err};

/// A row type that becomes the record `T`: read by column name, then
/// converted (a conversion that cannot fail counts too). A trait so that the
/// fetches below state these bounds once.
pub(crate) trait RowOf<DB: Database, T>:
    for<'r> FromRow<'r, DB::Row> + Send + Unpin + TryInto<T, Error: Into<StoreError>>
{
}

impl<DB: Database, T, R> RowOf<DB, T> for R where
    R: for<'r> FromRow<'r, DB::Row> + Send + Unpin + TryInto<T, Error: Into<StoreError>>
{
}

fn record<R: TryInto<T, Error: Into<StoreError>>, T>(row: R) -> StoreResult<T> {
    row.try_into().map_err(Into::into)
}

#[sql_bounds]
impl<DB> SqlStore<DB> {
    /// Runs `q` on the pool for its effect (an insert, update or delete).
    pub(crate) async fn execute(&self, q: &mut QueryBuilder<DB>) -> StoreResult<()> {
        q.build().execute(self.pool()).await.map_err(map_err)?;
        Ok(())
    }

    /// The row `q` finds, if any, as a record.
    pub(crate) async fn fetch_record<R: RowOf<DB, T>, T>(&self, q: &mut QueryBuilder<DB>) -> StoreResult<Option<T>> {
        let row = q.build_query_as::<R>().fetch_optional(self.pool()).await.map_err(map_err)?;
        row.map(record).transpose()
    }

    /// The row whose key is `key`, if any, as a record: `select` ends in the
    /// key's comparison (`… WHERE id = `).
    pub(crate) async fn fetch_by_key<R: RowOf<DB, T>, T>(
        &self,
        select: impl Into<String>,
        key: &str,
    ) -> StoreResult<Option<T>> {
        let mut q = QueryBuilder::<DB>::new(select);
        q.push_bind(key.to_owned());
        self.fetch_record::<R, T>(&mut q).await
    }

    /// Every row `q` finds, as records.
    pub(crate) async fn fetch_records<R: RowOf<DB, T>, T>(&self, q: &mut QueryBuilder<DB>) -> StoreResult<Vec<T>> {
        let rows = q.build_query_as::<R>().fetch_all(self.pool()).await.map_err(map_err)?;
        rows.into_iter().map(record).collect()
    }
}
