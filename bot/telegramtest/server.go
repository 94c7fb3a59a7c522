package telegramtest

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// DefaultToken is the bot token a Server accepts unless WithToken says otherwise.
const DefaultToken = "123456:TEST-TOKEN"

// DefaultBotUsername is the username getMe reports unless WithBotUsername says otherwise.
const DefaultBotUsername = "suivi_test_bot"

// Server is a fake Telegram Bot API server. The bot under test talks to it over
// HTTP (see Endpoint); the test drives users and inspects what the bot did
// through its Go methods. All methods are safe for concurrent use.
type Server struct {
	token       string
	bot         wireUser
	now         func() time.Time
	hookBackoff time.Duration
	hookTimeout time.Duration
	addr        string

	hs         *httptest.Server
	hookClient *http.Client
	done       chan struct{} // closed by Close: unblocks long polls and hangs
	closeOnce  sync.Once
	hookWG     sync.WaitGroup // webhook delivery goroutines

	mu      sync.Mutex
	changed chan struct{} // made on demand by waiters, closed on any change
	changes uint64        // counts state changes (see Changes)

	// Updates (updates.go, webhook.go).
	lastUpdateID int
	queue        []pendingUpdate // sorted by id
	newUpdate    chan struct{}   // made on demand by pollers, closed on enqueue
	allowed      map[string]bool // nil: every type
	poller       *poller
	hook         *webhook
	hookError    hookError
	deliveries   []Delivery

	// Chats and users (user.go, messages.go).
	users   map[int64]*User
	chats   map[int64]*chat
	fileSeq int
	sent    int
	uploads map[string]Upload // file_id → the uploaded document (documents.go)

	// Callback queries (callbacks.go).
	cbSeq     int
	callbacks map[string]*callbackState
	cbOrder   []string
	answers   []CallbackAnswer

	// Commands per scope and language (commands.go).
	commands map[commandKey][]BotCommand

	// Limits and faults (limits.go, faults.go).
	limits   Limits
	rates    RateLimits
	global   sendWindow
	count429 int
	faults   []*fault

	calls []Call
}

// Option configures a Server at construction.
type Option func(*Server)

// WithToken sets the only bot token the server accepts (default DefaultToken).
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithBotUsername sets the username getMe reports (default DefaultBotUsername).
func WithBotUsername(name string) Option { return func(s *Server) { s.bot.Username = name } }

// WithClock replaces time.Now for message dates and rate limits, so tests can
// step through rate windows without sleeping. Long-poll and webhook timers
// still use real time.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithWebhookBackoff sets the pause before a failed webhook delivery is retried
// (default 50ms, short to keep tests fast; Telegram waits much longer).
func WithWebhookBackoff(d time.Duration) Option { return func(s *Server) { s.hookBackoff = d } }

// WithWebhookTimeout bounds each webhook POST (default 10s).
func WithWebhookTimeout(d time.Duration) Option { return func(s *Server) { s.hookTimeout = d } }

// WithLimits sets which Telegram limits are enforced (default AllLimits()).
func WithLimits(l Limits) Option { return func(s *Server) { s.limits = l } }

// WithRateLimits sets the rate windows (default DefaultRateLimits()).
func WithRateLimits(r RateLimits) Option { return func(s *Server) { s.setRates(r) } }

// WithAddr makes the server listen on addr (for example "127.0.0.1:8081", for
// the sandbox) instead of a random local port.
func WithAddr(addr string) Option { return func(s *Server) { s.addr = addr } }

// New starts a fake Bot API server on 127.0.0.1. Call Close when done.
// It panics if it cannot listen, like httptest.NewServer.
func New(opts ...Option) *Server {
	s := &Server{
		token:       DefaultToken,
		bot:         wireUser{ID: 123456, IsBot: true, FirstName: "Suivi", Username: DefaultBotUsername},
		now:         time.Now,
		hookBackoff: 50 * time.Millisecond,
		hookTimeout: 10 * time.Second,
		done:        make(chan struct{}),
		users:       make(map[int64]*User),
		chats:       make(map[int64]*chat),
		callbacks:   make(map[string]*callbackState),
		commands:    make(map[commandKey][]BotCommand),
		limits:      AllLimits(),
	}
	s.setRates(DefaultRateLimits())
	for _, opt := range opts {
		opt(s)
	}
	if id, _, ok := strings.Cut(s.token, ":"); ok {
		if n, err := parseInt64(id); err == nil {
			s.bot.ID = n
		}
	}
	s.hs = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	if s.addr != "" {
		l, err := net.Listen("tcp", s.addr)
		if err != nil {
			panic("telegramtest: listen on " + s.addr + ": " + err.Error())
		}
		s.hs.Listener.Close()
		s.hs.Listener = l
	}
	s.hs.Start()
	s.hookClient = &http.Client{Timeout: s.hookTimeout, Transport: http.DefaultTransport.(*http.Transport).Clone()}
	return s
}

// URL is the server's base URL, such as "http://127.0.0.1:41234".
func (s *Server) URL() string { return s.hs.URL }

// Endpoint is the API endpoint format for tgbotapi.NewBotAPIWithClient:
// "<url>/bot%s/%s", token then method.
func (s *Server) Endpoint() string { return s.hs.URL + "/bot%s/%s" }

// Token is the bot token the server accepts.
func (s *Server) Token() string { return s.token }

// BotID is the bot's user id, as getMe reports it.
func (s *Server) BotID() int64 { return s.bot.ID }

// BotUsername is the bot's username, as getMe reports it.
func (s *Server) BotUsername() string { return s.bot.Username }

// Close stops the server: pending long polls return, hung calls are aborted,
// webhook delivery stops, and Close waits for all of it. It is safe to call
// more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		close(s.done)
		if s.hook != nil {
			s.hook.stop()
			s.hook = nil
		}
		s.mu.Unlock()
		s.hookWG.Wait()
		s.hs.Close()
		s.hookClient.CloseIdleConnections()
	})
}

// notifyLocked wakes every WaitFor and WaitMessages caller. s.mu must be held.
func (s *Server) notifyLocked() {
	s.changes++
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
}

// changedLocked returns a channel closed at the next state change. s.mu must be held.
func (s *Server) changedLocked() <-chan struct{} {
	if s.changed == nil {
		s.changed = make(chan struct{})
	}
	return s.changed
}

// nowUnix is the current time in Unix seconds, as Telegram dates are.
func (s *Server) nowUnix() int64 { return s.now().Unix() }

// ErrClosed is returned by the waiting methods when the server is closed.
var ErrClosed = errors.New("telegramtest: server closed")
