-- Sessions (F5): a logged meeting may carry its learning goal and what was explored,
-- and the actions agreed in it. Members' words: never shown to a coordinator.
ALTER TABLE meetings ADD COLUMN learning_goal TEXT;
ALTER TABLE meetings ADD COLUMN explored TEXT;

CREATE TABLE actions (
    id            TEXT PRIMARY KEY,
    mentorship_id TEXT NOT NULL REFERENCES mentorships(id),
    -- the mentorship's own count (1, 2, …): "done N" by mail names an action by it
    number        BIGINT NOT NULL,
    meeting_id    TEXT REFERENCES meetings(id),
    text          TEXT NOT NULL,
    owner_id      TEXT NOT NULL REFERENCES users(id),
    -- calendar date YYYY-MM-DD in the programme's time zone
    due_on        TEXT,
    created_by    TEXT NOT NULL REFERENCES users(id),
    created_at    BIGINT NOT NULL,
    done_at       BIGINT,
    done_by       TEXT REFERENCES users(id),
    UNIQUE (mentorship_id, number)
);
CREATE INDEX actions_open ON actions(mentorship_id, done_at);
