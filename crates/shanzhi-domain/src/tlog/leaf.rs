//! What a leaf of the log commits to: the kind of record, which record (a
//! key and a sequence number), and the record's own hash. The bytes are a
//! small versioned, length-prefixed encoding, fixed once written:
//!
//! ```text
//! 0x01 (version) ‖ kind (u8) ‖ key length (u16, big-endian) ‖ key (UTF-8)
//!   ‖ seq (i64, big-endian) ‖ digest (32 bytes)
//! ```
//!
//! The leaf hash is `SHA-256(0x00 ‖ bytes)` (RFC 9162).
//!
//! A timeline entry's digest also covers its clock mark (the stage and the
//! deadline in force after it), which the indicators read but the entry's
//! own hash chain leaves out: moving a deadline would otherwise turn a late
//! matter into an on-time one unseen. See [`matter_event_digest`].

use sha2::{Digest, Sha256};

use super::TlogError;
use super::tree::{Hash, leaf_hash};
use crate::matter::ClockMark;

/// The encoding's version byte.
pub const LEAF_VERSION: u8 = 1;
/// Longest key a leaf carries.
pub const MAX_KEY_BYTES: usize = 512;

crate::code_enum! {
    /// The kinds of record the log holds. A new kind (fund ledger entries,
    /// votes, points, published rankings) is a new variant with a new code;
    /// codes are never reused or renumbered, since stored leaves carry them.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum LeafKind {
        /// A matter's timeline entry: key = matter id, seq = the entry's number,
        /// digest = the entry's hash (which commits to every field and the hash before).
        MatterEvent => "matter_event", "事件处置记录";
        /// An admin audit log entry: key empty, seq = its number, digest = its hash.
        Audit => "audit", "审计日志";
        /// The first leaf of a new log segment (after a key was lost or
        /// replaced): key = the old checkpoint's origin, seq = its tree size,
        /// digest = SHA-256 of the old signed checkpoint.
        SegmentStart => "segment_start", "日志分段起点";
        /// A published ranking (口碑榜): key empty, seq = its number in the
        /// chain of publications, digest = its hash (`ranking::ranking_hash`).
        Ranking => "ranking", "口碑榜发布";
    }
    from_str(s: s) -> TlogError { TlogError::Malformed(format!("unknown leaf kind {s:?}")) }
}

impl LeafKind {
    pub fn code(self) -> u8 {
        match self {
            LeafKind::MatterEvent => 1,
            LeafKind::Audit => 2,
            LeafKind::SegmentStart => 3,
            LeafKind::Ranking => 4,
        }
    }

