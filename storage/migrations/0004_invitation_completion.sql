-- An invitation is complete once it did its job: the returnee consented or
-- moved their follow-up to the account that opened it, or a staff member was
-- linked. A complete invitation never works again, even for the account that
-- used it, so an old phone cannot take a follow-up back with its old link.
ALTER TABLE invitations ADD COLUMN completed_at TIMESTAMPTZ;

UPDATE invitations i SET completed_at = COALESCE(r.consent_at, i.used_at)
FROM returnees r
WHERE r.id = i.returnee_id AND i.used_at IS NOT NULL AND r.consent = 'accepted';

UPDATE invitations SET completed_at = used_at
WHERE staff_id IS NOT NULL AND used_at IS NOT NULL;
