// Package telegramtest is a fake Telegram Bot API server for Suivi's tests,
// benchmarks and local sandbox. It speaks the Bot API over HTTP, so the bot
// under test uses the real library against it, and it lets the test play the
// users and read back what the bot did.
//
// A test starts a server, points the bot at it and plays a user:
//
//	srv := telegramtest.New()
//	defer srv.Close()
//	api, err := tgbotapi.NewBotAPIWithClient(srv.Token(), srv.Endpoint(),
//		&http.Client{Timeout: 10 * time.Second})
//	// ... start the bot's update loop with api ...
//
//	ana := srv.User(42, telegramtest.FirstName("Ana"))
//	ana.SendCommand("start", "INVITE123")
//	msgs, err := srv.WaitMessages(ctx, ana.ID(), 1)
//	ana.Press(msgs[0].ID, msgs[0].Buttons()[0][0].Data)
//
// Updates wait in a queue until the bot confirms them with getUpdates'
// offset or, once setWebhook is called, until the webhook answers 2xx
// (deliveries are retried in order after WithWebhookBackoff).
//
// The server holds the bot to Telegram's rules, each switchable with
// SetLimits: text length, callback_data size, callback answer length,
// parse_mode markup, and the rate limits (1 message/s per chat, 30/s in all;
// see SetRateLimits and WithClock). Chats the server doesn't know answer
// "chat not found"; blocked and deactivated users answer 403.
//
// Faults are injected with FailNext, HangNext, RetryAfterNext and Forbid.
// Every bot call is recorded (Calls), as are callback answers, webhook
// deliveries and the bot's messages with their edits and deletions.
package telegramtest