    pub fn from_code(code: u8) -> Option<LeafKind> {
        LeafKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// One leaf: which record, and the record's hash.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LeafRecord {
    pub kind: LeafKind,
    pub key: String,
    pub seq: i64,
    pub digest: Hash,
}

/// A hash written as 64 lowercase hex digits (how records keep theirs).
pub fn hash_from_hex(hex: &str) -> Result<Hash, TlogError> {
    let bad = || TlogError::Malformed(format!("not a SHA-256 hash in hex: {hex:?}"));
    if hex.len() != 64 || !hex.is_ascii() {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(out)
}

/// 64 lowercase hex digits.
pub fn hash_to_hex(hash: &Hash) -> String {
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// Domain separation of a timeline entry's digest with a clock mark.
const MARKED_EVENT_TAG: &[u8] = b"shanzhi/matter-event+clock-mark/v1\n";

/// The digest a timeline entry's leaf commits to: its own hash when it has
/// no clock mark (entries written before marks existed), otherwise
/// `SHA-256(tag ‖ hash (32 bytes) ‖ stage length (u16, big-endian) ‖ stage
/// ‖ 0x00 | 0x01 ‖ deadline (i64 µs, big-endian, when 0x01))`.
pub fn matter_event_digest(
    event_hash_hex: &str,
    stage: Option<&str>,
    deadline: Option<i64>,
) -> Result<Hash, TlogError> {
    let hash = hash_from_hex(event_hash_hex)?;
    if stage.is_none() && deadline.is_none() {
        return Ok(hash);
    }
    let stage = stage.unwrap_or("").as_bytes();
    let stage_len = u16::try_from(stage.len()).map_err(|_| TlogError::Malformed("stage name too long".into()))?;
    let mut h = Sha256::new();
    h.update(MARKED_EVENT_TAG);
    h.update(hash);
    h.update(stage_len.to_be_bytes());
    h.update(stage);
    match deadline {
        Some(d) => {
            h.update([1]);
            h.update(d.to_be_bytes());
        }
        None => h.update([0]),
    }
    Ok(h.finalize().into())
}

impl LeafRecord {
    /// The leaf of a matter's timeline entry with the clock mark it carries.
    pub fn matter_event(matter_id: &str, seq: i64, event_hash_hex: &str, mark: &ClockMark) -> Result<Self, TlogError> {
        Ok(LeafRecord {
            kind: LeafKind::MatterEvent,
            key: matter_id.to_owned(),
            seq,
            digest: matter_event_digest(
                event_hash_hex,
                mark.stage.map(|s| s.as_str()),
                mark.deadline.map(|d| d.get()),
            )?,
        })
    }

    /// The leaf of an admin audit log entry.
    pub fn audit(seq: i64, entry_hash_hex: &str) -> Result<Self, TlogError> {
        Ok(LeafRecord { kind: LeafKind::Audit, key: String::new(), seq, digest: hash_from_hex(entry_hash_hex)? })
    }

    /// The leaf of a published ranking.
    pub fn ranking(seq: i64, ranking_hash_hex: &str) -> Result<Self, TlogError> {
        Ok(LeafRecord { kind: LeafKind::Ranking, key: String::new(), seq, digest: hash_from_hex(ranking_hash_hex)? })
    }

    /// The first leaf of a new segment: it commits to the old log's last
    /// signed checkpoint (the whole note, signatures included).
    pub fn segment_start(old_origin: &str, old_size: u64, old_signed_checkpoint: &str) -> Self {
        LeafRecord {
            kind: LeafKind::SegmentStart,
            key: old_origin.to_owned(),
            seq: i64::try_from(old_size).unwrap_or(i64::MAX),
            digest: Sha256::digest(old_signed_checkpoint.as_bytes()).into(),
        }
    }

    /// The canonical bytes (module docs).
    pub fn encode(&self) -> Vec<u8> {
        let key = self.key.as_bytes();
        let len = u16::try_from(key.len().min(MAX_KEY_BYTES)).unwrap_or(u16::MAX);
        let mut out = Vec::with_capacity(4 + key.len() + 8 + 32);
        out.push(LEAF_VERSION);
        out.push(self.kind.code());
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&key[..usize::from(len)]);
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.extend_from_slice(&self.digest);
        out
    }

    /// Read canonical bytes back; anything else (another version, trailing
    /// bytes, an unknown kind) is refused.
    pub fn decode(bytes: &[u8]) -> Result<Self, TlogError> {
        let bad = |what: &str| TlogError::Malformed(format!("leaf bytes: {what}"));
        let [version, kind, l0, l1, rest @ ..] = bytes else { return Err(bad("too short")) };
        if *version != LEAF_VERSION {
            return Err(bad("unknown version"));
        }
        let kind = LeafKind::from_code(*kind).ok_or_else(|| bad("unknown kind"))?;
        let len = usize::from(u16::from_be_bytes([*l0, *l1]));
        if len > MAX_KEY_BYTES || rest.len() != len + 8 + 32 {
            return Err(bad("wrong length"));
        }
        let key = std::str::from_utf8(&rest[..len]).map_err(|_| bad("key is not UTF-8"))?.to_owned();
        let seq = i64::from_be_bytes(rest[len..len + 8].try_into().map_err(|_| bad("seq"))?);
        let digest: Hash = rest[len + 8..].try_into().map_err(|_| bad("digest"))?;
        Ok(LeafRecord { kind, key, seq, digest })
    }

    /// `SHA-256(0x00 ‖ bytes)`.
    pub fn leaf_hash(&self) -> Hash {
        leaf_hash(&self.encode())
    }

    /// How a person names the record: `matter M entry 3`, `audit entry 12`.
    pub fn describe(&self) -> (String, String) {
        match self.kind {
            LeafKind::MatterEvent => (
                format!("事件 {} 的第 {} 条处置记录", self.key, self.seq),
                format!("matter {} timeline entry {}", self.key, self.seq),
            ),
            LeafKind::Audit => (format!("审计日志第 {} 条", self.seq), format!("audit log entry {}", self.seq)),
            LeafKind::SegmentStart => (
                format!("日志分段起点（承接 {} 的 {} 条）", self.key, self.seq),
                format!("segment start (continuing {} at size {})", self.key, self.seq),
            ),
            LeafKind::Ranking => (format!("第 {} 次发布的口碑榜", self.seq), format!("published ranking {}", self.seq)),
        }
    }
}
