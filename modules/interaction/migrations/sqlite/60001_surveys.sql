-- Interaction (versions 6xxxx; after content, whose sites surveys reference, and
-- federation, through which tickets travel).
-- Surveys and opinion solicitations (征集调查): local to the node running the site, never
-- replicated. Responses are keyed by a hash of (survey, respondent cookie id); no cookie,
-- account or client address is stored.
CREATE TABLE surveys (
    id          INTEGER PRIMARY KEY,
    site_id     TEXT    NOT NULL REFERENCES sites (id),
    title       TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    body        TEXT    NOT NULL, -- the government body running it
    opens_ms    BIGINT  NOT NULL,
    closes_ms   BIGINT  NOT NULL, -- results are public from then on
    questions   TEXT    NOT NULL, -- JSON [{kind, text, options, required}]
    feedback    TEXT,             -- what the body adopted, set after closing
    feedback_ms BIGINT,
    created_ms  BIGINT  NOT NULL,
    created_by  TEXT    NOT NULL,
    responses   BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX surveys_site ON surveys (site_id, opens_ms);

CREATE TABLE survey_responses (
    survey_id   INTEGER NOT NULL REFERENCES surveys (id),
    respondent  TEXT    NOT NULL, -- blake3(survey, cookie id): one response per respondent
    answers     TEXT    NOT NULL, -- JSON, one per question: null, index, [indices], text
    created_ms  BIGINT  NOT NULL,
    PRIMARY KEY (survey_id, respondent)
);

-- Running counts, updated in the response's transaction: option -1 counts the respondents
-- who answered the question (for text questions, the number of text answers).
CREATE TABLE survey_tallies (
    survey_id INTEGER NOT NULL REFERENCES surveys (id),
    question  INTEGER NOT NULL,
    option    INTEGER NOT NULL,
    count     BIGINT  NOT NULL,
    PRIMARY KEY (survey_id, question, option)
);

-- Responses per client in a fixed window (rate limit); the bucket is a hash of the address.
CREATE TABLE survey_rate (
    bucket    TEXT   PRIMARY KEY,
    window_ms BIGINT NOT NULL,
    count     BIGINT NOT NULL
);
CREATE INDEX survey_rate_window ON survey_rate (window_ms);
