package followup

import (
	"context"
	"database/sql"
	"time"

	"suivi/storage"
)

// Text keys of messages a returnee wrote outside a check-in, relayed to
// their case worker as a message alert. The alert's parameters hold what
// the case worker needs to read or fetch it: "kind" (text, voice, photo,
// video, document, sticker, location), "text" (the text or a caption) and
// "file_id" (Telegram's id of the media, to send it on with sendVoice,
// sendPhoto… by that id). Erasure removes text and file_id.
const (
	TextMessage         = "alert_message" // params text
	TextMessageVoice    = "alert_message_voice"
	TextMessagePhoto    = "alert_message_photo"
	TextMessageVideo    = "alert_message_video"
	TextMessageDocument = "alert_message_document"
	TextMessageOther    = "alert_message_other" // a sticker, a location, a contact
)

// Relayed is a returnee's message outside a check-in: text, or a kind of
// media with its file id and caption.
type Relayed struct {
	Kind   string // "text" or a media kind
	Text   string
	FileID string
}

// RelayMessage passes a returnee's message written outside a check-in to
// their case worker as a low-severity message alert; further messages while
// it is open become its evidence, so nothing is dropped. It is relayed
// whatever the returnee's status (on safety hold, paused, stopped): the
// person wrote to be heard.
func RelayMessage(ctx context.Context, tx *sql.Tx, r storage.Returnee, m Relayed, now time.Time) (storage.AlertID, error) {
	key := TextMessageOther
	switch m.Kind {
	case "text":
		key = TextMessage
	case "voice":
		key = TextMessageVoice
	case "photo":
		key = TextMessagePhoto
	case "video":
		key = TextMessageVideo
	case "document":
		key = TextMessageDocument
	}
	params := map[string]any{"kind": m.Kind}
	if m.Text != "" {
		params["text"] = m.Text
	}
	if m.FileID != "" {
		params["file_id"] = m.FileID
	}
	id, _, err := RaiseAlert(ctx, tx, Alert{Returnee: storage.ReturneeID(r.ID), Rule: "returnee.message",
		Category: CategoryMessage, Severity: SeverityLow, TextKey: key, Params: params}, now)
	return id, err
}
