package storage

import (
	"context"
	"fmt"
)

// OpenFlowVersion is a flow version that active conversations run on.
type OpenFlowVersion struct {
	FlowID        string
	Version       int
	Conversations int
}

// OpenFlowVersions lists the flow versions of active conversations, so the
// server can refuse to start without one of them.
func OpenFlowVersions(ctx context.Context, q Querier) ([]OpenFlowVersion, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT flow_id, flow_version, count(*) FROM conversations
		 WHERE status = 'active' GROUP BY flow_id, flow_version ORDER BY flow_id, flow_version`)
	if err != nil {
		return nil, fmt.Errorf("list open flow versions: %w", err)
	}
	defer rows.Close()
	var out []OpenFlowVersion
	for rows.Next() {
		var v OpenFlowVersion
		if err := rows.Scan(&v.FlowID, &v.Version, &v.Conversations); err != nil {
			return nil, fmt.Errorf("list open flow versions: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list open flow versions: %w", err)
	}
	return out, nil
}
