package bot

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"suivi/flows"
	"suivi/followup"
	"suivi/storage"
	"suivi/tgmsg"
)

// command handles a returnee's slash command.
func (h *ReturneeHandler) command(ctx context.Context, tx *sql.Tx, r storage.Returnee, m *tgbotapi.Message) error {
	switch m.Command() {
	case "start":
		return h.start(ctx, tx, r)
	case "help":
		return h.say(ctx, tx, r, "help", tgmsg.Keyboard{{{Text: h.Conv.Texts.Get(r.Language, "help_button"), Data: tgmsg.Command(tgmsg.KindHelp, helpTalk)}}})
	case "language":
		return h.say(ctx, tx, r, "language_prompt", tgmsg.Keyboard{{
			{Text: "Français", Data: tgmsg.Command(tgmsg.KindLanguage, "fr")},
			{Text: "العربية", Data: tgmsg.Command(tgmsg.KindLanguage, "ar")},
			{Text: "English", Data: tgmsg.Command(tgmsg.KindLanguage, "en")}}})
	case "pause":
		var row []tgmsg.Button
		for _, w := range []string{"1", "2", "4", "8"} {
			row = append(row, tgmsg.Button{Text: h.Conv.Texts.Get(r.Language, "pause_weeks_"+w), Data: tgmsg.Command(tgmsg.KindPause, w)})
		}
		return h.say(ctx, tx, r, "pause_prompt", tgmsg.Keyboard{row})
	case "stop":
		return h.say(ctx, tx, r, "stop_confirm", h.confirmButtons(r, tgmsg.KindStop, "stop"))
	case "delete":
		return h.say(ctx, tx, r, "delete_confirm", h.confirmButtons(r, tgmsg.KindDelete, "delete"))
	case "mydata":
		return h.myData(ctx, tx, r)
	}
	return h.say(ctx, tx, r, "help", tgmsg.Keyboard{{{Text: h.Conv.Texts.Get(r.Language, "help_button"), Data: tgmsg.Command(tgmsg.KindHelp, helpTalk)}}})
}

// helpTalk is the choice of /help's button: talk to my case worker.
const helpTalk = "talk"

func (h *ReturneeHandler) confirmButtons(r storage.Returnee, kind tgmsg.Kind, what string) tgmsg.Keyboard {
	return tgmsg.Keyboard{{
		{Text: h.Conv.Texts.Get(r.Language, what+"_button_yes"), Data: tgmsg.Command(kind, "y")},
		{Text: h.Conv.Texts.Get(r.Language, what+"_button_no"), Data: tgmsg.Command(kind, "n")},
	}}
}

