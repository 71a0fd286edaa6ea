-- 以事聚人、聚人成事 (issue 16): residents decide together. Work methods as
-- data, proposals and their support, comments, the bodies of a community
-- with their members' terms, meetings with attendance and each member's
-- vote (hash-chained), the steps done, public notices and objections,
-- milestones, surveys and supervisory notes, and the community fund's
-- ledger (append-only, hash-chained per community). Instants are
-- microseconds since the Unix epoch (UTC); days are ISO text.

-- A community's own work methods (the shipped ones live in code): the
-- method as JSON (shanzhi_domain::deliberation::WorkMethod), versioned.
CREATE TABLE work_methods (
    community_code TEXT NOT NULL,
    code           TEXT NOT NULL,
    version        BIGINT NOT NULL CHECK (version > 0),
    body           TEXT NOT NULL,
    saved_at       BIGINT NOT NULL,
    saved_by       TEXT NOT NULL,
    PRIMARY KEY (community_code, code, version)
);

-- Who belongs to which body of a community, for a term: 'residents' (a
-- resident of the community, who may support and comment), 'party',
-- 'council' (议事会成员), 'committee' (居委会成员), 'supervisory' (监委会成员).
CREATE TABLE community_members (
    community_code TEXT NOT NULL,
    body           TEXT NOT NULL CHECK (body IN ('party', 'council', 'committee', 'supervisory', 'residents')),
    user_id        TEXT NOT NULL REFERENCES users (id),
    valid_from     TEXT NOT NULL,
    valid_to       TEXT CHECK (valid_to IS NULL OR valid_to > valid_from),
    PRIMARY KEY (community_code, body, user_id, valid_from)
);
CREATE INDEX community_members_by_user ON community_members (user_id);

-- Proposals. `method` is the method's JSON as it stood when the proposal
-- was made (a later edit does not move a running proposal); `stage` the
-- domain's Stage as JSON, `status` its kind for lists; `version` moves on
-- every change (compare-and-set). A proposal raised from a matter names it
-- (the matter finds its proposals by the index: the link both ways).
CREATE TABLE proposals (
    id             TEXT PRIMARY KEY,
    community_code TEXT NOT NULL,
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    origin         TEXT NOT NULL CHECK (origin IN ('resident', 'party', 'social', 'matter')),
    matter_id      TEXT REFERENCES matters (id),
    proposer       TEXT NOT NULL,
    method_code    TEXT NOT NULL,
    method         TEXT NOT NULL,
    support_needed BIGINT NOT NULL CHECK (support_needed >= 0),
    supporters     BIGINT NOT NULL DEFAULT 0 CHECK (supporters >= 0),
    stage          TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('gathering', 'working', 'noticed', 'done', 'rejected', 'withdrawn')),
    version        BIGINT NOT NULL CHECK (version > 0),
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    CHECK ((origin = 'matter') = (matter_id IS NOT NULL))
);
CREATE INDEX proposals_by_community ON proposals (community_code, created_at);
CREATE INDEX proposals_by_matter ON proposals (matter_id);

-- One support per resident per proposal.
CREATE TABLE proposal_supports (
    proposal_id TEXT NOT NULL REFERENCES proposals (id),
    user_id     TEXT NOT NULL REFERENCES users (id),
    at          BIGINT NOT NULL,
    PRIMARY KEY (proposal_id, user_id)
);

CREATE TABLE proposal_comments (
    proposal_id TEXT NOT NULL REFERENCES proposals (id),
    seq         BIGINT NOT NULL CHECK (seq > 0),
    author      TEXT NOT NULL REFERENCES users (id),
    at          BIGINT NOT NULL,
    body        TEXT NOT NULL,
    PRIMARY KEY (proposal_id, seq)
);

-- The steps done: by whom, with which artefacts (JSON list), and the
-- outcome ('done', 'rejected' by a vote).
CREATE TABLE proposal_steps (
    proposal_id TEXT NOT NULL REFERENCES proposals (id),
    step_index  BIGINT NOT NULL CHECK (step_index >= 0),
    step_code   TEXT NOT NULL,
    done_by     TEXT NOT NULL,
    done_at     BIGINT NOT NULL,
    artefacts   TEXT NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('done', 'rejected')),
    meeting_id  TEXT,
    PRIMARY KEY (proposal_id, step_index)
);

