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

-- Check-ins (F13): a coordinator's question in its own thread, and each member's
-- answer — a status only, never text.
CREATE TABLE checkins (
    id            TEXT PRIMARY KEY,
    mentorship_id TEXT NOT NULL REFERENCES mentorships(id),
    thread_id     TEXT NOT NULL REFERENCES threads(id),
    created_by    TEXT NOT NULL REFERENCES users(id),
    created_at    BIGINT NOT NULL
);
CREATE INDEX checkins_mentorship ON checkins(mentorship_id, created_at);
CREATE UNIQUE INDEX checkins_thread ON checkins(thread_id);

CREATE TABLE checkin_answers (
    checkin_id  TEXT NOT NULL REFERENCES checkins(id),
    user_id     TEXT NOT NULL REFERENCES users(id),
    -- going_well | need_help | want_to_end
    status      TEXT NOT NULL,
    -- web | email
    via         TEXT NOT NULL,
    answered_at BIGINT NOT NULL,
    PRIMARY KEY (checkin_id, user_id)
);

-- The coordinators' weekly summary: when (their own weekday and hour, in their time
-- zone) and whether to send it when everything is on track. No row: Monday 08:00, sent.
CREATE TABLE summary_settings (
    user_id        TEXT PRIMARY KEY REFERENCES users(id),
    weekday        BIGINT NOT NULL,
    hour           BIGINT NOT NULL,
    send_all_clear BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

-- One summary per coordinator and week, across restarts and instances; `statuses`
-- (JSON: mentorship id → health status) tells the next one what moved.
CREATE TABLE summary_runs (
    user_id    TEXT NOT NULL REFERENCES users(id),
    period     TEXT NOT NULL,
    statuses   TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, period)
);

-- Reminders that a reply is due soon (F15): one per unanswered message and person.
CREATE TABLE reply_reminders (
    message_id TEXT NOT NULL REFERENCES messages(id),
    user_id    TEXT NOT NULL REFERENCES users(id),
    sent_at    BIGINT NOT NULL,
    PRIMARY KEY (message_id, user_id)
);
