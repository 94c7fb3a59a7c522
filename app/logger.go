package app

import (
	"io"
	"log/slog"
)

// NewLogger builds the process logger from the configured level and format.
// Log lines carry ids and references, never names or message texts.
func NewLogger(cfg Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
