-- Secret residents' polls (无记名投票, a step of the method with "secret"):
-- who took part is kept apart from what was chosen. poll_voters names each
-- voter once per poll; poll_ballots holds the choices with no voter and no
-- time, each a link of the one chain of votes (its seq drawn from the
-- 'meeting_vote' counter shared with meeting_votes; its hash is
-- shanzhi_domain::deliberation::vote::ballot_hash). Both rows of a ballot
-- are written in one transaction. Never updated.
CREATE TABLE poll_voters (
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    user_id    TEXT NOT NULL REFERENCES users (id),
    at         BIGINT NOT NULL,
    PRIMARY KEY (meeting_id, user_id)
);

CREATE TABLE poll_ballots (
    seq        BIGINT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES meetings (id),
    choice     TEXT NOT NULL CHECK (choice IN ('for', 'against', 'abstain')),
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);
CREATE INDEX poll_ballots_by_meeting ON poll_ballots (meeting_id, seq);
