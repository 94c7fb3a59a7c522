-- Alerts become one open alert per returnee and category with a history of
-- events (raised, new evidence, delivery, reminders, escalation, the staff's
-- acknowledgement, notes, reassignment, resolution), an owner, and a text
-- stored as a key and parameters, rendered in the reader's language.

ALTER TABLE alerts
    ADD COLUMN assigned_to BIGINT REFERENCES staff (id) ON DELETE SET NULL,
    ADD COLUMN text_key    TEXT NOT NULL DEFAULT '',
    ADD COLUMN params      JSONB NOT NULL DEFAULT '{}';

-- Times come from the application's clock, so tests can move it.
ALTER TABLE alerts ALTER COLUMN created_at DROP DEFAULT;

-- Old rows keep their prose as a parameter of a legacy text: nothing is lost.
UPDATE alerts SET text_key = 'alert_legacy', params = jsonb_build_object('text', message), message = ''
WHERE text_key = '';

UPDATE alerts a SET assigned_to = r.caseworker_id
FROM returnees r
WHERE r.id = a.returnee_id AND a.status <> 'resolved';

CREATE TABLE alert_events (
    id        BIGSERIAL PRIMARY KEY,
    alert_id  BIGINT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('raised', 'evidence', 'delivered', 'reminded', 'escalated',
                                            'acknowledged', 'note', 'reassigned', 'resolved')),
    staff_id  BIGINT REFERENCES staff (id) ON DELETE SET NULL,
    at        TIMESTAMPTZ NOT NULL,
    data      JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX alert_events_alert_idx ON alert_events (alert_id, id);

-- Every existing alert was raised once.
INSERT INTO alert_events (alert_id, kind, at, data)
SELECT id, 'raised', created_at, jsonb_build_object('severity', severity)
FROM alerts ORDER BY id;

-- Duplicates open today (unreachable raised twice, project_closed every
-- month) fold into the oldest open alert of their returnee and category, as
-- evidence, and close.
CREATE TEMP TABLE alert_duplicates ON COMMIT DROP AS
SELECT id, keep, created_at FROM (
    SELECT id, created_at,
           first_value(id) OVER (PARTITION BY returnee_id, category ORDER BY created_at, id) AS keep
    FROM alerts
    WHERE status <> 'resolved' AND returnee_id IS NOT NULL
) ranked
WHERE id <> keep;

INSERT INTO alert_events (alert_id, kind, at, data)
SELECT keep, 'evidence', created_at, jsonb_build_object('merged_alert', id)
FROM alert_duplicates ORDER BY id;

INSERT INTO alert_events (alert_id, kind, at, data)
SELECT id, 'resolved', created_at, jsonb_build_object('merged_into', keep)
FROM alert_duplicates ORDER BY id;

UPDATE alerts a SET status = 'resolved', resolved_at = d.created_at
FROM alert_duplicates d
WHERE a.id = d.id;

CREATE UNIQUE INDEX alerts_one_open_idx ON alerts (returnee_id, category) WHERE status <> 'resolved';
