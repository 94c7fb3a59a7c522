package bot

import (
	"context"
	"encoding/json"
)

// returneeCommands are the commands a returnee sees in Telegram's menu.
var returneeCommands = []string{"start", "help", "language", "pause", "stop", "mydata", "delete"}

// SetCommands registers the returnee commands with their descriptions in
// each language, and French as the default for other clients.
func SetCommands(ctx context.Context, tg Telegram, texts Texts) error {
	for _, lang := range []string{"", "fr", "ar", "en"} {
		textLang := lang
		if textLang == "" {
			textLang = "fr"
		}
		type command struct {
			Command     string `json:"command"`
			Description string `json:"description"`
		}
		var cmds []command
		for _, c := range returneeCommands {
			cmds = append(cmds, command{c, texts.Get(textLang, "cmd_"+c)})
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
