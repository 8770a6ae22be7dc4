-- Interaction, continued.
-- Notices of the letters desk (办件提醒): a letter arrived at a body of this node, an open
-- letter due soon or overdue, an overdue letter of a level below escalated here. Written in
-- the transaction of what they tell; the id makes each one once (per ticket and deadline).
CREATE TABLE interaction_notices (
    id            TEXT    PRIMARY KEY, -- "<kind>:<code>:<what makes it unique>"
    body_id       TEXT    NOT NULL,    -- whose handlers are told (escalations: the superior body, or '' = the node)
    ticket_body   TEXT    NOT NULL,    -- the body the ticket is with (for escalations, the one below)
    kind          TEXT    NOT NULL,    -- arrived, due_soon, overdue, escalated
    code          TEXT    NOT NULL,
    subject       TEXT    NOT NULL,
    due_day       TEXT    NOT NULL DEFAULT '',
    at_ms         INTEGER NOT NULL,
    mailed        INTEGER NOT NULL DEFAULT 0,
    mail_attempts INTEGER NOT NULL DEFAULT 0,
    next_mail_ms  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX interaction_notices_body ON interaction_notices (body_id, at_ms);
CREATE INDEX interaction_notices_unmailed ON interaction_notices (mailed, next_mail_ms);

-- Who has read which notice (per person: a user id of this node's accounts).
CREATE TABLE interaction_notice_reads (
    notice_id   TEXT    NOT NULL,
    user_id     INTEGER NOT NULL,
    at_ms       INTEGER NOT NULL,
    PRIMARY KEY (notice_id, user_id)
);
