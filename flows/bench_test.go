package flows

import (
	"fmt"
	"testing"
)

// BenchmarkEngineStep measures Step alone: a returnee walking the wellbeing
// flow by buttons, down to the safety question, over and over.
func BenchmarkEngineStep(b *testing.B) {
	def := flow(b, "wellbeing")
	env := testEnv()
	inputs := []Input{
		press("who5_1", "1"), press("who5_2", "2"), press("who5_3", "1"), press("who5_4", "2"),
		press("who5_5", "1"), press("phq2_1", "1"), press("phq2_2", "1"), press("safety", "0"),
	}
	start := Start(def, "ar", env).State
	steps := 0
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		st := start
		for _, in := range inputs {
			res := Step(def, st, in, env)
			if res.Ignored || res.Stale {
				b.Fatalf("%+v ignored", in)
			}
			st = res.State
			steps++
		}
	}
	rate := float64(steps) / b.Elapsed().Seconds()
	b.ReportMetric(rate, "steps/s")
	fmt.Printf("engine steps: %.0f steps/s (pure engine, wellbeing flow by buttons)\n", rate)
}
