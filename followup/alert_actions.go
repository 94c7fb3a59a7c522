package followup

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"suivi/storage"
	"suivi/tgmsg"
)

// The actions of an alert's buttons (tgmsg's a<alert id>:<action>).
const (
	ActionAck      = "ack"
	ActionNote     = "note"
	ActionResolve  = "resolve"
	ActionReassign = "reassign" // then reassign:<staff id>
)

// Why an action on an alert changed nothing.
var (
	ErrAlertClosed    = errors.New("the alert is already resolved")
	ErrAlertForbidden = errors.New("not allowed to act on this alert")
	ErrNoteRequired   = errors.New("a safety alert is resolved with a note")
)

// PendingTTL is how long an alert button waits for the staff member's note.
const PendingTTL = 30 * time.Minute

// lockForAction locks an alert and checks that s may act on it and that it
// is still open.
func lockForAction(ctx context.Context, tx *sql.Tx, s storage.Staff, id storage.AlertID) (storage.Alert, error) {
	ok, err := CanActOnAlert(ctx, tx, storage.StaffID(s.ID), id)
	if err != nil {
		return storage.Alert{}, err
	}
	if !ok {
		return storage.Alert{}, ErrAlertForbidden
	}
	a, err := storage.LockAlert(ctx, tx, id)
	if err != nil {
		return a, err
	}
	if a.Status == "resolved" {
		return a, ErrAlertClosed
	}
	return a, nil
}

func staffEvent(ctx context.Context, q storage.Querier, id storage.AlertID, kind string, s storage.Staff, data map[string]any, now time.Time) error {
	raw, _ := json.Marshal(data)
	sid := storage.StaffID(s.ID)
	return storage.AddAlertEvent(ctx, q, storage.AlertEvent{AlertID: id, Kind: kind, StaffID: &sid, At: now, Data: raw})
}

// Acknowledge records that s took the alert in hand; a second
// acknowledgement changes nothing.
func Acknowledge(ctx context.Context, tx *sql.Tx, s storage.Staff, id storage.AlertID, now time.Time) (storage.Alert, error) {
	a, err := lockForAction(ctx, tx, s, id)
	if err != nil || a.Status != "open" {
		return a, err
	}
	if err := storage.AcknowledgeAlert(ctx, tx, id, now); err != nil {
		return a, err
	}
	if err := staffEvent(ctx, tx, id, storage.AlertEventAcknowledged, s, nil, now); err != nil {
		return a, err
	}
	return storage.AlertByID(ctx, tx, id)
}

// AskNote records that s's next text message is a note on the alert (or,
// with resolve, the note that resolves it), for PendingTTL.
func AskNote(ctx context.Context, tx *sql.Tx, s storage.Staff, id storage.AlertID, resolve bool, messageID int, now time.Time) error {
	if _, err := lockForAction(ctx, tx, s, id); err != nil {
		return err
	}
	action := storage.PendingNote
	if resolve {
		action = storage.PendingResolve
	}
	return storage.SetStaffPending(ctx, tx, storage.StaffPending{StaffID: storage.StaffID(s.ID), AlertID: id, Action: action,
		MessageID: messageID, ExpiresAt: now.Add(PendingTTL)})
}

// AddNote adds s's note to the alert.
func AddNote(ctx context.Context, tx *sql.Tx, s storage.Staff, id storage.AlertID, note string, now time.Time) (storage.Alert, error) {
	a, err := lockForAction(ctx, tx, s, id)
	if err != nil {
		return a, err
	}
	return a, staffEvent(ctx, tx, id, storage.AlertEventNote, s, map[string]any{"text": note}, now)
}

// Resolve closes the alert. A safety alert needs a note (what was done, how
// the person is); resolving it lifts the returnee's safety hold, so their
// check-ins resume. Nothing the returnee says lifts it.
func Resolve(ctx context.Context, tx *sql.Tx, s storage.Staff, id storage.AlertID, note string, now time.Time) (storage.Alert, error) {
	a, err := lockForAction(ctx, tx, s, id)
	if err != nil {
		return a, err
	}
	if a.Category == string(CategorySafety) && note == "" {
		return a, ErrNoteRequired
	}
	if note != "" {
		if err := staffEvent(ctx, tx, id, storage.AlertEventNote, s, map[string]any{"text": note}, now); err != nil {
			return a, err
		}
	}
	if err := storage.ResolveAlert(ctx, tx, id, now); err != nil {
		return a, err
	}
	if err := staffEvent(ctx, tx, id, storage.AlertEventResolved, s, nil, now); err != nil {
		return a, err
	}
	if a.Category == string(CategorySafety) && a.ReturneeID != nil {
		if err := storage.SetSafetyHold(ctx, tx, *a.ReturneeID, false); err != nil {
			return a, err
		}
	}
	return storage.AlertByID(ctx, tx, id)
}

