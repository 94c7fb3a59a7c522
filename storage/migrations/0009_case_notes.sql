-- Case notes: what a staff member writes about a case (/note in Telegram),
-- with who and when (the application's clock). They go with the person's
-- other data when they ask to be erased.
CREATE TABLE case_notes (
    id           BIGSERIAL PRIMARY KEY,
    returnee_id  BIGINT NOT NULL REFERENCES returnees (id) ON DELETE CASCADE,
    staff_id     BIGINT REFERENCES staff (id) ON DELETE SET NULL,
    at           TIMESTAMPTZ NOT NULL,
    text         TEXT NOT NULL
);
CREATE INDEX case_notes_returnee_idx ON case_notes (returnee_id, at);
