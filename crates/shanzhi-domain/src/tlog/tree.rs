//! RFC 9162 §2.1 tree hashing: leaf and node hashes, complete subtrees
//! ([`NodeId`]), the hash of any range the RFC's recursion produces, and the
//! [`Frontier`] (the complete subtrees along the right edge) with which a log
//! is appended to without reading the tree.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use super::TlogError;

/// A SHA-256 hash.
pub type Hash = [u8; 32];

/// `SHA-256(0x00 || data)`: the hash of a leaf.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// `SHA-256(0x01 || left || right)`: the hash of an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree: `SHA-256()` of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// A complete subtree: the `2^level` leaves from `index << level`. Level 0
/// is a leaf. The hash of a complete subtree never changes once it exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    pub level: u8,
    pub index: u64,
}

impl NodeId {
    pub fn new(level: u8, index: u64) -> Self {
        NodeId { level, index }
    }

    /// The first leaf it covers.
    pub fn start(self) -> u64 {
        self.index << self.level
    }

    /// One past the last leaf it covers.
    pub fn end(self) -> u64 {
        (self.index + 1) << self.level
    }

    /// Its two halves (for a node above the leaves).
    pub fn children(self) -> Option<(NodeId, NodeId)> {
        let level = self.level.checked_sub(1)?;
        Some((NodeId::new(level, self.index * 2), NodeId::new(level, self.index * 2 + 1)))
    }

    /// The descendants `depth` levels below it, left to right.
    pub fn descendants(self, depth: u8) -> impl Iterator<Item = NodeId> {
        let level = self.level - depth.min(self.level);
        let shift = self.level - level;
        (self.index << shift..(self.index + 1) << shift).map(move |i| NodeId::new(level, i))
    }
}

/// Whatever can give the hash of a complete subtree: a map filled from the
/// store, or a tree in memory.
pub trait NodeSource {
    fn node(&self, id: NodeId) -> Option<Hash>;
}

impl NodeSource for HashMap<NodeId, Hash> {
    fn node(&self, id: NodeId) -> Option<Hash> {
        self.get(&id).copied()
    }
}

/// The largest power of two below `n` (for `n > 1`): where RFC 9162 splits a
/// list of `n` leaves.
pub fn split_point(n: u64) -> u64 {
    debug_assert!(n > 1);
    1u64 << (63 - (n - 1).leading_zeros())
}

/// The complete subtrees that make up leaves `start..end`, left to right,
/// each as large as its alignment allows. For the ranges RFC 9162's
/// recursion produces (a power-of-two-aligned start) they shrink strictly
/// from left to right and [`fold_range`] gives the range's hash.
pub fn range_nodes(start: u64, end: u64) -> Vec<NodeId> {
    let mut out = Vec::new();
    let mut at = start;
    while at < end {
        let fits = 63 - (end - at).leading_zeros();
        let aligned = if at == 0 { 63 } else { at.trailing_zeros() };
        let level = fits.min(aligned) as u8;
        out.push(NodeId::new(level, at >> level));
        at += 1u64 << level;
    }
    out
}

/// The hash of a range from its complete subtrees ([`range_nodes`] order):
/// `H(a, H(b, H(c, …)))`. The empty range is the empty root.
pub fn fold_range(hashes: &[Hash]) -> Hash {
    let Some((last, rest)) = hashes.split_last() else { return empty_root() };
    rest.iter().rev().fold(*last, |acc, h| node_hash(h, &acc))
}

/// `MTH(D[start:end])` from a node source.
pub fn range_hash(source: &impl NodeSource, start: u64, end: u64) -> Result<Hash, TlogError> {
    let hashes = range_nodes(start, end)
        .into_iter()
        .map(|id| source.node(id).ok_or(TlogError::MissingNode(id)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(fold_range(&hashes))
}

/// The hash of a complete subtree from its descendants `depth` levels down
/// (left to right): how a store that keeps only every few levels answers.
pub fn perfect_hash(mut hashes: Vec<Hash>) -> Hash {
    debug_assert!(hashes.len().is_power_of_two());
    while hashes.len() > 1 {
        hashes = hashes.chunks(2).map(|p| node_hash(&p[0], &p[1])).collect();
    }
    hashes[0]
}

/// The right edge of a tree: one complete subtree per set bit of its size,
/// largest first. Enough to append and to compute the root.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    hashes: Vec<Hash>,
}

impl Frontier {
    pub fn new() -> Self {
        Frontier::default()
    }

    /// A frontier as stored: `hashes` must hold one hash per set bit of `size`.
    pub fn from_parts(size: u64, hashes: Vec<Hash>) -> Result<Self, TlogError> {
        if hashes.len() != size.count_ones() as usize {
            return Err(TlogError::Malformed(format!(
                "a frontier of size {size} has {} subtrees, not {}",
                hashes.len(),
                size.count_ones()
            )));
        }
        Ok(Frontier { size, hashes })
    }

    /// The frontier of `size` leaves read from a node source.
    pub fn at(source: &impl NodeSource, size: u64) -> Result<Self, TlogError> {
        let hashes = range_nodes(0, size)
            .into_iter()
            .map(|id| source.node(id).ok_or(TlogError::MissingNode(id)))
            .collect::<Result<Vec<_>, _>>()?;
        Frontier::from_parts(size, hashes)
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn hashes(&self) -> &[Hash] {
        &self.hashes
    }

    /// The complete subtrees of the right edge with their ids.
    pub fn nodes(&self) -> impl Iterator<Item = (NodeId, Hash)> + '_ {
        range_nodes(0, self.size).into_iter().zip(self.hashes.iter().copied())
    }

    /// Append a leaf (by its hash). `completed` hears of every complete
    /// subtree this creates, the leaf itself (level 0) first.
    pub fn push(&mut self, leaf: Hash, mut completed: impl FnMut(NodeId, &Hash)) {
        let index = self.size;
        let mut hash = leaf;
        let mut level = 0u8;
        completed(NodeId::new(0, index), &hash);
        while index >> level & 1 == 1 {
            let left = self.hashes.pop().expect("one subtree per set bit");
            hash = node_hash(&left, &hash);
            level += 1;
            completed(NodeId::new(level, index >> level), &hash);
        }
        self.hashes.push(hash);
        self.size += 1;
    }

    /// The tree's root hash (RFC 9162 MTH).
    pub fn root(&self) -> Hash {
        fold_range(&self.hashes)
    }
}

/// A whole tree in memory, every level kept: for tests, tools and benchmarks.
#[derive(Debug, Clone, Default)]
pub struct MemoryTree {
    /// `levels[l][i]`: the complete subtree `(l, i)`.
    levels: Vec<Vec<Hash>>,
}

impl MemoryTree {
    pub fn new() -> Self {
        MemoryTree::default()
    }

    pub fn push(&mut self, leaf: Hash) {
        let mut frontier_hash = leaf;
        let mut level = 0usize;
        loop {
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            self.levels[level].push(frontier_hash);
            let n = self.levels[level].len();
            if n % 2 == 1 {
                break;
            }
            frontier_hash = node_hash(&self.levels[level][n - 2], &self.levels[level][n - 1]);
            level += 1;
        }
    }

    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// The root over the first `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Hash, TlogError> {
        range_hash(self, 0, size)
    }
}

impl NodeSource for MemoryTree {
    fn node(&self, id: NodeId) -> Option<Hash> {
        self.levels.get(id.level as usize)?.get(usize::try_from(id.index).ok()?).copied()
    }
}
