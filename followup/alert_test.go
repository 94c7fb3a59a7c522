package followup_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"suivi/flows"
	"suivi/followup"
	"suivi/storage"
	"suivi/storage/storagetest"
)

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

// newReturnee stores a case worker and a returnee of theirs.
func newReturnee(t *testing.T, db *sql.DB) (storage.ReturneeID, int64) {
	t.Helper()
	var staff, id int64
	if err := db.QueryRow(`INSERT INTO staff (handle, role) VALUES ('cw.amina', 'caseworker') RETURNING id`).Scan(&staff); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`INSERT INTO returnees (ref, sex, birth_date, return_date, host_country, caseworker_id)
		VALUES ('MA-1', 'F', '1990-01-01', '2025-12-01', 'LY', $1) RETURNING id`, staff).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return storage.ReturneeID(id), staff
}

func raise(t *testing.T, db *sql.DB, a followup.Alert, now time.Time) (storage.AlertID, bool) {
	t.Helper()
	var id storage.AlertID
	var fresh bool
	err := storage.InTx(context.Background(), db, func(tx *sql.Tx) (err error) {
		id, fresh, err = followup.RaiseAlert(context.Background(), tx, a, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id, fresh
}

// The same reason raised twice (the returnee blocked the bot, then a send
// was refused) is one open alert with two events; a more pressing evidence
// raises its severity; once resolved, the next raise opens a new alert.
func TestRaiseAlertDeduplicates(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	rid, staff := newReturnee(t, db)
	blocked := followup.Alert{Returnee: rid, Category: followup.CategoryUnreachable, Severity: followup.SeverityLow,
		TextKey: followup.TextUnreachable}
	id1, fresh1 := raise(t, db, blocked, t0)
	refused := blocked
	refused.Severity, refused.TextKey = followup.SeverityMedium, followup.TextUndeliverable
	refused.Params = map[string]any{"reason": "Forbidden: bot was blocked by the user"}
	id2, fresh2 := raise(t, db, refused, t0.Add(time.Minute))
	if !fresh1 || fresh2 || id1 != id2 {
		t.Fatalf("raises: %d %v, %d %v; want one alert, new then not", id1, fresh1, id2, fresh2)
	}
	a, err := storage.AlertByID(context.Background(), db, id1)
	if err != nil {
		t.Fatal(err)
	}
	if a.Severity != "medium" || a.AssignedTo == nil || *a.AssignedTo != staff || !a.CreatedAt.Equal(t0) || a.Message != "" {
		t.Fatalf("alert: %+v", a)
	}
	events, err := storage.AlertEvents(context.Background(), db, id1)
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[0].Kind != "raised" || events[1].Kind != "evidence" || !events[1].At.Equal(t0.Add(time.Minute)) {
		t.Fatalf("events: %+v", events)
	}
	var ev struct {
		TextKey string         `json:"text_key"`
		Params  map[string]any `json:"params"`
	}
	if err := json.Unmarshal(events[1].Data, &ev); err != nil || ev.TextKey != followup.TextUndeliverable || ev.Params["reason"] == nil {
		t.Fatalf("evidence data %s: %v", events[1].Data, err)
	}
	// A less pressing evidence leaves the severity as it is.
	raise(t, db, blocked, t0.Add(2*time.Minute))
	if a, _ := storage.AlertByID(context.Background(), db, id1); a.Severity != "medium" {
		t.Fatalf("severity lowered to %s", a.Severity)
	}
	// Resolved, the next raise is a new alert.
	if _, err := db.Exec(`UPDATE alerts SET status = 'resolved' WHERE id = $1`, int64(id1)); err != nil {
		t.Fatal(err)
	}
	if id3, fresh := raise(t, db, blocked, t0.Add(time.Hour)); !fresh || id3 == id1 {
		t.Fatalf("after resolution: %d %v", id3, fresh)
	}
	// Another category is another alert.
	if _, fresh := raise(t, db, followup.Alert{Returnee: rid, Category: followup.CategoryOptOut, Severity: followup.SeverityLow,
		TextKey: followup.TextOptOut}, t0); !fresh {
		t.Fatal("an opt-out folded into the unreachable alert")
	}
}

// Raises for one returnee and category at once, each in its own
// transaction, end as one open alert with every raise as an event.
func TestRaiseAlertConcurrent(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	rid, _ := newReturnee(t, db)
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs <- storage.InTx(context.Background(), db, func(tx *sql.Tx) error {
				_, _, err := followup.RaiseAlert(context.Background(), tx, followup.Alert{Returnee: rid,
					Category: followup.CategoryProject, Severity: followup.SeverityHigh, TextKey: followup.TextFlowRule,
					Params: map[string]any{"flow": "project_checkin", "version": 1, "rule": "project_closed"}}, t0.Add(time.Duration(i)*time.Second))
				return err
			})
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	var alerts, events int
	db.QueryRow(`SELECT count(*) FROM alerts WHERE returnee_id = $1`, int64(rid)).Scan(&alerts)
	db.QueryRow(`SELECT count(*) FROM alert_events`).Scan(&events)
	if alerts != 1 || events != n {
		t.Fatalf("%d alerts and %d events, want 1 and %d", alerts, events, n)
	}
}

func TestRaiseAlertRefusesUnknownKinds(t *testing.T) {
	db, _ := storagetest.NewDatabase(t)
	rid, _ := newReturnee(t, db)
	for _, a := range []followup.Alert{
		{Returnee: rid, Category: "weather", Severity: followup.SeverityLow, TextKey: followup.TextOptOut},
		{Returnee: rid, Category: followup.CategoryOptOut, Severity: "soon", TextKey: followup.TextOptOut},
		{Returnee: rid, Category: followup.CategoryOptOut, Severity: followup.SeverityLow},
	} {
		err := storage.InTx(context.Background(), db, func(tx *sql.Tx) error {
			_, _, err := followup.RaiseAlert(context.Background(), tx, a, t0)
			return err
		})
		if err == nil {
			t.Errorf("%+v raised", a)
		}
	}
}

// Alerts are rendered in the reader's language from their key and
// parameters; a flow rule from the flow that raised it, and a sentence when
// the rule is gone.
func TestRenderAlert(t *testing.T) {
	cat, err := flows.LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	alert := func(key string, params map[string]any) storage.Alert {
		b, _ := json.Marshal(params)
		return storage.Alert{TextKey: key, Params: b}
	}
	safety := alert(followup.TextFlowRule, map[string]any{"flow": "wellbeing", "version": 1, "rule": "safety"})
	gone := alert(followup.TextFlowRule, map[string]any{"flow": "wellbeing", "version": 99, "rule": "vanished"})
	refused := alert(followup.TextUndeliverable, map[string]any{"reason": "Forbidden"})
	cases := []struct {
		a    storage.Alert
		lang string
		want string
	}{
		{safety, "fr", "Risque d'automutilation"},
		{safety, "ar", "خطر إيذاء النفس"},
		{safety, "en", "Self-harm risk"},
		{gone, "en", "Alert from the wellbeing check-in (rule vanished)"},
		{gone, "fr", "vanished"},
		{refused, "en", "Telegram refuses to deliver our messages to the person (Forbidden)."},
		{refused, "ar", "تيليغرام"},
		{refused, "fr", "Telegram refuse"},
		{alert(followup.TextHelpRequest, nil), "ar", "يطلب الشخص"},
		{alert(followup.TextLegacy, map[string]any{"text": "Ancien texte"}), "en", "Ancien texte"},
	}
	for _, c := range cases {
		got := followup.RenderAlert(cat, c.lang, c.a)
		if !strings.Contains(got, c.want) || strings.Contains(got, "%!") {
			t.Errorf("%s in %s = %q, want it to contain %q", c.a.TextKey, c.lang, got, c.want)
		}
	}
}

// followup sits below bot: it must never depend on it, nor on the
// scheduler or the application.
func TestLayering(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "suivi/followup", "suivi/tgmsg").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		switch dep {
		case "suivi/bot", "suivi/scheduler", "suivi/app":
			t.Errorf("followup or tgmsg depends on %s", dep)
		}
	}
	out, err = exec.Command("go", "list", "-deps", "suivi/tgmsg").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if strings.Contains(string(out), "suivi/followup") {
		t.Error("tgmsg depends on followup")
	}
}
