package followup

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"suivi/flows"
	"suivi/storage"
	"suivi/tgmsg"
)

// What staff do from Telegram (bot/staff_commands.go parses the commands):
// list their alerts, read a case, note on it, open a check-in, write to the
// returnee. Each checks who may see the case (CanSeeCase) and records the
// view or action in the audit log.

// Refusals of staff commands. ErrNotInCaseload is also the answer for a
// reference that does not exist, so a refusal never tells whether it does.
var (
	ErrNotInCaseload  = errors.New("not in the staff member's caseload")
	ErrAggregatesOnly = errors.New("managers see aggregates only")
	ErrNotReachable   = errors.New("the returnee cannot get messages")
	ErrCheckinOpen    = errors.New("the returnee has a check-in open")
	ErrNoSuchFlow     = errors.New("no such flow")
)

// staffAlertsLimit bounds /alerts: a phone screen, not an export.
const staffAlertsLimit = 30

// StaffAlerts returns a staff member's open alerts, oldest first (for a
// supervisor also their team's, for an administrator all), or for a manager
// only counts by category and severity. The view is audited.
func StaffAlerts(ctx context.Context, tx *sql.Tx, s storage.Staff, now time.Time) ([]storage.QueuedAlert, []storage.AlertCount, error) {
	if s.Role == storage.RoleManager {
		counts, err := storage.OpenAlertCounts(ctx, tx)
		if err != nil {
			return nil, nil, err
		}
		return nil, counts, Audit(ctx, tx, s, AuditAlertsList, "counts", map[string]any{"groups": len(counts)}, now)
	}
	alerts, err := storage.StaffOpenAlerts(ctx, tx, storage.StaffID(s.ID), staffAlertsLimit)
	if err != nil {
		return nil, nil, err
	}
	return alerts, nil, Audit(ctx, tx, s, AuditAlertsList, "mine", map[string]any{"count": len(alerts)}, now)
}

// staffCase finds and locks the case ref for a staff member allowed to see
// it. A refusal is audited (who tried which reference), not a view.
func staffCase(ctx context.Context, tx *sql.Tx, s storage.Staff, ref, action string, now time.Time) (storage.Returnee, error) {
	refuse := func(why error) (storage.Returnee, error) {
		if err := Audit(ctx, tx, s, action+".refused", ref, nil, now); err != nil {
			return storage.Returnee{}, err
		}
		return storage.Returnee{}, why
	}
	if s.Role == storage.RoleManager {
		return refuse(ErrAggregatesOnly)
	}
	r, err := storage.ReturneeByRef(ctx, tx, ref)
	if errors.Is(err, storage.ErrNotFound) {
		return refuse(ErrNotInCaseload)
	}
	if err != nil {
		return r, err
	}
	ok, err := CanSeeCase(ctx, tx, storage.StaffID(s.ID), storage.ReturneeID(r.ID))
	if err != nil {
		return r, err
	}
	if !ok {
		return refuse(ErrNotInCaseload)
	}
	return storage.LockReturnee(ctx, tx, r.ID)
}

// ViewCase returns a case for a staff member allowed to see it, and audits
// the view.
func ViewCase(ctx context.Context, tx *sql.Tx, s storage.Staff, ref string, now time.Time) (storage.Returnee, storage.CaseView, error) {
	r, err := staffCase(ctx, tx, s, ref, AuditCaseView, now)
	if err != nil {
		return r, storage.CaseView{}, err
	}
	v, err := storage.LoadCaseView(ctx, tx, storage.ReturneeID(r.ID))
	if err != nil {
		return r, v, err
	}
	return r, v, Audit(ctx, tx, s, AuditCaseView, r.Ref, nil, now)
}

// AddCaseNote stores a staff member's note on a case and audits it (its
// length, never its text).
func AddCaseNote(ctx context.Context, tx *sql.Tx, s storage.Staff, ref, text string, now time.Time) (storage.Returnee, error) {
	r, err := staffCase(ctx, tx, s, ref, AuditCaseNote, now)
	if err != nil {
		return r, err
	}
	if err := storage.AddCaseNote(ctx, tx, storage.ReturneeID(r.ID), storage.StaffID(s.ID), text, now); err != nil {
		return r, err
	}
	return r, Audit(ctx, tx, s, AuditCaseNote, r.Ref, map[string]any{"chars": len([]rune(text))}, now)
}

// writable tells whether Suivi may write to a returnee: enrolled, with a
// chat, and not stopped, erased or unreachable (a pause stops check-ins,
// not their case worker).
func writable(r storage.Returnee) bool {
	return r.ChatID != nil && r.Consent == "accepted" &&
		(r.Status == storage.StatusActive || r.Status == storage.StatusPaused)
}

// StaffCheckin opens a check-in now for a case, as `suivi checkins start`
// does, unless one is open already, and audits it.
func (c *Conversations) StaffCheckin(ctx context.Context, tx *sql.Tx, s storage.Staff, ref, flowID string) (storage.Returnee, error) {
	now := c.Now()
	if !slices.Contains(StaffFlows(c.Flows), flowID) {
		return storage.Returnee{}, fmt.Errorf("%w: %s", ErrNoSuchFlow, flowID)
	}
	r, err := staffCase(ctx, tx, s, ref, AuditCheckinStart, now)
	if err != nil {
		return r, err
	}
	if !writable(r) {
		return r, ErrNotReachable
	}
	if _, err := storage.ActiveConversation(ctx, tx, r.ID); err == nil {
		return r, ErrCheckinOpen
	} else if !errors.Is(err, storage.ErrNotFound) {
		return r, err
	}
	if _, err := c.Start(ctx, tx, r, flowID, storage.LaneReply); err != nil {
		return r, err
	}
	return r, Audit(ctx, tx, s, AuditCheckinStart, r.Ref, map[string]any{"flow": flowID}, now)
}

// Reply sends a staff member's message to a returnee, in the reply lane,
// after a short lead in the returnee's language saying it comes from their
// case worker. An open check-in goes on untouched. The audit keeps the
// message's length, never its text.
func Reply(ctx context.Context, tx *sql.Tx, texts *flows.Texts, s storage.Staff, ref, text string, now time.Time) (storage.Returnee, error) {
	r, err := staffCase(ctx, tx, s, ref, AuditReply, now)
	if err != nil {
		return r, err
	}
	if !writable(r) {
		return r, ErrNotReachable
	}
	body := texts.Get(r.Language, "staff_reply_lead") + "\n\n" + text
	if err := storage.EnqueueMessages(ctx, tx, tgmsg.Text(*r.ChatID, storage.LaneReply, body, nil)...); err != nil {
		return r, err
	}
	return r, Audit(ctx, tx, s, AuditReply, r.Ref, map[string]any{"chars": len([]rune(text))}, now)
}

// StaffFlows are the flows staff may open from Telegram: all but the
// onboarding, which only an invitation starts.
func StaffFlows(cat *flows.Catalog) []string {
	var ids []string
	for _, d := range cat.List() {
		if d.ID != "onboarding" && !slices.Contains(ids, d.ID) {
			ids = append(ids, d.ID)
		}
	}
	return ids
}
