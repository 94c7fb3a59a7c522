package followup

import (
	"context"
	"database/sql"
	"time"

	"suivi/storage"
)

// Audit actions of staff in Telegram. Each records who (the staff member's
// handle), what, on which case (its reference) and when (the caller's
// clock); never a message's text, a note's text or an answer.
const (
	AuditCaseView      = "case.view"      // /case REF
	AuditCaseNote      = "case.note"      // /note REF TEXT
	AuditCheckinStart  = "checkin.start"  // /checkin REF FLOW
	AuditReply         = "case.reply"     // /reply REF TEXT
	AuditAlertsList    = "alerts.view"    // /alerts
	AuditAlertAck      = "alert.ack"      // an alert's buttons
	AuditAlertNote     = "alert.note"     //
	AuditAlertResolve  = "alert.resolve"  //
	AuditAlertReassign = "alert.reassign" //
)

// Audit records a staff member's view of or action on a case in the audit
// log, in the transaction of the action, so the log never claims what was
// rolled back. subject is a case reference (or an alert's number), never a
// name; details hold counts, ids, flow ids, never texts people wrote.
func Audit(ctx context.Context, tx *sql.Tx, staff storage.Staff, action, subject string, details map[string]any, now time.Time) error {
	return storage.WriteAuditAt(ctx, tx, now, "staff:"+staff.Handle, action, subject, details)
}
