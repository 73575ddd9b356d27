-- Exports (GDPR right of access and portability): a person's data as a zip. One too
-- large to hand over in the request is built in the background, kept as a file in the
-- data dir (`exports/<id>.zip`) and mailed as a link: a random token, stored here only
-- as its SHA-256. At expiry the file is deleted; the row stays (without the file) so
-- the link answers 410 rather than 404, until the person's data is erased.
CREATE TABLE exports (
    id           TEXT PRIMARY KEY,
    -- whose data it is
    user_id      TEXT NOT NULL REFERENCES users(id),
    -- who asked: the person, or an admin on their behalf
    requested_by TEXT NOT NULL REFERENCES users(id),
    token_hash   TEXT NOT NULL UNIQUE,
    size_bytes   BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    -- when the file was deleted (at expiry)
    removed_at   BIGINT
);
CREATE INDEX exports_user ON exports(user_id);
CREATE INDEX exports_expiry ON exports(expires_at) WHERE removed_at IS NULL;
