-- Tasks (任务, issue #20): a community or street worker gives grid workers
-- or whole grids a piece of work with a checklist of sites, due at the end
-- of a working day (due_on). `division_code` is where it was given.
-- deadline, yellow_at and orange_at are planned when it is given (working
-- time, the matters' thresholds); `warning` is the colour the sweep last set
-- and next_alarm_at when it must next look (NULL once red or completed).
-- site_count, done_count and problem_count are kept with every site's mark;
-- `version` counts the task's writes (a write names the version it read).
CREATE TABLE grid_tasks (
    id            TEXT PRIMARY KEY,
    title         TEXT NOT NULL,
    details       TEXT NOT NULL,
    division_code TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    due_on        TEXT NOT NULL,
    deadline      BIGINT NOT NULL,
    yellow_at     BIGINT NOT NULL,
    orange_at     BIGINT NOT NULL,
    warning       TEXT NOT NULL CHECK (warning IN ('none', 'yellow', 'orange', 'red')),
    next_alarm_at BIGINT,
    site_count    BIGINT NOT NULL CHECK (site_count >= 0),
    done_count    BIGINT NOT NULL CHECK (done_count >= 0),
    problem_count BIGINT NOT NULL CHECK (problem_count >= 0),
    completed_at  BIGINT,
    completed_by  TEXT,
    result        TEXT,
    version       BIGINT NOT NULL,
    CHECK (done_count + problem_count <= site_count)
);
CREATE INDEX grid_tasks_by_alarm ON grid_tasks (next_alarm_at);
CREATE INDEX grid_tasks_by_place ON grid_tasks (division_code, deadline);

-- Whom a task is given to: a worker (user id) or a grid (its grid workers).
CREATE TABLE grid_task_assignees (
    task_id TEXT NOT NULL REFERENCES grid_tasks (id),
    kind    TEXT NOT NULL CHECK (kind IN ('worker', 'grid')),
    code    TEXT NOT NULL,
    PRIMARY KEY (task_id, kind, code)
);
CREATE INDEX grid_task_assignees_by_code ON grid_task_assignees (kind, code);

-- The checklist: a register record (register_id) or a free site by name;
-- its mark (pending, done, problem with a note), an optional photo
-- (attachment id) and matter reported from it, who checked it and when.
CREATE TABLE grid_task_sites (
    task_id     TEXT NOT NULL REFERENCES grid_tasks (id),
    seq         BIGINT NOT NULL,
    grid_code   TEXT,
    register_id TEXT,
    name        TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'done', 'problem')),
    note        TEXT,
    photo       TEXT,
    matter_id   TEXT,
    checked_by  TEXT,
    checked_at  BIGINT,
    PRIMARY KEY (task_id, seq)
);
