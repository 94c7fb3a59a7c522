package bot

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"suivi/storage"
)

// returneeCommands are the commands a returnee sees in Telegram's menu.
var returneeCommands = []string{"start", "help", "language", "pause", "stop", "mydata", "delete"}

// staffCommands are the commands a bound staff member sees in their chat's
// menu; "help" takes its description from cmd_staff_help.
var staffCommands = []string{"alerts", "case", "note", "checkin", "reply", "summary", "report", "help"}

type botCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

// SetCommands registers the returnee commands with their descriptions in
// each language, and French as the default for other clients.
func SetCommands(ctx context.Context, tg Telegram, texts Texts) error {
	for _, lang := range []string{"", "fr", "ar", "en"} {
		textLang := lang
		if textLang == "" {
			textLang = "fr"
		}
		var cmds []botCommand
		for _, c := range returneeCommands {
			cmds = append(cmds, botCommand{c, texts.Get(textLang, "cmd_"+c)})
		}
		b, _ := json.Marshal(cmds)
		params := map[string]string{"commands": string(b)}
		if lang != "" {
			params["language_code"] = lang
		}
		if _, err := tg.Call(ctx, "setMyCommands", params); err != nil {
			return err
		}
	}
	return nil
}

// SetStaffCommands registers the staff commands for each bound staff
// member's chat, in their language (a chat scope outranks the language ones
// in Telegram's choice of menu), at start: a language changed or a command
// added since they bound their account shows.
func SetStaffCommands(ctx context.Context, tg Telegram, texts Texts, db *sql.DB) error {
	staff, err := storage.ListStaff(ctx, db)
	if err != nil {
		return err
	}
	var errs []error
	for _, s := range staff {
		if s.TelegramID == nil {
			continue
		}
		m := StaffCommands(*s.TelegramID, s.Language, texts)
		if _, err := tg.Call(ctx, m.Method, m.Params); err != nil {
			errs = append(errs, fmt.Errorf("staff %d: %w", s.ID, err)) // one blocked chat does not stop the others
		}
	}
	return errors.Join(errs...)
}

// StaffCommands is the setMyCommands call that shows the staff commands in
// a staff member's private chat (its id is their Telegram user id), in their
// language; queued when they bind their account, made for all at start.
func StaffCommands(chatID int64, lang string, texts Texts) storage.OutboxMessage {
	var cmds []botCommand
	for _, c := range staffCommands {
		key := "cmd_" + c
		if c == "help" {
			key = "cmd_staff_help"
		}
		cmds = append(cmds, botCommand{c, texts.Get(lang, key)})
	}
	b, _ := json.Marshal(cmds)
	scope, _ := json.Marshal(map[string]any{"type": "chat", "chat_id": chatID})
	return storage.OutboxMessage{ChatID: chatID, Lane: storage.LaneReply, Method: "setMyCommands", Params: map[string]string{
		"commands": string(b),
		"scope":    string(scope),
	}}
}
