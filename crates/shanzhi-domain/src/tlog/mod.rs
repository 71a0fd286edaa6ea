//! The transparency log (透明日志): one append-only Merkle tree (RFC 9162
//! §2.1 hashing) over every record that must be trusted — timeline entries,
//! the admin audit log, and later kinds — with checkpoints in the C2SP
//! `tlog-checkpoint` format, signed as C2SP signed notes with Ed25519.
//!
//! Pure: no IO. The store keeps leaves and subtree hashes; the application
//! signs and verifies with what is here.

mod leaf;
mod note;
mod proof;
mod tree;

#[cfg(test)]
mod tests;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

pub use leaf::{LEAF_VERSION, LeafKind, LeafRecord, MAX_KEY_BYTES, hash_from_hex, hash_to_hex, matter_event_digest};
pub use note::{
    ALG_COSIGNATURE_V1, ALG_ED25519, MAX_NOTE_BYTES, Note, NoteSignature, SecretKey, Signer, VerifierKey, cosign,
    key_id,
};
pub use proof::{
    ProofError, Range, consistency_proof, consistency_ranges, fill, inclusion_proof, inclusion_ranges, nodes_of,
    verify_consistency, verify_inclusion,
};
pub use tree::{
    Frontier, Hash, MemoryTree, NodeId, NodeSource, empty_root, fold_range, leaf_hash, node_hash, perfect_hash,
    range_hash, range_nodes, split_point,
};

/// What went wrong with log data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlogError {
    #[error("index {index} is beyond the tree size {size}")]
    OutOfRange { index: u64, size: u64 },
    #[error("the hash of subtree {0:?} is missing")]
    MissingNode(NodeId),
    #[error("malformed: {0}")]
    Malformed(String),
    #[error("signature: {0}")]
    Signature(String),
}

/// The extension line that carries a checkpoint's signing time.
const ISSUED: &str = "issued ";

/// A checkpoint (`c2sp.org/tlog-checkpoint`): the log's origin, its size and
/// root hash, and extension lines (here `issued <RFC 3339 time>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub origin: String,
    pub size: u64,
    pub root: Hash,
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// A checkpoint issued at `issued`.
    pub fn new(origin: &str, size: u64, root: Hash, issued: jiff::Timestamp) -> Self {
        let issued = issued.round(jiff::Unit::Second).unwrap_or(issued);
        Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
            extensions: vec![format!("{ISSUED}{}", issued.strftime("%Y-%m-%dT%H:%M:%SZ"))],
        }
    }

    /// The note text: origin, size, base64 root, extension lines.
    pub fn body(&self) -> String {
        let mut out = format!("{}\n{}\n{}\n", self.origin, self.size, STANDARD.encode(self.root));
        for e in &self.extensions {
            out.push_str(e);
            out.push('\n');
        }
        out
    }

    pub fn parse(body: &str) -> Result<Self, TlogError> {
        let bad = |what: &str| TlogError::Malformed(format!("checkpoint: {what}"));
        let lines: Vec<&str> =
            body.strip_suffix('\n').ok_or_else(|| bad("must end with a newline"))?.split('\n').collect();
        let [origin, size, root, extensions @ ..] = lines.as_slice() else { return Err(bad("fewer than three lines")) };
        if origin.is_empty() || extensions.iter().any(|e| e.is_empty()) || extensions.len() > 16 {
            return Err(bad("empty line"));
        }
        if size.is_empty() || (size.len() > 1 && size.starts_with('0')) || !size.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("the size is a decimal number without leading zeros"));
        }
        let size: u64 = size.parse().map_err(|_| bad("size out of range"))?;
        let root: Hash = STANDARD
            .decode(root)
            .ok()
            .and_then(|r| r.try_into().ok())
            .ok_or_else(|| bad("the root is 32 bytes in base64"))?;
        Ok(Checkpoint {
            origin: (*origin).to_owned(),
            size,
            root,
            extensions: extensions.iter().map(|e| (*e).to_owned()).collect(),
        })
    }

    /// When it was issued (its `issued` line), if it says.
    pub fn issued(&self) -> Option<jiff::Timestamp> {
        self.extensions.iter().find_map(|e| e.strip_prefix(ISSUED)).and_then(|t| t.parse().ok())
    }
}

/// A checkpoint with its signed note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    pub checkpoint: Checkpoint,
    pub note: Note,
}

impl SignedCheckpoint {
    pub fn sign(checkpoint: Checkpoint, signer: &dyn Signer) -> Result<Self, TlogError> {
        let note = Note::sign(&checkpoint.body(), signer)?;
        Ok(SignedCheckpoint { checkpoint, note })
    }

    /// Read a signed checkpoint (signatures not yet checked).
    pub fn parse(text: &str) -> Result<Self, TlogError> {
        let note = Note::parse(text)?;
        Ok(SignedCheckpoint { checkpoint: Checkpoint::parse(&note.text)?, note })
    }

    /// Signed by `key`, whose name is the checkpoint's origin.
    pub fn verify(&self, key: &VerifierKey) -> Result<(), TlogError> {
        if key.name != self.checkpoint.origin {
            return Err(TlogError::Signature(format!(
                "the checkpoint's origin {} is not the key's name {}",
                self.checkpoint.origin, key.name
            )));
        }
        self.note.verify(key)
    }

    /// Signed by one of `keys` (the log's current and earlier keys): which.
    pub fn verify_any<'k>(&self, keys: &'k [VerifierKey]) -> Result<&'k VerifierKey, TlogError> {
        let mut last =
            TlogError::Signature(format!("no trusted key signed this checkpoint of {}", self.checkpoint.origin));
        for k in keys {
            match self.verify(k) {
                Ok(()) => return Ok(k),
                Err(e) if k.name == self.checkpoint.origin => last = e,
                Err(_) => {}
            }
        }
        Err(last)
    }

    pub fn to_text(&self) -> String {
        self.note.to_text()
    }
}
