// Package bot is Suivi's Telegram transport: update intake by long polling
// or webhook, routing an update to its handler in one transaction, rendering
// replies into the outbox, and the sender that delivers the outbox.
package bot

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"suivi/tgmsg"
)

// Telegram is the small part of the Bot API Suivi uses, so the library
// behind it can be swapped.
type Telegram interface {
	// GetUpdates long-polls for updates from offset, waiting up to timeout.
	GetUpdates(ctx context.Context, offset, limit int, timeout time.Duration) ([]tgbotapi.Update, error)
	// Call makes one Bot API call and returns its result.
	Call(ctx context.Context, method string, params map[string]string) (json.RawMessage, error)
}

// Client is Telegram over github.com/go-telegram-bot-api/telegram-bot-api/v5.
// Every call carries its context and runs on an HTTP client with timeouts,
// which the library's own loop does not.
type Client struct {
	token      string
	bot        tgbotapi.BotAPI
	callClient *http.Client
	pollClient *http.Client
}

// NewClient returns a client for the bot token and endpoint
// (format ".../bot%s/%s"). It makes no request.
func NewClient(token, endpoint string, transport http.RoundTripper) *Client {
	if transport == nil {
		transport = &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        256,
			MaxIdleConnsPerHost: 256,
			IdleConnTimeout:     90 * time.Second,
			TLSHandshakeTimeout: 10 * time.Second,
		}
	}
	c := &Client{
		token:      token,
		callClient: &http.Client{Transport: transport, Timeout: 15 * time.Second},
		pollClient: &http.Client{Transport: transport},
	}
	c.bot.Token = token
	c.bot.SetAPIEndpoint(endpoint)
	return c
}

// ctxDoer binds a context (and a deadline) to every request the library makes.
type ctxDoer struct {
	ctx    context.Context
	client *http.Client
}

func (d ctxDoer) Do(req *http.Request) (*http.Response, error) {
	return d.client.Do(req.WithContext(d.ctx))
}

func (c *Client) with(ctx context.Context, client *http.Client) *tgbotapi.BotAPI {
	b := c.bot // a shallow copy per call: the library keeps no per-call state
	b.Client = ctxDoer{ctx: ctx, client: client}
	return &b
}

// GetUpdates implements Telegram.
func (c *Client) GetUpdates(ctx context.Context, offset, limit int, timeout time.Duration) ([]tgbotapi.Update, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout+10*time.Second)
	defer cancel()
	updates, err := c.with(ctx, c.pollClient).GetUpdates(tgbotapi.UpdateConfig{Offset: offset, Limit: limit, Timeout: int(timeout / time.Second)})
	return updates, scrub(c.token, err)
}

// Call implements Telegram. A row carrying a file (tgmsg.Document) is sent
// as a multipart upload.
func (c *Client) Call(ctx context.Context, method string, params map[string]string) (json.RawMessage, error) {
	if name, ok := params[tgmsg.UploadName]; ok {
		return c.upload(ctx, method, name, params)
	}
	resp, err := c.with(ctx, c.callClient).MakeRequest(method, tgbotapi.Params(params))
	if err != nil {
		return nil, scrub(c.token, err)
	}
	return resp.Result, nil
}

// upload sends a file given inline in params under the method's file field
// (sendDocument: document).
func (c *Client) upload(ctx context.Context, method, name string, params map[string]string) (json.RawMessage, error) {
	field := "document"
	if method == "sendPhoto" {
		field = "photo"
	}
	rest := make(tgbotapi.Params, len(params))
	for k, v := range params {
		if k != tgmsg.UploadName && k != tgmsg.UploadData {
			rest[k] = v
		}
	}
	data, err := base64.StdEncoding.DecodeString(params[tgmsg.UploadData])
	if err != nil {
		return nil, fmt.Errorf("outbox file %s: %w", name, err)
	}
	files := []tgbotapi.RequestFile{{Name: field, Data: tgbotapi.FileBytes{Name: name, Bytes: data}}}
	resp, err := c.with(ctx, c.callClient).UploadFiles(method, rest, files)
	if err != nil {
		return nil, scrub(c.token, err)
	}
	return resp.Result, nil
}

// Me returns the bot's own user (getMe).
func Me(ctx context.Context, tg Telegram) (tgbotapi.User, error) {
	var me tgbotapi.User
	raw, err := tg.Call(ctx, "getMe", nil)
	if err != nil {
		return me, fmt.Errorf("getMe: %w", err)
	}
	if err := json.Unmarshal(raw, &me); err != nil {
		return me, fmt.Errorf("getMe: %w", err)
	}
	return me, nil
}

// ErrorKind classifies a failed Bot API call for retry decisions.
type ErrorKind int

// Error kinds.
const (
	ErrTransient   ErrorKind = iota // network error, timeout, 5xx: back off and retry
	ErrRateLimited                  // 429: wait retry_after
	ErrForbidden                    // 403: blocked or deactivated, stop sending to the chat
	ErrRejected                     // other 4xx: the request is wrong, do not retry
	ErrConflict                     // 409: another poller or a webhook is active
)

// Classify tells how to treat an error from a Bot API call, and the wait
// Telegram asked for on 429.
func Classify(err error) (ErrorKind, time.Duration) {
	var apiErr *tgbotapi.Error
	if errors.As(err, &apiErr) {
		switch {
		case apiErr.Code == http.StatusTooManyRequests:
			wait := time.Duration(apiErr.RetryAfter) * time.Second
			if wait <= 0 {
				wait = time.Second
			}
			return ErrRateLimited, wait
		case apiErr.Code == http.StatusForbidden:
			return ErrForbidden, 0
		case apiErr.Code == http.StatusConflict:
			return ErrConflict, 0
		case apiErr.Code >= 400 && apiErr.Code < 500:
			return ErrRejected, 0
		}
	}
	return ErrTransient, 0
}

// describe gives a short reason for logs and the outbox, never message text.
func describe(err error) string {
	var apiErr *tgbotapi.Error
	if errors.As(err, &apiErr) {
		return strconv.Itoa(apiErr.Code) + " " + apiErr.Message
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout"
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return "timeout"
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) { // the URL is of no use in a reason
		return "network: " + urlErr.Err.Error()
	}
	return "network: " + err.Error()
}
