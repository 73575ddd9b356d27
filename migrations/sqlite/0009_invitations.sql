-- Invitations: how people join a programme. A coordinator invites a person by name and
-- address; the person becomes a user and one of the programme's people only when they
-- accept (by the link, or by replying "yes" to the invitation mail), so nobody gets
-- mentoring mail before saying yes. One row per programme and address: inviting again
-- after a revocation or expiry renews the row.
CREATE TABLE invitations (
    id            TEXT PRIMARY KEY,
    programme_id  TEXT NOT NULL REFERENCES programmes(id),
    -- lower-cased, like users.email
    email         TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    -- mentor | mentee: the side the coordinator means them for
    role          TEXT NOT NULL,
    locale        TEXT NOT NULL,
    timezone      TEXT NOT NULL,
    invited_by    TEXT REFERENCES users(id),
    -- SHA-256 of the current link token (also the reply address's token); a re-send
    -- replaces it, so the old link is dead
    token_hash    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    sent_at       BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    revoked_at    BIGINT,
    accepted_at   BIGINT,
    -- web | email
    accepted_via  TEXT,
    user_id       TEXT REFERENCES users(id)
);
CREATE UNIQUE INDEX invitations_programme_email ON invitations(programme_id, email);
CREATE UNIQUE INDEX invitations_token ON invitations(token_hash);

-- Consent to a programme's privacy notice: who, which programme, when, which version of
-- the notice, and how (web page or reply by mail).
CREATE TABLE consents (
    user_id        TEXT NOT NULL REFERENCES users(id),
    programme_id   TEXT NOT NULL REFERENCES programmes(id),
    notice_version TEXT NOT NULL,
    -- web | email
    via            TEXT NOT NULL,
    given_at       BIGINT NOT NULL,
    PRIMARY KEY (user_id, programme_id, notice_version)
);
