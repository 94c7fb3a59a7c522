-- Sending hardening: each claim of an outbox row carries a token, so a
-- sender records an outcome only for a row it still holds; strangers get at
-- most one reply per Telegram account per ten minutes.

ALTER TABLE outbox ADD COLUMN claim_token BIGINT;

-- Known people's replies are claimed before strangers' ephemeral replies.
DROP INDEX outbox_due_idx;
CREATE INDEX outbox_due_idx ON outbox (lane, ephemeral, id) WHERE status IN ('pending', 'sending');

-- stranger_replies holds, for ten minutes, when Suivi last answered a
-- Telegram account it does not know: the account id only, nothing else.
CREATE TABLE stranger_replies (
    telegram_id  BIGINT PRIMARY KEY,
    replied_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX stranger_replies_at_idx ON stranger_replies (replied_at);
