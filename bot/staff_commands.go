package bot

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"suivi/flows"
	"suivi/followup"
	"suivi/storage"
	"suivi/tgmsg"
)

// command runs a staff command: /alerts, /case, /note, /checkin, /reply,
// /help. Arguments are checked here and every refusal is answered in the
// staff member's language; whether a case may be seen is followup's check.
func (h *StaffHandler) command(ctx context.Context, tx *sql.Tx, s storage.Staff, m *tgbotapi.Message) error {
	ref, rest := splitArg(m.CommandArguments())
	switch m.Command() {
	case "alerts":
		return h.alerts(ctx, tx, s)
	case "case":
		if ref == "" {
			return h.say(ctx, tx, s, "staff_need_ref", "/case MA-2026-0001")
		}
		r, v, err := followup.ViewCase(ctx, tx, s, ref, h.now())
		if err != nil {
			return h.refusal(ctx, tx, s, ref, err)
		}
		return h.sayText(ctx, tx, s, h.renderCase(s.Language, r, v))
	case "note":
		if ref == "" {
			return h.say(ctx, tx, s, "staff_need_ref", "/note MA-2026-0001 …")
		}
		if rest == "" {
			return h.say(ctx, tx, s, "staff_need_text", "/note "+ref+" …")
		}
		r, err := followup.AddCaseNote(ctx, tx, s, ref, rest, h.now())
		if err != nil {
			return h.refusal(ctx, tx, s, ref, err)
		}
		return h.say(ctx, tx, s, "staff_note_saved", r.Ref)
	case "checkin":
		flowList := strings.Join(followup.StaffFlows(h.Flows), ", ")
		if ref == "" {
			return h.say(ctx, tx, s, "staff_need_ref", "/checkin MA-2026-0001 wellbeing")
		}
		flowID, _ := splitArg(rest)
		if flowID == "" {
			return h.say(ctx, tx, s, "staff_need_flow", flowList)
		}
		r, err := h.Conv.StaffCheckin(ctx, tx, s, ref, flowID)
		switch {
		case errors.Is(err, followup.ErrNoSuchFlow):
			return h.say(ctx, tx, s, "staff_unknown_flow", flowID, flowList)
		case errors.Is(err, followup.ErrCheckinOpen):
			return h.say(ctx, tx, s, "staff_checkin_busy", r.Ref)
		case err != nil:
			return h.refusal(ctx, tx, s, ref, err)
		}
		return h.say(ctx, tx, s, "staff_checkin_started", flowID, r.Ref)
	case "reply":
		if ref == "" {
			return h.say(ctx, tx, s, "staff_need_ref", "/reply MA-2026-0001 …")
		}
		if rest == "" {
			return h.say(ctx, tx, s, "staff_need_text", "/reply "+ref+" …")
		}
		r, err := followup.Reply(ctx, tx, h.Conv.Texts, s, ref, rest, h.now())
		if err != nil {
			return h.refusal(ctx, tx, s, ref, err)
		}
		return h.say(ctx, tx, s, "staff_reply_sent", r.Ref)
	}
	return h.say(ctx, tx, s, "staff_help")
}

// refusal answers a refused command, or passes on a failure.
func (h *StaffHandler) refusal(ctx context.Context, tx *sql.Tx, s storage.Staff, ref string, err error) error {
	switch {
	case errors.Is(err, followup.ErrNotInCaseload):
		return h.say(ctx, tx, s, "staff_not_in_caseload")
	case errors.Is(err, followup.ErrAggregatesOnly):
		return h.say(ctx, tx, s, "staff_aggregates_only")
	case errors.Is(err, followup.ErrNotReachable):
		return h.say(ctx, tx, s, "staff_not_reachable", ref)
	}
	return err
}

// splitArg splits a command's arguments into the first word and the rest,
// whose line breaks are kept (a note may have several lines).
func splitArg(args string) (first, rest string) {
	args = strings.TrimSpace(args)
	i := strings.IndexAny(args, " \t\n")
	if i < 0 {
		return args, ""
	}
	return args[:i], strings.TrimSpace(args[i+1:])
}

