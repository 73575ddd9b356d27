-- The audit log: every time an admin or coordinator is shown personal data (a people
-- list, a health page or CSV, failed mail, an export or erasure on someone's behalf),
-- who, what, when and from where. Append-only: the code has no UPDATE or DELETE of it,
-- and the triggers below refuse both, so not even a bug can rewrite history. Retention
-- of the log itself is a later, separate decision: it will have to drop these triggers
-- explicitly (in a migration of its own), which is the point.
CREATE TABLE audit_log (
    id            TEXT PRIMARY KEY,
    at            BIGINT NOT NULL,
    actor_id      TEXT NOT NULL REFERENCES users(id),
    -- model::audit::AuditAction: people_list, health_page, health_csv, failed_mail, …
    action        TEXT NOT NULL,
    -- whom it concerns: one person, and/or a programme or mentorship
    subject_user_id TEXT,
    programme_id  TEXT,
    mentorship_id TEXT,
    client_address TEXT NOT NULL,
    request_id    TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_actor ON audit_log(actor_id, at);
CREATE INDEX audit_log_subject ON audit_log(subject_user_id, at);
CREATE INDEX audit_log_programme ON audit_log(programme_id, at);
CREATE INDEX audit_log_mentorship ON audit_log(mentorship_id, at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- Signed-in devices: what the settings page lists for each login.
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN last_used_at BIGINT;

-- Devices a person signed in from before: a browser's device cookie, or an API
-- client's User-Agent, stored only as a SHA-256. A sign-in from one not listed gets a
-- mail to the person.
CREATE TABLE known_devices (
    user_id     TEXT NOT NULL REFERENCES users(id),
    device_hash TEXT NOT NULL,
    first_seen  BIGINT NOT NULL,
    PRIMARY KEY (user_id, device_hash)
);
