package storage_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"suivi/storage"
	"suivi/storage/storagetest"
)

// TestAnswersKeepFlowVersion stores answers under two versions of a flow and
// checks that each keeps its own version, also once the returnee is erased
// and the conversations are gone.
func TestAnswersKeepFlowVersion(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	ctx := context.Background()
	var rid int64
	if err := db.QueryRow(`INSERT INTO returnees (ref, sex, birth_date, return_date, host_country, consent, chat_id)
		VALUES ('MA-V', 'F', '1990-01-01', '2025-01-31', 'LY', 'accepted', 77) RETURNING id`).Scan(&rid); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	for version := 1; version <= 2; version++ {
		conv, err := storage.CreateConversation(ctx, db, rid, "wellbeing", version, json.RawMessage(`{}`), now)
		if err != nil {
			t.Fatal(err)
		}
		if err := storage.InsertAnswers(ctx, db, conv, rid, "wellbeing", []storage.AnswerRow{
			{QuestionID: "cheerful", Value: json.RawMessage(`{"kind":"choice","value":"3"}`)},
		}, now); err != nil {
			t.Fatal(err)
		}
		if err := storage.SaveConversation(ctx, db, conv, json.RawMessage(`{}`), storage.ConversationCompleted, now); err != nil {
			t.Fatal(err)
		}
		now = now.AddDate(0, 3, 0)
	}
	check := func(when string) {
		t.Helper()
		rows, err := db.Query(`SELECT flow_version FROM answers WHERE flow_id = 'wellbeing' ORDER BY answered_at`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []int
		for rows.Next() {
			var v sql.NullInt64
			if err := rows.Scan(&v); err != nil {
				t.Fatal(err)
			}
			got = append(got, int(v.Int64))
			if !v.Valid {
				t.Errorf("%s: an answer has no flow version", when)
			}
		}
		if len(got) != 2 || got[0] != 1 || got[1] != 2 {
			t.Errorf("%s: flow versions %v, want [1 2]", when, got)
		}
	}
	check("stored")
	if err := storage.InTx(ctx, db, func(tx *sql.Tx) error { return storage.EraseReturnee(ctx, tx, rid) }); err != nil {
		t.Fatal(err)
	}
	var conversations, personal int
	db.QueryRow(`SELECT count(*) FROM conversations`).Scan(&conversations)
	db.QueryRow(`SELECT count(*) FROM answers WHERE returnee_id IS NOT NULL OR conversation_id IS NOT NULL`).Scan(&personal)
	if conversations != 0 || personal != 0 {
		t.Fatalf("after erasure: %d conversations, %d answers still tied to the person", conversations, personal)
	}
	check("after erasure")
}

// The migration that adds the column fills it from the conversations; an
// anonymous answer without one stays unknown.
func TestMigrateAnswersFlowVersion(t *testing.T) {
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
		if strings.HasSuffix(m.Name, "_answers_flow_version.sql") {
			break
		}
		if _, err := db.Exec(m.SQL); err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		db.Exec(`INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name)
	}
	var rid, conv int64
	db.QueryRow(`INSERT INTO returnees (ref, sex, birth_date, return_date, host_country)
		VALUES ('MA-1', 'F', '1990-01-01', '2025-12-01', 'LY') RETURNING id`).Scan(&rid)
	db.QueryRow(`INSERT INTO conversations (returnee_id, flow_id, flow_version) VALUES ($1, 'wellbeing', 3) RETURNING id`, rid).Scan(&conv)
	if _, err := db.Exec(`INSERT INTO answers (conversation_id, returnee_id, flow_id, question_id, value)
		VALUES ($1, $2, 'wellbeing', 'a', '{}'), (NULL, NULL, 'wellbeing', 'b', '{}')`, conv, rid); err != nil {
		t.Fatal(err)
	}
	if _, err := storage.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	var a, b sql.NullInt64
	db.QueryRow(`SELECT flow_version FROM answers WHERE question_id = 'a'`).Scan(&a)
	db.QueryRow(`SELECT flow_version FROM answers WHERE question_id = 'b'`).Scan(&b)
	if !a.Valid || a.Int64 != 3 || b.Valid {
		t.Errorf("after migration: answer with a conversation has version %v, anonymous one %v; want 3 and unknown", a, b)
	}
}