// alerts answers /alerts: the staff member's open alerts, or totals for a
// manager.
func (h *StaffHandler) alerts(ctx context.Context, tx *sql.Tx, s storage.Staff) error {
	now := h.now()
	alerts, counts, err := followup.StaffAlerts(ctx, tx, s, now)
	if err != nil {
		return err
	}
	lang := s.Language
	if s.Role == storage.RoleManager {
		if len(counts) == 0 {
			return h.say(ctx, tx, s, "staff_alerts_none")
		}
		lines := []string{h.Texts.Get(lang, "staff_counts_header")}
		for _, c := range counts {
			lines = append(lines, h.Texts.Get(lang, "staff_count_line",
				h.Texts.Get(lang, "staff_category_"+c.Category), h.Texts.Get(lang, "staff_severity_"+c.Severity), c.Count))
		}
		return h.sayText(ctx, tx, s, strings.Join(lines, "\n"))
	}
	if len(alerts) == 0 {
		return h.say(ctx, tx, s, "staff_alerts_none")
	}
	lines := []string{h.Texts.Get(lang, "staff_alerts_header", len(alerts))}
	for _, a := range alerts {
		lines = append(lines, h.Texts.Get(lang, "staff_alert_line", a.ID, a.Ref,
			h.Texts.Get(lang, "staff_category_"+a.Category), h.Texts.Get(lang, "staff_severity_"+a.Severity),
			h.age(lang, now.Sub(a.CreatedAt))))
	}
	return h.sayText(ctx, tx, s, strings.Join(lines, "\n"))
}

// age says how long ago, in minutes, hours or days.
func (h *StaffHandler) age(lang string, d time.Duration) string {
	switch {
	case d < time.Hour:
		return h.Texts.Get(lang, "staff_age_minutes", max(int(d/time.Minute), 0))
	case d < 48*time.Hour:
		return h.Texts.Get(lang, "staff_age_hours", int(d/time.Hour))
	}
	return h.Texts.Get(lang, "staff_age_days", int(d/(24*time.Hour)))
}

// sayText sends an already rendered text to a staff member.
func (h *StaffHandler) sayText(ctx context.Context, tx *sql.Tx, s storage.Staff, text string) error {
	return storage.EnqueueMessages(ctx, tx, tgmsg.Text(*s.TelegramID, storage.LaneReply, text, nil)...)
}

// staffTime is how times show in a case: the date and the time, in UTC.
func staffTime(t time.Time) string { return t.UTC().Format("02/01/2006 15:04") + " UTC" }

// renderCase lays out a case for a phone: status, last contact, then
// check-ins, scores, alerts, notes and messages, newest first.
func (h *StaffHandler) renderCase(lang string, r storage.Returnee, v storage.CaseView) string {
	t := func(key string, args ...any) string { return h.Texts.Get(lang, key, args...) }
	status := t("staff_case_status_" + r.Status)
	if r.SafetyHold {
		status += " · " + t("staff_case_safety_hold")
	}
	var b strings.Builder
	b.WriteString(t("staff_case_header", r.Ref, status))
	last := t("staff_case_never")
	if v.LastContact != nil {
		last = staffTime(*v.LastContact)
	}
	b.WriteString("\n" + t("staff_case_last_contact", last))
	section := func(key string, lines []string) {
		b.WriteString("\n\n" + t(key))
		if len(lines) == 0 {
			b.WriteString(" " + t("staff_case_empty"))
		}
		for _, l := range lines {
			b.WriteString("\n• " + l)
		}
	}
	var lines []string
	for _, c := range v.Checkins {
		when := flows.FormatDate(c.DueDate)
		if c.ClosedAt != nil {
			when = staffTime(*c.ClosedAt)
		} else if c.OpenedAt != nil {
			when = staffTime(*c.OpenedAt)
		}
		lines = append(lines, fmt.Sprintf("%s · %s · %s", c.FlowID, t("staff_checkin_status_"+c.Status), when))
	}
	section("staff_case_checkins", lines)
	lines = nil
	for _, sc := range v.Scores {
		lines = append(lines, fmt.Sprintf("%s %s = %.1f · %s", sc.FlowID, sc.Name, sc.Value, staffTime(sc.At)))
	}
	section("staff_case_scores", lines)
	lines = nil
	for _, a := range v.Alerts {
		lines = append(lines, fmt.Sprintf("#%d · %s · %s · %s · %s — %s", a.ID, t("staff_category_"+a.Category),
			t("staff_severity_"+a.Severity), t("staff_alert_status_"+a.Status), staffTime(a.CreatedAt),
			followup.RenderAlert(h.Flows, lang, a)))
	}
	section("staff_case_alerts", lines)
	lines = nil
	for _, n := range v.Notes {
		lines = append(lines, fmt.Sprintf("%s · %s: %s", staffTime(n.At), n.StaffHandle, n.Text))
	}
	section("staff_case_notes", lines)
	lines = nil
	for _, m := range v.Messages {
		what := m.Text
		if m.Kind != "text" {
			what = strings.TrimSpace(t("media_"+mediaLabel(m.Kind)) + " " + m.Text)
		}
		lines = append(lines, fmt.Sprintf("%s: %s", staffTime(m.At), what))
	}
	section("staff_case_messages", lines)
	return b.String()
}

// mediaLabel maps a relayed message's kind to its media_* text.
func mediaLabel(kind string) string {
	switch kind {
	case "sticker", "photo", "voice", "location", "document", "video":
		return kind
	}
	return "other"
}
