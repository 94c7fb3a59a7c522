package storage

import (
	"fmt"

	"github.com/redis/go-redis/v9"
)

// NewRedis returns the client Suivi uses for a redis:// URL. Callers'
// context deadlines are honoured (ContextTimeoutEnabled), so a hung Redis
// costs a call its own short deadline, not the client's 3 s read timeout.
func NewRedis(url string) (*redis.Client, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redis URL: %w", err)
	}
	opts.ContextTimeoutEnabled = true
	return redis.NewClient(opts), nil
}
