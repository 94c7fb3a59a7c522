// Package cpuhog keeps a machine's cores busy for a test or a benchmark, as
// other work on a crowded machine would, so pacing and timing are checked
// under load rather than on an idle machine only.
package cpuhog

import (
	"os/exec"
	"runtime"
	"testing"
)

// Start runs two spinning processes per core until tb ends.
func Start(tb testing.TB) {
	tb.Helper()
	var hogs []*exec.Cmd
	for range 2 * runtime.NumCPU() {
		cmd := exec.Command("sh", "-c", "while :; do :; done")
		if err := cmd.Start(); err != nil {
			tb.Fatalf("start a CPU hog: %v", err)
		}
		hogs = append(hogs, cmd)
	}
	tb.Cleanup(func() {
		for _, cmd := range hogs {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
}
