package bot_test

import (
	"bytes"
	"context"
	"database/sql"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"
	"github.com/xuri/excelize/v2"

	"suivi/app"
	"suivi/bot/telegramtest"
	"suivi/report"
	"suivi/storage"
	"suivi/storage/storagetest"
	"suivi/tgmsg"
)

// reportWorld runs Suivi against the fake Bot API, with
// fourteen returnees back in 2018 Q2 (6 women, 8 men; 3 micro-projects)
// of whom cw.salma follows three.
type reportWorld struct {
	t    *testing.T
	db   *sql.DB
	fake *telegramtest.Server
}

func newReportWorld(t *testing.T) *reportWorld {
	t.Helper()
	db, dsn := storagetest.NewDatabase(t)
	fake := telegramtest.New()
	t.Cleanup(fake.Close)
	cfg, err := app.LoadConfig(func(k string) string {
		return map[string]string{"DATABASE_URL": dsn, "TELEGRAM_BOT_TOKEN": fake.Token(), "TELEGRAM_API_ENDPOINT": fake.Endpoint()}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := storage.UpsertStaff(ctx, db, storage.StaffInput{Handle: "cw.salma", Name: "S", Role: storage.RoleCaseworker, Language: "fr"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`
		INSERT INTO returnees (ref, sex, birth_date, return_date, host_country, region, programme, assistance, sector, caseworker_id)
		SELECT 'MA-' || i, CASE WHEN i <= 6 THEN 'F' ELSE 'M' END, '1990-01-01', '2018-05-01', 'IT', 'Oriental', 'AVRR',
		       CASE WHEN i <= 3 THEN '{microproject}'::text[] ELSE '{}' END, CASE WHEN i <= 3 THEN 'commerce' ELSE '' END,
		       CASE WHEN i IN (1, 7, 8) THEN (SELECT id FROM staff WHERE handle = 'cw.salma') END
		FROM generate_series(1, 14) i`); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(ctx, cfg, app.Options{Logger: discard(), Listener: l, PollTimeout: time.Second, BackoffBase: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.Run(runCtx) }()
	t.Cleanup(func() { cancel(); <-done; a.Close() })
	a.Addr()
	return &reportWorld{t: t, db: db, fake: fake}
}

// staff registers a staff member bound to Telegram account id.
func (w *reportWorld) staff(id int64, handle, role, lang string) *telegramtest.User {
	w.t.Helper()
	if _, err := storage.UpsertStaff(context.Background(), w.db, storage.StaffInput{Handle: handle, TelegramID: &id,
		Name: "Staff " + handle, Role: role, Language: lang}); err != nil {
		w.t.Fatal(err)
	}
	return w.fake.User(id)
}

// await waits for a message to u containing want, and returns it.
func (w *reportWorld) await(u *telegramtest.User, want string) telegramtest.Message {
	w.t.Helper()
	var found telegramtest.Message
	waitUntil(w.t, "a message containing "+want, func() bool {
		for _, m := range u.Messages() {
			if strings.Contains(m.PlainText, want) {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

func TestStaffSummary(t *testing.T) {
	w := newReportWorld(t)
	mgr := w.staff(7100000001, "mgr.leila", storage.RoleManager, "en")
	mgr.SendCommand("summary", "2018Q2")
	m := w.await(mgr, "Summary from 01/04/2018 to 30/06/2018")
	for _, want := range []string{"Returning migrants assisted: 14 (women 6, men 8)", "Since 01/01/2018: 14",
		"Micro-projects: <5", `"<5": fewer than 5 people`} {
		if !strings.Contains(m.PlainText, want) {
			t.Errorf("manager's summary lacks %q:\n%s", want, m.PlainText)
		}
	}
	mgr.SendCommand("summary", "") // the last complete quarter
	last := report.LastQuarter(time.Now())
	w.await(mgr, "Summary from "+last.From.Format("02/01/2006")+" to "+last.To.Format("02/01/2006"))
	mgr.SendCommand("summary", "2018Q5")
	w.await(mgr, `I don't recognise the period "2018Q5"`)

	cw := w.staff(7100000002, "cw.salma", storage.RoleCaseworker, "fr")
	cw.SendCommand("summary", "2018-05")
	m = w.await(cw, "Synthèse du 01/05/2018 au 31/05/2018")
	for _, want := range []string{"Vos dossiers uniquement", "Migrants de retour assistés : 3 (femmes 1, hommes 2)", "Micro-projets : 1"} {
		if !strings.Contains(m.PlainText, want) {
			t.Errorf("case worker's summary lacks %q:\n%s", want, m.PlainText)
		}
	}
	var n int
	if err := w.db.QueryRow(`SELECT count(*) FROM audit_log WHERE action = 'report.factsheet' AND detail->>'format' = 'summary'`).Scan(&n); err != nil || n != 3 {
		t.Errorf("%d summaries audited (%v), want 3", n, err)
	}
}

func TestStaffReportDocuments(t *testing.T) {
	w := newReportWorld(t)
	sup := w.staff(7100000003, "sup.omar", storage.RoleSupervisor, "ar")
	sup.SendCommand("report", "2018-Q2")
	waitUntil(t, "two documents", func() bool { return len(w.fake.Calls("sendDocument")) == 2 })
	calls := w.fake.Calls("sendDocument")
	for i, c := range calls {
		if len(c.Files) != 1 {
			t.Fatalf("sendDocument %d: %d files, want 1", i, len(c.Files))
		}
		name, data := c.Files[0].Name, c.Files[0].Data
		if c.Status != 200 || c.Files[0].Field != "document" || c.Files[0].Size != int64(len(data)) || len(data) == 0 {
			t.Errorf("sendDocument %d: %+v, want an upload of %s (%d bytes)", i, c, name, len(data))
		}
		if _, ok := c.Params[tgmsg.UploadData]; ok {
			t.Error("the outbox's file parameters reached Telegram")
		}
		switch i {
		case 0:
			if name != "factsheet-2018-04-01-2018-06-30.pdf" {
				t.Errorf("first document %s", name)
			}
			r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
			if err != nil || r.NumPage() < 1 || r.NumPage() > 2 {
				t.Fatalf("the PDF: %v", err)
			}
			// In Arabic, as the supervisor reads: drawn with the embedded
			// Unicode font (report/pdf_test.go checks the shaping).
			if !bytes.Contains(data, []byte("/BaseFont /utf8dejavu")) {
				t.Error("the supervisor's PDF is not drawn with the Arabic font")
			}
		case 1:
			if name != "factsheet-2018-04-01-2018-06-30.xlsx" {
				t.Errorf("second document %s", name)
			}
			x, err := excelize.OpenReader(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("the XLSX: %v", err)
			}
			got, _ := x.GetCellValue("period", "B3")
			if got != "6" {
				t.Errorf("XLSX women of the period = %q, want 6", got)
			}
		}
	}
	// A file is kept only until Telegram has it.
	waitUntil(t, "the outbox empty", func() bool {
		var left int
		return w.db.QueryRow(`SELECT count(*) FROM outbox`).Scan(&left) == nil && left == 0
	})
	for _, m := range sup.Messages() {
		if m.Kind != "document" { // the PDF is in Arabic: nothing to warn about
			t.Errorf("a %s besides the documents: %q", m.Kind, m.PlainText)
		} else if !strings.Contains(m.Caption, "01/04/2018") {
			t.Errorf("document caption %q", m.Caption)
		}
	}
}
