-- An author may edit or delete their own message for a while after writing it
-- (`--edit-window-hours`). The edit replaces the text: earlier versions are kept
-- nowhere, so nobody can be shown them. A deleted message keeps its row (its place in
-- the thread and in the contact figures) with an empty body, as a tombstone.
ALTER TABLE messages ADD COLUMN edited_at BIGINT;
ALTER TABLE messages ADD COLUMN deleted_at BIGINT;
