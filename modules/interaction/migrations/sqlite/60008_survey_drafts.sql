-- Surveys prepared in the console start as drafts (草稿): not shown to citizens and not open
-- for responses until published (发布). Surveys created through the API are published at once.
ALTER TABLE surveys ADD COLUMN draft INTEGER NOT NULL DEFAULT 0;
