package scheduler

import (
	"testing"

	"suivi/storage"
)

func TestCampaignEligible(t *testing.T) {
	holder := storage.PlanReturnee{Assistance: []string{"material", "microproject"}, Sector: "commerce", Sex: "F", Region: "Oriental"}
	trainee := storage.PlanReturnee{Assistance: []string{"training"}, Sex: "M", Region: "Oriental"}
	none := storage.PlanReturnee{}
	tests := []struct {
		name     string
		eligible map[string][]string
		want     [3]bool // holder, trainee, none
	}{
		{"everyone", nil, [3]bool{true, true, true}},
		{"list contains", map[string][]string{"assistance": {"microproject"}}, [3]bool{true, false, false}},
		{"one of several", map[string][]string{"assistance": {"microproject", "training"}}, [3]bool{true, true, false}},
		{"scalar equals", map[string][]string{"sector": {"commerce", "agriculture"}}, [3]bool{true, false, false}},
		{"every key", map[string][]string{"region": {"Oriental"}, "sex": {"M"}}, [3]bool{false, true, false}},
		{"no vulnerability listed", map[string][]string{"vulnerabilities": {"medical"}}, [3]bool{false, false, false}},
	}
	for _, tt := range tests {
		c := Campaign{FlowID: "f", Months: []int{1}, Eligible: tt.eligible}
		for i, r := range []storage.PlanReturnee{holder, trainee, none} {
			if got := c.eligible(r); got != tt.want[i] {
				t.Errorf("%s: returnee %d eligible = %v, want %v", tt.name, i, got, tt.want[i])
			}
		}
	}
}
