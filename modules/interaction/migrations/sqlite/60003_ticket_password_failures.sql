-- Wrong tracking passwords per ticket (issue 11): at most 10 in the hour from the first of
-- them; then the ticket refuses every password until that hour is over. A good password
-- clears the count. Tickets filed before keep their blake3 hashes in tickets.password_hash
-- (64 hex digits) until their first good check replaces them with an argon2id PHC string.
CREATE TABLE ticket_password_failures (
    code      TEXT    PRIMARY KEY,
    since_ms  INTEGER NOT NULL, -- the first wrong password of the window (unix ms)
    n         INTEGER NOT NULL  -- wrong passwords since then
);
