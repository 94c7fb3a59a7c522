package bot

import (
	"context"
	"database/sql"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"suivi/storage"
)

// command runs a staff command: /alerts, /case, /note, /checkin, /reply, /help.
func (h *StaffHandler) command(ctx context.Context, tx *sql.Tx, s storage.Staff, m *tgbotapi.Message) error {
	return h.say(ctx, tx, s, "staff_help")
}
