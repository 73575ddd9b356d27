-- Periodic reviews (F8): every few months from the start each member answers how the
-- mentorship goes. The texts are the member's own; a coordinator sees only the
-- satisfaction scores and the continue choices, as figures.
CREATE TABLE reviews (
    id              TEXT PRIMARY KEY,
    mentorship_id   TEXT NOT NULL REFERENCES mentorships(id),
    user_id         TEXT NOT NULL REFERENCES users(id),
    -- the member's role when answering
    role            TEXT NOT NULL,
    -- 1 after the first period from the start, 2 after the second, ...
    round           BIGINT NOT NULL,
    meetings        TEXT NOT NULL,
    time_enough     TEXT NOT NULL,
    topics          TEXT NOT NULL,
    growth          TEXT NOT NULL,
    comments        TEXT NOT NULL,
    -- 1 to 5
    satisfaction    BIGINT,
    -- continue, stop or change
    continue_choice TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (mentorship_id, user_id, round)
);
-- The months between two reviews: 4, 5 or 6.
ALTER TABLE programmes ADD COLUMN review_every_months BIGINT NOT NULL DEFAULT 4;
