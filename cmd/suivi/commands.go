package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"suivi/app"
	"suivi/storage"
)

// Env is what a command may touch of the outside world, so tests run
// commands with their own output, environment and clock.
type Env struct {
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Now    func() time.Time
}

// Config loads and validates the configuration from the environment.
func (e *Env) Config() (app.Config, error) { return app.LoadConfig(e.Getenv) }

// OpenDB opens the configured database, creating and migrating it when needed.
func (e *Env) OpenDB(ctx context.Context) (*sql.DB, app.Config, error) {
	cfg, err := e.Config()
	if err != nil {
		return nil, cfg, err
	}
	if err := storage.EnsureDatabase(ctx, cfg.DatabaseURL); err != nil {
		return nil, cfg, err
	}
	db, err := storage.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, cfg, err
	}
	if _, err := storage.Migrate(ctx, db); err != nil {
		db.Close()
		return nil, cfg, err
	}
	return db, cfg, nil
}

// command is one subcommand; group commands dispatch on their next word.
type command struct {
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

// usageError is a mistake on the command line: exit code 2 and the usage.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

func exitCode(err error) int {
	var u *usageError
	var c *app.ConfigError
	if errors.As(err, &u) || errors.As(err, &c) {
		return 2
	}
	return 1
}

func commands() map[string]command {
	return map[string]command{
		"serve":     {"run the bot, the sender, the scheduler and the HTTP server", runServe},
		"migrate":   {"apply pending database migrations", runMigrate},
		"version":   {"print the version", runVersion},
		"flows":     {"flows lint [DIR] | flows list | flows texts export --lang L [--format po|csv] | flows texts import FILE", runFlows},
		"returnees": {"returnees import|add|invite|list", runReturnees},
		"staff":     {"staff add|invite|list", runStaff},
		"checkins":  {"checkins start --ref REF --flow ID", runCheckins},
		"alerts":    {"alerts list", runAlerts},
		"export":    {"export answers|returnees|alerts --out FILE [--format csv|xlsx]", runExport},
		"schedule":  {"schedule preview --ref REF", runSchedule},
		"updates":   {"updates dead-letters [--retry ID]", runUpdates},
		"report":    {"report factsheet --from DATE --to DATE --format pdf|html|md|xlsx|json --out FILE | report story", runReport},
		"dev":       {"dev generate --returnees N --answers N (synthetic data, never on production)", runDev},
		"health":    {"ask the local server whether it is ready (for container health checks)", runHealth},
	}
}

// Run executes the command named by args[0].
func Run(ctx context.Context, env *Env, args []string) error {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(env.Stdout, cmds)
		if len(args) == 0 {
			return usagef("a command is required")
		}
		return nil
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		printUsage(env.Stderr, cmds)
		return usagef("unknown command %q", args[0])
	}
	err := cmd.run(ctx, env, args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return nil // the flag package printed the usage
	}
	return err
}

func printUsage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: suivi COMMAND [ARGS]")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, env *Env) *flag.FlagSet {
	fs := flag.NewFlagSet("suivi "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	return fs
}

// parseFlags parses args and turns flag mistakes into usage errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usagef("%s: %v", fs.Name(), err)
	}
	return nil
}

// requireFlags fails with the names of required flags left empty.
func requireFlags(fs *flag.FlagSet, names ...string) error {
	var missing []string
	for _, n := range names {
		if f := fs.Lookup(n); f == nil || f.Value.String() == "" {
			missing = append(missing, "--"+n)
		}
	}
	if len(missing) > 0 {
		return usagef("%s: missing %s", fs.Name(), strings.Join(missing, ", "))
	}
	return nil
}

// subcommand dispatches a group command such as "returnees import".
func subcommand(ctx context.Context, env *Env, group string, args []string, subs map[string]func(context.Context, *Env, []string) error) error {
	if len(args) == 0 {
		return usagef("suivi %s: expected one of %s", group, strings.Join(slices.Sorted(maps.Keys(subs)), ", "))
	}
	run, ok := subs[args[0]]
	if !ok {
		return usagef("suivi %s: unknown subcommand %q, expected one of %s", group, args[0], strings.Join(slices.Sorted(maps.Keys(subs)), ", "))
	}
	return run(ctx, env, args[1:])
}
