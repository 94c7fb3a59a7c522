package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"suivi/storage"
	"suivi/storage/storagetest"
)

func TestMigrateFreshThenNoop(t *testing.T) {
	db, _ := storagetest.NewEmptyDatabase(t)
	ctx := context.Background()
	applied, err := storage.Migrate(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != storage.LatestVersion() {
		t.Fatalf("applied %v, want all %d", applied, storage.LatestVersion())
	}
	again, err := storage.Migrate(ctx, db)
	if err != nil || len(again) != 0 {
		t.Fatalf("second run applied %v, err %v; want nothing", again, err)
	}
	if err := storage.CheckSchema(ctx, db); err != nil {
		t.Fatal(err)
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n)
	if n != storage.LatestVersion() {
		t.Fatalf("schema_migrations has %d rows", n)
	}
}

func TestMigrateConcurrentRuns(t *testing.T) {
	_, dsn := storagetest.NewEmptyDatabase(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	total := make([]int, 3)
	errs := make([]error, 3)
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			db, err := storage.Open(ctx, dsn)
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			applied, err := storage.Migrate(ctx, db)
			total[i], errs[i] = len(applied), err
		}()
	}
	wg.Wait()
	sum := 0
	for i := range 3 {
		if errs[i] != nil {
			t.Fatalf("run %d: %v", i, errs[i])
		}
		sum += total[i]
	}
	if sum != storage.LatestVersion() {
		t.Fatalf("three concurrent runs applied %d migrations in all, want %d", sum, storage.LatestVersion())
	}
}

func TestMigrateRefusesNewerDatabase(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	ctx := context.Background()
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name) VALUES ($1, 'future.sql')`, storage.LatestVersion()+1); err != nil {
		t.Fatal(err)
	}
	_, err := storage.Migrate(ctx, db)
	if !errors.Is(err, storage.ErrSchemaTooNew) {
		t.Fatalf("Migrate on a newer database: %v, want ErrSchemaTooNew", err)
	}
	if err := storage.CheckSchema(ctx, db); !errors.Is(err, storage.ErrSchemaTooNew) {
		t.Fatalf("CheckSchema: %v", err)
	}
}
