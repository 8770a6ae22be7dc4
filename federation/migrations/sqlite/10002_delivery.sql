-- Routed store-and-forward delivery (tickets): signed envelopes waiting for the next hop,
-- and the envelopes already taken (so a retried delivery is acknowledged, not repeated).
CREATE TABLE fed_outbox (
    id          TEXT    PRIMARY KEY, -- blake3 of the envelope's canonical bytes, hex
    destination TEXT    NOT NULL,
    origin      TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    envelope    BLOB    NOT NULL,    -- postcard Entry (seq 0, object "to:<destination>")
    created_ms  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX fed_outbox_created ON fed_outbox (created_ms);

CREATE TABLE fed_delivered (
    id          TEXT    PRIMARY KEY,
    origin      TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    relayed     INTEGER NOT NULL, -- 1: passed on towards its destination, 0: delivered here
    at_ms       INTEGER NOT NULL
);
