//! The transparency log's tables (migration 0009): leaves, stored subtree
//! hashes, the head, signed checkpoints and what this instance witnessed.

mod append;

use std::collections::{BTreeSet, HashMap};

use async_trait::async_trait;
use shanzhi_domain::Micros;
use shanzhi_domain::tlog::{Hash, LeafKind, LeafRecord, NodeId, hash_to_hex, matter_event_digest};
use shanzhi_store::{LeafCheck, LogHead, LogLeaf, LogStore, StoreError, StoreResult, StoredCheckpoint, Unlogged};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::QueryBuilder;

pub use append::NODE_STRIDE;
pub(crate) use append::{append, append_events, backfill};

use crate::{SqlStore, map_err};

#[derive(SqlRow)]
struct LeafRow {
    idx: i64,
    kind: String,
    record_key: String,
    record_seq: i64,
    leaf_hash: Vec<u8>,
    at: i64,
}

#[derive(SqlRow)]
struct CheckRow {
    #[sql_row(flatten)]
    leaf: LeafRow,
    record_hash: Option<String>,
    mark_stage: Option<String>,
    mark_deadline: Option<i64>,
}

/// The digest the record's leaf should hold now (hex): a timeline entry's
/// covers its clock mark as well as its hash.
fn record_digest(r: &CheckRow) -> StoreResult<Option<String>> {
    match (&r.record_hash, r.leaf.kind.as_str()) {
        (Some(hash), "matter_event") => matter_event_digest(hash, r.mark_stage.as_deref(), r.mark_deadline)
            .map(|d| Some(hash_to_hex(&d)))
            .map_err(StoreError::corrupt),
        (hash, _) => Ok(hash.clone()),
    }
}

#[derive(SqlRow)]
struct NodeRow {
    level: i64,
    idx: i64,
    hash: Vec<u8>,
}

#[derive(SqlRow)]
struct UnloggedRow {
    kind: String,
    record_key: String,
    record_seq: i64,
}

#[derive(SqlRow)]
struct CheckpointRow {
    size: i64,
    root: Vec<u8>,
    issued_at: i64,
    key: String,
    note: String,
}

#[derive(SqlRow)]
struct WitnessedRow {
    size: i64,
    note: String,
}

const LEAF_COLUMNS: &str = "idx, kind, record_key, record_seq, leaf_hash, at";

impl TryFrom<LeafRow> for LogLeaf {
    type Error = StoreError;
    fn try_from(r: LeafRow) -> StoreResult<LogLeaf> {
        Ok(LogLeaf {
            index: u64::try_from(r.idx).map_err(StoreError::corrupt)?,
            kind: r.kind.parse().map_err(StoreError::corrupt)?,
            key: r.record_key,
            seq: r.record_seq,
            leaf_hash: append::hash_of(&r.leaf_hash)?,
            at: r.at.into(),
        })
    }
}

fn limit_of(limit: usize) -> i64 {
    i64::try_from(limit.clamp(1, 100_000)).unwrap_or(1000)
}

#[sql_bounds]
#[async_trait]
impl<DB> LogStore for SqlStore<DB> {
    async fn log_head(&self) -> StoreResult<LogHead> {
        let mut conn = self.pool().acquire().await.map_err(map_err)?;
        let frontier = append::read_head::<DB>(&mut conn).await?;
        Ok(LogHead { size: frontier.size(), root: frontier.root() })
    }

    async fn log_nodes(&self, ids: &BTreeSet<NodeId>) -> StoreResult<HashMap<NodeId, Hash>> {
        // One read transaction: every hash from the same tree.
        let mut tx = self.pool().begin().await.map_err(map_err)?;
        let nodes = append::read_nodes::<DB>(&mut tx, ids).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(nodes)
    }

    async fn log_leaves(&self, from: u64, limit: usize) -> StoreResult<Vec<LogLeaf>> {
        let mut q = QueryBuilder::<DB>::new(format!("SELECT {LEAF_COLUMNS} FROM tlog_leaves WHERE idx >= "));
        q.push_bind(i64::try_from(from).unwrap_or(i64::MAX)).push(" ORDER BY idx LIMIT ").push_bind(limit_of(limit));
        self.fetch_records::<LeafRow, _>(&mut q).await
    }

