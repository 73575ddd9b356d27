-- Retention: a closed mentorship's content is removed a number of months after it
-- closed (per programme, default 24), with a warning mail to its members 30 days
-- before. The rows stay — the thread's shape, the dates, the coordinator's figures —
-- while every text the members wrote is emptied.
ALTER TABLE programmes ADD COLUMN retention_months BIGINT NOT NULL DEFAULT 24;
ALTER TABLE mentorships ADD COLUMN retention_warned_at BIGINT;
ALTER TABLE mentorships ADD COLUMN content_removed_at BIGINT;
-- Why a message has no text any more: author (deleted it), retention, erasure.
ALTER TABLE messages ADD COLUMN deleted_reason TEXT;
UPDATE messages SET deleted_reason = 'author' WHERE deleted_at IS NOT NULL;
CREATE INDEX mentorships_retention ON mentorships(closed_at) WHERE closed_at IS NOT NULL AND content_removed_at IS NULL;
