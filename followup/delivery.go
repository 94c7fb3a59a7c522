package followup

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"suivi/flows"
	"suivi/storage"
	"suivi/tgmsg"
)

// Delivery takes alerts to the staff's Telegram chats: the alert's owner
// (its case worker), else the owner's supervisor, else the on-call list. It
// also knows each severity's deadline, for the escalation job.
type Delivery struct {
	Flows     *flows.Catalog
	Zone      *time.Location             // how times are shown to the staff (staff have no time zone of their own)
	OnCall    []string                   // staff handles, checked at start
	Deadlines map[Severity]time.Duration // no entry: no deadline
}

type deliveryKey struct{}

// WithDelivery makes RaiseAlert deliver the alerts it raises under ctx.
// RaiseAlert is called from the returnee's handler, the sender and the
// scheduler alike; carrying the delivery in the context lets the App wire it
// once for all of them. An alert raised without one (a command-line tool) is
// delivered by the escalation job's next pass, which delivers every open
// alert that has no delivered event.
func WithDelivery(ctx context.Context, d *Delivery) context.Context {
	if d == nil {
		return ctx
	}
	return context.WithValue(ctx, deliveryKey{}, d)
}

func deliveryFrom(ctx context.Context) *Delivery {
	d, _ := ctx.Value(deliveryKey{}).(*Delivery)
	return d
}

// private reports whether an alert's details (the reason and the answers)
// are for its case worker and their supervisor only.
func private(c string) bool {
	return c == string(CategorySafety) || c == string(CategoryWellbeing)
}

// recipient is a staff member an alert goes to, and whether they may read
// its details.
type recipient struct {
	staff storage.Staff
	full  bool
}

func reachable(s storage.Staff) bool { return s.TelegramID != nil }

// owners are who an alert goes to: its owner when they have Telegram, else
// the owner's supervisor, else the on-call list.
func (d *Delivery) owners(ctx context.Context, q storage.Querier, a storage.Alert) ([]recipient, error) {
	if a.AssignedTo != nil {
		owner, err := storage.StaffByID(ctx, q, *a.AssignedTo)
		if err != nil {
			return nil, err
		}
		if reachable(owner) {
			return []recipient{{owner, true}}, nil
		}
		if sup, ok, err := d.supervisor(ctx, q, owner); err != nil || ok {
			return []recipient{{sup, true}}, err
		}
	}
	return d.onCall(ctx, q, a)
}

// supervisor returns a staff member's supervisor when they have Telegram.
func (d *Delivery) supervisor(ctx context.Context, q storage.Querier, s storage.Staff) (storage.Staff, bool, error) {
	if s.SupervisorID == nil {
		return storage.Staff{}, false, nil
	}
	sup, err := storage.StaffByID(ctx, q, *s.SupervisorID)
	if err != nil {
		return sup, false, err
	}
	return sup, reachable(sup), nil
}

// onCall is the on-call list, who see a safety or wellbeing alert's
// reference, category and severity only.
func (d *Delivery) onCall(ctx context.Context, q storage.Querier, a storage.Alert) ([]recipient, error) {
	var out []recipient
	for _, h := range d.OnCall {
		s, err := storage.StaffByHandle(ctx, q, h)
		if err != nil {
			continue // removed since the start: the others still get it
		}
		if reachable(s) {
			out = append(out, recipient{s, !private(a.Category)})
		}
	}
	return out, nil
}

