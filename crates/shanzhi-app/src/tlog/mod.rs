//! The transparency log's use cases: the head and proofs anyone may read,
//! a matter's leaves for those who may see the matter, signed checkpoints
//! (written to a directory outside the database and sent to witnesses),
//! acting as another log's witness, and the verification an insider cannot
//! fool (`verify`).

mod checkpoint;
mod job;
mod verify;
mod witness;

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use shanzhi_domain::tlog::{
    LeafKind, NodeId, SignedCheckpoint, Signer, TlogError, VerifierKey, consistency_proof, consistency_ranges,
    hash_to_hex, inclusion_proof, inclusion_ranges, nodes_of, range_hash,
};
use shanzhi_domain::{EventKind, Micros};
use shanzhi_store::LogLeaf;

use crate::access::Scoped;
use crate::{App, AppError, AppResult};

pub use checkpoint::{CheckpointFiles, load_signer, write_key_file};
pub use job::{CHECKPOINT_LEASE, CheckpointerConfig, run_checkpointer};
pub use verify::{LogProblem, LogVerification, verify_log};
pub use witness::{WitnessRequest, parse_witness_request};

/// How this instance runs its log: the signing key (none: leaves are still
/// written, no checkpoint is signed), where checkpoints go, the witnesses
/// they are sent to, and the logs this instance witnesses for.
#[derive(Debug, Clone, Default)]
pub struct LogSetup {
    pub signer: Option<Arc<dyn Signer>>,
    pub checkpoint_dir: Option<PathBuf>,
    /// Witness endpoints (`POST`, the C2SP `add-checkpoint` body).
    pub witnesses: Vec<String>,
    /// The keys of the logs this instance cosigns for as a witness.
    pub witness_for: Vec<VerifierKey>,
}

impl LogSetup {
    /// The keys this log has signed with: the current one and those listed
    /// in the checkpoint directory's `keys.txt` (earlier keys, kept at rotation).
    pub fn trusted_keys(&self) -> Vec<VerifierKey> {
        let mut keys: Vec<VerifierKey> = self.signer.iter().map(|s| s.verifier()).collect();
        if let Some(dir) = &self.checkpoint_dir {
            for k in CheckpointFiles::new(dir).keys() {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        keys
    }
}

/// The tree as it stands.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeadView {
    pub size: u64,
    /// Root hash, hex.
    pub root: String,
}

/// An inclusion proof (RFC 9162 §2.1.3), hashes in hex.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InclusionView {
    pub leaf_index: u64,
    pub tree_size: u64,
    pub leaf_hash: String,
    /// The root of the tree of `tree_size` leaves.
    pub root: String,
    pub proof: Vec<String>,
    /// The signed checkpoint of that size, when there is one.
    pub checkpoint: Option<String>,
}

/// A consistency proof (RFC 9162 §2.1.4), hashes in hex.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsistencyView {
    pub from: u64,
    pub to: u64,
    pub from_root: String,
    pub to_root: String,
    pub proof: Vec<String>,
}

/// One leaf of a matter's timeline.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatterLeafView {
    /// The leaf's index in the log.
    pub index: u64,
    /// The timeline entry it covers.
    pub seq: i64,
    pub leaf_hash: String,
    pub logged_at: Micros,
    /// Covered by the latest signed checkpoint.
    pub in_checkpoint: bool,
}

/// A matter's leaves and the checkpoint that covers them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatterLogView {
    pub matter: String,
    pub leaves: Vec<MatterLeafView>,
    /// The latest signed checkpoint: its size and when it was signed.
    pub checkpoint_size: Option<u64>,
    pub checkpoint_issued_at: Option<Micros>,
}

/// What the tracking page shows: the resident's entry (their rating, else
/// the latest) and the checkpoint that includes it.
#[derive(Debug, Clone, Serialize)]
pub struct LogReceipt {
    /// 1-based, as people count ("entry N of the log").
    pub entry: u64,
    pub is_rating: bool,
    pub checkpoint_issued_at: Option<Micros>,
}

fn bad(code: &'static str, zh: String, en: String) -> AppError {
    AppError::bad_request(code, zh, en)
}

