package app

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"suivi/flows"
	"suivi/storage"
)

// checkOpenFlows fails, naming each missing flow version and how many open
// conversations need it, when active conversations run on a flow id and
// version the catalog does not have (a definition removed or renumbered).
func checkOpenFlows(ctx context.Context, db *sql.DB, cat *flows.Catalog) error {
	open, err := storage.OpenFlowVersions(ctx, db)
	if err != nil {
		return err
	}
	var missing []string
	for _, v := range open {
		if _, ok := cat.Get(v.FlowID, v.Version); !ok {
			missing = append(missing, fmt.Sprintf("flow %s version %d: %d open conversation(s)", v.FlowID, v.Version, v.Conversations))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("open conversations need flow versions that are not loaded (restore these definitions in SUIVI_FLOWS_DIR, or close the conversations):\n  %s",
			strings.Join(missing, "\n  "))
	}
	return nil
}
