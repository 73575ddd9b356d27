-- Browser sign-ins: the cookie holds a random token, stored here only as its SHA-256
-- hash. Each belongs to a login (`sessions`), so ending the login — sign-out, an
-- admin's revocation — ends the browser session, its WebSocket tickets and sockets.
CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    -- sent back in every form and fetch that changes something (synchroniser token)
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX web_sessions_session ON web_sessions(session_id);