// ReassignChoices are who s may hand the alert to: the case workers of their
// supervisor's team (their own team for a supervisor, everyone for an
// administrator), but the alert's owner.
func ReassignChoices(ctx context.Context, q storage.Querier, s storage.Staff, a storage.Alert) ([]storage.Staff, error) {
	var team storage.StaffID
	switch {
	case s.Role == storage.RoleAdmin:
		team = 0
	case s.Role == storage.RoleSupervisor:
		team = storage.StaffID(s.ID)
	case s.SupervisorID != nil:
		team = storage.StaffID(*s.SupervisorID)
	default:
		return nil, nil // a case worker without a team has nobody to hand over to
	}
	all, err := storage.Caseworkers(ctx, q, team)
	if err != nil {
		return nil, err
	}
	var out []storage.Staff
	for _, c := range all {
		if a.AssignedTo == nil || *a.AssignedTo != c.ID {
			out = append(out, c)
		}
	}
	return out, nil
}

// Reassign hands the alert to another case worker among ReassignChoices;
// they get it at once.
func (d *Delivery) Reassign(ctx context.Context, tx *sql.Tx, s storage.Staff, id storage.AlertID, to storage.StaffID, now time.Time) (storage.Alert, error) {
	a, err := lockForAction(ctx, tx, s, id)
	if err != nil {
		return a, err
	}
	choices, err := ReassignChoices(ctx, tx, s, a)
	if err != nil {
		return a, err
	}
	allowed := false
	for _, c := range choices {
		allowed = allowed || c.ID == int64(to)
	}
	if !allowed {
		return a, ErrAlertForbidden
	}
	data := map[string]any{"to": int64(to)}
	if a.AssignedTo != nil {
		data["from"] = *a.AssignedTo
	}
	if err := storage.AssignAlert(ctx, tx, id, to); err != nil {
		return a, err
	}
	if err := staffEvent(ctx, tx, id, storage.AlertEventReassigned, s, data, now); err != nil {
		return a, err
	}
	if err := d.deliver(ctx, tx, id, "reassigned", now); err != nil {
		return a, err
	}
	return storage.AlertByID(ctx, tx, id)
}

// ReachableAgain resolves the returnee's open unreachable alert when they
// unblock the bot: nobody needs to act on it any more.
func ReachableAgain(ctx context.Context, tx *sql.Tx, id storage.ReturneeID, now time.Time) error {
	a, err := storage.LockOpenAlert(ctx, tx, id, string(CategoryUnreachable))
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := storage.ResolveAlert(ctx, tx, storage.AlertID(a.ID), now); err != nil {
		return err
	}
	return storage.AddAlertEvent(ctx, tx, storage.AlertEvent{AlertID: storage.AlertID(a.ID), Kind: storage.AlertEventResolved,
		At: now, Data: json.RawMessage(`{"auto": "reachable again"}`)})
}

// NotifyErasureRequest tells the owners of the returnee's open urgent alerts,
// at once, that the person asked for their data to be erased: the alert's
// number and the case reference only, since everything else goes.
func NotifyErasureRequest(ctx context.Context, tx *sql.Tx, id storage.ReturneeID, ref string) error {
	d := deliveryFrom(ctx)
	if d == nil {
		return nil
	}
	alerts, err := storage.OpenUrgentAlerts(ctx, tx, id)
	if err != nil {
		return err
	}
	for _, a := range alerts {
		to, err := d.owners(ctx, tx, a)
		if err != nil {
			return fmt.Errorf("notify erasure: %w", err)
		}
		for _, r := range to {
			text := d.Flows.Texts.Get(r.staff.Language, "alert_erasure_requested", strconv.FormatInt(a.ID, 10), ref)
			if err := storage.EnqueueMessages(ctx, tx, tgmsg.Text(*r.staff.TelegramID, storage.LaneReply, text, nil)...); err != nil {
				return err
			}
		}
	}
	return nil
}
