//! `shanzhi audit verify --checkpoint FILE`: the stored log is the one the
//! checkpoint signed (recomputed root at its size), every leaf matches the
//! record it covers now, every record has a leaf, records of one owner come
//! in order, the stored subtree hashes and head agree with the leaves.
//! Earlier checkpoints of the directory narrow down where a rewrite begins.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use shanzhi_domain::text::Bilingual;
use shanzhi_domain::tlog::{
    Frontier, Hash, LeafKind, LeafRecord, NodeId, SignedCheckpoint, VerifierKey, hash_from_hex,
};
use shanzhi_store::LeafCheck;

use crate::{App, AppResult};

/// Leaves read per page.
const PAGE: usize = 10_000;
/// Problems listed one by one; beyond that, counted.
const LISTED: usize = 200;

/// One thing that does not add up, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogProblem {
    pub zh: String,
    pub en: String,
}

impl From<Bilingual> for LogProblem {
    fn from(b: Bilingual) -> Self {
        LogProblem { zh: b.zh, en: b.en }
    }
}

/// What verification found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LogVerification {
    pub leaves: u64,
    /// The checkpoint checked against: size and signing key name.
    pub checkpoint_size: Option<u64>,
    pub checkpoint_key: Option<String>,
    pub problems: Vec<LogProblem>,
    /// Problems beyond those listed.
    pub more_problems: usize,
}

impl LogVerification {
    fn problem(&mut self, zh: String, en: String) {
        if self.problems.len() < LISTED {
            self.problems.push(LogProblem { zh, en });
        } else {
            self.more_problems += 1;
        }
    }
}

/// The leaf a record's current hash would have.
fn expected_leaf(c: &LeafCheck) -> Option<Hash> {
    let digest = hash_from_hex(c.record_hash.as_deref()?).ok()?;
    Some(LeafRecord { kind: c.leaf.kind, key: c.leaf.key.clone(), seq: c.leaf.seq, digest }.leaf_hash())
}

