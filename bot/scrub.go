package bot

import (
	"errors"
	"net/url"
	"strings"
)

// redactedToken replaces the bot token wherever it would be printed.
const redactedToken = "<token>"

// scrubbedError is an error from a Bot API call whose text had the bot token
// in it (the library puts the token in every request URL, and net/http
// repeats the URL in its errors). Error() never shows the token; errors.As
// and errors.Is still reach what it wraps, so Classify and timeouts work.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }

func (e *scrubbedError) Unwrap() error { return e.err }

// Timeout keeps net.Error's question answerable without unwrapping.
func (e *scrubbedError) Timeout() bool {
	var t interface{ Timeout() bool }
	return errors.As(e.err, &t) && t.Timeout()
}

// scrub returns err with the token removed from its text. Every error the
// Client returns passes through here, and only here, so no caller has to
// remember to redact: a log line, a wrapped error or stderr cannot carry it.
func scrub(token string, err error) error {
	if err == nil || token == "" {
		return err
	}
	if urlErr, ok := err.(*url.Error); ok {
		// A copy with the URL redacted, so the chain below is clean too.
		clean := *urlErr
		clean.URL = strings.ReplaceAll(clean.URL, token, redactedToken)
		err = &clean
	}
	if text := err.Error(); strings.Contains(text, token) {
		return &scrubbedError{msg: strings.ReplaceAll(text, token, redactedToken), err: err}
	}
	return err
}
