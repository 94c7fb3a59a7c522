package storage_test

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"suivi/storage"
	"suivi/storage/storagetest"
)

var inviteNow = time.Date(2018, 7, 1, 9, 0, 0, 0, time.UTC)

// inviteFixture stores a case worker and one returnee, MA-T-00001.
func inviteFixture(t *testing.T) (*sql.DB, storage.Staff, int64) {
	t.Helper()
	db, _ := storagetest.NewDatabase(t)
	cw := addTestStaff(t, db, "cw.salma", storage.RoleCaseworker)
	if _, _, err := storage.UpsertReturnees(context.Background(), db, testReturneeInputs(1, "cw.salma")); err != nil {
		t.Fatal(err)
	}
	r, err := storage.ReturneeByRef(context.Background(), db, "MA-T-00001")
	if err != nil {
		t.Fatal(err)
	}
	return db, cw, r.ID
}

func TestNewInvitationTokenShape(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		tok, err := storage.NewInvitationToken()
		if err != nil {
			t.Fatal(err)
		}
		if len(tok) > 64 || !storage.TokenPattern.MatchString(tok) {
			t.Fatalf("token %q: want at most 64 of A-Z a-z 0-9 _ -", tok)
		}
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(raw) < 16 {
			t.Fatalf("token %q decodes to %d bytes (%v), want at least 16 (128 bits)", tok, len(raw), err)
		}
		if seen[tok] {
			t.Fatalf("token %q repeated", tok)
		}
		seen[tok] = true
	}
}

func TestCreateInvitation(t *testing.T) {
	db, cw, rid := inviteFixture(t)
	ctx := context.Background()
	inv, err := storage.CreateInvitation(ctx, db, storage.InvitationTarget{ReturneeID: rid}, 720*time.Hour, inviteNow)
	if err != nil {
		t.Fatal(err)
	}
	if inv.ReturneeID == nil || *inv.ReturneeID != rid || inv.StaffID != nil || !inv.ExpiresAt.Equal(inviteNow.Add(720*time.Hour)) || inv.UsedAt != nil {
		t.Fatalf("invitation %+v", inv)
	}
	staffInv, err := storage.CreateInvitation(ctx, db, storage.InvitationTarget{StaffID: cw.ID}, time.Hour, inviteNow)
	if err != nil || staffInv.StaffID == nil || *staffInv.StaffID != cw.ID {
		t.Fatalf("staff invitation %+v, %v", staffInv, err)
	}
	bad := []storage.InvitationTarget{{}, {ReturneeID: rid, StaffID: cw.ID}}
	for _, target := range bad {
		if _, err := storage.CreateInvitation(ctx, db, target, time.Hour, inviteNow); !errors.Is(err, storage.ErrInvalid) {
			t.Fatalf("target %+v: %v, want ErrInvalid", target, err)
		}
	}
	if _, err := storage.CreateInvitation(ctx, db, storage.InvitationTarget{ReturneeID: 999999}, time.Hour, inviteNow); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("missing returnee: %v, want ErrNotFound", err)
	}
	db.Exec(`UPDATE returnees SET consent = 'declined', consent_at = $1 WHERE id = $2`, inviteNow, rid)
	if _, err := storage.CreateInvitation(ctx, db, storage.InvitationTarget{ReturneeID: rid}, time.Hour, inviteNow); err != nil {
		t.Fatalf("declined returnee may be invited again: %v", err)
	}
	db.Exec(`UPDATE returnees SET status = 'deleted' WHERE id = $1`, rid)
	if _, err := storage.CreateInvitation(ctx, db, storage.InvitationTarget{ReturneeID: rid}, time.Hour, inviteNow); !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("deleted returnee: %v, want ErrConflict", err)
	}
}

