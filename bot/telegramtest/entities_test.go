package telegramtest

import "testing"

func TestPlainText(t *testing.T) {
	tests := []struct {
		mode, text, plain string
		bad               bool
	}{
		{"", "a < b & *c*", "a < b & *c*", false},
		{"HTML", "<b>Bonjour</b> &lt;Ana&gt; &amp; co", "Bonjour <Ana> & co", false},
		{"HTML", `<a href="https://x.y">lien</a> R&D`, "lien R&D", false},
		{"HTML", "a < b", "", true},
		{"HTML", "<b>gras", "", true},
		{"HTML", "<b>x</i>", "", true},
		{"HTML", "<blink>x</blink>", "", true},
		{"Markdown", "*gras* et _italique_ `code`", "gras et italique code", false},
		{"Markdown", "[lien](https://x.y)", "lien", false},
		{"Markdown", `snake\_case`, "snake_case", false},
		{"Markdown", "snake_case", "", true},
		{"MarkdownV2", `*gras* __souligné__ \. fin\!`, "gras souligné . fin!", false},
		{"MarkdownV2", "fin.", "", true},
		{"MarkdownV2", "*ouvert", "", true},
		{"MarkdownV2", "`a.b`", "a.b", false},
	}
	for _, tt := range tests {
		plain, err := plainText(tt.text, tt.mode)
		if (err != "") != tt.bad || (!tt.bad && plain != tt.plain) {
			t.Errorf("plainText(%q, %s) = %q, %q", tt.text, tt.mode, plain, err)
		}
	}
}
