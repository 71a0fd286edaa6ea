-- Issue 18, 满意度回访: a call-back task for the hotline's clerks, made in the
-- same transaction as the entry that closes a hotline order (all of them, or
-- a sampled share per unit). `id` is `{matter_id}:{close_seq}`, so a
-- closure has one task at most. A task is open until answered (done) or
-- unreachable after the configured attempts (invalid); the outcome itself
-- is an entry of the matter's timeline (command `callback`).
CREATE TABLE callback_tasks (
    id              TEXT PRIMARY KEY,
    matter_id       TEXT NOT NULL REFERENCES matters (id),
    number          TEXT NOT NULL,
    community_code  TEXT NOT NULL,
    close_seq       INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('open', 'done', 'invalid')),
    attempts        INTEGER NOT NULL CHECK (attempts >= 0),
    last_attempt_at INTEGER
);
CREATE INDEX callback_tasks_by_state ON callback_tasks (state, created_at);
CREATE INDEX callback_tasks_by_matter ON callback_tasks (matter_id);
