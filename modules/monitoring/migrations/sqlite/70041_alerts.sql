-- Alerts: a veto item of a site opens one when it first appears and resolves it when it is
-- gone; the mail worker marks what it sent; unresolved alerts escalate to the parent node.
CREATE TABLE monitoring_alerts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id       TEXT NOT NULL,
    indicator     TEXT NOT NULL,
    detail        TEXT NOT NULL,
    opened_ms     INTEGER NOT NULL,
    resolved_ms   INTEGER,
    mailed        INTEGER NOT NULL DEFAULT 0,
    mail_attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX monitoring_alerts_open ON monitoring_alerts (site_id, indicator) WHERE resolved_ms IS NULL;
CREATE INDEX monitoring_alerts_mail ON monitoring_alerts (mailed, opened_ms);
