-- update_failures counts the failed attempts at handling one Telegram update,
-- across in-process retries, webhook redeliveries and restarts. After the
-- last attempt the update becomes a dead letter (dead_at set) and its id is
-- recorded in telegram_updates in the same transaction, so intake goes on.
-- raw is the update as received (it may hold a message: never shown, erased
-- with the person or handed back by `suivi updates dead-letters --retry`).
CREATE TABLE update_failures (
    id               BIGSERIAL PRIMARY KEY,
    update_id        BIGINT NOT NULL UNIQUE,
    chat_id          BIGINT,
    raw              BYTEA NOT NULL,
    error            TEXT NOT NULL,
    attempts         INT NOT NULL,
    first_failed_at  TIMESTAMPTZ NOT NULL,
    last_failed_at   TIMESTAMPTZ NOT NULL,
    dead_at          TIMESTAMPTZ
);
CREATE INDEX update_failures_dead_idx ON update_failures (dead_at) WHERE dead_at IS NOT NULL;
