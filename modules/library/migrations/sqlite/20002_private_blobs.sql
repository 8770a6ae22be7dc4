-- Files citizens attach to letters are private: stored like every blob, never served by
-- the public blob route nor to peers (issue 11). A staff upload of the same bytes makes
-- the blob public (its content is published anyway).
ALTER TABLE blobs ADD COLUMN private INTEGER NOT NULL DEFAULT 0;
