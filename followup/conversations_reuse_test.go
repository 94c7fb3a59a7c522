package followup_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"suivi/contacts"
	"suivi/flows"
	"suivi/followup"
	"suivi/storage"
	"suivi/storage/storagetest"
)

// A question asked again within 14 days (the work question of the
// reintegration survey) takes the earlier answer from the database, marked
// reused; after 14 days it is asked again.
func TestStartReusesRecentAnswers(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	ctx := context.Background()
	rid, _ := newReturnee(t, db)
	if _, err := db.Exec(`UPDATE returnees SET chat_id = 4242, telegram_id = 4242, consent = 'accepted', language = 'en' WHERE id = $1`, rid); err != nil {
		t.Fatal(err)
	}
	cat, err := flows.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	now := t0
	conv := &followup.Conversations{Flows: cat, Texts: cat.Texts, Contacts: contacts.Default(), Now: func() time.Time { return now }, Logger: slog.New(slog.DiscardHandler)}

	// start opens the survey and returns the conversation's first question.
	start := func() (int64, string) {
		t.Helper()
		var id int64
		err := storage.InTx(ctx, db, func(tx *sql.Tx) error {
			r, err := storage.LockReturnee(ctx, tx, int64(rid))
			if err != nil {
				return err
			}
			id, err = conv.Start(ctx, tx, r, "reintegration_survey", storage.LaneBulk)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		c, err := storage.ConversationByID(ctx, db, id)
		if err != nil {
			t.Fatal(err)
		}
		var st flows.State
		if err := json.Unmarshal(c.State, &st); err != nil {
			t.Fatal(err)
		}
		return id, st.Current
	}
	// answer presses a button of the active conversation, then closes it.
	answer := func(id int64, qid, value string) {
		t.Helper()
		err := storage.InTx(ctx, db, func(tx *sql.Tx) error {
			r, err := storage.LockReturnee(ctx, tx, int64(rid))
			if err != nil {
				return err
			}
			c, err := storage.ConversationByID(ctx, tx, id)
			if err != nil {
				return err
			}
			if err := conv.Step(ctx, tx, r, c, flows.Input{Kind: flows.InputButton, Button: qid + ":" + value}, nil); err != nil {
				return err
			}
			return storage.SaveConversation(ctx, tx, id, c.State, storage.ConversationExpired, now)
		})
		if err != nil {
			t.Fatal(err)
		}
	}

	first, q := start()
	if q != "eco_work" {
		t.Fatalf("first question %q, want eco_work", q)
	}
	answer(first, "eco_work", "sometimes")

	now = t0.Add(10 * 24 * time.Hour)
	second, q := start()
	if q != "eco_sources" {
		t.Fatalf("10 days later the first question is %q, want eco_work reused", q)
	}
	var value []byte
	if err := db.QueryRow(`SELECT value FROM answers WHERE conversation_id = $1 AND question_id = 'eco_work'`, second).Scan(&value); err != nil {
		t.Fatalf("reused answer not stored: %v", err)
	}
	var v flows.Value
	if err := json.Unmarshal(value, &v); err != nil || v.Option != "sometimes" || !v.Reused {
		t.Fatalf("reused answer %s, want sometimes marked reused", value)
	}
	if _, err := db.Exec(`UPDATE conversations SET status = 'expired' WHERE id = $1`, second); err != nil {
		t.Fatal(err)
	}

	// 15 days after the real answer (5 after the reused one): asked again,
	// a reused answer does not stretch the window.
	now = t0.Add(15 * 24 * time.Hour)
	if _, q := start(); q != "eco_work" {
		t.Fatalf("15 days later the first question is %q, want eco_work asked again", q)
	}
}

// The project check-in's "running" hands on to the survey's work question;
// "closed" does not (other work is possible), so it is asked.
func TestStartReusesAnAnswerHandedOnByAnotherFlow(t *testing.T) {
	for _, tt := range []struct {
		status, first string
	}{{"operating", "eco_sources"}, {"closed", "eco_work"}} {
		t.Run(tt.status, func(t *testing.T) {
			db, _ := storagetest.NewDatabase(t)
			ctx := context.Background()
			rid, _ := newReturnee(t, db)
			if _, err := db.Exec(`UPDATE returnees SET chat_id = 4242, telegram_id = 4242, consent = 'accepted', language = 'ar' WHERE id = $1`, rid); err != nil {
				t.Fatal(err)
			}
			cat, err := flows.LoadEmbedded()
			if err != nil {
				t.Fatal(err)
			}
			now := t0
			conv := &followup.Conversations{Flows: cat, Texts: cat.Texts, Contacts: contacts.Default(), Now: func() time.Time { return now }, Logger: slog.New(slog.DiscardHandler)}
			inTx := func(fn func(tx *sql.Tx, r storage.Returnee) error) {
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
			var id int64
			inTx(func(tx *sql.Tx, r storage.Returnee) (err error) {
				id, err = conv.Start(ctx, tx, r, "project_checkin", storage.LaneBulk)
				return err
			})
			inTx(func(tx *sql.Tx, r storage.Returnee) error {
				c, err := storage.ConversationByID(ctx, tx, id)
				if err != nil {
					return err
				}
				if err := conv.Step(ctx, tx, r, c, flows.Input{Kind: flows.InputButton, Button: "status:" + tt.status}, nil); err != nil {
					return err
				}
				return storage.SaveConversation(ctx, tx, id, c.State, storage.ConversationExpired, now)
			})
			now = t0.Add(3 * 24 * time.Hour)
			inTx(func(tx *sql.Tx, r storage.Returnee) (err error) {
				id, err = conv.Start(ctx, tx, r, "reintegration_survey", storage.LaneBulk)
				return err
			})
			c, err := storage.ConversationByID(ctx, db, id)
			if err != nil {
				t.Fatal(err)
			}
			var st flows.State
			if err := json.Unmarshal(c.State, &st); err != nil {
				t.Fatal(err)
			}
			if st.Current != tt.first {
				t.Fatalf("survey starts with %q, want %q", st.Current, tt.first)
			}
			if tt.status == "operating" && (st.Answers["eco_work"].Option != "yes" || !st.Answers["eco_work"].Reused) {
				t.Errorf("eco_work %+v, want yes, reused", st.Answers["eco_work"])
			}
		})
	}
}

func TestEnvForGivesTheReturneesCountryContacts(t *testing.T) {
	conv := &followup.Conversations{Contacts: contacts.Default(), Now: func() time.Time { return t0 }}
	ma := conv.EnvFor(storage.Returnee{Timezone: "Africa/Casablanca"}).EmergencyContacts
	if ma["fr"] == "" || ma["ar"] == "" || ma["en"] == "" {
		t.Fatalf("contacts %v, want every language", ma)
	}
	if other := conv.EnvFor(storage.Returnee{Timezone: "Europe/Oslo"}).EmergencyContacts; other["fr"] != ma["fr"] {
		t.Errorf("an unknown country gets %v, want the default country's", other)
	}
}
