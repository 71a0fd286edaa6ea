//! The transparency log: every record's leaf is written in the record's own
//! transaction (both or neither), concurrent writers keep one tree, and the
//! stored subtree hashes give proofs that verify.

use shanzhi_domain::tlog::{
    LeafKind, LeafRecord, MemoryTree, consistency_proof, consistency_ranges, inclusion_proof, inclusion_ranges,
    nodes_of, verify_consistency, verify_inclusion,
};
use shanzhi_domain::{Command, MatterState, Micros};

use super::matters::{create, event, id, matter, new_matter, report_event, setup};
use crate::{AuditEntry, NewMatter, Store, StoredCheckpoint, SweepUpdate};

/// Every leaf matches its record, every record has a leaf, and the head is
/// the root of the stored leaves.
async fn assert_log_covers_the_records(store: &dyn Store) -> MemoryTree {
    let checks = store.log_leaf_checks(0, 100_000).await.expect("checks");
    let mut tree = MemoryTree::new();
    for (i, c) in checks.iter().enumerate() {
        assert_eq!(c.leaf.index, i as u64, "leaves are numbered without gaps");
        let record = c.record_hash.as_deref().unwrap_or_else(|| panic!("leaf {i} has no record"));
        let expected = LeafRecord { kind: c.leaf.kind, key: c.leaf.key.clone(), seq: c.leaf.seq, digest: [0; 32] };
        let expected = LeafRecord { digest: shanzhi_domain::tlog::hash_from_hex(record).expect("hex"), ..expected };
        assert_eq!(expected.leaf_hash(), c.leaf.leaf_hash, "leaf {i} commits to its record");
        tree.push(c.leaf.leaf_hash);
    }
    assert!(store.unlogged_records(10).await.expect("unlogged").is_empty(), "every record has its leaf");
    let head = store.log_head().await.expect("head");
    assert_eq!(head.size, checks.len() as u64);
    assert_eq!(head.root, tree.root_at(head.size).expect("root"), "the head is the root of the leaves");
    tree
}

