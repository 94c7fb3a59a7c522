package bot_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"suivi/bot"
	"suivi/flows"
	"suivi/followup"
	"suivi/storage"
	"suivi/storage/storagetest"
)

// FuzzUpdate posts whatever Telegram (or anyone who learnt the webhook's
// address and secret) might send to the webhook, handled by the real router
// on a real database with a returnee (chat 42, in a check-in) and a case
// worker (chat 7) enrolled. Malformed bodies get 400; every update that
// decodes is handled or ignored and answered 200, with its id recorded, so
// no update can make intake fail over and over.
func FuzzUpdate(f *testing.F) {
	db, _ := storagetest.NewDatabase(f)
	ctx := context.Background()
	cat, err := flows.LoadEmbedded()
	if err != nil {
		f.Fatal(err)
	}
	conv := &followup.Conversations{Flows: cat, Texts: cat.Texts, Now: time.Now, Logger: discard()}
	cw := int64(7)
	if _, err := storage.UpsertStaff(ctx, db, storage.StaffInput{Handle: "cw.fuzz", TelegramID: &cw, Name: "cw",
		Role: "caseworker", Language: "fr"}); err != nil {
		f.Fatal(err)
	}
	if _, err := db.Exec(`
		INSERT INTO returnees (ref, sex, birth_date, return_date, host_country, telegram_id, chat_id, consent, consent_at, language, caseworker_id)
		VALUES ('MA-FUZZ-1', 'F', '1990-01-01', '2026-01-01', 'MA', 42, 42, 'accepted', now(), 'fr', (SELECT id FROM staff WHERE handle = 'cw.fuzz'))`); err != nil {
		f.Fatal(err)
	}
	err = storage.InTx(ctx, db, func(tx *sql.Tx) error {
		r, err := storage.ReturneeByRef(ctx, tx, "MA-FUZZ-1")
		if err != nil {
			return err
		}
		_, err = conv.Start(ctx, tx, r, "project_checkin", storage.LaneReply)
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	router := &bot.Router{DB: db, Texts: cat.Texts, Logger: discard(), Now: time.Now,
		Staff:     &bot.StaffHandler{Conv: conv, Flows: cat, Texts: cat.Texts, Logger: discard(), Now: time.Now},
		Returnees: &bot.ReturneeHandler{Conv: conv}}
	hook := &bot.Webhook{Secret: "fuzz", Handler: router, Logger: discard(), HandleTimeout: 10 * time.Second}

	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/telegram/webhook", strings.NewReader(string(body)))
		req.Header.Set(bot.SecretHeader, "fuzz")
		rec := httptest.NewRecorder()
		hook.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusBadRequest:
			return
		case http.StatusOK:
		default:
			t.Fatalf("update answered %d (%s): %s", rec.Code, strings.TrimSpace(rec.Body.String()), body)
		}
		id := updateID(t, body)
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM telegram_updates WHERE update_id = $1`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("update %d answered 200 but not recorded as handled", id)
		}
	})
}

// updateID reads the update id the webhook accepted.
func updateID(t *testing.T, body []byte) int64 {
	var u struct {
		UpdateID int64 `json:"update_id"`
	}
	if err := json.Unmarshal(body, &u); err != nil || u.UpdateID <= 0 {
		t.Fatalf("webhook accepted a body without an update id: %s", body)
	}
	return u.UpdateID
}
