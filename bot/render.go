package bot

import (
	"encoding/json"
	"strconv"

	"suivi/storage"
)

// Button is one inline keyboard button.
type Button struct {
	Text string `json:"text"`
	Data string `json:"callback_data"`
}

// MaxCallbackData is Telegram's limit for callback_data, in bytes.
const MaxCallbackData = 64

// textMessages renders a text (split when too long) with an optional inline
// keyboard on its last part, as outbox rows for one chat.
func textMessages(chatID int64, lane int, text string, keyboard [][]Button) []storage.OutboxMessage {
	parts := SplitText(text, MaxTextLen)
	out := make([]storage.OutboxMessage, 0, len(parts))
	for i, p := range parts {
		params := map[string]string{"chat_id": strconv.FormatInt(chatID, 10), "text": p}
		if i == len(parts)-1 && len(keyboard) > 0 {
			params["reply_markup"] = keyboardJSON(keyboard)
		}
		out = append(out, storage.OutboxMessage{ChatID: chatID, Lane: lane, Method: "sendMessage", Params: params})
	}
	return out
}

func keyboardJSON(keyboard [][]Button) string {
	b, _ := json.Marshal(map[string][][]Button{"inline_keyboard": keyboard})
	return string(b)
}

// editMessage replaces a message's text and removes its keyboard.
func editMessage(chatID int64, messageID int, text string) storage.OutboxMessage {
	return storage.OutboxMessage{ChatID: chatID, Lane: storage.LaneReply, Method: "editMessageText", Params: map[string]string{
		"chat_id":      strconv.FormatInt(chatID, 10),
		"message_id":   strconv.Itoa(messageID),
		"text":         prefixRunes(text, MaxTextLen),
		"reply_markup": `{"inline_keyboard":[]}`,
	}}
}

// answerCallback stops the client's spinner, with an optional short notice.
func answerCallback(chatID int64, queryID, text string) storage.OutboxMessage {
	params := map[string]string{"callback_query_id": queryID}
	if text != "" {
		params["text"] = prefixRunes(text, 200)
	}
	return storage.OutboxMessage{ChatID: chatID, Lane: storage.LaneReply, Method: "answerCallbackQuery", Params: params}
}

// editKeyboard replaces a message's keyboard (a multiple-choice toggle).
func editKeyboard(chatID int64, messageID int, kb [][]Button) storage.OutboxMessage {
	if kb == nil {
		kb = [][]Button{}
	}
	b, _ := json.Marshal(map[string][][]Button{"inline_keyboard": kb})
	return storage.OutboxMessage{ChatID: chatID, Lane: storage.LaneReply, Method: "editMessageReplyMarkup", Params: map[string]string{
		"chat_id":      strconv.FormatInt(chatID, 10),
		"message_id":   strconv.Itoa(messageID),
		"reply_markup": string(b),
	}}
}