    async fn log_leaves_of(&self, kind: LeafKind, key: &str) -> StoreResult<Vec<LogLeaf>> {
        let mut q = QueryBuilder::<DB>::new(format!("SELECT {LEAF_COLUMNS} FROM tlog_leaves WHERE kind = "));
        q.push_bind(kind.as_str().to_owned()).push(" AND record_key = ").push_bind(key.to_owned());
        q.push(" ORDER BY record_seq LIMIT 10000");
        self.fetch_records::<LeafRow, _>(&mut q).await
    }

    async fn log_leaf_checks(&self, from: u64, limit: usize) -> StoreResult<Vec<LeafCheck>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT l.idx, l.kind, l.record_key, l.record_seq, l.leaf_hash, l.at, \
             CASE l.kind WHEN 'matter_event' THEN e.hash WHEN 'audit' THEN a.hash \
             WHEN 'ranking' THEN r.hash END AS record_hash, \
             e.stage AS mark_stage, e.deadline_at AS mark_deadline \
             FROM tlog_leaves l \
             LEFT JOIN matter_events e ON l.kind = 'matter_event' AND e.matter_id = l.record_key AND e.seq = l.record_seq \
             LEFT JOIN audit_log a ON l.kind = 'audit' AND a.seq = l.record_seq \
             LEFT JOIN published_rankings r ON l.kind = 'ranking' AND r.seq = l.record_seq \
             WHERE l.idx >= ",
        );
        q.push_bind(i64::try_from(from).unwrap_or(i64::MAX)).push(" ORDER BY l.idx LIMIT ").push_bind(limit_of(limit));
        let rows = q.build_query_as::<CheckRow>().fetch_all(self.pool()).await.map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                let record_hash = record_digest(&r)?;
                Ok(LeafCheck { leaf: r.leaf.try_into()?, record_hash })
            })
            .collect()
    }

    async fn log_stored_nodes(&self, after: Option<NodeId>, limit: usize) -> StoreResult<Vec<(NodeId, Hash)>> {
        let mut q = QueryBuilder::<DB>::new("SELECT level, idx, hash FROM tlog_nodes");
        if let Some(a) = after {
            let (level, idx) = (i64::from(a.level), i64::try_from(a.index).unwrap_or(i64::MAX));
            q.push(" WHERE level > ").push_bind(level).push(" OR (level = ").push_bind(level);
            q.push(" AND idx > ").push_bind(idx).push(")");
        }
        q.push(" ORDER BY level, idx LIMIT ").push_bind(limit_of(limit));
        let rows = q.build_query_as::<NodeRow>().fetch_all(self.pool()).await.map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                let level = u8::try_from(r.level).map_err(StoreError::corrupt)?;
                let index = u64::try_from(r.idx).map_err(StoreError::corrupt)?;
                Ok((NodeId::new(level, index), append::hash_of(&r.hash)?))
            })
            .collect()
    }

    async fn unlogged_records(&self, limit: usize) -> StoreResult<Vec<Unlogged>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT 'matter_event' AS kind, e.matter_id AS record_key, e.seq AS record_seq FROM matter_events e \
             WHERE NOT EXISTS (SELECT 1 FROM tlog_leaves l WHERE l.kind = 'matter_event' \
             AND l.record_key = e.matter_id AND l.record_seq = e.seq) \
             UNION ALL SELECT 'audit' AS kind, '' AS record_key, a.seq AS record_seq FROM audit_log a \
             WHERE NOT EXISTS (SELECT 1 FROM tlog_leaves l WHERE l.kind = 'audit' AND l.record_key = '' \
             AND l.record_seq = a.seq) \
             UNION ALL SELECT 'ranking' AS kind, '' AS record_key, r.seq AS record_seq FROM published_rankings r \
             WHERE NOT EXISTS (SELECT 1 FROM tlog_leaves l WHERE l.kind = 'ranking' AND l.record_key = '' \
             AND l.record_seq = r.seq) LIMIT ",
        );
        q.push_bind(limit_of(limit));
        let rows = q.build_query_as::<UnloggedRow>().fetch_all(self.pool()).await.map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(Unlogged {
                    kind: r.kind.parse().map_err(StoreError::corrupt)?,
                    key: r.record_key,
                    seq: r.record_seq,
                })
            })
            .collect()
    }

    async fn append_log_leaf(&self, leaf: &LeafRecord) -> StoreResult<u64> {
        let (_writer, mut tx) = self.begin_write().await?;
        let index = append::<DB>(&mut tx, std::slice::from_ref(leaf)).await?;
        tx.commit().await.map_err(map_err)?;
        Ok(index)
    }

    async fn save_checkpoint(&self, c: &StoredCheckpoint) -> StoreResult<()> {
        let mut q = QueryBuilder::<DB>::new("INSERT INTO tlog_checkpoints (id, size, root, issued_at, key, note) ");
        q.push_values([c], |mut v, c| {
            v.push_bind(uuid::Uuid::now_v7().to_string())
                .push_bind(i64::try_from(c.size).unwrap_or(i64::MAX))
                .push_bind(c.root.to_vec())
                .push_bind(c.issued_at.get())
                .push_bind(c.key.clone())
                .push_bind(c.note.clone());
        });
        self.execute(&mut q).await
    }

    async fn checkpoints(&self, limit: usize) -> StoreResult<Vec<StoredCheckpoint>> {
        let mut q = QueryBuilder::<DB>::new(
            "SELECT size, root, issued_at, key, note FROM tlog_checkpoints ORDER BY issued_at DESC, id DESC LIMIT ",
        );
        q.push_bind(limit_of(limit));
        let rows = q.build_query_as::<CheckpointRow>().fetch_all(self.pool()).await.map_err(map_err)?;
        rows.into_iter()
            .map(|r| {
                Ok(StoredCheckpoint {
                    size: u64::try_from(r.size).map_err(StoreError::corrupt)?,
                    root: append::hash_of(&r.root)?,
                    issued_at: Micros::from(r.issued_at),
                    key: r.key,
                    note: r.note,
                })
            })
            .collect()
    }

    async fn witnessed(&self, origin: &str) -> StoreResult<Option<(u64, String)>> {
        let mut q = QueryBuilder::<DB>::new("SELECT size, note FROM tlog_witnessed WHERE origin = ");
        q.push_bind(origin.to_owned());
        let row = q.build_query_as::<WitnessedRow>().fetch_optional(self.pool()).await.map_err(map_err)?;
        row.map(|r| Ok((u64::try_from(r.size).map_err(StoreError::corrupt)?, r.note))).transpose()
    }

    async fn put_witnessed(&self, origin: &str, expected: Option<u64>, size: u64, note: &str) -> StoreResult<bool> {
        let size = i64::try_from(size).map_err(StoreError::corrupt)?;
        let now = Micros::now().get();
        let mut q = match expected {
            None => {
                let mut q = QueryBuilder::<DB>::new("INSERT INTO tlog_witnessed (origin, size, note, updated_at) ");
                q.push_values([()], |mut v, ()| {
                    v.push_bind(origin.to_owned()).push_bind(size).push_bind(note.to_owned()).push_bind(now);
                });
                q.push(" ON CONFLICT (origin) DO NOTHING");
                q
            }
            Some(before) => {
                let mut q = QueryBuilder::<DB>::new("UPDATE tlog_witnessed SET size = ");
                q.push_bind(size).push(", note = ").push_bind(note.to_owned()).push(", updated_at = ").push_bind(now);
                q.push(" WHERE origin = ").push_bind(origin.to_owned());
                q.push(" AND size = ").push_bind(i64::try_from(before).map_err(StoreError::corrupt)?);
                q
            }
        };
        q.push(" RETURNING origin");
        Ok(q.build().fetch_optional(self.pool()).await.map_err(map_err)?.is_some())
    }
}
