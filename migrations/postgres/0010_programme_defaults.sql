-- The coordinator's pages: a programme's own threshold for "not started" (days after
-- the start before a pair that never met a window counts as not started; it was the
-- fixed 14), and whether a coordinator wants the weekly summary at all.
ALTER TABLE programmes ADD COLUMN default_not_started_days BIGINT NOT NULL DEFAULT 14;
ALTER TABLE summary_settings ADD COLUMN enabled BIGINT NOT NULL DEFAULT 1;
