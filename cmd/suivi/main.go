// Command suivi runs the Suivi bot and its back-office commands.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	env := &Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now}
	if err := Run(ctx, env, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "suivi:", err)
		os.Exit(exitCode(err))
	}
}
