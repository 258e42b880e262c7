package lessons_test

import (
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/m4pris/mentorbot/content"
	"github.com/m4pris/mentorbot/flows"
	"github.com/m4pris/mentorbot/flows/safety"
)

// labels of the buttons in each language: Next, answer letters, etc. (flowtest.Press matches labels).
var labels = map[string]map[string]string{
	"en": {"next": "Next ▶", "got": "✓ Got it", "skip": "Skip"},
	"da": {"next": "Næste ▶", "got": "✓ Forstået", "skip": "Spring over"},
	"ro": {"next": "Mai departe ▶", "got": "✓ Am înțeles", "skip": "Sari peste"},
}

// TestEveryLessonFitsEveryPlatform walks every lesson in every language through the real flow (with a mentor, a
// wrong answer: the longest messages) and holds each message to Telegram's and Slack's limits, and the flow's own
// words around the lesson text to content.MessageOverhead, the budget the content checker reserves.
func TestEveryLessonFitsEveryPlatform(t *testing.T) {
	lib := content.MustDefaultLibrary()
	for _, lang := range content.Languages {
		t.Run(lang, func(t *testing.T) {
			h := newHarness(t, nil, newFeedback(), mentorMap{"reader": "mentor"})
			seed(t, h, "reader", lang, flows.Coordinator)
			seed(t, h, "mentor", lang, flows.Mentor)
			lb := labels[lang]
			var known []string // every lesson and module text in lang, to tell the flow's own words apart
			for _, m := range lib.Modules() {
				known = append(known, m.In(lang).Title, m.In(lang).Summary)
			}
			// Lesson text as the reader gets it: {helpline} filled with one country's line, or both.
			both := content.MustDefault().T(lang, "lessons.helplines", map[string]any{"DK": safety.DefaultDK, "RO": safety.DefaultRO})
			for _, l := range lib.All() {
				for _, line := range []string{safety.DefaultDK, safety.DefaultRO, both} {
					tx := l.In(lang).WithHelpline(line)
					known = append(known, tx.Title, tx.Scenario, tx.Question.Prompt, tx.Reflection, tx.Practice)
					known = append(known, tx.Cards...)
					for _, o := range tx.Question.Options {
						known = append(known, o.Text, o.Feedback)
					}
				}
			}
			sort.Slice(known, func(i, j int) bool { return len(known[i]) > len(known[j]) })
			walks := 0
			check := func(where string, rs []flows.Reply) {
				t.Helper()
				for _, r := range rs {
					if n := utf16Len(r.Text); n > content.TelegramMaxText {
						t.Errorf("%s: message of %d UTF-16 units > Telegram's %d", where, n, content.TelegramMaxText)
					}
					if n := utf8.RuneCountInString(r.Text); n > content.SlackMaxText {
						t.Errorf("%s: message of %d characters > Slack's %d", where, n, content.SlackMaxText)
					}
					own := r.Text
					for _, k := range known {
						own = strings.ReplaceAll(own, k, "")
					}
					if n := utf8.RuneCountInString(own); n > content.MessageOverhead {
						t.Errorf("%s: the flow adds %d characters, more than content.MessageOverhead (%d):\n%s", where, n, content.MessageOverhead, own)
					}
					for _, row := range r.Buttons {
						for _, b := range row {
							if n := utf8.RuneCountInString(b.Label); n > 24 {
								t.Errorf("%s: button %q has %d characters, at most 24", where, b.Label, n)
							}
						}
					}
				}
			}
			for _, l := range lib.All() {
				where := fmt.Sprintf("%s/%s", lang, l.ID)
				check(where+" list", h.Say("reader", "/lessons"))
				check(where+" module", h.Press("reader", l.Module+" "))
				check(where+" open", open(h, "reader", l.ID))
				for range l.En.Cards {
					check(where+" card", h.Press("reader", lb["next"]))
				}
				wrong := ""
				for i, o := range l.En.Question.Options {
					if o.ID != l.Answer {
						wrong = string(rune('A' + i))
					}
				}
				r := h.Press("reader", wrong)
				check(where+" feedback", r)
				if !strings.Contains(withLabels(r), "✉️") {
					t.Errorf("%s: no share button with a mentor", where)
				}
				check(where+" practice", h.Press("reader", lb["next"]))
				check(where+" rate", h.Press("reader", lb["got"]))
				check(where+" comment", h.Press("reader", "3"))
				check(where+" done", h.Press("reader", lb["skip"]))
				walks++
			}
			if walks != len(lib.All()) {
				t.Fatalf("walked %d lessons of %d", walks, len(lib.All()))
			}
			if done := len(profile(t, h, "reader").Profile.Lessons.Done); done != walks {
				t.Fatalf("%d lessons done, walked %d", done, walks)
			}
		})
	}
}

func withLabels(rs []flows.Reply) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.Text)
		for _, row := range r.Buttons {
			for _, x := range row {
				b.WriteString(" [" + x.Label + "]")
			}
		}
	}
	return b.String()
}

func utf16Len(s string) int { return len(utf16.Encode([]rune(s))) }

// TestButtonLabels holds every button label of the lesson UI strings to 24 characters in every language.
func TestButtonLabels(t *testing.T) {
	files, err := fs.Glob(content.FS(), "ui/lessons.*.yaml")
	if err != nil || len(files) != 3 {
		t.Fatalf("lesson UI files: %v %v", files, err)
	}
	for _, f := range files {
		b, err := fs.ReadFile(content.FS(), f)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := yaml.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		n := 0
		for k, v := range m {
			if strings.HasPrefix(k, "lessons.btn.") || strings.HasPrefix(k, "menu.") {
				n++
				if utf8.RuneCountInString(v) > 24 {
					t.Errorf("%s: %s = %q is longer than 24 characters", f, k, v)
				}
			}
		}
		if n < 20 {
			t.Errorf("%s: only %d button labels found", f, n)
		}
	}
}
