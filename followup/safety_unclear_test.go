package followup_test

import (
	"strings"
	"testing"
	"time"

	"suivi/flows"
	"suivi/followup"
	"suivi/storage"
)

// The safety question skipped or answered in words raises a medium safety
// alert whose card shows what the person did: "prefer not to answer" (never
// the scale's 0, "not at all"), or their own words.
func TestSafetyUnclearAlertShowsWhatWasSaid(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   flows.Input
		want string
		not  string
	}{
		{"skipped", flows.Input{Kind: flows.InputButton, Button: "safety:!skip"}, "Je préfère ne pas répondre", "0 (Jamais)"},
		{"in words", flows.Input{Kind: flows.InputText, Text: "ça dépend des jours"}, "ça dépend des jours", "0 (Jamais)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := newChat(t, 4343, "fr")
			ctx, db, rid, staffID, cat := c.ctx, c.db, c.rid, c.staffID, c.cat
			id := c.start("wellbeing")
			for _, q := range []string{"who5_1", "who5_2", "who5_3", "who5_4", "who5_5"} {
				c.press(id, q, "2")
			}
			c.press(id, "phq2_1", "0")
			c.press(id, "phq2_2", "0")
			c.step(id, tt.in)
			var alertID storage.AlertID
			if err := db.QueryRow(`SELECT id FROM alerts WHERE returnee_id = $1 AND category = 'safety' AND severity = 'medium' AND rule_id = 'safety_unclear'`, rid).Scan(&alertID); err != nil {
				t.Fatalf("no medium safety alert: %v", err)
			}
			var hold bool
			if err := db.QueryRow(`SELECT safety_hold FROM returnees WHERE id = $1`, rid).Scan(&hold); err != nil || hold {
				t.Errorf("safety hold %v (%v), want none for an unclear answer", hold, err)
			}
			a, err := storage.AlertByID(ctx, db, alertID)
			if err != nil {
				t.Fatal(err)
			}
			staff, err := storage.StaffByID(ctx, db, staffID)
			if err != nil {
				t.Fatal(err)
			}
			d := &followup.Delivery{Flows: cat, Zone: time.UTC}
			card, _, err := d.Card(ctx, db, a, staff, true, t0)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(card, tt.want) || strings.Contains(card, tt.not) {
				t.Errorf("card does not show %q:\n%s", tt.want, card)
			}
		})
	}
}
