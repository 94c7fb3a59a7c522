package tgmsg_test

import (
	"strings"
	"testing"

	"suivi/tgmsg"
)

// FuzzCallbackData feeds Parse what anyone could put in a button press:
// callback data is forgeable, so Parse must refuse anything Suivi did not
// write, and what it accepts must be written back the same way by Data,
// within Telegram's 64 bytes.
func FuzzCallbackData(f *testing.F) {
	f.Fuzz(func(t *testing.T, data string) {
		c, ok := tgmsg.Parse(data)
		if !ok {
			if c != (tgmsg.Callback{}) {
				t.Fatalf("Parse(%q) refused the data but returned %+v", data, c)
			}
			return
		}
		if c.Arg == "" {
			t.Fatalf("Parse(%q) accepted an empty payload", data)
		}
		if len(data) > tgmsg.MaxCallbackData {
			t.Fatalf("Parse accepted %d bytes, more than Telegram's %d", len(data), tgmsg.MaxCallbackData)
		}
		again := c.Data()
		back, ok := tgmsg.Parse(again)
		if !ok || back != c {
			t.Fatalf("Parse(%q) = %+v, whose Data %q parses as %+v, %v", data, c, again, back, ok)
		}
		if len(again) > len(data) {
			t.Fatalf("Data %q of Parse(%q) is longer than what was parsed", again, data)
		}
		hasID := strings.ContainsRune("cia", rune(c.Kind))
		if hasID != (c.ID > 0) {
			t.Fatalf("Parse(%q): kind %q with id %d", data, c.Kind, c.ID)
		}
	})
}
