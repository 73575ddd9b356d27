-- Contact health: meetings members log. The note is the members' own; no coordinator
-- route reads it.
CREATE TABLE meetings (
    id               TEXT PRIMARY KEY,
    mentorship_id    TEXT NOT NULL REFERENCES mentorships(id),
    logged_by        TEXT NOT NULL REFERENCES users(id),
    -- the local day (programme time zone) and the instant the figures use
    held_on          TEXT NOT NULL,
    held_at          BIGINT NOT NULL,
    duration_minutes BIGINT NOT NULL,
    -- video | phone | in_person
    mode             TEXT NOT NULL,
    note             TEXT,
    created_at       BIGINT NOT NULL
);
CREATE INDEX meetings_mentorship ON meetings(mentorship_id, held_at);
