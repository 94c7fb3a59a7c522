package main

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"suivi/app"
	"suivi/bot"
)

var botUsernamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{4,31}$`)

// inviteLinker returns what turns an invitation token into the link a person
// opens. The bot's username comes from Telegram itself (getMe with the
// configured token), so a link never names a bot that could be someone
// else's; SUIVI_BOT_USERNAME only overrides it. The sandbox has no public
// bot: its invitations are the /start command to send in the sandbox chat.
func inviteLinker(ctx context.Context, env *Env, cfg app.Config) (func(token string) string, error) {
	name := strings.TrimPrefix(strings.TrimSpace(env.Getenv("SUIVI_BOT_USERNAME")), "@")
	switch {
	case name != "":
		if !botUsernamePattern.MatchString(name) {
			return nil, &app.ConfigError{Variable: "SUIVI_BOT_USERNAME", Value: name,
				Expected: "expected the bot's Telegram username, like MonSuiviBot (5 to 32 letters, digits or _)"}
		}
	case cfg.BotToken != "":
		var err error
		if name, err = botUsername(ctx, cfg); err != nil {
			return nil, err
		}
	case cfg.SandboxRequested:
		return func(token string) string { return "/start " + token }, nil
	default:
		return nil, &app.ConfigError{Variable: "TELEGRAM_BOT_TOKEN", Expected: "required to print invitation links " +
			"(the bot's username is read from Telegram), or set SUIVI_BOT_USERNAME, or SUIVI_SANDBOX=1 for the sandbox"}
	}
	return func(token string) string { return "https://t.me/" + name + "?start=" + token }, nil
}

// botUsername asks Telegram (getMe) for the username of the configured bot.
func botUsername(ctx context.Context, cfg app.Config) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	me, err := bot.Me(ctx, bot.NewClient(cfg.BotToken, cfg.APIEndpoint, nil))
	if err != nil {
		return "", fmt.Errorf("read the bot's username from Telegram (check TELEGRAM_BOT_TOKEN and TELEGRAM_API_ENDPOINT, or set SUIVI_BOT_USERNAME): %w", err)
	}
	if !botUsernamePattern.MatchString(me.UserName) {
		return "", fmt.Errorf("Telegram gave the bot username %q, which cannot make a link; set SUIVI_BOT_USERNAME", me.UserName)
	}
	return me.UserName, nil
}
