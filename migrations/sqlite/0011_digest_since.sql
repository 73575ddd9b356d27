-- When a reader's digest schedule last changed (mode, hour or weekday). A digest
-- period that came due before that is not sent late: the first digest after a change
-- comes at the next such hour. 0: the schedule never changed since this column came.
ALTER TABLE mail_settings ADD COLUMN schedule_since BIGINT NOT NULL DEFAULT 0;
