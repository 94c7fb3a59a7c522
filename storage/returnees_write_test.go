package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"suivi/storage"
	"suivi/storage/storagetest"
)

func isoDay(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// testReturneeInputs makes n valid rows MA-T-00001… assigned to handle.
func testReturneeInputs(n int, handle string) []storage.ReturneeInput {
	out := make([]storage.ReturneeInput, n)
	for i := range out {
		out[i] = storage.ReturneeInput{
			Ref: fmt.Sprintf("MA-T-%05d", i+1), Sex: []string{"F", "M"}[i%2],
			BirthDate: isoDay("1990-03-04"), ReturnDate: isoDay("2018-05-06"), HostCountry: "IT",
			Region: "Oriental", Programme: "AVRR", Assistance: []string{"microproject"}, Sector: "commerce",
			Vulnerabilities: []string{"medical"}, CaseworkerHandle: handle,
		}
	}
	return out
}

func countReturnees(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM returnees`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestUpsertReturneesCreatesThenUpdates(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	ctx := context.Background()
	addTestStaff(t, db, "cw.salma", storage.RoleCaseworker)
	cw2 := addTestStaff(t, db, "cw.youssef", storage.RoleCaseworker)
	rows := testReturneeInputs(3, "cw.salma")
	rows[2].Assistance, rows[2].Vulnerabilities, rows[2].Sector = nil, nil, ""
	created, updated, err := storage.UpsertReturnees(ctx, db, rows)
	if err != nil || created != 3 || updated != 0 {
		t.Fatalf("first upsert: %d created, %d updated, %v", created, updated, err)
	}
	// Binding and consent belong to the bot: an update must keep them.
	if _, err := db.Exec(`UPDATE returnees SET telegram_id = 5, consent = 'accepted' WHERE ref = 'MA-T-00001'`); err != nil {
		t.Fatal(err)
	}
	rows[0].Region, rows[0].CaseworkerHandle = "Souss-Massa", "cw.youssef"
	created, updated, err = storage.UpsertReturnees(ctx, db, rows)
	if err != nil || created != 0 || updated != 3 {
		t.Fatalf("second upsert: %d created, %d updated, %v", created, updated, err)
	}
	if n := countReturnees(t, db); n != 3 {
		t.Fatalf("%d returnees, want 3", n)
	}
	r, err := storage.ReturneeByRef(ctx, db, "MA-T-00001")
	if err != nil {
		t.Fatal(err)
	}
	if r.Region != "Souss-Massa" || r.CaseworkerID == nil || *r.CaseworkerID != cw2.ID || r.Consent != "accepted" || r.TelegramID == nil {
		t.Fatalf("after update: %+v", r)
	}
	if !slices.Equal(r.Assistance, []string{"microproject"}) || !slices.Equal(r.Vulnerabilities, []string{"medical"}) {
		t.Fatalf("arrays: %v %v", r.Assistance, r.Vulnerabilities)
	}
	empty, _ := storage.ReturneeByRef(ctx, db, "MA-T-00003")
	if len(empty.Assistance) != 0 || len(empty.Vulnerabilities) != 0 {
		t.Fatalf("empty arrays stored as %v %v", empty.Assistance, empty.Vulnerabilities)
	}
}

func TestUpsertReturneesRejectsWithoutWriting(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	ctx := context.Background()
	addTestStaff(t, db, "cw.salma", storage.RoleCaseworker)
	unknown := testReturneeInputs(2, "cw.salma")
	unknown[1].CaseworkerHandle = "cw.nobody"
	if _, _, err := storage.UpsertReturnees(ctx, db, unknown); !errors.Is(err, storage.ErrInvalid) {
		t.Fatalf("unknown handle: %v, want ErrInvalid", err)
	}
	dup := testReturneeInputs(2, "cw.salma")
	dup[1].Ref = dup[0].Ref
	if _, _, err := storage.UpsertReturnees(ctx, db, dup); !errors.Is(err, storage.ErrInvalid) {
		t.Fatalf("duplicate ref: %v, want ErrInvalid", err)
	}
	badSex := testReturneeInputs(1, "cw.salma")
	badSex[0].Sex = "X"
	if _, _, err := storage.UpsertReturnees(ctx, db, badSex); !errors.Is(err, storage.ErrInvalid) {
		t.Fatalf("bad sex: %v, want ErrInvalid", err)
	}
	if n := countReturnees(t, db); n != 0 {
		t.Fatalf("%d returnees written, want 0", n)
	}
}

func TestUpsertReturneesLeavesDeletedAlone(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	ctx := context.Background()
	addTestStaff(t, db, "cw.salma", storage.RoleCaseworker)
	rows := testReturneeInputs(2, "cw.salma")
	if _, _, err := storage.UpsertReturnees(ctx, db, rows); err != nil {
		t.Fatal(err)
	}
	db.Exec(`UPDATE returnees SET status = 'deleted', region = '' WHERE ref = 'MA-T-00001'`)
	created, updated, err := storage.UpsertReturnees(ctx, db, rows)
	if err != nil || created != 0 || updated != 1 {
		t.Fatalf("re-import: %d created, %d updated, %v; want 0, 1", created, updated, err)
	}
	r, _ := storage.ReturneeByRef(ctx, db, "MA-T-00001")
	if r.Region != "" || r.Status != storage.StatusDeleted {
		t.Fatalf("deleted returnee was restored: %+v", r)
	}
}

func TestUpsertReturnees10000Rows(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	ctx := context.Background()
	addTestStaff(t, db, "cw.salma", storage.RoleCaseworker)
	rows := testReturneeInputs(10000, "cw.salma")
	for pass, want := range [][2]int{{10000, 0}, {0, 10000}} {
		start := time.Now()
		var created, updated int
		err := storage.InTx(ctx, db, func(tx *sql.Tx) (err error) {
			created, updated, err = storage.UpsertReturnees(ctx, tx, rows)
			return err
		})
		if err != nil || created != want[0] || updated != want[1] {
			t.Fatalf("pass %d: %d created, %d updated, %v; want %v", pass, created, updated, err, want)
		}
		t.Logf("pass %d: 10000 rows in %s", pass, time.Since(start))
	}
	if n := countReturnees(t, db); n != 10000 {
		t.Fatalf("%d returnees, want 10000", n)
	}
}

func BenchmarkUpsertReturnees1000(b *testing.B) {
	db, _ := storagetest.NewDatabase(b)
	ctx := context.Background()
	storage.UpsertStaff(ctx, db, storage.StaffInput{Handle: "cw.salma", Role: storage.RoleCaseworker})
	rows := testReturneeInputs(1000, "cw.salma")
	for b.Loop() {
		if _, _, err := storage.UpsertReturnees(ctx, db, rows); err != nil {
			b.Fatal(err)
		}
	}
}

func TestListReturnees(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	ctx := context.Background()
	addTestStaff(t, db, "cw.salma", storage.RoleCaseworker)
	addTestStaff(t, db, "cw.youssef", storage.RoleCaseworker)
	rows := testReturneeInputs(3, "cw.salma")
	rows[1].CaseworkerHandle = "cw.youssef"
	if _, _, err := storage.UpsertReturnees(ctx, db, rows); err != nil {
		t.Fatal(err)
	}
	db.Exec(`UPDATE returnees SET telegram_id = 77 WHERE ref = 'MA-T-00003'`)
	all, err := storage.ListReturnees(ctx, db, "")
	if err != nil || len(all) != 3 {
		t.Fatalf("all: %v, %v", all, err)
	}
	if all[0].Ref != "MA-T-00001" || all[0].CaseworkerHandle != "cw.salma" || all[0].Bound || !all[2].Bound ||
		all[0].Consent != "pending" || all[0].Status != "active" || !all[0].ReturnDate.Equal(isoDay("2018-05-06")) {
		t.Fatalf("rows: %+v", all)
	}
	mine, err := storage.ListReturnees(ctx, db, "cw.salma")
	if err != nil || len(mine) != 2 {
		t.Fatalf("cw.salma: %v, %v", mine, err)
	}
	if _, err := storage.ListReturnees(ctx, db, "cw.nobody"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("unknown handle: %v, want ErrNotFound", err)
	}
	refs, err := storage.ReturneeRefs(ctx, db, []int64{all[0].ID, all[2].ID, 999999})
	if err != nil || len(refs) != 2 || refs[all[2].ID] != "MA-T-00003" {
		t.Fatalf("refs: %v, %v", refs, err)
	}
}

func TestWriteAudit(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	ctx := context.Background()
	if err := storage.WriteAudit(ctx, db, "cli:salma", "returnees.list", "all", map[string]any{"count": 3}); err != nil {
		t.Fatal(err)
	}
	if err := storage.WriteAudit(ctx, db, "cli:salma", "returnees.add", "MA-1", nil); err != nil {
		t.Fatal(err)
	}
	if err := storage.WriteAudit(ctx, db, "", "x", "", nil); !errors.Is(err, storage.ErrInvalid) {
		t.Fatalf("no actor: %v, want ErrInvalid", err)
	}
	var count int
	db.QueryRow(`SELECT (detail->>'count')::int FROM audit_log WHERE action = 'returnees.list'`).Scan(&count)
	if count != 3 {
		t.Fatalf("detail count = %d", count)
	}
}
