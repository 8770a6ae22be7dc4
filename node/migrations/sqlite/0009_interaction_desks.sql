-- Letters desks (受理中心): the body of this node that takes letters whose writer did not
-- choose a body, per local site ('*' = the node's default). Its handlers pass them on (转办).
CREATE TABLE interaction_desks (
    site        TEXT    PRIMARY KEY,
    body_id     TEXT    NOT NULL,
    updated_ms  INTEGER NOT NULL
);
