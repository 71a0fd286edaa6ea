//! The transparency log's costs (issue 23):
//!
//!   cargo bench -p shanzhi-app --bench tlog            (TLOG_EVENTS=1000000 TLOG_PROOF_LEAVES=20000000 by default)
//!
//! 1. Append cost per event on SQLite (`synchronous=FULL`): a command's
//!    transaction with its leaf, a transaction holding only a leaf, and the
//!    marginal cost of a leaf inside a batch (what a group commit pays).
//! 2. Proof time at 20 million leaves: the tree laid out as the store keeps
//!    it (leaf hashes, subtree hashes every fourth level), in memory; and
//!    the same proofs from the SQLite store of step 3.
//! 3. Verify time for 1 million timeline entries: `verify_log` over a SQLite
//!    store of demo matters (signature, every leaf against its record, the
//!    root, stored hashes), and the older chain-and-replay checks beside it.

use std::time::{Duration, Instant};

use shanzhi_app::{App, NoProgress};
use shanzhi_domain::tlog::{
    Checkpoint, Frontier, Hash, LeafRecord, NodeId, NodeSource, SecretKey, SignedCheckpoint, consistency_proof,
    inclusion_proof, inclusion_ranges, leaf_hash, nodes_of, perfect_hash, verify_consistency, verify_inclusion,
};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn per(d: Duration, n: u64) -> String {
    let us = d.as_secs_f64() * 1e6 / n.max(1) as f64;
    if us >= 1000.0 { format!("{:.2} ms", us / 1000.0) } else { format!("{us:.1} µs") }
}

/// The store's layout in memory: leaf hashes, and subtree hashes at every
/// fourth level; other levels folded from the stored level below.
struct StoredLayout {
    levels: Vec<Vec<Hash>>,
}

impl StoredLayout {
    fn build(n: u64) -> Self {
        let mut levels: Vec<Vec<Hash>> = vec![Vec::with_capacity(n as usize)];
        let mut frontier = Frontier::new();
        for i in 0..n {
            frontier.push(leaf_hash(&i.to_be_bytes()), |id, h| {
                if id.level % 4 == 0 {
                    let l = usize::from(id.level / 4);
                    if levels.len() <= l {
                        levels.push(Vec::new());
                    }
                    levels[l].push(*h);
                }
            });
        }
        StoredLayout { levels }
    }
}

impl NodeSource for StoredLayout {
    fn node(&self, id: NodeId) -> Option<Hash> {
        let depth = id.level % 4;
        let base = &self.levels[usize::from(id.level / 4)];
        let parts: Option<Vec<Hash>> =
            id.descendants(depth).map(|d| base.get(usize::try_from(d.index).ok()?).copied()).collect();
        Some(perfect_hash(parts?))
    }
}

fn proofs_in_memory(n: u64) {
    let started = Instant::now();
    let tree = StoredLayout::build(n);
    let root = Frontier::at(&tree, n).expect("frontier").root();
    println!("proofs: {n} leaves hashed and laid out in {:.1} s", started.elapsed().as_secs_f64());
    let rounds = 20_000u64;
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let started = Instant::now();
    for _ in 0..rounds {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let index = x % n;
        let proof = inclusion_proof(&tree, index, n).expect("proof");
        verify_inclusion(index, n, &tree.node(NodeId::new(0, index)).expect("leaf"), &proof, &root).expect("ok");
    }
    let took = started.elapsed();
    println!(
        "proofs: inclusion proof + verification at {n} leaves: {} each ({rounds} random leaves)",
        per(took, rounds)
    );
    let started = Instant::now();
    for i in 0..rounds {
        let old = 1 + (i * 997) % (n - 1);
        let proof = consistency_proof(&tree, old, n).expect("proof");
        let old_root = Frontier::at(&tree, old).expect("old").root();
        verify_consistency(old, n, &old_root, &root, &proof).expect("consistent");
    }
    println!("proofs: consistency proof + verification at {n} leaves: {} each", per(started.elapsed(), rounds));
    let ids = nodes_of(&inclusion_ranges(n / 3, n).expect("ranges"));
    println!("proofs: an inclusion proof at {n} leaves reads {} subtree hashes (≤ 8 stored rows each)", ids.len());
}

#[tokio::main]
async fn main() {
    let events = env("TLOG_EVENTS", 1_000_000);
    let proof_leaves = env("TLOG_PROOF_LEAVES", 20_000_000);
    let db = shanzhi_testkit::test_db().await;
    let store = db.fixture.store.clone();

    // 1. Appends.
    let n = 300u64;
    let started = Instant::now();
    for i in 0..n {
        let leaf = LeafRecord::segment_start("bench.example/old", i, "a checkpoint\n");
        store.append_log_leaf(&leaf).await.expect("append");
    }
    println!("append: a transaction holding one leaf (SQLite, synchronous=FULL): {} each", per(started.elapsed(), n));
    let started = Instant::now();
    for i in 0..n {
        store.append_audit(&shanzhi_store::AuditEntry::new("bench", "bench", &format!("e{i}"))).await.expect("audit");
    }
    println!("append: an audit entry with its leaf, one transaction each: {} each", per(started.elapsed(), n));

    // 3. A store of about `events` timeline entries, then verification.
    let (app, key) = App::new(store.clone());
    let operator = app.operator(&key);
    operator.load_demo().await.expect("demo");
    let started = Instant::now();
    let mut written = store.log_head().await.expect("head").size;
    let mut seed = 1;
    while written < events {
        let options = shanzhi_app::matters::DemoOptions {
            count: ((events - written) / 4).clamp(1000, 50_000) as usize,
            seed,
            open_only: false,
            spread_hours: 24 * 60,
            within: None,
        };
        operator.generate_demo_matters_with(&options, &NoProgress).await.expect("demo matters");
        seed += 1;
        written = store.log_head().await.expect("head").size;
    }
    let took = started.elapsed();
    println!(
        "append: {written} leaves in bulk transactions (demo rows with their leaves): {:.1} s, {} per entry",
        took.as_secs_f64(),
        per(took, written)
    );
    let head = store.log_head().await.expect("head");
    let key_pair = SecretKey::from_seed("bench.example/log", [5; 32]).expect("key");
    let cp = SignedCheckpoint::sign(
        Checkpoint::new("bench.example/log", head.size, head.root, jiff::Timestamp::now()),
        &key_pair,
    )
    .expect("sign");
    let started = Instant::now();
    let v = shanzhi_app::tlog::verify_log(&app, Some(&cp), &[shanzhi_domain::tlog::Signer::verifier(&key_pair)], &[])
        .await
        .expect("verify");
    assert!(v.problems.is_empty(), "{:?}", v.problems);
    println!(
        "verify: the log of {} leaves against a checkpoint (every leaf against its record): {:.1} s",
        v.leaves,
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let chains = shanzhi_app::matters::verify_matter_chains(&app).await.expect("chains");
    println!(
        "verify: the older checks, {} timelines ({} entries) chained and replayed: {:.1} s",
        chains.matters,
        chains.events,
        started.elapsed().as_secs_f64()
    );
    let rounds = 2000u64;
    let started = Instant::now();
    for i in 0..rounds {
        let index = (i * 7919) % head.size;
        app.log_inclusion(index, Some(head.size)).await.expect("proof");
    }
    println!("proofs: inclusion proof from SQLite at {} leaves: {} each", head.size, per(started.elapsed(), rounds));

    // 2. Proofs at 20 million leaves, in memory in the store's layout.
    proofs_in_memory(proof_leaves);
}
