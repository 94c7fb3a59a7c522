package tgmsg

import (
	"strings"
	"testing"
)

func TestParseCallback(t *testing.T) {
	long := strings.Repeat("x", 48)
	cases := []struct {
		data string
		want Callback
		ok   bool
	}{
		{"c42:q1=yes", Callback{KindConversation, 42, "q1=yes"}, true},
		{"i7:move:y", Callback{KindInvitation, 7, "move:y"}, true},
		{"p:4", Callback{KindPause, 0, "4"}, true},
		{"h:talk", Callback{KindHelp, 0, "talk"}, true},
		{"c99999999999999:" + long, Callback{KindConversation, 99999999999999, long}, true},
		{"c0:x", Callback{}, false},
		{"c-1:x", Callback{}, false},
		{"c+1:x", Callback{}, false},
		{"c1:", Callback{}, false},
		{"cx:y", Callback{}, false},
		{"p1:4", Callback{}, false},
		{"z:1", Callback{}, false},
		{"", Callback{}, false},
		{"c1:" + strings.Repeat("x", 62), Callback{}, false},
	}
	for _, c := range cases {
		got, ok := Parse(c.data)
		if ok != c.ok || got != c.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v, %v", c.data, got, ok, c.want, c.ok)
		}
		if ok && got.Data() != c.data {
			t.Errorf("Parse(%q).Data() = %q", c.data, got.Data())
		}
	}
	if n := len(Prefix(KindConversation, 99999999999999) + long); n > MaxCallbackData {
		t.Errorf("a 14-digit id and a 48-byte payload take %d bytes, over %d", n, MaxCallbackData)
	}
}
