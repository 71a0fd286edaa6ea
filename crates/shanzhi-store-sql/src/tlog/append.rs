//! Appending to the log inside a record's own transaction, and reading the
//! stored subtree hashes proofs are made of.
//!
//! The head row is updated first (`UPDATE … RETURNING`): on PostgreSQL that
//! locks it until commit, so appenders take turns and the tree never forks;
//! SQLite has one writer anyway. Every caller appends as its transaction's
//! last statement, so whoever holds the head waits for no other lock.

use std::collections::{BTreeSet, HashMap};

use shanzhi_domain::tlog::{Frontier, Hash, LeafKind, LeafRecord, NodeId, matter_event_digest, perfect_hash};
use shanzhi_domain::{MatterEvent, MatterId, Micros};
use shanzhi_store::{StoreError, StoreResult};
use shanzhi_store_sql_macros::{SqlRow, sql_bounds};
use sqlx::QueryBuilder;

use crate::map_err;

/// Subtree hashes are stored at the levels divisible by this (16, 256 …
/// leaves); leaves are level 0, in their own table.
pub const NODE_STRIDE: u8 = 4;

#[derive(SqlRow)]
struct HeadRow {
    size: i64,
    frontier: Vec<u8>,
}

#[derive(SqlRow)]
struct HashRow {
    idx: i64,
    hash: Vec<u8>,
}

pub(crate) fn hash_of(bytes: &[u8]) -> StoreResult<Hash> {
    bytes.try_into().map_err(|_| StoreError::corrupt(format!("a log hash of {} bytes", bytes.len())))
}

pub(crate) fn frontier_of(size: i64, bytes: &[u8]) -> StoreResult<Frontier> {
    let hashes = bytes.chunks(32).map(hash_of).collect::<StoreResult<Vec<_>>>()?;
    Frontier::from_parts(u64::try_from(size).unwrap_or(0), hashes).map_err(StoreError::corrupt)
}

/// The head as read in the caller's transaction (no lock).
#[sql_bounds]
pub(crate) async fn read_head<DB>(conn: &mut DB::Connection) -> StoreResult<Frontier> {
    let row = QueryBuilder::<DB>::new("SELECT size, frontier FROM tlog_head WHERE id = 1")
        .build_query_as::<HeadRow>()
        .fetch_one(&mut *conn)
        .await
        .map_err(map_err)?;
    frontier_of(row.size, &row.frontier)
}

/// Append `leaves` in order inside the caller's transaction; returns the
/// index of the first.
#[sql_bounds]
pub(crate) async fn append<DB>(conn: &mut DB::Connection, leaves: &[LeafRecord]) -> StoreResult<u64> {
    let now = Micros::now().get();
    let mut q = QueryBuilder::<DB>::new("UPDATE tlog_head SET updated_at = ");
    q.push_bind(now).push(" WHERE id = 1 RETURNING size, frontier");
    let head = q.build_query_as::<HeadRow>().fetch_one(&mut *conn).await.map_err(map_err)?;
    let mut frontier = frontier_of(head.size, &head.frontier)?;
    let first = frontier.size();
    if leaves.is_empty() {
        return Ok(first);
    }
    let mut rows: Vec<(i64, &LeafRecord, Hash)> = Vec::with_capacity(leaves.len());
    let mut nodes: Vec<(NodeId, Hash)> = Vec::new();
    for leaf in leaves {
        let index = i64::try_from(frontier.size()).map_err(StoreError::corrupt)?;
        let hash = leaf.leaf_hash();
        frontier.push(hash, |id, h| {
            if id.level > 0 && id.level % NODE_STRIDE == 0 {
                nodes.push((id, *h));
            }
        });
        rows.push((index, leaf, hash));
    }
    for chunk in rows.chunks(DB::CHUNK_ROWS / 6 + 1) {
        let mut q =
            QueryBuilder::<DB>::new("INSERT INTO tlog_leaves (idx, kind, record_key, record_seq, leaf_hash, at) ");
        q.push_values(chunk, |mut v, (index, leaf, hash)| {
            v.push_bind(*index)
                .push_bind(leaf.kind.as_str().to_owned())
                .push_bind(leaf.key.clone())
                .push_bind(leaf.seq)
                .push_bind(hash.to_vec())
                .push_bind(now);
        });
        q.build().execute(&mut *conn).await.map_err(map_err)?;
    }
    for chunk in nodes.chunks(DB::CHUNK_ROWS / 3 + 1) {
        let mut q = QueryBuilder::<DB>::new("INSERT INTO tlog_nodes (level, idx, hash) ");
        q.push_values(chunk, |mut v, (id, hash)| {
            v.push_bind(i64::from(id.level))
                .push_bind(i64::try_from(id.index).unwrap_or(i64::MAX))
                .push_bind(hash.to_vec());
        });
        q.build().execute(&mut *conn).await.map_err(map_err)?;
    }
    let mut q = QueryBuilder::<DB>::new("UPDATE tlog_head SET size = ");
    q.push_bind(i64::try_from(frontier.size()).map_err(StoreError::corrupt)?);
    q.push(", frontier = ").push_bind(frontier.hashes().concat());
    q.push(" WHERE id = 1");
    q.build().execute(&mut *conn).await.map_err(map_err)?;
    Ok(first)
}

