-- 以事聚人 (issue 16), the fund's rules: a community's own items of the
-- community fund's negative and priority lists (负面清单 / 优先清单) as JSON
-- (shanzhi_domain::deliberation::FundLists), versioned; the city's lists
-- ship in code and always apply. Instants are microseconds since the Unix
-- epoch (UTC).
CREATE TABLE fund_lists (
    community_code TEXT NOT NULL,
    version        INTEGER NOT NULL CHECK (version > 0),
    body           TEXT NOT NULL,
    saved_at       INTEGER NOT NULL,
    saved_by       TEXT NOT NULL,
    PRIMARY KEY (community_code, version)
);

-- A proposal's budget (预算明细) as its council or committee set it, with the
-- step that set it: the lines as JSON (shanzhi_domain::deliberation::Budget),
-- versioned; the commitment may not exceed the latest total, and a payment
-- names one of its lines.
CREATE TABLE proposal_budgets (
    proposal_id TEXT NOT NULL REFERENCES proposals (id),
    version     INTEGER NOT NULL CHECK (version > 0),
    step_code   TEXT NOT NULL,
    lines       TEXT NOT NULL,
    total_fen   INTEGER NOT NULL CHECK (total_fen > 0),
    set_at      INTEGER NOT NULL,
    set_by      TEXT NOT NULL,
    PRIMARY KEY (proposal_id, version)
);
