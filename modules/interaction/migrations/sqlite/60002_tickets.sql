-- Interaction, continued.
-- One-net interaction (一网通答): the directory of government bodies, tickets with their
-- events, and personal data kept apart (only where filed and where answered).
CREATE TABLE interaction_bodies (
    id          TEXT    PRIMARY KEY, -- "<node id>.<slug>": the node is where its tickets go
    node        TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    superior    TEXT    NOT NULL DEFAULT '', -- body id of the superior level ('' = the parent node)
    public_key  TEXT    NOT NULL DEFAULT '', -- the node's key (hex), vouched by the province: personal data is sealed to it
    updated_ms  INTEGER NOT NULL,
    entry_hlc   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX interaction_bodies_node ON interaction_bodies (node);

CREATE TABLE tickets (
    code          TEXT    PRIMARY KEY,
    kind          TEXT    NOT NULL,
    subject       TEXT    NOT NULL,
    content       TEXT    NOT NULL,
    body_id       TEXT    NOT NULL,
    body_node     TEXT    NOT NULL,
    filed_node    TEXT    NOT NULL,
    filed_site    TEXT    NOT NULL,
    state         TEXT    NOT NULL,
    consent_public INTEGER NOT NULL,
    password_hash TEXT    NOT NULL,
    attachments   TEXT    NOT NULL DEFAULT '[]',
    filed_ms      INTEGER NOT NULL,
    accepted_day  TEXT    NOT NULL DEFAULT '',
    due_day       TEXT    NOT NULL DEFAULT '',
    paused_since  TEXT    NOT NULL DEFAULT '',
    paused_days   INTEGER NOT NULL DEFAULT 0,
    extended      INTEGER NOT NULL DEFAULT 0,
    reply         TEXT    NOT NULL DEFAULT '',
    reply_body    TEXT    NOT NULL DEFAULT '',
    replied_ms    INTEGER NOT NULL DEFAULT 0,
    rating        INTEGER NOT NULL DEFAULT 0,
    rating_comment TEXT   NOT NULL DEFAULT '',
    escalated     INTEGER NOT NULL DEFAULT 0,
    holder        INTEGER NOT NULL, -- 1 where the responsible body is (handlers act here)
    version       INTEGER NOT NULL,
    updated_ms    INTEGER NOT NULL
);
CREATE INDEX tickets_body ON tickets (body_id, state);
CREATE INDEX tickets_public ON tickets (filed_site, state, consent_public);

CREATE TABLE ticket_personal (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    phone       TEXT NOT NULL,
    id_number   TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT ''
);

CREATE TABLE ticket_events (
    id          TEXT    PRIMARY KEY,
    code        TEXT    NOT NULL,
    at_ms       INTEGER NOT NULL,
    node        TEXT    NOT NULL, -- the node that made (and signed) the change
    actor       TEXT    NOT NULL DEFAULT '', -- the handler, known where the change was made
    action      TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX ticket_events_code ON ticket_events (code, at_ms);

-- Overdue tickets of bodies below, escalated to this node (the superior level).
CREATE TABLE ticket_escalations (
    code        TEXT    PRIMARY KEY,
    from_node   TEXT    NOT NULL,
    body_id     TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    due_day     TEXT    NOT NULL,
    working_days_late INTEGER NOT NULL,
    red_line    INTEGER NOT NULL,
    at_ms       INTEGER NOT NULL
);

-- Per-body statistics, own and rolled up from nodes below (latest per body).
CREATE TABLE interaction_stats (
    body_id     TEXT    PRIMARY KEY,
    node        TEXT    NOT NULL,
    stats       TEXT    NOT NULL, -- JSON
    updated_ms  INTEGER NOT NULL
);

-- Submissions per client and hour (rate limit), by a hash of the client, never the address.
CREATE TABLE ticket_rate (
    client      TEXT    NOT NULL,
    hour        INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (client, hour)
);

-- Holiday calendar and deadline policy, per level that set them (the nearest ancestor's
-- setting applies; the province's by default).
CREATE TABLE interaction_settings (
    origin      TEXT    PRIMARY KEY,
    setting     TEXT    NOT NULL, -- JSON {calendar: text, policy: {...}}
    entry_hlc   INTEGER NOT NULL
);

-- A ticket's attachments, where the ticket was filed and where it is answered (they travel
-- sealed with the citizen's data).
CREATE TABLE ticket_attachments (
    code        TEXT    NOT NULL,
    hash        TEXT    NOT NULL, -- blake3, verified on arrival
    name        TEXT    NOT NULL,
    mime        TEXT    NOT NULL,
    bytes       BLOB    NOT NULL,
    PRIMARY KEY (code, hash)
);

-- Letters desks (受理中心): the body of this node that takes letters whose writer did not
-- choose a body, per local site ('*' = the node's default). Its handlers pass them on (转办).
CREATE TABLE interaction_desks (
    site        TEXT    PRIMARY KEY,
    body_id     TEXT    NOT NULL,
    updated_ms  INTEGER NOT NULL
);
