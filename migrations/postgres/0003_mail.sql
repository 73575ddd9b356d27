-- E-mail out: preferences, the outbox, digests and the tokens mails carry.

-- How a person wants mail (G1, G2, G4). No row: the defaults (`each` for people
-- without a password, `live` for the others; digest at 08:00 on Mondays).
CREATE TABLE mail_settings (
    user_id              TEXT PRIMARY KEY REFERENCES users(id),
    -- live | each | daily | weekly | off
    mode                 TEXT NOT NULL,
    -- local hour 0-23 at which a daily or weekly digest goes out
    digest_hour          BIGINT NOT NULL,
    -- ISO weekday 1 (Monday) - 7 (Sunday) of the weekly digest
    digest_weekday       BIGINT NOT NULL,
    -- quiet hours as minutes after local midnight; both NULL: none
    quiet_start          BIGINT,
    quiet_end            BIGINT,
    -- `live`: mail a message that is still unread after this many minutes
    missed_delay_minutes BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);

-- A person's mode for one mentorship, overriding their general mode.
CREATE TABLE mail_mentorship_settings (
    user_id       TEXT NOT NULL REFERENCES users(id),
    mentorship_id TEXT NOT NULL REFERENCES mentorships(id),
    mode          TEXT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (user_id, mentorship_id)
);

-- Every mail to send, written in the same transaction as its cause. The id is also
-- the local part of the Message-ID, so a resend after a crash carries the same one.
CREATE TABLE outbox (
    id            TEXT PRIMARY KEY,
    -- security | notification | missed | digest
    kind          TEXT NOT NULL,
    user_id       TEXT REFERENCES users(id),
    -- the mentorship and message this mail is about (notification, missed, digest)
    mentorship_id TEXT,
    message_id    TEXT,
    -- a complete rendered mail, for kinds rendered when enqueued (security, digest)
    rendered      TEXT,
    -- pending | sending | sent | failed | cancelled
    status        TEXT NOT NULL,
    not_before    BIGINT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    last_error    TEXT,
    -- a claimed row whose claim ran out (crashed sender) is claimed again
    claimed_until BIGINT,
    sent_at       BIGINT,
    created_at    BIGINT NOT NULL
);
CREATE INDEX outbox_due ON outbox(status, not_before);
CREATE INDEX outbox_user ON outbox(user_id, status);

-- One digest per person per period, across restarts and instances. `cutoff` is the
-- instant the digest covers up to; the next one starts there.
CREATE TABLE digest_runs (
    user_id    TEXT NOT NULL REFERENCES users(id),
    period     TEXT NOT NULL,
    cutoff     BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, period)
);

-- Tokens in addresses and links of mails, stored hashed: reply+TOKEN (recipient,
-- thread), mentorship+TOKEN (person, mentorship), unsubscribe links.
CREATE TABLE mail_tokens (
    token_hash    TEXT PRIMARY KEY,
    -- reply | mentorship | unsubscribe
    kind          TEXT NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users(id),
    thread_id     TEXT,
    mentorship_id TEXT,
    created_at    BIGINT NOT NULL
);
CREATE INDEX mail_tokens_owner ON mail_tokens(kind, user_id, thread_id, mentorship_id);
