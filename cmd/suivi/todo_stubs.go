package main

import "context"

// Commands still being wired; each file replaces its line here.
func runSchedule(ctx context.Context, env *Env, args []string) error {
	return usagef("schedule: not wired yet")
}
