-- The transparency log (issue 23): one append-only Merkle tree (RFC 9162
-- hashing) over every record that must be trusted. A leaf is written in the
-- same transaction as its record.
--
-- tlog_leaves: leaf `idx` of the tree, which record it covers (kind, key,
-- seq) and its hash SHA-256(0x00 ‖ canonical leaf bytes).
CREATE TABLE tlog_leaves (
    idx        INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('matter_event', 'audit', 'segment_start')),
    record_key TEXT NOT NULL,
    record_seq INTEGER NOT NULL,
    leaf_hash  BLOB NOT NULL,
    at         INTEGER NOT NULL
);
CREATE UNIQUE INDEX tlog_leaves_by_record ON tlog_leaves (kind, record_key, record_seq);

-- The hashes of complete subtrees at every fourth level (16, 256, 4096 …
-- leaves); the levels between are two to eight stored hashes away, so a
-- proof at 20 million leaves is a few dozen keyed reads.
CREATE TABLE tlog_nodes (
    level INTEGER NOT NULL,
    idx   INTEGER NOT NULL,
    hash  BLOB NOT NULL,
    PRIMARY KEY (level, idx)
);

-- One row: the tree's size and its right edge (one 32-byte subtree hash per
-- set bit of the size, largest first). Appends update it first, so they
-- take turns.
CREATE TABLE tlog_head (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    size       INTEGER NOT NULL CHECK (size >= 0),
    frontier   BLOB NOT NULL,
    updated_at INTEGER NOT NULL
);
INSERT INTO tlog_head (id, size, frontier, updated_at) VALUES (1, 0, x'', 0);

-- Every checkpoint this log signed (the copies that count are the files in
-- the checkpoint directory and at the witnesses; these serve the API).
CREATE TABLE tlog_checkpoints (
    id        TEXT PRIMARY KEY,
    size      INTEGER NOT NULL,
    root      BLOB NOT NULL,
    issued_at INTEGER NOT NULL,
    key       TEXT NOT NULL,
    note      TEXT NOT NULL
);
CREATE INDEX tlog_checkpoints_by_time ON tlog_checkpoints (issued_at);

-- As a witness: the latest checkpoint seen from each log (origin).
CREATE TABLE tlog_witnessed (
    origin     TEXT PRIMARY KEY,
    size       INTEGER NOT NULL,
    note       TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