pub async fn every_record_is_logged_in_its_own_transaction(store: &dyn Store) {
    setup(store).await; // divisions and a category: one audit entry
    assert_eq!(store.log_head().await.expect("head").size, 1, "the category's audit entry");
    let m = matter("m1", "510104022006001", 10, "井盖破损");
    create(store, &m, None).await;
    let first = store.matter_events(&id("m1")).await.expect("events").remove(0);
    let accept = event("m1", 2, &first.hash, &Command::Accept, Some(MatterState::Reported), MatterState::Filed);
    let mut next = store.matter(&id("m1")).await.expect("read").expect("found");
    next.status = next.status.apply(&Command::Accept).expect("fits");
    store.append_matter_event(&next, &accept, &[]).await.expect("append");
    // A sweep's supervision, a batch import, demo rows in bulk, an audit entry of its own.
    let note = Command::Supervise { note: "逾期".into(), overdue: None };
    let sup = event("m1", 3, &accept.hash, &note, Some(MatterState::Filed), MatterState::Filed);
    let update = SweepUpdate { matter: next.clone(), read_event_count: 2, event: Some(sup), notices: Vec::new() };
    assert_eq!(store.apply_sweep(&[update]).await.expect("sweep").len(), 1);
    let batch: Vec<NewMatter> = ["b1", "b2"]
        .iter()
        .map(|i| {
            let mut m = matter(i, "510104022006001", 20, "热线");
            let first = report_event(i);
            m.last_hash = first.hash.clone();
            new_matter(&m, None, &first)
        })
        .collect();
    store.create_matters(&batch, &[]).await.expect("batch");
    let mut d = matter("d1", "510104022006001", 30, "演示");
    d.number = "510104-20261128-000900".to_owned();
    let e = report_event("d1");
    store.insert_matters_bulk(&[(d, vec![e])]).await.expect("bulk");
    store.append_audit(&AuditEntry::new("tester", "log.test", "x")).await.expect("audit");
    let tree = assert_log_covers_the_records(store).await;
    assert_eq!(tree.size(), 1 + 3 + 2 + 1 + 1);
    let of_m1 = store.log_leaves_of(LeafKind::MatterEvent, "m1").await.expect("leaves of m1");
    assert_eq!(of_m1.iter().map(|l| l.seq).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(of_m1.windows(2).all(|w| w[0].index < w[1].index));
    let leaves = store.log_leaves(2, 3).await.expect("page");
    assert_eq!(leaves.iter().map(|l| l.index).collect::<Vec<_>>(), [2, 3, 4]);
}

pub async fn a_refused_write_leaves_no_leaf(store: &dyn Store) {
    setup(store).await;
    let m = matter("m1", "510104022006001", 10, "井盖破损");
    create(store, &m, None).await;
    let before = store.log_head().await.expect("head");
    // A timeline entry whose number is taken: refused by the key, with no leaf.
    let first = store.matter_events(&id("m1")).await.expect("events").remove(0);
    let clash = event("m1", 1, &first.hash, &Command::Accept, Some(MatterState::Reported), MatterState::Filed);
    let next = store.matter(&id("m1")).await.expect("read").expect("found");
    assert!(store.append_matter_event(&next, &clash, &[]).await.is_err());
    // A batch with one bad row: none of its matters, none of its leaves.
    let mut bad = matter("b2", "510104022006001", 20, "热线");
    bad.category_version = 99;
    let batch: Vec<NewMatter> = [matter("b1", "510104022006001", 20, "热线"), bad]
        .into_iter()
        .map(|m| {
            let first = report_event(m.id.as_str());
            new_matter(&m, None, &first)
        })
        .collect();
    assert!(store.create_matters(&batch, &[]).await.is_err());
    // A retried report finds its matter: no second leaf.
    create(store, &matter("k1", "510104022006001", 30, "重试"), Some("key")).await;
    let after_first = store.log_head().await.expect("head");
    create(store, &matter("k2", "510104022006001", 31, "重试"), Some("key")).await;
    assert_eq!(store.log_head().await.expect("head"), after_first, "a repeat writes nothing");
    assert_eq!(after_first.size, before.size + 1, "only the new report was logged");
    assert_log_covers_the_records(store).await;
}

pub async fn concurrent_writers_keep_one_tree_and_its_proofs_verify(store: &dyn Store) {
    setup(store).await;
    let reports = futures_util::future::join_all((0..24).map(|i| async move {
        let mut m = matter(&format!("c{i:02}"), "510104022006001", 100 + i, "并发上报");
        let first = report_event(m.id.as_str());
        m.last_hash = first.hash.clone();
        store.create_matter(&new_matter(&m, None, &first)).await.expect("create");
        store.append_audit(&AuditEntry::new("tester", "log.concurrent", &format!("c{i}"))).await.expect("audit")
    }))
    .await;
    assert_eq!(reports.len(), 24);
    let tree = assert_log_covers_the_records(store).await;
    let head = store.log_head().await.expect("head");
    assert_eq!(head.size, 1 + 48);
    // Proofs from the stored hashes verify, for every leaf and every earlier size.
    for index in 0..head.size {
        let ranges = inclusion_ranges(index, head.size).expect("ranges");
        let nodes = store.log_nodes(&nodes_of(&ranges)).await.expect("nodes");
        let proof = inclusion_proof(&nodes, index, head.size).expect("proof");
        assert_eq!(proof, inclusion_proof(&tree, index, head.size).expect("in memory"));
        let leaf = store.log_leaves(index, 1).await.expect("leaf").remove(0).leaf_hash;
        verify_inclusion(index, head.size, &leaf, &proof, &head.root).expect("verifies");
    }
    for old in 1..head.size {
        let nodes = store.log_nodes(&nodes_of(&consistency_ranges(old, head.size).expect("ranges"))).await;
        let proof = consistency_proof(&nodes.expect("nodes"), old, head.size).expect("proof");
        let old_root = tree.root_at(old).expect("old root");
        verify_consistency(old, head.size, &old_root, &head.root, &proof).expect("consistent");
    }
}

pub async fn checkpoints_and_witnessed_heads_are_kept(store: &dyn Store) {
    let head = store.log_head().await.expect("head");
    for (i, at) in [10, 20].into_iter().enumerate() {
        let c = StoredCheckpoint {
            size: head.size + i as u64,
            root: [i as u8; 32],
            issued_at: Micros::new(at),
            key: "log+00000000+AAAA".to_owned(),
            note: format!("note {i}"),
        };
        store.save_checkpoint(&c).await.expect("save");
    }
    let kept = store.checkpoints(10).await.expect("read");
    assert_eq!(kept.iter().map(|c| c.note.as_str()).collect::<Vec<_>>(), ["note 1", "note 0"], "newest first");
    assert_eq!(kept[0].root, [1; 32]);
    assert_eq!(store.witnessed("a.example/log").await.expect("read"), None);
    assert!(store.put_witnessed("a.example/log", None, 5, "five").await.expect("first"));
    assert!(!store.put_witnessed("a.example/log", None, 6, "six").await.expect("raced"), "someone got there first");
    assert!(!store.put_witnessed("a.example/log", Some(4), 6, "six").await.expect("stale"), "stale read");
    assert!(store.put_witnessed("a.example/log", Some(5), 7, "seven").await.expect("next"));
    assert_eq!(store.witnessed("a.example/log").await.expect("read"), Some((7, "seven".to_owned())));
    // A segment's first leaf is appended on its own.
    let leaf = LeafRecord::segment_start("old.example/log", 3, "old checkpoint\n");
    assert_eq!(store.append_log_leaf(&leaf).await.expect("append"), head.size);
    assert_eq!(store.log_leaves(head.size, 1).await.expect("read")[0].kind, LeafKind::SegmentStart);
}
