//! Ranking schemes and published rankings (migration 0010).

use async_trait::async_trait;
use shanzhi_domain::Micros;
use shanzhi_domain::ranking::{RANKING_GENESIS, ranking_hash};
use shanzhi_domain::tlog::LeafRecord;
use shanzhi_store::{AuditEntry, NewRanking, PublishedRanking, RankingStore, StoreError, StoreResult, StoredScheme};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::QueryBuilder;

use crate::{SqlStore, audit, map_err};

#[derive(SqlRow)]
struct SchemeRow {
    unit_kind: String,
    version: i64,
    valid_from: String,
    body: String,
    saved_at: i64,
    saved_by: String,
}

#[derive(SqlRow)]
struct RankingRow {
    seq: i64,
    period: String,
    unit_kind: String,
    scope: String,
    body: String,
    published_at: i64,
    published_by: String,
    prev_hash: String,
    hash: String,
    log_index: Option<i64>,
}

impl TryFrom<RankingRow> for PublishedRanking {
    type Error = StoreError;
    fn try_from(r: RankingRow) -> StoreResult<PublishedRanking> {
        Ok(PublishedRanking {
            seq: r.seq,
            period: r.period,
            unit_kind: r.unit_kind,
            scope: r.scope,
            body: r.body,
            published_at: r.published_at.into(),
            published_by: r.published_by,
            prev_hash: r.prev_hash,
            hash: r.hash,
            log_index: r.log_index.map(u64::try_from).transpose().map_err(StoreError::corrupt)?,
        })
    }
}

/// A publication with the index of its leaf.
const RANKING_SELECT: &str = "SELECT r.seq, r.period, r.unit_kind, r.scope, r.body, r.published_at, \
     r.published_by, r.prev_hash, r.hash, l.idx AS log_index FROM published_rankings r \
     LEFT JOIN tlog_leaves l ON l.kind = 'ranking' AND l.record_key = '' AND l.record_seq = r.seq";

#[sql_bounds]
async fn read_one<DB>(conn: &mut DB::Connection, seq: i64) -> StoreResult<PublishedRanking> {
    let mut q = QueryBuilder::<DB>::new(format!("{RANKING_SELECT} WHERE r.seq = "));
    q.push_bind(seq);
    q.build_query_as::<RankingRow>().fetch_one(&mut *conn).await.map_err(map_err)?.try_into()
}

#[sql_bounds]
#[async_trait]
impl<DB> RankingStore for SqlStore<DB> {
    async fn ranking_schemes(&self, unit_kind: Option<&str>) -> StoreResult<Vec<StoredScheme>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT unit_kind, version, valid_from, body, saved_at, saved_by FROM ranking_schemes",
        );
        if let Some(kind) = unit_kind {
            q.push(" WHERE unit_kind = ").push_bind(kind.to_owned());
        }
        q.push(" ORDER BY unit_kind, version");
        let rows = q.build_query_as::<SchemeRow>().fetch_all(self.pool()).await.map_err(map_err)?;
        Ok(rows
            .into_iter()
            .map(|r| StoredScheme {
                unit_kind: r.unit_kind,
                version: r.version,
                valid_from: r.valid_from,
                body: r.body,
                saved_at: r.saved_at.into(),
                saved_by: r.saved_by,
            })
            .collect())
    }

    async fn save_ranking_scheme(
        &self,
        unit_kind: &str,
        valid_from: &str,
        body: &str,
        saved_by: &str,
        audit_entry: &AuditEntry,
    ) -> StoreResult<i64> {
        let (_writer, mut tx) = self.begin_write().await?;
        let version = crate::next_number::<DB>(&mut tx, "ranking_schemes", "version", "unit_kind", unit_kind).await?;
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO ranking_schemes (unit_kind, version, valid_from, body, saved_at, saved_by) ",
        );
        q.push_values([()], |mut v, ()| {
            v.push_bind(unit_kind.to_owned())
                .push_bind(version)
                .push_bind(valid_from.to_owned())
                .push_bind(body.to_owned())
                .push_bind(Micros::now().get())
                .push_bind(saved_by.to_owned());
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        audit::commit::<DB>(tx, audit_entry).await?;
        Ok(version)
    }

    async fn publish_ranking(&self, r: &NewRanking) -> StoreResult<PublishedRanking> {
        let (_writer, mut tx) = self.begin_write().await?;
        let (seq, prev) = crate::next_link::<DB>(&mut tx, "ranking", "published_rankings", RANKING_GENESIS).await?;
        let hash = ranking_hash(&prev, seq, &r.body);
        let mut q = QueryBuilder::<DB>::new(
            "INSERT INTO published_rankings \
             (seq, period, unit_kind, scope, body, published_at, published_by, prev_hash, hash) ",
        );
        q.push_values([()], |mut v, ()| {
            v.push_bind(seq)
                .push_bind(r.period.clone())
                .push_bind(r.unit_kind.clone())
                .push_bind(r.scope.clone())
                .push_bind(r.body.clone())
                .push_bind(r.published_at.get())
                .push_bind(r.published_by.clone())
                .push_bind(prev.clone())
                .push_bind(hash.clone());
        });
        q.build().execute(&mut *tx).await.map_err(map_err)?;
        let leaf = LeafRecord::ranking(seq, &hash).map_err(StoreError::corrupt)?;
        crate::tlog::append::<DB>(&mut tx, &[leaf]).await?;
        let stored = read_one::<DB>(&mut tx, seq).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(stored)
    }

    async fn published_ranking(
        &self,
        period: &str,
        unit_kind: &str,
        scope: &str,
    ) -> StoreResult<Option<PublishedRanking>> {
        let mut q = QueryBuilder::<DB>::new(format!("{RANKING_SELECT} WHERE r.period = "));
        q.push_bind(period.to_owned()).push(" AND r.unit_kind = ").push_bind(unit_kind.to_owned());
        q.push(" AND r.scope = ").push_bind(scope.to_owned());
        self.fetch_record::<RankingRow, _>(&mut q).await
    }

    async fn published_rankings(&self, after_seq: i64, limit: usize) -> StoreResult<Vec<PublishedRanking>> {
        let mut q = QueryBuilder::<DB>::new(format!("{RANKING_SELECT} WHERE r.seq > "));
        q.push_bind(after_seq).push(" ORDER BY r.seq LIMIT ");
        q.push_bind(i64::try_from(limit.clamp(1, 100_000)).unwrap_or(1000));
        self.fetch_records::<RankingRow, _>(&mut q).await
    }
}
