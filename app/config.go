// Package app wires Suivi's components: configuration, storage, Telegram
// transport, sender, scheduler and the HTTP server, started in order and
// stopped in reverse.
package app

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones work in a minimal container image

	"suivi/contacts"
	"suivi/scheduler"
)

// Config is every setting Suivi reads from its environment.
type Config struct {
	DatabaseURL       string
	RedisURL          string
	BotToken          string
	APIEndpoint       string
	WebhookURL        string
	WebhookSecret     string
	HTTPAddr          string
	MetricsAddr       string // "" serves /metrics on HTTPAddr
	SandboxRequested  bool   // SUIVI_SANDBOX=1
	Timezone          *time.Location
	LogLevel          slog.Level
	LogFormat         string
	SendRate          float64
	SendChatInterval  time.Duration
	SendFallbackShare float64 // share of SendRate one replica takes while Redis does not answer
	FlowsDir          string
	InviteTTL         time.Duration
	Contacts          *contacts.Book           // emergency contacts per country of return and language
	OnCall            []string                 // staff handles who get alerts nobody else can (SUIVI_ONCALL)
	AlertDeadlines    map[string]time.Duration // severity → time to acknowledge (SUIVI_ALERT_DEADLINES)
	Retention         scheduler.Retention      // personal data kept after the follow-up ends (SUIVI_RETENTION)
}

// Sandbox reports whether Suivi runs against its built-in fake Bot API:
// only when SUIVI_SANDBOX=1 asks for it and no token is set.
func (c Config) Sandbox() bool { return c.SandboxRequested && c.BotToken == "" }

// CheckServe tells whether serve may start on this configuration. A missing
// token never falls back to the sandbox silently: a production deployment
// that lost its secret must stop, not answer nobody from a fake Telegram.
func (c Config) CheckServe() error {
	switch {
	case c.BotToken == "" && !c.SandboxRequested:
		return &ConfigError{"TELEGRAM_BOT_TOKEN", "", "required to serve: set it to the token from BotFather, " +
			"or set SUIVI_SANDBOX=1 (without a token) to try Suivi against its built-in fake Telegram"}
	case c.BotToken != "" && c.SandboxRequested:
		return &ConfigError{"SUIVI_SANDBOX", "1", "the sandbox never runs with a real TELEGRAM_BOT_TOKEN: unset one of the two"}
	}
	return nil
}

// telegramHost is the host of Telegram's own Bot API, where webhooks must be https.
const telegramHost = "api.telegram.org"

// selfHostedAPI reports whether the Bot API endpoint is not Telegram's own
// (a local Bot API server, which accepts http:// webhooks).
func (c Config) selfHostedAPI() bool {
	u, err := url.Parse(strings.Replace(c.APIEndpoint, "%s", "x", -1))
	return err == nil && !strings.EqualFold(u.Hostname(), telegramHost)
}

// Webhook reports whether updates arrive by webhook rather than long polling.
func (c Config) Webhook() bool { return c.WebhookURL != "" }

// DefaultDatabaseURL is a local "suivi" database.
const DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/suivi?sslmode=disable"

// DefaultAPIEndpoint is Telegram's Bot API in the library's format.
const DefaultAPIEndpoint = "https://api.telegram.org/bot%s/%s"

var secretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
var tokenPattern = regexp.MustCompile(`^[0-9]+:[A-Za-z0-9_-]+$`)

// ConfigError names the variable that is wrong and what it expects.
type ConfigError struct {
	Variable string
	Value    string
	Expected string
}

func (e *ConfigError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("%s: %s", e.Variable, e.Expected)
	}
	return fmt.Sprintf("%s=%q: %s", e.Variable, e.Value, e.Expected)
}

