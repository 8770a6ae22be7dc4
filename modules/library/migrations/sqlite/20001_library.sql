-- Library (versions 2xxxx; depends on no other module): the index of stored blobs and the
-- index-number (索引号) sequences per issuing body and year.
-- Times are unix milliseconds in BIGINT.

CREATE TABLE blobs (
    hash       TEXT PRIMARY KEY,
    size       BIGINT NOT NULL,
    mime       TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);

CREATE TABLE index_sequences (
    body_code TEXT NOT NULL,
    year      BIGINT NOT NULL,
    last_seq  BIGINT NOT NULL,
    PRIMARY KEY (body_code, year)
);
