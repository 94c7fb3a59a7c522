package tgmsg

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

// Keyboard is an inline keyboard: rows of buttons.
type Keyboard [][]Button

// JSON is the keyboard as Telegram's reply_markup; a nil keyboard is an
// empty one, which removes the keyboard of an edited message.
func (kb Keyboard) JSON() string {
	if kb == nil {
		kb = Keyboard{}
	}
	b, _ := json.Marshal(map[string]Keyboard{"inline_keyboard": kb})
	return string(b)
}

// MaxAnswerText is Telegram's limit for an answerCallbackQuery notice, in
// characters.
const MaxAnswerText = 200

// Text renders a text (split when longer than MaxTextLen) with an optional
// inline keyboard on its last part, as sendMessage rows for one chat.
func Text(chatID int64, lane int, text string, kb Keyboard) []storage.OutboxMessage {
	parts := SplitText(text, MaxTextLen)
	out := make([]storage.OutboxMessage, 0, len(parts))
	for i, p := range parts {
		params := map[string]string{"chat_id": strconv.FormatInt(chatID, 10), "text": p}
		if i == len(parts)-1 && len(kb) > 0 {
			params["reply_markup"] = kb.JSON()
		}
		out = append(out, storage.OutboxMessage{ChatID: chatID, Lane: lane, Method: "sendMessage", Params: params})
	}
	return out
}

// EditText replaces a message's text (cut to MaxTextLen) and removes its
// keyboard: a question once answered shows the answer, and no buttons.
func EditText(chatID int64, messageID int, text string) storage.OutboxMessage {
	return storage.OutboxMessage{ChatID: chatID, Lane: storage.LaneReply, Method: "editMessageText", Params: map[string]string{
		"chat_id":      strconv.FormatInt(chatID, 10),
		"message_id":   strconv.Itoa(messageID),
		"text":         PrefixRunes(text, MaxTextLen),
		"reply_markup": Keyboard(nil).JSON(),
	}}
}

// EditKeyboard replaces a message's keyboard (a multiple-choice toggle);
// nil removes it.
func EditKeyboard(chatID int64, messageID int, kb Keyboard) storage.OutboxMessage {
	return storage.OutboxMessage{ChatID: chatID, Lane: storage.LaneReply, Method: "editMessageReplyMarkup", Params: map[string]string{
		"chat_id":      strconv.FormatInt(chatID, 10),
		"message_id":   strconv.Itoa(messageID),
		"reply_markup": kb.JSON(),
	}}
}

// AnswerCallback stops the client's spinner after a press, with an optional
// short notice. Every callback query gets one.
func AnswerCallback(chatID int64, queryID, text string) storage.OutboxMessage {
	params := map[string]string{"callback_query_id": queryID}
	if text != "" {
		params["text"] = PrefixRunes(text, MaxAnswerText)
	}
	return storage.OutboxMessage{ChatID: chatID, Lane: storage.LaneReply, Method: "answerCallbackQuery", Params: params}
}

// Ephemeral marks rows to be deleted once sent: nothing of an exchange with
// someone who has not consented stays behind.
func Ephemeral(msgs []storage.OutboxMessage) []storage.OutboxMessage {
	for i := range msgs {
		msgs[i].Ephemeral = true
	}
	return msgs
}
