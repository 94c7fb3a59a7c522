package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"suivi/storage"
	"suivi/storage/storagetest"
)

func seedOpenCheckin(t *testing.T, db *sql.DB) (checkinID, conversationID int64) {
	t.Helper()
	var returneeID int64
	if err := db.QueryRow(`INSERT INTO returnees (ref, sex, birth_date, return_date, host_country, consent, chat_id)
		VALUES ('MA-1', 'M', '1990-01-01', '2025-01-31', 'LY', 'accepted', 42) RETURNING id`).Scan(&returneeID); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 2, 28, 11, 0, 0, 0, time.UTC)
	n, err := storage.InsertCheckins(context.Background(), db, []storage.NewCheckin{{
		ReturneeID: returneeID, FlowID: "project", Occurrence: 0, Month: 1, DueDate: time.Date(2025, 2, 28, 0, 0, 0, 0, time.UTC),
		DueAt: now, OpenAt: now, Status: storage.CheckinPlanned,
	}}, now)
	if err != nil || n != 1 {
		t.Fatalf("insert checkin: %d, %v", n, err)
	}
	// The same occurrence again is not doubled.
	if n, err := storage.InsertCheckins(context.Background(), db, []storage.NewCheckin{{
		ReturneeID: returneeID, FlowID: "project", Occurrence: 0, Month: 1, DueDate: now, DueAt: now, OpenAt: now, Status: storage.CheckinPlanned,
	}}, now); err != nil || n != 0 {
		t.Fatalf("insert the same occurrence again: %d, %v", n, err)
	}
	db.QueryRow(`SELECT id FROM checkins`).Scan(&checkinID)
	db.QueryRow(`INSERT INTO conversations (returnee_id, flow_id, flow_version) VALUES ($1, 'project', 1) RETURNING id`, returneeID).Scan(&conversationID)
	if err := storage.MarkCheckinOpened(context.Background(), db, checkinID, conversationID, now, now.Add(72*time.Hour), now.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	return checkinID, conversationID
}

func TestCompleteCheckin(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	ctx := context.Background()
	id, conv := seedOpenCheckin(t, db)
	at := time.Date(2025, 2, 28, 12, 0, 0, 0, time.UTC)
	if err := storage.CompleteCheckin(ctx, db, conv, at); err != nil {
		t.Fatal(err)
	}
	c, err := storage.CheckinByConversation(ctx, db, conv)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != id || c.Status != storage.CheckinCompleted || c.ClosedAt == nil || !c.ClosedAt.Equal(at) || c.NextActionAt != nil {
		t.Errorf("after completion: %+v", c)
	}
	// A conversation that is not an open check-in: nothing happens.
	if err := storage.CompleteCheckin(ctx, db, conv+100, at); err != nil {
		t.Errorf("unknown conversation: %v", err)
	}
	if err := storage.CancelCheckin(ctx, db, conv, at); err != nil {
		t.Fatal(err)
	}
	if c, _ := storage.CheckinByConversation(ctx, db, conv); c.Status != storage.CheckinCompleted {
		t.Errorf("cancelling a completed check-in changed it to %s", c.Status)
	}
	list, err := storage.CheckinsByReturnee(ctx, db, c.ReturneeID)
	if err != nil || len(list) != 1 || list[0].DueDate.Format(time.DateOnly) != "2025-02-28" {
		t.Errorf("list: %+v, %v", list, err)
	}
	// Deleting the conversation keeps the check-in, without it.
	db.Exec(`DELETE FROM conversations WHERE id = $1`, conv)
	if n := checkinsCount(t, db, `SELECT count(*) FROM checkins WHERE conversation_id IS NULL`); n != 1 {
		t.Errorf("check-in lost with its conversation")
	}
}

func TestCancelCheckin(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	_, conv := seedOpenCheckin(t, db)
	if err := storage.CancelCheckin(context.Background(), db, conv, time.Now()); err != nil {
		t.Fatal(err)
	}
	if c, _ := storage.CheckinByConversation(context.Background(), db, conv); c.Status != storage.CheckinCancelled {
		t.Errorf("status %s, want cancelled", c.Status)
	}
}

func TestOneOpenCheckinPerReturnee(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	seedOpenCheckin(t, db)
	_, err := db.Exec(`INSERT INTO checkins (returnee_id, flow_id, occurrence, month, due_date, due_at, open_at, status)
		SELECT returnee_id, 'wellbeing', 0, 1, due_date, due_at, open_at, 'open' FROM checkins`)
	if err == nil {
		t.Error("a second open check-in for one returnee was accepted")
	}
}

func TestFence(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	ctx := context.Background()
	first, err := storage.TakeFence(ctx, db, "a", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	second, err := storage.TakeFence(ctx, db, "b", time.Now())
	if err != nil || second <= first {
		t.Fatalf("fences %d then %d, %v", first, second, err)
	}
	err = storage.InTx(ctx, db, func(tx *sql.Tx) error { return storage.CheckFence(ctx, tx, first) })
	if !errors.Is(err, storage.ErrStaleLeader) {
		t.Errorf("stale fence: %v, want ErrStaleLeader", err)
	}
	if err := storage.InTx(ctx, db, func(tx *sql.Tx) error { return storage.CheckFence(ctx, tx, second) }); err != nil {
		t.Errorf("current fence refused: %v", err)
	}
	if _, ok, err := storage.PlannedThrough(ctx, db); ok || err != nil {
		t.Errorf("planned through before any plan: %v %v", ok, err)
	}
	day := time.Date(2025, 3, 30, 0, 0, 0, 0, time.UTC)
	storage.SetPlannedThrough(ctx, db, day)
	if got, ok, err := storage.PlannedThrough(ctx, db); !ok || err != nil || !got.Equal(day) {
		t.Errorf("planned through %s %v %v, want %s", got, ok, err, day)
	}
}

func checkinsCount(t *testing.T, db *sql.DB, query string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestCancelOpenCheckins(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	id, _ := seedOpenCheckin(t, db)
	var returneeID int64
	db.QueryRow(`SELECT returnee_id FROM checkins WHERE id = $1`, id).Scan(&returneeID)
	if err := storage.CancelOpenCheckins(context.Background(), db, returneeID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if n := checkinsCount(t, db, `SELECT count(*) FROM checkins WHERE status = 'cancelled'`); n != 1 {
		t.Errorf("%d cancelled, want 1", n)
	}
}
