-- E-mail in: every received mail and what became of it, the text cut from posted
-- mail, attachments, notices sent to senders, and bounce scores.

-- One row per distinct received mail. `dedup_key` (Message-ID and sender, or a hash
-- of the mail without trace headers) makes a second delivery of the same mail a no-op.
CREATE TABLE inbound_mail (
    id             TEXT PRIMARY KEY,
    dedup_key      TEXT NOT NULL,
    -- smtp | http | pipe
    via            TEXT NOT NULL,
    envelope_from  TEXT,
    from_address   TEXT,
    -- posted | thread_created | checkin_answer | automatic | bounce | rejected | failed
    outcome        TEXT NOT NULL,
    -- why it was not posted (rejected, automatic, failed), for admins
    reason         TEXT,
    -- the person the mail was routed to (token owner), and what it became
    user_id        TEXT REFERENCES users(id),
    message_id     TEXT REFERENCES messages(id),
    size_bytes     BIGINT NOT NULL,
    -- the raw mail, kept for support until raw_until, then cleared
    raw            BLOB,
    raw_until      BIGINT,
    received_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX inbound_mail_dedup ON inbound_mail(dedup_key);
CREATE INDEX inbound_mail_outcome ON inbound_mail(outcome, received_at);
CREATE INDEX inbound_mail_raw_until ON inbound_mail(raw_until);

-- What trimming cut from a message that came by mail (quoted history, signature):
-- readers can expand it, so the sender's words are never lost.
CREATE TABLE message_quoted (
    message_id TEXT PRIMARY KEY REFERENCES messages(id),
    quoted     TEXT NOT NULL
);

CREATE TABLE attachments (
    id            TEXT PRIMARY KEY,
    message_id    TEXT NOT NULL REFERENCES messages(id),
    mentorship_id TEXT NOT NULL REFERENCES mentorships(id),
    name          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size_bytes    BIGINT NOT NULL,
    data          BLOB NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX attachments_message ON attachments(message_id);

-- Explanations mailed to senders, at most one per (address, kind, day).
CREATE TABLE inbound_notices (
    address TEXT NOT NULL,
    kind    TEXT NOT NULL,
    day     TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (address, kind, day)
);

-- A link mailed to a person whose mail came from an address not theirs: following
-- it (within its time, once) adds that address to their verified ones.
CREATE TABLE address_confirmations (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    address    TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

-- Delivery failures reported for our mail (VERP bounces).
CREATE TABLE mail_bounces (
    id        TEXT PRIMARY KEY,
    user_id   TEXT NOT NULL REFERENCES users(id),
    address   TEXT NOT NULL,
    -- the DSN status, e.g. 5.1.1
    status    TEXT NOT NULL,
    permanent BIGINT NOT NULL,
    at        BIGINT NOT NULL
);
CREATE INDEX mail_bounces_address ON mail_bounces(address, at);

-- An address whose mail is paused because it keeps bouncing; cleared when the person
-- resumes mail or changes address.
CREATE TABLE mail_address_health (
    address   TEXT PRIMARY KEY,
    user_id   TEXT NOT NULL REFERENCES users(id),
    score     BIGINT NOT NULL,
    paused_at BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX mail_address_health_user ON mail_address_health(user_id);

-- Digests and contact figures read a mentorship's messages by time.
CREATE INDEX messages_mentorship_time ON messages(mentorship_id, created_at);

-- Notices to senders may go to an address without an account.
ALTER TABLE outbox ADD COLUMN to_address TEXT;
