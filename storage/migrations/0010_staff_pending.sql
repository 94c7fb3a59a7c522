-- What a staff member's next text message is for, after an alert button
-- asked for it ("Add note", or the note a safety alert needs before it is
-- resolved). It is a row, not memory, so it survives a restart and works
-- whichever replica handles the next message; it expires.

CREATE TABLE staff_pending (
    staff_id   BIGINT PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    alert_id   BIGINT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    action     TEXT NOT NULL CHECK (action IN ('note', 'resolve')),
    message_id BIGINT NOT NULL DEFAULT 0,
    expires_at TIMESTAMPTZ NOT NULL
);
