package storage_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"suivi/storage"
	"suivi/storage/storagetest"
)

// addTestStaff creates a staff member with the given handle and role.
func addTestStaff(t *testing.T, db *sql.DB, handle, role string) storage.Staff {
	t.Helper()
	s, err := storage.UpsertStaff(context.Background(), db, storage.StaffInput{Handle: handle, Name: "Name of " + handle, Role: role})
	if err != nil {
		t.Fatalf("add staff %s: %v", handle, err)
	}
	return s
}

func telegramID(v int64) *int64 { return &v }

func TestUpsertStaffCreatesThenUpdatesKeepingOmittedFields(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	ctx := context.Background()
	sup := addTestStaff(t, db, "sup.karim", storage.RoleSupervisor)
	s, err := storage.UpsertStaff(ctx, db, storage.StaffInput{
		Handle: "cw.salma", TelegramID: telegramID(1001), Name: "Salma B.", Role: storage.RoleCaseworker,
		SupervisorHandle: "sup.karim", Language: "ar"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Language != "ar" || s.SupervisorID == nil || *s.SupervisorID != sup.ID || s.TelegramID == nil || *s.TelegramID != 1001 {
		t.Fatalf("created %+v", s)
	}
	again, err := storage.UpsertStaff(ctx, db, storage.StaffInput{Handle: "cw.salma", Role: storage.RoleSupervisor})
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != s.ID || again.Name != "Salma B." || again.Language != "ar" || again.Role != storage.RoleSupervisor ||
		again.TelegramID == nil || again.SupervisorID == nil {
		t.Fatalf("update lost omitted fields: %+v", again)
	}
	fresh, err := storage.UpsertStaff(ctx, db, storage.StaffInput{Handle: "mgr.nadia", Role: storage.RoleManager})
	if err != nil || fresh.Language != "fr" {
		t.Fatalf("new member without language: %+v, %v", fresh, err)
	}
	list, err := storage.ListStaff(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var handles []string
	for _, s := range list {
		handles = append(handles, s.Handle)
	}
	if len(handles) != 3 || handles[0] != "cw.salma" || handles[1] != "mgr.nadia" || handles[2] != "sup.karim" {
		t.Fatalf("ListStaff = %v, want by handle", handles)
	}
}

func TestUpsertStaffRejectsBadInput(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	ctx := context.Background()
	addTestStaff(t, db, "cw.salma", storage.RoleCaseworker)
	addTestStaff(t, db, "sup.karim", storage.RoleSupervisor)
	if _, err := storage.UpsertStaff(ctx, db, storage.StaffInput{Handle: "sup.karim", Role: storage.RoleSupervisor, SupervisorHandle: "cw.salma"}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		in   storage.StaffInput
		want error
	}{
		{"bad role", storage.StaffInput{Handle: "cw.x", Role: "boss"}, storage.ErrInvalid},
		{"uppercase handle", storage.StaffInput{Handle: "CW.X", Role: "caseworker"}, storage.ErrInvalid},
		{"bad language", storage.StaffInput{Handle: "cw.x", Role: "caseworker", Language: "de"}, storage.ErrInvalid},
		{"unknown supervisor", storage.StaffInput{Handle: "cw.x", Role: "caseworker", SupervisorHandle: "nobody"}, storage.ErrInvalid},
		{"self supervision", storage.StaffInput{Handle: "cw.x", Role: "caseworker", SupervisorHandle: "cw.x"}, storage.ErrInvalid},
		{"supervision cycle", storage.StaffInput{Handle: "cw.salma", Role: "caseworker", SupervisorHandle: "sup.karim"}, storage.ErrInvalid},
		{"zero telegram id", storage.StaffInput{Handle: "cw.x", Role: "caseworker", TelegramID: telegramID(0)}, storage.ErrInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := storage.UpsertStaff(ctx, db, c.in); !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
	if _, err := storage.UpsertStaff(ctx, db, storage.StaffInput{Handle: "cw.a", Role: "caseworker", TelegramID: telegramID(7)}); err != nil {
		t.Fatal(err)
	}
	_, err := storage.UpsertStaff(ctx, db, storage.StaffInput{Handle: "cw.b", Role: "caseworker", TelegramID: telegramID(7)})
	if !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("second member with one telegram id: err = %v, want ErrConflict", err)
	}
}

func TestBindStaffTelegramID(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	ctx := context.Background()
	a := addTestStaff(t, db, "cw.a", storage.RoleCaseworker)
	b := addTestStaff(t, db, "cw.b", storage.RoleCaseworker)
	got, err := storage.BindStaffTelegramID(ctx, db, a.ID, 42)
	if err != nil || got.TelegramID == nil || *got.TelegramID != 42 {
		t.Fatalf("bind: %+v, %v", got, err)
	}
	if _, err := storage.BindStaffTelegramID(ctx, db, b.ID, 42); !errors.Is(err, storage.ErrConflict) {
		t.Fatalf("bind taken id: %v, want ErrConflict", err)
	}
	if _, err := storage.BindStaffTelegramID(ctx, db, 999999, 43); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("bind missing staff: %v, want ErrNotFound", err)
	}
}
