-- Interaction, continued.
-- Reply templates (答复模板): texts a body's handlers start a reply from. Kept on the node of
-- the body, never replicated: they are the body's working material, not a publication.
CREATE TABLE interaction_reply_templates (
    id          INTEGER PRIMARY KEY,
    body_id     TEXT    NOT NULL, -- "<node>.<slug>" of a body of this node
    title       TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    updated_by  TEXT    NOT NULL DEFAULT '',
    updated_ms  INTEGER NOT NULL
);
CREATE INDEX interaction_reply_templates_body ON interaction_reply_templates (body_id, title);
