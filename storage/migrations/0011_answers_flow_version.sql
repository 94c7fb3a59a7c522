-- Answers remember the version of the flow they were given under, so an
-- answer read after the flow changed (or after its conversation went with a
-- /delete or the retention) is still read against the right questions.
-- Anonymous answers left by an erasure before this column existed have no
-- conversation any more: their version stays unknown (NULL).
ALTER TABLE answers ADD COLUMN IF NOT EXISTS flow_version INT;

UPDATE answers a
SET flow_version = c.flow_version
FROM conversations c
WHERE c.id = a.conversation_id AND a.flow_version IS NULL;
