package content_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows/safety"
)

// TestCheckKnowsTheDefaultLines holds the checker's list of helpline names to flows/safety's defaults: each
// default is caught by its number and, with the number taken off, by its name.
func TestCheckKnowsTheDefaultLines(t *testing.T) {
	for _, line := range []string{safety.DefaultDK, safety.DefaultRO} {
		if content.HardcodedHelpline(line) == "" {
			t.Errorf("%q is not caught", line)
		}
		name := strings.TrimRightFunc(line, func(r rune) bool { return unicode.IsDigit(r) || unicode.IsSpace(r) })
		if content.HardcodedHelpline(name) == "" {
			t.Errorf("the name %q is not caught", name)
		}
	}
}
