package export

import (
	"fmt"
	"time"
)

// Scope is what the person exporting may see, by the project's access rules
// (followup/access.go): an administrator every case, a supervisor their
// team's, a case worker their own caseload. Rows outside a case worker's
// caseload are left out; a supervisor's export holds every row but
// identifies only their team's cases; a manager's identifies none.
type Scope struct {
	Mode    string // ScopeAll, ScopeTeam, ScopeOwn or ScopeNone
	StaffID int64  // the supervisor or case worker, for ScopeTeam and ScopeOwn
}

// Scope modes.
const (
	ScopeAll  = "all"  // every row, identified
	ScopeTeam = "team" // every row, the team's identified
	ScopeOwn  = "own"  // the caseload only, identified
	ScopeNone = "none" // every row, none identified
)

// ScopeFor is the scope of a staff member by role.
func ScopeFor(role string, staffID int64) (Scope, error) {
	switch role {
	case "admin":
		return Scope{Mode: ScopeAll}, nil
	case "supervisor":
		return Scope{Mode: ScopeTeam, StaffID: staffID}, nil
	case "caseworker":
		return Scope{Mode: ScopeOwn, StaffID: staffID}, nil
	case "manager":
		return Scope{Mode: ScopeNone}, nil
	}
	return Scope{}, fmt.Errorf("role %q has no export scope", role)
}

// sqlIdentified is true when the row's returnee r (with case worker cw) may
// be identified under scope $1 for staff $2. An erased returnee never is.
const sqlIdentified = `COALESCE(r.status <> 'deleted' AND CASE $1::text
    WHEN 'all'  THEN true
    WHEN 'team' THEN r.caseworker_id = $2 OR cw.supervisor_id = $2
    WHEN 'own'  THEN r.caseworker_id = $2
    ELSE false END, false)`

// Window bounds an export by calendar dates, both included; a zero date
// leaves that side open.
type Window struct {
	From, To time.Time
	Loc      *time.Location // where a day starts and ends
}

// instants are the window as [from, to) instants, nil when open.
func (w Window) instants() (from, to *time.Time) {
	if !w.From.IsZero() {
		t := time.Date(w.From.Year(), w.From.Month(), w.From.Day(), 0, 0, 0, 0, w.Loc)
		from = &t
	}
	if !w.To.IsZero() {
		t := time.Date(w.To.Year(), w.To.Month(), w.To.Day()+1, 0, 0, 0, 0, w.Loc)
		to = &t
	}
	return from, to
}

// dates are the window's dates as YYYY-MM-DD, nil when open.
func (w Window) dates() (from, to *string) {
	if !w.From.IsZero() {
		s := w.From.Format(time.DateOnly)
		from = &s
	}
	if !w.To.IsZero() {
		s := w.To.Format(time.DateOnly)
		to = &s
	}
	return from, to
}
