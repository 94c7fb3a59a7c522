package followup

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"suivi/storage"
)

// Category says what an alert is about. Flow definitions name the same
// categories in their alert rules (flows lint checks them there, so flows
// stays free of this package).
type Category string

// The alert categories.
const (
	CategorySafety          Category = "safety"
	CategoryWellbeing       Category = "wellbeing"
	CategoryProject         Category = "project"
	CategoryHelpRequest     Category = "help_request"
	CategoryLostContact     Category = "lost_contact"
	CategoryConsentDeclined Category = "consent_declined"
	CategoryOptOut          Category = "opt_out"
	CategoryUnreachable     Category = "unreachable"
	CategoryMessage         Category = "message"
	CategoryOther           Category = "other"
)

// Categories lists every category.
var Categories = []Category{CategorySafety, CategoryWellbeing, CategoryProject, CategoryHelpRequest,
	CategoryLostContact, CategoryConsentDeclined, CategoryOptOut, CategoryUnreachable, CategoryMessage, CategoryOther}

// Severity says how soon a human must act.
type Severity string

// The severities, most pressing first.
const (
	SeverityUrgent Severity = "urgent"
	SeverityHigh   Severity = "high"
	SeverityMedium Severity = "medium"
	SeverityLow    Severity = "low"
)

// rank orders severities: a higher rank is more pressing; 0 is unknown.
func (s Severity) rank() int {
	switch s {
	case SeverityUrgent:
		return 4
	case SeverityHigh:
		return 3
	case SeverityMedium:
		return 2
	case SeverityLow:
		return 1
	}
	return 0
}

// MorePressing reports whether s calls for action sooner than t.
func (s Severity) MorePressing(t Severity) bool { return s.rank() > t.rank() }

// Text keys of alerts raised outside flow definitions, and of flow rules.
const (
	TextFlowRule      = "flow_rule" // params flow, version, rule: the rule's message in the flow
	TextFlowRuleGone  = "alert_flow_rule_missing"
	TextHelpRequest   = "alert_help_request"
	TextOptOut        = "alert_opt_out"
	TextUnreachable   = "alert_unreachable"   // the returnee blocked the bot
	TextUndeliverable = "alert_undeliverable" // params reason: Telegram refused a message
	TextLostContact   = "alert_lost_contact"
	TextLegacy        = "alert_legacy" // params text: prose stored before text keys
)

// Alert is an alert to raise. Its text is a key of the texts catalog (or
// TextFlowRule) and parameters, never prose: each reader gets it in their
// language (RenderAlert).
type Alert struct {
	Returnee     storage.ReturneeID
	Conversation storage.ConversationID // 0 when none
	Rule         string                 // the flow rule's id, or what raised it ("scheduler.lost_contact")
	Category     Category
	Severity     Severity
	TextKey      string
	Params       map[string]any
	// Answers are the answers that triggered it, question id → value, for
	// the case worker.
	Answers     map[string]any
	QuestionIDs []string
}

// RaiseAlert asks a human to look at a returnee, in tx. A returnee has at
// most one open alert per category: when one is open, the new one becomes an
// evidence event of it (its text, parameters and answers), and raises its
// severity when more pressing; otherwise a new alert, assigned to the
// returnee's case worker, is stored with a raised event. It returns the
// alert's id and whether it is new. Concurrent raises for one returnee and
// category wait for each other on the unique index of open alerts, so only
// one alert results.
//
// A new alert, and one whose severity new evidence raised, is delivered at
// once to the staff (Delivery, from ctx) in the same transaction: the
// outbox row goes with the alert or not at all. An urgent safety alert puts
// the returnee on hold until a staff member resolves it.
func RaiseAlert(ctx context.Context, tx *sql.Tx, a Alert, now time.Time) (storage.AlertID, bool, error) {
	id, isNew, raised, err := raiseAlert(ctx, tx, a, now)
	if err != nil {
		return id, isNew, err
	}
	if a.Category == CategorySafety && a.Severity == SeverityUrgent {
		if err := storage.SetSafetyHold(ctx, tx, int64(a.Returnee), true); err != nil {
			return id, isNew, err
		}
	}
	if d := deliveryFrom(ctx); d != nil && (isNew || raised) {
		why := "raised"
		if !isNew {
			why = "severity"
		}
		if err := d.deliver(ctx, tx, id, why, now); err != nil {
			return id, isNew, err
		}
	}
	return id, isNew, nil
}

// raiseAlert stores the alert or its evidence; raised reports that evidence
// made an open alert more pressing.
func raiseAlert(ctx context.Context, tx *sql.Tx, a Alert, now time.Time) (_ storage.AlertID, isNew, raised bool, _ error) {
	if a.Severity.rank() == 0 {
		return 0, false, false, fmt.Errorf("raise alert: severity %q: %w", a.Severity, storage.ErrInvalid)
	}
	if !validCategory(a.Category) {
		return 0, false, false, fmt.Errorf("raise alert: category %q: %w", a.Category, storage.ErrInvalid)
	}
	if a.TextKey == "" {
		return 0, false, false, fmt.Errorf("raise alert: no text key: %w", storage.ErrInvalid)
	}
	params := map[string]any{}
	for k, v := range a.Params {
		params[k] = v
	}
	if len(a.Answers) > 0 {
		params["answers"] = a.Answers
	}
	raw, err := json.Marshal(params)
	if err != nil {
		return 0, false, false, fmt.Errorf("raise alert: params: %w", err)
	}
	rid := int64(a.Returnee)
	row := storage.Alert{ReturneeID: &rid, RuleID: a.Rule, Category: string(a.Category), Severity: string(a.Severity),
		TextKey: a.TextKey, Params: raw, QuestionIDs: a.QuestionIDs}
	if a.Conversation != 0 {
		cid := int64(a.Conversation)
		row.ConversationID = &cid
	}
	// An open alert resolved between the insert and the lock leaves room
	// for a new one: try again.
	for range 3 {
		id, inserted, err := storage.InsertOpenAlert(ctx, tx, row, now)
		if err != nil {
			return 0, false, false, err
		}
		if inserted {
			data, _ := json.Marshal(map[string]any{"severity": a.Severity})
			return id, true, false, storage.AddAlertEvent(ctx, tx, storage.AlertEvent{AlertID: id, Kind: storage.AlertEventRaised, At: now, Data: data})
		}
		open, err := storage.LockOpenAlert(ctx, tx, a.Returnee, string(a.Category))
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return 0, false, false, err
		}
		id = storage.AlertID(open.ID)
		data, _ := json.Marshal(map[string]any{"severity": a.Severity, "text_key": a.TextKey, "params": json.RawMessage(raw),
			"rule": a.Rule, "conversation_id": a.Conversation})
		if err := storage.AddAlertEvent(ctx, tx, storage.AlertEvent{AlertID: id, Kind: storage.AlertEventEvidence, At: now, Data: data}); err != nil {
			return 0, false, false, err
		}
		if a.Severity.MorePressing(Severity(open.Severity)) {
			if err := storage.SetAlertSeverity(ctx, tx, id, string(a.Severity)); err != nil {
				return 0, false, false, err
			}
			return id, false, true, nil
		}
		return id, false, false, nil
	}
	return 0, false, false, fmt.Errorf("raise alert for returnee %d: neither inserted nor found open: %w", a.Returnee, storage.ErrConflict)
}

func validCategory(c Category) bool {
	for _, k := range Categories {
		if k == c {
			return true
		}
	}
	return false
}
