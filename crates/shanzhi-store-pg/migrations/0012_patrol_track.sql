-- A patrol's GPS track: the positions a grid worker's phone sampled while the
-- patrol was open (about one every 30 s; at most 20,000 a patrol, which the
-- application checks), apart from the check-ins of patrol_points.
CREATE TABLE patrol_track (
    patrol_id TEXT NOT NULL REFERENCES patrols (id),
    seq       BIGINT NOT NULL,
    at        BIGINT NOT NULL,
    lng       DOUBLE PRECISION NOT NULL CHECK (lng BETWEEN -180 AND 180),
    lat       DOUBLE PRECISION NOT NULL CHECK (lat BETWEEN -90 AND 90),
    PRIMARY KEY (patrol_id, seq)
);
