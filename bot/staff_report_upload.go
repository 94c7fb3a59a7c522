package bot

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"suivi/storage"
)

// A file sent from the outbox travels in its row's parameters, base64, under
// these keys: the row is written in the transaction that decided it, like
// every other message, and the client uploads it as multipart when sent.
const (
	uploadField = "suivi_upload_field"
	uploadName  = "suivi_upload_name"
	uploadData  = "suivi_upload_base64"
)

// documentMessage is a sendDocument outbox row carrying the file itself.
func documentMessage(chatID int64, name string, data []byte, caption string) storage.OutboxMessage {
	return storage.OutboxMessage{ChatID: chatID, Lane: storage.LaneReply, Method: "sendDocument", Params: map[string]string{
		"chat_id": strconv.FormatInt(chatID, 10), "caption": caption,
		uploadField: "document", uploadName: name, uploadData: base64.StdEncoding.EncodeToString(data),
	}}
}

// outboxUpload splits a call's parameters into the file to upload and the
// rest; ok is false for a call without a file.
func outboxUpload(params map[string]string) (file tgbotapi.RequestFile, rest map[string]string, ok bool, err error) {
	encoded, ok := params[uploadData]
	if !ok {
		return file, params, false, nil
	}
	data, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return file, nil, true, fmt.Errorf("outbox file %s: %w", params[uploadName], err)
	}
	rest = make(map[string]string, len(params))
	for k, v := range params {
		if k != uploadField && k != uploadName && k != uploadData {
			rest[k] = v
		}
	}
	return tgbotapi.RequestFile{Name: params[uploadField], Data: tgbotapi.FileBytes{Name: params[uploadName], Bytes: data}}, rest, true, nil
}

// upload makes a multipart Bot API call with one file.
func (c *Client) upload(ctx context.Context, method string, params map[string]string, file tgbotapi.RequestFile) (json.RawMessage, error) {
	resp, err := c.with(ctx, c.callClient).UploadFiles(method, tgbotapi.Params(params), []tgbotapi.RequestFile{file})
	if err != nil {
		return nil, scrub(c.token, err)
	}
	return resp.Result, nil
}
