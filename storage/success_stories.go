package storage

import (
	"context"
	"fmt"
	"time"
)

// AddSuccessStory stores a success story a returnee agreed to have
// published; the factsheet shows the latest of its period. It goes with
// the person if they ask to be erased (erase.go).
func AddSuccessStory(ctx context.Context, q Querier, returneeID int64, title, text string, toldOn time.Time) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `
		INSERT INTO success_stories (returnee_id, title, text, told_on, programme, region, consented)
		SELECT id, $2, $3, $4, programme, region, true FROM returnees WHERE id = $1 AND status <> 'deleted'
		RETURNING id`, returneeID, title, text, toldOn).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("add success story: %w", err)
	}
	return id, nil
}
