-- Foundation schema (PostgreSQL). The SQLite twin in ../sqlite must declare the same
-- tables and columns: a test compares them. Ids are UUIDv7 text and times are
-- milliseconds since the Unix epoch (BIGINT) so rows copy unchanged between backends.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    -- stored lower-cased: addresses are unique case-insensitively
    email         TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    timezone      TEXT NOT NULL,
    locale        TEXT NOT NULL,
    -- 0 or 1: sqlx's Any driver carries no SQLite booleans, so flags are integers in both
    is_admin      BIGINT NOT NULL DEFAULT 0,
    -- NULL for e-mail-only participants
    password_hash TEXT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- Further verified addresses a person may write from (reply by e-mail).
CREATE TABLE user_emails (
    email       TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    verified_at BIGINT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX user_emails_user ON user_emails(user_id);

CREATE TABLE programmes (
    id                            TEXT PRIMARY KEY,
    name                          TEXT NOT NULL,
    timezone                      TEXT NOT NULL,
    default_contact_every_days    BIGINT NOT NULL,
    default_response_within_hours BIGINT NOT NULL,
    default_meeting_rhythm        TEXT NOT NULL,
    created_at                    BIGINT NOT NULL
);

CREATE TABLE programme_coordinators (
    programme_id TEXT NOT NULL REFERENCES programmes(id),
    user_id      TEXT NOT NULL REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (programme_id, user_id)
);
CREATE INDEX programme_coordinators_user ON programme_coordinators(user_id);

-- People a coordinator enrolled in a programme (before or besides any mentorship).
CREATE TABLE programme_people (
    programme_id TEXT NOT NULL REFERENCES programmes(id),
    user_id      TEXT NOT NULL REFERENCES users(id),
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (programme_id, user_id)
);
CREATE INDEX programme_people_user ON programme_people(user_id);

CREATE TABLE mentorships (
    id                    TEXT PRIMARY KEY,
    programme_id          TEXT NOT NULL REFERENCES programmes(id),
    status                TEXT NOT NULL,
    end_reason            TEXT,
    -- calendar date YYYY-MM-DD in the programme's time zone
    start_date            TEXT,
    -- the rhythm half of the agreement (coordinators see and may set it)
    contact_every_days    BIGINT NOT NULL,
    response_within_hours BIGINT NOT NULL,
    meeting_rhythm        TEXT NOT NULL,
    -- the content half (members only)
    ground_rules          TEXT NOT NULL,
    goals                 TEXT NOT NULL,
    agreement_updated_at  BIGINT NOT NULL,
    -- last event sequence number; incremented inside each writing transaction, so the
    -- row lock orders writers and sequence order is commit order
    last_seq              BIGINT NOT NULL DEFAULT 0,
    replaces_id           TEXT REFERENCES mentorships(id),
    created_at            BIGINT NOT NULL,
    closed_at             BIGINT
);
CREATE INDEX mentorships_programme ON mentorships(programme_id);

CREATE TABLE mentorship_members (
    mentorship_id TEXT NOT NULL REFERENCES mentorships(id),
    user_id       TEXT NOT NULL REFERENCES users(id),
    role          TEXT NOT NULL,
    joined_at     BIGINT NOT NULL,
    -- a former member reads history up to this moment and receives nothing after
    left_at       BIGINT,
    PRIMARY KEY (mentorship_id, user_id)
);
CREATE INDEX mentorship_members_user ON mentorship_members(user_id);

CREATE TABLE threads (
    id              TEXT PRIMARY KEY,
    mentorship_id   TEXT NOT NULL REFERENCES mentorships(id),
    subject         TEXT NOT NULL,
    created_by      TEXT NOT NULL REFERENCES users(id),
    created_at      BIGINT NOT NULL,
    last_message_at BIGINT NOT NULL,
    last_seq        BIGINT NOT NULL,
    message_count   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX threads_mentorship ON threads(mentorship_id, last_message_at);

CREATE TABLE messages (
    id            TEXT PRIMARY KEY,
    thread_id     TEXT NOT NULL REFERENCES threads(id),
    mentorship_id TEXT NOT NULL REFERENCES mentorships(id),
    author_id     TEXT NOT NULL REFERENCES users(id),
    body          TEXT NOT NULL,
    source        TEXT NOT NULL,
    client_msg_id TEXT,
    created_at    BIGINT NOT NULL,
    -- the mentorship event that recorded this message (orders messages in a thread)
    seq           BIGINT NOT NULL
);
CREATE UNIQUE INDEX messages_client_msg_id ON messages(author_id, client_msg_id);
CREATE INDEX messages_thread_seq ON messages(thread_id, seq);

CREATE TABLE read_markers (
    user_id    TEXT NOT NULL REFERENCES users(id),
    thread_id  TEXT NOT NULL REFERENCES threads(id),
    message_id TEXT NOT NULL REFERENCES messages(id),
    -- seq of message_id, kept here so unread counts need no join
    seq        BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, thread_id)
);

-- The ordered log of everything that changes inside a mentorship. Rows reference
-- other rows; clients get payloads built from the current rows.
CREATE TABLE events (
    mentorship_id TEXT NOT NULL REFERENCES mentorships(id),
    seq           BIGINT NOT NULL,
    kind          TEXT NOT NULL,
    at            BIGINT NOT NULL,
    actor_id      TEXT,
    thread_id     TEXT,
    message_id    TEXT,
    -- the member an event is about (member.added, member.removed, read.updated)
    user_id       TEXT,
    PRIMARY KEY (mentorship_id, seq)
);

-- A login: one per password or magic-link sign-in. Revoking it ends every refresh
-- token it ever issued.
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT,
    revoke_reason TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Refresh tokens, stored as SHA-256 hashes. A token is single-use: using one marks it
-- used; presenting a used one again revokes the whole session (theft detection).
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id);

CREATE TABLE magic_links (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

-- Failed logins, counted per account and per client address for rate limiting. In the
-- database so every instance on one PostgreSQL shares the counters.
CREATE TABLE login_failures (
    id         TEXT PRIMARY KEY,
    scope_key  TEXT NOT NULL,
    at         BIGINT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures(scope_key, at);
