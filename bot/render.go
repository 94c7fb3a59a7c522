package bot

import (
	"suivi/storage"
	"suivi/tgmsg"
)

// textMessages and answerCallback keep their old names for the stranger
// path (router.go); everything else calls tgmsg directly.

func textMessages(chatID int64, lane int, text string, kb tgmsg.Keyboard) []storage.OutboxMessage {
	return tgmsg.Text(chatID, lane, text, kb)
}

func answerCallback(chatID int64, queryID, text string) storage.OutboxMessage {
	return tgmsg.AnswerCallback(chatID, queryID, text)
}
