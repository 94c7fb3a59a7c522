package bot

import (
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"suivi/flows"
)

// messageInput turns a returnee's message into engine input: text, or a
// kind of media with its file id (kept for the case worker where useful).
func messageInput(m *tgbotapi.Message) flows.Input {
	media := func(kind, fileID string) flows.Input {
		return flows.Input{Kind: flows.InputMedia, MediaKind: kind, FileID: fileID}
	}
	switch {
	case m.Sticker != nil:
		return media("sticker", m.Sticker.FileID)
	case len(m.Photo) > 0:
		return media("photo", m.Photo[len(m.Photo)-1].FileID) // the largest size
	case m.Voice != nil:
		return media("voice", m.Voice.FileID)
	case m.Audio != nil:
		return media("voice", m.Audio.FileID)
	case m.VideoNote != nil:
		return media("video", m.VideoNote.FileID)
	case m.Video != nil:
		return media("video", m.Video.FileID)
	case m.Animation != nil:
		return media("video", m.Animation.FileID)
	case m.Location != nil || m.Venue != nil:
		return media("location", "")
	case m.Document != nil:
		return media("document", m.Document.FileID)
	case m.Contact != nil:
		return media("document", "")
	}
	return flows.Input{Kind: flows.InputText, Text: m.Text}
}

// cleanUpdate strips NUL bytes from what a person can type, before anything
// is stored: PostgreSQL refuses \x00 in text and \u0000 in jsonb, so one
// such message would otherwise fail every time it is handled.
func cleanUpdate(u *tgbotapi.Update) {
	for _, m := range []*tgbotapi.Message{u.Message, u.EditedMessage, u.ChannelPost, u.EditedChannelPost} {
		cleanMessage(m)
	}
	if q := u.CallbackQuery; q != nil {
		q.Data = noNUL(q.Data)
		q.InlineMessageID = noNUL(q.InlineMessageID)
		cleanUser(q.From)
		cleanMessage(q.Message)
	}
	if c := u.MyChatMember; c != nil {
		cleanUser(&c.From)
		cleanChat(&c.Chat)
	}
}

func cleanMessage(m *tgbotapi.Message) {
	if m == nil {
		return
	}
	m.Text, m.Caption = noNUL(m.Text), noNUL(m.Caption)
	cleanUser(m.From)
	cleanChat(m.Chat)
	if m.Contact != nil {
		m.Contact.FirstName, m.Contact.LastName = noNUL(m.Contact.FirstName), noNUL(m.Contact.LastName)
	}
	if m.ReplyToMessage != nil {
		m.ReplyToMessage.Text, m.ReplyToMessage.Caption = noNUL(m.ReplyToMessage.Text), noNUL(m.ReplyToMessage.Caption)
	}
}

func cleanUser(u *tgbotapi.User) {
	if u == nil {
		return
	}
	u.FirstName, u.LastName, u.UserName, u.LanguageCode = noNUL(u.FirstName), noNUL(u.LastName), noNUL(u.UserName), noNUL(u.LanguageCode)
}

func cleanChat(c *tgbotapi.Chat) {
	if c == nil {
		return
	}
	c.Title, c.UserName, c.FirstName, c.LastName = noNUL(c.Title), noNUL(c.UserName), noNUL(c.FirstName), noNUL(c.LastName)
}

func noNUL(s string) string {
	if strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(s, "\x00", "")
}