/// A proof the stored tree cannot give: the request was checked against the
/// head first, so the fault is the store's.
fn broken_tree(e: TlogError) -> AppError {
    AppError::internal(e.to_string())
}

fn no_log() -> AppError {
    AppError::not_found("log_key_missing", "本实例未配置日志签名密钥", "this instance has no log signing key")
}

impl App {
    /// The same application with its log set up.
    #[must_use]
    pub fn with_log(mut self, setup: LogSetup) -> Self {
        self.log = Arc::new(setup);
        self
    }

    pub fn log_setup(&self) -> &LogSetup {
        &self.log
    }

    pub async fn log_head(&self) -> AppResult<HeadView> {
        let head = self.store.log_head().await?;
        Ok(HeadView { size: head.size, root: hash_to_hex(&head.root) })
    }

    /// The public key checkpoints are signed with, and the earlier ones.
    pub fn log_keys(&self) -> AppResult<(VerifierKey, Vec<VerifierKey>)> {
        let current = self.log.signer.as_ref().ok_or_else(no_log)?.verifier();
        let earlier = self.log.trusted_keys().into_iter().filter(|k| k != &current).collect();
        Ok((current, earlier))
    }

    /// The latest checkpoint signed (from the database's copy).
    pub async fn latest_checkpoint(&self) -> AppResult<Option<SignedCheckpoint>> {
        let Some(stored) = self.store.checkpoints(1).await?.into_iter().next() else { return Ok(None) };
        Ok(SignedCheckpoint::parse(&stored.note).ok())
    }

    /// The inclusion proof of leaf `leaf` in the tree of `size` leaves
    /// (default: the latest checkpoint if it includes the leaf, else the tree now).
    pub async fn log_inclusion(&self, leaf: u64, size: Option<u64>) -> AppResult<InclusionView> {
        let head = self.store.log_head().await?;
        let latest = self.latest_checkpoint().await?;
        let size = match (size, &latest) {
            (Some(s), _) => s,
            (None, Some(c)) if leaf < c.checkpoint.size => c.checkpoint.size,
            (None, _) => head.size,
        };
        if size > head.size || leaf >= size {
            return Err(bad(
                "log_out_of_range",
                format!("第 {leaf} 条不在 {size} 条的日志中（日志现有 {} 条）", head.size),
                format!("leaf {leaf} is not in a log of {size} leaves (the log has {} now)", head.size),
            ));
        }
        let mut ids = nodes_of(&inclusion_ranges(leaf, size).map_err(broken_tree)?);
        ids.extend(nodes_of(&[(0, size)]));
        ids.insert(NodeId::new(0, leaf));
        let nodes = self.store.log_nodes(&ids).await?;
        let proof = inclusion_proof(&nodes, leaf, size).map_err(broken_tree)?;
        let root = range_hash(&nodes, 0, size).map_err(broken_tree)?;
        let leaf_hash = nodes[&NodeId::new(0, leaf)];
        Ok(InclusionView {
            leaf_index: leaf,
            tree_size: size,
            leaf_hash: hash_to_hex(&leaf_hash),
            root: hash_to_hex(&root),
            proof: proof.iter().map(hash_to_hex).collect(),
            checkpoint: latest.filter(|c| c.checkpoint.size == size).map(|c| c.to_text()),
        })
    }

    /// The consistency proof between the trees of `from` and `to` leaves
    /// (default `to`: the tree now).
    pub async fn log_consistency(&self, from: u64, to: Option<u64>) -> AppResult<ConsistencyView> {
        let head = self.store.log_head().await?;
        let to = to.unwrap_or(head.size);
        if from > to || to > head.size {
            return Err(bad(
                "log_out_of_range",
                format!("无法证明 {from} 条到 {to} 条的一致性（日志现有 {} 条）", head.size),
                format!("no consistency proof from {from} to {to} leaves (the log has {})", head.size),
            ));
        }
        let mut ids = nodes_of(&consistency_ranges(from, to).map_err(broken_tree)?);
        ids.extend(nodes_of(&[(0, from), (0, to)]));
        let nodes = self.store.log_nodes(&ids).await?;
        let proof = consistency_proof(&nodes, from, to).map_err(broken_tree)?;
        Ok(ConsistencyView {
            from,
            to,
            from_root: hash_to_hex(&range_hash(&nodes, 0, from).map_err(broken_tree)?),
            to_root: hash_to_hex(&range_hash(&nodes, 0, to).map_err(broken_tree)?),
            proof: proof.iter().map(hash_to_hex).collect(),
        })
    }

