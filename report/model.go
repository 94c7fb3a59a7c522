// Package report computes the factsheet managers publish (year to date, the
// period, the follow-up indicators) from PostgreSQL and renders it as JSON,
// Markdown, HTML, PDF and XLSX, in French, English or Arabic. Figures about
// fewer than five people are suppressed outside a case worker's own caseload.
package report

import (
	"encoding/json"
	"strconv"
	"time"
)

// MinCell is the smallest number of people a figure may be about before it
// is suppressed in what managers receive.
const MinCell = 5

// Count is a number of people. Hidden is set when it is suppressed: it then
// marshals to null and is shown as "<5".
type Count struct {
	N      int
	Hidden bool
}

// MarshalJSON writes the number, or null when suppressed.
func (c Count) MarshalJSON() ([]byte, error) {
	if c.Hidden {
		return []byte("null"), nil
	}
	return []byte(strconv.Itoa(c.N)), nil
}

// Stat is a mean, share, median or duration computed over Base people (or
// answers). Valid is false when there was nothing to compute it from.
type Stat struct {
	Value  float64
	Valid  bool
	Base   int
	Hidden bool
}

// MarshalJSON writes the value rounded to 3 decimals, or null.
func (s Stat) MarshalJSON() ([]byte, error) {
	if s.Hidden || !s.Valid {
		return []byte("null"), nil
	}
	return json.Marshal(round(s.Value, 3))
}

// CodeCount is one host country (ISO code) with its count.
type CodeCount struct {
	Code       string `json:"code"`
	Count      Count  `json:"count"`
	Suppressed bool   `json:"suppressed,omitempty"`
}

// Factsheet is every figure of a report. JSON keys are documented in the
// README ("Reports and the factsheet").
type Factsheet struct {
	From       string      `json:"from"`
	To         string      `json:"to"`
	YTDFrom    string      `json:"ytd_from"`
	Programme  string      `json:"programme,omitempty"`
	Region     string      `json:"region,omitempty"`
	Caseworker string      `json:"caseworker,omitempty"`
	Generated  string      `json:"generated_at"`
	SmallCells string      `json:"small_cells"` // "suppressed" or "shown"
	YearToDate YearToDate  `json:"year_to_date"`
	Period     PeriodBlock `json:"period"`
	FollowUp   FollowUp    `json:"follow_up"`
	// Suppressed lists the JSON paths of every figure shown as "<5".
	Suppressed []string `json:"suppressed"`
}

// YearToDate is the first block: returnees whose return date falls between
// YTDFrom and To.
type YearToDate struct {
	Assisted      Count       `json:"assisted"`
	Female        Count       `json:"female"`
	Male          Count       `json:"male"`
	AverageAge    Stat        `json:"average_age"`
	Medical       Count       `json:"medical_assistance"`
	Trafficking   Trafficking `json:"trafficking"`
	HostCountries []CodeCount `json:"host_countries"`
}

// Trafficking counts identified victims and where they were identified.
type Trafficking struct {
	Victims       Count       `json:"victims"`
	HostCountries []CodeCount `json:"host_countries"`
}

// PeriodBlock is the second block: returnees whose return date falls
// between From and To.
type PeriodBlock struct {
	Assisted      Count            `json:"assisted"`
	Female        Count            `json:"female"`
	Male          Count            `json:"male"`
	Assistance    map[string]Count `json:"assistance"`
	Microprojects Microprojects    `json:"microprojects"`
	Story         *Story           `json:"success_story"`
}

// Microprojects counts the period's micro-projects by sector.
type Microprojects struct {
	Total       Count `json:"total"`
	Agriculture Count `json:"agriculture"`
	Services    Count `json:"services"`
	Commerce    Count `json:"commerce"`
	Other       Count `json:"other"`
}

// Story is a success story its subject consented to publish.
type Story struct {
	Title string `json:"title"`
	Text  string `json:"text"`
}

// Period is an inclusive range of dates.
type Period struct {
	From, To time.Time
}

// Contains reports whether day d falls in the period.
func (p Period) Contains(d time.Time) bool { return !d.Before(p.From) && !d.After(p.To) }

func round(v float64, places int) float64 {
	p := 1.0
	for range places {
		p *= 10
	}
	if v < 0 {
		return -float64(int64(-v*p+0.5)) / p
	}
	return float64(int64(v*p+0.5)) / p
}
