-- The agreement becomes the contract (F3, G3, G6, G11). The new content fields are
-- private to the members like the ground rules and goals; the current version number
-- of the agreement moves with every change of rhythm or content.
ALTER TABLE mentorships ADD COLUMN action_plan TEXT NOT NULL DEFAULT '';
ALTER TABLE mentorships ADD COLUMN topics_excluded TEXT NOT NULL DEFAULT '';
ALTER TABLE mentorships ADD COLUMN mentor_time TEXT NOT NULL DEFAULT '';
ALTER TABLE mentorships ADD COLUMN ending_early TEXT NOT NULL DEFAULT '';
-- calendar date YYYY-MM-DD: the initial duration's end
ALTER TABLE mentorships ADD COLUMN end_date TEXT;
ALTER TABLE mentorships ADD COLUMN agreement_version BIGINT NOT NULL DEFAULT 1;

-- Every version of every agreement, kept whole (rhythm and content as JSON), written in
-- the transaction of the change. `content_at`: when that version's content was last
-- saved by a member, so a newcomer reads only versions whose content came after them.
CREATE TABLE agreement_versions (
    mentorship_id TEXT NOT NULL REFERENCES mentorships(id),
    version       BIGINT NOT NULL,
    agreement     TEXT NOT NULL,
    changed_by    TEXT REFERENCES users(id),
    changed_at    BIGINT NOT NULL,
    content_at    BIGINT NOT NULL,
    PRIMARY KEY (mentorship_id, version)
);

-- A member confirmed a version and accepted a charter version, on the web or by mail.
CREATE TABLE agreement_confirmations (
    mentorship_id   TEXT NOT NULL REFERENCES mentorships(id),
    user_id         TEXT NOT NULL REFERENCES users(id),
    version         BIGINT NOT NULL,
    charter_version BIGINT NOT NULL,
    confirmed_at    BIGINT NOT NULL,
    via             TEXT NOT NULL,
    PRIMARY KEY (mentorship_id, user_id, version)
);

-- The reply addresses of agreement mails (`agreement+TOKEN@`): random, single-purpose,
-- stored as a hash, naming the person and the version the mail showed them.
CREATE TABLE agreement_tokens (
    token_hash    TEXT PRIMARY KEY,
    mentorship_id TEXT NOT NULL REFERENCES mentorships(id),
    user_id       TEXT NOT NULL REFERENCES users(id),
    version       BIGINT NOT NULL,
    created_at    BIGINT NOT NULL
);

-- What every existing mentorship agreed so far is its version 1.
INSERT INTO agreement_versions (mentorship_id, version, agreement, changed_by, changed_at, content_at)
SELECT id, 1,
       json_object(
           'rhythm', json_object('contact_every_days', contact_every_days, 'response_within_hours', response_within_hours,
                                 'meeting_rhythm', meeting_rhythm),
           'content', json_object('ground_rules', ground_rules, 'goals', goals, 'action_plan', '', 'topics_excluded', '',
                                  'mentor_time', '', 'ending_early', '', 'end_date', NULL)),
       NULL, agreement_updated_at, COALESCE(content_updated_at, created_at)
FROM mentorships;
