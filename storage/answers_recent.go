package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// RecentAnswer is a returnee's latest answer to one question of one flow.
type RecentAnswer struct {
	FlowID     string
	QuestionID string
	Value      json.RawMessage
	At         time.Time
}

// RecentAnswers returns the returnee's latest answer to each of sources
// ("flow_id/question_id") given at or after since, leaving out skipped
// answers and answers that were themselves reused, so a reused answer never
// stretches the window it came from.
func RecentAnswers(ctx context.Context, q Querier, returneeID int64, sources []string, since time.Time) ([]RecentAnswer, error) {
	if len(sources) == 0 {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, `
		SELECT DISTINCT ON (flow_id, question_id) flow_id, question_id, value, answered_at
		FROM answers
		WHERE returnee_id = $1 AND answered_at >= $2 AND flow_id || '/' || question_id = ANY($3)
		  AND value->>'kind' <> 'skipped' AND NOT COALESCE((value->>'reused')::boolean, false)
		ORDER BY flow_id, question_id, answered_at DESC, id DESC`,
		returneeID, since, pq.Array(sources))
	if err != nil {
		return nil, fmt.Errorf("load recent answers: %w", err)
	}
	defer rows.Close()
	var out []RecentAnswer
	for rows.Next() {
		var a RecentAnswer
		var v []byte
		if err := rows.Scan(&a.FlowID, &a.QuestionID, &v, &a.At); err != nil {
			return nil, fmt.Errorf("load recent answers: %w", err)
		}
		a.Value = v
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load recent answers: %w", err)
	}
	return out, nil
}