/// Verify the stored log against `checkpoint` (signed by one of `keys`) and
/// the records; `history`: earlier checkpoints, to locate a rewrite.
pub async fn verify_log(
    app: &App,
    checkpoint: Option<&SignedCheckpoint>,
    keys: &[VerifierKey],
    history: &[SignedCheckpoint],
) -> AppResult<LogVerification> {
    let mut out = LogVerification::default();
    let mut anchor: Option<(u64, Hash)> = None;
    if let Some(cp) = checkpoint {
        match cp.verify_any(keys) {
            Ok(key) => {
                out.checkpoint_key = Some(key.name.clone());
                out.checkpoint_size = Some(cp.checkpoint.size);
                anchor = Some((cp.checkpoint.size, cp.checkpoint.root));
            }
            Err(e) => out.problem(
                format!("检查点的签名无法用本日志的公钥验证（{e}）：它不是本日志签发的，或日志已被整体替换"),
                format!("the checkpoint's signature does not verify with the log's keys ({e}): it was not signed by this log, or the log was replaced whole"),
            ),
        }
    }
    // Roots expected at the sizes of trusted earlier checkpoints.
    let mut marks: BTreeMap<u64, Hash> =
        history.iter().filter(|c| c.verify_any(keys).is_ok()).map(|c| (c.checkpoint.size, c.checkpoint.root)).collect();
    if let Some((size, root)) = anchor {
        marks.insert(size, root);
    }
    let mut frontier = Frontier::new();
    let mut stored_levels: HashMap<NodeId, Hash> = HashMap::new();
    let mut last_seq: HashMap<(LeafKind, String), (i64, u64)> = HashMap::new();
    let mut missing: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut good_until = 0u64;
    let mut first_bad: Option<u64> = None;
    let mut check_mark = |frontier: &Frontier, out: &mut LogVerification| {
        if let Some(root) = marks.get(&frontier.size()) {
            if frontier.root() == *root {
                if first_bad.is_none() {
                    good_until = frontier.size();
                }
            } else if first_bad.is_none() {
                first_bad = Some(frontier.size());
                out.problem(
                    format!(
                        "日志前 {} 条与签名检查点不符：这段日志在签发后被改写（改动在第 {} 条到第 {} 条之间）",
                        frontier.size(),
                        good_until + 1,
                        frontier.size()
                    ),
                    format!(
                        "the first {} leaves differ from the signed checkpoint: the log was rewritten after signing (between leaf {} and leaf {})",
                        frontier.size(),
                        good_until + 1,
                        frontier.size()
                    ),
                );
            }
        }
    };
    check_mark(&frontier, &mut out);
    loop {
        let page = app.store.log_leaf_checks(frontier.size(), PAGE).await?;
        let Some(last) = page.last().map(|c| c.leaf.index) else { break };
        for c in &page {
            let leaf = &c.leaf;
            if leaf.index != frontier.size() {
                out.problem(
                    format!(
                        "日志第 {} 条缺失（下一条为第 {} 条）：日志被删减或重排",
                        frontier.size() + 1,
                        leaf.index + 1
                    ),
                    format!(
                        "log entry {} is missing (the next is {}): the log was cut or renumbered",
                        frontier.size() + 1,
                        leaf.index + 1
                    ),
                );
                return Ok(out);
            }
            let record = LeafRecord { kind: leaf.kind, key: leaf.key.clone(), seq: leaf.seq, digest: [0; 32] };
            let (zh, en) = record.describe();
            match (leaf.kind, expected_leaf(c)) {
                (LeafKind::SegmentStart, _) => {}
                (LeafKind::MatterEvent, None) => missing.entry(leaf.key.clone()).or_default().push(leaf.seq),
                (_, None) => out.problem(
                    format!("{zh}已被删除（日志第 {} 条记录过它）", leaf.index + 1),
                    format!("{en} was deleted (log entry {} recorded it)", leaf.index + 1),
                ),
                (_, Some(h)) if h != leaf.leaf_hash => out.problem(
                    format!("{zh}在记入日志（第 {} 条）后被改动", leaf.index + 1),
                    format!("{en} was changed after it was logged (log entry {})", leaf.index + 1),
                ),
                _ => {}
            }
            if leaf.kind != LeafKind::SegmentStart {
                let owner = (leaf.kind, leaf.key.clone());
                if let Some(&(seq, at)) = last_seq.get(&owner)
                    && seq >= leaf.seq
                {
                    out.problem(
                        format!(
                            "日志顺序被打乱：第 {} 条（{zh}）排在第 {} 条（序号 {seq}）之后",
                            leaf.index + 1,
                            at + 1
                        ),
                        format!(
                            "the log was reordered: entry {} ({en}) comes after entry {} (seq {seq})",
                            leaf.index + 1,
                            at + 1
                        ),
                    );
                }
                last_seq.insert(owner, (leaf.seq, leaf.index));
            }
            frontier.push(leaf.leaf_hash, |id, h| {
                if id.level > 0 && id.level % 4 == 0 {
                    stored_levels.insert(id, *h);
                }
            });
            check_mark(&frontier, &mut out);
        }
        if page.len() < PAGE || last + 1 != frontier.size() {
            break;
        }
    }
    out.leaves = frontier.size();
    for (matter, seqs) in &missing {
        let number = match shanzhi_domain::MatterId::parse(matter) {
            Ok(id) => app.store.matter(&id).await?.map(|m| m.number),
            Err(_) => None,
        };
        match number {
            None => out.problem(
                format!("事件 {matter} 整件被删除（日志记录过它的 {} 条处置记录）", seqs.len()),
                format!("matter {matter} was deleted whole (the log recorded {} timeline entries of it)", seqs.len()),
            ),
            Some(n) => out.problem(
                format!("事件 {n} 的处置记录第 {seqs:?} 条已被删除"),
                format!("matter {n}: timeline entries {seqs:?} were deleted"),
            ),
        }
    }
    if let Some((size, _)) = anchor
        && out.leaves < size
    {
        out.problem(
            format!("日志被截短：现有 {} 条，检查点签发时已有 {size} 条", out.leaves),
            format!("the log was truncated: it has {} leaves, the checkpoint signed {size}", out.leaves),
        );
    }
    let head = app.store.log_head().await?;
    if head.size != out.leaves || head.root != frontier.root() {
        out.problem(
            "日志头（条数与根哈希）与日志条目不符".to_owned(),
            format!("the log's head ({} leaves) does not match its {} leaves", head.size, out.leaves),
        );
    }
    let mut after = None;
    loop {
        let nodes = app.store.log_stored_nodes(after, PAGE).await?;
        let Some(last) = nodes.last().map(|(id, _)| *id) else { break };
        for (id, hash) in &nodes {
            if stored_levels.get(id) != Some(hash) {
                out.problem(
                    format!("存储的子树哈希 {id:?} 与日志条目不符（据此生成的证明将不成立）"),
                    format!(
                        "the stored subtree hash {id:?} does not match the leaves (proofs made from it would fail)"
                    ),
                );
            }
        }
        after = Some(last);
        if nodes.len() < PAGE {
            break;
        }
    }
    verify_rankings(app, &mut out).await?;
    for u in app.store.unlogged_records(LISTED).await? {
        let (zh, en) = LeafRecord { kind: u.kind, key: u.key, seq: u.seq, digest: [0; 32] }.describe();
        out.problem(
            format!("{zh}不在日志中：它是绕过日志写入的"),
            format!("{en} is not in the log: it was written behind the log's back"),
        );
    }
    Ok(out)
}

