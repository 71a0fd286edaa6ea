//! Known answers (Certificate Transparency's RFC 6962 test tree, Go's
//! `sumdb/note` example key) and property tests of the proofs against a
//! naive recomputation of RFC 9162's definitions.

use proptest::prelude::*;

use super::*;
use crate::Micros;
use crate::matter::ClockMark;
use crate::timing::Stage;

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
}

fn h(s: &str) -> Hash {
    unhex(s).try_into().expect("32 bytes")
}

/// The eight leaves of the CT test suites (RFC 6962 implementations).
fn ct_leaves() -> Vec<Hash> {
    ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
        .iter()
        .map(|d| leaf_hash(&unhex(d)))
        .collect()
}

const CT_ROOTS: [&str; 8] = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

fn tree_of(leaves: &[Hash]) -> MemoryTree {
    let mut t = MemoryTree::new();
    for l in leaves {
        t.push(*l);
    }
    t
}

/// MTH by RFC 9162's recursive definition, nothing shared with the code under test.
fn naive_root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = 1usize << (usize::BITS - 1 - (n - 1).leading_zeros());
            node_hash(&naive_root(&leaves[..k]), &naive_root(&leaves[k..]))
        }
    }
}

fn naive_path(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    let n = leaves.len();
    if n <= 1 {
        return Vec::new();
    }
    let k = 1usize << (usize::BITS - 1 - (n - 1).leading_zeros());
    if m < k {
        let mut p = naive_path(m, &leaves[..k]);
        p.push(naive_root(&leaves[k..]));
        p
    } else {
        let mut p = naive_path(m - k, &leaves[k..]);
        p.push(naive_root(&leaves[..k]));
        p
    }
}

fn naive_subproof(m: usize, leaves: &[Hash], whole: bool) -> Vec<Hash> {
    let n = leaves.len();
    if m == n {
        return if whole { Vec::new() } else { vec![naive_root(leaves)] };
    }
    let k = 1usize << (usize::BITS - 1 - (n - 1).leading_zeros());
    if m <= k {
        let mut p = naive_subproof(m, &leaves[..k], whole);
        p.push(naive_root(&leaves[k..]));
        p
    } else {
        let mut p = naive_subproof(m - k, &leaves[k..], false);
        p.push(naive_root(&leaves[..k]));
        p
    }
}

fn leaves(n: usize, salt: u8) -> Vec<Hash> {
    (0..n).map(|i| leaf_hash(&[salt, (i >> 16) as u8, (i >> 8) as u8, i as u8])).collect()
}

