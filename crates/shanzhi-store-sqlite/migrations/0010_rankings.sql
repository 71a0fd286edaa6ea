-- 口碑榜 (issue 14, item 3): ranking schemes, versioned by the month they
-- start, and published rankings, frozen, hash-chained and logged.
--
-- ranking_schemes: every saved version of a unit type's scheme (weights and
-- grade bands as JSON); the one in force for a month is the latest whose
-- `valid_from` (a month, 2026-11) is at or before it. Never updated.
CREATE TABLE ranking_schemes (
    unit_kind  TEXT NOT NULL,
    version    INTEGER NOT NULL CHECK (version > 0),
    valid_from TEXT NOT NULL,
    body       TEXT NOT NULL,
    saved_at   INTEGER NOT NULL,
    saved_by   TEXT NOT NULL,
    PRIMARY KEY (unit_kind, version)
);

-- published_rankings: one row per publication of a month, unit type and
-- scope, numbered in one chain (`seq`); `body` holds the canonical bytes
-- that `hash` = SHA-256(tag ‖ prev_hash ‖ seq ‖ body) covers (see
-- shanzhi_domain::ranking). Never updated; its leaf in tlog_leaves is
-- (kind 'ranking', key '', seq).
CREATE TABLE published_rankings (
    seq          INTEGER PRIMARY KEY,
    period       TEXT NOT NULL,
    unit_kind    TEXT NOT NULL,
    scope        TEXT NOT NULL,
    body         TEXT NOT NULL,
    published_at INTEGER NOT NULL,
    published_by TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE UNIQUE INDEX published_rankings_once ON published_rankings (period, unit_kind, scope);

INSERT INTO counters (name, value) VALUES ('ranking', 0);

-- The log takes the new kind of leaf (SQLite cannot alter a CHECK: the table
-- is rebuilt with the same rows).
CREATE TABLE tlog_leaves_new (
    idx        INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('matter_event', 'audit', 'segment_start', 'ranking')),
    record_key TEXT NOT NULL,
    record_seq INTEGER NOT NULL,
    leaf_hash  BLOB NOT NULL,
    at         INTEGER NOT NULL
);
INSERT INTO tlog_leaves_new (idx, kind, record_key, record_seq, leaf_hash, at)
    SELECT idx, kind, record_key, record_seq, leaf_hash, at FROM tlog_leaves;
DROP TABLE tlog_leaves;
ALTER TABLE tlog_leaves_new RENAME TO tlog_leaves;
CREATE UNIQUE INDEX tlog_leaves_by_record ON tlog_leaves (kind, record_key, record_seq);