/// The leaves of timeline entries.
fn event_leaves<'a>(events: impl IntoIterator<Item = (&'a MatterId, &'a MatterEvent)>) -> StoreResult<Vec<LeafRecord>> {
    events
        .into_iter()
        .map(|(id, e)| LeafRecord::matter_event(id.as_str(), e.seq, &e.hash, &e.mark).map_err(StoreError::corrupt))
        .collect()
}

/// Append the leaves of timeline entries (the caller's last statement), and
/// mark their matters' stored figure parts stale.
#[sql_bounds]
pub(crate) async fn append_events<'a, DB>(
    conn: &mut DB::Connection,
    events: impl IntoIterator<Item = (&'a MatterId, &'a MatterEvent)> + Send,
) -> StoreResult<u64> {
    let events: Vec<(&MatterId, &MatterEvent)> = events.into_iter().collect();
    crate::figures::mark_stale::<DB>(conn, &events).await?;
    let leaves = event_leaves(events)?;
    append::<DB>(conn, &leaves).await
}

/// The hashes of complete subtrees, each from the stored level at or below
/// it (leaves, or every [`NODE_STRIDE`]-th level): at most 2^(stride-1)
/// stored hashes per subtree, read as one key range.
#[sql_bounds]
pub(crate) async fn read_nodes<DB>(
    conn: &mut DB::Connection,
    ids: &BTreeSet<NodeId>,
) -> StoreResult<HashMap<NodeId, Hash>> {
    let mut out = HashMap::with_capacity(ids.len());
    for &id in ids {
        let depth = id.level % NODE_STRIDE;
        let base = id.level - depth;
        let start = i64::try_from(id.index << depth).map_err(StoreError::corrupt)?;
        let end = start + (1i64 << depth);
        let mut q = if base == 0 {
            QueryBuilder::<DB>::new("SELECT idx, leaf_hash AS hash FROM tlog_leaves WHERE idx >= ")
        } else {
            let mut q = QueryBuilder::<DB>::new("SELECT idx, hash FROM tlog_nodes WHERE level = ");
            q.push_bind(i64::from(base)).push(" AND idx >= ");
            q
        };
        q.push_bind(start).push(" AND idx < ").push_bind(end).push(" ORDER BY idx");
        let rows = q.build_query_as::<HashRow>().fetch_all(&mut *conn).await.map_err(map_err)?;
        if rows.len() as i64 != end - start || rows.iter().enumerate().any(|(i, r)| r.idx != start + i as i64) {
            return Err(StoreError::corrupt(format!("the log lacks the hashes under subtree {id:?}")));
        }
        let hashes = rows.iter().map(|r| hash_of(&r.hash)).collect::<StoreResult<Vec<_>>>()?;
        out.insert(id, perfect_hash(hashes));
    }
    Ok(out)
}

#[derive(SqlRow)]
struct BackfillEvent {
    matter_id: String,
    seq: i64,
    hash: String,
    stage: Option<String>,
    deadline_at: Option<i64>,
}

#[derive(SqlRow)]
struct BackfillAudit {
    seq: i64,
    hash: String,
}

/// A store migrated from before the log: put every record already there in
/// the log, once (audit entries by number, then timeline entries by time),
/// so the log covers everything from here on. Nothing to do once the log
/// has a leaf.
#[sql_bounds]
pub(crate) async fn backfill<DB>(conn: &mut DB::Connection) -> StoreResult<u64> {
    // Lock the head first: servers starting together backfill once.
    QueryBuilder::<DB>::new("UPDATE tlog_head SET updated_at = updated_at WHERE id = 1")
        .build()
        .execute(&mut *conn)
        .await
        .map_err(map_err)?;
    if read_head::<DB>(conn).await?.size() > 0 {
        return Ok(0);
    }
    let audit = QueryBuilder::<DB>::new("SELECT seq, hash FROM audit_log ORDER BY seq")
        .build_query_as::<BackfillAudit>()
        .fetch_all(&mut *conn)
        .await
        .map_err(map_err)?;
    let events = QueryBuilder::<DB>::new(
        "SELECT matter_id, seq, hash, stage, deadline_at FROM matter_events ORDER BY at, matter_id, seq",
    )
    .build_query_as::<BackfillEvent>()
    .fetch_all(&mut *conn)
    .await
    .map_err(map_err)?;
    let mut leaves = Vec::with_capacity(audit.len() + events.len());
    for a in &audit {
        leaves.push(LeafRecord::audit(a.seq, &a.hash).map_err(StoreError::corrupt)?);
    }
    for e in &events {
        let digest = matter_event_digest(&e.hash, e.stage.as_deref(), e.deadline_at).map_err(StoreError::corrupt)?;
        leaves.push(LeafRecord { kind: LeafKind::MatterEvent, key: e.matter_id.clone(), seq: e.seq, digest });
    }
    if leaves.is_empty() {
        return Ok(0);
    }
    append::<DB>(conn, &leaves).await?;
    Ok(leaves.len() as u64)
}
