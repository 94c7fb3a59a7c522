package storage_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"suivi/storage"
	"suivi/storage/storagetest"
)

// A case note goes when the person asks to be erased, and so do the text
// and file id of the messages they wrote outside check-ins.
func TestEraseRemovesCaseNotesAndRelayedMessages(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	ctx := context.Background()
	cw, err := storage.UpsertStaff(ctx, db, storage.StaffInput{Handle: "cw.notes", Name: "CW", Role: storage.RoleCaseworker})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := storage.UpsertReturnees(ctx, db, testReturneeInputs(1, "cw.notes")); err != nil {
		t.Fatal(err)
	}
	r, err := storage.ReturneeByRef(ctx, db, "MA-T-00001")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 7, 1, 9, 30, 0, 0, time.UTC)
	if err := storage.AddCaseNote(ctx, db, storage.ReturneeID(r.ID), storage.StaffID(cw.ID), "visited, all fine", at); err != nil {
		t.Fatal(err)
	}
	rid := r.ID
	if _, _, err := storage.InsertOpenAlert(ctx, db, storage.Alert{ReturneeID: &rid, RuleID: "returnee.message", Category: "message",
		Severity: "low", TextKey: "alert_message_voice", Params: []byte(`{"kind":"voice","text":"caption","file_id":"F1"}`)}, at); err != nil {
		t.Fatal(err)
	}
	notes, err := storage.CaseNotes(ctx, db, storage.ReturneeID(r.ID), 5)
	if err != nil || len(notes) != 1 || notes[0].StaffHandle != "cw.notes" || !notes[0].At.Equal(at) {
		t.Fatalf("notes %+v, %v", notes, err)
	}
	v, err := storage.LoadCaseView(ctx, db, storage.ReturneeID(r.ID))
	if err != nil || len(v.Messages) != 1 || v.Messages[0].FileID != "F1" || len(v.Notes) != 1 {
		t.Fatalf("case view %+v, %v", v, err)
	}
	if err := storage.InTx(ctx, db, func(tx *sql.Tx) error { return storage.EraseReturnee(ctx, tx, r.ID) }); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM case_notes`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d case notes left after erasure (%v)", n, err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM alerts WHERE params ? 'file_id' OR params ? 'text'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d alerts keep a message's text or file id (%v)", n, err)
	}
}
