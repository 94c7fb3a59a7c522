-- Conversations: onboarding state kept on the invitation until consent,
-- computed scores, and anonymous answers that outlive a /delete.

ALTER TABLE invitations ADD COLUMN onboarding JSONB;

-- A /delete keeps answers only as anonymous rows: no conversation, no person.
ALTER TABLE answers ALTER COLUMN conversation_id DROP NOT NULL;
ALTER TABLE answers DROP CONSTRAINT answers_conversation_id_fkey;
ALTER TABLE answers ADD CONSTRAINT answers_conversation_id_fkey
    FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE SET NULL;

-- Computed values of a conversation: WHO-5 percent, dimension scores, composite.
CREATE TABLE scores (
    id               BIGSERIAL PRIMARY KEY,
    conversation_id  BIGINT REFERENCES conversations (id) ON DELETE SET NULL,
    returnee_id      BIGINT REFERENCES returnees (id) ON DELETE SET NULL,
    flow_id          TEXT NOT NULL,
    name             TEXT NOT NULL,
    value            DOUBLE PRECISION NOT NULL,
    computed_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX scores_conversation_name_idx ON scores (conversation_id, name) WHERE conversation_id IS NOT NULL;
CREATE INDEX scores_returnee_idx ON scores (returnee_id);

-- A deleted returnee keeps a tombstone with the case reference only, so a
-- later import does not bring the data back.
ALTER TABLE returnees ALTER COLUMN sex DROP NOT NULL;
ALTER TABLE returnees ALTER COLUMN birth_date DROP NOT NULL;
ALTER TABLE returnees ALTER COLUMN return_date DROP NOT NULL;
