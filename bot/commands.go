package bot

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"suivi/storage"
)

// command handles a returnee's slash command.
func (h *ReturneeHandler) command(ctx context.Context, tx *sql.Tx, r storage.Returnee, m *tgbotapi.Message) error {
	switch m.Command() {
	case "start":
		return h.start(ctx, tx, r)
	case "help":
		return h.say(ctx, tx, r, "help", [][]Button{{{Text: h.Conv.Texts.Get(r.Language, "help_button"), Data: "h:talk"}}})
	case "language":
		return h.say(ctx, tx, r, "language_prompt", [][]Button{{
			{Text: "Français", Data: "l:fr"}, {Text: "العربية", Data: "l:ar"}, {Text: "English", Data: "l:en"}}})
	case "pause":
		var row []Button
		for _, w := range []string{"1", "2", "4", "8"} {
			row = append(row, Button{Text: h.Conv.Texts.Get(r.Language, "pause_weeks_"+w), Data: "p:" + w})
		}
		return h.say(ctx, tx, r, "pause_prompt", [][]Button{row})
	case "stop":
		return h.say(ctx, tx, r, "stop_confirm", h.confirmButtons(r, "s", "stop"))
	case "delete":
		return h.say(ctx, tx, r, "delete_confirm", h.confirmButtons(r, "d", "delete"))
	case "mydata":
		return h.myData(ctx, tx, r)
	}
	return h.say(ctx, tx, r, "help", [][]Button{{{Text: h.Conv.Texts.Get(r.Language, "help_button"), Data: "h:talk"}}})
}

func (h *ReturneeHandler) confirmButtons(r storage.Returnee, kind, what string) [][]Button {
	return [][]Button{{
		{Text: h.Conv.Texts.Get(r.Language, what+"_button_yes"), Data: kind + ":y"},
		{Text: h.Conv.Texts.Get(r.Language, what+"_button_no"), Data: kind + ":n"},
	}}
}

// start greets a returnee who comes back: a stopped follow-up resumes, and
// a check-in in progress continues where they stopped.
func (h *ReturneeHandler) start(ctx context.Context, tx *sql.Tx, r storage.Returnee) error {
	if r.Status == storage.StatusStopped || r.Status == storage.StatusUnreachable {
		if err := storage.SetReturneeStatus(ctx, tx, r.ID, storage.StatusActive, nil); err != nil {
			return err
		}
		return h.say(ctx, tx, r, "resumed", nil)
	}
	conv, err := storage.ActiveConversation(ctx, tx, r.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return h.say(ctx, tx, r, "welcome_back", nil)
	}
	if err != nil {
		return err
	}
	return h.Conv.Prompt(ctx, tx, r, conv, storage.LaneReply, "")
}

// commandAction handles the press of a command's button.
type commandAction func(h *ReturneeHandler, ctx context.Context, tx *sql.Tx, r storage.Returnee, arg string, p *pressed) error

var commandButtons = map[string]commandAction{
	"h": (*ReturneeHandler).talkToCaseworker,
	"l": (*ReturneeHandler).setLanguage,
	"p": (*ReturneeHandler).pause,
	"s": (*ReturneeHandler).stop,
	"d": (*ReturneeHandler).erase,
}

// done answers the press and removes the keyboard it came from, with text
// in place of the question.
func (h *ReturneeHandler) done(r storage.Returnee, p *pressed, text string) []storage.OutboxMessage {
	msgs := []storage.OutboxMessage{answerCallback(*r.ChatID, p.queryID, "")}
	if p.messageID > 0 {
		msgs = append(msgs, editMessage(*r.ChatID, p.messageID, text))
	}
	return msgs
}

func (h *ReturneeHandler) talkToCaseworker(ctx context.Context, tx *sql.Tx, r storage.Returnee, arg string, p *pressed) error {
	if arg != "talk" {
		return storage.EnqueueMessages(ctx, tx, answerCallback(*r.ChatID, p.queryID, ""))
	}
	if _, err := storage.CreateAlert(ctx, tx, storage.Alert{ReturneeID: &r.ID, Category: storage.AlertHelpRequest,
		Severity: "medium", Message: h.Conv.Texts.Get("fr", "alert_help_request")}); err != nil {
		return err
	}
	return storage.EnqueueMessages(ctx, tx, h.done(r, p, h.Conv.Texts.Get(r.Language, "help_requested"))...)
}

