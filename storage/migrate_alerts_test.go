package storage_test

import (
	"context"
	"encoding/json"
	"testing"

	"suivi/storage"
	"suivi/storage/storagetest"
)

// Migration 0007 keeps old prose as a legacy text's parameter and folds
// duplicates open today into one alert, so its unique index can hold.
func TestMigrateAlertEvents(t *testing.T) {
	db, _ := storagetest.NewEmptyDatabase(t)
	ctx := context.Background()
	ms, err := storage.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE schema_migrations (version INT PRIMARY KEY, name TEXT NOT NULL,
		applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Name == "0008_alert_events.sql" {
			break
		}
		if _, err := db.Exec(m.SQL); err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		db.Exec(`INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name)
	}
	var staff, rid int64
	db.QueryRow(`INSERT INTO staff (handle, role) VALUES ('cw.amina', 'caseworker') RETURNING id`).Scan(&staff)
	if err := db.QueryRow(`INSERT INTO returnees (ref, sex, birth_date, return_date, host_country, caseworker_id)
		VALUES ('MA-1', 'F', '1990-01-01', '2025-12-01', 'LY', $1) RETURNING id`, staff).Scan(&rid); err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{"Injoignable : la personne a bloqué le bot", "Telegram refuses delivery: Forbidden"} {
		if _, err := db.Exec(`INSERT INTO alerts (returnee_id, category, severity, message) VALUES ($1, 'unreachable', 'medium', $2)`, rid, msg); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := storage.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	alerts, err := storage.ListAlerts(ctx, db, storage.AlertFilter{ReturneeID: rid})
	if err != nil || len(alerts) != 2 {
		t.Fatalf("%d alerts: %v", len(alerts), err)
	}
	open := 0
	for _, a := range alerts {
		var p map[string]string
		json.Unmarshal(a.Params, &p)
		if a.TextKey != "alert_legacy" || p["text"] == "" || a.Message != "" {
			t.Errorf("alert %d: key %q, params %s, message %q", a.ID, a.TextKey, a.Params, a.Message)
		}
		if a.Status != "resolved" {
			open++
			if a.AssignedTo == nil || *a.AssignedTo != staff {
				t.Errorf("open alert assigned to %v, want the case worker %d", a.AssignedTo, staff)
			}
			events, _ := storage.AlertEvents(ctx, db, storage.AlertID(a.ID))
			if len(events) != 2 || events[0].Kind != "raised" || events[1].Kind != "evidence" {
				t.Errorf("events of the kept alert: %+v", events)
			}
		}
	}
	if open != 1 {
		t.Fatalf("%d open unreachable alerts after the migration, want 1", open)
	}
}