// escalation are who an overdue alert goes up to: the owner's supervisor,
// and the on-call list when the alert is urgent or nobody supervises.
func (d *Delivery) escalation(ctx context.Context, q storage.Querier, a storage.Alert) ([]recipient, error) {
	var out []recipient
	if a.AssignedTo != nil {
		owner, err := storage.StaffByID(ctx, q, *a.AssignedTo)
		if err != nil {
			return nil, err
		}
		sup, ok, err := d.supervisor(ctx, q, owner)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, recipient{sup, true})
		}
	}
	if len(out) == 0 || a.Severity == string(SeverityUrgent) {
		oc, err := d.onCall(ctx, q, a)
		if err != nil {
			return nil, err
		}
		for _, r := range oc {
			if !contains(out, r.staff.ID) {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

func contains(rs []recipient, id int64) bool {
	for _, r := range rs {
		if r.staff.ID == id {
			return true
		}
	}
	return false
}

// deliver sends an alert to its owners with a delivered event each; why
// says what prompted it (raised, severity, reassigned, undelivered).
func (d *Delivery) deliver(ctx context.Context, q storage.Querier, id storage.AlertID, why string, now time.Time) error {
	a, err := storage.AlertByID(ctx, q, id)
	if err != nil {
		return err
	}
	to, err := d.owners(ctx, q, a)
	if err != nil {
		return fmt.Errorf("deliver alert %d: %w", id, err)
	}
	return d.send(ctx, q, a, to, "", storage.AlertEventDelivered, map[string]any{"why": why}, now)
}

// send queues the alert's card to each recipient, after an optional lead
// line (a text key), and records one event of kind per recipient.
func (d *Delivery) send(ctx context.Context, q storage.Querier, a storage.Alert, to []recipient, lead, kind string, data map[string]any, now time.Time) error {
	raw, _ := json.Marshal(data)
	for _, r := range to {
		text, kb, err := d.Card(ctx, q, a, r.staff, r.full, now)
		if err != nil {
			return err
		}
		if lead != "" {
			text = d.Flows.Texts.Get(r.staff.Language, lead) + "\n\n" + text
		}
		if err := storage.EnqueueMessages(ctx, q, tgmsg.Text(*r.staff.TelegramID, storage.LaneReply, text, kb)...); err != nil {
			return err
		}
		sid := storage.StaffID(r.staff.ID)
		if err := storage.AddAlertEvent(ctx, q, storage.AlertEvent{AlertID: storage.AlertID(a.ID), Kind: kind, StaffID: &sid, At: now, Data: raw}); err != nil {
			return err
		}
	}
	return nil
}

// Full reports whether a staff member may read an alert's details: always,
// unless it is a safety or wellbeing alert and they are neither its owner
// nor the owner's supervisor.
func Full(ctx context.Context, q storage.Querier, a storage.Alert, s storage.Staff) (bool, error) {
	if !private(a.Category) || (a.AssignedTo != nil && *a.AssignedTo == s.ID) {
		return true, nil
	}
	if a.AssignedTo == nil {
		return false, nil
	}
	owner, err := storage.StaffByID(ctx, q, *a.AssignedTo)
	if err != nil {
		return false, err
	}
	return owner.SupervisorID != nil && *owner.SupervisorID == s.ID, nil
}

// Card is an alert as a staff member reads it, in their language, with the
// buttons its state allows: the case reference, severity and category, the
// reason and the answers (when full), the time it was raised, and its state.
func (d *Delivery) Card(ctx context.Context, q storage.Querier, a storage.Alert, s storage.Staff, full bool, now time.Time) (string, tgmsg.Keyboard, error) {
	t := d.Flows.Texts
	lang := s.Language
	ref := ""
	if a.ReturneeID != nil {
		r, err := storage.ReturneeByID(ctx, q, *a.ReturneeID)
		if err != nil {
			return "", nil, err
		}
		ref = r.Ref
	}
	var b strings.Builder
	id := strconv.FormatInt(a.ID, 10)
	b.WriteString(t.Get(lang, "alert_card_head", id, t.Get(lang, "alert_severity_"+a.Severity), t.Get(lang, "alert_category_"+a.Category)))
	b.WriteString("\n" + t.Get(lang, "alert_card_case", ref))
	if full {
		b.WriteString("\n" + RenderAlert(d.Flows, lang, a))
		if ans := d.answers(lang, a); ans != "" {
			b.WriteString("\n" + t.Get(lang, "alert_card_answers") + "\n" + ans)
		}
	} else {
		b.WriteString("\n" + t.Get(lang, "alert_card_private"))
	}
	b.WriteString("\n" + t.Get(lang, "alert_card_time", d.clock(a.CreatedAt)))
	state, err := d.state(ctx, q, a, lang)
	if err != nil {
		return "", nil, err
	}
	if state != "" {
		b.WriteString("\n\n" + state)
	}
	return b.String(), d.keyboard(lang, a), nil
}

// clock shows a time in the staff's zone.
func (d *Delivery) clock(at time.Time) string {
	zone := d.Zone
	if zone == nil {
		zone = time.UTC
	}
	return at.In(zone).Format("02/01/2006 15:04") + " (" + zone.String() + ")"
}

// state is the alert's last step (taken in hand, handed over, resolved),
// or "" while nobody has acted.
func (d *Delivery) state(ctx context.Context, q storage.Querier, a storage.Alert, lang string) (string, error) {
	events, err := storage.AlertEvents(ctx, q, storage.AlertID(a.ID))
	if err != nil {
		return "", err
	}
	for i := len(events) - 1; i >= 0; i-- {
		e := events[i]
		key := map[string]string{storage.AlertEventResolved: "alert_state_resolved", storage.AlertEventReassigned: "alert_state_reassigned",
			storage.AlertEventAcknowledged: "alert_state_acknowledged"}[e.Kind]
		if key == "" {
			continue
		}
		who := "Suivi"
		var staffID *int64
		if e.Kind == storage.AlertEventReassigned {
			staffID = a.AssignedTo
		} else if e.StaffID != nil {
			v := int64(*e.StaffID)
			staffID = &v
		}
		if staffID != nil {
			if s, err := storage.StaffByID(ctx, q, *staffID); err == nil {
				who = s.Name
				if who == "" {
					who = s.Handle
				}
			}
		}
		return d.Flows.Texts.Get(lang, key, who, d.clock(e.At)), nil
	}
	return "", nil
}

// keyboard is the alert's buttons in its state: none once resolved, no
// Acknowledge once acknowledged.
func (d *Delivery) keyboard(lang string, a storage.Alert) tgmsg.Keyboard {
	if a.Status == "resolved" {
		return nil
	}
	t := d.Flows.Texts
	btn := func(key, action string) tgmsg.Button {
		return tgmsg.Button{Text: t.Get(lang, key), Data: tgmsg.Callback{Kind: tgmsg.KindAlert, ID: a.ID, Arg: action}.Data()}
	}
	var first []tgmsg.Button
	if a.Status == "open" {
		first = append(first, btn("alert_button_ack", ActionAck))
	}
	first = append(first, btn("alert_button_note", ActionNote))
	return tgmsg.Keyboard{first, {btn("alert_button_resolve", ActionResolve), btn("alert_button_reassign", ActionReassign)}}
}

// answers lists the answers that raised the alert, one a line, with the
// question's text when the flow still has it.
func (d *Delivery) answers(lang string, a storage.Alert) string {
	var params struct {
		Flow    string                 `json:"flow"`
		Version float64                `json:"version"`
		Answers map[string]flows.Value `json:"answers"`
	}
	if json.Unmarshal(a.Params, &params) != nil || len(params.Answers) == 0 {
		return ""
	}
	def, ok := d.Flows.Get(params.Flow, int(params.Version))
	if !ok {
		def, ok = d.Flows.Latest(params.Flow)
	}
	ids := make([]string, 0, len(params.Answers))
	for id := range params.Answers {
		ids = append(ids, id)
	}
	order := map[string]int{}
	for i, id := range a.QuestionIDs {
		order[id] = i + 1
	}
	sort.Slice(ids, func(i, j int) bool {
		oi, oj := order[ids[i]], order[ids[j]]
		if oi != oj {
			return oi < oj
		}
		return ids[i] < ids[j]
	})
	var lines []string
	for _, id := range ids {
		label, value := id, valueText(params.Answers[id])
		if ok {
			if qn, found := def.Question(id); found {
				label = strings.TrimSpace(qn.Text.In(lang))
				value = optionLabel(qn, params.Answers[id], lang, value)
			}
		}
		if params.Answers[id].Kind == flows.KindSkipped {
			value = d.Flows.Texts.Get(lang, "prefer_not") // never "0 (Not at all)"
		}
		lines = append(lines, "• "+label+" → "+value)
	}
	return strings.Join(lines, "\n")
}

func valueText(v flows.Value) string {
	switch {
	case v.Option != "":
		return v.Option
	case len(v.Options) > 0:
		return strings.Join(v.Options, ", ")
	case v.Text != "":
		return v.Text
	case v.Date != "":
		return v.Date
	case v.MediaKind != "":
		return v.MediaKind
	}
	return strconv.FormatFloat(v.Number, 'f', -1, 64)
}

// optionLabel gives a choice's or a scale point's label with its value.
func optionLabel(q *flows.Question, v flows.Value, lang, fallback string) string {
	if v.Option != "" {
		for _, o := range q.Options {
			if o.Value == v.Option && o.Label.In(lang) != "" {
				return o.Label.In(lang)
			}
		}
	}
	if q.Type == flows.TypeScale {
		if l, ok := q.Labels[fallback]; ok && l.In(lang) != "" {
			return fallback + " (" + l.In(lang) + ")"
		}
	}
	return fallback
}

// DeliveryFrom returns the Delivery WithDelivery put in ctx, or nil.
func DeliveryFrom(ctx context.Context) *Delivery { return deliveryFrom(ctx) }
