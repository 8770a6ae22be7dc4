-- Search, continued. Questions the Q&A assistant (智能问答) could not answer, per site:
-- normalised and masked like the query analytics (no personal numbers, nobody's identity).
CREATE TABLE search_unanswered (
    site        TEXT    NOT NULL, -- '' for questions outside a site
    question    TEXT    NOT NULL,
    asked       INTEGER NOT NULL,
    first_ms    INTEGER NOT NULL,
    last_ms     INTEGER NOT NULL,
    dismissed   INTEGER NOT NULL DEFAULT 0, -- 忽略: no longer listed
    PRIMARY KEY (site, question)
);
CREATE INDEX search_unanswered_listed ON search_unanswered (dismissed, asked);
