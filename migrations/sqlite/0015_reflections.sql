-- Reflection forms (F6, F7): a member's answers after a session. A mentee's form is
-- read by the mentorship's mentors; a mentor's only when shared. Never a coordinator.
CREATE TABLE reflections (
    id             TEXT PRIMARY KEY,
    mentorship_id  TEXT NOT NULL REFERENCES mentorships(id),
    author_id      TEXT NOT NULL REFERENCES users(id),
    -- the author's role when writing: which form it is
    role           TEXT NOT NULL,
    meeting_id     TEXT REFERENCES meetings(id),
    subject        TEXT NOT NULL,
    wanted         TEXT NOT NULL,
    tried          TEXT NOT NULL,
    felt           TEXT NOT NULL,
    went_well      TEXT NOT NULL,
    went_less_well TEXT NOT NULL,
    questions      TEXT NOT NULL,
    shared         BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX reflections_mentorship ON reflections(mentorship_id, created_at);
