package bot

import (
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
