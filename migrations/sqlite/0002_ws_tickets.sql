-- Single-use tickets that authenticate a WebSocket upgrade without putting the
-- access token in the URL. In the database so a ticket from one instance works on
-- any other. Stored hashed; valid for 30 seconds.
CREATE TABLE ws_tickets (
    ticket_hash TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id),
    session_id  TEXT NOT NULL REFERENCES sessions(id),
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
