// Package followup is what Suivi does for a returnee, whoever asks: the bot
// (a message, a button), the scheduler (a check-in due, a reminder, an
// expiry) or the command line. It runs the flows (Conversations), carries
// out the returnee's choices (pause, stop, erase, consent, language, help,
// move), and raises alerts for the staff through one function, RaiseAlert.
//
// Every function works in the caller's transaction and queues what is to be
// sent as outbox rows (package tgmsg); it never talks to Telegram and never
// imports package bot, which parses Telegram's updates into calls here.
package followup
