package scheduler

import "context"

// RunNow runs the check-in pass and every job once, one after the other, at
// the scheduler's clock, without waiting for cron's next minute: the sandbox
// calls it after moving its clock, so what falls due shows at once. Runs
// may overlap cron's own; every step is safe to repeat.
func (s *Scheduler) RunNow(ctx context.Context) {
	s.mu.Lock()
	jobs := append([]Job{s.tickJob()}, s.jobs...)
	s.mu.Unlock()
	for _, j := range jobs {
		if ctx.Err() != nil {
			return
		}
		s.runJob(ctx, j)
	}
}
