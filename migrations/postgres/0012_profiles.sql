-- Profiles (G5): what a person tells the people they are paired with before the first
-- contact. Content: the person and the members of the mentorships they share read it;
-- no coordinator or admin route reads this table. One row per person who wrote one;
-- an empty field is one they left out.
CREATE TABLE profiles (
    user_id    TEXT PRIMARY KEY REFERENCES users(id),
    background TEXT NOT NULL,
    experience TEXT NOT NULL,
    interests  TEXT NOT NULL,
    hopes      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
