package sandbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSandboxInBrowser plays the sandbox page in Debian's chromium as a new
// user would: a returnee opens their invitation and answers the onboarding,
// the case worker starts a wellbeing check-in, the returnee's safety answer
// brings the case worker an urgent alert, which they acknowledge and
// resolve with a note; then the clock moves a month and the next scheduled
// check-in arrives. Screenshots go to SUIVI_ARTIFACTS (or a temporary
// folder named in the log).
func TestSandboxInBrowser(t *testing.T) {
	chrome := chromium(t)
	sb := startSandbox(t, "")
	artifacts := artifactsDir(t)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.WindowSize(1500, 860))
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	tab, cancelTab := chromedp.NewContext(alloc)
	defer cancelTab()
	// The first call starts the browser, which lives as long as its context:
	// no timeout on that one.
	if err := chromedp.Do(tab, chromedp.Navigate(sb.url)); err != nil {
		t.Fatalf("open the page in chromium: %v", err)
	}
	ctx, cancel := context.WithTimeout(tab, 110*time.Second)
	defer cancel()
	shot := func(name string) {
		buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Logf("screenshot %s: %v", name, err)
			return
		}
		if err := os.WriteFile(filepath.Join(artifacts, name), buf, 0o644); err != nil {
			t.Logf("screenshot %s: %v", name, err)
		}
	}
	defer func() {
		if t.Failed() {
			shot("failure.png")
			logChats(t, sb.url)
		}
	}()
	run := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	run("the invitation", chromedp.WaitVisible(chromedp.CSS("#use-invitation")))
	typeIn(t, ctx, "manager", "/alerts")
	run("open the invitation", chromedp.Click(chromedp.CSS("#use-invitation")))
	press := func(column, pattern string) {
		t.Helper()
		js := fmt.Sprintf(`(() => {
			const rx = new RegExp(%q);
			const b = [...document.querySelectorAll("#%s .msg.bot .kb button")].reverse().find((b) => rx.test(b.dataset.data));
			if (!b) return "";
			b.click();
			return b.dataset.data;
		})()`, pattern, column)
		if _, err := chromedp.Run(ctx, chromedp.Poll[string](js, polling...)); err != nil {
			t.Fatalf("press %s in %s: %v", pattern, column, err)
		}
	}
	press("returnee", `:language:fr$`)
	press("returnee", `:consent:accepted$`)
	n := countBot(t, ctx, "returnee")
	press("returnee", `:window:morning$`)
	waitText(t, ctx, "returnee", "", n+1) // the onboarding's last word
	shot("1-onboarded.png")

	typeIn(t, ctx, "staff", "/checkin SBX-FR-01 wellbeing")
	for i := 1; i <= 5; i++ {
		press("returnee", fmt.Sprintf(`:who5_%d:1$`, i))
	}
	press("returnee", `:phq2_1:2$`)
	press("returnee", `:phq2_2:2$`)
	press("returnee", `:safety:1$`)

	// The case worker's urgent safety alert names the case, with its
	// buttons (a low wellbeing alert comes too).
	alertJS := `(() => {
		const m = [...document.querySelectorAll("#staff .msg.bot")].reverse()
			.find((m) => m.textContent.includes("SBX-FR-01") && m.textContent.includes("urgente") &&
				m.querySelector("button[data-data$=':ack']"));
		return m ? m.querySelector("button[data-data$=':ack']").dataset.data : "";
	})()`
	ack, err := chromedp.Run(ctx, chromedp.Poll[string](alertJS, polling...))
	if err != nil {
		t.Fatalf("the case worker's alert: %v", err)
	}
	waitSome(t, ctx, "returnee", "Merci de me l'avoir dit") // the caring reply, with the contacts
	scrollTo := fmt.Sprintf(`document.querySelector("#staff button[data-data='%s']").scrollIntoView({block: "center"})`, ack)
	run("show the alert", chromedp.Evaluate[chromedp.Void](scrollTo))
	shot("2-alert.png")
	shot("sandbox.png")
	alertID := strings.TrimSuffix(ack, ":ack")
	press("staff", "^"+alertID+":ack$")
	before := countBot(t, ctx, "staff")
	press("staff", "^"+alertID+":resolve$")
	waitText(t, ctx, "staff", "Pour clore", before+1) // a safety alert is closed with a note
	before = countBot(t, ctx, "staff")
	typeIn(t, ctx, "staff", "Appelée ce jour, elle va mieux ; rendez-vous pris avec la psychologue.")
	waitText(t, ctx, "staff", "", before+1)

	last := lastID(t, ctx, "returnee")
	run("advance a month", chromedp.Click(chromedp.CSS(`button[data-step="month"]`)))
	nextJS := fmt.Sprintf(`(() => [...document.querySelectorAll("#returnee .msg.bot")]
		.some((m) => Number(m.dataset.id) > %d && /point du mois|Quelques questions/.test(m.textContent)))()`, last)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](nextJS, polling...)); err != nil {
		t.Fatalf("the next check-in after a month: %v", err)
	}
	shot("3-next-checkin.png")

	// Youness, in Arabic: the bot's words read right to left.
	run("pick Youness", chromedp.SetValue(chromedp.CSS("#pick-returnee"), "9002"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("#pick-returnee").dispatchEvent(new Event("change"))`),
		chromedp.WaitVisible(chromedp.CSS("#use-invitation")), chromedp.Click(chromedp.CSS("#use-invitation")))
	press("returnee", `:language:ar$`)
	rtlJS := `(() => { const ms = document.querySelectorAll("#returnee .msg.bot .text");
		const m = ms[ms.length - 1];
		return !!m && /[\u0600-\u06FF]/.test(m.textContent) && getComputedStyle(m).direction === "rtl"; })()`
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](rtlJS, polling...)); err != nil {
		t.Fatalf("Arabic right to left: %v", err)
	}
	shot("4-arabic.png")
	t.Logf("screenshots in %s", artifacts)
}

// polling checks the page every 150 ms, for up to 40 s.
var polling = []chromedp.PollOption{chromedp.WithPollingInterval(150 * time.Millisecond), chromedp.WithPollingTimeout(40 * time.Second)}

// logChats logs the last messages of each chat, to tell why a step failed.
func logChats(t *testing.T, pageURL string) {
	res, err := http.Get(pageURL + "/state")
	if err != nil {
		t.Logf("state: %v", err)
		return
	}
	defer res.Body.Close()
	var st struct {
		Clock string `json:"clock"`
		Chats []struct {
			Key      string `json:"key"`
			Messages []struct {
				ID   int    `json:"id"`
				Mine bool   `json:"mine"`
				Text string `json:"text"`
			} `json:"messages"`
		} `json:"chats"`
	}
	if err := json.NewDecoder(res.Body).Decode(&st); err != nil {
		t.Logf("state: %v", err)
		return
	}
	t.Logf("sandbox clock %s", st.Clock)
	for _, c := range st.Chats {
		for _, m := range c.Messages[max(0, len(c.Messages)-8):] {
			t.Logf("%s #%d mine=%v: %.160q", c.Key, m.ID, m.Mine, m.Text)
		}
	}
}

// chromium finds Debian's chromium, failing with the package to install.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium is not installed: install the Debian package chromium (apt-get install -y chromium), as .ci/run does")
	return ""
}

// artifactsDir is SUIVI_ARTIFACTS, or a temporary folder kept after the test.
func artifactsDir(t *testing.T) string {
	dir := os.Getenv("SUIVI_ARTIFACTS")
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "suivi-sandbox-artifacts-"); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("browser screenshots go to %s", dir)
	return dir
}

// typeIn sends text from a column's compose box.
func typeIn(t *testing.T, ctx context.Context, column, text string) {
	t.Helper()
	sel := "#" + column + " .compose input"
	send := "#" + column + " .compose button"
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(sel), text), chromedp.Click(chromedp.CSS(send))); err != nil {
		t.Fatalf("type in %s: %v", column, err)
	}
}

// countBot counts the bot's messages shown in a column.
func countBot(t *testing.T, ctx context.Context, column string) int {
	t.Helper()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll("#%s .msg.bot").length`, column)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// lastID is the id of the latest message shown in a column.
func lastID(t *testing.T, ctx context.Context, column string) int {
	t.Helper()
	js := fmt.Sprintf(`Math.max(0, ...[...document.querySelectorAll("#%s .msg")].map((m) => Number(m.dataset.id)))`, column)
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](js))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// waitText waits until a column shows at least n bot messages, the last
// containing want.
func waitText(t *testing.T, ctx context.Context, column, want string, n int) {
	t.Helper()
	js := fmt.Sprintf(`(() => { const ms = document.querySelectorAll("#%s .msg.bot");
		return ms.length >= %d && ms[ms.length - 1].textContent.includes(%q); })()`, column, n, want)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, polling...)); err != nil {
		t.Fatalf("wait for %d messages in %s: %v", n, column, err)
	}
}

// waitSome waits until one of the bot's messages in a column contains want.
func waitSome(t *testing.T, ctx context.Context, column, want string) {
	t.Helper()
	js := fmt.Sprintf(`[...document.querySelectorAll("#%s .msg.bot")].some((m) => m.textContent.includes(%q))`, column, want)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, polling...)); err != nil {
		t.Fatalf("wait for %q in %s: %v", want, column, err)
	}
}