func (h *ReturneeHandler) setLanguage(ctx context.Context, tx *sql.Tx, r storage.Returnee, lang string, p *pressed) error {
	if lang != "fr" && lang != "ar" && lang != "en" {
		return storage.EnqueueMessages(ctx, tx, answerCallback(*r.ChatID, p.queryID, ""))
	}
	if err := storage.UpdateReturneeSettings(ctx, tx, r.ID, lang, "", ""); err != nil {
		return err
	}
	r.Language = lang
	if err := storage.EnqueueMessages(ctx, tx, h.done(r, p, h.Conv.Texts.Get(lang, "language_set"))...); err != nil {
		return err
	}
	// A check-in in progress goes on in the new language.
	conv, err := storage.ActiveConversation(ctx, tx, r.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if conv.State, err = withLanguage(conv.State, lang); err != nil {
		return err
	}
	if err := storage.SaveConversation(ctx, tx, conv.ID, conv.State, conv.Status, h.Conv.Now()); err != nil {
		return err
	}
	return h.Conv.Prompt(ctx, tx, r, conv, storage.LaneReply, "")
}

func (h *ReturneeHandler) pause(ctx context.Context, tx *sql.Tx, r storage.Returnee, arg string, p *pressed) error {
	weeks, err := strconv.Atoi(arg)
	if err != nil || weeks < 1 || weeks > 26 {
		return storage.EnqueueMessages(ctx, tx, answerCallback(*r.ChatID, p.queryID, ""))
	}
	until := h.Conv.Now().Add(time.Duration(weeks) * 7 * 24 * time.Hour)
	if err := storage.SetReturneeStatus(ctx, tx, r.ID, storage.StatusPaused, &until); err != nil {
		return err
	}
	if err := storage.CancelConversations(ctx, tx, r.ID, h.Conv.Now()); err != nil {
		return err
	}
	if err := storage.CancelOpenCheckins(ctx, tx, r.ID, h.Conv.Now()); err != nil {
		return err
	}
	text := h.Conv.Texts.Get(r.Language, "paused", until.Format("2006-01-02"))
	return storage.EnqueueMessages(ctx, tx, h.done(r, p, text)...)
}

func (h *ReturneeHandler) stop(ctx context.Context, tx *sql.Tx, r storage.Returnee, arg string, p *pressed) error {
	if arg != "y" {
		return storage.EnqueueMessages(ctx, tx, h.done(r, p, h.Conv.Texts.Get(r.Language, "stop_cancelled"))...)
	}
	if err := storage.SetReturneeStatus(ctx, tx, r.ID, storage.StatusStopped, nil); err != nil {
		return err
	}
	if err := storage.CancelConversations(ctx, tx, r.ID, h.Conv.Now()); err != nil {
		return err
	}
	if err := storage.CancelOpenCheckins(ctx, tx, r.ID, h.Conv.Now()); err != nil {
		return err
	}
	if _, err := storage.CreateAlert(ctx, tx, storage.Alert{ReturneeID: &r.ID, Category: storage.AlertOptOut,
		Severity: "low", Message: h.Conv.Texts.Get("fr", "alert_opt_out")}); err != nil {
		return err
	}
	return storage.EnqueueMessages(ctx, tx, h.done(r, p, h.Conv.Texts.Get(r.Language, "stopped"))...)
}

// erase carries out /delete once confirmed; the goodbye is ephemeral, so no
// message to the person stays behind either.
func (h *ReturneeHandler) erase(ctx context.Context, tx *sql.Tx, r storage.Returnee, arg string, p *pressed) error {
	if arg != "y" {
		return storage.EnqueueMessages(ctx, tx, h.done(r, p, h.Conv.Texts.Get(r.Language, "delete_cancelled"))...)
	}
	if err := storage.EraseReturnee(ctx, tx, r.ID); err != nil {
		return err
	}
	if err := storage.WriteAudit(ctx, tx, "returnee", "erase", r.Ref, map[string]any{"by": "returnee /delete"}); err != nil {
		return err
	}
	return enqueueEphemeral(ctx, tx, h.done(r, p, h.Conv.Texts.Get(r.Language, "deleted")))
}

// myData shows a returnee what is stored about them, in their language.
func (h *ReturneeHandler) myData(ctx context.Context, tx *sql.Tx, r storage.Returnee) error {
	t, lang := h.Conv.Texts, r.Language
	convs, completed, answers, alerts, err := storage.CountReturneeData(ctx, tx, r.ID)
	if err != nil {
		return err
	}
	lines := []string{t.Get(lang, "mydata_header"), t.Get(lang, "mydata_reference", r.Ref),
		t.Get(lang, "mydata_language", map[string]string{"fr": "Français", "ar": "العربية", "en": "English"}[lang]),
		t.Get(lang, "mydata_window", r.WindowStart+"–"+r.WindowEnd)}
	if r.Timezone != "" {
		lines = append(lines, t.Get(lang, "mydata_timezone", r.Timezone))
	}
	if r.ConsentAt != nil {
		lines = append(lines, t.Get(lang, "mydata_consent", r.ConsentAt.Format("2006-01-02")))
	}
	if !r.ReturnDate.IsZero() {
		lines = append(lines, t.Get(lang, "mydata_return_date", r.ReturnDate.Format("2006-01-02")))
	}
	if r.PausedUntil != nil && r.Status == storage.StatusPaused {
		lines = append(lines, t.Get(lang, "mydata_paused_until", r.PausedUntil.Format("2006-01-02")))
	}
	lines = append(lines, t.Get(lang, "mydata_checkins", convs, completed),
		t.Get(lang, "mydata_answers", answers), t.Get(lang, "mydata_alerts", alerts))
	return storage.EnqueueMessages(ctx, tx, textMessages(*r.ChatID, storage.LaneReply, strings.Join(lines, "\n"), nil)...)
}
