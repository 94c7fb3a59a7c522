-- Schedule: check-ins as rows (one per returnee, campaign and occurrence), what
-- the planner last saw of each returnee, and the scheduler's fencing state.

-- checkins is the due work of campaigns. An occurrence is identified by its
-- month offset after the return date, so a campaign that gains months keeps
-- its existing rows. Rows are created idempotently by the leader's planner and
-- opened, reminded and expired by any replica with FOR UPDATE SKIP LOCKED.
CREATE TABLE checkins (
    id               BIGSERIAL PRIMARY KEY,
    returnee_id      BIGINT NOT NULL REFERENCES returnees (id) ON DELETE CASCADE,
    flow_id          TEXT NOT NULL,
    occurrence       INT NOT NULL CHECK (occurrence >= 0),   -- index in the campaign's months
    month            INT NOT NULL CHECK (month >= 0),        -- months after the return date
    due_date         DATE NOT NULL,                          -- local date it falls on
    due_at           TIMESTAMPTZ NOT NULL,                   -- first planned open instant, never moved
    open_at          TIMESTAMPTZ NOT NULL,                   -- planned open instant, moved by catch-up
    status           TEXT NOT NULL DEFAULT 'planned'
                     CHECK (status IN ('planned', 'open', 'completed', 'missed', 'skipped', 'cancelled')),
    attempts         INT NOT NULL DEFAULT 0,                 -- failed opening attempts
    last_attempt_at  TIMESTAMPTZ,
    conversation_id  BIGINT REFERENCES conversations (id) ON DELETE SET NULL,
    opened_at        TIMESTAMPTZ,
    expires_at       TIMESTAMPTZ,
    reminders        SMALLINT NOT NULL DEFAULT 0,
    reminded_at      TIMESTAMPTZ,
    next_action_at   TIMESTAMPTZ,                            -- next reminder or expiry while open
    closed_at        TIMESTAMPTZ,
    missed_streak    INT NOT NULL DEFAULT 0,                 -- missed in a row, ending with this one
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (returnee_id, flow_id, month)
);
CREATE INDEX checkins_planned_idx ON checkins (open_at, id) WHERE status = 'planned';
CREATE INDEX checkins_action_idx ON checkins (next_action_at, id) WHERE status = 'open';
CREATE INDEX checkins_conversation_idx ON checkins (conversation_id) WHERE conversation_id IS NOT NULL;
-- A returnee never has two check-ins open at once.
CREATE UNIQUE INDEX checkins_one_open_idx ON checkins (returnee_id) WHERE status = 'open';

-- checkin_plans records, per returnee, the inputs the planner used, so a
-- returnee seen for the first time or whose return date, time zone or window
-- changed is planned again, and the others only move forward day by day.
CREATE TABLE checkin_plans (
    returnee_id   BIGINT PRIMARY KEY REFERENCES returnees (id) ON DELETE CASCADE,
    return_date   DATE NOT NULL,
    timezone      TEXT NOT NULL,
    window_start  TIME NOT NULL,
    window_end    TIME NOT NULL,
    planned_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- scheduler_state is one row: the fencing token of the latest planning leader
-- (each planning transaction checks it, so a stale leader's writes are
-- refused) and the local date through which every known returnee is planned.
CREATE TABLE scheduler_state (
    id               BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
    fence            BIGINT NOT NULL DEFAULT 0,
    leader           TEXT NOT NULL DEFAULT '',
    fenced_at        TIMESTAMPTZ,
    planned_through  DATE
);
INSERT INTO scheduler_state DEFAULT VALUES;