// LoadConfig reads the configuration from getenv (os.Getenv in production)
// and validates every value, returning the first problem found.
func LoadConfig(getenv func(string) string) (Config, error) {
	env := func(name, def string) string {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		DatabaseURL:   env("DATABASE_URL", DefaultDatabaseURL),
		RedisURL:      env("REDIS_URL", ""),
		BotToken:      env("TELEGRAM_BOT_TOKEN", ""),
		APIEndpoint:   env("TELEGRAM_API_ENDPOINT", DefaultAPIEndpoint),
		WebhookURL:    env("TELEGRAM_WEBHOOK_URL", ""),
		WebhookSecret: env("TELEGRAM_WEBHOOK_SECRET", ""),
		HTTPAddr:      env("SUIVI_HTTP_ADDR", "127.0.0.1:8080"),
		MetricsAddr:   env("SUIVI_METRICS_ADDR", ""),
		LogFormat:     env("SUIVI_LOG_FORMAT", "text"),
		FlowsDir:      env("SUIVI_FLOWS_DIR", ""),
	}
	if !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return c, &ConfigError{"DATABASE_URL", redactURL(c.DatabaseURL), "expected a postgres:// URL, for example " + DefaultDatabaseURL}
	}
	if _, err := url.Parse(c.DatabaseURL); err != nil {
		return c, &ConfigError{"DATABASE_URL", "", "not a valid URL: " + err.Error()}
	}
	if c.RedisURL != "" {
		if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			return c, &ConfigError{"REDIS_URL", redactURL(c.RedisURL), "expected a redis:// or rediss:// URL such as redis://127.0.0.1:6379/0, or leave it unset for a single replica"}
		}
	}
	if c.BotToken != "" && !tokenPattern.MatchString(c.BotToken) {
		return c, &ConfigError{"TELEGRAM_BOT_TOKEN", "", "expected the token BotFather gave, like 123456:ABC-DEF (digits, a colon, then letters, digits, _ or -); leave it unset for the sandbox"}
	}
	if strings.Count(c.APIEndpoint, "%s") != 2 || !strings.HasPrefix(c.APIEndpoint, "http") {
		return c, &ConfigError{"TELEGRAM_API_ENDPOINT", c.APIEndpoint, "expected an http(s) URL with two %s (token, then method), like " + DefaultAPIEndpoint}
	}
	if c.WebhookURL != "" {
		u, err := url.Parse(c.WebhookURL)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
			return c, &ConfigError{"TELEGRAM_WEBHOOK_URL", c.WebhookURL, "expected an https:// URL that Telegram can reach, or leave it unset for long polling"}
		case u.Scheme == "http" && !c.selfHostedAPI():
			return c, &ConfigError{"TELEGRAM_WEBHOOK_URL", c.WebhookURL, "expected an https:// URL: Telegram's own Bot API accepts only https webhooks " +
				"(http:// works only with a self-hosted Bot API server in TELEGRAM_API_ENDPOINT)"}
		}
		if c.WebhookSecret == "" {
			return c, &ConfigError{"TELEGRAM_WEBHOOK_SECRET", "", "required with TELEGRAM_WEBHOOK_URL: 1 to 256 characters of A-Z a-z 0-9 _ -"}
		}
	}
	if c.WebhookSecret != "" && !secretPattern.MatchString(c.WebhookSecret) {
		return c, &ConfigError{"TELEGRAM_WEBHOOK_SECRET", "", "expected 1 to 256 characters of A-Z a-z 0-9 _ -"}
	}
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		return c, &ConfigError{"SUIVI_HTTP_ADDR", c.HTTPAddr, "expected host:port, like 127.0.0.1:8080 or :8080"}
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return c, &ConfigError{"SUIVI_METRICS_ADDR", c.MetricsAddr, "expected host:port for /metrics alone, like 127.0.0.1:9090, or leave it unset to serve /metrics on SUIVI_HTTP_ADDR"}
		}
	}
	switch sandbox := env("SUIVI_SANDBOX", "0"); sandbox {
	case "1", "true", "yes":
		c.SandboxRequested = true
	case "0", "false", "no":
	default:
		return c, &ConfigError{"SUIVI_SANDBOX", sandbox, "expected 1 to run the sandbox (with no TELEGRAM_BOT_TOKEN), or 0"}
	}
	tz := env("SUIVI_TIMEZONE", "Africa/Casablanca")
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return c, &ConfigError{"SUIVI_TIMEZONE", tz, "expected an IANA time zone name, like Africa/Casablanca or Europe/Paris"}
	}
	c.Timezone = loc
	level := env("SUIVI_LOG_LEVEL", "info")
	if err := c.LogLevel.UnmarshalText([]byte(level)); err != nil {
		return c, &ConfigError{"SUIVI_LOG_LEVEL", level, "expected debug, info, warn or error"}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return c, &ConfigError{"SUIVI_LOG_FORMAT", c.LogFormat, "expected text or json"}
	}
	rate := env("SUIVI_SEND_RATE", "30")
	c.SendRate, err = strconv.ParseFloat(rate, 64)
	if err != nil || c.SendRate <= 0 || c.SendRate > 1000 {
		return c, &ConfigError{"SUIVI_SEND_RATE", rate, "expected messages per second in all, a number above 0 and at most 1000 (Telegram allows about 30)"}
	}
	interval := env("SUIVI_SEND_CHAT_INTERVAL", "1s")
	c.SendChatInterval, err = time.ParseDuration(interval)
	if err != nil || c.SendChatInterval < 0 {
		return c, &ConfigError{"SUIVI_SEND_CHAT_INTERVAL", interval, "expected a duration between two messages to one chat, like 1s"}
	}
	share := env("SUIVI_SEND_FALLBACK_SHARE", "0.25")
	c.SendFallbackShare, err = strconv.ParseFloat(share, 64)
	if err != nil || !(c.SendFallbackShare > 0 && c.SendFallbackShare <= 1) {
		return c, &ConfigError{"SUIVI_SEND_FALLBACK_SHARE", share, "expected the share of SUIVI_SEND_RATE one replica sends at while Redis does not answer, above 0 and at most 1 (0.25 is safe for up to 4 replicas: at most 1/share replicas)"}
	}
	ttl := env("SUIVI_INVITE_TTL", "720h")
	c.InviteTTL, err = time.ParseDuration(ttl)
	if err != nil || c.InviteTTL < time.Minute {
		return c, &ConfigError{"SUIVI_INVITE_TTL", ttl, "expected a duration of at least 1m, like 720h (30 days)"}
	}
	c.Contacts = contacts.Default()
	if path := env("SUIVI_CONTACTS_FILE", ""); path != "" {
		if c.Contacts, err = contacts.Load(path); err != nil {
			return c, &ConfigError{"SUIVI_CONTACTS_FILE", path, "expected a YAML file of emergency contacts per country and language (see contacts/default.yaml): " + err.Error()}
		}
	}
	if c.OnCall, err = parseOnCall(env("SUIVI_ONCALL", "")); err != nil {
		return c, err
	}
	if c.AlertDeadlines, err = parseDeadlines(env("SUIVI_ALERT_DEADLINES", "")); err != nil {
		return c, err
	}
	keep := env("SUIVI_RETENTION", "24m")
	if c.Retention, err = scheduler.ParseRetention(keep); err != nil {
		return c, &ConfigError{"SUIVI_RETENTION", keep, "expected how long personal data is kept after the follow-up ends: months, days or years like 24m, 730d or 2y (m is months), or hours like 17520h"}
	}
	if c.FlowsDir != "" {
		if st, err := os.Stat(c.FlowsDir); err != nil || !st.IsDir() {
			return c, &ConfigError{"SUIVI_FLOWS_DIR", c.FlowsDir, "expected a readable directory of flow definition files"}
		}
	}
	return c, nil
}

func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return "(unparsable)"
}
