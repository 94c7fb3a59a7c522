package main

import "context"

// Commands still being wired; each file replaces its line here.
func runFlows(ctx context.Context, env *Env, args []string) error {
	return usagef("flows: not wired yet")
}
func runCheckins(ctx context.Context, env *Env, args []string) error {
	return usagef("checkins: not wired yet")
}
func runSchedule(ctx context.Context, env *Env, args []string) error {
	return usagef("schedule: not wired yet")
}
