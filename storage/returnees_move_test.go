package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"suivi/storage"
)

func TestMoveReturnee(t *testing.T) {
	db, _, rid := inviteFixture(t)
	ctx := context.Background()
	target := storage.InvitationTarget{ReturneeID: rid}
	if err := storage.MoveReturnee(ctx, db, rid, 901, 901, inviteNow); !errors.Is(err, storage.ErrInvalid) {
		t.Fatalf("move before consent: %v, want ErrInvalid", err)
	}
	first, _ := storage.CreateInvitation(ctx, db, target, time.Hour, inviteNow)
	if _, err := storage.RedeemInvitation(ctx, db, first.Token, 900, inviteNow); err != nil {
		t.Fatal(err)
	}
	if err := storage.BindReturnee(ctx, db, rid, 900, 900, "ar", inviteNow); err != nil {
		t.Fatal(err)
	}
	if err := storage.CompleteReturneeInvitations(ctx, db, rid, inviteNow); err != nil {
		t.Fatal(err)
	}
	storage.EnqueueMessages(ctx, db, storage.OutboxMessage{ChatID: 900, Method: "sendMessage", Params: map[string]string{"text": "q"}})

	// A new link, opened on account 901: pending until they answer.
	second, _ := storage.CreateInvitation(ctx, db, target, time.Hour, inviteNow.Add(time.Hour))
	if _, err := storage.RedeemInvitation(ctx, db, second.Token, 901, inviteNow.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, err := storage.PendingInvitationByTelegramID(ctx, db, 901); err != nil || got.ID != second.ID {
		t.Fatalf("the new account's pending invitation: %+v, %v", got, err)
	}
	if _, err := storage.PendingInvitationByTelegramID(ctx, db, 900); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("the bound account has a pending invitation: %v", err)
	}
	db.Exec(`UPDATE returnees SET status = 'unreachable' WHERE id = $1`, rid)
	if err := storage.MoveReturnee(ctx, db, rid, 901, 901, inviteNow.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	r, _ := storage.ReturneeByID(ctx, db, rid)
	if *r.TelegramID != 901 || *r.ChatID != 901 || r.Status != storage.StatusActive || r.Language != "ar" {
		t.Fatalf("after the move: %+v", r)
	}
	var dropped int
	db.QueryRow(`SELECT count(*) FROM outbox WHERE chat_id = 900 AND status = 'dropped'`).Scan(&dropped)
	if dropped != 1 {
		t.Fatal("the old chat's queued message was not dropped")
	}
	for _, account := range []int64{900, 901} {
		if _, err := storage.PendingInvitationByTelegramID(ctx, db, account); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("account %d still has a pending invitation after the move: %v", account, err)
		}
	}
	// Neither link works again, not even for the account that used it.
	if _, err := storage.RedeemInvitation(ctx, db, first.Token, 900, inviteNow.Add(3*time.Hour)); !errors.Is(err, storage.ErrInvitationUsed) {
		t.Fatalf("the old phone's link: %v, want ErrInvitationUsed", err)
	}
	if _, err := storage.RedeemInvitation(ctx, db, second.Token, 901, inviteNow.Add(3*time.Hour)); !errors.Is(err, storage.ErrInvitationUsed) {
		t.Fatalf("the completed new link: %v, want ErrInvitationUsed", err)
	}
	// An account bound to another returnee cannot take this one.
	if _, _, err := storage.UpsertReturnees(ctx, db, []storage.ReturneeInput{{Ref: "MA-T-OTHER", Sex: "F",
		BirthDate: inviteNow.AddDate(-30, 0, 0), ReturnDate: inviteNow, HostCountry: "IT"}}); err != nil {
		t.Fatal(err)
	}
	other, _ := storage.ReturneeByRef(ctx, db, "MA-T-OTHER")
	storage.BindReturnee(ctx, db, other.ID, 902, 902, "fr", inviteNow)
	if err := storage.MoveReturnee(ctx, db, rid, 902, 902, inviteNow.Add(4*time.Hour)); !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("move to an account already enrolled: %v, want ErrConflict", err)
	}
}

func TestInvitationByTokenDoesNotUseIt(t *testing.T) {
	db, _, rid := inviteFixture(t)
	ctx := context.Background()
	inv, _ := storage.CreateInvitation(ctx, db, storage.InvitationTarget{ReturneeID: rid}, time.Hour, inviteNow)
	got, err := storage.InvitationByToken(ctx, db, inv.Token)
	if err != nil || got.ID != inv.ID || got.UsedAt != nil {
		t.Fatalf("peek: %+v, %v", got, err)
	}
	for _, bad := range []string{"no such token", "unknown-token"} {
		if _, err := storage.InvitationByToken(ctx, db, bad); !errors.Is(err, storage.ErrInvitationUnknown) {
			t.Fatalf("%q: %v, want ErrInvitationUnknown", bad, err)
		}
	}
}
