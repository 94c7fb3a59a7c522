package sandbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"suivi/flows"
	"suivi/storage"
)

// reloadView is the outcome of the last reload, for the page.
type reloadView struct {
	At       string   `json:"at"`
	OK       bool     `json:"ok"`
	Problems []string `json:"problems"` // file:line: message
	Error    string   `json:"error,omitempty"`
}

// reloadFlows reads SUIVI_FLOWS_DIR again: with problems, they are shown
// and the running flows stay; without, the app restarts on the new
// definitions (a new version is used by check-ins started from then on).
func (s *Sandbox) reloadFlows(w http.ResponseWriter, r *http.Request) {
	if s.cfg.FlowsDir == "" {
		problem(w, http.StatusBadRequest, "SUIVI_FLOWS_DIR is not set: start the sandbox with SUIVI_FLOWS_DIR=folder to edit flows and reload them")
		return
	}
	res := &reloadView{At: s.clock.Now().In(s.cfg.Timezone).Format("02/01/2006 15:04"), Problems: []string{}}
	cat, err := s.cfg.LoadFlows()
	var lint *flows.LintError
	switch {
	case errors.As(err, &lint):
		for _, p := range lint.Problems {
			res.Problems = append(res.Problems, p.String())
		}
	case err != nil:
		res.Error = err.Error()
	default:
		res.Problems, err = s.missingOpenFlows(r.Context(), cat)
		if err != nil {
			res.Error = err.Error()
		}
		res.OK = err == nil && len(res.Problems) == 0
	}
	s.mu.Lock()
	s.lastReload = res
	s.version++
	s.mu.Unlock()
	if !res.OK {
		writeJSON(w, http.StatusUnprocessableEntity, res)
		return
	}
	writeJSON(w, http.StatusAccepted, res)
	go func() {
		// Let the answer leave before the server stops.
		time.Sleep(50 * time.Millisecond)
		if err := s.requestRestart(s.baseContext(), false); err != nil {
			s.log.Warn("flows reload: restart failed", "err", err)
		}
	}()
}

// missingOpenFlows names the flow versions that conversations in progress
// need and the new catalog lacks: the app would refuse to start on it.
func (s *Sandbox) missingOpenFlows(ctx context.Context, cat *flows.Catalog) ([]string, error) {
	open, err := storage.OpenFlowVersions(ctx, s.db)
	if err != nil {
		return nil, err
	}
	missing := []string{}
	for _, v := range open {
		if _, ok := cat.Get(v.FlowID, v.Version); !ok {
			missing = append(missing, fmt.Sprintf("flow %s version %d: %d conversation(s) in progress need it; keep its file (as %s.v%d.yaml)",
				v.FlowID, v.Version, v.Conversations, v.FlowID, v.Version))
		}
	}
	return missing, nil
}
