package followup_test

import (
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"testing"
	"time"

	"suivi/contacts"
	"suivi/flows"
	"suivi/followup"
	"suivi/storage"
	"suivi/storage/storagetest"
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
			db, _ := storagetest.NewDatabase(t)
			ctx := context.Background()
			rid, staffID := newReturnee(t, db)
			if _, err := db.Exec(`UPDATE returnees SET chat_id = 4343, telegram_id = 4343, consent = 'accepted', language = 'fr' WHERE id = $1`, rid); err != nil {
				t.Fatal(err)
			}
			cat, err := flows.LoadEmbedded()
			if err != nil {
				t.Fatal(err)
			}
			conv := &followup.Conversations{Flows: cat, Texts: cat.Texts, Contacts: contacts.Default(),
				Now: func() time.Time { return t0 }, Logger: slog.New(slog.DiscardHandler)}
			var id int64
			step := func(fn func(tx *sql.Tx, r storage.Returnee) error) {
				t.Helper()
				if err := storage.InTx(ctx, db, func(tx *sql.Tx) error {
					r, err := storage.LockReturnee(ctx, tx, int64(rid))
					if err != nil {
						return err
					}
					return fn(tx, r)
				}); err != nil {
					t.Fatal(err)
				}
			}
			step(func(tx *sql.Tx, r storage.Returnee) (err error) {
				id, err = conv.Start(ctx, tx, r, "wellbeing", storage.LaneBulk)
				return err
			})
			inputs := []flows.Input{}
			for _, q := range []string{"who5_1", "who5_2", "who5_3", "who5_4", "who5_5"} {
				inputs = append(inputs, flows.Input{Kind: flows.InputButton, Button: q + ":2"})
			}
			inputs = append(inputs, flows.Input{Kind: flows.InputButton, Button: "phq2_1:0"}, flows.Input{Kind: flows.InputButton, Button: "phq2_2:0"}, tt.in)
			for _, in := range inputs {
				step(func(tx *sql.Tx, r storage.Returnee) error {
					c, err := storage.ConversationByID(ctx, tx, id)
					if err != nil {
						return err
					}
					return conv.Step(ctx, tx, r, c, in, nil)
				})
			}
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
