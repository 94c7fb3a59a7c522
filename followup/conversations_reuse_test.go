package followup_test

import (
	"encoding/json"
	"testing"
	"time"

	"suivi/contacts"
	"suivi/flows"
	"suivi/followup"
	"suivi/storage"
)

// A question asked again within 14 days (the work question of the
// reintegration survey) takes the earlier answer from the database, marked
// reused; after 14 days it is asked again.
func TestStartReusesRecentAnswers(t *testing.T) {
	c := newChat(t, 4242, "en")
	start := func() (int64, string) {
		t.Helper()
		id := c.start("reintegration_survey")
		return id, c.state(id).Current
	}
	answer := func(id int64, qid, value string) {
		t.Helper()
		c.press(id, qid, value)
		c.expire(id)
	}

	first, q := start()
	if q != "eco_work" {
		t.Fatalf("first question %q, want eco_work", q)
	}
	answer(first, "eco_work", "sometimes")

	c.now = t0.Add(10 * 24 * time.Hour)
	second, q := start()
	if q != "eco_sources" {
		t.Fatalf("10 days later the first question is %q, want eco_work reused", q)
	}
	var value []byte
	if err := c.db.QueryRow(`SELECT value FROM answers WHERE conversation_id = $1 AND question_id = 'eco_work'`, second).Scan(&value); err != nil {
		t.Fatalf("reused answer not stored: %v", err)
	}
	var v flows.Value
	if err := json.Unmarshal(value, &v); err != nil || v.Option != "sometimes" || !v.Reused {
		t.Fatalf("reused answer %s, want sometimes marked reused", value)
	}
	if _, err := c.db.Exec(`UPDATE conversations SET status = 'expired' WHERE id = $1`, second); err != nil {
		t.Fatal(err)
	}

	// 15 days after the real answer (5 after the reused one): asked again,
	// a reused answer does not stretch the window.
	c.now = t0.Add(15 * 24 * time.Hour)
	if _, q := start(); q != "eco_work" {
		t.Fatalf("15 days later the first question is %q, want eco_work asked again", q)
	}
}

// The project check-in's "running" hands on to the survey's work question;
// "closed" does not (other work is possible), so it is asked.
func TestStartReusesAnAnswerHandedOnByAnotherFlow(t *testing.T) {
	for _, tt := range []struct {
		status, first string
	}{{"operating", "eco_sources"}, {"closed", "eco_work"}} {
		t.Run(tt.status, func(t *testing.T) {
			c := newChat(t, 4242, "ar")
			id := c.start("project_checkin")
			c.press(id, "status", tt.status)
			c.expire(id)
			c.now = t0.Add(3 * 24 * time.Hour)
			st := c.state(c.start("reintegration_survey"))
			if st.Current != tt.first {
				t.Fatalf("survey starts with %q, want %q", st.Current, tt.first)
			}
			if tt.status == "operating" && (st.Answers["eco_work"].Option != "yes" || !st.Answers["eco_work"].Reused) {
				t.Errorf("eco_work %+v, want yes, reused", st.Answers["eco_work"])
			}
		})
	}
}

func TestEnvForGivesTheReturneesCountryContacts(t *testing.T) {
	conv := &followup.Conversations{Contacts: contacts.Default(), Now: func() time.Time { return t0 }}
	ma := conv.EnvFor(storage.Returnee{Timezone: "Africa/Casablanca"}).EmergencyContacts
	if ma["fr"] == "" || ma["ar"] == "" || ma["en"] == "" {
		t.Fatalf("contacts %v, want every language", ma)
	}
	if other := conv.EnvFor(storage.Returnee{Timezone: "Europe/Oslo"}).EmergencyContacts; other["fr"] != ma["fr"] {
		t.Errorf("an unknown country gets %v, want the default country's", other)
	}
}
