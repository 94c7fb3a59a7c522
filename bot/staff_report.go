package bot

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"

	"suivi/report"
	"suivi/storage"
	"suivi/tgmsg"
)

// Reports in Telegram: /summary [PERIOD] answers with a few lines, /report
// [PERIOD] with the factsheet as PDF and XLSX documents. Managers,
// supervisors and administrators get every returnee with small cells
// suppressed; a case worker gets their own caseload in full. Every report
// is written to the audit log.

// staffFactsheet builds the factsheet a staff member may receive for the
// period they wrote (empty: the last complete quarter). ok is false when
// the period was not understood and the staff member was told so.
func (h *StaffHandler) staffFactsheet(ctx context.Context, tx *sql.Tx, s storage.Staff, arg string) (f *report.Factsheet, ok bool, err error) {
	now := h.now()
	period, err := report.ParsePeriod(arg, now)
	if err != nil {
		return nil, false, h.say(ctx, tx, s, "staff_period_invalid", arg)
	}
	p := report.Params{Period: period, Now: now}
	if s.Role == storage.RoleCaseworker {
		p.CaseworkerID, p.Caseworker, p.ShowSmallCells = s.ID, s.Handle, true
	}
	f, err = report.BuildIn(ctx, tx, p)
	if err != nil {
		return nil, false, err
	}
	return f, true, nil
}

// summary answers /summary.
func (h *StaffHandler) summary(ctx context.Context, tx *sql.Tx, s storage.Staff, arg string) error {
	f, ok, err := h.staffFactsheet(ctx, tx, s, arg)
	if !ok || err != nil {
		return err
	}
	if err := report.Audit(ctx, tx, h.now(), "staff:"+s.Handle, f, "summary", s.Language); err != nil {
		return err
	}
	return h.sayText(ctx, tx, s, h.summaryText(s.Language, f))
}

// summaryText is the factsheet in a few lines of the staff member's language.
func (h *StaffHandler) summaryText(lang string, f *report.Factsheet) string {
	l, _ := report.Lang(lang)
	if _, err := report.Lang(lang); err != nil {
		l, _ = report.Lang("fr")
	}
	y, p, t := f.YearToDate, f.Period, f.FollowUp.Total
	text := h.Texts.Get(lang, "staff_summary", l.Date(f.From), l.Date(f.To),
		report.C(p.Assisted), report.C(p.Female), report.C(p.Male), l.Date(f.YTDFrom), report.C(y.Assisted),
		report.C(p.Microprojects.Total), report.Pct(t.Reach.ResponseRate), report.C(t.Reach.Completed), report.C(t.Reach.Missed),
		report.Pct(t.Project.Survival), report.S(t.Wellbeing.WHO5Mean, 0),
		report.C(t.Alerts.Opened), report.C(t.Alerts.Acknowledged), report.C(t.Alerts.Resolved))
	if f.Caseworker != "" {
		text = h.Texts.Get(lang, "staff_summary_caseload") + "\n" + text
	}
	if len(f.Suppressed) > 0 {
		text += "\n" + h.Texts.Get(lang, "staff_summary_small_cells")
	}
	return text
}

// report answers /report with the PDF and the XLSX.
func (h *StaffHandler) report(ctx context.Context, tx *sql.Tx, s storage.Staff, arg string) error {
	f, ok, err := h.staffFactsheet(ctx, tx, s, arg)
	if !ok || err != nil {
		return err
	}
	l, err := report.Lang(s.Language)
	if err != nil {
		l, _ = report.Lang("fr")
	}
	lang := s.Language
	if _, err := report.Lang(lang); err != nil {
		lang = "fr"
	}
	caption := h.Texts.Get(lang, "staff_report_caption", l.Date(f.From), l.Date(f.To))
	name := "factsheet-" + f.From + "-" + f.To
	for _, format := range []string{"pdf", "xlsx"} {
		var buf bytes.Buffer
		if err := report.Render(&buf, f, format, lang); err != nil {
			return fmt.Errorf("staff report: %w", err)
		}
		if err := report.Audit(ctx, tx, h.now(), "staff:"+s.Handle, f, format, lang); err != nil {
			return err
		}
		if err := storage.EnqueueMessages(ctx, tx, tgmsg.Document(*s.TelegramID, storage.LaneReply, name+"."+format, buf.Bytes(), caption)); err != nil {
			return err
		}
	}
	return nil
}
