// Package tgmsg is what both the Telegram side (bot) and the application's
// actions (followup) need of Telegram's message shapes, in one place: inline
// buttons and keyboards, the outbox rows for sendMessage (long texts split),
// editMessageText, editMessageReplyMarkup and answerCallbackQuery, and the
// formats of the callback data Suivi puts on its buttons (callback.go).
//
// It does no I/O: it only builds rows for storage's outbox, which the sender
// delivers after the transaction that queued them commits.
package tgmsg
