// Package replicas holds the tests that run Suivi as several `suivi serve`
// processes on one PostgreSQL database and one Redis against the fake
// Telegram, in webhook and in polling mode, and the fault tests (a replica
// killed, PostgreSQL restarted, Redis stopped and hung, Telegram failing)
// that measure what each outage costs. It has no code of its own.
package replicas
