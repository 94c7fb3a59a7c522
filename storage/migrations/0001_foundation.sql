-- Foundation schema: people, invitations, Telegram intake, conversations,
-- answers, the outbox, alerts and the audit log. Later migrations extend it.

CREATE TABLE staff (
    id           BIGSERIAL PRIMARY KEY,
    handle       TEXT NOT NULL UNIQUE,
    telegram_id  BIGINT UNIQUE,
    name         TEXT NOT NULL DEFAULT '',
    role         TEXT NOT NULL CHECK (role IN ('caseworker', 'supervisor', 'manager', 'admin')),
    supervisor_id BIGINT REFERENCES staff (id),
    language     TEXT NOT NULL DEFAULT 'fr',
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- returnees holds a case reference, never a name.
CREATE TABLE returnees (
    id              BIGSERIAL PRIMARY KEY,
    ref             TEXT NOT NULL UNIQUE,
    sex             TEXT NOT NULL CHECK (sex IN ('F', 'M')),
    birth_date      DATE NOT NULL,
    return_date     DATE NOT NULL,
    host_country    TEXT NOT NULL,
    region          TEXT NOT NULL DEFAULT '',
    programme       TEXT NOT NULL DEFAULT '',
    assistance      TEXT[] NOT NULL DEFAULT '{}',
    sector          TEXT NOT NULL DEFAULT '',
    vulnerabilities TEXT[] NOT NULL DEFAULT '{}',
    caseworker_id   BIGINT REFERENCES staff (id),
    telegram_id     BIGINT UNIQUE,
    chat_id         BIGINT,
    language        TEXT NOT NULL DEFAULT 'fr' CHECK (language IN ('fr', 'ar', 'en')),
    consent         TEXT NOT NULL DEFAULT 'pending' CHECK (consent IN ('pending', 'accepted', 'declined')),
    consent_at      TIMESTAMPTZ,
    timezone        TEXT NOT NULL DEFAULT '',
    window_start    TIME NOT NULL DEFAULT '10:00',
    window_end      TIME NOT NULL DEFAULT '19:00',
    status          TEXT NOT NULL DEFAULT 'active'
                    CHECK (status IN ('active', 'paused', 'stopped', 'unreachable', 'deleted')),
    paused_until    TIMESTAMPTZ,
    safety_hold     BOOLEAN NOT NULL DEFAULT false,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX returnees_caseworker_idx ON returnees (caseworker_id);

-- invitations are single-use deep-link tokens for a returnee or a staff member.
CREATE TABLE invitations (
    id           BIGSERIAL PRIMARY KEY,
    token        TEXT NOT NULL UNIQUE CHECK (token ~ '^[A-Za-z0-9_-]{1,64}$'),
    returnee_id  BIGINT REFERENCES returnees (id) ON DELETE CASCADE,
    staff_id     BIGINT REFERENCES staff (id) ON DELETE CASCADE,
    expires_at   TIMESTAMPTZ NOT NULL,
    used_at      TIMESTAMPTZ,
    used_by      BIGINT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((returnee_id IS NULL) <> (staff_id IS NULL))
);

-- telegram_updates records every handled update id, in the same transaction
-- as the update's effects, so a redelivered update has effect once.
CREATE TABLE telegram_updates (
    update_id    BIGINT PRIMARY KEY,
    handled_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX telegram_updates_handled_idx ON telegram_updates (handled_at);

CREATE TABLE conversations (
    id            BIGSERIAL PRIMARY KEY,
    returnee_id   BIGINT NOT NULL REFERENCES returnees (id) ON DELETE CASCADE,
    flow_id       TEXT NOT NULL,
    flow_version  INT NOT NULL,
    state         JSONB NOT NULL DEFAULT '{}',
    status        TEXT NOT NULL DEFAULT 'active'
                  CHECK (status IN ('active', 'completed', 'expired', 'cancelled')),
    started_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at   TIMESTAMPTZ
);
-- A returnee never has two conversations open at once.
CREATE UNIQUE INDEX conversations_one_active_idx ON conversations (returnee_id) WHERE status = 'active';

CREATE TABLE answers (
    id               BIGSERIAL PRIMARY KEY,
    conversation_id  BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    returnee_id      BIGINT REFERENCES returnees (id) ON DELETE SET NULL,
    flow_id          TEXT NOT NULL,
    question_id      TEXT NOT NULL,
    value            JSONB NOT NULL,
    score            DOUBLE PRECISION,
    dimension        TEXT NOT NULL DEFAULT '',
    indicator        TEXT NOT NULL DEFAULT '',
    answered_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (conversation_id, question_id)
);
CREATE INDEX answers_returnee_idx ON answers (returnee_id);

-- outbox holds every outgoing Bot API call, written in the transaction that
-- decided it and sent after commit. Lane 0 is replies, lane 1 bulk openers.
CREATE TABLE outbox (
    id               BIGSERIAL PRIMARY KEY,
    chat_id          BIGINT NOT NULL,
    lane             SMALLINT NOT NULL DEFAULT 0 CHECK (lane IN (0, 1)),
    method           TEXT NOT NULL,
    params           JSONB NOT NULL,
    ephemeral        BOOLEAN NOT NULL DEFAULT false,
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dropped')),
    attempts         INT NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    lease_until      TIMESTAMPTZ,
    last_error       TEXT NOT NULL DEFAULT '',
    telegram_message_id BIGINT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at          TIMESTAMPTZ
);
CREATE INDEX outbox_due_idx ON outbox (lane, id) WHERE status IN ('pending', 'sending');
CREATE INDEX outbox_chat_open_idx ON outbox (chat_id, id) WHERE status IN ('pending', 'sending');

CREATE TABLE alerts (
    id               BIGSERIAL PRIMARY KEY,
    returnee_id      BIGINT REFERENCES returnees (id) ON DELETE SET NULL,
    conversation_id  BIGINT REFERENCES conversations (id) ON DELETE SET NULL,
    rule_id          TEXT NOT NULL DEFAULT '',
    category         TEXT NOT NULL,
    severity         TEXT NOT NULL CHECK (severity IN ('urgent', 'high', 'medium', 'low')),
    message          TEXT NOT NULL DEFAULT '',
    question_ids     TEXT[] NOT NULL DEFAULT '{}',
    status           TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'resolved')),
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    acknowledged_at  TIMESTAMPTZ,
    acknowledged_by  BIGINT REFERENCES staff (id),
    resolved_at      TIMESTAMPTZ,
    resolved_by      BIGINT REFERENCES staff (id)
);
CREATE INDEX alerts_open_idx ON alerts (severity, created_at) WHERE status <> 'resolved';

-- audit_log records staff actions on personal data.
CREATE TABLE audit_log (
    id        BIGSERIAL PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL DEFAULT '',
    detail    JSONB NOT NULL DEFAULT '{}'
);
