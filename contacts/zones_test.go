package contacts_test

import (
	"os"
	"path/filepath"
	"testing"

	"suivi/contacts"
)

// A returnee in Senegal gets Senegal's numbers in their language; one whose
// zone is unknown or unset gets the default country's.
func TestForReturneeByTimeZone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "contacts.yaml")
	data := "default: MA\ncountries:\n  MA: {fr: Police 19, ar: الشرطة 19, en: Police 19}\n  SN: {fr: Police 17, ar: الشرطة 17, en: Police 17}\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := contacts.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for zone, want := range map[string]string{"Africa/Dakar": "Police 17", "Africa/Casablanca": "Police 19", "": "Police 19", "Asia/Tokyo": "Police 19"} {
		if got := b.ForReturnee(zone)["en"]; got != want {
			t.Errorf("zone %q: %q, want %q", zone, got, want)
		}
	}
	if got := b.ForReturnee("Africa/Dakar")["ar"]; got != "الشرطة \u206817\u2069" {
		t.Errorf("Arabic for Senegal: %q", got)
	}
}