-- A council meeting (or a residents' poll) on one step of a proposal: its
-- agenda, the rule in force (JSON VoteRule), how many members the body had,
-- who attended, and when the vote closed with which tally (JSON).
CREATE TABLE meetings (
    id          TEXT PRIMARY KEY,
    proposal_id TEXT NOT NULL REFERENCES proposals (id),
    step_code   TEXT NOT NULL,
    held_at     BIGINT NOT NULL,
    agenda      TEXT NOT NULL,
    minutes     TEXT,
    vote_rule   TEXT NOT NULL,
    members     BIGINT NOT NULL CHECK (members >= 0),
    closed_at   BIGINT,
    tally       TEXT,
    CHECK ((closed_at IS NULL) = (tally IS NULL))
);
CREATE INDEX meetings_by_proposal ON meetings (proposal_id, held_at);

CREATE TABLE meeting_attendance (
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (meeting_id, user_id)
);

-- Each member's vote, once per meeting, in one hash chain over all votes
-- (shanzhi_domain::deliberation::vote::vote_hash). Never updated.
CREATE TABLE meeting_votes (
    seq        BIGINT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    choice     TEXT NOT NULL CHECK (choice IN ('for', 'against', 'abstain')),
    at         BIGINT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE UNIQUE INDEX meeting_votes_once ON meeting_votes (meeting_id, user_id);
INSERT INTO counters (name, value) VALUES ('meeting_vote', 0);

-- Public notices (公示) of a step: from start to end; objections while it runs.
CREATE TABLE proposal_notices (
    proposal_id TEXT NOT NULL REFERENCES proposals (id),
    step_code   TEXT NOT NULL,
    start_at    BIGINT NOT NULL,
    end_at      BIGINT NOT NULL CHECK (end_at > start_at),
    PRIMARY KEY (proposal_id, step_code)
);

CREATE TABLE notice_objections (
    proposal_id TEXT NOT NULL,
    step_code   TEXT NOT NULL,
    seq         BIGINT NOT NULL CHECK (seq > 0),
    author      TEXT NOT NULL REFERENCES users (id),
    at          BIGINT NOT NULL,
    body        TEXT NOT NULL,
    PRIMARY KEY (proposal_id, step_code, seq),
    FOREIGN KEY (proposal_id, step_code) REFERENCES proposal_notices (proposal_id, step_code)
);

-- Implementation and acceptance: milestones (progress %, photos named),
-- the acceptance survey (satisfaction %), supervisory notes at any step.
CREATE TABLE proposal_notes (
    proposal_id TEXT NOT NULL REFERENCES proposals (id),
    seq         BIGINT NOT NULL CHECK (seq > 0),
    kind        TEXT NOT NULL CHECK (kind IN ('milestone', 'survey', 'supervision')),
    step_code   TEXT NOT NULL,
    author      TEXT NOT NULL REFERENCES users (id),
    at          BIGINT NOT NULL,
    body        TEXT NOT NULL,
    percent     BIGINT CHECK (percent IS NULL OR (percent >= 0 AND percent <= 100)),
    PRIMARY KEY (proposal_id, seq)
);

-- The community fund's ledger: one chain per community, append-only; the
-- posting as JSON (shanzhi_domain::deliberation::Posting), its hash by
-- shanzhi_domain::deliberation::ledger::ledger_hash. Never updated.
CREATE TABLE fund_ledger (
    community_code TEXT NOT NULL,
    seq            BIGINT NOT NULL CHECK (seq > 0),
    at             BIGINT NOT NULL,
    actor          TEXT NOT NULL,
    posting        TEXT NOT NULL,
    proposal_id    TEXT REFERENCES proposals (id),
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL,
    PRIMARY KEY (community_code, seq)
);
CREATE INDEX fund_ledger_by_proposal ON fund_ledger (proposal_id);
