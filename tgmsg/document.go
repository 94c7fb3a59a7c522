package tgmsg

import (
	"encoding/base64"
	"strconv"

	"suivi/storage"
)

// Parameters of an outbox row that uploads a file: the transport sends the
// row as a multipart upload of UploadData (the file's content, base64, so a
// PDF or a workbook survives the row's JSON) named UploadName, under the
// method's file field (document for sendDocument), and these two parameters
// are not sent as such.
const (
	UploadName = "suivi_upload_name"
	UploadData = "suivi_upload_base64"
)

// Document renders a file sent with sendDocument: name is its file name,
// content its text, caption a short line shown with it (cut to Telegram's
// 1024 characters). The row is ephemeral: once Telegram has the file, the
// outbox does not keep a second copy of what it holds.
func Document(chatID int64, lane int, name string, content []byte, caption string) storage.OutboxMessage {
	params := map[string]string{"chat_id": strconv.FormatInt(chatID, 10), UploadName: name, UploadData: base64.StdEncoding.EncodeToString(content)}
	if caption != "" {
		params["caption"] = PrefixRunes(caption, MaxCaptionLen)
	}
	return storage.OutboxMessage{ChatID: chatID, Lane: lane, Method: "sendDocument", Params: params, Ephemeral: true}
}

// MaxCaptionLen is Telegram's limit for a file's caption, in characters.
const MaxCaptionLen = 1024
