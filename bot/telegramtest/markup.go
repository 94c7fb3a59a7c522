package telegramtest

import "encoding/json"

// wireButton is an inline keyboard button; pointers keep absent and empty apart.
type wireButton struct {
	Text                         string          `json:"text"`
	URL                          *string         `json:"url,omitempty"`
	CallbackData                 *string         `json:"callback_data,omitempty"`
	SwitchInlineQuery            *string         `json:"switch_inline_query,omitempty"`
	SwitchInlineQueryCurrentChat *string         `json:"switch_inline_query_current_chat,omitempty"`
	LoginURL                     json.RawMessage `json:"login_url,omitempty"`
	CallbackGame                 json.RawMessage `json:"callback_game,omitempty"`
	WebApp                       json.RawMessage `json:"web_app,omitempty"`
	Pay                          bool            `json:"pay,omitempty"`
}

func (b *wireButton) hasAction() bool {
	return b.URL != nil || b.CallbackData != nil || b.SwitchInlineQuery != nil ||
		b.SwitchInlineQueryCurrentChat != nil || b.LoginURL != nil || b.CallbackGame != nil ||
		b.WebApp != nil || b.Pay
}

type wireInlineMarkup struct {
	InlineKeyboard [][]wireButton `json:"inline_keyboard"`
}

// markup is a parsed reply_markup parameter.
type markup struct {
	raw      string          // as sent, "" when absent
	keyboard [][]Button      // inline keyboard, nil when none
	inline   json.RawMessage // canonical inline keyboard JSON, nil when none
}

// parseMarkupLocked reads and checks reply_markup. Only inline keyboards are
// kept on the message (Telegram does not echo reply keyboards). s.mu must be
// held.
func (s *Server) parseMarkupLocked(r *request) (markup, *apiError) {
	raw, ok := r.json("reply_markup")
	if !ok {
		return markup{}, nil
	}
	var obj struct {
		InlineKeyboard json.RawMessage `json:"inline_keyboard"`
	}
	if err := json.Unmarshal([]byte(raw), &obj); err != nil {
		return markup{}, badRequest("can't parse reply keyboard markup JSON object")
	}
	mk := markup{raw: raw}
	if obj.InlineKeyboard == nil {
		return mk, nil
	}
	var rows [][]wireButton
	if err := json.Unmarshal(obj.InlineKeyboard, &rows); err != nil {
		return markup{}, badRequest("can't parse inline keyboard button: %v", err)
	}
	if len(rows) == 0 { // an empty inline keyboard removes the keyboard
		return mk, nil
	}
	mk.keyboard = make([][]Button, len(rows))
	for i, row := range rows {
		mk.keyboard[i] = make([]Button, len(row))
		for j, b := range row {
			if s.limits.CallbackData {
				if !b.hasAction() {
					return markup{}, badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
				}
				if b.CallbackData != nil && (len(*b.CallbackData) < 1 || len(*b.CallbackData) > 64) {
					return markup{}, badRequest("BUTTON_DATA_INVALID")
				}
			}
			btn := Button{Text: b.Text}
			if b.CallbackData != nil {
				btn.Data = *b.CallbackData
			}
			if b.URL != nil {
				btn.URL = *b.URL
			}
			mk.keyboard[i][j] = btn
		}
	}
	mk.inline, _ = json.Marshal(wireInlineMarkup{InlineKeyboard: rows})
	return mk, nil
}
