package bot

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"suivi/flows"
	"suivi/followup"
	"suivi/storage"
	"suivi/tgmsg"
)

// StaffHandler handles updates from registered staff whose Telegram account
// is bound: their alert buttons (staff_alerts.go), what they type after
// "Add note" (staff_alerts.go) and their commands (staff_commands.go).
// Anyone else is not staff and learns nothing here.
type StaffHandler struct {
	Conv   *followup.Conversations
	Flows  *flows.Catalog
	Texts  Texts
	Logger *slog.Logger
	Now    func() time.Time
}

// Handle implements PersonHandler.
func (h *StaffHandler) Handle(ctx context.Context, tx *sql.Tx, upd tgbotapi.Update) (bool, error) {
	s, err := storage.StaffByTelegramID(ctx, tx, sentFrom(upd).ID)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	switch {
	case upd.CallbackQuery != nil:
		cb, ok := tgmsg.Parse(upd.CallbackQuery.Data)
		if !ok || cb.Kind != tgmsg.KindAlert {
			return true, storage.EnqueueMessages(ctx, tx, tgmsg.AnswerCallback(upd.FromChat().ID, upd.CallbackQuery.ID, ""))
		}
		return true, h.alertButton(ctx, tx, s, upd.CallbackQuery, cb)
	case upd.Message != nil:
		m := upd.Message
		if m.IsCommand() && m.Command() == "start" && m.CommandArguments() != "" {
			return false, nil // an invitation link: the returnee handler answers it
		}
		if m.IsCommand() {
			return true, h.command(ctx, tx, s, m)
		}
		if done, err := h.pendingInput(ctx, tx, s, m); done || err != nil {
			return true, err
		}
		return true, h.say(ctx, tx, s, "staff_help")
	}
	return true, nil // edits, membership changes: nothing to do
}

// say sends one of the bot's texts to a staff member, in their language.
func (h *StaffHandler) say(ctx context.Context, tx *sql.Tx, s storage.Staff, key string, args ...any) error {
	return storage.EnqueueMessages(ctx, tx, tgmsg.Text(*s.TelegramID, storage.LaneReply, h.Texts.Get(s.Language, key, args...), nil)...)
}

func (h *StaffHandler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}
