-- The journey's prompts (F5-F10): the moments a step comes due for a mentorship — a
-- reflection after a session, a review round, the closing step, the follow-up, an
-- action's reminder — and the invitations they sent.
--
-- A timer is derived from the records (a meeting, the programme's review cadence,
-- the agreed end date, the closing date, an action's due date) by the scheduler's
-- reconciling step, keyed by what it was derived from, so a changed date gives a new
-- key. The scheduler fires a due timer by setting fired_at where it is still NULL:
-- only one instance can, and it queues the invitations in the same transaction.
CREATE TABLE journey_timers (
    mentorship_id TEXT NOT NULL REFERENCES mentorships(id),
    -- reflection | review | closure | closing | follow_up | action
    kind          TEXT NOT NULL,
    -- what the timer belongs to: a meeting id, a review round, an end date, an action
    subject       TEXT NOT NULL,
    due_at        BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    fired_at      BIGINT,
    PRIMARY KEY (mentorship_id, kind, subject)
);
CREATE INDEX journey_timers_waiting ON journey_timers(due_at) WHERE fired_at IS NULL;
CREATE INDEX journey_timers_kind ON journey_timers(kind, mentorship_id);

-- One member's invitation: its outbox mail (when one was sent) and the reply token
-- (form+TOKEN@) that brings their answers back to the right form.
CREATE TABLE prompts (
    -- kind.mentorship.subject.user; also the outbox id of its mail
    id            TEXT PRIMARY KEY,
    mentorship_id TEXT NOT NULL REFERENCES mentorships(id),
    kind          TEXT NOT NULL,
    subject       TEXT NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users(id),
    token_hash    TEXT NOT NULL UNIQUE,
    -- 1 when a mail was queued (0: the person reads no mail, or had answered already)
    mailed        BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    answered_at   BIGINT
);
CREATE INDEX prompts_member ON prompts(mentorship_id, user_id);

-- The reconciling step looks only at recent meetings.
CREATE INDEX meetings_created ON meetings(created_at);
