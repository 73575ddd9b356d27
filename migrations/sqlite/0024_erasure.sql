-- Erasure (the right to be forgotten). The person's row stays, anonymised, so the
-- rows that point at it (memberships, messages, events) keep the coordinator's
-- figures counting the contact without a name; `erased_at` marks it.
ALTER TABLE users ADD COLUMN erased_at BIGINT;
-- What becomes of an erased person's messages in this programme's mentorships:
-- tombstone (the text goes, "removed at the author's request") | anonymise (the
-- text stays under "Former participant").
ALTER TABLE programmes ADD COLUMN erasure_policy TEXT NOT NULL DEFAULT 'tombstone';
-- One row per erasure: who asked, why (an admin on someone's behalf), when it began
-- and finished. Batches run between the two; an unfinished row is resumed at start.
CREATE TABLE erasures (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    -- NULL: asked on the command line (the operator)
    requested_by TEXT REFERENCES users(id),
    reason       TEXT,
    -- the person's addresses, a JSON array, only while it runs (to find mail from
    -- them); cleared when it finishes
    addresses    TEXT,
    started_at   BIGINT NOT NULL,
    finished_at  BIGINT
);
CREATE UNIQUE INDEX erasures_user ON erasures(user_id);
CREATE INDEX erasures_unfinished ON erasures(started_at) WHERE finished_at IS NULL;
