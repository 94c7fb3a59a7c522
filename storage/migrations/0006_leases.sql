-- leases elect one replica for a job by a row with an expiry on the
-- database's clock: a holder that dies (process, machine or network) loses
-- it when it stops renewing, whatever became of its connections.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
