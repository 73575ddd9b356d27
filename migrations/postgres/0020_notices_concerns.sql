-- Privacy notices per programme, with versions: a coordinator or admin publishes a new
-- version (the text in English and Dutch); the newest is the current one. A programme
-- without any uses the built-in default notice (its words are in notice.ftl, its
-- version label a constant in store::notices). Consent (table `consents`, 0009) keeps
-- the label of the version accepted: the number as text for a published version.
CREATE TABLE privacy_notices (
    id           TEXT PRIMARY KEY,
    programme_id TEXT NOT NULL REFERENCES programmes(id),
    -- 1, 2, 3, … per programme
    version      BIGINT NOT NULL,
    text_en      TEXT NOT NULL,
    text_nl      TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    published_by TEXT REFERENCES users(id)
);
CREATE UNIQUE INDEX privacy_notices_version ON privacy_notices(programme_id, version);

-- The reply tokens of the mails that ask e-mail-only people to accept a new version
-- (`privacy+TOKEN@`): a reply "agree"/"akkoord" from the person's own address records
-- their consent to that version. Only the token's SHA-256 is kept.
CREATE TABLE notice_tokens (
    token_hash    TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users(id),
    programme_id  TEXT NOT NULL REFERENCES programmes(id),
    notice_version TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

-- Concerns a member shared with the programme's coordinators on purpose (safeguarding,
-- F4): the only way content reaches a coordinator. The snapshot is taken when shared,
-- so a later edit or erasure of the message does not change what was shared.
CREATE TABLE concerns (
    id              TEXT PRIMARY KEY,
    mentorship_id   TEXT NOT NULL REFERENCES mentorships(id),
    programme_id    TEXT NOT NULL REFERENCES programmes(id),
    shared_by       TEXT NOT NULL REFERENCES users(id),
    -- message | thread | note
    kind            TEXT NOT NULL,
    -- what was shared, for the sharer's own view; never read for the coordinator
    thread_id       TEXT,
    message_id      TEXT,
    -- JSON: the thread's subject and the shared messages (author, time, text) as they
    -- were when shared; '{}' for a note alone
    snapshot        TEXT NOT NULL,
    -- the sharer's own words to the coordinator (may be empty for a message or thread)
    note            TEXT NOT NULL,
    -- 0/1: the other members may read what was shared (they always learn that something was)
    others_may_see  BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    acknowledged_at BIGINT,
    acknowledged_by TEXT REFERENCES users(id),
    resolved_at     BIGINT,
    resolved_by     TEXT REFERENCES users(id)
);
CREATE INDEX concerns_programme ON concerns(programme_id, created_at);
CREATE INDEX concerns_mentorship ON concerns(mentorship_id, created_at);
