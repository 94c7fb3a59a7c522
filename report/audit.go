package report

import (
	"context"
	"time"

	"suivi/storage"
)

// Audit records that actor received the factsheet f in format and lang, so
// the audit log says who took which figures, with or without small cells.
func Audit(ctx context.Context, q storage.Querier, at time.Time, actor string, f *Factsheet, format, lang string) error {
	return storage.WriteAuditAt(ctx, q, at, actor, "report.factsheet", f.From+".."+f.To, map[string]any{
		"format": format, "lang": lang, "ytd_from": f.YTDFrom, "programme": f.Programme, "region": f.Region,
		"caseworker": f.Caseworker, "small_cells": f.SmallCells, "suppressed": len(f.Suppressed)})
}
