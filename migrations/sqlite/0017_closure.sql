-- Closure (F10): the closing step of a mentorship, each member's closing form and
-- follow-up. Key moments are read by the members, a mentee's thanks by the mentors,
-- the evaluation and the follow-up by their author only. Never a coordinator: they
-- see when the step started, how many forms are in and when it closed.
CREATE TABLE closings (
    mentorship_id TEXT PRIMARY KEY REFERENCES mentorships(id),
    started_at    BIGINT NOT NULL,
    -- NULL: the end date came near
    started_by    TEXT REFERENCES users(id),
    closed_at     BIGINT
);
CREATE TABLE closing_forms (
    mentorship_id TEXT NOT NULL REFERENCES mentorships(id),
    user_id       TEXT NOT NULL REFERENCES users(id),
    -- the author's role when writing: which questions they were asked
    role          TEXT NOT NULL,
    key_moments   TEXT NOT NULL,
    thanks        TEXT NOT NULL,
    achieved      TEXT NOT NULL,
    not_achieved  TEXT NOT NULL,
    future_needs  TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (mentorship_id, user_id)
);
CREATE TABLE follow_ups (
    mentorship_id TEXT NOT NULL REFERENCES mentorships(id),
    user_id       TEXT NOT NULL REFERENCES users(id),
    how_it_goes   TEXT NOT NULL,
    still_helps   TEXT NOT NULL,
    needs_now     TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (mentorship_id, user_id)
);
-- Months after closing before the follow-up (1–24).
ALTER TABLE programmes ADD COLUMN follow_up_months BIGINT NOT NULL DEFAULT 6;
