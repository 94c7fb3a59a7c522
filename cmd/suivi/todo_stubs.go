package main

import "context"

// Commands still being wired; each file replaces its line here.
func runServe(ctx context.Context, env *Env, args []string) error     { return usagef("serve: not wired yet") }
func runFlows(ctx context.Context, env *Env, args []string) error     { return usagef("flows: not wired yet") }
func runReturnees(ctx context.Context, env *Env, args []string) error { return usagef("returnees: not wired yet") }
func runStaff(ctx context.Context, env *Env, args []string) error     { return usagef("staff: not wired yet") }
func runCheckins(ctx context.Context, env *Env, args []string) error  { return usagef("checkins: not wired yet") }
func runAlerts(ctx context.Context, env *Env, args []string) error    { return usagef("alerts: not wired yet") }
func runSchedule(ctx context.Context, env *Env, args []string) error  { return usagef("schedule: not wired yet") }
