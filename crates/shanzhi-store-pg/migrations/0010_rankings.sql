-- 口碑榜 (issue 14, item 3): ranking schemes, versioned by the month they
-- start, and published rankings, frozen, hash-chained and logged.
--
-- ranking_schemes: every saved version of a unit type's scheme (weights and
-- grade bands as JSON); the one in force for a month is the latest whose
-- `valid_from` (a month, 2026-11) is at or before it. Never updated.
CREATE TABLE ranking_schemes (
    unit_kind  TEXT NOT NULL,
    version    BIGINT NOT NULL CHECK (version > 0),
    valid_from TEXT NOT NULL,
    body       TEXT NOT NULL,
    saved_at   BIGINT NOT NULL,
    saved_by   TEXT NOT NULL,
    PRIMARY KEY (unit_kind, version)
);

-- published_rankings: one row per publication of a month, unit type and
-- scope, numbered in one chain (`seq`); `body` holds the canonical bytes
-- that `hash` = SHA-256(tag ‖ prev_hash ‖ seq ‖ body) covers (see
-- shanzhi_domain::ranking). Never updated; its leaf in tlog_leaves is
-- (kind 'ranking', key '', seq).
CREATE TABLE published_rankings (
    seq          BIGINT PRIMARY KEY,
    period       TEXT NOT NULL,
    unit_kind    TEXT NOT NULL,
    scope        TEXT NOT NULL,
    body         TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    published_by TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE UNIQUE INDEX published_rankings_once ON published_rankings (period, unit_kind, scope);

INSERT INTO counters (name, value) VALUES ('ranking', 0);

-- The log takes the new kind of leaf.
ALTER TABLE tlog_leaves DROP CONSTRAINT tlog_leaves_kind_check;
ALTER TABLE tlog_leaves ADD CONSTRAINT tlog_leaves_kind_check
    CHECK (kind IN ('matter_event', 'audit', 'segment_start', 'ranking'));
