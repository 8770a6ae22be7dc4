-- Interaction, continued: 答复公开. A replied letter whose citizen consented is published only
-- with a public text a reviewer of the body approved (personal data redacted). Proposed and
-- reviewed where the body is; the approved (or withdrawn) text also travels to the node the
-- letter was filed on, whose site lists it.
CREATE TABLE reply_publications (
    code        TEXT    PRIMARY KEY, -- the ticket's tracking code
    state       TEXT    NOT NULL,    -- proposed, approved, returned, withdrawn
    subject     TEXT    NOT NULL,    -- the public texts
    content     TEXT    NOT NULL,
    reply       TEXT    NOT NULL,
    proposed_by TEXT    NOT NULL DEFAULT '', -- names of staff: known where the body is only
    proposed_ms INTEGER NOT NULL DEFAULT 0,
    reviewed_by TEXT    NOT NULL DEFAULT '',
    reviewed_ms INTEGER NOT NULL DEFAULT 0,
    note        TEXT    NOT NULL DEFAULT '', -- the reviewer's reason (returned, withdrawn)
    version     INTEGER NOT NULL,            -- raised by every change: later versions win
    origin      TEXT    NOT NULL DEFAULT ''  -- the node it came from ('' = made here)
);
CREATE INDEX reply_publications_state ON reply_publications (state);

-- Every change of a publication, where it was made: who proposed, approved, returned or
-- withdrew it, when, and the reason (written in the transaction of the change).
CREATE TABLE reply_publication_events (
    id          INTEGER PRIMARY KEY,
    code        TEXT    NOT NULL,
    at_ms       INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL, -- proposed, approved, returned, withdrawn
    note        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX reply_publication_events_code ON reply_publication_events (code, id);