func TestNewInvitationRevokesEarlierUnusedOnes(t *testing.T) {
	db, _, rid := inviteFixture(t)
	ctx := context.Background()
	target := storage.InvitationTarget{ReturneeID: rid}
	first, _ := storage.CreateInvitation(ctx, db, target, time.Hour, inviteNow)
	second, err := storage.CreateInvitation(ctx, db, target, time.Hour, inviteNow.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	now := inviteNow.Add(2 * time.Minute)
	if _, err := storage.RedeemInvitation(ctx, db, first.Token, 1, now); !errors.Is(err, storage.ErrInvitationExpired) {
		t.Fatalf("earlier invitation: %v, want ErrInvitationExpired", err)
	}
	if _, err := storage.RedeemInvitation(ctx, db, second.Token, 1, now); err != nil {
		t.Fatalf("latest invitation: %v", err)
	}
}

func TestRedeemInvitation(t *testing.T) {
	db, _, rid := inviteFixture(t)
	ctx := context.Background()
	inv, _ := storage.CreateInvitation(ctx, db, storage.InvitationTarget{ReturneeID: rid}, time.Hour, inviteNow)
	now := inviteNow.Add(10 * time.Minute)
	got, err := storage.RedeemInvitation(ctx, db, inv.Token, 501, now)
	if err != nil || got.ID != inv.ID || got.UsedBy == nil || *got.UsedBy != 501 || got.UsedAt == nil || !got.UsedAt.Equal(now) {
		t.Fatalf("redeem: %+v, %v", got, err)
	}
	again, err := storage.RedeemInvitation(ctx, db, inv.Token, 501, now.Add(time.Minute))
	if err != nil || again.ID != inv.ID || !again.UsedAt.Equal(now) {
		t.Fatalf("same user again: %+v, %v; want the invitation", again, err)
	}
	if _, err := storage.RedeemInvitation(ctx, db, inv.Token, 502, now); !errors.Is(err, storage.ErrInvitationUsed) || !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("other user: %v, want ErrInvitationUsed", err)
	}
	late, _ := storage.CreateInvitation(ctx, db, storage.InvitationTarget{ReturneeID: rid}, time.Hour, inviteNow)
	if _, err := storage.RedeemInvitation(ctx, db, late.Token, 503, inviteNow.Add(time.Hour)); !errors.Is(err, storage.ErrInvitationExpired) || !errors.Is(err, storage.ErrInvalid) {
		t.Fatalf("expired: %v, want ErrInvitationExpired", err)
	}
	for _, tok := range []string{"nosuchtoken", "", "../etc/passwd", "a b", strings.Repeat("a", 65), "jeton-été"} {
		if _, err := storage.RedeemInvitation(ctx, db, tok, 504, now); !errors.Is(err, storage.ErrInvitationUnknown) || !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("token %q: %v, want ErrInvitationUnknown", tok, err)
		}
	}
}

func TestRedeemInvitationConcurrently(t *testing.T) {
	db, _, rid := inviteFixture(t)
	ctx := context.Background()
	inv, _ := storage.CreateInvitation(ctx, db, storage.InvitationTarget{ReturneeID: rid}, time.Hour, inviteNow)
	const racers = 8
	errs := make([]error, racers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = storage.RedeemInvitation(ctx, db, inv.Token, int64(1000+i), inviteNow.Add(time.Minute))
		}()
	}
	close(start)
	wg.Wait()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, storage.ErrInvitationUsed):
			t.Fatalf("loser got %v, want ErrInvitationUsed", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d redemptions succeeded, want exactly 1", wins)
	}
}

func TestPendingInvitationByTelegramID(t *testing.T) {
	db, _, rid := inviteFixture(t)
	ctx := context.Background()
	target := storage.InvitationTarget{ReturneeID: rid}
	if _, err := storage.PendingInvitationByTelegramID(ctx, db, 700); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("nothing redeemed: %v, want ErrNotFound", err)
	}
	inv, _ := storage.CreateInvitation(ctx, db, target, time.Hour, inviteNow)
	storage.RedeemInvitation(ctx, db, inv.Token, 700, inviteNow.Add(time.Minute))
	got, err := storage.PendingInvitationByTelegramID(ctx, db, 700)
	if err != nil || got.ID != inv.ID {
		t.Fatalf("pending: %+v, %v", got, err)
	}
	db.Exec(`UPDATE returnees SET consent = 'declined', consent_at = $1 WHERE id = $2`, inviteNow.Add(2*time.Minute), rid)
	if _, err := storage.PendingInvitationByTelegramID(ctx, db, 700); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("after a refusal: %v, want ErrNotFound", err)
	}
	again, _ := storage.CreateInvitation(ctx, db, target, time.Hour, inviteNow.Add(time.Hour))
	storage.RedeemInvitation(ctx, db, again.Token, 700, inviteNow.Add(61*time.Minute))
	if got, err := storage.PendingInvitationByTelegramID(ctx, db, 700); err != nil || got.ID != again.ID {
		t.Fatalf("re-invited after a refusal: %+v, %v; want the new invitation", got, err)
	}
	db.Exec(`UPDATE returnees SET consent = 'accepted', consent_at = $1, telegram_id = 700 WHERE id = $2`, inviteNow.Add(62*time.Minute), rid)
	if _, err := storage.PendingInvitationByTelegramID(ctx, db, 700); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("after consent: %v, want ErrNotFound", err)
	}
}
