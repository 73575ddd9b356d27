-- Missed-message mail is queued by a scan over recent messages once a reader's delay
-- has passed (no outbox row per post for readers on the web): the scan reads
-- messages by time.
CREATE INDEX messages_created ON messages (created_at);
