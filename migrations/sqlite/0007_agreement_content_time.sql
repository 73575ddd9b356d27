-- When the agreement's ground rules and goals were last saved by a member (NULL: as
-- written when the mentorship was created). Someone who joins later reads them only
-- once a member saves them again after their joining: the rhythm can be changed by a
-- coordinator, so `agreement_updated_at` cannot tell.
ALTER TABLE mentorships ADD COLUMN content_updated_at BIGINT;