/// Published rankings replay: each one's hash is recomputed from its stored
/// bytes and the hash before it, the chain has no gap, and the columns it is
/// filed under are the ones its bytes name. (Its leaf is checked above
/// against its stored hash; this catches bytes changed behind an unchanged hash.)
async fn verify_rankings(app: &App, out: &mut LogVerification) -> AppResult<()> {
    use shanzhi_domain::ranking::{RANKING_GENESIS, RankingBody, ranking_hash};
    let mut prev = RANKING_GENESIS.to_owned();
    let mut after = 0i64;
    loop {
        let page = app.store.published_rankings(after, 1000).await?;
        for r in &page {
            let what = (
                format!("{} {} 的口碑榜（第 {} 次发布）", r.period, r.unit_kind, r.seq),
                format!("the {} ranking of {} (publication {})", r.unit_kind, r.period, r.seq),
            );
            if r.seq != after + 1 {
                out.problem(
                    format!("口碑榜第 {} 次到第 {} 次发布缺失：发布记录被删除", after + 1, r.seq - 1),
                    format!("published rankings {} to {} are missing: publications were deleted", after + 1, r.seq - 1),
                );
            } else if r.prev_hash != prev {
                out.problem(
                    format!("{}与上一次发布的哈希链不相接：发布记录被改写", what.0),
                    format!("{} does not chain to the publication before it: publications were rewritten", what.1),
                );
            }
            if ranking_hash(&r.prev_hash, r.seq, &r.body) != r.hash {
                out.problem(
                    format!("{}的内容在发布后被改动（哈希不符）", what.0),
                    format!("{} was changed after it was published (its hash does not match)", what.1),
                );
            }
            match serde_json::from_str::<RankingBody>(&r.body) {
                Ok(b) if b.period == r.period && b.by.as_str() == r.unit_kind && b.scope == r.scope => {}
                _ => out.problem(
                    format!("{}的归档信息（月份、单位类型、范围）与其内容不符", what.0),
                    format!("{} is filed under a month, unit type or scope its content does not name", what.1),
                ),
            }
            prev = r.hash.clone();
            after = r.seq;
        }
        if page.len() < 1000 {
            break;
        }
    }
    Ok(())
}
