-- Issue 18: how far each push to another system has got. The results
-- webhook (results back to 12345) keeps the hotline-results cursor here (the
-- closing entry's transparency-log index) and moves it on only after the
-- receiver answered 2xx, from the value it read (compare and set), so a
-- crash resends at most the last batch and two servers never move it back.
CREATE TABLE push_cursors (
    name       TEXT PRIMARY KEY,
    position   BIGINT NOT NULL CHECK (position >= 0),
    updated_at BIGINT NOT NULL
);