    /// The receipt the tracking page shows for a matter the viewer already
    /// found by its number.
    pub async fn log_receipt(&self, number: &str) -> AppResult<Option<LogReceipt>> {
        let Some(matter) = self.store.matter_by_number(number).await? else { return Ok(None) };
        let id = matter.id;
        let events = self.store.matter_events(&id).await?;
        let rating = events.iter().rev().find(|e| e.kind == EventKind::Command(shanzhi_domain::CommandKind::Rate));
        let Some(chosen) = rating.or(events.last()) else { return Ok(None) };
        let leaves = self.store.log_leaves_of(LeafKind::MatterEvent, id.as_str()).await?;
        let Some(leaf) = leaves.iter().find(|l| l.seq == chosen.seq) else { return Ok(None) };
        let latest = self.latest_checkpoint().await?;
        Ok(Some(LogReceipt {
            entry: leaf.index + 1,
            is_rating: rating.is_some(),
            checkpoint_issued_at: latest
                .filter(|c| leaf.index < c.checkpoint.size)
                .and_then(|c| c.checkpoint.issued())
                .map(Micros::from),
        }))
    }
}

impl Scoped<'_> {
    /// A matter's leaves, for a caller who may see the matter.
    pub async fn matter_log(&self, id: &str) -> AppResult<MatterLogView> {
        let m = self.visible_matter(id).await?;
        let leaves: Vec<LogLeaf> = self.app.store.log_leaves_of(LeafKind::MatterEvent, m.id.as_str()).await?;
        let latest = self.app.latest_checkpoint().await?;
        let size = latest.as_ref().map(|c| c.checkpoint.size);
        Ok(MatterLogView {
            matter: m.number.clone(),
            leaves: leaves
                .iter()
                .map(|l| MatterLeafView {
                    index: l.index,
                    seq: l.seq,
                    leaf_hash: hash_to_hex(&l.leaf_hash),
                    logged_at: l.at,
                    in_checkpoint: size.is_some_and(|s| l.index < s),
                })
                .collect(),
            checkpoint_size: size,
            checkpoint_issued_at: latest.and_then(|c| c.checkpoint.issued()).map(Micros::from),
        })
    }
}

impl crate::access::Operator<'_> {
    /// Write every leaf as JSON lines for the standalone verifier: a header
    /// (`format`, `size`, `root`), then per leaf its index, kind, key, seq,
    /// hash (hex) and canonical bytes (base64; none where the record is gone).
    pub async fn export_log(&self, out: &mut impl std::io::Write) -> AppResult<u64> {
        use base64::Engine;
        let head = self.app.store.log_head().await?;
        let io = |e: std::io::Error| AppError::internal(format!("export: {e}"));
        let header =
            serde_json::json!({"format": "shanzhi-tlog-export/1", "size": head.size, "root": hash_to_hex(&head.root)});
        writeln!(out, "{header}").map_err(io)?;
        let mut from = 0;
        loop {
            let page = self.app.store.log_leaf_checks(from, 10_000).await?;
            let Some(last) = page.last() else { break };
            from = last.leaf.index + 1;
            for c in &page {
                let l = &c.leaf;
                let data =
                    c.record_hash.as_deref().and_then(|h| shanzhi_domain::tlog::hash_from_hex(h).ok()).map(|digest| {
                        let record =
                            shanzhi_domain::tlog::LeafRecord { kind: l.kind, key: l.key.clone(), seq: l.seq, digest };
                        base64::engine::general_purpose::STANDARD.encode(record.encode())
                    });
                let line = serde_json::json!({
                    "index": l.index, "kind": l.kind.as_str(), "key": l.key, "seq": l.seq,
                    "leaf_hash": hash_to_hex(&l.leaf_hash), "data": data,
                });
                writeln!(out, "{line}").map_err(io)?;
            }
            if page.len() < 10_000 {
                break;
            }
        }
        Ok(from)
    }
}
