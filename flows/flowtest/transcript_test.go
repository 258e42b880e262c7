package flowtest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/flowtest"
)

// failure records the first Fatal of a transcript run and stops it, as testing.T would.
type failure struct {
	testing.TB
	msg string
}

func (f *failure) Helper() {}
func (f *failure) Fatal(a ...any) {
	f.msg = fmt.Sprint(a...)
	runtime.Goexit()
}
func (f *failure) Fatalf(format string, a ...any) {
	f.msg = fmt.Sprintf(format, a...)
	runtime.Goexit()
}

// twoReplies is a feature whose /two answers with two messages, the second with an invite-like code.
func twoReplies(e *flows.Engine, _ flowtest.Backend) {
	e.Add(flows.Feature{Name: "two", Actions: []*flows.Action{{
		Name: "two", Commands: []string{"two"}, BeforeOnboarding: true,
		Run: func(c *flows.Ctx) error {
			c.Say("first reply")
			c.Say("second reply: AB12C-DE34F and FG56H-JK78M")
			return nil
		},
	}}})
}

// runScript runs script as a transcript and returns the failure message ("" when it passed).
func runScript(t *testing.T, script string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.txt")
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	h := flowtest.NewHarness(t, nil, twoReplies)
	f := &failure{TB: t}
	h.T = f
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		h.RunFile(path)
	}()
	wg.Wait()
	return f.msg
}

func TestTranscriptStrictness(t *testing.T) {
	for _, tc := range []struct{ name, script, fails string }{
		{"every reply expected", "user anna\n> /two\n< first\n< second\n", ""},
		{"one line may check a reply twice", "user anna\n> /two\n< first\n< reply\n< second\n< AB12C\n", ""},
		{"an unexpected extra reply", "user anna\n> /two\n< first\n", "unexpected reply"},
		{"an extra reply announced", "user anna\n> /two\n< first\n...\n", ""},
		{"an extra reply before the next input", "user anna\n> /two\n< first\n> /two\n< first\n...\n", "unexpected reply"},
		{"a skipped reply", "user anna\n> /two\n< second\n", "does not contain"},
		{"a skipped reply announced", "user anna\n> /two\n...\n< second\n", ""},
		{"replies not checked at all", "user anna\n> /two\n> /two\n< first\n...\n", ""},
		{"keys needs a number", "user anna\n> /two\nkeys anna x\n", "keys: write"},
		{"the old capture form", "user anna\n> /two\ncapture CODE ([0-9A-Z]{5}-[0-9A-Z]{5})\n", "capture: write"},
		{"capture as words", "user anna\n> /two\ncapture A as invite code\ncapture B as second invite code\n> /two\n< first\n< $A and $B\n", ""},
		{"capture with a regexp", "user anna\n> /two\ncapture X matching (first) reply\n> /two\n< $X\n...\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runScript(t, tc.script)
			if tc.fails == "" && got != "" {
				t.Fatalf("failed: %s", got)
			}
			if tc.fails != "" && !strings.Contains(got, tc.fails) {
				t.Fatalf("failure %q, want one about %q", got, tc.fails)
			}
		})
	}
}
