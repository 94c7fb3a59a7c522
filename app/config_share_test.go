package app_test

import (
	"errors"
	"testing"

	"suivi/app"
)

func TestConfigSendFallbackShare(t *testing.T) {
	cfg, err := app.LoadConfig(envOf(nil))
	if err != nil || cfg.SendFallbackShare != 0.25 {
		t.Fatalf("default share %v (%v), want 0.25", cfg.SendFallbackShare, err)
	}
	cfg, err = app.LoadConfig(envOf(map[string]string{"SUIVI_SEND_FALLBACK_SHARE": "1"}))
	if err != nil || cfg.SendFallbackShare != 1 {
		t.Fatalf("share 1: %v (%v)", cfg.SendFallbackShare, err)
	}
	for _, bad := range []string{"0", "-0.5", "1.5", "quarter", "NaN"} {
		_, err := app.LoadConfig(envOf(map[string]string{"SUIVI_SEND_FALLBACK_SHARE": bad}))
		var ce *app.ConfigError
		if !errors.As(err, &ce) || ce.Variable != "SUIVI_SEND_FALLBACK_SHARE" {
			t.Fatalf("share %q: got %v, want an error naming SUIVI_SEND_FALLBACK_SHARE", bad, err)
		}
	}
}