#[test]
fn the_roots_of_the_ct_test_tree_match() {
    let leaves = ct_leaves();
    let tree = tree_of(&leaves);
    assert_eq!(tree.root_at(0).expect("empty"), h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    let mut frontier = Frontier::new();
    for (n, want) in CT_ROOTS.iter().enumerate() {
        frontier.push(leaves[n], |_, _| {});
        assert_eq!(tree.root_at(n as u64 + 1).expect("root"), h(want), "size {}", n + 1);
        assert_eq!(frontier.root(), h(want), "frontier at size {}", n + 1);
    }
}

#[test]
fn the_ct_inclusion_and_consistency_vectors_match() {
    let tree = tree_of(&ct_leaves());
    let inclusion: [(u64, u64, &[&str]); 4] = [
        (
            0,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            5,
            8,
            &[
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (2, 3, &["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        (
            1,
            5,
            &[
                "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
    ];
    for (index, size, want) in inclusion {
        let proof = inclusion_proof(&tree, index, size).expect("proof");
        assert_eq!(proof, want.iter().map(|s| h(s)).collect::<Vec<_>>(), "inclusion {index} in {size}");
        let leaf = tree.node(NodeId::new(0, index)).expect("leaf");
        verify_inclusion(index, size, &leaf, &proof, &h(CT_ROOTS[size as usize - 1])).expect("verifies");
    }
    let consistency: [(u64, u64, &[&str]); 3] = [
        (
            1,
            8,
            &[
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
        ),
        (
            6,
            8,
            &[
                "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ),
        (
            2,
            5,
            &[
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            ],
        ),
    ];
    for (old, new, want) in consistency {
        let proof = consistency_proof(&tree, old, new).expect("proof");
        assert_eq!(proof, want.iter().map(|s| h(s)).collect::<Vec<_>>(), "consistency {old}→{new}");
        let (a, b) = (h(CT_ROOTS[old as usize - 1]), h(CT_ROOTS[new as usize - 1]));
        verify_consistency(old, new, &a, &b, &proof).expect("verifies");
        assert!(verify_consistency(old, new, &b, &a, &proof).is_err(), "swapped roots");
        assert!(verify_consistency(old, new, &a, &b, &proof[..proof.len() - 1]).is_err(), "truncated");
    }
    // The edge cases of the CT suite.
    let r = h(CT_ROOTS[0]);
    assert!(verify_consistency(0, 1, &empty_root(), &r, &[]).is_ok());
    assert!(verify_consistency(1, 1, &r, &r, &[]).is_ok());
    assert!(verify_consistency(1, 1, &r, &r, &[r]).is_err(), "equal sizes need an empty proof");
    assert!(verify_consistency(2, 1, &r, &r, &[]).is_err(), "no time travel");
    assert!(verify_consistency(1, 2, &r, &h(CT_ROOTS[1]), &[]).is_err(), "an empty proof proves nothing");
    assert!(verify_inclusion(0, 0, &r, &[], &r).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn inclusion_proofs_match_the_rfc_and_verify_only_themselves(size in 1usize..300, pick in 0usize..10_000, salt: u8) {
        let leaves = leaves(size, salt);
        let tree = tree_of(&leaves);
        let index = pick % size;
        let root = naive_root(&leaves);
        prop_assert_eq!(tree.root_at(size as u64).expect("root"), root);
        let proof = inclusion_proof(&tree, index as u64, size as u64).expect("proof");
        prop_assert_eq!(&proof, &naive_path(index, &leaves));
        prop_assert!(verify_inclusion(index as u64, size as u64, &leaves[index], &proof, &root).is_ok());
        // Another leaf, index, size or a flipped bit: refused.
        let other = (index + 1) % size;
        if other != index {
            prop_assert!(verify_inclusion(other as u64, size as u64, &leaves[index], &proof, &root).is_err());
            prop_assert!(verify_inclusion(index as u64, size as u64, &leaves[other], &proof, &root).is_err());
        }
        prop_assert!(verify_inclusion(index as u64, 2 * size as u64, &leaves[index], &proof, &root).is_err());
        if let Some(first) = proof.first() {
            let mut bad = proof.clone();
            bad[0][pick % 32] ^= 1;
            prop_assert_ne!(&bad[0], first);
            prop_assert!(verify_inclusion(index as u64, size as u64, &leaves[index], &bad, &root).is_err());
        }
    }

    #[test]
    fn consistency_proofs_match_the_rfc_and_fail_for_a_rewritten_past(new in 1usize..300, pick in 0usize..10_000, salt: u8) {
        let leaves = leaves(new, salt);
        let tree = tree_of(&leaves);
        let old = 1 + pick % new;
        let (old_root, new_root) = (naive_root(&leaves[..old]), naive_root(&leaves));
        let proof = consistency_proof(&tree, old as u64, new as u64).expect("proof");
        let want = if old == new { Vec::new() } else { naive_subproof(old, &leaves, true) };
        prop_assert_eq!(&proof, &want);
        prop_assert!(verify_consistency(old as u64, new as u64, &old_root, &new_root, &proof).is_ok());
        // A past that was rewritten (one old leaf changed) is not consistent.
        let mut forged = leaves.clone();
        forged[pick % old][0] ^= 1;
        let forged_root = naive_root(&forged[..old]);
        prop_assert!(verify_consistency(old as u64, new as u64, &forged_root, &new_root, &proof).is_err());
        if old < new {
            prop_assert!(verify_consistency(old as u64, new as u64, &old_root, &naive_root(&forged), &proof).is_err());
        }
    }

    #[test]
    fn the_frontier_appends_what_the_whole_tree_holds(size in 0usize..600, salt: u8) {
        let leaves = leaves(size, salt);
        let tree = tree_of(&leaves);
        let mut frontier = Frontier::new();
        let mut completed = Vec::new();
        for l in &leaves {
            frontier.push(*l, |id, hash| completed.push((id, *hash)));
        }
        prop_assert_eq!(frontier.root(), naive_root(&leaves));
        for (id, hash) in completed {
            prop_assert_eq!(tree.node(id), Some(hash));
        }
        prop_assert_eq!(Frontier::at(&tree, size as u64).expect("frontier"), frontier.clone());
        let stored = Frontier::from_parts(frontier.size(), frontier.hashes().to_vec()).expect("parts");
        prop_assert_eq!(stored.root(), frontier.root());
        // Hashes of a stored level rebuild the levels above it.
        if size >= 16 {
            let id = NodeId::new(4, 0);
            let parts: Vec<Hash> = id.descendants(2).map(|d| tree.node(d).expect("node")).collect();
            prop_assert_eq!(Some(perfect_hash(parts)), tree.node(id));
        }
    }

    #[test]
    fn leaves_read_back_as_written(key in "[a-z0-9-]{0,40}", seq: i64, digest: [u8; 32], kind in 0usize..3) {
        let leaf = LeafRecord { kind: LeafKind::ALL[kind], key, seq, digest };
        let bytes = leaf.encode();
        prop_assert_eq!(LeafRecord::decode(&bytes).expect("decodes"), leaf.clone());
        let mut longer = bytes.clone();
        longer.push(0);
        prop_assert!(LeafRecord::decode(&longer).is_err());
        prop_assert!(LeafRecord::decode(&bytes[..bytes.len() - 1]).is_err());
    }
}

#[test]
fn a_matter_event_leaf_commits_to_matter_seq_and_hash() {
    let hash = "9300d9b31624ea4a2a6ea992b32d1dba4a3dfa32cc925224e746d9d4ec9a534f";
    let none = ClockMark::default();
    let leaf = LeafRecord::matter_event("m1", 3, hash, &none).expect("leaf");
    let bytes = leaf.encode();
    assert_eq!(&bytes[..6], &[1, 1, 0, 2, b'm', b'1']);
    assert_eq!(&bytes[6..14], &3i64.to_be_bytes());
    assert_eq!(hash_to_hex(&bytes[14..].try_into().expect("32")), hash);
    assert_ne!(leaf.leaf_hash(), LeafRecord::matter_event("m1", 4, hash, &none).expect("leaf").leaf_hash());
    assert_ne!(leaf.leaf_hash(), LeafRecord::matter_event("m2", 3, hash, &none).expect("leaf").leaf_hash());
    assert_ne!(leaf.leaf_hash(), LeafRecord::audit(3, hash).expect("leaf").leaf_hash());
    assert!(LeafRecord::matter_event("m1", 3, "not hex", &none).is_err());
}

#[test]
fn a_matter_event_leaf_commits_to_its_clock_mark() {
    let hash = "9300d9b31624ea4a2a6ea992b32d1dba4a3dfa32cc925224e746d9d4ec9a534f";
    let mark = |stage, deadline: Option<i64>| ClockMark { stage, deadline: deadline.map(Micros::new) };
    let digest = |m: &ClockMark| LeafRecord::matter_event("m1", 3, hash, m).expect("leaf").digest;
    let handle = mark(Some(Stage::Handle), Some(1_800_000_000_000_000));
    // Unmarked entries (written before marks) keep their hash as the digest.
    assert_eq!(hash_to_hex(&digest(&ClockMark::default())), hash);
    assert_ne!(hash_to_hex(&digest(&handle)), hash);
    // Moving the deadline by a microsecond, or changing the stage, changes the leaf.
    assert_ne!(digest(&handle), digest(&mark(Some(Stage::Handle), Some(1_800_000_000_000_001))));
    assert_ne!(digest(&handle), digest(&mark(Some(Stage::Sign), Some(1_800_000_000_000_000))));
    assert_ne!(digest(&mark(Some(Stage::Handle), None)), digest(&ClockMark::default()));
    // The store recomputes the same digest from the columns it keeps.
    assert_eq!(
        digest(&handle),
        matter_event_digest(hash, Some(Stage::Handle.as_str()), Some(1_800_000_000_000_000)).expect("digest")
    );
}

const GO_SKEY: &str = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const GO_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const GO_TEXT: &str =
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_SIG: &str =
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

#[test]
fn notes_match_go_sumdb_byte_for_byte() {
    let key = SecretKey::parse(GO_SKEY).expect("key");
    assert_eq!(key.to_text(), GO_SKEY);
    assert_eq!(key.verifier().to_text(), GO_VKEY);
    let note = Note::sign(GO_TEXT, &key).expect("sign");
    assert_eq!(note.to_text(), format!("{GO_TEXT}\n{GO_SIG}"));
    let vkey = VerifierKey::parse(GO_VKEY).expect("vkey");
    let read = Note::parse(&note.to_text()).expect("parse");
    read.verify(&vkey).expect("verifies");
    let edited = Note::parse(&note.to_text().replacen("cryptography", "encryption", 1)).expect("parse");
    assert!(edited.verify(&vkey).is_err(), "an edited text fails");
    let other = SecretKey::from_seed("PeterNeumann", [7; 32]).expect("key");
    assert!(read.verify(&other.verifier()).is_err(), "another key with the same name fails");
    for bad in ["", "text\n", "text\n\nno signature\n", "text\n\n— a b\n", &format!("{GO_TEXT}\n{}", GO_SIG.trim_end())]
    {
        assert!(Note::parse(bad).is_err(), "{bad:?}");
    }
    assert!(SecretKey::parse(&GO_SKEY.replace("c74f20a3", "c74f20a4")).is_err(), "a wrong id is refused");
}

#[test]
fn checkpoints_are_signed_and_cosigned() {
    let log = SecretKey::from_seed("shanzhi.example/log", [1; 32]).expect("key");
    let at: jiff::Timestamp = "2026-11-30T08:00:00.5Z".parse().expect("time");
    let cp = Checkpoint::new("shanzhi.example/log", 20_852_163, [9; 32], at);
    assert_eq!(
        cp.body(),
        "shanzhi.example/log\n20852163\nCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=\nissued 2026-11-30T08:00:01Z\n"
    );
    let signed = SignedCheckpoint::sign(cp.clone(), &log).expect("sign");
    let read = SignedCheckpoint::parse(&signed.to_text()).expect("parse");
    assert_eq!(read.checkpoint, cp);
    assert_eq!(read.checkpoint.issued(), Some("2026-11-30T08:00:01Z".parse().expect("time")));
    read.verify(&log.verifier()).expect("verifies");
    let forged = signed.to_text().replace("20852163", "20852162");
    assert!(SignedCheckpoint::parse(&forged).expect("parse").verify(&log.verifier()).is_err());
    let stranger = SecretKey::from_seed("other.example/log", [2; 32]).expect("key");
    assert!(read.verify(&stranger.verifier()).is_err());
    assert_eq!(read.verify_any(&[stranger.verifier(), log.verifier()]).expect("one of them").name, log.name());

    let witness = SecretKey::from_seed("witness.example/w1", [3; 32]).expect("key");
    let mut cosigned = read.note.clone();
    cosigned.add_signature(witness.cosign(1_679_315_147, &read.note.text));
    let text = cosigned.to_text();
    let again = Note::parse(&text).expect("parse");
    assert_eq!(again.cosigned_by(&witness.verifier()).expect("cosigned"), 1_679_315_147);
    again.verify(&log.verifier()).expect("the log's signature stays");
    assert!(again.cosigned_by(&log.verifier()).is_err(), "the log did not cosign");
    for bad in
        ["x\n", "o\n01\nAAAA\n", "o\n1\nAAAA\n", "o\n1\n\n", "o\n-1\nCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=\n"]
    {
        assert!(Checkpoint::parse(bad).is_err(), "{bad:?}");
    }
}