// start greets a returnee who comes back: a stopped follow-up resumes, and
// a check-in in progress continues where they stopped.
func (h *ReturneeHandler) start(ctx context.Context, tx *sql.Tx, r storage.Returnee) error {
	if r.Status == storage.StatusStopped || r.Status == storage.StatusUnreachable {
		if err := followup.Resume(ctx, tx, storage.ReturneeID(r.ID)); err != nil {
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
type commandAction func(h *ReturneeHandler, ctx context.Context, tx *sql.Tx, r storage.Returnee, arg string, p *followup.Press) error

var commandButtons = map[tgmsg.Kind]commandAction{
	tgmsg.KindHelp:     (*ReturneeHandler).talkToCaseworker,
	tgmsg.KindLanguage: (*ReturneeHandler).setLanguage,
	tgmsg.KindPause:    (*ReturneeHandler).pause,
	tgmsg.KindStop:     (*ReturneeHandler).stop,
	tgmsg.KindDelete:   (*ReturneeHandler).erase,
}

// done answers the press and removes the keyboard it came from, with text
// in place of the question.
func (h *ReturneeHandler) done(r storage.Returnee, p *followup.Press, text string) []storage.OutboxMessage {
	msgs := []storage.OutboxMessage{tgmsg.AnswerCallback(*r.ChatID, p.QueryID, "")}
	if p.MessageID > 0 {
		msgs = append(msgs, tgmsg.EditText(*r.ChatID, p.MessageID, text))
	}
	return msgs
}

// ignore only stops the spinner of a press with a choice Suivi never offers.
func (h *ReturneeHandler) ignore(ctx context.Context, tx *sql.Tx, r storage.Returnee, p *followup.Press) error {
	return storage.EnqueueMessages(ctx, tx, tgmsg.AnswerCallback(*r.ChatID, p.QueryID, ""))
}

func (h *ReturneeHandler) talkToCaseworker(ctx context.Context, tx *sql.Tx, r storage.Returnee, arg string, p *followup.Press) error {
	if arg != helpTalk {
		return h.ignore(ctx, tx, r, p)
	}
	if _, err := followup.RequestHelp(ctx, tx, storage.ReturneeID(r.ID), h.Conv.Now()); err != nil {
		return err
	}
	return storage.EnqueueMessages(ctx, tx, h.done(r, p, h.Conv.Texts.Get(r.Language, "help_requested"))...)
}

func (h *ReturneeHandler) setLanguage(ctx context.Context, tx *sql.Tx, r storage.Returnee, lang string, p *followup.Press) error {
	if lang != "fr" && lang != "ar" && lang != "en" {
		return h.ignore(ctx, tx, r, p)
	}
	if err := storage.EnqueueMessages(ctx, tx, h.done(r, p, h.Conv.Texts.Get(lang, "language_set"))...); err != nil {
		return err
	}
	return h.Conv.SetLanguage(ctx, tx, r, lang)
}

func (h *ReturneeHandler) pause(ctx context.Context, tx *sql.Tx, r storage.Returnee, arg string, p *followup.Press) error {
	weeks, err := strconv.Atoi(arg)
	if err != nil || weeks < 1 || weeks > 26 {
		return h.ignore(ctx, tx, r, p)
	}
	now := h.Conv.Now()
	until := now.Add(time.Duration(weeks) * 7 * 24 * time.Hour)
	if err := followup.Pause(ctx, tx, storage.ReturneeID(r.ID), until, now); err != nil {
		return err
	}
	text := h.Conv.Texts.Get(r.Language, "paused", flows.FormatDate(until))
	return storage.EnqueueMessages(ctx, tx, h.done(r, p, text)...)
}

func (h *ReturneeHandler) stop(ctx context.Context, tx *sql.Tx, r storage.Returnee, arg string, p *followup.Press) error {
	if arg != "y" {
		return storage.EnqueueMessages(ctx, tx, h.done(r, p, h.Conv.Texts.Get(r.Language, "stop_cancelled"))...)
	}
	if err := followup.Stop(ctx, tx, storage.ReturneeID(r.ID), h.Conv.Now()); err != nil {
		return err
	}
	return storage.EnqueueMessages(ctx, tx, h.done(r, p, h.Conv.Texts.Get(r.Language, "stopped"))...)
}

// erase carries out /delete once confirmed; the goodbye is ephemeral, so no
// message to the person stays behind either.
func (h *ReturneeHandler) erase(ctx context.Context, tx *sql.Tx, r storage.Returnee, arg string, p *followup.Press) error {
	if arg != "y" {
		return storage.EnqueueMessages(ctx, tx, h.done(r, p, h.Conv.Texts.Get(r.Language, "delete_cancelled"))...)
	}
	if err := followup.NotifyErasureRequest(ctx, tx, storage.ReturneeID(r.ID), r.Ref); err != nil {
		return err
	}
	if err := followup.Erase(ctx, tx, storage.ReturneeID(r.ID), r.Ref, "returnee /delete"); err != nil {
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
	return storage.EnqueueMessages(ctx, tx, tgmsg.Text(*r.ChatID, storage.LaneReply, strings.Join(lines, "\n"), nil)...)
}
