-- Issue 19, volunteers and 公益积分: residents' volunteer profiles,
-- organisations (社会组织, 志愿队, 商家) and their members, activities with
-- their roster (sign-ups, 候补, attendance), each resident's points ledger
-- (append-only, hash-chained, balance never negative), rewards and their
-- redemptions. Instants are microseconds since the Unix epoch (UTC).
CREATE TABLE volunteer_profiles (
    user_id      TEXT PRIMARY KEY REFERENCES users (id),
    skills       TEXT NOT NULL,
    skill_note   TEXT NOT NULL,
    availability TEXT NOT NULL,
    on_board     INTEGER NOT NULL CHECK (on_board IN (0, 1)),
    joined_at    INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

CREATE TABLE volunteer_orgs (
    id             TEXT PRIMARY KEY,
    community_code TEXT NOT NULL,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('social_org', 'team', 'shop')),
    created_at     INTEGER NOT NULL,
    created_by     TEXT NOT NULL,
    UNIQUE (community_code, name)
);

-- The organisation's people: they publish its activities and (of a shop)
-- confirm its redemptions.
CREATE TABLE volunteer_org_members (
    org_id   TEXT NOT NULL REFERENCES volunteer_orgs (id),
    user_id  TEXT NOT NULL REFERENCES users (id),
    added_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX volunteer_org_members_user ON volunteer_org_members (user_id);

-- code_secret: the random key of the rotating check-in code (never shown).
CREATE TABLE activities (
    id             TEXT PRIMARY KEY,
    community_code TEXT NOT NULL,
    org_id         TEXT REFERENCES volunteer_orgs (id),
    title          TEXT NOT NULL,
    description    TEXT NOT NULL,
    place          TEXT NOT NULL,
    lng            REAL,
    lat            REAL,
    starts_at      INTEGER NOT NULL,
    ends_at        INTEGER NOT NULL CHECK (ends_at > starts_at),
    capacity       INTEGER NOT NULL CHECK (capacity > 0),
    points         INTEGER NOT NULL CHECK (points >= 0),
    code_secret    TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX activities_community_start ON activities (community_code, starts_at);

CREATE TABLE activity_signups (
    activity_id    TEXT NOT NULL REFERENCES activities (id),
    user_id        TEXT NOT NULL REFERENCES users (id),
    seq            INTEGER NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('confirmed', 'waiting', 'cancelled')),
    signed_at      INTEGER NOT NULL,
    checked_in_at  INTEGER,
    check_in_lng   REAL,
    check_in_lat   REAL,
    checked_out_at INTEGER,
    minutes        INTEGER,
    PRIMARY KEY (activity_id, user_id),
    UNIQUE (activity_id, seq)
);
CREATE INDEX activity_signups_user ON activity_signups (user_id);

CREATE TABLE points_ledger (
    user_id        TEXT NOT NULL REFERENCES users (id),
    seq            INTEGER NOT NULL CHECK (seq > 0),
    at             INTEGER NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('earned', 'redeemed', 'expired')),
    amount         INTEGER NOT NULL CHECK (amount > 0),
    balance        INTEGER NOT NULL CHECK (balance >= 0),
    community_code TEXT NOT NULL,
    reference      TEXT NOT NULL,
    prev_hash      TEXT NOT NULL,
    hash           TEXT NOT NULL,
    PRIMARY KEY (user_id, seq)
);
CREATE INDEX points_ledger_board ON points_ledger (community_code, kind, at);

-- org_id NULL: offered by the community's committee.
CREATE TABLE reward_items (
    id             TEXT PRIMARY KEY,
    community_code TEXT NOT NULL,
    org_id         TEXT REFERENCES volunteer_orgs (id),
    name           TEXT NOT NULL,
    description    TEXT NOT NULL,
    price          INTEGER NOT NULL CHECK (price > 0),
    stock          INTEGER NOT NULL CHECK (stock >= 0),
    created_by     TEXT NOT NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX reward_items_community ON reward_items (community_code);

-- code_hash: SHA-256 of the redemption code (the code itself is shown once,
-- to the resident, and kept nowhere).
CREATE TABLE redemptions (
    id           TEXT PRIMARY KEY,
    item_id      TEXT NOT NULL REFERENCES reward_items (id),
    user_id      TEXT NOT NULL REFERENCES users (id),
    code_hash    TEXT NOT NULL UNIQUE,
    code_hint    TEXT NOT NULL,
    price        INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    confirmed_at INTEGER,
    confirmed_by TEXT
);
CREATE INDEX redemptions_user ON redemptions (user_id, at);
