-- Reports: a de-identified statistical record kept when a returnee is
-- erased, so a past period's factsheet gives the same figures before and
-- after; views that turn people, check-ins, answers, scores and alerts into
-- the facts the indicators count; an index so a period's answers are read
-- without scanning every answer ever given.

-- statistical_records holds what the factsheet counts about an erased
-- returnee and nothing that leads back to them: no reference, no id, no
-- case worker, the return month instead of the date, the age instead of the
-- birth date. Written by the erasure, in its transaction.
CREATE TABLE statistical_records (
    id               BIGSERIAL PRIMARY KEY,
    sex              TEXT NOT NULL CHECK (sex IN ('F', 'M')),
    age_at_return    INT NOT NULL,
    return_month     DATE NOT NULL CHECK (date_trunc('month', return_month) = return_month),
    host_country     TEXT NOT NULL,
    region           TEXT NOT NULL DEFAULT '',
    programme        TEXT NOT NULL DEFAULT '',
    assistance       TEXT[] NOT NULL DEFAULT '{}',
    sector           TEXT NOT NULL DEFAULT '',
    vulnerabilities  TEXT[] NOT NULL DEFAULT '{}'
);
CREATE INDEX statistical_records_month_idx ON statistical_records (return_month);

-- report_people is everyone the factsheet counts: the returnees on file and
-- the statistical records of those erased. An erased person's return date
-- is the first day of their return month, so windows that start and end on
-- month boundaries (quarters, years) count them exactly.
CREATE VIEW report_people AS
SELECT r.id AS returnee_id, r.caseworker_id, r.sex,
       date_part('year', age(r.return_date::timestamp, r.birth_date::timestamp))::int AS age,
       r.return_date, r.host_country, r.region, r.programme, r.assistance, r.sector, r.vulnerabilities
FROM returnees r
WHERE r.status <> 'deleted' AND r.return_date IS NOT NULL AND r.sex IS NOT NULL AND r.birth_date IS NOT NULL
UNION ALL
SELECT NULL, NULL, s.sex, s.age_at_return, s.return_month, s.host_country, s.region, s.programme,
       s.assistance, s.sector, s.vulnerabilities
FROM statistical_records s;

-- report_dimensions gives each returnee on file the groups indicators are
-- broken down by. Ages are taken between timestamps without time zone:
-- between dates (time zone conversions) it costs fifty times more. Groups
-- sort bytewise ("C"): the breakdowns sort them several times, and the
-- language's collation would cost several times more. Age bands are ours: under 18, 18-24, 25-34, 35-44, 45-59, 60+.
CREATE VIEW report_dimensions AS
SELECT r.id AS returnee_id, r.caseworker_id, r.sex COLLATE "C" AS sex, r.region COLLATE "C" AS region,
       r.host_country COLLATE "C" AS host_country, r.programme COLLATE "C" AS programme,
       COALESCE(NULLIF(r.sector, ''), 'none') COLLATE "C" AS sector,
       (CASE WHEN a < 18 THEN '0-17' WHEN a < 25 THEN '18-24' WHEN a < 35 THEN '25-34'
             WHEN a < 45 THEN '35-44' WHEN a < 60 THEN '45-59' ELSE '60+' END) COLLATE "C" AS age_band,
       'microproject' = ANY (r.assistance) AS microproject
FROM returnees r
CROSS JOIN LATERAL (SELECT date_part('year', age(r.return_date::timestamp, r.birth_date::timestamp))::int AS a) x
WHERE r.status <> 'deleted' AND r.return_date IS NOT NULL AND r.birth_date IS NOT NULL;

-- report_answer_facts is one indicator answer with its number (a number
-- answer, or the option for a scale) and its score; erased people's
-- answers stay, without a person.
CREATE VIEW report_answer_facts AS
SELECT a.returnee_id, a.flow_id, a.indicator, a.dimension, a.answered_at, a.score,
       a.value->>'kind' AS kind, a.value->>'option' AS option,
       CASE WHEN a.value->>'kind' = 'number' THEN (a.value->>'number')::double precision END AS number
FROM answers a
WHERE a.indicator <> '';

CREATE INDEX answers_indicator_at_idx ON answers (indicator, answered_at) WHERE indicator <> '';
CREATE INDEX scores_name_at_idx ON scores (name, computed_at);
CREATE INDEX checkins_due_date_idx ON checkins (due_date);
CREATE INDEX alerts_created_idx ON alerts (created_at);

-- success_stories are stories a returnee agreed to have published (the
-- factsheet shows the period's latest consented one). They go with the
-- person if they ask to be erased.
CREATE TABLE success_stories (
    id           BIGSERIAL PRIMARY KEY,
    returnee_id  BIGINT REFERENCES returnees (id) ON DELETE CASCADE,
    title        TEXT NOT NULL,
    text         TEXT NOT NULL,
    told_on      DATE NOT NULL,
    programme    TEXT NOT NULL DEFAULT '',
    region       TEXT NOT NULL DEFAULT '',
    consented    BOOLEAN NOT NULL DEFAULT false
);

-- statistical_checkins keeps an erased returnee's check-in occasions as
-- anonymous tallies (the day due, the flow, whether it was sent, how it
-- ended), so a past period's reach and response rate stay the same.
CREATE TABLE statistical_checkins (
    due_date  DATE NOT NULL,
    flow_id   TEXT NOT NULL,
    status    TEXT NOT NULL,
    opened    BOOLEAN NOT NULL
);
CREATE INDEX statistical_checkins_due_idx ON statistical_checkins (due_date);
