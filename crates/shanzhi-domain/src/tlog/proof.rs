//! Inclusion and consistency proofs: which subtree hashes a proof is made of
//! (RFC 9162 §2.1.3.1 `PATH`, §2.1.4.1 `SUBPROOF`), filling them from a
//! [`NodeSource`], and the verification algorithms of §2.1.3.2 and §2.1.4.2
//! exactly as the RFC states them.

use std::collections::BTreeSet;

use super::TlogError;
use super::tree::{Hash, NodeId, NodeSource, node_hash, range_hash, range_nodes, split_point};

/// A leaf range `start..end` whose hash is one element of a proof.
pub type Range = (u64, u64);

/// The ranges whose hashes form the inclusion proof of leaf `index` in the
/// tree of `size` leaves, in proof order (the leaf's sibling first).
pub fn inclusion_ranges(index: u64, size: u64) -> Result<Vec<Range>, TlogError> {
    if index >= size {
        return Err(TlogError::OutOfRange { index, size });
    }
    let mut out = Vec::new();
    path(index, 0, size, &mut out);
    Ok(out)
}

/// `PATH(m, D[lo:hi])`, pushed in proof order.
fn path(m: u64, lo: u64, hi: u64, out: &mut Vec<Range>) {
    let n = hi - lo;
    if n <= 1 {
        return;
    }
    let k = split_point(n);
    if m < lo + k {
        path(m, lo, lo + k, out);
        out.push((lo + k, hi));
    } else {
        path(m, lo + k, hi, out);
        out.push((lo, lo + k));
    }
}

/// The ranges whose hashes form the consistency proof from the tree of `old`
/// leaves to the tree of `new` leaves (empty when `old` is 0 or equals `new`).
pub fn consistency_ranges(old: u64, new: u64) -> Result<Vec<Range>, TlogError> {
    if old > new {
        return Err(TlogError::OutOfRange { index: old, size: new });
    }
    let mut out = Vec::new();
    if old > 0 && old < new {
        subproof(old, 0, new, true, &mut out);
    }
    Ok(out)
}

/// `SUBPROOF(m, D[lo:hi], b)`, with `m` counted from `lo`.
fn subproof(m: u64, lo: u64, hi: u64, whole: bool, out: &mut Vec<Range>) {
    let n = hi - lo;
    if m == n {
        if !whole {
            out.push((lo, hi));
        }
        return;
    }
    let k = split_point(n);
    if m <= k {
        subproof(m, lo, lo + k, whole, out);
        out.push((lo + k, hi));
    } else {
        subproof(m - k, lo + k, hi, false, out);
        out.push((lo, lo + k));
    }
}

/// Every complete subtree the given ranges are made of (what a store fetches).
pub fn nodes_of(ranges: &[Range]) -> BTreeSet<NodeId> {
    ranges.iter().flat_map(|&(s, e)| range_nodes(s, e)).collect()
}

/// The hashes of `ranges` from `source`.
pub fn fill(source: &impl NodeSource, ranges: &[Range]) -> Result<Vec<Hash>, TlogError> {
    ranges.iter().map(|&(s, e)| range_hash(source, s, e)).collect()
}

/// The inclusion proof of leaf `index` in the tree of `size` leaves.
pub fn inclusion_proof(source: &impl NodeSource, index: u64, size: u64) -> Result<Vec<Hash>, TlogError> {
    fill(source, &inclusion_ranges(index, size)?)
}

/// The consistency proof from `old` to `new` leaves.
pub fn consistency_proof(source: &impl NodeSource, old: u64, new: u64) -> Result<Vec<Hash>, TlogError> {
    fill(source, &consistency_ranges(old, new)?)
}

/// Why a proof does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("leaf index {index} is not below the tree size {size}")]
    IndexBeyondSize { index: u64, size: u64 },
    #[error("the old tree size {old} is larger than the new one {new}")]
    SizesReversed { old: u64, new: u64 },
    #[error("the proof has the wrong number of hashes")]
    WrongLength,
    #[error("the proof does not lead to the expected root hash")]
    RootMismatch,
}

/// The walk up the tree that both RFC 9162 verifications make: for each hash
/// of `path`, `step(hash, true)` when it is the left sibling of the node on
/// the way up from node `fnode` of a level whose last node is `snode`, else
/// `step(hash, false)`. The path must end exactly at the root.
fn walk_path(
    mut fnode: u64,
    mut snode: u64,
    path: &[Hash],
    mut step: impl FnMut(&Hash, bool),
) -> Result<(), ProofError> {
    for c in path {
        if snode == 0 {
            return Err(ProofError::WrongLength);
        }
        if fnode & 1 == 1 || fnode == snode {
            step(c, true);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            step(c, false);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::WrongLength);
    }
    Ok(())
}

/// RFC 9162 §2.1.3.2: does `proof` show the leaf with hash `leaf` at `index`
/// in the tree of `size` leaves whose root is `root`?
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexBeyondSize { index, size });
    }
    let mut r = *leaf;
    walk_path(index, size - 1, proof, |p, left| r = if left { node_hash(p, &r) } else { node_hash(&r, p) })?;
    if &r != root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// RFC 9162 §2.1.4.2: does `proof` show that the tree of `new` leaves with
/// root `new_root` extends the tree of `old` leaves with root `old_root`?
/// (Equal sizes need an empty proof and equal roots; every tree extends the
/// empty one.)
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old > new {
        return Err(ProofError::SizesReversed { old, new });
    }
    if old == new {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength);
        }
        return if old_root == new_root { Ok(()) } else { Err(ProofError::RootMismatch) };
    }
    if old == 0 {
        return if proof.is_empty() { Ok(()) } else { Err(ProofError::WrongLength) };
    }
    if proof.is_empty() {
        return Err(ProofError::WrongLength);
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let (mut fnode, mut snode) = (old - 1, new - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    walk_path(fnode, snode, &path[1..], |c, left| {
        if left {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
        } else {
            sr = node_hash(&sr, c);
        }
    })?;
    if &fr != old_root || &sr != new_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}
