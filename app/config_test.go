package app_test

import (
	"errors"
	"strings"
	"testing"

	"suivi/app"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := app.LoadConfig(envOf(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DatabaseURL != app.DefaultDatabaseURL || cfg.HTTPAddr != "127.0.0.1:8080" || cfg.Timezone.String() != "Africa/Casablanca" ||
		cfg.APIEndpoint != app.DefaultAPIEndpoint || cfg.Sandbox() || cfg.Webhook() || cfg.SendRate != 30 ||
		cfg.Retention.String() != "24m" {
		t.Fatalf("unexpected defaults: %+v", cfg)
	}
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	cases := []struct {
		env      map[string]string
		variable string
		expects  string
	}{
		{map[string]string{"DATABASE_URL": "mysql://x"}, "DATABASE_URL", "postgres://"},
		{map[string]string{"REDIS_URL": "localhost:6379"}, "REDIS_URL", "redis://"},
		{map[string]string{"TELEGRAM_BOT_TOKEN": "not a token"}, "TELEGRAM_BOT_TOKEN", "BotFather"},
		{map[string]string{"TELEGRAM_API_ENDPOINT": "https://api.telegram.org/bot/"}, "TELEGRAM_API_ENDPOINT", "two %s"},
		{map[string]string{"TELEGRAM_WEBHOOK_URL": "http://insecure.example/hook", "TELEGRAM_WEBHOOK_SECRET": "abc"}, "TELEGRAM_WEBHOOK_URL", "https://"},
		{map[string]string{"TELEGRAM_WEBHOOK_URL": "ftp://bot.example/hook", "TELEGRAM_WEBHOOK_SECRET": "abc",
			"TELEGRAM_API_ENDPOINT": "http://127.0.0.1:8081/bot%s/%s"}, "TELEGRAM_WEBHOOK_URL", "https://"},
		{map[string]string{"SUIVI_METRICS_ADDR": "9090"}, "SUIVI_METRICS_ADDR", "host:port"},
		{map[string]string{"SUIVI_SANDBOX": "maybe"}, "SUIVI_SANDBOX", "expected 1"},
		{map[string]string{"SUIVI_CONTACTS_FILE": "/does/not/exist.yaml"}, "SUIVI_CONTACTS_FILE", "emergency contacts"},
		{map[string]string{"TELEGRAM_WEBHOOK_URL": "https://bot.example/hook"}, "TELEGRAM_WEBHOOK_SECRET", "required"},
		{map[string]string{"TELEGRAM_WEBHOOK_SECRET": "has spaces in it"}, "TELEGRAM_WEBHOOK_SECRET", "A-Z a-z 0-9 _ -"},
		{map[string]string{"SUIVI_HTTP_ADDR": "8080"}, "SUIVI_HTTP_ADDR", "host:port"},
		{map[string]string{"SUIVI_TIMEZONE": "Mars/Olympus"}, "SUIVI_TIMEZONE", "IANA"},
		{map[string]string{"SUIVI_LOG_LEVEL": "loud"}, "SUIVI_LOG_LEVEL", "debug, info, warn or error"},
		{map[string]string{"SUIVI_LOG_FORMAT": "xml"}, "SUIVI_LOG_FORMAT", "text or json"},
		{map[string]string{"SUIVI_SEND_RATE": "fast"}, "SUIVI_SEND_RATE", "messages per second"},
		{map[string]string{"SUIVI_SEND_CHAT_INTERVAL": "1 second"}, "SUIVI_SEND_CHAT_INTERVAL", "duration"},
		{map[string]string{"SUIVI_INVITE_TTL": "10s"}, "SUIVI_INVITE_TTL", "at least 1m"},
		{map[string]string{"SUIVI_FLOWS_DIR": "/does/not/exist"}, "SUIVI_FLOWS_DIR", "directory"},
		{map[string]string{"SUIVI_RETENTION": "two years"}, "SUIVI_RETENTION", "24m, 730d or 2y"},
		{map[string]string{"SUIVI_RETENTION": "30m0s"}, "SUIVI_RETENTION", "m is months"},
	}
	for _, c := range cases {
		_, err := app.LoadConfig(envOf(c.env))
		var ce *app.ConfigError
		if !errors.As(err, &ce) {
			t.Errorf("%v: got %v, want a ConfigError", c.env, err)
			continue
		}
		if ce.Variable != c.variable || !strings.Contains(err.Error(), c.variable) || !strings.Contains(err.Error(), c.expects) {
			t.Errorf("%v: message %q should name %s and say %q", c.env, err, c.variable, c.expects)
		}
	}
}

func TestConfigNeverPrintsSecrets(t *testing.T) {
	_, err := app.LoadConfig(envOf(map[string]string{"TELEGRAM_BOT_TOKEN": "123:abc def"}))
	if err == nil || strings.Contains(err.Error(), "abc def") {
		t.Fatalf("error %q must not repeat the token", err)
	}
	_, err = app.LoadConfig(envOf(map[string]string{"DATABASE_URL": "mysql://user:hunter2@db/x"}))
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error %q must not repeat the password", err)
	}
}

// serve never falls back to the sandbox: without a token it refuses unless
// SUIVI_SANDBOX=1 asks for the sandbox, and a token with SUIVI_SANDBOX=1 is
// refused too.
func TestServeNeedsATokenOrTheSandbox(t *testing.T) {
	cases := []struct {
		env      map[string]string
		sandbox  bool
		variable string
	}{
		{nil, false, "TELEGRAM_BOT_TOKEN"},
		{map[string]string{"SUIVI_SANDBOX": "0"}, false, "TELEGRAM_BOT_TOKEN"},
		{map[string]string{"SUIVI_SANDBOX": "1"}, true, ""},
		{map[string]string{"TELEGRAM_BOT_TOKEN": "123:abc"}, false, ""},
		{map[string]string{"TELEGRAM_BOT_TOKEN": "123:abc", "SUIVI_SANDBOX": "1"}, false, "SUIVI_SANDBOX"},
	}
	for _, c := range cases {
		cfg, err := app.LoadConfig(envOf(c.env))
		if err != nil {
			t.Fatalf("%v: %v", c.env, err)
		}
		if cfg.Sandbox() != c.sandbox {
			t.Errorf("%v: sandbox %v, want %v", c.env, cfg.Sandbox(), c.sandbox)
		}
		err = cfg.CheckServe()
		var ce *app.ConfigError
		switch {
		case c.variable == "" && err != nil:
			t.Errorf("%v: serve refused: %v", c.env, err)
		case c.variable != "" && (!errors.As(err, &ce) || ce.Variable != c.variable):
			t.Errorf("%v: got %v, want an error naming %s", c.env, err, c.variable)
		case c.variable == "TELEGRAM_BOT_TOKEN" && !strings.Contains(err.Error(), "SUIVI_SANDBOX=1"):
			t.Errorf("%v: %q should say how to run the sandbox", c.env, err)
		}
	}
}

// An http:// webhook is accepted only with a self-hosted Bot API server.
func TestWebhookSchemeFollowsTheEndpoint(t *testing.T) {
	base := map[string]string{"TELEGRAM_WEBHOOK_URL": "http://bot.internal:8443/hook", "TELEGRAM_WEBHOOK_SECRET": "abc"}
	if _, err := app.LoadConfig(envOf(base)); err == nil || !strings.Contains(err.Error(), "self-hosted") {
		t.Fatalf("http webhook with Telegram's endpoint: %v", err)
	}
	base["TELEGRAM_API_ENDPOINT"] = "https://API.Telegram.org/bot%s/%s"
	if _, err := app.LoadConfig(envOf(base)); err == nil {
		t.Fatal("http webhook accepted with Telegram's endpoint in capitals")
	}
	base["TELEGRAM_API_ENDPOINT"] = "http://127.0.0.1:8081/bot%s/%s"
	cfg, err := app.LoadConfig(envOf(base))
	if err != nil || !cfg.Webhook() {
		t.Fatalf("http webhook with a local Bot API server: %v", err)
	}
	base["TELEGRAM_WEBHOOK_URL"] = "https://bot.example/hook"
	if _, err := app.LoadConfig(envOf(base)); err != nil {
		t.Fatalf("https webhook with a local Bot API server: %v", err)
	}
}
