package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// StoredAnswer is one answer as kept for a returnee, with the flow version
// it was given under (0 when unknown).
type StoredAnswer struct {
	FlowID      string
	FlowVersion int
	QuestionID  string
	Value       json.RawMessage
	AnsweredAt  time.Time
}

// ReturneeAnswers lists every answer kept about a returnee, oldest first,
// for /mydata.
func ReturneeAnswers(ctx context.Context, q Querier, returneeID int64) ([]StoredAnswer, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT a.flow_id, COALESCE(a.flow_version, c.flow_version, 0), a.question_id, a.value, a.answered_at
		FROM answers a LEFT JOIN conversations c ON c.id = a.conversation_id
		WHERE a.returnee_id = $1
		ORDER BY a.answered_at, a.id`, returneeID)
	if err != nil {
		return nil, fmt.Errorf("load returnee answers: %w", err)
	}
	defer rows.Close()
	var out []StoredAnswer
	for rows.Next() {
		var a StoredAnswer
		var v []byte
		var version sql.NullInt64
		if err := rows.Scan(&a.FlowID, &version, &a.QuestionID, &v, &a.AnsweredAt); err != nil {
			return nil, fmt.Errorf("load returnee answers: %w", err)
		}
		a.FlowVersion, a.Value = int(version.Int64), v
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load returnee answers: %w", err)
	}
	return out, nil
}
